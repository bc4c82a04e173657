// Package mcptest helps tests talk to an *mcp.Server in process, without a transport: as a
// client of the latest revision, one request at a time.
package mcptest

import (
	"testing"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// Request sends one request to srv as a client of the latest revision without a session,
// and returns its result or its JSON-RPC error.
func Request(t testing.TB, srv *mcp.Server, method string, params any) (json.RawMessage, *rpc.Error) {
	t.Helper()
	var raw json.RawMessage
	if params != nil {
		var err error
		if raw, err = json.Marshal(params); err != nil {
			t.Fatalf("params of %s: %v", method, err)
		}
	}
	msgs, _, derr := rpc.Decode(nil, rpc.AppendRequest(nil, rpc.Int64ID(1), method, raw), rpc.Limits{})
	if derr != nil {
		t.Fatalf("request %s: %v", method, derr)
	}
	resp, ok := srv.Handle(t.Context(), &mcp.Inbound{ProtocolVersion: mcp.LatestVersion}, &msgs[0])
	if !ok {
		t.Fatalf("%s: no reply", method)
	}
	return resp.Result, resp.Error
}

// Tool calls a tool of srv with args (a JSON object).
func Tool(t testing.TB, srv *mcp.Server, name, args string) *mcp.CallToolResult {
	t.Helper()
	raw, rerr := Request(t, srv, mcp.MethodToolsCall, map[string]any{"name": name, "arguments": json.RawMessage(args)})
	if rerr != nil {
		t.Fatalf("tools/call %s: %v", name, rerr)
	}
	var res mcp.CallToolResult
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("tools/call %s: %v", name, err)
	}
	return &res
}

// Texts returns the text of each text block of a result.
func Texts(res *mcp.CallToolResult) []string {
	var out []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			out = append(out, tc.Text)
		}
	}
	return out
}
