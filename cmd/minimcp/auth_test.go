package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

func TestServeAuthFlags(t *testing.T) {
	jwtArgs := []string{"--auth-issuer", "https://auth.example.com", "--auth-audience", "https://mcp.example.com/mcp", "--auth-jwks", "https://auth.example.com/jwks"}
	tests := []struct {
		args []string
		want string // in stderr; exit 2
	}{
		{[]string{"--auth-issuer", "https://auth.example.com"}, "minimcp serve: --auth-issuer, --auth-audience and --auth-jwks go together: JWT verification needs all three"},
		{[]string{"--auth-issuer", "i", "--auth-audience", "https://a/mcp", "--auth-jwks", "ftp://x/jwks"}, `minimcp serve: --auth-jwks: the key set URL must be an absolute http or https URL, got "ftp://x/jwks"`},
		{append([]string{"--auth-leeway", "-1s"}, jwtArgs...), "minimcp serve: --auth-leeway: must not be negative, got -1s"},
		{append([]string{"--auth-jwks-refresh-interval", "0s"}, jwtArgs...), "minimcp serve: --auth-jwks-refresh-interval: must be positive, got 0s"},
		{[]string{"--auth-issuer", "https://auth.example.com", "--auth-audience", "api://mcp", "--auth-jwks", "https://auth.example.com/jwks"},
			"minimcp serve: --auth-resource is needed: the protected resource metadata names this server's canonical URL, and --auth-audience is not one"},
		{append([]string{"--auth-resource", "mcp.example.com"}, jwtArgs...), `minimcp serve: --auth-resource: want an absolute http(s) URL without a fragment, got "mcp.example.com"`},
		{[]string{"--auth-server", "https://auth.example.com", "--auth-resource", "https://mcp.example.com/mcp"}, "minimcp serve: --auth-server needs --auth-token or --auth-issuer"},
		{[]string{"--auth-token", "t0k3n", "--auth-server", "https://auth.example.com"}, "minimcp serve: --auth-resource is needed"},
		{[]string{"--auth-token", "t0k3n", "--auth-server", "auth.example.com", "--auth-resource", "https://mcp.example.com/mcp"}, `minimcp serve: --auth-server: want an http(s) URL, got "auth.example.com"`},
		{append([]string{"--stdio"}, jwtArgs...), "minimcp serve: --auth-token and --auth-issuer do not apply to --stdio"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stderr syncBuffer
			code := serve(t.Context(), tt.args, &serveIO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr})
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr.String(), tt.want)
		})
	}
	t.Run("environment", func(t *testing.T) {
		t.Setenv("MINIMCP_AUTH_ISSUER", "https://auth.example.com")
		t.Setenv("MINIMCP_AUTH_AUDIENCE", "https://mcp.example.com/mcp")
		t.Setenv("MINIMCP_AUTH_JWKS", "https://auth.example.com/jwks")
		t.Setenv("MINIMCP_AUTH_LEEWAY", "5s")
		cfg, code := parseServeFlags(nil, io.Discard)
		require.Equal(t, -1, code)
		assert.Equal(t, "https://auth.example.com", cfg.Auth.JWT.Issuer)
		assert.Equal(t, 5*time.Second, cfg.Auth.JWT.Leeway)
		assert.Equal(t, []string{"https://auth.example.com"}, cfg.Auth.Servers, "the issuer by default")
		assert.Equal(t, "https://mcp.example.com/mcp", cfg.Auth.Resource, "the audience by default")
	})
}

// testIssuer is an authorization server of a test: an ECDSA key and the JWKS that holds it.
type testIssuer struct {
	url string
	key crypto.Signer
}

func newTestIssuer(t *testing.T) *testIssuer {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	js := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(set) }))
	t.Cleanup(js.Close)
	return &testIssuer{url: js.URL, key: key}
}

// token returns an access token for sub with scope, expiring at exp.
func (ti *testIssuer) token(t *testing.T, sub, scope string, exp time.Time) string {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: ti.key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	require.NoError(t, err)
	tok, err := jwt.Signed(sig).Claims(map[string]any{"iss": "https://auth.example.com", "aud": "https://mcp.example.com/mcp",
		"sub": sub, "scope": scope, "exp": exp.Unix(), "iat": time.Now().Unix()}).Serialize()
	require.NoError(t, err)
	return tok
}

