package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minimcp/minimcp/internal/jwtauth"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

/*
Design note: authentication of minimcp serve.

serve makes the handler an OAuth resource server (server.Options.Auth) when it is given static
tokens (--auth-token), a JWT issuer (--auth-issuer, --auth-audience and --auth-jwks, all three),
or both. Each request's bearer token is looked up among the static tokens first (hashed,
compared in constant time); a token that is none of them goes to the JWT verifier, when there
is one. Both may be set: static tokens for operators and scripts, JWTs for users. A static
token's principal is the one the token file names, a JWT's is its sub: give static principals
names no subject of the issuer takes, since a principal owns its sessions and tasks.

A static token grants the scopes its line of the token file lists after the principal, a token
given on the command line none; a JWT grants its scope (or scp) claim. Tools, prompts and
resources of the manifest that list "scopes" need them.

The protected resource metadata is served when an authorization server is known: --auth-server,
else the issuer. Its resource is --auth-resource, else the audience when that is an http(s)
URL: the canonical URI of this server, which tokens must be issued for.
*/

// Defaults of the auth flags.
const defaultAuthLeeway = jwtauth.DefaultLeeway

// authFlags are the values of the --auth-* flags of serve, as given.
type authFlags struct {
	tokens          stringList
	issuer          string
	audience        string
	jwks            string
	resource        string
	servers         stringList
	scopesSupported stringList
	leeway          time.Duration
	refresh         time.Duration
	cacheTTL        time.Duration
}

// authConfig is what the --auth-* flags say, checked.
type authConfig struct {
	tokens []bearerToken
	// jwt holds the options of the JWT verifier; Issuer is "" without one.
	jwt jwtauth.Options
	// resource, servers and scopesSupported are those of server.AuthOptions.
	resource        string
	servers         []string
	scopesSupported []string
}

// enabled reports whether requests are authenticated.
func (c *authConfig) enabled() bool { return len(c.tokens) > 0 || c.jwt.Issuer != "" }

