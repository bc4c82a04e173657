package mcp

import (
	"context"
	"fmt"

	"github.com/minimcp/minimcp/rpc"
)

// MaxCompletionValues is the most values one completion/complete result may carry
// (MCP 2025-11-25, Server § Utilities, Completion: "values ... Must not exceed 100 items").
const MaxCompletionValues = 100

// CompletionHandler suggests values for one argument of a prompt or one variable of a
// resource template. value is what the user typed so far; context holds the arguments
// already resolved (since 2025-06-18; nil otherwise). Results beyond [MaxCompletionValues]
// are cut, with hasMore set and total the full count.
type CompletionHandler func(ctx context.Context, req *Request, argument, value string, context map[string]string) ([]string, error)

// Completion reference types (schema/2025-11-25/schema.ts: PromptReference, ResourceTemplateReference).
const (
	RefPrompt   = "ref/prompt"
	RefResource = "ref/resource"
)

// AddPromptCompletion registers the completion handler for the arguments of the named
// prompt. It panics on a nil handler or a second handler for the same prompt.
func (s *Server) AddPromptCompletion(prompt string, h CompletionHandler) {
	s.addCompletion(RefPrompt+" "+prompt, h)
}

// AddTemplateCompletion registers the completion handler for the variables of the resource
// template uriTemplate.
func (s *Server) AddTemplateCompletion(uriTemplate string, h CompletionHandler) {
	s.addCompletion(RefResource+" "+uriTemplate, h)
}

func (s *Server) addCompletion(key string, h CompletionHandler) {
	if h == nil {
		panic("mcp: nil completion handler")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.completions == nil {
		s.completions = make(map[string]CompletionHandler)
	}
	if _, dup := s.completions[key]; dup {
		panic(fmt.Sprintf("mcp: duplicate completion handler for %s", key))
	}
	s.completions[key] = h
}

func (s *Server) complete(ctx context.Context, r *Request) (any, error) {
	var p CompleteParams
	if err := unmarshalParams(r.Params, &p); err != nil {
		return nil, err
	}
	var (
		key    string
		scopes []string
	)
	s.mu.RLock()
	switch p.Ref.Type {
	case RefPrompt:
		e, ok := s.prompts.get(p.Ref.Name)
		if !ok {
			s.mu.RUnlock()
			return nil, UnknownPrompt(p.Ref.Name)
		}
		key, scopes = RefPrompt+" "+p.Ref.Name, e.prompt.Scopes
	case RefResource:
		e, ok := s.templates.get(p.Ref.URI)
		if !ok {
			s.mu.RUnlock()
			return nil, rpc.InvalidParams("completion/complete: unknown resource template %q", p.Ref.URI)
		}
		key, scopes = RefResource+" "+p.Ref.URI, e.tmpl.Scopes
	default:
		s.mu.RUnlock()
		return nil, rpc.InvalidParams("completion/complete: ref.type must be %q or %q, got %q", RefPrompt, RefResource, p.Ref.Type)
	}
	h := s.completions[key]
	s.mu.RUnlock()
	// The completion handler may suggest what the prompt or template guards (its arguments'
	// values drawn from the same data): it needs their scopes, checked before it runs (see
	// the design note in auth.go).
	if err := r.checkScopes(scopes); err != nil {
		return nil, err
	}
	res := &CompleteResult{Completion: Completion{Values: []string{}}}
	if h == nil {
		return res, nil
	}
	var argCtx map[string]string
	if p.Context != nil {
		argCtx = p.Context.Arguments
	}
	values, err := h(ctx, r, p.Argument.Name, p.Argument.Value, argCtx)
	if err != nil {
		return nil, err
	}
	if len(values) > MaxCompletionValues {
		total := len(values)
		res.Completion.Total = &total
		res.Completion.HasMore = true
		values = values[:MaxCompletionValues]
	}
	if values != nil {
		res.Completion.Values = values
	}
	return res, nil
}
