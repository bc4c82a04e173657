package mcphttp

import (
	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/mcp"
)

// traceHeaders sets the trace context on every request as the W3C headers (W3C Trace
// Context §3, W3C Baggage §3), which a server of the 2025 revisions reads, unless
// Options.Header gave them already.
func (c *Client) traceHeaders() {
	for name, v := range map[string]string{"Traceparent": c.trace.TraceParent, "Tracestate": c.trace.TraceState, "Baggage": c.trace.Baggage} {
		if _, given := c.header[name]; v != "" && !given {
			c.header[name] = []string{v}
		}
	}
}

// appendTraceMeta adds the trace context to meta, the opening of a 2026-07-28 request's
// params ending in its _meta object's closing brace (modernMeta), as that revision carries it
// (MCP 2026-07-28, Basic § _meta: "the keys traceparent, tracestate, and baggage are reserved
// for OpenTelemetry trace context propagation").
func appendTraceMeta(meta []byte, tc mcp.TraceContext) []byte {
	if tc.TraceParent == "" && tc.Baggage == "" {
		return meta
	}
	meta = meta[:len(meta)-1] // the _meta object's closing brace
	for _, kv := range [...][2]string{{"traceparent", tc.TraceParent}, {"tracestate", tc.TraceState}, {"baggage", tc.Baggage}} {
		if kv[1] != "" {
			meta = append(meta, ',')
			meta = jsontext.AppendString(meta, kv[0])
			meta = append(meta, ':')
			meta = jsontext.AppendString(meta, kv[1])
		}
	}
	return append(meta, '}')
}
