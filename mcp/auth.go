package mcp

import (
	"bytes"
	"slices"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: scopes of tools, prompts and resources.

A tool, prompt, resource or resource template may name the OAuth scopes its use needs
(Tool.Scopes and the like). The transport authenticates the caller (MCP 2025-11-25 and
2026-07-28, Basic § Authorization: the MCP server is an OAuth 2.1 resource server) and hands
what it learned to the request as an [AuthInfo]; the scopes are checked before the handler
runs, in both eras, at two places:

  - An HTTP transport checks them before dispatch, with [Server.RequiredScopes], and refuses
    a request that lacks one with HTTP 403 and WWW-Authenticate: Bearer
    error="insufficient_scope", scope="..." (MCP 2025-11-25, Basic § Authorization, Scope
    Challenge Handling: "the server SHOULD respond with HTTP 403 Forbidden" and the scopes
    needed). That is the answer clients act on: their step-up authorization flow watches the
    HTTP status and the challenge, not JSON-RPC errors.
  - The server checks them again when the method finds what it serves, and answers a JSON-RPC
    error, [CodeInsufficientScope], with the scopes needed in data. A transport without HTTP
    (stdio, whose credentials come from the environment: "Implementations using an STDIO
    transport SHOULD NOT follow this specification") or one that skipped the first check
    still cannot reach the handler.

Scopes are checked only when the transport authenticated the request (Request.Auth is not
nil): without authentication there is nobody to hold a scope, and a server run without it has
chosen to trust its callers.

Lists are not filtered: tools/list shows a tool the caller cannot call yet. The step-up flow
needs it (a client learns which scopes a tool needs by calling it and reading the 403), and
neither the spec nor the official SDKs hide entries by scope.

Scope hierarchies (MCP 2026-07-28, Basic § Authorization, Step-Up Authorization Flow:
"Servers MUST account for scope hierarchies, where a broader scope implies narrower ones")
are the verifier's to resolve: AuthInfo.Scopes lists every scope the token grants, implied
ones included, and the check here is set membership.
*/

// AuthInfo is what a transport's authentication established about the caller of a request
// (see [Request.Auth]). It is shared by the requests of one HTTP request and must not be
// modified.
type AuthInfo struct {
	// Principal identifies the caller (for a JWT access token, its issuer's subject);
	// sessions and tasks are bound to it.
	Principal string
	// Scopes are the OAuth scopes the token grants, implied ones included.
	Scopes []string
	// Expiry is when the token expires; zero when it does not say.
	Expiry time.Time
	// Claims are the token's other claims (for a JWT, its payload), nil when there are none.
	Claims map[string]any
}

// HasScope reports whether a grants scope.
func (a *AuthInfo) HasScope(scope string) bool {
	return a != nil && slices.Contains(a.Scopes, scope)
}

// MissingScopes returns the scopes of required that a does not grant, in required's order,
// nil when it grants them all.
func (a *AuthInfo) MissingScopes(required []string) []string {
	var missing []string
	for _, s := range required {
		if !a.HasScope(s) && !slices.Contains(missing, s) {
			missing = append(missing, s)
		}
	}
	return missing
}

// CodeInsufficientScope refuses a request whose access token lacks a scope the tool, prompt
// or resource it names requires. It is an implementation-defined code (schema/2026-07-28:
// "-32000 to -32019: implementation-defined"); over HTTP such a request is refused with 403
// before it reaches the server (see the design note in auth.go).
const CodeInsufficientScope int64 = -32003

// InsufficientScope returns the CodeInsufficientScope error for a request that needs
// required, of which missing are not granted; data lists both ({"requiredScopes": [...],
// "missingScopes": [...]}).
func InsufficientScope(required, missing []string) *rpc.Error {
	return rpc.NewError(CodeInsufficientScope, "Insufficient scope: this request needs the scopes "+
		strings.Join(required, " ")+"; the access token lacks "+strings.Join(missing, " ")).
		WithData(struct {
			Required []string `json:"requiredScopes"`
			Missing  []string `json:"missingScopes"`
		}{required, missing})
}

// checkScopes refuses r when it is authenticated and lacks one of required.
func (r *Request) checkScopes(required []string) error {
	auth := r.Auth()
	if auth == nil || len(required) == 0 {
		return nil
	}
	if missing := auth.MissingScopes(required); missing != nil {
		return InsufficientScope(required, missing)
	}
	return nil
}

// RequiredScopes returns the scopes a request of method with params needs: those of the tool
// tools/call names, the prompt prompts/get names, the resource (or the first template that
// matches its URI, as resources/read finds it) that resources/read or resources/subscribe
// names (a subscription delivers what reading would), every resource subscriptions/listen
// watches (its resourceSubscriptions: the same updates), and those of the prompt or template
// whose arguments completion/complete completes. It is nil for other methods, for params it cannot read, and
// for names nothing registered answers to: the method's handler answers those. A transport
// calls it before dispatch to refuse the request with its own status (HTTP 403); the server
// checks again before the handler runs. It is safe for concurrent use and does not keep
// params.
func (s *Server) RequiredScopes(method string, params json.RawMessage) []string {
	switch method {
	case MethodToolsCall:
		name, ok := memberString(params, "name")
		if !ok {
			return nil
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		if e, ok := s.tools.get(name); ok {
			return e.tool.Scopes
		}
	case MethodPromptsGet:
		name, ok := memberString(params, "name")
		if !ok {
			return nil
		}
		return s.promptScopes(name)
	case MethodResourcesRead, MethodResourcesSubscribe:
		uri, ok := memberString(params, "uri")
		if !ok {
			return nil
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.resourceScopesLocked(uri)
	case MethodSubscriptionsListen:
		var p struct {
			Notifications struct {
				ResourceSubscriptions []string `json:"resourceSubscriptions"`
			} `json:"notifications"`
		}
		if json.Unmarshal(params, &p) != nil {
			return nil
		}
		return s.resourcesScopes(p.Notifications.ResourceSubscriptions)
	case MethodCompletionComplete:
		// The completion handler of a prompt or template is its code, and may suggest what
		// the prompt or template guards: it needs the same scopes.
		ref, _ := memberValue(params, "ref")
		typ, _ := memberString(ref, "type")
		switch typ {
		case RefPrompt:
			if name, ok := memberString(ref, "name"); ok {
				return s.promptScopes(name)
			}
		case RefResource:
			if uri, ok := memberString(ref, "uri"); ok {
				return s.templateScopes(uri)
			}
		}
	}
	return nil
}

// resourcesScopes returns the scopes reading any of uris needs, each once, nil for none.
func (s *Server) resourcesScopes(uris []string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []string
	for _, u := range uris {
		for _, sc := range s.resourceScopesLocked(u) {
			if !slices.Contains(all, sc) {
				all = append(all, sc)
			}
		}
	}
	return all
}

// promptScopes returns the scopes of the prompt name, nil for none.
func (s *Server) promptScopes(name string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e, ok := s.prompts.get(name); ok {
		return e.prompt.Scopes
	}
	return nil
}

// templateScopes returns the scopes of the resource template uriTemplate, nil for none.
func (s *Server) templateScopes(uriTemplate string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e, ok := s.templates.get(uriTemplate); ok {
		return e.tmpl.Scopes
	}
	return nil
}

// memberValue returns the raw value of the member key of the JSON object obj.
func memberValue(obj []byte, key string) ([]byte, bool) {
	var lit []byte
	_ = jsontext.EachMemberValid(obj, func(k, v []byte) bool {
		if string(k) == key {
			lit = v
			return false
		}
		return true
	})
	return lit, lit != nil
}

// memberString returns the member key of the JSON object obj when it is a string.
func memberString(obj []byte, key string) (string, bool) {
	lit, _ := memberValue(obj, key)
	if len(lit) < 2 || lit[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(lit, '\\') < 0 {
		return string(lit[1 : len(lit)-1]), true
	}
	return jsontext.Unquote(lit)
}

// resourceScopesLocked returns the scopes of the resource uri, found as findResource finds
// it. s.mu is held.
func (s *Server) resourceScopesLocked(uri string) []string {
	if e, ok := s.resources.get(uri); ok {
		return e.res.Scopes
	}
	for _, key := range s.templates.order {
		e, _ := s.templates.get(key)
		if _, ok := e.match.Match(uri); ok {
			return e.tmpl.Scopes
		}
	}
	return nil
}
