package client

import (
	"context"
	"errors"
	"fmt"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// What the server sends the client on its own: requests (sampling, elicitation, roots, ping)
// and notifications, routed as the design note in client.go says.

// answer runs the handler for a server's request of method (a server-to-client request in a
// 2025 session, an input request at 2026-07-28) and returns its result.
func (c *Client) answer(ctx context.Context, method string, params json.RawMessage) (any, error) {
	switch method {
	case mcp.MethodPing:
		return struct{}{}, nil
	case mcp.MethodSamplingCreateMessage:
		if c.opts.CreateMessageHandler == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoHandler, method)
		}
		var p mcp.CreateMessageParams
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, rpc.InvalidParams("%s: %v", method, err)
		}
		return c.opts.CreateMessageHandler(ctx, &p)
	case mcp.MethodElicitationCreate:
		if c.opts.ElicitationHandler == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoHandler, method)
		}
		var p mcp.ElicitParams
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, rpc.InvalidParams("%s: %v", method, err)
		}
		return c.opts.ElicitationHandler(ctx, &p)
	case mcp.MethodRootsList:
		if c.opts.RootsHandler == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoHandler, method)
		}
		roots, err := c.opts.RootsHandler(ctx)
		if err != nil {
			return nil, err
		}
		return &mcp.ListRootsResult{Roots: roots}, nil
	}
	return nil, rpc.MethodNotFound(method)
}

// answers reports whether the client has a handler for a server's request of method.
func (c *Client) answers(method string) bool {
	switch method {
	case mcp.MethodSamplingCreateMessage:
		return c.opts.CreateMessageHandler != nil
	case mcp.MethodElicitationCreate:
		return c.opts.ElicitationHandler != nil
	case mcp.MethodRootsList:
		return c.opts.RootsHandler != nil
	}
	return false
}

// handleRequest answers a server-to-client request m (2025 sessions) and returns the encoded
// response. A handler's error becomes a JSON-RPC error: its own *rpc.Error, -32601 for a
// method without a handler, -32603 otherwise.
func (c *Client) handleRequest(ctx context.Context, m *rpc.Message) []byte {
	res, err := c.answer(ctx, m.Method, m.Params)
	if err == nil {
		raw, merr := json.Marshal(res)
		if merr == nil {
			return rpc.AppendResponse(nil, &rpc.Response{ID: m.ID, Result: raw})
		}
		err = merr
	}
	e := rpc.AsError(err)
	if errors.Is(err, ErrNoHandler) {
		e = rpc.MethodNotFound(m.Method)
	}
	return rpc.AppendResponse(nil, &rpc.Response{ID: m.ID, Error: e})
}

// handleNotification routes a notification from the server (see the design note). sink, if
// set, takes what is not progress or a log message (a listen's own stream on HTTP).
func (c *Client) handleNotification(ctx context.Context, m *rpc.Message) {
	switch m.Method {
	case mcp.NotificationProgress:
		var p mcp.ProgressNotificationParams
		if json.Unmarshal(m.Params, &p) != nil {
			return
		}
		c.mu.Lock()
		f := c.progress[string(p.ProgressToken)]
		c.mu.Unlock()
		if f != nil {
			f(&p)
		}
		return
	case mcp.NotificationLoggingMessage:
		if c.opts.LogHandler != nil {
			var p mcp.LoggingMessageParams
			if json.Unmarshal(m.Params, &p) == nil {
				c.opts.LogHandler(ctx, &p)
			}
		}
		return
	case mcp.NotificationCancelled:
		return // the server gave up on a request of its own; answering it is harmless
	}
	n := &Notification{Method: m.Method, Params: append(json.RawMessage(nil), m.Params...)}
	// MCP 2026-07-28, Basic § Subscriptions: every message of a listen stream carries the
	// listen request's id in _meta.
	if sid := jsontext.ValueAt(m.Params, []string{"_meta", mcp.MetaSubscriptionID}); sid != nil {
		c.mu.Lock()
		f := c.subs[idKey(sid)]
		c.mu.Unlock()
		if f != nil {
			f(n)
			return
		}
	}
	c.mu.Lock()
	ls := make([]func(*Notification), 0, len(c.listeners))
	for _, f := range c.listeners {
		ls = append(ls, f)
	}
	c.mu.Unlock()
	for _, f := range ls {
		f(n)
	}
	if c.opts.NotificationHandler != nil {
		c.opts.NotificationHandler(ctx, n)
	}
}

// idKey returns the key of subs for a raw JSON-RPC id.
func idKey(raw json.RawMessage) string {
	id, ok := rpc.RawID(raw)
	if !ok {
		return string(raw)
	}
	return id.String()
}
