package jwtauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/jwtauth"
	"github.com/minimcp/minimcp/server"
)

// signWith signs claims with k and the extra protected headers given.
func signWith(t testing.TB, k signingKey, claims any, hdr map[jose.HeaderKey]any) string {
	t.Helper()
	o := (&jose.SignerOptions{}).WithType("at+jwt")
	if k.kid != "" {
		o = o.WithHeader("kid", k.kid)
	}
	for h, v := range hdr {
		o = o.WithHeader(h, v)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.key}, o)
	require.NoError(t, err)
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	require.NoError(t, err)
	return tok
}

// TestHostileTokens: tokens made by someone who holds no key of the issuer, each trying to
// make the verifier use a key the token itself names or carries, or to slip past a claim
// check, are refused as invalid (401).
func TestHostileTokens(t *testing.T) {
	keys := newKeys(t)
	js := newJWKSServer(t, jwksOf(keys...))
	now := time.Now()
	v := newVerifier(t, js.URL, nil)
	good := claims(now, "files:read")
	attacker, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	evil := signingKey{"rsa-1", jose.RS256, attacker}
	attackerJWK := jose.JSONWebKey{Key: attacker.Public(), KeyID: "rsa-1", Algorithm: "RS256", Use: "sig"}

	enc, err := jose.NewEncrypter(jose.A128GCM, jose.Recipient{Algorithm: jose.RSA_OAEP, Key: keys[0].key.Public()}, nil)
	require.NoError(t, err)
	jwe, err := jwt.Encrypted(enc).Claims(good).Serialize()
	require.NoError(t, err)
	inner := sign(t, keys[0], good)
	nestedSig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: keys[0].key},
		(&jose.SignerOptions{}).WithType("at+jwt").WithContentType("JWT").WithHeader("kid", "rsa-1"))
	require.NoError(t, err)
	nestedObj, err := nestedSig.Sign([]byte(`"` + inner + `"`))
	require.NoError(t, err)
	nested, err := nestedObj.CompactSerialize()
	require.NoError(t, err)

	for name, tok := range map[string]string{
		"embedded jwk":          signWith(t, evil, good, map[jose.HeaderKey]any{"jwk": attackerJWK}),
		"embedded jwk, no kid":  signWith(t, signingKey{"", jose.RS256, attacker}, good, map[jose.HeaderKey]any{"jwk": attackerJWK}),
		"jku":                   signWith(t, evil, good, map[jose.HeaderKey]any{"jku": "http://evil.example/jwks"}),
		"x5u":                   signWith(t, evil, good, map[jose.HeaderKey]any{"x5u": "http://evil.example/cert"}),
		"crit unknown":          signWith(t, keys[0], good, map[jose.HeaderKey]any{"crit": []string{"exp"}, "exp": 1}),
		"JWE":                   jwe,
		"nested JWT":            nested,
		"exp as a string":       sign(t, keys[0], with(good, "exp", "99999999999")),
		"aud lacks us":          sign(t, keys[0], with(good, "aud", []string{"https://mcp.example.com", "https://mcp.example.com/mcp/"})),
		"iss differs in case":   sign(t, keys[0], with(good, "iss", "https://AUTH.example.com")),
		"sub empty":             sign(t, keys[1], with(good, "sub", "")),
		"ES256 kid, RS256 alg":  sign(t, signingKey{"ec-1", jose.RS256, keys[0].key}, good),
		"two tokens, one space": sign(t, keys[0], good) + " " + sign(t, keys[0], good),
	} {
		_, err := v.VerifyToken(context.Background(), tok, audience, nil)
		assert.ErrorIs(t, err, server.ErrInvalidToken, name)
	}
}

// TestDuplicateKidOfAnotherType (attack: duplicate kids in the key set; RFC 7517 §4.5: keys
// of a set may share a kid when they are of different key types, "equivalent alternatives"):
// a token is verified with the key of its kid that fits its alg, not only the first key of
// that kid.
func TestDuplicateKidOfAnotherType(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: rk.Public(), KeyID: "k1", Use: "sig"},
		{Key: ek.Public(), KeyID: "k1", Use: "sig"},
	}}
	doc, _ := json.Marshal(set)
	js := newJWKSServer(t, doc)
	v := newVerifier(t, js.URL, nil)
	now := time.Now()
	for _, k := range []signingKey{{"k1", jose.RS256, rk}, {"k1", jose.ES256, ek}} {
		info, err := v.VerifyToken(context.Background(), sign(t, k, claims(now, "")), audience, nil)
		if assert.NoError(t, err, k.alg) {
			assert.Equal(t, "user-42", info.Principal)
		}
	}
	// A token of another key under that kid is still refused.
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, err = v.VerifyToken(context.Background(), sign(t, signingKey{"k1", jose.ES256, other}, claims(now, "")), audience, nil)
	assert.ErrorIs(t, err, server.ErrInvalidToken)
}

// stallingTransport accepts every request and answers none: its RoundTrip returns only when
// the request's context ends.
type stallingTransport struct{}

func (stallingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// TestKeySetHostStalls (attack: a key set host that never answers): the fetch gives up after
// FetchTimeout, whatever the request's own context, and the token gets the verifier's error
// (503 from the server, not 401: the token may be good); the next token waits for no fetch
// until MinRefreshInterval has passed.
func TestKeySetHostStalls(t *testing.T) {
	keys := newKeys(t)
	synctest.Test(t, func(t *testing.T) {
		v, err := jwtauth.New(jwtauth.Options{Issuer: issuer, Audience: audience, JWKSURL: "https://jwks.test/keys",
			Client: &http.Client{Transport: stallingTransport{}}, FetchTimeout: 3 * time.Second})
		require.NoError(t, err)
		start := time.Now()
		tok := sign(t, keys[0], claims(start, ""))
		_, err = v.VerifyToken(context.Background(), tok, audience, nil)
		assert.ErrorIs(t, err, jwtauth.ErrKeySet)
		assert.NotErrorIs(t, err, server.ErrInvalidToken)
		assert.Equal(t, 3*time.Second, time.Since(start))
		start = time.Now()
		_, err = v.VerifyToken(context.Background(), tok, audience, nil)
		assert.ErrorIs(t, err, jwtauth.ErrKeySet)
		assert.Zero(t, time.Since(start), "no second fetch within MinRefreshInterval")
	})
}
