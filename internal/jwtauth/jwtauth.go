// Package jwtauth verifies JWT access tokens (RFC 9068) against a JSON Web Key Set fetched
// over HTTP, for the minimcp binary's --auth-issuer, --auth-audience and --auth-jwks. A
// [Verifier] is a server.TokenVerifier.
//
// It is the one package that imports github.com/go-jose/go-jose/v4, and only cmd/minimcp
// imports it: the core packages (rpc, sse, mcp, server) never reach a JOSE library
// (deps_test.go says so).
//
// # What is refused
//
// A token is refused (an error wrapping server.ErrInvalidToken, which answers 401) when it is
// not a JWS compact serialization signed with RS256, ES256 or EdDSA ("alg": "none" and the
// HMAC algorithms never verify: a public key would otherwise serve as an HMAC secret), when no
// key of the set verifies it, when its iss is not the issuer or its aud does not name the
// audience (RFC 8707 §2; RFC 9068 §4), when it has no exp or sub, when it is expired or not
// yet valid beyond the leeway, or when it is larger than Options.MaxTokenBytes.
package jwtauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

/*
Design note: the key set cache.

The key set is fetched when a token first needs it, in the goroutine of that request (there is
no background refresher to own and stop); requests that need it meanwhile wait for that one
fetch, or for their own context. The fetch runs under its own timeout (FetchTimeout), not the
request's context: a client that hangs up must not fail the fetch for the others waiting.

A token whose kid is not in the set may be signed with a key the authorization server has just
rotated in, so it triggers a fetch: but at most one per MinRefreshInterval, counted from the
last attempt whatever its outcome. Tokens with made-up kids therefore cost at most one fetch a
minute (by default), however many an attacker sends; between fetches they are refused at once
as signed by an unknown key. The set is also fetched again once it is older than CacheTTL,
again no more than once per MinRefreshInterval.

A fetch that fails leaves the set it had, if any: the server keeps verifying with the keys it
knew. Only when it has never obtained a set does a token get the verifier's error (503 from
the server: the token may be good, the client should not re-authorize for it). The document is
bounded (MaxJWKSBytes, MaxKeys) so that a hostile or broken endpoint cannot make the verifier
hold or parse without limit; keys it cannot use (symmetric, encryption, unknown types) are
skipped, not fatal.
*/

// Defaults for [Options] fields left zero.
const (
	// DefaultLeeway is the clock skew allowed on exp, nbf and iat.
	DefaultLeeway = 60 * time.Second
	// DefaultMinRefreshInterval is the least time between two fetches of the key set.
	DefaultMinRefreshInterval = 30 * time.Second
	// DefaultCacheTTL is how long a fetched key set is used before it is fetched again.
	DefaultCacheTTL = time.Hour
	// DefaultFetchTimeout bounds one fetch of the key set.
	DefaultFetchTimeout = 10 * time.Second
	// DefaultMaxJWKSBytes bounds the key set document.
	DefaultMaxJWKSBytes = 1 << 20
	// DefaultMaxKeys bounds the keys kept from one document.
	DefaultMaxKeys = 100
	// DefaultMaxTokenBytes is the longest token looked at: access tokens are a few hundred
	// bytes to a few KiB.
	DefaultMaxTokenBytes = 16 << 10
)

// Algorithms are the signature algorithms accepted, in the alg header of tokens.
var Algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// ErrKeySet is returned (wrapped) when the key set cannot be obtained and none is held.
var ErrKeySet = errors.New("jwtauth: no key set")

// Options configures a [Verifier]. Issuer, Audience and JWKSURL are required; the zero value
// of the others means their default.
type Options struct {
	// Issuer is the iss every token must carry, exactly (RFC 9068 §4).
	Issuer string
	// Audience is a value the aud of every token must hold (RFC 9068 §4; RFC 8707 §2): the
	// canonical URI of the MCP server, unless the authorization server names it otherwise.
	Audience string
	// JWKSURL is the http or https URL of the issuer's JSON Web Key Set (RFC 7517 §5).
	JWKSURL string
	// Leeway is the clock skew allowed on exp, nbf and iat. If zero, [DefaultLeeway];
	// negative means none.
	Leeway time.Duration
	// MinRefreshInterval is the least time between two fetches of the key set, so that
	// tokens naming unknown keys cannot make it fetch in a loop. If zero,
	// [DefaultMinRefreshInterval].
	MinRefreshInterval time.Duration
	// CacheTTL is how long a key set is used before it is fetched again. If zero,
	// [DefaultCacheTTL].
	CacheTTL time.Duration
	// FetchTimeout bounds one fetch. If zero, [DefaultFetchTimeout].
	FetchTimeout time.Duration
	// MaxJWKSBytes bounds the key set document; a larger one is a failed fetch. If zero,
	// [DefaultMaxJWKSBytes].
	MaxJWKSBytes int64
	// MaxKeys bounds the keys kept from one document; the rest are ignored. If zero,
	// [DefaultMaxKeys].
	MaxKeys int
	// MaxTokenBytes bounds a token; a longer one is refused unparsed. If zero,
	// [DefaultMaxTokenBytes].
	MaxTokenBytes int
	// Client fetches the key set. If nil, a client without a timeout of its own (FetchTimeout
	// bounds each fetch).
	Client *http.Client
	// Now tells the time, for tests. If nil, time.Now.
	Now func() time.Time
}

