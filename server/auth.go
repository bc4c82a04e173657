package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: the OAuth resource server.

With Options.Auth the handler is an OAuth 2.1 resource server (MCP 2025-11-25 and 2026-07-28,
Basic § Authorization, Roles). Every request to the MCP endpoint (POST, GET, DELETE, and the
HTTP+SSE routes) carries "Authorization: Bearer <token>" (§ Access Token Usage: "authorization
MUST be included in every HTTP request from client to server"); guard hands the token to the
TokenVerifier with the canonical URI of this server, which the token must have been issued for
(§ Token Handling; RFC 8707 §2), and answers:

  - no token, or one the verifier refuses (ErrInvalidToken): 401 with WWW-Authenticate: Bearer
    resource_metadata="...", scope="..." (§ Protected Resource Metadata Discovery Requirements,
    RFC 9728 §5.1; the scope a client should ask for, RFC 6750 §3), plus error="invalid_token"
    when a token was sent (RFC 6750 §3.1: a request without one gets no error code);
  - two Authorization fields, or an access_token in the query string: 400 with
    error="invalid_request" (RFC 6750 §2, §3.1; § Token Requirements);
  - a verifier that cannot decide (its key set unreachable): 503 with Retry-After, since the
    token may well be good and the client should not start a new authorization for it;
  - a token without the scopes the endpoint needs (AuthOptions.Scopes), or the tool, prompt or
    resource a request names needs (mcp.Tool.Scopes and the like, read by
    mcp.Server.RequiredScopes once the body is decoded): 403 with Bearer
    error="insufficient_scope", scope="..." (§ Scope Challenge Handling, Runtime Insufficient
    Scope Errors). The scope parameter lists every scope the operation needs, not only the
    missing ones and not the ones the token happens to hold: 2026-07-28 asks for "all scopes
    required for the current operation in a single challenge" and leaves accumulating scopes
    to the client; 2025-11-25's "minimum approach" is the same set. A batch (2025-03-26) is
    refused whole when one of its requests lacks a scope.

The metadata document (RFC 9728 §2) is served without authentication at
/.well-known/oauth-protected-resource followed by the resource's path (RFC 9728 §3.1: the
well-known string is inserted between the host and the path), and at the root, the two places
a client tries (§ Protected Resource Metadata Discovery Requirements, Well-Known URI). Both
hold the same document, whose resource is AuthOptions.Resource: the audience the verifier
checks, so a client that read either asks for a token this server accepts.

The verifier gets AuthOptions.Resource, never a value made from the request's Host: a Host
chosen by the caller would let a token issued for another server pass the audience check.
*/

// ErrInvalidToken is what a [TokenVerifier] returns (wrapped, with the reason) for a token it
// refuses: malformed, expired or not yet valid, of another issuer or audience, badly signed.
// The request gets 401.
var ErrInvalidToken = errors.New("server: invalid access token")

// TokenVerifier verifies the bearer tokens of requests (MCP 2025-11-25, Basic §
// Authorization, Token Handling: servers "MUST validate access tokens as described in OAuth
// 2.1 Section 5.2"). Implementations must be safe for concurrent use.
type TokenVerifier interface {
	// VerifyToken checks token, sent by r, and returns what it grants: the principal, the
	// scopes (implied ones included: see [mcp.AuthInfo]), the expiry and the other claims.
	// resource is the canonical URI of this server ([AuthOptions.Resource]), the audience the
	// token must have been issued for (RFC 8707 §2; MCP § Token Handling: servers "MUST
	// validate that access tokens were issued specifically for them as the intended
	// audience"); a verifier configured with its own audience may ignore it. An error wrapping
	// [ErrInvalidToken] answers 401; any other error means the verifier could not decide and
	// answers 503 with Retry-After.
	VerifyToken(ctx context.Context, token, resource string, r *http.Request) (*mcp.AuthInfo, error)
}

// TokenVerifierFunc adapts a function to [TokenVerifier].
type TokenVerifierFunc func(ctx context.Context, token, resource string, r *http.Request) (*mcp.AuthInfo, error)

// VerifyToken calls f.
func (f TokenVerifierFunc) VerifyToken(ctx context.Context, token, resource string, r *http.Request) (*mcp.AuthInfo, error) {
	return f(ctx, token, resource, r)
}

// AuthOptions makes the handler an OAuth 2.1 resource server (see the design note in
// auth.go). Verifier is required; with AuthorizationServers, so is Resource.
type AuthOptions struct {
	// Verifier checks the bearer token of every request.
	Verifier TokenVerifier
	// Resource is the canonical URI of this MCP server (MCP 2025-11-25, Basic §
	// Authorization, Canonical Server URI), such as "https://mcp.example.com/mcp": the
	// audience tokens must name, passed to Verifier, and the resource of the metadata
	// document. An absolute http or https URI without a fragment.
	Resource string
	// AuthorizationServers are the issuer identifiers of the authorization servers that issue
	// tokens for this server, listed in the protected resource metadata (MCP § Authorization
	// Server Location: the document "MUST include the authorization_servers field containing
	// at least one authorization server"). Without them no metadata is served and 401
	// answers carry no resource_metadata.
	AuthorizationServers []string
	// ScopesSupported is the scopes_supported of the metadata (RFC 9728 §2), the scopes a
	// client asks for when a challenge names none (MCP § Scope Selection Strategy). Empty
	// leaves the member out.
	ScopesSupported []string
	// Scopes are scopes every request to the endpoint needs; a token without them gets 403
	// insufficient_scope. They are the scope of 401 challenges, else ScopesSupported is.
	Scopes []string
}

