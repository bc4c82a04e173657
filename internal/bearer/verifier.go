package bearer

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/minimcp/minimcp/internal/jwtauth"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// Config is what the --auth-* flags of serve say, checked by the caller.
type Config struct {
	// Tokens are the static tokens (--auth-token).
	Tokens []Token
	// JWT holds the options of the JWT verifier; Issuer is "" without one. They have been
	// checked with jwtauth.New.
	JWT jwtauth.Options
	// Resource, Servers and ScopesSupported are those of server.AuthOptions.
	Resource        string
	Servers         []string
	ScopesSupported []string
}

// Enabled reports whether requests are authenticated.
func (c *Config) Enabled() bool { return len(c.Tokens) > 0 || c.JWT.Issuer != "" }

// String describes the authentication for the start-up log line.
func (c *Config) String() string {
	var parts []string
	if c.JWT.Issuer != "" {
		parts = append(parts, "jwt (issuer "+c.JWT.Issuer+")")
	}
	if len(c.Tokens) > 0 {
		parts = append(parts, fmt.Sprintf("bearer (%d tokens)", len(c.Tokens)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " + ")
}

// AuthOptions returns the server's AuthOptions, nil without authentication. It fetches the
// JWT key set once, so that one out of reach shows in the log at start-up; that is not fatal.
func (c *Config) AuthOptions(ctx context.Context, logger *slog.Logger) *server.AuthOptions {
	if !c.Enabled() {
		return nil
	}
	v := &Verifier{Static: c.Tokens, Logger: logger}
	if c.JWT.Issuer != "" {
		if u, _ := url.Parse(c.JWT.JWKSURL); u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
			// MCP 2025-11-25, Basic § Authorization, Communication Security: "All authorization
			// server endpoints MUST be served over HTTPS"; a key set read in clear can be forged.
			logger.Warn("--auth-jwks is plain http beyond loopback: whoever can tamper with it can mint tokens this server accepts", "jwks", c.JWT.JWKSURL)
		}
		v.JWT, _ = jwtauth.New(c.JWT) // checked by the caller
		if err := v.JWT.Refresh(ctx); err != nil {
			logger.Warn("the JWT key set cannot be fetched now; tokens get 503 until it can", "jwks", c.JWT.JWKSURL, "err", err)
		}
	}
	return &server.AuthOptions{Verifier: v, Resource: c.Resource, AuthorizationServers: c.Servers, ScopesSupported: c.ScopesSupported}
}

// isLoopbackHost reports whether host (without port) names the loopback interface.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Verifier is serve's server.TokenVerifier: the static tokens, then the JWT verifier. It logs
// each outcome at debug level, never the token. It is safe for concurrent use once built.
type Verifier struct {
	Static []Token
	JWT    *jwtauth.Verifier // nil without --auth-issuer
	Logger *slog.Logger      // must not be nil
}

// ErrBadToken refuses a token that is no static token (and, without a JWT verifier, nothing
// else); it wraps server.ErrInvalidToken.
var ErrBadToken = fmt.Errorf("%w: invalid bearer token", server.ErrInvalidToken)

// VerifyToken implements server.TokenVerifier.
func (v *Verifier) VerifyToken(ctx context.Context, token, resource string, r *http.Request) (*mcp.AuthInfo, error) {
	info, err := v.verify(ctx, token, resource, r)
	if err != nil {
		v.Logger.DebugContext(ctx, "authentication failed", "remote", r.RemoteAddr, "err", err)
		return nil, err
	}
	v.Logger.DebugContext(ctx, "authenticated", "principal", info.Principal, "scopes", strings.Join(info.Scopes, " "), "method", r.Method, "path", r.URL.Path)
	return info, nil
}

func (v *Verifier) verify(ctx context.Context, token, resource string, r *http.Request) (*mcp.AuthInfo, error) {
	if t := match(v.Static, token); t != nil {
		return &mcp.AuthInfo{Principal: t.Principal, Scopes: t.Scopes}, nil
	}
	if v.JWT != nil {
		return v.JWT.VerifyToken(ctx, token, resource, r)
	}
	return nil, ErrBadToken
}
