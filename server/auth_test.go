package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

const (
	testResource = "https://mcp.example.com/mcp"
	testMetadata = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
)

// tokenTable is a verifier for tests: "tok-<principal>-<scope>+<scope>" grants those
// scopes to principal; "down" fails as a verifier that cannot reach its keys does; anything
// else is invalid. It records the resource it was asked about.
type tokenTable struct{ resources []string }

func (tt *tokenTable) VerifyToken(_ context.Context, token, resource string, _ *http.Request) (*mcp.AuthInfo, error) {
	tt.resources = append(tt.resources, resource)
	if token == "down" {
		return nil, errors.New("jwks: connection refused")
	}
	rest, ok := strings.CutPrefix(token, "tok-")
	if !ok {
		return nil, fmt.Errorf("%w: token expired", server.ErrInvalidToken)
	}
	principal, scopes, _ := strings.Cut(rest, "-")
	info := &mcp.AuthInfo{Principal: principal, Expiry: time.Now().Add(time.Hour)}
	if scopes != "" {
		info.Scopes = strings.Split(scopes, "+")
	}
	return info, nil
}

// scopedTestServer is the test server with a tool that needs files:write and reports who
// called it with which scopes.
func scopedTestServer() *mcp.Server {
	ts := newTestServer()
	ts.Server.AddRawTool(&mcp.Tool{Name: "write", Scopes: []string{"files:read", "files:write"}},
		func(_ context.Context, r *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			a := r.Auth()
			return mcp.TextResult(a.Principal + ":" + strings.Join(a.Scopes, "+")), nil
		})
	return ts.Server
}

func authOpts(tt *tokenTable, more func(*server.Options)) *server.Options {
	o := &server.Options{Auth: &server.AuthOptions{
		Verifier:             tt,
		Resource:             testResource,
		AuthorizationServers: []string{"https://auth.example.com"},
		ScopesSupported:      []string{"mcp", "files:read"},
	}}
	if more != nil {
		more(o)
	}
	return o
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// TestAuth401: a request without a token gets 401 and a challenge naming the metadata and the
// scopes to ask for; an invalid token adds error="invalid_token" (RFC 6750 §3.1); a verifier
// that cannot decide gets 503. The verifier is told the configured resource, never the Host.
func TestAuth401(t *testing.T) {
	tt := &tokenTable{}
	h := server.New(scopedTestServer(), authOpts(tt, nil))
	defer shutdown(t, h)

	w := do(h, req(http.MethodPost, initBody, ""))
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, `Bearer scope="mcp files:read", resource_metadata="`+testMetadata+`"`, w.Header().Get("WWW-Authenticate"))
	code, msg := errorBody(t, w.Body.Bytes())
	assert.Equal(t, server.CodeServerError, code)
	assert.Contains(t, msg, "Unauthorized")

	w = do(h, req(http.MethodPost, initBody, "", "Authorization", "Basic dXNlcjpwdw=="))
	assert.Equal(t, http.StatusUnauthorized, w.Code, "not a bearer token")

	w = do(h, req(http.MethodPost, initBody, "", append(bearer("forged"), "Host", "evil.example")...))
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, `Bearer error="invalid_token", scope="mcp files:read", resource_metadata="`+testMetadata+`", error_description="token expired"`,
		w.Header().Get("WWW-Authenticate"))
	assert.Equal(t, []string{testResource}, tt.resources, "the audience is the configured resource, whatever the Host")

	w = do(h, req(http.MethodPost, initBody, "", bearer("down")...))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.NotEmpty(t, w.Header().Get("Retry-After"))
	assert.Empty(t, w.Header().Get("WWW-Authenticate"), "a token not verified is not refused")

	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		w = do(h, req(m, "", "some-session"))
		assert.Equal(t, http.StatusUnauthorized, w.Code, m)
	}

	w = do(h, req(http.MethodPost, initBody, "", bearer("tok-alice-mcp")...))
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
}

