package mcp_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// streamLines serves the client lines as one stream and returns every line the server wrote.
// ServeStream answers every request before it returns at the end of its input, so nothing
// can be missed and nothing can hang.
func streamLines(t *testing.T, srv *mcp.Server, lines ...string) []string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, srv.ServeStream(t.Context(), strings.NewReader(strings.Join(lines, "\n")+"\n"), &out, nil))
	if out.Len() == 0 {
		return nil
	}
	require.True(t, bytes.HasSuffix(out.Bytes(), []byte("\n")), "the last message ends with its newline: %q", out.String())
	return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
}

// prettySchema is an input schema as a person writes it in a file: indented, on many lines.
const prettySchema = `{
  "type": "object",
  "properties": {
    "text": {
      "type": "string",
      "description": "what to echo"
    }
  },
  "required": ["text"]
}`

// TestStreamPrettyRawJSON checks that raw JSON written on several lines (a schema read from a
// file, a tool's structured result) goes out on one line: MCP 2025-11-25, Transports § stdio:
// "Messages are delimited by newlines, and MUST NOT contain embedded newlines".
func TestStreamPrettyRawJSON(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "pretty", Version: "1"}, nil)
	srv.AddRawTool(&mcp.Tool{Name: "echo", InputSchema: json.RawMessage(prettySchema),
		OutputSchema: json.RawMessage(prettySchema)},
		func(_ context.Context, _ *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			var buf bytes.Buffer
			require.NoError(t, json.Indent(&buf, args, "", "  "))
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ok"}}, StructuredContent: buf.Bytes()}, nil
		})
	lines := streamLines(t, srv,
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`)
	require.Len(t, lines, 3, "one line per answer: %q", lines)
	byID := map[string]map[string]json.RawMessage{}
	for _, l := range lines {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(l), &m), "%q", l)
		byID[string(m["id"])] = m
	}
	require.Contains(t, byID, "2")
	require.Nil(t, byID["2"]["error"], "%s", byID["2"]["error"])
	var list mcp.ListToolsResult
	require.NoError(t, json.Unmarshal(byID["2"]["result"], &list))
	require.Len(t, list.Tools, 1)
	assert.JSONEq(t, prettySchema, string(list.Tools[0].InputSchema))
	assert.JSONEq(t, prettySchema, string(list.Tools[0].OutputSchema))
	require.Contains(t, byID, "3")
	assert.JSONEq(t, `{"content":[{"type":"text","text":"ok"}],"structuredContent":{"text":"hi"}}`, string(byID["3"]["result"]))
}

// TestStatelessCapabilities checks that initialize declares only what the transport can do
// (MCP 2025-11-25, Basic § Lifecycle, Capability Negotiation): without a session (stateless
// HTTP) there is no stream for server-initiated messages, so neither subscriptions nor
// list_changed notifications can reach the client.
func TestStatelessCapabilities(t *testing.T) {
	srv := newFixture(nil)
	const init = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	caps := func(t *testing.T, raw []byte) string {
		t.Helper()
		var reply struct {
			Result struct {
				Capabilities json.RawMessage `json:"capabilities"`
			} `json:"result"`
		}
		require.NoError(t, json.Unmarshal(raw, &reply), "%s", raw)
		return string(reply.Result.Capabilities)
	}
	stateful := `{"logging":{},"completions":{},"prompts":{"listChanged":true},"resources":{"subscribe":true,"listChanged":true},"tools":{"listChanged":true}}`
	stateless := `{"logging":{},"completions":{},"prompts":{},"resources":{},"tools":{}}`
	for range 2 { // the second time from the cache, which must keep the two apart
		t.Run("session", func(t *testing.T) {
			assert.JSONEq(t, stateful, caps(t, []byte(streamLines(t, srv, init)[0])))
		})
		t.Run("stateless", func(t *testing.T) {
			msgs, _, derr := rpc.Decode(nil, []byte(init), rpc.Limits{})
			require.Nil(t, derr)
			resp, ok := srv.Handle(t.Context(), &mcp.Inbound{ProtocolVersion: mcp.LatestVersion}, &msgs[0])
			require.True(t, ok)
			assert.JSONEq(t, stateless, caps(t, rpc.AppendResponse(nil, &resp)))
		})
	}
	assert.True(t, srv.Capabilities().Resources.Subscribe, "Capabilities describes a session")
}
