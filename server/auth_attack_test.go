package server_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/minimcp/minimcp/server"
)

// TestAuthOneTokenOneWay (attack: two Authorization fields, or a token in the query string
// beside or instead of the header): RFC 6750 §2 "Clients MUST NOT use more than one method to
// transmit the token in each request" and MCP 2025-11-25, Basic § Authorization, Token
// Requirements: "Access tokens MUST NOT be included in the URI query string". Such a request
// is malformed, 400 with error="invalid_request" (RFC 6750 §3.1), whatever its tokens: a
// proxy in front that reads the other field, or the query, must not see another caller than
// the one verified here.
func TestAuthOneTokenOneWay(t *testing.T) {
	tt := &tokenTable{}
	h := server.New(scopedTestServer(), authOpts(tt, nil))
	defer shutdown(t, h)

	two := req(http.MethodPost, initBody, "", bearer("tok-alice-mcp")...)
	two.Header.Add("Authorization", "Bearer tok-mallory-mcp")
	inQuery := req(http.MethodPost, initBody, "", bearer("tok-alice-mcp")...)
	inQuery.URL.RawQuery = "access_token=tok-mallory-mcp"
	onlyQuery := req(http.MethodPost, initBody, "")
	onlyQuery.URL.RawQuery = "x=1&access_token=tok-alice-mcp"
	for name, r := range map[string]*http.Request{"two fields": two, "header and query": inQuery, "query only": onlyQuery} {
		w := do(h, r)
		assert.Equal(t, http.StatusBadRequest, w.Code, name)
		assert.Contains(t, w.Header().Get("WWW-Authenticate"), `error="invalid_request"`, name)
	}
	assert.Empty(t, tt.resources, "no token of such a request reaches the verifier")

	// One field, any case of the scheme, extra spaces: one token, accepted.
	for _, v := range []string{"bearer tok-alice-mcp", "BEARER   tok-alice-mcp ", "Bearer tok-alice-mcp"} {
		w := do(h, req(http.MethodPost, initBody, "", "Authorization", v))
		assert.Equal(t, http.StatusOK, w.Code, v)
	}
}
