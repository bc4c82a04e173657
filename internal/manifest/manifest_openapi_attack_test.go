package manifest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
	"github.com/minimcp/minimcp/mcp"
)

// TestOpenAPITokenEndpointNeverAnswers (attack: an OAuth2 token endpoint that accepts the
// connection and never answers): getting the token is part of the call, bounded by the
// tool's timeout like the upstream's answer, so the call ends as a tool error instead of
// waiting as long as its client does, holding the token lock every other call waits on.
func TestOpenAPITokenEndpointNeverAnswers(t *testing.T) {
	spec := writeSpec(t, "shop.yaml", shopSpec, "http://upstream.test")
	t.Setenv("SHOP_SECRET", "s3cret")
	synctest.Test(t, func(t *testing.T) {
		m, err := parseManifest("m.json", []byte(`{"openapi": [{"spec": "`+spec+`", "timeout": "5s", "auth": {"cc": {"clientId": "id", "clientSecret": "${SHOP_SECRET}"}}}]}`), nil)
		require.NoError(t, err)
		defer m.Close()
		// Every connection reaches a peer that reads the request and never writes.
		m.transport.DialContext = func(context.Context, string, string) (net.Conn, error) {
			c, s := net.Pipe()
			go func() { _, _ = io.Copy(io.Discard, s); s.Close() }()
			return c, nil
		}
		srv := mcp.NewServer(&m.Impl, nil)
		m.Register(srv, slog.New(slog.DiscardHandler))
		start := time.Now()
		res := mcptest.Tool(t, srv, "viaOAuth", `{}`)
		assert.True(t, res.IsError)
		assert.Equal(t, 5*time.Second, time.Since(start), "the tool's timeout")
		assert.Equal(t, []string{"getting a token for cc: the token endpoint did not answer within 5s"}, mcptest.Texts(res))
		assert.NotContains(t, strings.Join(mcptest.Texts(res), " "), "s3cret")
		m.transport.CloseIdleConnections()
	})
}

// TestOpenAPIDryRunHidesTokenURLSecrets (attack: secrets in dry-run output): a tokenUrl or a
// base URL from the environment may carry credentials in its user info or query; a dry run
// shows neither.
func TestOpenAPIDryRunHidesTokenURLSecrets(t *testing.T) {
	spec := writeSpec(t, "shop.yaml", shopSpec, "http://upstream.test")
	t.Setenv("SHOP_SECRET", "s3cret")
	srv := manifestServer(t, `{"openapi": [{"spec": "`+spec+`", "dryRun": true, "auth": {"cc": {"clientId": "id", "clientSecret": "${SHOP_SECRET}",
		"tokenUrl": "https://u:${SHOP_SECRET}@auth.test/token?tenant=${SHOP_SECRET}"}}}]}`)
	res := mcptest.Tool(t, srv, "viaOAuth", `{}`)
	require.False(t, res.IsError)
	text := strings.Join(mcptest.Texts(res), "\n")
	assert.NotContains(t, text, "s3cret")
	assert.Contains(t, text, "Authorization: Bearer (a token from https://auth.test/token)")

	// The base URL's user info too.
	srv = manifestServer(t, `{"openapi": [{"spec": "`+spec+`", "dryRun": true, "baseUrl": "https://u:${SHOP_SECRET}@api.example/v1"}]}`)
	res = mcptest.Tool(t, srv, "open", `{}`)
	assert.Equal(t, []string{"DELETE https://api.example/v1/open\n(dry run: nothing was sent)"}, mcptest.Texts(res))
}

// TestOpenAPIDescriptionPointsAway (attack: a description whose servers URL is a file:// or
// whose $ref names another document, a remote URL): neither is followed; the description is
// refused with a problem naming it, and nothing is fetched.
func TestOpenAPIDescriptionPointsAway(t *testing.T) {
	for name, c := range map[string]struct{ doc, want string }{
		"file server": {`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"servers":[{"url":"file:///etc/passwd"}],"paths":{"/a":{"get":{"responses":{}}}}}`,
			`the server URL "file:///etc/passwd" must be an absolute http or https URL`},
		"remote $ref": {`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"servers":[{"url":"http://upstream.test"}],"paths":{"/a":{"get":{"parameters":[{"$ref":"http://evil.test/p.json#/x"}],"responses":{}}}}}`,
			`"http://evil.test/p.json#/x" points outside the document`},
		"file $ref": {`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"servers":[{"url":"http://upstream.test"}],"paths":{"/a":{"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"file:///etc/passwd"}}}},"responses":{}}}}}`,
			`"file:///etc/passwd" points outside the document`},
	} {
		spec := writeSpec(t, "d.json", c.doc, "")
		_, err := parseManifest("m.json", []byte(`{"openapi": [{"spec": "`+spec+`"}]}`), nil)
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.want, name)
		}
	}
}

// TestOpenAPIRedirectKeepsCredentials (attack: an upstream that redirects an authenticated
// call to another host, on the token endpoint too): the redirect is not followed, and the other
// host sees neither the bearer token nor the client secret.
func TestOpenAPIRedirectKeepsCredentials(t *testing.T) {
	elsewhere := newRecorder(t, nil)
	up := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	spec := writeSpec(t, "shop.yaml", shopSpec, up.URL)
	t.Setenv("SHOP_SECRET", "s3cret")
	srv := manifestServer(t, `{"openapi": [{"spec": "`+spec+`", "auth": {"bearer": {"token": "${SHOP_SECRET}"}, "cc": {"clientId": "id", "clientSecret": "${SHOP_SECRET}"}}}]}`)
	for _, tool := range []string{"viaBearer", "viaOAuth"} {
		res := mcptest.Tool(t, srv, tool, `{}`)
		assert.True(t, res.IsError, tool)
		assert.NotContains(t, strings.Join(mcptest.Texts(res), " "), "s3cret", tool)
	}
	assert.Empty(t, elsewhere.requests())
}