// Verifier verifies JWT access tokens; it is a server.TokenVerifier, safe for concurrent use.
// It starts no goroutines.
type Verifier struct {
	opts Options

	mu sync.Mutex
	// keys is the key set held, nil before the first successful fetch. Guarded by mu.
	keys []jose.JSONWebKey
	// fetchedAt is when keys was fetched; lastAttempt when a fetch last began. Guarded by mu.
	fetchedAt, lastAttempt time.Time
	// fetching is closed by the goroutine fetching the set when it is done, nil when no fetch
	// runs. Guarded by mu.
	fetching chan struct{}
	// lastErr is the error of the last fetch, nil when it succeeded. Guarded by mu.
	lastErr error
}

// New returns a verifier. It checks opts, but does not fetch the key set: see [Verifier.Refresh].
func New(opts Options) (*Verifier, error) {
	o := opts
	switch {
	case o.Issuer == "":
		return nil, errors.New("jwtauth: an issuer is required")
	case o.Audience == "":
		return nil, errors.New("jwtauth: an audience is required")
	}
	u, err := url.Parse(o.JWKSURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("jwtauth: the key set URL must be an absolute http or https URL, got %q", o.JWKSURL)
	}
	if o.Leeway == 0 {
		o.Leeway = DefaultLeeway
	} else if o.Leeway < 0 {
		o.Leeway = 0
	}
	if o.MinRefreshInterval <= 0 {
		o.MinRefreshInterval = DefaultMinRefreshInterval
	}
	if o.CacheTTL <= 0 {
		o.CacheTTL = DefaultCacheTTL
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = DefaultFetchTimeout
	}
	if o.MaxJWKSBytes <= 0 {
		o.MaxJWKSBytes = DefaultMaxJWKSBytes
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = DefaultMaxKeys
	}
	if o.MaxTokenBytes <= 0 {
		o.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Verifier{opts: o}, nil
}

// invalid returns an error that answers 401.
func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", server.ErrInvalidToken, fmt.Sprintf(format, a...))
}

// accessClaims are the claims of an access token the verifier reads (RFC 9068 §2.2).
type accessClaims struct {
	jwt.Claims
	// Scope is the space-separated scope of RFC 9068 §2.2.3; Scp the array (or string) some
	// authorization servers send instead.
	Scope string `json:"scope"`
	Scp   any    `json:"scp"`
}

// VerifyToken implements server.TokenVerifier. resource is not used: the audience is
// Options.Audience, which the operator set to what the authorization server puts in aud.
func (v *Verifier) VerifyToken(ctx context.Context, token, _ string, _ *http.Request) (*mcp.AuthInfo, error) {
	if len(token) > v.opts.MaxTokenBytes {
		return nil, invalid("the token is longer than %d bytes", v.opts.MaxTokenBytes)
	}
	tok, err := jwt.ParseSigned(token, Algorithms)
	if err != nil {
		// Also "alg": "none" and HS256: refused before any key is looked at.
		return nil, invalid("not a JWT signed with RS256, ES256 or EdDSA")
	}
	if len(tok.Headers) != 1 {
		return nil, invalid("the token must have one signature")
	}
	hdr := tok.Headers[0]
	keys, err := v.keysFor(ctx, hdr.KeyID)
	if err != nil {
		return nil, err
	}
	var (
		claims accessClaims
		all    map[string]any
	)
	verified := false
	for i := range keys {
		k := &keys[i]
		if !fits(k, jose.SignatureAlgorithm(hdr.Algorithm)) {
			continue
		}
		if err := tok.Claims(k.Key, &claims, &all); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		if hdr.KeyID == "" {
			return nil, invalid("no key of the issuer's key set verifies the signature")
		}
		return nil, invalid("the signature does not verify with key %s", hdr.KeyID)
	}
	if claims.Expiry == nil {
		return nil, invalid("the token has no exp claim")
	}
	err = claims.ValidateWithLeeway(jwt.Expected{Issuer: v.opts.Issuer, AnyAudience: jwt.Audience{v.opts.Audience}, Time: v.opts.Now()}, v.opts.Leeway)
	switch {
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return nil, invalid("the token was issued by %s, not by %s", claims.Issuer, v.opts.Issuer)
	case errors.Is(err, jwt.ErrInvalidAudience):
		return nil, invalid("the token is not for this server (its aud does not name %s)", v.opts.Audience)
	case errors.Is(err, jwt.ErrExpired):
		return nil, invalid("the token expired")
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, invalid("the token is not valid yet")
	case err != nil:
		return nil, invalid("%v", err)
	}
	if claims.Subject == "" {
		return nil, invalid("the token has no sub claim")
	}
	return &mcp.AuthInfo{Principal: claims.Subject, Scopes: scopesOf(&claims), Expiry: claims.Expiry.Time(), Claims: all}, nil
}

