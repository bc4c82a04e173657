package mcp

import (
	"bytes"
	"context"
	"strings"

	"github.com/minimcp/minimcp/internal/jsontext"
)

// TraceContext is the OpenTelemetry trace context a request carried in its _meta (MCP
// 2026-07-28, Basic § _meta, OpenTelemetry trace context: "the keys traceparent, tracestate,
// and baggage are reserved for OpenTelemetry trace context propagation. When present, their
// values MUST follow W3C Trace Context and W3C Baggage formats respectively"). Each field is
// the value as sent when it is well formed, "" when it is absent or malformed: a malformed
// value is ignored, never an error, the way W3C Trace Context asks of a receiver ("If the
// vendor failed to parse traceparent, it MUST NOT attempt to parse tracestate").
type TraceContext struct {
	// TraceParent is the traceparent: version-traceid-parentid-flags in lowercase hex
	// (W3C Trace Context §3.2).
	TraceParent string
	// TraceState is the tracestate, vendor-specific key=value pairs (W3C Trace Context
	// §3.3); "" whenever TraceParent is.
	TraceState string
	// Baggage is the baggage, application key=value pairs with optional properties (W3C
	// Baggage §3).
	Baggage string
}

// TraceContext returns the trace context of the request: the one of its _meta (MCP
// 2026-07-28, Basic § _meta; read when called, at every protocol version, since clients of the
// 2025 revisions may send it too), else the one its transport carried ([Inbound.Trace]: the
// traceparent, tracestate and baggage headers of a Streamable HTTP POST, W3C Trace Context
// §3). A _meta that carries a valid traceparent wins as a whole: it is the message's own,
// where the header is the HTTP request's (a batch has one header and many messages); baggage
// in a _meta without one is taken with the header's traceparent. A
// request with neither gets the zero TraceContext. What it returns is what
// [TraceContextFrom] finds in the request's context.
func (r *Request) TraceContext() TraceContext {
	tc := metaTrace(r.Params)
	if tc.TraceParent != "" {
		return tc
	}
	var h TraceContext
	if r.in != nil && r.in.Trace != nil {
		h = *r.in.Trace
	}
	if tc.Baggage != "" {
		h.Baggage = tc.Baggage
	}
	return h
}

// metaTrace returns the trace context of the _meta of params, validated.
func metaTrace(params []byte) TraceContext {
	var tc TraceContext
	if !bytes.Contains(params, traceParentKey) && !bytes.Contains(params, baggageKey) {
		return tc
	}
	var meta []byte
	_ = jsontext.EachMemberValid(params, func(k, v []byte) bool {
		if string(k) == "_meta" {
			meta = v // the last of a repeated member, as a decoder keeps it
		}
		return true
	})
	_ = jsontext.EachMemberValid(meta, func(mk, mv []byte) bool {
		switch string(mk) {
		case "traceparent":
			tc.TraceParent, _ = jsontext.Unquote(mv)
		case "tracestate":
			tc.TraceState, _ = jsontext.Unquote(mv)
		case "baggage":
			tc.Baggage, _ = jsontext.Unquote(mv)
		}
		return true
	})
	return tc.valid()
}

// traceParentKey or baggageKey is in every _meta that carries a trace context: params
// without either are not read.
var traceParentKey, baggageKey = []byte(`"traceparent"`), []byte(`"baggage"`)

// ParseTraceContext returns the trace context of the given traceparent, tracestate and
// baggage values (HTTP header values, environment variables), each kept when it is well
// formed and "" otherwise, as [TraceContext] describes.
func ParseTraceContext(traceparent, tracestate, baggage string) TraceContext {
	return TraceContext{TraceParent: traceparent, TraceState: tracestate, Baggage: baggage}.valid()
}

// valid returns tc with what is malformed in it emptied (see [TraceContext]).
func (tc TraceContext) valid() TraceContext {
	if !validTraceParent(tc.TraceParent) {
		tc.TraceParent, tc.TraceState = "", ""
	}
	if !validTraceState(tc.TraceState) {
		tc.TraceState = ""
	}
	if !validBaggage(tc.Baggage) {
		tc.Baggage = ""
	}
	return tc
}

// TraceID returns the trace-id of the traceparent, 32 lowercase hex digits, "" without one.
func (tc TraceContext) TraceID() string {
	if len(tc.TraceParent) < 35 {
		return ""
	}
	return tc.TraceParent[3:35]
}

// ParentID returns the parent-id of the traceparent (the caller's span), 16 lowercase hex
// digits, "" without one.
func (tc TraceContext) ParentID() string {
	if len(tc.TraceParent) < 52 {
		return ""
	}
	return tc.TraceParent[36:52]
}

// Sampled reports whether the traceparent's sampled flag is set (W3C Trace Context §3.2.2.5).
func (tc TraceContext) Sampled() bool {
	if len(tc.TraceParent) < 55 {
		return false
	}
	c := tc.TraceParent[54]
	var v byte
	switch {
	case c >= '0' && c <= '9':
		v = c - '0'
	case c >= 'a' && c <= 'f':
		v = c - 'a' + 10
	}
	return v&1 == 1
}

