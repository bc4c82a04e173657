package client

import (
	"context"

	"github.com/minimcp/minimcp/mcp"
)

// Per-call settings travel in the context, so that every method takes them the same way.

type progressKey struct{}
type traceKey struct{}

// WithProgress returns a context whose requests ask the server for progress (a progressToken
// in _meta: MCP 2025-11-25, Basic § Utilities, Progress) and pass each
// notifications/progress for them to f. f runs on the client's reading goroutine: it must not
// block, nor call the client.
func WithProgress(ctx context.Context, f func(*mcp.ProgressNotificationParams)) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

func progressFrom(ctx context.Context) func(*mcp.ProgressNotificationParams) {
	f, _ := ctx.Value(progressKey{}).(func(*mcp.ProgressNotificationParams))
	return f
}

// WithTraceContext returns a context whose requests carry the W3C trace context tc: in
// params._meta (traceparent, tracestate, baggage: MCP 2026-07-28, Basic § _meta, OpenTelemetry
// trace context; read at every revision by minimcp's server) and, over HTTP, in the
// Traceparent, Tracestate and Baggage headers (W3C Trace Context §3). An OpenTelemetry user
// fills tc from the span in ctx with a propagator.
func WithTraceContext(ctx context.Context, tc mcp.TraceContext) context.Context {
	return context.WithValue(ctx, traceKey{}, tc)
}

func traceFrom(ctx context.Context) mcp.TraceContext {
	tc, _ := ctx.Value(traceKey{}).(mcp.TraceContext)
	return tc
}
