package clicmd

import (
	"os"

	"github.com/minimcp/minimcp/mcp"
)

// envTrace returns the W3C trace context the client commands (call, tools, read, prompt)
// propagate ([Run], through client.WithTraceContext): the TRACEPARENT, TRACESTATE and BAGGAGE environment
// variables, the carriers OpenTelemetry names for a process started inside a trace
// (OpenTelemetry specification, Environment Variables as Context Propagation Carriers), each
// kept when well formed. A program that traces its calls to minimcp sets them; minimcp makes
// no span of its own, so the server's spans are children of the caller's.
func envTrace() mcp.TraceContext {
	return mcp.ParseTraceContext(os.Getenv("TRACEPARENT"), os.Getenv("TRACESTATE"), os.Getenv("BAGGAGE"))
}
