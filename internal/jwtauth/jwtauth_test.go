package jwtauth_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/jwtauth"
	"github.com/minimcp/minimcp/internal/leak"
	"github.com/minimcp/minimcp/server"
)

func TestMain(m *testing.M) { os.Exit(leak.Check(m)) }

const (
	issuer   = "https://auth.example.com"
	audience = "https://mcp.example.com/mcp"
)

// signingKey is a private key of the test and its JWK id.
type signingKey struct {
	kid string
	alg jose.SignatureAlgorithm
	key crypto.Signer
}

func newKeys(t testing.TB) []signingKey {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, edk, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return []signingKey{{"rsa-1", jose.RS256, rk}, {"ec-1", jose.ES256, ek}, {"ed-1", jose.EdDSA, edk}}
}

// jwksOf is the public JWK Set of keys.
func jwksOf(keys ...signingKey) []byte {
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.key.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"})
	}
	b, _ := json.Marshal(set)
	return b
}

// jwksServer serves a JWK Set that a test may change, counting the fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	doc     []byte // guarded by mu
	status  int    // guarded by mu; 0 means 200
	fetches atomic.Int32
}

func newJWKSServer(t testing.TB, doc []byte) *jwksServer {
	s := &jwksServer{doc: doc}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		doc, status := s.doc, s.status
		s.mu.Unlock()
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(doc)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(doc []byte, status int) {
	s.mu.Lock()
	s.doc, s.status = doc, status
	s.mu.Unlock()
}

// sign returns a JWT of claims signed with k, its kid in the header.
func sign(t testing.TB, k signingKey, claims any) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.key},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", k.kid))
	require.NoError(t, err)
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	require.NoError(t, err)
	return tok
}

// claims are the claims of a good token at now.
func claims(now time.Time, scope string) map[string]any {
	return map[string]any{
		"iss": issuer, "aud": []string{audience, "other"}, "sub": "user-42", "client_id": "cli",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "scope": scope,
	}
}

func with(c map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func newVerifier(t testing.TB, url string, now func() time.Time) *jwtauth.Verifier {
	t.Helper()
	v, err := jwtauth.New(jwtauth.Options{Issuer: issuer, Audience: audience, JWKSURL: url, Now: now})
	require.NoError(t, err)
	return v
}

// badTokens are tokens every verifier must refuse as invalid (401), by what is wrong.
func badTokens(t *testing.T, keys []signingKey, now time.Time) map[string]string {
	good := claims(now, "files:read")
	rsaKey := keys[0]
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pub, err := x509.MarshalPKIXPublicKey(rsaKey.key.Public())
	require.NoError(t, err)
	hs, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pub}, (&jose.SignerOptions{}).WithHeader("kid", rsaKey.kid))
	require.NoError(t, err)
	hsTok, err := jwt.Signed(hs).Claims(good).Serialize()
	require.NoError(t, err)
	payload, _ := json.Marshal(good)
	return map[string]string{
		"expired":          sign(t, rsaKey, with(good, "iat", now.Add(-time.Hour).Unix(), "nbf", now.Add(-time.Hour).Unix(), "exp", now.Add(-2*time.Minute).Unix())),
		"not yet valid":    sign(t, keys[1], with(good, "nbf", now.Add(2*time.Minute).Unix())),
		"wrong audience":   sign(t, keys[2], with(good, "aud", "https://other.example.com/mcp")),
		"wrong issuer":     sign(t, rsaKey, with(good, "iss", "https://evil.example.com")),
		"foreign key":      sign(t, signingKey{rsaKey.kid, jose.RS256, foreign}, good),
		"alg none":         b64(`{"alg":"none","typ":"JWT","kid":"rsa-1"}`) + "." + b64(string(payload)) + ".",
		"HS256 public key": hsTok,
		"no exp":           sign(t, rsaKey, with(good, "exp", nil)),
		"no sub":           sign(t, keys[1], with(good, "sub", nil)),
		"not a JWT":        "opaque-token",
		"ES256 as RS256":   sign(t, signingKey{rsaKey.kid, jose.ES256, keys[1].key}, good),
		"too long":         sign(t, keys[2], with(good, "pad", strings.Repeat("x", jwtauth.DefaultMaxTokenBytes))),
	}
}

