package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
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

// echoServer returns a server with an echo tool that serves versions
// (mcp.ServerOptions.ProtocolVersions).
func echoServer(versions []string) *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "era", Version: "1"}, &mcp.ServerOptions{ProtocolVersions: versions})
	type echoIn struct {
		Text string `json:"text"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.Request, in echoIn) (string, error) {
		return in.Text, nil
	})
	return srv
}

// unsupported decodes the UnsupportedProtocolVersionError of an answer: its id, data.supported
// and data.requested.
func unsupported(t *testing.T, w *httptest.ResponseRecorder) (id any, supported []string, requested string) {
	t.Helper()
	var got struct {
		ID    any `json:"id"`
		Error struct {
			Code int64 `json:"code"`
			Data struct {
				Supported []string `json:"supported"`
				Requested string   `json:"requested"`
			} `json:"data"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got), w.Body.String())
	require.Equal(t, mcp.CodeUnsupportedProtocolVersion, got.Error.Code, w.Body.String())
	return got.ID, got.Error.Data.Supported, got.Error.Data.Requested
}

// TestServedVersionsLegacyOnly: an endpoint restricted to the initialize revisions refuses a
// 2026-07-28 request with -32022 naming what it serves, and serves 2025 clients as before.
func TestServedVersionsLegacyOnly(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			h := server.New(echoServer(mcp.SupportedVersions()), &md.opts)
			defer shutdown(t, h)
			for _, r := range []*http.Request{
				modernReq(modernCall(3, "echo", `{"text":"hi"}`, ""), "tools/call", "echo"),
				modernReq(`{"jsonrpc":"2.0","id":3,"method":"server/discover","params":{`+modernMeta+`}}`, "server/discover", ""),
			} {
				w := do(h, r)
				require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
				id, supported, requested := unsupported(t, w)
				assert.EqualValues(t, 3, id)
				assert.Equal(t, mcp.SupportedVersions(), supported)
				assert.Equal(t, mcp.Version20260728, requested)
			}
			if md.opts.Stateless {
				w := do(h, req(http.MethodPost, call(4, "echo", `{"text":"old"}`), "", "MCP-Protocol-Version", mcp.Version20251125))
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				assert.Contains(t, w.Body.String(), "old")
				return
			}
			initialize(t, h)
		})
	}
}

// TestServedVersionsModernOnly: an endpoint restricted to 2026-07-28 answers initialize, and
// any request of the session era, with 400 and the -32022 error naming what it serves; its
// server/discover lists only that; GET and DELETE, which only sessions use, get 405; stdio
// refuses initialize alike.
func TestServedVersionsModernOnly(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			h := server.New(echoServer(mcp.ModernVersions()), &md.opts)
			defer shutdown(t, h)

			w := do(h, req(http.MethodPost, initBody, ""))
			require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			assert.Empty(t, w.Header().Get("Mcp-Session-Id"))
			id, supported, requested := unsupported(t, w)
			assert.EqualValues(t, 1, id)
			assert.Equal(t, []string{mcp.Version20260728}, supported)
			assert.Equal(t, mcp.Version20251125, requested)

			w = do(h, req(http.MethodPost, call(4, "echo", `{"text":"old"}`), "", "MCP-Protocol-Version", mcp.Version20250618))
			require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			_, _, requested = unsupported(t, w)
			assert.Equal(t, mcp.Version20250618, requested)

			w = do(h, modernReq(`{"jsonrpc":"2.0","id":"d","method":"server/discover","params":{`+modernMeta+`}}`, "server/discover", ""))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var disc struct {
				Result struct {
					SupportedVersions []string `json:"supportedVersions"`
				} `json:"result"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &disc), w.Body.String())
			assert.Equal(t, []string{mcp.Version20260728}, disc.Result.SupportedVersions)

			w = do(h, modernReq(modernCall(5, "echo", `{"text":"new"}`, ""), "tools/call", "echo"))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Contains(t, w.Body.String(), "new")

			for _, m := range []string{http.MethodGet, http.MethodDelete} {
				w = do(h, req(m, "", "abc"))
				assert.Equal(t, http.StatusMethodNotAllowed, w.Code, m)
			}
		})
	}
	t.Run("stdio", func(t *testing.T) {
		var out strings.Builder
		require.NoError(t, server.ServeStdio(t.Context(), echoServer(mcp.ModernVersions()), strings.NewReader(initBody+"\n"), &out, nil))
		assert.Contains(t, out.String(), `"code":-32022`)
		assert.Contains(t, out.String(), `"supported":["2026-07-28"]`)
	})
}

// TestServedVersionsSubset: initialize negotiates the latest version served when the client's
// is not (MCP 2025-11-25, Basic § Lifecycle, Version Negotiation), and a stateless request
// naming an unserved one is refused with 400.
func TestServedVersionsSubset(t *testing.T) {
	h := server.New(echoServer([]string{mcp.Version20250618, mcp.Version20250326}), nil)
	defer shutdown(t, h)
	w := do(h, req(http.MethodPost, initBody, ""))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"protocolVersion":"2025-06-18"`)

	sl := server.New(echoServer([]string{mcp.Version20250618}), &server.Options{Stateless: true})
	defer shutdown(t, sl)
	w = do(sl, req(http.MethodPost, call(2, "echo", `{"text":"x"}`), "", "MCP-Protocol-Version", mcp.Version20251125))
	assert.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), "supported: 2025-06-18")
	w = do(sl, req(http.MethodPost, call(2, "echo", `{"text":"x"}`), ""))
	assert.Equal(t, http.StatusBadRequest, w.Code, "no header means 2025-03-26, not served here")
	w = do(sl, req(http.MethodPost, call(2, "echo", `{"text":"x"}`), "", "MCP-Protocol-Version", mcp.Version20250618))
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())

	assert.Panics(t, func() { echoServer([]string{"2099-01-01"}) })
}
