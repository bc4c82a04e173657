package openapi_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/openapi"
)

// tokenEndpoint is a fake token endpoint: each request gets the next token.
type tokenEndpoint struct {
	mu       sync.Mutex
	requests []*http.Request
	forms    []url.Values
	answer   func(n int) (int, string)
}

func (e *tokenEndpoint) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	form, _ := url.ParseQuery(string(body))
	e.mu.Lock()
	e.requests = append(e.requests, req)
	e.forms = append(e.forms, form)
	n := len(e.requests)
	e.mu.Unlock()
	status, text := e.answer(n)
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(text)), Request: req}, nil
}

func (e *tokenEndpoint) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.requests)
}

// TestClientCredentials: the token is fetched once with the client's credentials and the
// scopes, reused, refreshed a minute before it expires, and fetched again after Invalidate.
func TestClientCredentials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ep := &tokenEndpoint{answer: func(n int) (int, string) {
			return 200, `{"access_token":"tok` + string(rune('0'+n)) + `","token_type":"Bearer","expires_in":3600}`
		}}
		cc := &openapi.ClientCredentials{TokenURL: "https://auth.example/token", ClientID: "id:1", ClientSecret: "s&cret",
			Scopes: []string{"read", "write"}, Client: &http.Client{Transport: ep}}
		ctx := context.Background()
		tok, err := cc.Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, "tok1", tok)
		user, pass, ok := ep.requests[0].BasicAuth()
		require.True(t, ok)
		assert.Equal(t, []string{"id%3A1", "s%26cret"}, []string{user, pass}) // RFC 6749 § 2.3.1: form-encoded first
		assert.Equal(t, url.Values{"grant_type": {"client_credentials"}, "scope": {"read write"}}, ep.forms[0])

		time.Sleep(58 * time.Minute)
		tok, _ = cc.Token(ctx)
		assert.Equal(t, "tok1", tok, "still valid")
		time.Sleep(time.Minute + time.Second)
		tok, _ = cc.Token(ctx)
		assert.Equal(t, "tok2", tok, "refreshed a minute before expiry")
		cc.Invalidate(ctx)
		tok, _ = cc.Token(ctx)
		assert.Equal(t, "tok3", tok)
		assert.Equal(t, 3, ep.count())
	})
}

// TestClientCredentialsConcurrent: calls that need a token at once share one fetch.
func TestClientCredentialsConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ep := &tokenEndpoint{answer: func(int) (int, string) { return 200, `{"access_token":"t","expires_in":"60"}` }}
		cc := &openapi.ClientCredentials{TokenURL: "https://auth.example/token", Client: &http.Client{Transport: ep}}
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				tok, err := cc.Token(context.Background())
				assert.NoError(t, err)
				assert.Equal(t, "t", tok)
			})
		}
		wg.Wait()
		assert.Equal(t, 1, ep.count())
	})
}

// TestClientCredentialsErrors: a refusal says the endpoint's status and OAuth error, never the
// secret.
func TestClientCredentialsErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   string
	}{
		{401, `{"error":"invalid_client","error_description":"bad secret"}`, "openapi: token endpoint refused the client credentials (Unauthorized): invalid_client bad secret"},
		{500, `oops`, "openapi: token endpoint answered Internal Server Error"},
		{200, `{"token":"x"}`, "openapi: token endpoint answered OK without an access_token (application/json)"},
		{200, `{"access_token":"x","token_type":"mac"}`, `openapi: token endpoint gave a token of type "mac"; only bearer tokens are supported`},
	} {
		ep := &tokenEndpoint{answer: func(int) (int, string) { return tc.status, tc.body }}
		cc := &openapi.ClientCredentials{TokenURL: "https://auth.example/token", ClientID: "id", ClientSecret: "hunter2", Client: &http.Client{Transport: ep}}
		_, err := cc.Token(context.Background())
		require.EqualError(t, err, tc.want)
		assert.NotContains(t, err.Error(), "hunter2")
	}
}