// authState is the resource server of a handler, made by New from Options.Auth.
type authState struct {
	opts AuthOptions
	// metadataURL is the resource_metadata of challenges, "" without metadata.
	metadataURL string
	// metadata is the protected resource metadata document, nil without one.
	metadata []byte
	// metadataPaths are the paths the document is served at.
	metadataPaths []string
}

// wellKnownPRM is the well-known URI suffix of protected resource metadata (RFC 9728 §3).
const wellKnownPRM = "/.well-known/oauth-protected-resource"

// newAuthState checks o (panicking on a programmer error, as New does) and prepares the
// metadata. endpoint is the path of the MCP endpoint.
func newAuthState(o *AuthOptions, endpoint string) *authState {
	if o.Verifier == nil {
		panic("server: Options.Auth without a Verifier")
	}
	a := &authState{opts: *o}
	if o.Resource != "" {
		u, err := url.Parse(o.Resource)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" || strings.Contains(o.Resource, "#") {
			panic(fmt.Sprintf("server: AuthOptions.Resource %q: want an absolute http or https URI without a fragment", o.Resource))
		}
	}
	if len(o.AuthorizationServers) == 0 {
		return a
	}
	if o.Resource == "" {
		panic("server: AuthOptions.AuthorizationServers without a Resource: the metadata document names it")
	}
	u, _ := url.Parse(o.Resource)
	suffix := strings.TrimSuffix(u.EscapedPath(), "/")
	// RFC 9728 §3.1: "inserting a well-known URI string into the protected resource's
	// resource identifier between the host component and the path and/or query components".
	a.metadataURL = u.Scheme + "://" + u.Host + wellKnownPRM + suffix
	a.metadataPaths = []string{wellKnownPRM}
	for _, p := range []string{suffix, endpoint} {
		if p != "" && p != "/" && !slices.Contains(a.metadataPaths, wellKnownPRM+p) {
			a.metadataPaths = append(a.metadataPaths, wellKnownPRM+p)
		}
	}
	doc := struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		ScopesSupported      []string `json:"scopes_supported,omitempty"`
		BearerMethods        []string `json:"bearer_methods_supported"`
	}{o.Resource, o.AuthorizationServers, o.ScopesSupported,
		// MCP § Token Requirements: the Authorization header, and "Access tokens MUST NOT be
		// included in the URI query string".
		[]string{"header"}}
	a.metadata, _ = json.Marshal(doc)
	return a
}

