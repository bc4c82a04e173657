package mcp

import (
	"bytes"
	"context"
	"fmt"

	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: the roots/list_changed hook runs beside the session, not in the read loop.

A client whose roots changed sends notifications/roots/list_changed (MCP 2025-11-25, Client §
Roots, Root List Changes), and what a server does next is ask for them: roots/list, a
server-to-client request whose reply comes back through the same connection. On stdio the
notification is handled in the loop that reads that connection, so a hook run there and
waiting for the reply would wait for itself. The hook therefore runs on a goroutine of its own,
owned by the session:

  - one at a time per session: a notification arriving while the hook runs only marks it to
    run once more when it returns, so a client that repeats the notification costs one
    goroutine at most, and the last change is always seen;
  - its request is tracked like a client request, so Session.Close cancels its context, fails
    its pending roots/list, and waits for it to return.

Without a session (stateless HTTP) nothing can carry a server-to-client request, so the hook
runs in place, before the notification is acknowledged.
*/

// rootsListChanged runs the RootsListChanged hook for a notifications/roots/list_changed.
func (s *Server) rootsListChanged(ctx context.Context, in *Inbound, m *rpc.Message) {
	hook := s.opts.RootsListChanged
	if hook == nil {
		s.logger().DebugContext(ctx, "mcp: notification ignored", "method", m.Method)
		return
	}
	ss := in.Session
	if ss == nil {
		req := &Request{Method: m.Method, Params: m.Params, srv: s, state: stateFor(in, m.Params),
			principal: in.Principal, in: in, out: in.Out}
		s.runHook(ctx, req, hook)
		return
	}
	if ss.state.Load() == nil {
		return // before initialize there are no capabilities to ask with
	}
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		return
	}
	if ss.rootsRunning {
		ss.rootsAgain = true
		ss.mu.Unlock()
		return
	}
	ss.rootsRunning = true
	ss.hooks.Add(1)
	ss.mu.Unlock()
	base := context.WithoutCancel(ctx)
	// The hook outlives Handle, and the params alias the transport's buffer, which it may
	// reuse once Handle returns (Streamable HTTP pools its bodies): the hook gets a copy.
	method, params := m.Method, bytes.Clone(m.Params)
	go func() {
		defer ss.hooks.Done()
		for {
			ss.mu.Lock()
			out := ss.push
			ss.mu.Unlock()
			req := &Request{Method: method, Params: params, srv: s, sess: ss, state: ss.state.Load(),
				principal: in.Principal, in: in, out: out}
			rctx := newRequestContext(base)
			req.ctx = rctx
			if ss.track(req) {
				s.runHook(rctx, req, hook)
				ss.untrack(req)
			}
			rctx.release()
			ss.mu.Lock()
			again := ss.rootsAgain && !ss.closed
			ss.rootsAgain, ss.rootsRunning = false, again
			ss.mu.Unlock()
			if !again {
				return
			}
		}
	}()
}

// runHook calls a hook for req, recovering a panic as rpc.Dispatch does for handlers.
func (s *Server) runHook(ctx context.Context, req *Request, hook func(context.Context, *Request)) {
	defer func() {
		req.setFlag(flagDone)
		if p := recover(); p != nil {
			s.logger().ErrorContext(ctx, "mcp: hook panicked", "method", req.Method, "panic", fmt.Sprint(p))
		}
	}()
	hook(ctx, req)
}