// TestAuthMetadata: the protected resource metadata (RFC 9728 §2) is served without a token
// at the well-known path followed by the endpoint's path, and at the root.
func TestAuthMetadata(t *testing.T) {
	h := server.New(scopedTestServer(), authOpts(&tokenTable{}, nil))
	defer shutdown(t, h)
	for _, path := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"} {
		r := req(http.MethodGet, "", "")
		r.URL.Path = path
		w := do(h, r)
		require.Equal(t, http.StatusOK, w.Code, path)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
		assert.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"))
		assert.JSONEq(t, `{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://auth.example.com"],
			"scopes_supported":["mcp","files:read"],"bearer_methods_supported":["header"]}`, w.Body.String(), path)
	}

	// Without authorization servers there is no document, and challenges do not point to one.
	o := authOpts(&tokenTable{}, func(o *server.Options) { o.Auth.AuthorizationServers = nil; o.Auth.ScopesSupported = nil })
	h2 := server.New(scopedTestServer(), o)
	defer shutdown(t, h2)
	r := req(http.MethodGet, "", "")
	r.URL.Path = "/.well-known/oauth-protected-resource"
	assert.Equal(t, http.StatusNotFound, do(h2, r).Code)
	w := do(h2, req(http.MethodPost, initBody, ""))
	assert.Equal(t, "Bearer", w.Header().Get("WWW-Authenticate"))
}

// TestAuthScopes403: a tools/call whose tool needs scopes the token lacks gets 403 with
// error="insufficient_scope" and every scope the call needs, before the tool runs; with the
// scopes it runs and sees the AuthInfo. In a 2025-11-25 session and per request at 2026-07-28.
func TestAuthScopes403(t *testing.T) {
	const challenge = `Bearer error="insufficient_scope", scope="files:read files:write", resource_metadata="` + testMetadata +
		`", error_description="this operation needs the scope files:write"`
	t.Run("2025-11-25", func(t *testing.T) {
		h := server.New(scopedTestServer(), authOpts(&tokenTable{}, nil))
		defer shutdown(t, h)
		w := do(h, req(http.MethodPost, initBody, "", bearer("tok-alice-files:read")...))
		require.Equal(t, http.StatusOK, w.Code)
		sid := w.Header().Get("Mcp-Session-Id")
		w = do(h, req(http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, sid, bearer("tok-alice-files:read")...))
		require.Equal(t, http.StatusAccepted, w.Code)

		w = do(h, req(http.MethodPost, call(2, "write", `{}`), sid, bearer("tok-alice-files:read")...))
		assert.Equal(t, http.StatusForbidden, w.Code, w.Body.String())
		assert.Equal(t, challenge, w.Header().Get("WWW-Authenticate"))
		code, _ := errorBody(t, w.Body.Bytes())
		assert.Equal(t, mcp.CodeInsufficientScope, code)

		// Step-up: a new token of the same principal keeps the session.
		w = do(h, req(http.MethodPost, call(3, "write", `{}`), sid, bearer("tok-alice-files:read+files:write")...))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Contains(t, w.Body.String(), `alice:files:read+files:write`)

		// Tools that need no scope, and tools/list, stay open.
		w = do(h, req(http.MethodPost, `{"jsonrpc":"2.0","id":4,"method":"tools/list"}`, sid, bearer("tok-alice")...))
		require.Equal(t, http.StatusOK, w.Code)
		assert.Contains(t, w.Body.String(), `"name":"write"`)
	})
	t.Run("2026-07-28", func(t *testing.T) {
		for _, m := range modes {
			t.Run(m.name, func(t *testing.T) {
				h := server.New(scopedTestServer(), authOpts(&tokenTable{}, func(o *server.Options) { o.Stateless = m.opts.Stateless }))
				defer shutdown(t, h)
				body := modernCall(1, "write", `{}`, "")
				w := do(h, modernReq(body, "tools/call", "write", bearer("tok-bob-files:read")...))
				assert.Equal(t, http.StatusForbidden, w.Code, w.Body.String())
				assert.Equal(t, challenge, w.Header().Get("WWW-Authenticate"))

				w = do(h, modernReq(body, "tools/call", "write", bearer("tok-bob-files:write+files:read")...))
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				assert.Contains(t, w.Body.String(), `bob:files:write+files:read`)

				w = do(h, modernReq(body, "tools/call", "write"))
				assert.Equal(t, http.StatusUnauthorized, w.Code)
			})
		}
	})
}