// TestVerify: tokens signed with RSA, ECDSA P-256 and Ed25519 keys of the set verify, and give
// the subject, scopes, expiry and claims; every bad token is refused as invalid.
func TestVerify(t *testing.T) {
	keys := newKeys(t)
	js := newJWKSServer(t, jwksOf(keys...))
	now := time.Now()
	v := newVerifier(t, js.URL, nil)
	ctx := context.Background()
	for _, k := range keys {
		t.Run(string(k.alg), func(t *testing.T) {
			info, err := v.VerifyToken(ctx, sign(t, k, claims(now, "files:read files:write")), audience, nil)
			require.NoError(t, err)
			assert.Equal(t, "user-42", info.Principal)
			assert.Equal(t, []string{"files:read", "files:write"}, info.Scopes)
			assert.Equal(t, now.Add(5*time.Minute).Unix(), info.Expiry.Unix())
			assert.Equal(t, "cli", info.Claims["client_id"])
		})
	}
	// Within the leeway (60 s by default) an expired token still passes.
	_, err := v.VerifyToken(ctx, sign(t, keys[0], with(claims(now, ""), "exp", now.Add(-30*time.Second).Unix())), audience, nil)
	assert.NoError(t, err)
	// scp, as some authorization servers send it.
	info, err := v.VerifyToken(ctx, sign(t, keys[2], with(claims(now, ""), "scope", nil, "scp", []string{"a", "b"})), audience, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, info.Scopes)

	for name, tok := range badTokens(t, keys, now) {
		_, err := v.VerifyToken(ctx, tok, audience, nil)
		assert.ErrorIs(t, err, server.ErrInvalidToken, name)
	}
	assert.Equal(t, int32(1), js.fetches.Load(), "the key set was fetched once")
}

// TestUnknownKid: a token naming a key the set lacks fetches the set again (the issuer may
// have rotated keys), but no more than once per MinRefreshInterval, however many such tokens
// come.
func TestUnknownKid(t *testing.T) {
	keys := newKeys(t)
	js := newJWKSServer(t, jwksOf(keys[0]))
	now := time.Now()
	clock := now
	v := newVerifier(t, js.URL, func() time.Time { return clock })
	ctx := context.Background()

	_, err := v.VerifyToken(ctx, sign(t, keys[0], claims(now, "")), audience, nil)
	require.NoError(t, err)
	require.Equal(t, int32(1), js.fetches.Load())

	// The issuer rotates in the EC key; a token signed with it arrives a minute later.
	js.set(jwksOf(keys...), 0)
	clock = clock.Add(time.Minute)
	_, err = v.VerifyToken(ctx, sign(t, keys[1], claims(now, "")), audience, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(2), js.fetches.Load(), "an unknown kid fetched the set once")

	// Made-up kids right after: refused without a fetch.
	for i := range 50 {
		_, err = v.VerifyToken(ctx, sign(t, signingKey{"random-" + string(rune('a'+i%26)), jose.EdDSA, keys[2].key}, claims(now, "")), audience, nil)
		assert.ErrorIs(t, err, server.ErrInvalidToken)
	}
	assert.Equal(t, int32(2), js.fetches.Load(), "rate-limited")

	clock = clock.Add(jwtauth.DefaultMinRefreshInterval)
	_, err = v.VerifyToken(ctx, sign(t, signingKey{"random-z", jose.EdDSA, keys[2].key}, claims(now, "")), audience, nil)
	assert.ErrorIs(t, err, server.ErrInvalidToken)
	assert.Equal(t, int32(3), js.fetches.Load(), "one fetch per interval")

	// A set older than its TTL is fetched again on the next token.
	clock = clock.Add(jwtauth.DefaultCacheTTL)
	_, err = v.VerifyToken(ctx, sign(t, keys[0], with(claims(clock, ""))), audience, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(4), js.fetches.Load())
}