// serveMetadata answers the protected resource metadata document (RFC 9728 §3.2: 200, "using
// the application/json content type"). It is public, as the challenges pointing to it are:
// any origin may read it, so browser-based clients can discover the authorization server.
func (a *authState) serveMetadata(w http.ResponseWriter, _ *http.Request) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(a.metadata)
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header (RFC 6750 §2.1;
// the scheme is case-insensitive, RFC 9110 §11.1), "" when there is none. Tokens in the query
// string or a form body are not looked at (MCP § Token Requirements).
func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// authenticate verifies r's token. It returns the AuthInfo, or nil once it has answered.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) *mcp.AuthInfo {
	a := h.auth
	// RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the token in each
	// request"; MCP § Token Requirements: "Access tokens MUST NOT be included in the URI query
	// string"; and a second Authorization field is a malformed request (RFC 9110 §5.3: it is
	// not a list). All answer 400 invalid_request (RFC 6750 §3.1), before any token is
	// looked at: a proxy in front that reads the other field, or the query, must not see
	// another caller than the one verified here.
	if len(r.Header.Values("Authorization")) > 1 || r.URL.Query().Has("access_token") {
		desc := "send one access token, in one Authorization header, never in the query string"
		a.refuse(w, http.StatusBadRequest, "invalid_request", desc, nil, "Bad Request: "+desc)
		return nil
	}
	tok := bearerToken(r)
	if tok == "" {
		h.opts.Metrics.reject(reasonAuth, "")
		h.opts.Logger.DebugContext(r.Context(), "server: no bearer token", "path", r.URL.Path)
		a.refuse(w, http.StatusUnauthorized, "", "", a.challengeScopes(), "Unauthorized: send Authorization: Bearer <access token>")
		return nil
	}
	info, err := a.opts.Verifier.VerifyToken(r.Context(), tok, a.opts.Resource, r)
	switch {
	case errors.Is(err, ErrInvalidToken):
		h.opts.Metrics.reject(reasonAuth, "")
		h.opts.Logger.DebugContext(r.Context(), "server: access token refused", "path", r.URL.Path, "err", err)
		desc := strings.TrimPrefix(err.Error(), ErrInvalidToken.Error()+": ")
		a.refuse(w, http.StatusUnauthorized, "invalid_token", desc, a.challengeScopes(), "Unauthorized: "+desc)
		return nil
	case err != nil || info == nil:
		if err == nil {
			err = errors.New("the verifier returned neither an AuthInfo nor an error")
		}
		h.opts.Metrics.reject(reasonAuth, "")
		h.opts.Logger.WarnContext(r.Context(), "server: access token not verified", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", retryAfter(h.opts.Retry))
		writeError(w, http.StatusServiceUnavailable, CodeServerError, "Service Unavailable: the access token cannot be verified now; try again later")
		return nil
	}
	if missing := info.MissingScopes(a.opts.Scopes); missing != nil {
		h.opts.Metrics.reject(reasonScope, "")
		a.insufficientScope(w, a.opts.Scopes, missing)
		return nil
	}
	return info
}

// challengeScopes returns the scope of 401 challenges: the scopes every request needs, else
// the scopes supported (MCP § Scope Selection Strategy: a client asks for the challenge's
// scope, else for scopes_supported).
func (a *authState) challengeScopes() []string {
	if len(a.opts.Scopes) > 0 {
		return a.opts.Scopes
	}
	return a.opts.ScopesSupported
}

// insufficientScope answers 403 for an operation that needs required, of which the token
// lacks missing (MCP § Scope Challenge Handling, Runtime Insufficient Scope Errors).
func (a *authState) insufficientScope(w http.ResponseWriter, required, missing []string) {
	desc := "this operation needs the scope " + strings.Join(missing, " ")
	if len(missing) > 1 {
		desc = "this operation needs the scopes " + strings.Join(missing, " ")
	}
	a.refuse(w, http.StatusForbidden, "insufficient_scope", desc, required, "Forbidden: insufficient scope: "+desc)
}

// refuse answers status with a Bearer challenge (RFC 6750 §3) and a JSON-RPC error body.
func (a *authState) refuse(w http.ResponseWriter, status int, code, desc string, scopes []string, msg string) {
	var b strings.Builder
	b.WriteString("Bearer")
	sep := " "
	param := func(k, v string) {
		b.WriteString(sep)
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(v)
		b.WriteByte('"')
		sep = ", "
	}
	if code != "" {
		param("error", code)
	}
	if len(scopes) > 0 {
		param("scope", challengeText(strings.Join(scopes, " ")))
	}
	if a.metadataURL != "" {
		param("resource_metadata", challengeText(a.metadataURL))
	}
	if desc != "" {
		param("error_description", challengeText(desc))
	}
	w.Header().Set("WWW-Authenticate", b.String())
	rpcCode := CodeServerError
	if code == "insufficient_scope" {
		rpcCode = mcp.CodeInsufficientScope
	}
	writeError(w, status, rpcCode, msg)
}

// challengeText keeps the characters RFC 6750 §3 allows in the values of a challenge
// (%x20-21 / %x23-5B / %x5D-7E: printable ASCII but '"' and '\'), replacing others with '?'.
func challengeText(s string) string {
	ok := func(c byte) bool { return c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' }
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		clean = ok(s[i])
	}
	if clean && len(s) <= 300 {
		return s
	}
	b := make([]byte, 0, min(len(s), 300))
	for i := 0; i < len(s) && len(b) < 300; i++ {
		if c := s[i]; ok(c) {
			b = append(b, c)
		} else {
			b = append(b, '?')
		}
	}
	return string(b)
}

// authKey is the context key of the AuthInfo guard established.
type authKey struct{}

// authOf returns the AuthInfo guard established for the request of ctx, nil without one.
func authOf(ctx context.Context) *mcp.AuthInfo {
	info, _ := ctx.Value(authKey{}).(*mcp.AuthInfo)
	return info
}

// scopesAllow refuses with 403 a frame one of whose requests names a tool, prompt or resource
// whose scopes the token lacks (see the design note in auth.go). It reports whether the frame
// may go on; it always may without Options.Auth.
func (h *Handler) scopesAllow(w http.ResponseWriter, info *mcp.AuthInfo, f *frame) bool {
	if h.auth == nil || info == nil {
		return true
	}
	var required []string
	for i := range f.msgs {
		m := &f.msgs[i]
		if m.Kind != rpc.KindRequest {
			continue
		}
		for _, s := range h.x.srv.RequiredScopes(m.Method, m.Params) {
			if !slices.Contains(required, s) {
				required = append(required, s)
			}
		}
	}
	missing := info.MissingScopes(required)
	if missing == nil {
		return true
	}
	// The challenge names what the whole operation needs, the endpoint's scopes included.
	all := slices.Clone(h.auth.opts.Scopes)
	for _, s := range required {
		if !slices.Contains(all, s) {
			all = append(all, s)
		}
	}
	h.opts.Metrics.reject(reasonScope, loneMethod(*f))
	h.auth.insufficientScope(w, all, missing)
	return false
}
