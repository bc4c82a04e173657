package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

func shutdown(t *testing.T, h *server.Handler) {
	t.Helper()
	require.NoError(t, h.Shutdown(context.Background()))
}

// TestRequestChecks covers every check of a POST with the status the spec names and a
// JSON-RPC error body.
func TestRequestChecks(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{MaxBodyBytes: 1024, AllowedOrigins: []string{"https://app.example"}})
	defer shutdown(t, h)
	sid := initialize(t, h)
	loopback := func(r *http.Request) *http.Request {
		ctx := context.WithValue(r.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080})
		return r.WithContext(ctx)
	}
	tests := []struct {
		name   string
		r      *http.Request
		status int
		code   int64
		msg    string
	}{
		{"foreign origin", req(http.MethodPost, call(2, "echo", `{"text":"x"}`), sid, "Origin", "http://evil.example"),
			http.StatusForbidden, -32000, `Forbidden: Origin "http://evil.example" is not allowed`},
		{"foreign host on loopback listener", loopback(req(http.MethodPost, initBody, "", "Host", "evil.example.com")),
			http.StatusForbidden, -32000, `Forbidden: Host "evil.example.com" is not allowed (DNS rebinding protection)`},
		{"body over the limit", req(http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"`+strings.Repeat("x", 2000)+`"}}`, sid),
			http.StatusRequestEntityTooLarge, -32000, "Payload Too Large: the body exceeds the limit of 1024 bytes"},
		{"content type not JSON", req(http.MethodPost, `{}`, sid, "Content-Type", "text/plain"),
			http.StatusUnsupportedMediaType, -32000, `Unsupported Media Type: Content-Type must be application/json, got "text/plain"`},
		{"accept neither JSON nor SSE", req(http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, sid, "Accept", "text/html"),
			http.StatusNotAcceptable, -32000, `Not Acceptable: Accept must allow application/json or text/event-stream, got "text/html"`},
		{"unsupported protocol version", req(http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, sid, "MCP-Protocol-Version", "2099-01-01"),
			http.StatusBadRequest, -32000, `Bad Request: unsupported MCP-Protocol-Version "2099-01-01"; supported: 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05`},
		{"batch outside 2025-03-26", req(http.MethodPost, `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, sid),
			http.StatusBadRequest, -32600, "Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26, not 2025-11-25"},
		{"invalid JSON", req(http.MethodPost, `{"jsonrpc":`, sid),
			http.StatusBadRequest, -32700, "Parse error: unexpected end of input at offset 11"},
		{"missing session id", req(http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, ""),
			http.StatusBadRequest, -32000, "Bad Request: Mcp-Session-Id header is required; send initialize first to get one"},
		{"unknown session id", req(http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, "no-such-session"),
			http.StatusNotFound, -32001, "Session not found: it expired, was deleted or never existed; send initialize to start a new one"},
		{"GET without SSE accept", req(http.MethodGet, "", sid, "Accept", "application/json"),
			http.StatusNotAcceptable, -32000, "Not Acceptable: a GET stream needs Accept: text/event-stream"},
		{"PUT", req(http.MethodPut, "", sid),
			http.StatusMethodNotAllowed, -32000, "Method Not Allowed: PUT is not served here; use DELETE, GET, POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, tt.r)
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			code, msg := errorBody(t, w.Body.Bytes())
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.msg, msg)
		})
	}
	t.Run("allowed origin, loopback host and matching origin pass", func(t *testing.T) {
		for _, r := range []*http.Request{
			req(http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, sid, "Origin", "https://app.example"),
			loopback(req(http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, sid, "Host", "localhost:8080", "Origin", "http://localhost:8080")),
			loopback(req(http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, sid, "Host", "127.0.0.1:8080")),
		} {
			w := do(h, r)
			assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.JSONEq(t, `{"jsonrpc":"2.0","id":1,"result":{}}`, w.Body.String())
		}
	})
}

func TestPostAnswers(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{ReplicaID: "replica-a"})
	defer shutdown(t, h)
	sid := initialize(t, h)

	t.Run("plain JSON by default", func(t *testing.T) {
		w := do(h, req(http.MethodPost, call(2, "echo", `{"text":"hi"}`), sid))
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.Equal(t, "replica-a", w.Header().Get("X-Served-By"))
		assert.JSONEq(t, `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"hi"}]}}`, w.Body.String())
	})
	t.Run("upgraded to SSE when the handler notifies", func(t *testing.T) {
		w := do(h, req(http.MethodPost, call(3, "notify", `{}`), sid))
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "text/event-stream", w.Header().Get("Content-Type"))
		assert.Equal(t, "no", w.Header().Get("X-Accel-Buffering"))
		evs := events(t, w.Body)
		require.Len(t, evs, 4)
		assert.Empty(t, evs[0].Data, "priming event first")
		assert.NotEmpty(t, evs[0].ID)
		assert.Equal(t, []string{
			`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","logger":"t","data":"one"}}`,
			`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","logger":"t","data":"two"}}`,
			`{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"notified"}]}}`,
		}, dataOf(evs))
		for _, e := range evs[1:] {
			assert.NotEmpty(t, e.ID, "every event carries an id")
		}
	})
	t.Run("answers are valid JSON text when the request holds bytes that are not UTF-8", func(t *testing.T) {
		// RFC 8259 §8.1: JSON text exchanged between systems MUST be UTF-8. The id is echoed
		// byte for byte, so one that is not UTF-8 is refused; other strings are decoded with
		// U+FFFD.
		for _, tc := range []struct{ body, want string }{
			{"{\"jsonrpc\":\"2.0\",\"id\":\"a\xffb\",\"method\":\"ping\"}",
				`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: id is not valid UTF-8"}}`},
			{call(4, "echo", "{\"text\":\"a\xffb\"}"),
				`{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"a\ufffdb"}]}}`},
		} {
			w := do(h, req(http.MethodPost, tc.body, sid))
			body := w.Body.Bytes()
			assert.True(t, json.Valid(body) && utf8.Valid(body), "answer is not valid JSON text: %q", body)
			assert.JSONEq(t, tc.want, string(body))
		}
	})
	t.Run("JSON-only clients lose notifications, not the result", func(t *testing.T) {
		w := do(h, req(http.MethodPost, call(4, "notify", `{}`), sid, "Accept", "application/json"))
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.JSONEq(t, `{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"notified"}]}}`, w.Body.String())
	})
	t.Run("notification only is 202 with no body", func(t *testing.T) {
		w := do(h, req(http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, sid))
		assert.Equal(t, http.StatusAccepted, w.Code)
		assert.Empty(t, w.Body.String())
	})
	t.Run("DELETE ends the session", func(t *testing.T) {
		other := initialize(t, h)
		w := do(h, req(http.MethodDelete, "", other))
		assert.Equal(t, http.StatusNoContent, w.Code)
		w = do(h, req(http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, other))
		assert.Equal(t, http.StatusNotFound, w.Code)
		w = do(h, req(http.MethodDelete, "", other))
		assert.Equal(t, http.StatusNotFound, w.Code)
	})
}

