package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/server"
)

// In a session the negotiated version is in force: an MCP-Protocol-Version header naming
// another supported version is tolerated (the official conformance suite sends one) but
// ignored, so it cannot turn batches on in a session that negotiated a revision without them
// (MCP 2025-11-25, Transports § Protocol Version Header).
func TestProtocolVersionHeaderInSession(t *testing.T) {
	h := server.New(newTestServer().Server, nil)
	defer shutdown(t, h)
	sid := initialize(t, h) // 2025-11-25
	const batch = `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`

	cancelled, cancel := context.WithCancel(context.Background())
	cancel() // a GET that passes its checks returns at once
	for _, tt := range []struct {
		name string
		r    *http.Request
		want int
	}{
		{"request", req(http.MethodPost, ping, sid, "MCP-Protocol-Version", "2025-06-18"), http.StatusOK},
		{"notification", req(http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, sid, "MCP-Protocol-Version", "2025-06-18"), http.StatusAccepted},
		{"GET", req(http.MethodGet, "", sid, "MCP-Protocol-Version", "2024-11-05").WithContext(cancelled), http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, tt.r)
			assert.Equal(t, tt.want, w.Code, w.Body.String())
		})
	}
	t.Run("batch", func(t *testing.T) {
		w := do(h, req(http.MethodPost, batch, sid, "MCP-Protocol-Version", "2025-03-26"))
		require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
		code, msg := errorBody(t, w.Body.Bytes())
		assert.Equal(t, rpc.CodeInvalidRequest, code)
		assert.Equal(t, "Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26, not 2025-11-25", msg)
	})
	for _, v := range []string{"2025-11-25", ""} {
		w := do(h, req(http.MethodPost, ping, sid, "MCP-Protocol-Version", v))
		assert.Equal(t, http.StatusOK, w.Code, "header %q: %s", v, w.Body.String())
	}
	w := do(h, req(http.MethodPost, ping, sid, "MCP-Protocol-Version", "1999-01-01"))
	assert.Equal(t, http.StatusBadRequest, w.Code, "an unsupported version is refused: %s", w.Body.String())

	// A 2025-03-26 session has batches, with or without the header.
	w = do(h, req(http.MethodPost, strings.Replace(initBody, "2025-11-25", "2025-03-26", 1), ""))
	require.Equal(t, http.StatusOK, w.Code)
	old := w.Header().Get("Mcp-Session-Id")
	for _, v := range []string{"2025-03-26", ""} {
		w := do(h, req(http.MethodPost, batch, old, "MCP-Protocol-Version", v))
		require.Equal(t, http.StatusOK, w.Code, "header %q: %s", v, w.Body.String())
		assert.JSONEq(t, `[{"jsonrpc":"2.0","id":1,"result":{}}]`, w.Body.String())
	}
}
