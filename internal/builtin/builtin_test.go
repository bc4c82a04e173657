package builtin

import (
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

func TestBuiltins(t *testing.T) {
	srv, tools := New(&mcp.ServerOptions{}, "v0.0.0-test")
	assert.Equal(t, []string{"echo", "add"}, tools)

	raw, rerr := mcptest.Request(t, srv, mcp.MethodToolsList, nil)
	require.Nil(t, rerr)
	var list struct {
		Tools []struct {
			Name         string          `json:"name"`
			InputSchema  json.RawMessage `json:"inputSchema"`
			OutputSchema json.RawMessage `json:"outputSchema"`
		} `json:"tools"`
	}
	require.NoError(t, json.Unmarshal(raw, &list))
	require.Len(t, list.Tools, 2)
	assert.Equal(t, "echo", list.Tools[0].Name)
	assert.JSONEq(t, `{"type": "object", "required": ["text"],
		"properties": {"text": {"type": "string", "description": "The text to echo back."}}}`, string(list.Tools[0].InputSchema))
	assert.Equal(t, "add", list.Tools[1].Name)
	assert.JSONEq(t, `{"type": "object", "required": ["sum"],
		"properties": {"sum": {"type": "number", "description": "a + b"}}}`, string(list.Tools[1].OutputSchema))

	t.Run("echo", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "echo", `{"text": "hello, world"}`)
		assert.False(t, res.IsError)
		assert.Equal(t, []string{"hello, world"}, mcptest.Texts(res))
		assert.Empty(t, res.StructuredContent)
	})
	t.Run("add", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "add", `{"a": 2, "b": 0.5}`)
		assert.False(t, res.IsError)
		assert.JSONEq(t, `{"sum": 2.5}`, string(res.StructuredContent))
		assert.Equal(t, []string{`{"sum":2.5}`}, mcptest.Texts(res))
	})
	t.Run("add with a bad argument", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "add", `{"a": "two", "b": 1}`)
		assert.True(t, res.IsError)
	})
	t.Run("about", func(t *testing.T) {
		raw, rerr := mcptest.Request(t, srv, mcp.MethodResourcesRead, map[string]string{"uri": AboutURI})
		require.Nil(t, rerr)
		var res mcp.ReadResourceResult
		require.NoError(t, json.Unmarshal(raw, &res))
		require.Len(t, res.Contents, 1)
		assert.Equal(t, "text/markdown", res.Contents[0].MimeType)
		assert.Contains(t, res.Contents[0].Text, "tools: echo, add")
		assert.Contains(t, res.Contents[0].Text, "docs/manifest.md")
	})
	t.Run("greet", func(t *testing.T) {
		raw, rerr := mcptest.Request(t, srv, mcp.MethodPromptsGet, map[string]any{"name": "greet", "arguments": map[string]string{"name": "Ada"}})
		require.Nil(t, rerr)
		assert.JSONEq(t, `{"description": "A greeting for Ada", "messages": [{"role": "user",
			"content": {"type": "text", "text": "Write a short, friendly greeting for Ada."}}]}`, string(raw))
	})
	t.Run("greet without a name", func(t *testing.T) {
		_, rerr := mcptest.Request(t, srv, mcp.MethodPromptsGet, map[string]any{"name": "greet"})
		require.NotNil(t, rerr)
		assert.Equal(t, rpc.CodeInvalidParams, rerr.Code)
	})
}
