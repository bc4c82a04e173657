package openapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	json "github.com/goccy/go-json"
)

/*
Design note: OAuth2 client credentials.

An operation whose security names an oauth2 scheme is called with a bearer token that the
bridge gets itself, with the client credentials grant (RFC 6749 § 4.4): the client's id and
secret, from the environment, are sent to the token endpoint, and the access token that comes
back is reused by every call until shortly before it expires (a tenth of its lifetime, at most
a minute, before), then fetched again. One fetch at a time: a call that needs a token while
another call fetches one waits for it (or for its own context) rather than send a second
request. A token the upstream refuses (401) is dropped so that the next call fetches a new one.

The secret and the tokens are never part of an error or a log line: a failed fetch says the
endpoint's status and the OAuth error code and description it sent, nothing else.
*/

// maxTokenResponse bounds the token endpoint's answer.
const maxTokenResponse = 64 << 10

// DefaultRefreshMargin is how long before its expiry a token is replaced, at most.
const DefaultRefreshMargin = time.Minute

// ClientCredentials gets, caches and refreshes an access token with OAuth 2.0's client
// credentials grant. Set the fields before the first Token call and do not change them
// after; Token and Invalidate are safe for concurrent use.
type ClientCredentials struct {
	// TokenURL is the token endpoint; required.
	TokenURL string
	// ClientID and ClientSecret authenticate the client (HTTP Basic, RFC 6749 § 2.3.1).
	ClientID, ClientSecret string
	// Scopes are requested with each token; none when empty.
	Scopes []string
	// Client sends the token requests. If nil, http.DefaultClient.
	Client *http.Client
	// RefreshMargin is how long before its expiry a token is replaced, at most (a token is
	// replaced after nine tenths of its lifetime when that comes first). If zero,
	// DefaultRefreshMargin.
	RefreshMargin time.Duration

	// lock is a one-slot semaphore held while the token is read or fetched, so that a
	// waiting call can give up when its context ends; made on first use (lockOnce), so
	// that a ClientCredentials literal is ready as it is.
	lock     chan struct{}
	lockOnce sync.Once
	token    string    // guarded by lock
	expiry   time.Time // guarded by lock; zero when the endpoint gave no expires_in
}

var errTokenEndpoint = errors.New("openapi: token endpoint")

func (c *ClientCredentials) acquire(ctx context.Context) error {
	c.lockOnce.Do(func() { c.lock = make(chan struct{}, 1) })
	select {
	case c.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Token returns a valid access token, fetching one when there is none or it is about to
// expire. Its errors name the token endpoint's status and OAuth error, never a secret.
func (c *ClientCredentials) Token(ctx context.Context) (string, error) {
	if err := c.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-c.lock }()
	now := time.Now()
	if c.token != "" && (c.expiry.IsZero() || now.Before(c.expiry)) {
		return c.token, nil
	}
	tok, lifetime, err := c.fetch(ctx)
	if err != nil {
		return "", err
	}
	c.token, c.expiry = tok, time.Time{}
	if lifetime > 0 {
		margin := c.RefreshMargin
		if margin <= 0 {
			margin = DefaultRefreshMargin
		}
		margin = min(margin, lifetime/10)
		c.expiry = time.Now().Add(lifetime - margin)
	}
	return tok, nil
}

// Invalidate drops the cached token (the upstream refused it), so that the next Token
// fetches another.
func (c *ClientCredentials) Invalidate(ctx context.Context) {
	if c.acquire(ctx) != nil {
		return
	}
	c.token = ""
	<-c.lock
}

// fetch asks the token endpoint for a token (RFC 6749 § 4.4.2, § 5.1).
func (c *ClientCredentials) fetch(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(c.Scopes) > 0 {
		form.Set("scope", strings.Join(c.Scopes, " "))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("%w: %v", errTokenEndpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// RFC 6749 § 2.3.1: the id and the secret are form-encoded before Basic's base64.
	req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.ClientSecret))
	client := c.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", 0, fmt.Errorf("%w did not answer: %v", errTokenEndpoint, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return "", 0, fmt.Errorf("%w: reading the answer: %v", errTokenEndpoint, err)
	}
	var body struct {
		AccessToken string          `json:"access_token"`
		TokenType   string          `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
		Error       string          `json:"error"`
		Description string          `json:"error_description"`
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	jsonErr := json.Unmarshal(data, &body)
	if resp.StatusCode != http.StatusOK {
		if jsonErr == nil && body.Error != "" {
			return "", 0, fmt.Errorf("%w refused the client credentials (%s): %s", errTokenEndpoint, resp.Status, strings.TrimSpace(body.Error+" "+body.Description))
		}
		return "", 0, fmt.Errorf("%w answered %s", errTokenEndpoint, resp.Status)
	}
	if jsonErr != nil || body.AccessToken == "" {
		return "", 0, fmt.Errorf("%w answered %s without an access_token (%s)", errTokenEndpoint, resp.Status, mt)
	}
	if body.TokenType != "" && !strings.EqualFold(body.TokenType, "bearer") {
		return "", 0, fmt.Errorf("%w gave a token of type %q; only bearer tokens are supported", errTokenEndpoint, body.TokenType)
	}
	var secs float64
	if len(body.ExpiresIn) > 0 {
		s := strings.Trim(string(body.ExpiresIn), `"`) // some endpoints send it as a string
		if _, err := fmt.Sscan(s, &secs); err != nil {
			secs = 0
		}
	}
	return body.AccessToken, time.Duration(secs * float64(time.Second)), nil
}