// String describes the authentication for the start-up log line.
func (c *authConfig) String() string {
	var parts []string
	if c.jwt.Issuer != "" {
		parts = append(parts, "jwt (issuer "+c.jwt.Issuer+")")
	}
	if len(c.tokens) > 0 {
		parts = append(parts, fmt.Sprintf("bearer (%d tokens)", len(c.tokens)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " + ")
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

// config checks the flags.
func (a *authFlags) config() (authConfig, error) {
	var c authConfig
	var err error
	if c.tokens, err = parseAuthTokens(a.tokens); err != nil {
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
		c.jwt = jwtauth.Options{Issuer: a.issuer, Audience: a.audience, JWKSURL: a.jwks, Leeway: leeway,
			MinRefreshInterval: a.refresh, CacheTTL: a.cacheTTL}
		if _, err := jwtauth.New(c.jwt); err != nil {
			return c, fmt.Errorf("--auth-jwks: %v", strings.TrimPrefix(err.Error(), "jwtauth: "))
		}
	}
	c.servers = a.servers
	if len(c.servers) == 0 && a.issuer != "" {
		c.servers = []string{a.issuer}
	}
	for _, s := range c.servers {
		if !isHTTPURL(s) {
			return c, fmt.Errorf("--auth-server: want an http(s) URL, got %q", s)
		}
	}
	c.resource = a.resource
	if c.resource == "" && isHTTPURL(a.audience) {
		c.resource = a.audience
	}
	switch {
	case a.resource != "" && !isHTTPURL(a.resource):
		return c, fmt.Errorf("--auth-resource: want an absolute http(s) URL without a fragment, got %q", a.resource)
	case len(c.servers) > 0 && c.resource == "":
		return c, errors.New("--auth-resource is needed: the protected resource metadata names this server's canonical URL, and --auth-audience is not one")
	case len(a.servers) > 0 && !c.enabled():
		return c, errors.New("--auth-server needs --auth-token or --auth-issuer: without authentication there is no resource to protect")
	}
	c.scopesSupported = a.scopesSupported
	return c, nil
}

// isHTTPURL reports whether s is an absolute http or https URL without a fragment.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.Contains(s, "#")
}

// isLoopbackHost reports whether host (without port) names the loopback interface.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// options returns the server's AuthOptions, nil without authentication. It fetches the JWT
// key set once, so that one out of reach shows in the log at start-up; that is not fatal.
func (c *authConfig) options(ctx context.Context, logger *slog.Logger) *server.AuthOptions {
	if !c.enabled() {
		return nil
	}
	v := &serveVerifier{static: c.tokens, logger: logger}
	if c.jwt.Issuer != "" {
		if u, _ := url.Parse(c.jwt.JWKSURL); u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
			// MCP 2025-11-25, Basic § Authorization, Communication Security: "All authorization
			// server endpoints MUST be served over HTTPS"; a key set read in clear can be forged.
			logger.Warn("--auth-jwks is plain http beyond loopback: whoever can tamper with it can mint tokens this server accepts", "jwks", c.jwt.JWKSURL)
		}
		v.jwt, _ = jwtauth.New(c.jwt) // checked by config
		if err := v.jwt.Refresh(ctx); err != nil {
			logger.Warn("the JWT key set cannot be fetched now; tokens get 503 until it can", "jwks", c.jwt.JWKSURL, "err", err)
		}
	}
	return &server.AuthOptions{Verifier: v, Resource: c.resource, AuthorizationServers: c.servers, ScopesSupported: c.scopesSupported}
}

// serveVerifier is serve's server.TokenVerifier: the static tokens, then the JWT verifier.
type serveVerifier struct {
	static []bearerToken
	jwt    *jwtauth.Verifier // nil without --auth-issuer
	logger *slog.Logger
}

// errBadBearerToken refuses a token that is no static token (and, without a JWT verifier,
// nothing else).
var errBadBearerToken = fmt.Errorf("%w: invalid bearer token", server.ErrInvalidToken)

func (v *serveVerifier) VerifyToken(ctx context.Context, token, resource string, r *http.Request) (*mcp.AuthInfo, error) {
	info, err := v.verify(ctx, token, resource, r)
	if err != nil {
		v.logger.DebugContext(ctx, "authentication failed", "remote", r.RemoteAddr, "err", err)
		return nil, err
	}
	v.logger.DebugContext(ctx, "authenticated", "principal", info.Principal, "scopes", strings.Join(info.Scopes, " "), "method", r.Method, "path", r.URL.Path)
	return info, nil
}

func (v *serveVerifier) verify(ctx context.Context, token, resource string, r *http.Request) (*mcp.AuthInfo, error) {
	if t := matchToken(v.static, token); t != nil {
		return &mcp.AuthInfo{Principal: t.principal, Scopes: t.scopes}, nil
	}
	if v.jwt != nil {
		return v.jwt.VerifyToken(ctx, token, resource, r)
	}
	return nil, errBadBearerToken
}

// bearerToken is a token --auth-token accepts, kept as its SHA-256 digest, the principal it
// authenticates and the scopes it grants.
type bearerToken struct {
	digest    [sha256.Size]byte
	principal string
	scopes    []string
}

// parseAuthTokens reads the values of --auth-token: a token, or @FILE with one token per line,
// optionally followed by its principal and the scopes it grants; blank lines and lines
// starting with # are skipped. A token without a principal is its own: "token-" and the first
// 8 hex digits of its SHA-256, so that logs can tell callers apart without ever showing a
// token. Errors never show tokens either.
func parseAuthTokens(values []string) ([]bearerToken, error) {
	var tokens []bearerToken
	seen := map[[sha256.Size]byte]string{} // digest → where the token was given
	add := func(where, tok, principal string, scopes []string) error {
		if !isTokenText(tok) {
			return fmt.Errorf("%s: a token must be printable ASCII without spaces", where)
		}
		d := sha256.Sum256([]byte(tok))
		if prev, dup := seen[d]; dup {
			return fmt.Errorf("%s: the same token as %s", where, prev)
		}
		seen[d] = where
		if principal == "" {
			principal = "token-" + hex.EncodeToString(d[:4])
		}
		tokens = append(tokens, bearerToken{digest: d, principal: principal, scopes: scopes})
		return nil
	}
	for i, v := range values {
		file, isFile := strings.CutPrefix(v, "@")
		if !isFile {
			if err := add(fmt.Sprintf("--auth-token #%d", i+1), v, "", nil); err != nil {
				return nil, err
			}
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--auth-token @%s: %v", file, err)
		}
		n := 0
		for ln, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			f := strings.Fields(line)
			principal := ""
			if len(f) > 1 {
				principal = f[1]
			}
			var scopes []string
			if len(f) > 2 {
				scopes = f[2:]
			}
			if err := add(fmt.Sprintf("--auth-token @%s: line %d", file, ln+1), f[0], principal, scopes); err != nil {
				return nil, err
			}
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("--auth-token @%s: the file holds no tokens", file)
		}
	}
	return tokens, nil
}

// isTokenText reports whether s can be a bearer token: visible ASCII, 0x21 to 0x7E.
func isTokenText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7E {
			return false
		}
	}
	return s != ""
}

// matchToken returns the static token tok is, nil for none. tok is hashed and compared with
// every digest in constant time, so neither its bytes nor which token matched shows in the
// timing.
func matchToken(tokens []bearerToken, tok string) *bearerToken {
	d := sha256.Sum256([]byte(tok))
	var match *bearerToken
	for i := range tokens {
		if subtle.ConstantTimeCompare(d[:], tokens[i].digest[:]) == 1 {
			match = &tokens[i]
		}
	}
	return match
}
