package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/minimcp/minimcp/internal/bearer"
	"github.com/minimcp/minimcp/internal/cliflag"
	"github.com/minimcp/minimcp/internal/jwtauth"
)

// The --auth-* flags of serve. What they make, the static tokens and the verifier that tries
// them before the JWT verifier, is internal/bearer's (its design note says how a request is
// authenticated).

// Defaults of the auth flags.
const defaultAuthLeeway = jwtauth.DefaultLeeway

// authFlags are the values of the --auth-* flags of serve, as given.
type authFlags struct {
	tokens          cliflag.StringList
	issuer          string
	audience        string
	jwks            string
	resource        string
	servers         cliflag.StringList
	scopesSupported cliflag.StringList
	leeway          time.Duration
	refresh         time.Duration
	cacheTTL        time.Duration
}

// addAuthFlags declares the --auth-* flags of serve on fs.
func addAuthFlags(fs *flag.FlagSet) *authFlags {
	a := &authFlags{}
	fs.Var(&a.tokens, "auth-token", "require Authorization: Bearer TOKEN (repeatable); @FILE reads one token per line, optionally 'TOKEN PRINCIPAL [SCOPE...]'")
	fs.StringVar(&a.issuer, "auth-issuer", "", "accept JWT access tokens of this issuer (their iss, exactly); needs --auth-audience and --auth-jwks")
	fs.StringVar(&a.audience, "auth-audience", "", "the audience JWT access tokens must name in aud: the canonical URL of this server, https://host/mcp, unless the authorization server names it otherwise")
	fs.StringVar(&a.jwks, "auth-jwks", "", "http(s) URL of the issuer's JSON Web Key Set (RS256, ES256 and EdDSA keys)")
	fs.StringVar(&a.resource, "auth-resource", "", "canonical URL of this server, the resource of the protected resource metadata (default: --auth-audience when it is an http(s) URL)")
	fs.Var(&a.servers, "auth-server", "authorization server listed in the protected resource metadata (repeatable or comma-separated; default: --auth-issuer)")
	fs.Var(&a.scopesSupported, "auth-scopes-supported", "scopes_supported of the protected resource metadata, and the scope of 401 challenges (comma-separated)")
	fs.DurationVar(&a.leeway, "auth-leeway", defaultAuthLeeway, "clock skew allowed on the exp, nbf and iat of JWTs")
	fs.DurationVar(&a.refresh, "auth-jwks-refresh-interval", jwtauth.DefaultMinRefreshInterval, "least time between two fetches of the key set (a token naming an unknown kid fetches it again, at most this often)")
	fs.DurationVar(&a.cacheTTL, "auth-jwks-cache-ttl", jwtauth.DefaultCacheTTL, "how long a fetched key set is used before it is fetched again")
	return a
}

// config checks the flags and returns what they say.
func (a *authFlags) config() (bearer.Config, error) {
	var c bearer.Config
	var err error
	if c.Tokens, err = bearer.ParseTokens(a.tokens); err != nil {
		return c, err
	}
	set := 0
	for _, v := range []string{a.issuer, a.audience, a.jwks} {
		if v != "" {
			set++
		}
	}
	switch {
	case set != 0 && set != 3:
		return c, errors.New("--auth-issuer, --auth-audience and --auth-jwks go together: JWT verification needs all three")
	case a.leeway < 0:
		return c, fmt.Errorf("--auth-leeway: must not be negative, got %v", a.leeway)
	case a.refresh <= 0:
		return c, fmt.Errorf("--auth-jwks-refresh-interval: must be positive, got %v", a.refresh)
	case a.cacheTTL <= 0:
		return c, fmt.Errorf("--auth-jwks-cache-ttl: must be positive, got %v", a.cacheTTL)
	}
	if set == 3 {
		leeway := a.leeway
		if leeway == 0 {
			leeway = -1 // jwtauth.Options: negative means none
		}
		c.JWT = jwtauth.Options{Issuer: a.issuer, Audience: a.audience, JWKSURL: a.jwks, Leeway: leeway,
			MinRefreshInterval: a.refresh, CacheTTL: a.cacheTTL}
		if _, err := jwtauth.New(c.JWT); err != nil {
			return c, fmt.Errorf("--auth-jwks: %v", strings.TrimPrefix(err.Error(), "jwtauth: "))
		}
	}
	c.Servers = a.servers
	if len(c.Servers) == 0 && a.issuer != "" {
		c.Servers = []string{a.issuer}
	}
	for _, s := range c.Servers {
		if !isHTTPURL(s) {
			return c, fmt.Errorf("--auth-server: want an http(s) URL, got %q", s)
		}
	}
	c.Resource = a.resource
	if c.Resource == "" && isHTTPURL(a.audience) {
		c.Resource = a.audience
	}
	switch {
	case a.resource != "" && !isHTTPURL(a.resource):
		return c, fmt.Errorf("--auth-resource: want an absolute http(s) URL without a fragment, got %q", a.resource)
	case len(c.Servers) > 0 && c.Resource == "":
		return c, errors.New("--auth-resource is needed: the protected resource metadata names this server's canonical URL, and --auth-audience is not one")
	case len(a.servers) > 0 && !c.Enabled():
		return c, errors.New("--auth-server needs --auth-token or --auth-issuer: without authentication there is no resource to protect")
	}
	c.ScopesSupported = a.scopesSupported
	return c, nil
}

// isHTTPURL reports whether s is an absolute http or https URL without a fragment.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.Contains(s, "#")
}
