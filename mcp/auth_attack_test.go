package mcp_test

import (
	"context"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"

	"github.com/minimcp/minimcp/mcp"
)

// TestCompletionOfScopedPromptNeedsScope (attack: completion/complete on a scoped prompt's
// arguments, or a scoped template's variables): the completion handler of a prompt or
// template is its code, which may draw its suggestions from what the prompt or template
// guards, so it needs the same scopes, before it runs and over HTTP as a 403.
func TestCompletionOfScopedPromptNeedsScope(t *testing.T) {
	for _, c := range []struct {
		name, ref string
		needs     []string
	}{
		{"prompt", `{"type":"ref/prompt","name":"secret"}`, []string{"prompts"}},
		{"template", `{"type":"ref/resource","uri":"file:///logs/{day}"}`, []string{"logs"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _, _ := scopedServer()
			leaked := 0
			complete := func(context.Context, *mcp.Request, string, string, map[string]string) ([]string, error) {
				leaked++
				return []string{"confidential"}, nil
			}
			if c.name == "prompt" {
				s.AddPromptCompletion("secret", complete)
			} else {
				s.AddTemplateCompletion("file:///logs/{day}", complete)
			}
			params := `{"ref":` + c.ref + `,"argument":{"name":"x","value":""}}`
			assert.Equal(t, c.needs, s.RequiredScopes("completion/complete", json.RawMessage(params)))
			line := `{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":` + params + `}`
			got := handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20251125, Principal: "eve",
				Auth: &mcp.AuthInfo{Principal: "eve", Scopes: []string{"files:read"}}}, line)
			assert.Contains(t, got, `"code":-32003`)
			assert.NotContains(t, got, "confidential")
			assert.Zero(t, leaked, "the completion handler must not run")

			got = handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20251125, Principal: "eve",
				Auth: &mcp.AuthInfo{Principal: "eve", Scopes: c.needs}}, line)
			assert.Contains(t, got, "confidential")
		})
	}
}

// TestListenToScopedResourceNeedsScope (attack: subscriptions/listen, the 2026-07-28
// replacement of resources/subscribe, watching a scoped resource): its updates tell what
// resources/subscribe's would, which needs the resource's scopes, so listening needs them too.
func TestListenToScopedResourceNeedsScope(t *testing.T) {
	s, _, _ := scopedServer()
	params := `{` + modernMeta + `},"notifications":{"resourceSubscriptions":["file:///plan","file:///logs/monday","file:///plan"]}}`
	assert.Equal(t, []string{"files:read", "logs"}, s.RequiredScopes("subscriptions/listen", json.RawMessage(params)))
	line := `{"jsonrpc":"2.0","id":1,"method":"subscriptions/listen","params":` + params + `}`
	got := handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20260728, Principal: "eve",
		Auth: &mcp.AuthInfo{Principal: "eve", Scopes: []string{"files:read"}}}, line)
	assert.Contains(t, got, `"code":-32003`)
	assert.Contains(t, got, `"missingScopes":["logs"]`)
}
