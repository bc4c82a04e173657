package mcp

import (
	"context"
	"sync"
	"time"
)

/*
Design note: a request context that costs nothing until it is looked at.

A request in a session can be cancelled by the client (notifications/cancelled) or by the
session's end, so its handler needs a context of its own. context.WithCancelCause would give
one, at the price of an allocation and of registering the child with the transport's
context, on every request: about 4% of a stateful server's CPU, for a cancellation most
handlers never watch (a tool that computes and returns never calls Done).

requestContext defers that cost until someone asks: the first Done, or a Value lookup after a
cancellation, derives the real cancellable context; cancelling before then only records the
cause. Err reports the cancellation either way, and context.Cause finds the derived context
through Value, so the cause is right too.
*/

// requestContext is the context of one request handled in a session.
type requestContext struct {
	parent context.Context

	mu sync.Mutex
	// derived is the cancellable child of parent, made on first need; guarded by mu.
	derived context.Context
	// cancel cancels derived; guarded by mu.
	cancel context.CancelCauseFunc
	// cause is the cancellation recorded before derived existed; guarded by mu.
	cause error
}

func newRequestContext(parent context.Context) *requestContext {
	return &requestContext{parent: parent}
}

// deriveLocked makes the cancellable context, applying a recorded cancellation.
func (c *requestContext) deriveLocked() context.Context {
	if c.derived == nil {
		c.derived, c.cancel = context.WithCancelCause(c.parent)
		if c.cause != nil {
			c.cancel(c.cause)
		}
	}
	return c.derived
}

// Deadline implements context.Context.
func (c *requestContext) Deadline() (time.Time, bool) { return c.parent.Deadline() }

// Done implements context.Context.
func (c *requestContext) Done() <-chan struct{} {
	c.mu.Lock()
	d := c.deriveLocked()
	c.mu.Unlock()
	return d.Done()
}

// Err implements context.Context.
func (c *requestContext) Err() error {
	c.mu.Lock()
	d, cause := c.derived, c.cause
	c.mu.Unlock()
	switch {
	case d != nil:
		return d.Err()
	case cause != nil:
		return context.Canceled
	}
	return c.parent.Err()
}

// Value implements context.Context. After a cancellation it answers from the derived context,
// so context.Cause sees the cause.
func (c *requestContext) Value(key any) any {
	c.mu.Lock()
	d := c.derived
	if d == nil && c.cause != nil {
		d = c.deriveLocked()
	}
	c.mu.Unlock()
	if d != nil {
		return d.Value(key)
	}
	return c.parent.Value(key)
}

// cancelWith cancels the context with cause (nil means context.Canceled). Only the first
// cancellation counts.
func (c *requestContext) cancelWith(cause error) {
	if cause == nil {
		cause = context.Canceled
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.derived != nil {
		c.cancel(cause)
		return
	}
	if c.cause == nil {
		c.cause = cause
	}
}

// release frees the derived context's registration with its parent when the request ends.
func (c *requestContext) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.derived != nil {
		c.cancel(context.Canceled)
	} else if c.cause == nil {
		c.cause = context.Canceled
	}
}

// String describes the context for debugging.
func (c *requestContext) String() string { return "mcp.requestContext" }
