package mcp

import (
	"context"
	"fmt"

	"github.com/minimcp/minimcp/rpc"
)

// ResourceHandler reads a resource registered with [Server.AddResource]. Return
// [ResourceNotFound] for a resource that is gone.
type ResourceHandler func(ctx context.Context, req *Request, uri string) (*ReadResourceResult, error)

// ResourceTemplateHandler reads a resource matched by a template registered with
// [Server.AddResourceTemplate]; vars holds the template's variables, percent-decoded.
type ResourceTemplateHandler func(ctx context.Context, req *Request, uri string, vars map[string]string) (*ReadResourceResult, error)

type resourceEntry struct {
	res     *Resource
	handler ResourceHandler
}

type templateEntry struct {
	tmpl    *ResourceTemplate
	match   *URITemplate
	handler ResourceTemplateHandler
}

// AddResource registers a resource (MCP 2025-11-25, Server § Resources). It panics on a nil
// resource or handler, an empty URI or name, or a duplicate URI.
func (s *Server) AddResource(r *Resource, h ResourceHandler) {
	if r == nil || h == nil {
		panic("mcp: AddResource with a nil resource or handler")
	}
	if r.URI == "" || r.Name == "" {
		panic("mcp: a resource needs a uri and a name")
	}
	res := *r
	s.mu.Lock()
	ok := s.resources.add(res.URI, &resourceEntry{res: &res, handler: h})
	s.mu.Unlock()
	if !ok {
		panic(fmt.Sprintf("mcp: duplicate resource %q", res.URI))
	}
	s.listChanged(NotificationResourceListChanged)
}

// AddResourceTemplate registers a resource template, an RFC 6570 URI template such as
// "file:///logs/{date}.txt" or "file:///{+path}{?rev}" (MCP 2025-11-25, Server § Resources,
// Resource Templates: "Arguments may be auto-completed through the completion API"; see
// [URITemplate.Match] for how a URI read by a client is matched). Templates are tried in
// registration order, after the static resources. It panics on a nil template or handler,
// a template [ParseURITemplate] rejects (check templates that come from users with it
// first), or a duplicate.
func (s *Server) AddResourceTemplate(t *ResourceTemplate, h ResourceTemplateHandler) {
	if t == nil || h == nil {
		panic("mcp: AddResourceTemplate with a nil template or handler")
	}
	if t.Name == "" {
		panic("mcp: a resource template needs a name")
	}
	m, err := ParseURITemplate(t.URITemplate)
	if err != nil {
		panic(err.Error())
	}
	tmpl := *t
	s.mu.Lock()
	ok := s.templates.add(tmpl.URITemplate, &templateEntry{tmpl: &tmpl, match: m, handler: h})
	s.mu.Unlock()
	if !ok {
		panic(fmt.Sprintf("mcp: duplicate resource template %q", tmpl.URITemplate))
	}
	s.listChanged(NotificationResourceListChanged)
}

// RemoveResources unregisters resources by URI; unknown URIs are ignored.
func (s *Server) RemoveResources(uris ...string) {
	s.mu.Lock()
	removed := s.resources.remove(uris...)
	s.mu.Unlock()
	if removed {
		s.listChanged(NotificationResourceListChanged)
	}
}

// RemoveResourceTemplates unregisters resource templates by their URI template.
func (s *Server) RemoveResourceTemplates(templates ...string) {
	s.mu.Lock()
	removed := s.templates.remove(templates...)
	s.mu.Unlock()
	if removed {
		s.listChanged(NotificationResourceListChanged)
	}
}

// ResourceUpdated tells every session subscribed to uri that it changed (MCP 2025-11-25,
// Server § Resources, Subscriptions: notifications/resources/updated), and every
// subscriptions/listen stream that names it, through the bus (MCP 2026-07-28, Basic §
// Subscriptions).
//
// Sessions whose transport feeds them from the bus ([Session.SetChangeFeed]) hear of it from
// there.
func (s *Server) ResourceUpdated(ctx context.Context, uri string) {
	s.notifyAll(ctx, NotificationResourceUpdated, &ResourceUpdatedNotificationParams{URI: uri},
		func(ss *Session) bool { return !ss.fed.Load() && ss.subscribed(uri) })
	s.publish(ctx, Change{Kind: ChangeResource, URI: uri})
}

