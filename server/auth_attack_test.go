package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
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

// TestModernNameInAnotherCase (attack: a 2026-07-28 request whose Mcp-Name header names one
// prompt or resource while its body names another in a member spelt in another case, "URI",
// which the params decoders match case-insensitively): a gateway that routes or authorizes by
// the header must not see another prompt or resource than the one served. Such a member is
// refused (-32602) before the header is compared, as a repeated one is: the readers of the
// request would disagree on what it names (MCP 2026-07-28, Transports § Streamable HTTP,
// Server Validation).
func TestModernNameInAnotherCase(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "p", Version: "1"}, nil)
	for _, n := range []string{"public", "secret"} {
		srv.AddPrompt(&mcp.Prompt{Name: n}, func(context.Context, *mcp.Request, map[string]string) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Description: n + " served"}, nil
		})
		srv.AddResource(&mcp.Resource{URI: "file:///" + n, Name: n}, func(_ context.Context, _ *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: n + " served"}}}, nil
		})
	}
	h := server.New(srv, nil)
	defer shutdown(t, h)
	for _, c := range []struct{ method, params, header string }{
		{"prompts/get", `"NAME":"secret"`, "public"},
		{"resources/read", `"URI":"file:///secret"`, "file:///public"},
		{"resources/read", `"Uri":"file:///secret"`, "file:///public"},
	} {
		w := do(h, modernReq(`{"jsonrpc":"2.0","id":1,"method":"`+c.method+`","params":{`+modernMeta+`,`+c.params+`}}`, c.method, c.header))
		assert.NotContains(t, w.Body.String(), "secret served", c.params)
		code, _ := errorBody(t, w.Body.Bytes())
		assert.Equal(t, int64(-32602), code, c.params)
	}
	// taskId, which Mcp-Name mirrors for the methods of the tasks extension, likewise.
	tasksMeta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}}`
	w := do(h, modernReq(`{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{`+tasksMeta+`,"TASKID":"t-secret"}}`, "tasks/get", "t-public"))
	code, msg := errorBody(t, w.Body.Bytes())
	assert.Equal(t, int64(-32602), code)
	assert.Contains(t, msg, `"taskId" is spelt "TASKID"`)
}

// TestAuthSessionOfAnotherSubject (attack: a session made with the token of one subject used
// with the token of another, even one holding every scope): the session is the principal's
// who made it, and to anyone else it does not exist (404), on POST, GET and DELETE alike.
func TestAuthSessionOfAnotherSubject(t *testing.T) {
	h := server.New(scopedTestServer(), authOpts(&tokenTable{}, nil))
	defer shutdown(t, h)
	w := do(h, req(http.MethodPost, initBody, "", bearer("tok-alice-files:read")...))
	require.Equal(t, http.StatusOK, w.Code)
	sid := w.Header().Get("Mcp-Session-Id")
	require.NotEmpty(t, sid)
	mallory := bearer("tok-mallory-files:read+files:write")
	for _, r := range []*http.Request{
		req(http.MethodPost, call(2, "write", `{}`), sid, mallory...),
		req(http.MethodGet, "", sid, mallory...),
		req(http.MethodDelete, "", sid, mallory...),
	} {
		assert.Equal(t, http.StatusNotFound, do(h, r).Code, r.Method)
	}
	w = do(h, req(http.MethodPost, `{"jsonrpc":"2.0","id":3,"method":"tools/list"}`, sid, bearer("tok-alice")...))
	assert.Equal(t, http.StatusOK, w.Code, "the session lives on for its principal")
}
