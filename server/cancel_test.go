package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

// A POST whose request the client cancels still gets its one answer (MCP 2025-11-25,
// Transports § Sending Messages to the Server: a request gets an SSE stream or "one JSON
// object", never 202): an error reply for the request, which the client ignores (Utilities §
// Cancellation: "The sender of the cancellation notification SHOULD ignore any response to
// the request that arrives afterward").
func TestCancelledPostIsAnswered(t *testing.T) {
	const cancelled = `{"jsonrpc":"2.0","id":2,"error":{"code":-32800,"message":"Request cancelled: the client sent notifications/cancelled for it"}}`
	for _, tt := range []struct {
		name, accept string
		mode         server.ResponseMode
		contentType  string
	}{
		{"JSON", "application/json, text/event-stream", server.ResponseAuto, "application/json"},
		{"JSON mode", "application/json, text/event-stream", server.ResponseJSON, "application/json"},
		{"SSE only accepted", "text/event-stream", server.ResponseAuto, "text/event-stream"},
		{"SSE mode", "application/json, text/event-stream", server.ResponseSSE, "text/event-stream"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer()
			h := server.New(ts.Server, &server.Options{Response: tt.mode, KeepAlive: -1})
			defer shutdown(t, h)
			id := initialize(t, h)
			answered := make(chan *httptest.ResponseRecorder)
			go func() { answered <- do(h, req(http.MethodPost, call(2, "block", `{}`), id, "Accept", tt.accept)) }()
			<-ts.started
			w := do(h, req(http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2,"reason":"user"}}`, id))
			require.Equal(t, http.StatusAccepted, w.Code)
			<-ts.cancelled

			w = <-answered
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, tt.contentType, w.Header().Get("Content-Type"))
			if tt.contentType == "application/json" {
				assert.JSONEq(t, cancelled, w.Body.String())
				return
			}
			data := dataOf(events(t, w.Body))
			require.Len(t, data, 1, w.Body.String())
			assert.JSONEq(t, cancelled, data[0])
		})
	}
}

// In a batch (2025-03-26) the cancelled request's error reply takes its place among the
// others.
func TestCancelledBatchMemberIsAnswered(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{KeepAlive: -1})
	defer shutdown(t, h)
	w := do(h, req(http.MethodPost, strings.Replace(initBody, "2025-11-25", "2025-03-26", 1), ""))
	require.Equal(t, http.StatusOK, w.Code)
	id := w.Header().Get("Mcp-Session-Id")
	answered := make(chan *httptest.ResponseRecorder)
	go func() {
		answered <- do(h, req(http.MethodPost, "["+call(2, "block", `{}`)+`,{"jsonrpc":"2.0","id":3,"method":"ping"}]`, id))
	}()
	<-ts.started
	require.Equal(t, http.StatusAccepted, do(h, req(http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}`, id)).Code)
	w = <-answered
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.JSONEq(t, `[{"jsonrpc":"2.0","id":2,"error":{"code":-32800,"message":"Request cancelled: the client sent notifications/cancelled for it"}},{"jsonrpc":"2.0","id":3,"result":{}}]`, w.Body.String())
}