func (s *Server) listResources(r *Request) (any, error) {
	cursor, err := cursorOf(r)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	entries, next, err := s.resources.page(cursor, s.opts.PageSize)
	if err == nil && r.modern() {
		r.cache = listHint(s.opts.ListCache, &s.resources, entries, func(e *resourceEntry) CacheHint { return e.res.Cache })
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	out := make([]*Resource, len(entries))
	for i, e := range entries {
		out[i] = e.res
	}
	return &ListResourcesResult{Resources: out, NextCursor: next}, nil
}

func (s *Server) listResourceTemplates(r *Request) (any, error) {
	cursor, err := cursorOf(r)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	entries, next, err := s.templates.page(cursor, s.opts.PageSize)
	if err == nil && r.modern() {
		r.cache = listHint(s.opts.ListCache, &s.templates, entries, func(e *templateEntry) CacheHint { return e.tmpl.Cache })
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	out := make([]*ResourceTemplate, len(entries))
	for i, e := range entries {
		out[i] = e.tmpl
	}
	return &ListResourceTemplatesResult{ResourceTemplates: out, NextCursor: next}, nil
}

// foundResource is what findResource found for a URI.
type foundResource struct {
	read func(ctx context.Context, r *Request) (*ReadResourceResult, error)
	// cache is the cache hint of what read returns.
	cache CacheHint
	// scopes are the scopes reading it needs (Resource.Scopes, ResourceTemplate.Scopes).
	scopes []string
}

// findResource returns the handler for uri, the cache hint of what it reads and the scopes it
// needs: a static resource first, then the first template (in registration order) that
// matches.
func (s *Server) findResource(uri string) (foundResource, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e, ok := s.resources.get(uri); ok {
		return foundResource{func(ctx context.Context, r *Request) (*ReadResourceResult, error) { return e.handler(ctx, r, uri) },
			e.res.Cache, e.res.Scopes}, true
	}
	for _, key := range s.templates.order {
		e, _ := s.templates.get(key)
		if vars, ok := e.match.Match(uri); ok {
			return foundResource{func(ctx context.Context, r *Request) (*ReadResourceResult, error) {
				return e.handler(ctx, r, uri, vars)
			}, e.tmpl.Cache, e.tmpl.Scopes}, true
		}
	}
	return foundResource{}, false
}

// uriParam returns the uri of resources/read, subscribe or unsubscribe, checked against
// ServerOptions.MaxURILength.
func uriParam(r *Request) (string, error) {
	var p struct {
		URI string `json:"uri"`
	}
	if err := onceMembers(r.Method, r.Params, "uri"); err != nil {
		return "", err
	}
	if err := unmarshalParams(r.Params, &p); err != nil {
		return "", err
	}
	if p.URI == "" {
		return "", rpc.InvalidParams("%s: uri is required", r.Method)
	}
	if max := r.srv.opts.MaxURILength; len(p.URI) > max {
		return "", rpc.InvalidParams("%s: uri is %d bytes long, more than the limit of %d", r.Method, len(p.URI), max)
	}
	return p.URI, nil
}

func (s *Server) readResource(ctx context.Context, r *Request) (any, error) {
	uri, err := uriParam(r)
	if err != nil {
		return nil, err
	}
	found, ok := s.findResource(uri)
	if !ok {
		return nil, ResourceNotFound(uri)
	}
	if err := r.checkScopes(found.scopes); err != nil {
		return nil, err // before the handler runs (see the design note in auth.go)
	}
	r.cache = found.cache
	res, err := found.read(ctx, r)
	if err != nil {
		return nil, err
	}
	if res == nil {
		res = &ReadResourceResult{}
	}
	return res, nil
}

// subscribe handles resources/subscribe and resources/unsubscribe (MCP 2025-11-25, Server §
// Resources, Subscriptions). Without a session there is nothing to deliver updates to, so the
// request succeeds and changes nothing. A session holds at most ServerOptions.MaxSubscriptions.
func (s *Server) subscribe(r *Request) (any, error) {
	uri, err := uriParam(r)
	if err != nil {
		return nil, err
	}
	if r.Method == MethodResourcesSubscribe {
		found, ok := s.findResource(uri)
		if !ok {
			return nil, ResourceNotFound(uri)
		}
		if err := r.checkScopes(found.scopes); err != nil {
			return nil, err // updates tell what reading would
		}
		if max := s.opts.MaxSubscriptions; r.sess != nil && !r.sess.subscribe(uri, max) {
			return nil, rpc.InvalidParams("%s: this session already holds %d subscriptions, the most allowed; unsubscribe from one first", r.Method, max)
		}
	} else if r.sess != nil {
		r.sess.unsubscribe(uri)
	}
	return emptyObject, nil
}
