package mcp_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// handleOne runs one request through Server.Handle without a session, as stateless HTTP does.
func handleOne(t *testing.T, s *mcp.Server, in *mcp.Inbound, line string) string {
	t.Helper()
	return handleOneCtx(t, context.Background(), s, in, line)
}

// handleOneCtx is handleOne with the context of the request.
func handleOneCtx(t *testing.T, ctx context.Context, s *mcp.Server, in *mcp.Inbound, line string) string {
	t.Helper()
	msgs, _, derr := rpc.Decode(nil, []byte(line), rpc.Limits{})
	require.Nil(t, derr)
	resp, ok := s.Handle(ctx, in, &msgs[0])
	require.True(t, ok)
	return string(rpc.AppendResponse(nil, &resp))
}

// TestPerRequestContext: without a session, what a handler needs comes from the request —
// the version header and, as in revision 2026-07-28, the io.modelcontextprotocol/* fields of
// _meta.
func TestPerRequestContext(t *testing.T) {
	s := newFixture(nil)
	got := handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20250618},
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{},"_meta":{"io.modelcontextprotocol/clientInfo":{"name":"per-request-client","version":"2"},"io.modelcontextprotocol/logLevel":"error","io.modelcontextprotocol/clientCapabilities":{"sampling":{}}}}}`)
	assert.Equal(t, `{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"version=2025-06-18 client=per-request-client session=true level=error"}]}}`, got)

	got = handleOne(t, s, &mcp.Inbound{}, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`)
	assert.Equal(t, `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"version=2025-03-26 client= session=true level=info"}]}}`, got,
		"no header: 2025-03-26, as the transport spec says")

	got = handleOne(t, s, &mcp.Inbound{}, `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"sample","arguments":{"prompt":"p"},"_meta":{"io.modelcontextprotocol/clientCapabilities":{"sampling":{}}}}}`)
	assert.Contains(t, got, `"isError":true`)
	assert.Contains(t, got, "cannot carry server-to-client requests", "declared per request, but no session to route the reply")
}