// TestKeySetUnreachable: without a key set the verifier cannot decide, which is not an invalid
// token (the server answers 503, not 401); a set once fetched stays in use when the endpoint
// fails later.
func TestKeySetUnreachable(t *testing.T) {
	keys := newKeys(t)
	js := newJWKSServer(t, nil)
	js.set(nil, http.StatusInternalServerError)
	clock := time.Now()
	v := newVerifier(t, js.URL, func() time.Time { return clock })
	ctx := context.Background()
	tok := sign(t, keys[0], claims(clock, ""))

	_, err := v.VerifyToken(ctx, tok, audience, nil)
	assert.ErrorIs(t, err, jwtauth.ErrKeySet)
	assert.False(t, errors.Is(err, server.ErrInvalidToken))
	assert.ErrorContains(t, v.Refresh(ctx), "500")

	js.set(jwksOf(keys...), 0)
	clock = clock.Add(jwtauth.DefaultMinRefreshInterval)
	require.NoError(t, v.Refresh(ctx))
	js.set(nil, http.StatusBadGateway)
	clock = clock.Add(jwtauth.DefaultCacheTTL)
	_, err = v.VerifyToken(ctx, sign(t, keys[1], claims(clock, "")), audience, nil)
	assert.NoError(t, err, "the stale set is used while the endpoint fails")
}

// TestKeySetBounds: a document over MaxJWKSBytes is a failed fetch; keys beyond MaxKeys, and
// symmetric keys, are not kept.
func TestKeySetBounds(t *testing.T) {
	keys := newKeys(t)
	ctx := context.Background()
	now := time.Now()

	big := newJWKSServer(t, []byte(`{"keys":[],"pad":"`+strings.Repeat("x", 2000)+`"}`))
	v, err := jwtauth.New(jwtauth.Options{Issuer: issuer, Audience: audience, JWKSURL: big.URL, MaxJWKSBytes: 1000})
	require.NoError(t, err)
	assert.ErrorContains(t, v.Refresh(ctx), "larger than 1000 bytes")

	var set map[string][]json.RawMessage
	require.NoError(t, json.Unmarshal(jwksOf(keys...), &set))
	set["keys"] = append([]json.RawMessage{json.RawMessage(`{"kty":"oct","kid":"rsa-1","k":"c2VjcmV0"}`), json.RawMessage(`{"kty":"weird"}`)}, set["keys"]...)
	doc, _ := json.Marshal(set)
	js := newJWKSServer(t, doc)
	v, err = jwtauth.New(jwtauth.Options{Issuer: issuer, Audience: audience, JWKSURL: js.URL, MaxKeys: 2})
	require.NoError(t, err)
	_, err = v.VerifyToken(ctx, sign(t, keys[0], claims(now, "")), audience, nil)
	assert.NoError(t, err, "the symmetric key of the same kid was skipped")
	_, err = v.VerifyToken(ctx, sign(t, keys[1], claims(now, "")), audience, nil)
	assert.NoError(t, err)
	_, err = v.VerifyToken(ctx, sign(t, keys[2], claims(now, "")), audience, nil)
	assert.ErrorIs(t, err, server.ErrInvalidToken, "beyond MaxKeys")
}

func TestNewChecksOptions(t *testing.T) {
	for name, o := range map[string]jwtauth.Options{
		"no issuer":   {Audience: audience, JWKSURL: "https://a/jwks"},
		"no audience": {Issuer: issuer, JWKSURL: "https://a/jwks"},
		"bad url":     {Issuer: issuer, Audience: audience, JWKSURL: "file:///etc/jwks"},
	} {
		_, err := jwtauth.New(o)
		assert.Error(t, err, name)
	}
}

// TestConcurrentFirstFetch: requests that need the key set at the same time share one fetch.
func TestConcurrentFirstFetch(t *testing.T) {
	keys := newKeys(t)
	js := newJWKSServer(t, jwksOf(keys...))
	v := newVerifier(t, js.URL, nil)
	now := time.Now()
	toks := make([]string, 16)
	for i := range toks {
		toks[i] = sign(t, keys[i%len(keys)], claims(now, ""))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(toks))
	for i, tok := range toks {
		wg.Go(func() { _, errs[i] = v.VerifyToken(context.Background(), tok, audience, nil) })
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, int32(1), js.fetches.Load())
}
