package manifest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

func TestPrompts(t *testing.T) {
	srv := manifestServer(t, `{"prompts": [
		{"name": "summarize", "description": "Summarizes.",
		 "arguments": [{"name": "topic", "required": true}, {"name": "style", "description": "How."}],
		 "template": "Summarize {{topic}} in a {{ style }} style. {{#not a placeholder}}"},
		{"name": "chat", "arguments": [{"name": "q", "required": true}],
		 "messages": [{"role": "user", "text": "Q: {{q}}"}, {"role": "assistant", "text": "Let me think."}]}
	]}`)

	raw, rerr := mcptest.Request(t, srv, mcp.MethodPromptsGet, map[string]any{"name": "summarize", "arguments": map[string]string{"topic": "MCP", "style": "terse"}})
	require.Nil(t, rerr)
	assert.JSONEq(t, `{"description": "Summarizes.", "messages": [{"role": "user", "content":
		{"type": "text", "text": "Summarize MCP in a terse style. {{#not a placeholder}}"}}]}`, string(raw))

	raw, rerr = mcptest.Request(t, srv, mcp.MethodPromptsGet, map[string]any{"name": "summarize", "arguments": map[string]string{"topic": "MCP"}})
	require.Nil(t, rerr)
	assert.Contains(t, string(raw), `"Summarize MCP in a  style.`)

	raw, rerr = mcptest.Request(t, srv, mcp.MethodPromptsGet, map[string]any{"name": "chat", "arguments": map[string]string{"q": "why?"}})
	require.Nil(t, rerr)
	assert.JSONEq(t, `{"messages": [
		{"role": "user", "content": {"type": "text", "text": "Q: why?"}},
		{"role": "assistant", "content": {"type": "text", "text": "Let me think."}}]}`, string(raw))

	_, rerr = mcptest.Request(t, srv, mcp.MethodPromptsGet, map[string]any{"name": "summarize"})
	require.NotNil(t, rerr)
	assert.Equal(t, rpc.CodeInvalidParams, rerr.Code)
}