// scopesOf returns the scopes of scope (space-separated) and scp (an array or a
// space-separated string).
func scopesOf(c *accessClaims) []string {
	scopes := strings.Fields(c.Scope)
	switch scp := c.Scp.(type) {
	case string:
		scopes = append(scopes, strings.Fields(scp)...)
	case []any:
		for _, s := range scp {
			if s, ok := s.(string); ok && s != "" {
				scopes = append(scopes, s)
			}
		}
	}
	return scopes
}

// fits reports whether k may verify a signature of alg: a public key of the algorithm's type
// (P-256 for ES256), for signing, and of that algorithm if the key names one.
func fits(k *jose.JSONWebKey, alg jose.SignatureAlgorithm) bool {
	if k.Use != "" && k.Use != "sig" || k.Algorithm != "" && k.Algorithm != string(alg) {
		return false
	}
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		return alg == jose.RS256
	case *ecdsa.PublicKey:
		return alg == jose.ES256 && key.Curve == elliptic.P256()
	case ed25519.PublicKey:
		return alg == jose.EdDSA
	}
	return false
}

// keysFor returns the keys that may have signed a token naming kid (every key when kid is
// empty), fetching the set when it is missing, stale, or lacks kid (see the design note).
func (v *Verifier) keysFor(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	for fetched := false; ; fetched = true {
		v.mu.Lock()
		now := v.opts.Now()
		keys, wait := v.keys, v.fetching
		mayFetch := now.Sub(v.lastAttempt) >= v.opts.MinRefreshInterval || v.lastAttempt.IsZero()
		stale := keys == nil || now.Sub(v.fetchedAt) >= v.opts.CacheTTL
		found := matching(keys, kid)
		need := stale || kid != "" && len(found) == 0
		if need && wait == nil && !fetched && mayFetch {
			done := make(chan struct{})
			v.fetching, v.lastAttempt = done, now
			v.mu.Unlock()
			v.fetch(ctx)
			close(done)
			continue
		}
		lastErr := v.lastErr
		v.mu.Unlock()
		if need && wait != nil && !fetched {
			select {
			case <-wait:
				continue // look again at what that fetch left, without fetching again
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		switch {
		case keys == nil:
			return nil, fmt.Errorf("%w: %v", ErrKeySet, lastErr)
		case len(found) == 0:
			return nil, invalid("the token names key %s, which the issuer's key set does not hold", kid)
		}
		return found, nil
	}
}

// matching returns the keys of kid, or all keys when kid is empty. Several keys may share a
// kid (RFC 7517 §4.5: keys of different types that are "equivalent alternatives"); the
// caller tries those that fit the token's alg.
func matching(keys []jose.JSONWebKey, kid string) []jose.JSONWebKey {
	if kid == "" {
		return keys
	}
	var found []jose.JSONWebKey
	for i := range keys {
		if keys[i].KeyID == kid {
			found = append(found, keys[i])
		}
	}
	return found
}

// fetch fetches the key set and keeps it; on failure it keeps the set it had. The caller has
// made itself the one fetching (Verifier.fetching).
func (v *Verifier) fetch(ctx context.Context) {
	keys, err := v.download(ctx)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.fetching, v.lastErr = nil, err
	if err == nil {
		v.keys, v.fetchedAt = keys, v.opts.Now()
	}
}

// Refresh fetches the key set now, unless a fetch ran less than MinRefreshInterval ago, and
// returns the error of the last fetch. The binary calls it at start-up to report a key set
// it cannot reach; a failure there is not fatal, as tokens fetch again later.
func (v *Verifier) Refresh(ctx context.Context) error {
	_, err := v.keysFor(ctx, "")
	if errors.Is(err, ErrKeySet) {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.lastErr
}

// download fetches and parses the key set document, within FetchTimeout and MaxJWKSBytes.
func (v *Verifier) download(ctx context.Context) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), v.opts.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.opts.JWKSURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := v.opts.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the key set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the key set: %s answered %s", v.opts.JWKSURL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, v.opts.MaxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching the key set: %w", err)
	}
	if int64(len(body)) > v.opts.MaxJWKSBytes {
		return nil, fmt.Errorf("the key set at %s is larger than %d bytes", v.opts.JWKSURL, v.opts.MaxJWKSBytes)
	}
	return parseKeySet(body, v.opts.MaxKeys)
}

// parseKeySet reads a JWK Set (RFC 7517 §5), keeping up to max public signature keys and
// skipping those it cannot use (symmetric keys above all: see the package doc).
func parseKeySet(body []byte, max int) ([]jose.JSONWebKey, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("the key set is not a JWK Set: %w", err)
	}
	var keys []jose.JSONWebKey
	for _, raw := range doc.Keys {
		if len(keys) == max {
			break
		}
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil || !k.Valid() {
			continue // a key type or curve this verifier does not know
		}
		if !k.IsPublic() {
			if _, symmetric := k.Key.([]byte); symmetric {
				continue
			}
			k = k.Public()
		}
		keys = append(keys, k)
	}
	return keys, nil
}
