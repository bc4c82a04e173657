package mcp_test

import (
	"context"
	"io"
	"os"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"

	"github.com/minimcp/minimcp/mcp"
)

// TestRegistrationPanics: programmer errors at registration panic with a message saying what
// is wrong (house style §3).
func TestRegistrationPanics(t *testing.T) {
	noop := func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil }
	read := func(context.Context, *mcp.Request, string) (*mcp.ReadResourceResult, error) { return nil, nil }
	tmpl := func(context.Context, *mcp.Request, string, map[string]string) (*mcp.ReadResourceResult, error) {
		return nil, nil
	}
	prompt := func(context.Context, *mcp.Request, map[string]string) (*mcp.GetPromptResult, error) { return nil, nil }
	raw := func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) { return nil, nil }
	tests := []struct {
		name string
		f    func(s *mcp.Server)
		want string
	}{
		{"duplicate tool", func(s *mcp.Server) {
			mcp.AddTool(s, &mcp.Tool{Name: "t"}, noop)
			mcp.AddTool(s, &mcp.Tool{Name: "t"}, noop)
		}, `mcp: duplicate tool "t"`},
		{"nil tool handler", func(s *mcp.Server) {
			mcp.AddTool[struct{}, string](s, &mcp.Tool{Name: "t"}, nil)
		}, "mcp: AddTool with a nil tool or handler"},
		{"empty tool name", func(s *mcp.Server) { mcp.AddTool(s, &mcp.Tool{}, noop) }, "mcp: tool with an empty name"},
		{"input that is not an object", func(s *mcp.Server) {
			mcp.AddTool(s, &mcp.Tool{Name: "t"}, func(context.Context, *mcp.Request, []string) (string, error) { return "", nil })
		}, `mcp: tool "t": input schema must have "type": "object"`},
		{"raw schema that does not compile", func(s *mcp.Server) {
			s.AddRawTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"$ref":"#/$defs/none"}}}`)}, raw)
		}, `mcp: tool "t": input schema: jsonschema: schema #/properties/a/$ref: cannot resolve "#/$defs/none": no such location in the document`},
		{"input schema with a keyword the validator refuses", func(s *mcp.Server) {
			s.AddRawTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"items":{"$dynamicRef":"#x"}}}}`)}, raw)
		}, `mcp: tool "t": input schema: jsonschema: schema #/properties/a/items/$dynamicRef: keyword "$dynamicRef" is not supported by this validator; the schema is refused rather than the keyword ignored`},
		{"output schema with a keyword the validator refuses", func(s *mcp.Server) {
			s.AddRawTool(&mcp.Tool{Name: "t", OutputSchema: json.RawMessage(`{"type":"object","allOf":[{}],"unevaluatedProperties":false}`)}, raw)
		}, `mcp: tool "t": output schema: jsonschema: schema #/unevaluatedProperties: keyword "unevaluatedProperties" is supported only in a schema without $ref, allOf, anyOf, oneOf, not, if or dependentSchemas beside it; the schema is refused rather than the keyword ignored`},
		{"duplicate resource", func(s *mcp.Server) {
			s.AddResource(&mcp.Resource{URI: "a://b", Name: "b"}, read)
			s.AddResource(&mcp.Resource{URI: "a://b", Name: "c"}, read)
		}, `mcp: duplicate resource "a://b"`},
		{"resource without a name", func(s *mcp.Server) { s.AddResource(&mcp.Resource{URI: "a://b"}, read) }, "mcp: a resource needs a uri and a name"},
		{"template with a reserved operator", func(s *mcp.Server) {
			s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "a://{=path}", Name: "p"}, tmpl)
		}, `mcp: URI template "a://{=path}": {=path}: operator reserved for future use: "="`},
		{"unclosed template", func(s *mcp.Server) {
			s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "a://{x", Name: "p"}, tmpl)
		}, `mcp: URI template "a://{x": unclosed '{'`},
		{"duplicate prompt", func(s *mcp.Server) {
			s.AddPrompt(&mcp.Prompt{Name: "p"}, prompt)
			s.AddPrompt(&mcp.Prompt{Name: "p"}, prompt)
		}, `mcp: duplicate prompt "p"`},
		{"nil prompt handler", func(s *mcp.Server) { s.AddPrompt(&mcp.Prompt{Name: "p"}, nil) }, "mcp: AddPrompt with a nil prompt or handler"},
		{"duplicate completion", func(s *mcp.Server) {
			c := func(context.Context, *mcp.Request, string, string, map[string]string) ([]string, error) {
				return nil, nil
			}
			s.AddPromptCompletion("p", c)
			s.AddPromptCompletion("p", c)
		}, "mcp: duplicate completion handler for ref/prompt p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mcp.NewServer(nil, nil)
			assert.PanicsWithValue(t, tt.want, func() { tt.f(s) })
		})
	}
}

// TestElicitationModes: a client that declared elicitation: {} supports form mode only
// (MCP 2025-11-25, Client § Elicitation, Capabilities), so URL mode fails without a request.
func TestElicitationModes(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "url", Description: "Asks for a URL-mode elicitation."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			_, err := req.Elicit(ctx, &mcp.ElicitParams{Mode: "url", Message: "Sign in", URL: "https://example.com/login", ElicitationID: "e1"})
			return "", err
		})
	out := captureStdout(t, func() {
		exchangeWith(s, `{"elicitation":{}}`, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"url","arguments":{}}}`)
	})
	assert.Equal(t, `{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"mcp: the client did not declare the elicitation.url capability, so the server cannot send elicitation/create"}],"isError":true}}`+"\n", out)
}

// captureStdout returns what f prints.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	f()
	os.Stdout = old
	w.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}