func TestResponseModes(t *testing.T) {
	for _, tt := range []struct {
		name        string
		mode        server.ResponseMode
		contentType string
	}{
		{"json", server.ResponseJSON, "application/json"},
		{"sse", server.ResponseSSE, "text/event-stream"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer()
			h := server.New(ts.Server, &server.Options{Response: tt.mode})
			defer shutdown(t, h)
			sid := initialize(t, h)
			w := do(h, req(http.MethodPost, call(2, "echo", `{"text":"m"}`), sid))
			assert.Equal(t, tt.contentType, w.Header().Get("Content-Type"))
			assert.Contains(t, w.Body.String(), `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"m"}]}}`)
		})
	}
}

func TestStateless(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{Stateless: true})
	defer shutdown(t, h)

	w := do(h, req(http.MethodPost, initBody, ""))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Empty(t, w.Header().Get("Mcp-Session-Id"), "no session is minted")

	w = do(h, req(http.MethodPost, call(2, "echo", `{"text":"any replica"}`), "stale-session-id", "MCP-Protocol-Version", "2025-11-25"))
	assert.Equal(t, http.StatusOK, w.Code, "a stale session id is ignored")
	assert.JSONEq(t, `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"any replica"}]}}`, w.Body.String())

	w = do(h, req(http.MethodPost, call(3, "sample", `{}`), ""))
	assert.JSONEq(t, `{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"mcp: this transport cannot carry server-to-client requests: it has no session to route the client's reply (stateless HTTP); use a stateful session"}],"isError":true}}`, w.Body.String(),
		"server-to-client requests fail fast")

	w = do(h, req(http.MethodPost, `[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]`, ""))
	assert.JSONEq(t, `[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":2,"result":{}}]`, w.Body.String(),
		"without a version header a stateless request is 2025-03-26, where batches exist")

	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		w = do(h, req(m, "", ""))
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code, m)
		assert.Equal(t, "POST", w.Header().Get("Allow"), m)
	}
	assert.Equal(t, 0, h.SessionCount())
	assert.Equal(t, 0, ts.SessionCount())
}

func TestAuthBindsSessionsToPrincipals(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{
		Authenticate: func(r *http.Request) (string, error) {
			switch r.Header.Get("Authorization") {
			case "Bearer alice-token":
				return "alice", nil
			case "Bearer bob-token":
				return "bob", nil
			}
			return "", errors.New("a valid bearer token is required")
		},
		AuthChallenge: `Bearer realm="mcp"`,
	})
	defer shutdown(t, h)

	w := do(h, req(http.MethodPost, initBody, ""))
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, `Bearer realm="mcp"`, w.Header().Get("WWW-Authenticate"))
	_, msg := errorBody(t, w.Body.Bytes())
	assert.Equal(t, "Unauthorized: a valid bearer token is required", msg)

	w = do(h, req(http.MethodPost, initBody, "", "Authorization", "Bearer alice-token"))
	require.Equal(t, http.StatusOK, w.Code)
	sid := w.Header().Get("Mcp-Session-Id")

	ping := `{"jsonrpc":"2.0","id":2,"method":"ping"}`
	w = do(h, req(http.MethodPost, ping, sid, "Authorization", "Bearer alice-token"))
	assert.Equal(t, http.StatusOK, w.Code)
	w = do(h, req(http.MethodPost, ping, sid, "Authorization", "Bearer bob-token"))
	assert.Equal(t, http.StatusNotFound, w.Code, "another principal cannot use the session")
}

func TestHealthAndReadiness(t *testing.T) {
	h := server.New(newTestServer().Server, nil)
	w := do(h, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, http.StatusOK, w.Code)
	w = do(h, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	assert.Equal(t, http.StatusOK, w.Code)
	shutdown(t, h)
	w = do(h, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	w = do(h, req(http.MethodPost, initBody, ""))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code, "no new sessions while draining")
	assert.NotEmpty(t, w.Header().Get("Retry-After"))
}