// TestAuthEndpointScopes: AuthOptions.Scopes are needed by every request; they are the scope
// of 401 challenges and part of every 403's.
func TestAuthEndpointScopes(t *testing.T) {
	h := server.New(scopedTestServer(), authOpts(&tokenTable{}, func(o *server.Options) { o.Auth.Scopes = []string{"mcp"} }))
	defer shutdown(t, h)
	w := do(h, req(http.MethodPost, initBody, ""))
	assert.Equal(t, `Bearer scope="mcp", resource_metadata="`+testMetadata+`"`, w.Header().Get("WWW-Authenticate"))
	w = do(h, req(http.MethodPost, initBody, "", bearer("tok-carol-files:read")...))
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, `Bearer error="insufficient_scope", scope="mcp", resource_metadata="`+testMetadata+`", error_description="this operation needs the scope mcp"`,
		w.Header().Get("WWW-Authenticate"))

	body := modernCall(1, "write", `{}`, "")
	w = do(h, modernReq(body, "tools/call", "write", bearer("tok-carol-mcp")...))
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, `Bearer error="insufficient_scope", scope="mcp files:read files:write", resource_metadata="`+testMetadata+
		`", error_description="this operation needs the scopes files:read files:write"`, w.Header().Get("WWW-Authenticate"))
}

func TestAuthOptionsPanics(t *testing.T) {
	srv := newTestServer().Server
	for name, o := range map[string]*server.Options{
		"no verifier":          {Auth: &server.AuthOptions{}},
		"servers, no resource": {Auth: &server.AuthOptions{Verifier: &tokenTable{}, AuthorizationServers: []string{"https://a"}}},
		"relative resource":    {Auth: &server.AuthOptions{Verifier: &tokenTable{}, Resource: "mcp.example.com"}},
		"fragment":             {Auth: &server.AuthOptions{Verifier: &tokenTable{}, Resource: "https://mcp.example.com#x"}},
		"both":                 {Auth: &server.AuthOptions{Verifier: &tokenTable{}}, Authenticate: principalAuth},
	} {
		assert.Panics(t, func() { server.New(srv, o) }, name)
	}
}

// TestStdioScopes: over stdio, StdioOptions.Auth stands for the credentials of the whole
// stream; a tool whose scope it lacks answers -32003 in both eras, one whose scopes it holds
// runs and sees it.
func TestStdioScopes(t *testing.T) {
	lines := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		call(2, "write", `{}`),
		modernCall(3, "write", `{}`, ""),
	}
	for name, c := range map[string]struct {
		scopes []string
		want   string
	}{
		"lacking": {[]string{"files:read"}, `"code":-32003`},
		"granted": {[]string{"files:read", "files:write"}, `dan:files:read+files:write`},
	} {
		var out strings.Builder
		auth := &mcp.AuthInfo{Principal: "dan", Scopes: c.scopes}
		require.NoError(t, server.ServeStdio(t.Context(), scopedTestServer(), strings.NewReader(strings.Join(lines, "\n")+"\n"), &out,
			&server.StdioOptions{Auth: auth}))
		assert.Len(t, strings.Split(strings.TrimSpace(out.String()), "\n"), 3, name)
		assert.Equal(t, 2, strings.Count(out.String(), c.want), "%s: %s", name, out.String())
	}
}
