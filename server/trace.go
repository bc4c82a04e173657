package server

import (
	"net/http"
	"strings"

	"github.com/minimcp/minimcp/mcp"
)

// traceHeaders returns the W3C trace context of an HTTP request (W3C Trace Context §3:
// the traceparent and tracestate headers; W3C Baggage §3: baggage), for the messages of its
// body (mcp.Inbound.Trace). A client of the 2025 revisions has no other place for it; at
// 2026-07-28 the request's _meta takes precedence (MCP 2026-07-28, Basic § _meta). A
// traceparent given more than once is none ("If the vendor failed to parse traceparent, it
// MUST NOT attempt to parse tracestate"); tracestate and baggage given more than once are
// combined, as HTTP combines a list-valued field (RFC 9110 §5.3; W3C Trace Context §3.3.1.1:
// "multiple tracestate headers ... MUST be combined"). Malformed values are ignored. A request
// without these headers costs two map lookups and gets nil.
func traceHeaders(r *http.Request) *mcp.TraceContext {
	tp, bg := r.Header["Traceparent"], r.Header["Baggage"]
	if len(tp) == 0 && len(bg) == 0 {
		return nil
	}
	parent := ""
	if len(tp) == 1 {
		parent = strings.Trim(tp[0], " \t")
	}
	tc := mcp.ParseTraceContext(parent, strings.Join(r.Header["Tracestate"], ","), strings.Join(bg, ","))
	if tc == (mcp.TraceContext{}) {
		return nil
	}
	return &tc
}
