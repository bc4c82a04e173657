package jwtauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

const metadataURL = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

// protectedHandler serves a tool that needs files:write, behind the verifier of the JWKS at
// jwksURL.
func protectedHandler(t *testing.T, jwksURL string) *server.Handler {
	t.Helper()
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	srv.AddRawTool(&mcp.Tool{Name: "write", Scopes: []string{"files:write"}},
		func(_ context.Context, r *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.TextResult("written for " + r.Auth().Principal), nil
		})
	h := server.New(srv, &server.Options{Auth: &server.AuthOptions{
		Verifier:             newVerifier(t, jwksURL, nil),
		Resource:             audience,
		AuthorizationServers: []string{issuer},
		ScopesSupported:      []string{"files:read"},
	}})
	t.Cleanup(func() { _ = h.Shutdown(context.Background()) })
	return h
}

// post sends body to h with the headers of an era's client and the token.
func post(h http.Handler, body, token string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// eraCall returns a function that sends a tools/call of "write" with a token the way a client
// of the era does: in a 2025-11-25 session (opened with a good token), or per request at
// 2026-07-28.
func eraCall(t *testing.T, era string, h http.Handler, goodToken string) func(token string) *httptest.ResponseRecorder {
	if era == mcp.Version20260728 {
		body := `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"c","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}},"name":"write","arguments":{}}}`
		return func(token string) *httptest.ResponseRecorder {
			return post(h, body, token, "MCP-Protocol-Version", era, "Mcp-Method", "tools/call", "Mcp-Name", "write")
		}
	}
	w := post(h, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`, goodToken)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	sid := w.Header().Get("Mcp-Session-Id")
	w = post(h, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, goodToken, "Mcp-Session-Id", sid, "MCP-Protocol-Version", era)
	require.Equal(t, http.StatusAccepted, w.Code)
	return func(token string) *httptest.ResponseRecorder {
		return post(h, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"write","arguments":{}}}`, token,
			"Mcp-Session-Id", sid, "MCP-Protocol-Version", era)
	}
}

// TestProtectedServer proves the statuses and challenges of the resource server with real
// signed tokens, in both eras: a good token with the scope gets the tool's result (200); every
// bad token gets 401 with error="invalid_token" and the metadata URL; a good token without the
// tool's scope gets 403 insufficient_scope naming it.
func TestProtectedServer(t *testing.T) {
	keys := newKeys(t)
	js := newJWKSServer(t, jwksOf(keys...))
	now := time.Now()
	for _, era := range []string{mcp.Version20251125, mcp.Version20260728} {
		t.Run(era, func(t *testing.T) {
			h := protectedHandler(t, js.URL)
			call := eraCall(t, era, h, sign(t, keys[0], claims(now, "files:read")))
			for _, k := range keys {
				w := call(sign(t, k, claims(now, "files:read files:write")))
				require.Equal(t, http.StatusOK, w.Code, "%s: %s", k.alg, w.Body.String())
				assert.Contains(t, w.Body.String(), "written for user-42", k.alg)
			}

			w := call(sign(t, keys[1], claims(now, "files:read")))
			assert.Equal(t, http.StatusForbidden, w.Code, w.Body.String())
			assert.Equal(t, `Bearer error="insufficient_scope", scope="files:write", resource_metadata="`+metadataURL+
				`", error_description="this operation needs the scope files:write"`, w.Header().Get("WWW-Authenticate"))

			w = call("")
			assert.Equal(t, http.StatusUnauthorized, w.Code)
			assert.Equal(t, `Bearer scope="files:read", resource_metadata="`+metadataURL+`"`, w.Header().Get("WWW-Authenticate"))

			for name, tok := range badTokens(t, keys, now) {
				w := call(tok)
				assert.Equal(t, http.StatusUnauthorized, w.Code, name)
				hd := w.Header().Get("WWW-Authenticate")
				assert.True(t, strings.HasPrefix(hd, `Bearer error="invalid_token", scope="files:read", resource_metadata="`+metadataURL+`", error_description="`), "%s: %s", name, hd)
			}
		})
	}
}

// TestProtectedMetadata: the metadata document a client discovers names the resource tokens
// must be issued for, the issuer, the scopes and the header as the only way to send tokens.
func TestProtectedMetadata(t *testing.T) {
	js := newJWKSServer(t, jwksOf(newKeys(t)...))
	h := protectedHandler(t, js.URL)
	ts := httptest.NewServer(h)
	defer ts.Close()
	for _, p := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"} {
		resp, err := ts.Client().Get(ts.URL + p)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, map[string]any{"resource": audience, "authorization_servers": []any{issuer},
			"scopes_supported": []any{"files:read"}, "bearer_methods_supported": []any{"header"}}, doc, fmt.Sprint(p))
	}
	ts.Client().CloseIdleConnections()
}