// traceKey is the context key of the trace context of a request.
type traceKey struct{}

// TraceContextFrom returns the trace context of the request whose context ctx is (or derives
// from): what [Request.TraceContext] returns, for code that has the context and not the
// request, such as a middleware's inner layers or a library a handler calls. The zero
// TraceContext when the request had none.
func TraceContextFrom(ctx context.Context) TraceContext {
	tc, _ := ctx.Value(traceKey{}).(TraceContext)
	return tc
}

// withTrace returns ctx carrying the trace context of r, ctx itself when it has none: the
// common case costs a search of the params and no allocation.
func withTrace(ctx context.Context, r *Request) context.Context {
	if tc := r.TraceContext(); tc.TraceParent != "" || tc.Baggage != "" {
		return context.WithValue(ctx, traceKey{}, tc)
	}
	return ctx
}

// validTraceParent reports whether s is a traceparent a receiver may use (W3C Trace Context
// §3.2): "version "-" trace-id "-" parent-id "-" trace-flags", lowercase hex; version ff is
// invalid; trace-id and parent-id not all zeros; version 00 exactly 55 characters; a later
// version at least that, anything beyond starting with "-" ("If a higher version is detected,
// the implementation SHOULD try to parse it").
func validTraceParent(s string) bool {
	const n = 2 + 1 + 32 + 1 + 16 + 1 + 2
	if len(s) < n || s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return false
	}
	version, traceID, parentID, flags := s[:2], s[3:35], s[36:52], s[53:55]
	if !lowerHex(version) || version == "ff" || !lowerHex(traceID) || !lowerHex(parentID) || !lowerHex(flags) {
		return false
	}
	if strings.Trim(traceID, "0") == "" || strings.Trim(parentID, "0") == "" {
		return false
	}
	if version == "00" {
		return len(s) == n
	}
	return len(s) == n || s[n] == '-'
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// validTraceState reports whether s is a tracestate a receiver may use (W3C Trace Context
// §3.3): at most 32 list-members separated by commas with optional spaces and tabs, empty
// members allowed; each "key=value", the key a simple-key (lcalpha then up to 255 of lcalpha,
// digit, _ - * /) or a multi-tenant-key (tenant-id@system-id), the value up to 256 printable
// ASCII characters but comma and equals, not ending in a space. "" is valid (no tracestate).
func validTraceState(s string) bool {
	members := 0
	for m := range strings.SplitSeq(s, ",") {
		m = strings.Trim(m, " \t")
		if m == "" {
			continue
		}
		if members++; members > 32 {
			return false
		}
		key, value, ok := strings.Cut(m, "=")
		if !ok || !traceStateKey(key) || len(value) == 0 || len(value) > 256 || value[len(value)-1] == ' ' {
			return false
		}
		for i := 0; i < len(value); i++ {
			if c := value[i]; c < 0x20 || c > 0x7e || c == ',' || c == '=' {
				return false
			}
		}
	}
	return true
}

func traceStateKey(k string) bool {
	tenant, system, multi := strings.Cut(k, "@")
	if !multi {
		return len(k) <= 256 && k != "" && k[0] >= 'a' && k[0] <= 'z' && keyChars(k[1:])
	}
	// tenant-id: (lcalpha / DIGIT) then up to 240 key characters; system-id: lcalpha then up
	// to 13.
	return tenant != "" && len(tenant) <= 241 && (tenant[0] >= 'a' && tenant[0] <= 'z' || tenant[0] >= '0' && tenant[0] <= '9') &&
		keyChars(tenant[1:]) && system != "" && len(system) <= 14 && system[0] >= 'a' && system[0] <= 'z' && keyChars(system[1:])
}

func keyChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' && c != '*' && c != '/' {
			return false
		}
	}
	return true
}

// validBaggage reports whether s is a baggage a receiver may use (W3C Baggage §3.2): at most
// 64 list-members and 8192 bytes, separated by commas with optional whitespace; each
// "key=value" with optional ";"-separated properties ("key" or "key=value"), keys RFC 7230
// tokens, values baggage-octets (printable ASCII but space, quote, comma, semicolon and
// backslash; percent-encoding is made of those). "" is valid (no baggage).
func validBaggage(s string) bool {
	if len(s) > 8192 {
		return false
	}
	members := 0
	for m := range strings.SplitSeq(s, ",") {
		if s == "" {
			break
		}
		if members++; members > 64 {
			return false
		}
		for i, part := range strings.Split(m, ";") {
			key, value, hasValue := strings.Cut(part, "=")
			key, value = strings.Trim(key, " \t"), strings.Trim(value, " \t")
			if !token(key) || i == 0 && !hasValue || hasValue && !baggageValue(value) {
				return false
			}
		}
	}
	return true
}

// token reports whether s is an RFC 7230 token: one or more tchar.
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func baggageValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}
