package mcp_test

import (
	"context"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
)

// scopedServer has a tool, a prompt, a resource and a resource template that each need a
// scope, and a tool that needs none. ran counts the runs of the scoped handlers; seen is the
// AuthInfo the last one saw.
func scopedServer() (s *mcp.Server, ran *int, seen **mcp.AuthInfo) {
	s = mcp.NewServer(nil, nil)
	ran, seen = new(int), new(*mcp.AuthInfo)
	note := func(r *mcp.Request) { *ran++; *seen = r.Auth() }
	s.AddRawTool(&mcp.Tool{Name: "write", Scopes: []string{"files:read", "files:write"}},
		func(_ context.Context, r *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			note(r)
			return mcp.TextResult("written"), nil
		})
	s.AddRawTool(&mcp.Tool{Name: "open"}, func(_ context.Context, r *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
		return mcp.TextResult("open to " + r.Principal()), nil
	})
	s.AddPrompt(&mcp.Prompt{Name: "secret", Scopes: []string{"prompts"}}, func(_ context.Context, r *mcp.Request, _ map[string]string) (*mcp.GetPromptResult, error) {
		note(r)
		return &mcp.GetPromptResult{}, nil
	})
	s.AddResource(&mcp.Resource{URI: "file:///plan", Name: "plan", Scopes: []string{"files:read"}}, func(_ context.Context, r *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
		note(r)
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "x"}}}, nil
	})
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "file:///logs/{day}", Name: "logs", Scopes: []string{"logs"}},
		func(_ context.Context, r *mcp.Request, uri string, _ map[string]string) (*mcp.ReadResourceResult, error) {
			note(r)
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "y"}}}, nil
		})
	return s, ran, seen
}

// TestScopesCheckedBeforeHandler: a tool, prompt or resource that requires scopes does not
// run for an authenticated request whose token lacks one; the request gets -32003 naming the
// scopes. With them, the handler runs and sees the AuthInfo. In both eras (a 2025 request
// without a session, a 2026-07-28 request).
func TestScopesCheckedBeforeHandler(t *testing.T) {
	const meta26 = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}`
	eras := map[string]struct {
		version, meta string
	}{
		"2025-11-25": {mcp.Version20251125, ""},
		"2026-07-28": {mcp.Version20260728, "," + meta26},
	}
	requests := []struct {
		name, method, params string
		needs                []string
	}{
		{"tool", "tools/call", `"name":"write","arguments":{}`, []string{"files:read", "files:write"}},
		{"prompt", "prompts/get", `"name":"secret"`, []string{"prompts"}},
		{"resource", "resources/read", `"uri":"file:///plan"`, []string{"files:read"}},
		{"template", "resources/read", `"uri":"file:///logs/monday"`, []string{"logs"}},
	}
	for eraName, era := range eras {
		for _, rq := range requests {
			line := `{"jsonrpc":"2.0","id":1,"method":"` + rq.method + `","params":{` + rq.params + era.meta + `}}`
			t.Run(eraName+"/"+rq.name, func(t *testing.T) {
				s, ran, seen := scopedServer()
				assert.Equal(t, rq.needs, s.RequiredScopes(rq.method, json.RawMessage(`{`+rq.params+`}`)))

				lacking := &mcp.AuthInfo{Principal: "alice", Scopes: []string{"files:read"}}
				if rq.name == "resource" {
					lacking.Scopes = []string{"other"}
				}
				got := handleOne(t, s, &mcp.Inbound{ProtocolVersion: era.version, Principal: "alice", Auth: lacking}, line)
				var r struct {
					Error *struct {
						Code    int64
						Message string
						Data    struct{ RequiredScopes, MissingScopes []string }
					}
				}
				require.NoError(t, json.Unmarshal([]byte(got), &r), got)
				require.NotNil(t, r.Error, got)
				assert.Equal(t, mcp.CodeInsufficientScope, r.Error.Code)
				assert.Equal(t, rq.needs, r.Error.Data.RequiredScopes)
				assert.Equal(t, lacking.MissingScopes(rq.needs), r.Error.Data.MissingScopes)
				assert.Zero(t, *ran, "the handler must not run")

				granted := &mcp.AuthInfo{Principal: "alice", Scopes: append([]string{"unrelated"}, rq.needs...),
					Claims: map[string]any{"sub": "alice"}}
				got = handleOne(t, s, &mcp.Inbound{ProtocolVersion: era.version, Principal: "alice", Auth: granted}, line)
				assert.NotContains(t, got, `"error"`)
				assert.Equal(t, 1, *ran)
				assert.Same(t, granted, *seen, "the handler sees the AuthInfo")

				// Without authentication there is nobody to hold a scope: not checked.
				got = handleOne(t, s, &mcp.Inbound{ProtocolVersion: era.version}, line)
				assert.NotContains(t, got, `"error"`)
				assert.Equal(t, 2, *ran)
				assert.Nil(t, *seen)
			})
		}
	}
}

// TestScopedToolsListed: tools/list shows a tool the caller lacks the scopes of, so that a
// client can call it and learn the scopes from the answer (the step-up flow), and never the
// scopes themselves.
func TestScopedToolsListed(t *testing.T) {
	s, _, _ := scopedServer()
	got := handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20251125, Auth: &mcp.AuthInfo{Principal: "bob"}},
		`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	assert.Contains(t, got, `"name":"write"`)
	assert.NotContains(t, got, "files:write")
	assert.NotContains(t, strings.ToLower(got), "scope")
}

func TestRequiredScopes(t *testing.T) {
	s, _, _ := scopedServer()
	for _, c := range []struct {
		method, params string
		want           []string
	}{
		{"tools/call", `{"name":"open"}`, nil},
		{"tools/call", `{"name":"nope"}`, nil},
		{"tools/call", `{"name":"wr\u0069te"}`, []string{"files:read", "files:write"}},
		{"tools/call", `{"name":1}`, nil},
		{"tools/call", `not json`, nil},
		{"resources/subscribe", `{"uri":"file:///plan"}`, []string{"files:read"}},
		{"resources/unsubscribe", `{"uri":"file:///plan"}`, nil},
		{"tools/list", `{}`, nil},
	} {
		assert.Equal(t, c.want, s.RequiredScopes(c.method, json.RawMessage(c.params)), c.method+" "+c.params)
	}
}

func TestAuthInfoMissingScopes(t *testing.T) {
	a := &mcp.AuthInfo{Scopes: []string{"a", "b"}}
	assert.Nil(t, a.MissingScopes([]string{"b", "a"}))
	assert.Equal(t, []string{"c"}, a.MissingScopes([]string{"a", "c", "c"}))
	assert.Equal(t, []string{"a"}, (*mcp.AuthInfo)(nil).MissingScopes([]string{"a"}))
	assert.True(t, a.HasScope("a"))
	assert.False(t, a.HasScope("A"), "scopes are case-sensitive (RFC 6749 §3.3)")
}
