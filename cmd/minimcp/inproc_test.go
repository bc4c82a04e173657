package main

import (
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// inProcRequest sends one request to srv as a client of the latest revision without a session,
// and returns its result or its JSON-RPC error.
func inProcRequest(t *testing.T, srv *mcp.Server, method string, params any) (json.RawMessage, *rpc.Error) {
	t.Helper()
	var raw json.RawMessage
	if params != nil {
		var err error
		raw, err = json.Marshal(params)
		require.NoError(t, err)
	}
	msgs, _, derr := rpc.Decode(nil, rpc.AppendRequest(nil, rpc.Int64ID(1), method, raw), rpc.Limits{})
	require.Nil(t, derr)
	resp, ok := srv.Handle(t.Context(), &mcp.Inbound{ProtocolVersion: mcp.LatestVersion}, &msgs[0])
	require.True(t, ok, "no reply")
	return resp.Result, resp.Error
}

// inProcTool calls a tool of srv with args (a JSON object).
func inProcTool(t *testing.T, srv *mcp.Server, name, args string) *mcp.CallToolResult {
	t.Helper()
	raw, rerr := inProcRequest(t, srv, mcp.MethodToolsCall, map[string]any{"name": name, "arguments": json.RawMessage(args)})
	require.Nil(t, rerr)
	var res mcp.CallToolResult
	require.NoError(t, json.Unmarshal(raw, &res))
	return &res
}

// texts returns the text of each text block of a result.
func texts(res *mcp.CallToolResult) []string {
	var out []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			out = append(out, tc.Text)
		}
	}
	return out
}