// TestServeJWT: serve with --auth-issuer verifies JWT access tokens against the issuer's key
// set, serves the protected resource metadata, answers 401 with a challenge pointing to it,
// and still accepts --auth-token tokens.
func TestServeJWT(t *testing.T) {
	ti := newTestIssuer(t)
	r := startServe(t, "--auth-issuer", "https://auth.example.com", "--auth-audience", "https://mcp.example.com/mcp",
		"--auth-jwks", ti.url, "--auth-scopes-supported", "mcp:tools", "--auth-token", "ops-token-0000", "--log-level", "debug")
	url := r.base + "/mcp"
	const metadata = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

	resp, err := http.Get(r.base + "/.well-known/oauth-protected-resource/mcp")
	require.NoError(t, err)
	doc, _ := io.ReadAll(resp.Body)
	closeResp(resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://auth.example.com"],
		"scopes_supported":["mcp:tools"],"bearer_methods_supported":["header"]}`, string(doc))

	init := rpc.AppendRequest(nil, rpc.Int64ID(1), mcp.MethodInitialize,
		json.RawMessage(`{"protocolVersion":"`+mcp.LatestVersion+`","capabilities":{},"clientInfo":{"name":"t","version":"1"}}`))
	for name, tc := range map[string]struct {
		token, header string
	}{
		"none":    {"", `Bearer scope="mcp:tools", resource_metadata="` + metadata + `"`},
		"expired": {ti.token(t, "u1", "mcp:tools", time.Now().Add(-time.Hour)), `Bearer error="invalid_token", scope="mcp:tools", resource_metadata="` + metadata + `", error_description="the token expired"`},
	} {
		resp := newTestMCP(t, url, tc.token).post(t.Context(), init)
		closeResp(resp)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
		assert.Equal(t, tc.header, resp.Header.Get("WWW-Authenticate"), name)
	}

	for _, tok := range []string{ti.token(t, "user-7", "mcp:tools", time.Now().Add(time.Hour)), "ops-token-0000"} {
		c := newTestMCP(t, url, tok)
		c.initialize()
		assert.Equal(t, []string{"ok"}, mcptest.Texts(c.tool(t.Context(), "echo", `{"text": "ok"}`)))
	}
	logs := r.logs.String()
	assert.Contains(t, logs, `auth="jwt (issuer https://auth.example.com) + bearer (1 tokens)"`)
	assert.Contains(t, logs, "principal=user-7")
	assert.NotContains(t, logs, "plain http beyond loopback", "a loopback key set is no risk")
}

// TestServeManifestScopes: a manifest tool that lists scopes is refused with 403
// insufficient_scope to a token without them, JWT or static, and runs for one with them.
func TestServeManifestScopes(t *testing.T) {
	ti := newTestIssuer(t)
	dir := t.TempDir()
	manifest := dir + "/m.json"
	require.NoError(t, writeTestFile(manifest, `{"tools": [{"name": "deploy", "scopes": ["deploy:write"], "inputSchema": {"type": "object"},
		"exec": {"command": ["echo", "deployed"]}}]}`))
	tokens := dir + "/tokens.txt"
	require.NoError(t, writeTestFile(tokens, "ops-token-1111 ops deploy:write\nviewer-token-2222 viewer\n"))
	r := startServe(t, "--manifest", manifest, "--auth-issuer", "https://auth.example.com", "--auth-audience", "https://mcp.example.com/mcp",
		"--auth-jwks", ti.url, "--auth-token", "@"+tokens)
	url := r.base + "/mcp"
	const challenge = `Bearer error="insufficient_scope", scope="deploy:write", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", error_description="this operation needs the scope deploy:write"`
	call := rpc.AppendRequest(nil, rpc.Int64ID(2), mcp.MethodToolsCall, json.RawMessage(`{"name":"deploy","arguments":{}}`))

	for name, tc := range map[string]struct {
		token   string
		granted bool
	}{
		"jwt without":    {ti.token(t, "u1", "mcp", time.Now().Add(time.Hour)), false},
		"jwt with":       {ti.token(t, "u2", "mcp deploy:write", time.Now().Add(time.Hour)), true},
		"static without": {"viewer-token-2222", false},
		"static with":    {"ops-token-1111", true},
	} {
		c := newTestMCP(t, url, tc.token)
		c.initialize()
		resp := c.post(t.Context(), call)
		body, _ := io.ReadAll(resp.Body)
		closeResp(resp)
		if tc.granted {
			assert.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", name, body)
			assert.Contains(t, string(body), "deployed", name)
			continue
		}
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s: %s", name, body)
		assert.Equal(t, challenge, resp.Header.Get("WWW-Authenticate"), name)
	}
}
