package server

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/minimcp/minimcp/mcp"
)

// guard runs the checks every MCP request passes before its handler: Host (DNS rebinding),
// Origin, and authentication (see the design note in auth.go). The handler gets the
// principal; with Options.Auth, the request's context holds its AuthInfo (authOf).
func (h *Handler) guard(next func(w http.ResponseWriter, r *http.Request, principal string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.hostAllowed(r) {
			h.opts.Metrics.reject(reasonHost, "")
			writeError(w, http.StatusForbidden, CodeServerError, "Forbidden: Host "+strconvQuote(r.Host)+" is not allowed (DNS rebinding protection)")
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && !h.originAllowed(r, origin) {
			h.opts.Metrics.reject(reasonOrigin, "")
			// MCP 2025-11-25, Transports § Security Warning: "If the Origin header is present
			// and invalid, servers MUST respond with HTTP 403 Forbidden."
			writeError(w, http.StatusForbidden, CodeServerError, "Forbidden: Origin "+strconvQuote(origin)+" is not allowed")
			return
		}
		principal := ""
		if h.auth != nil {
			info := h.authenticate(w, r)
			if info == nil {
				return
			}
			principal = info.Principal
			r = r.WithContext(context.WithValue(r.Context(), authKey{}, info))
		} else if h.opts.Authenticate != nil {
			p, err := h.opts.Authenticate(r)
			if err != nil {
				h.opts.Metrics.reject(reasonAuth, "")
				// MCP 2025-11-25, Basic § Authorization: invalid or missing credentials get 401
				// with WWW-Authenticate (RFC 9110 §11.6.1).
				w.Header().Set("WWW-Authenticate", h.opts.AuthChallenge)
				writeError(w, http.StatusUnauthorized, CodeServerError, "Unauthorized: "+err.Error())
				return
			}
			principal = p
		}
		next(w, r, principal)
	}
}

func strconvQuote(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// isLoopbackName reports whether host (without port) names the loopback interface.
func isLoopbackName(host string) bool {
	switch host {
	case "localhost", "127.0.0.1", "::1", "[::1]":
		return true
	case "":
		return false
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if c := host[0]; c != '[' && (c < '0' || c > '9') && !strings.Contains(host, ":") {
		return false // a name, not an address: spare ParseIP its error
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// hostOnly strips the port from a Host value ("[::1]:8080" → "::1", "a:80" → "a").
func hostOnly(hostport string) string {
	if strings.HasPrefix(hostport, "[") {
		if i := strings.IndexByte(hostport, ']'); i > 0 {
			return hostport[1:i]
		}
		return hostport
	}
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && strings.IndexByte(hostport, ':') == i {
		return hostport[:i]
	}
	return hostport
}

// hostAllowed implements DNS rebinding protection (MCP 2025-11-25, Transports § Security
// Warning: "When running locally, servers SHOULD bind only to localhost"; a rebound DNS name
// reaches a loopback listener with a foreign Host): on a loopback listener only loopback
// names and AllowedHosts are accepted.
func (h *Handler) hostAllowed(r *http.Request) bool {
	if h.opts.DisableHostCheck {
		return true
	}
	host := hostOnly(r.Host)
	if slices.ContainsFunc(h.opts.AllowedHosts, func(a string) bool {
		return strings.EqualFold(a, r.Host) || strings.EqualFold(a, host)
	}) {
		return true
	}
	if isLoopbackName(host) {
		return true
	}
	if len(h.opts.AllowedHosts) > 0 {
		return false
	}
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return true
	}
	tcp, ok := addr.(*net.TCPAddr)
	return !ok || !tcp.IP.IsLoopback()
}

// originAllowed accepts an Origin listed in AllowedOrigins, the request's own origin
// (same Host), and loopback origins.
func (h *Handler) originAllowed(r *http.Request, origin string) bool {
	for _, a := range h.opts.AllowedOrigins {
		if a == "*" || strings.EqualFold(strings.TrimSuffix(a, "/"), origin) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return isLoopbackName(u.Hostname()) && isLoopbackName(hostOnly(r.Host))
}

// isJSONContentType reports whether a Content-Type is application/json, with or without
// parameters such as charset (RFC 9110 §8.3.1: the type is case-insensitive).
func isJSONContentType(ct string) bool {
	const want = "application/json"
	ct = strings.TrimLeft(ct, " \t")
	if len(ct) < len(want) || !strings.EqualFold(ct[:len(want)], want) {
		return false
	}
	rest := strings.TrimLeft(ct[len(want):], " \t")
	return rest == "" || rest[0] == ';'
}

// accepts reports what an Accept header allows: JSON, SSE. An absent header accepts both;
// entries with q=0 are refused (RFC 9110 §12.5.1).
func accepts(accept string) (jsonOK, sseOK bool) {
	if accept == "" {
		return true, true
	}
	for rest := accept; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		mt, params, _ := strings.Cut(part, ";")
		if refused(params) {
			continue
		}
		mt = strings.TrimSpace(mt)
		switch {
		case strings.EqualFold(mt, "application/json"), strings.EqualFold(mt, "application/*"):
			jsonOK = true
		case strings.EqualFold(mt, "text/event-stream"), strings.EqualFold(mt, "text/*"):
			sseOK = true
		case mt == "*/*":
			jsonOK, sseOK = true, true
		}
	}
	return jsonOK, sseOK
}

// refused reports whether media-type parameters carry q=0 (q=0, q=0.0, q=0.00, ...).
func refused(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		v = strings.TrimSpace(v)
		return strings.Trim(v, "0.") == "" && strings.HasPrefix(v, "0")
	}
	return false
}

// protocolVersion reads the MCP-Protocol-Version header (MCP 2025-11-25, Transports §
// Protocol Version Header: "If the server receives a request with an invalid or unsupported
// MCP-Protocol-Version, it MUST respond with 400 Bad Request"). ok is false for an
// unsupported version: one of a session's revisions that srv does not serve
// (mcp.ServerOptions.ProtocolVersions).
func protocolVersion(r *http.Request, srv *mcp.Server) (v string, ok bool) {
	v = r.Header.Get(hdrProtocolVersion)
	if v == "" {
		return "", true
	}
	return v, mcp.IsSupportedVersion(v) && srv.ServesVersion(v)
}

// unsupportedVersion refuses a request of the session era at version v, naming the
// versions of that era srv serves.
func (h *Handler) unsupportedVersion(w http.ResponseWriter, v string) {
	h.opts.Metrics.reject(reasonProtocol, "")
	unsupportedVersion(w, v, h.x.srv)
}

// unsupportedVersion refuses a request of the session era at version v, naming the
// versions of that era srv serves.
func unsupportedVersion(w http.ResponseWriter, v string, srv *mcp.Server) {
	var served []string
	for _, s := range srv.Versions() {
		if mcp.IsSupportedVersion(s) {
			served = append(served, s)
		}
	}
	writeError(w, http.StatusBadRequest, CodeServerError, "Bad Request: unsupported MCP-Protocol-Version "+strconvQuote(v)+
		"; supported: "+strings.Join(served, ", "))
}
