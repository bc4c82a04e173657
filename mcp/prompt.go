package mcp

import (
	"context"
	"fmt"

	"github.com/minimcp/minimcp/rpc"
)

// PromptHandler renders a prompt registered with [Server.AddPrompt]. args holds the
// arguments the client sent; the required ones are checked before the handler runs.
type PromptHandler func(ctx context.Context, req *Request, args map[string]string) (*GetPromptResult, error)

type promptEntry struct {
	prompt  *Prompt
	handler PromptHandler
}

// AddPrompt registers a prompt (MCP 2025-11-25, Server § Prompts). It panics on a nil prompt
// or handler, an empty name, or a duplicate.
func (s *Server) AddPrompt(p *Prompt, h PromptHandler) {
	if p == nil || h == nil {
		panic("mcp: AddPrompt with a nil prompt or handler")
	}
	if p.Name == "" {
		panic("mcp: prompt with an empty name")
	}
	prompt := *p
	s.mu.Lock()
	ok := s.prompts.add(prompt.Name, &promptEntry{prompt: &prompt, handler: h})
	s.mu.Unlock()
	if !ok {
		panic(fmt.Sprintf("mcp: duplicate prompt %q", prompt.Name))
	}
	s.listChanged(NotificationPromptListChanged)
}

// RemovePrompts unregisters the named prompts; unknown names are ignored.
func (s *Server) RemovePrompts(names ...string) {
	s.mu.Lock()
	removed := s.prompts.remove(names...)
	s.mu.Unlock()
	if removed {
		s.listChanged(NotificationPromptListChanged)
	}
}

func (s *Server) listPrompts(r *Request) (any, error) {
	cursor, err := cursorOf(r)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	entries, next, err := s.prompts.page(cursor, s.opts.PageSize)
	s.mu.RUnlock()
	r.cache = s.opts.ListCache
	if err != nil {
		return nil, err
	}
	out := make([]*Prompt, len(entries))
	for i, e := range entries {
		out[i] = e.prompt
	}
	return &ListPromptsResult{Prompts: out, NextCursor: next}, nil
}

func (s *Server) getPrompt(ctx context.Context, r *Request) (any, error) {
	var p GetPromptParams
	if err := onceMembers(r.Method, r.Params, "name", "arguments"); err != nil {
		return nil, err
	}
	if err := unmarshalParams(r.Params, &p); err != nil {
		return nil, err
	}
	if p.Name == "" {
		return nil, rpc.InvalidParams("prompts/get: name is required")
	}
	s.mu.RLock()
	e, ok := s.prompts.get(p.Name)
	s.mu.RUnlock()
	if !ok {
		return nil, UnknownPrompt(p.Name)
	}
	if err := r.checkScopes(e.prompt.Scopes); err != nil {
		return nil, err // before the handler runs (see the design note in auth.go)
	}
	// MCP 2025-11-25, Server § Prompts, Error Handling: "Missing required arguments: -32602".
	for _, a := range e.prompt.Arguments {
		if _, ok := p.Arguments[a.Name]; a.Required && !ok {
			return nil, rpc.InvalidParams("prompt %q: missing required argument %q", p.Name, a.Name)
		}
	}
	if p.Arguments == nil {
		p.Arguments = map[string]string{}
	}
	res, err := e.handler(ctx, r, p.Arguments)
	if err != nil {
		return nil, err
	}
	if res == nil {
		res = &GetPromptResult{}
	}
	return res, nil
}
