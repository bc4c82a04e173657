package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// claim is what a message's _meta says of its protocol, the way revisions from 2026-07-28 on
// carry it (MCP 2026-07-28, Basic § _meta, Per-request protocol fields), with the members of
// params the standard headers mirror, read in the same pass so that no rung of the ladder
// reads params again.
type claim struct {
	// present says _meta has io.modelcontextprotocol/protocolVersion; version is its value
	// when it is a string, "" otherwise.
	present bool
	version string
	// caps says _meta has io.modelcontextprotocol/clientCapabilities, an object.
	caps bool
	// meta, name, uri, args and taskID are the raw values of params._meta, params.name,
	// params.uri, params.arguments and params.taskId, nil when absent; they alias params. They
	// are read only when _meta holds a per-request protocol field.
	meta, name, uri, args, taskID []byte
}

// metaKeyPrefix is in every key of the per-request protocol fields
// ("io.modelcontextprotocol/..."). It leaves out the leading quote and "io": a search for a
// quote stops at every string of the params, a search for "." seldom.
var metaKeyPrefix = []byte(`.modelcontextprotocol/`)

// readClaim reads the claim in params (see claim). It allocates nothing for params without a
// _meta of the revision's keys, nor for a version this package knows.
func readClaim(params json.RawMessage) claim {
	var c claim
	if !bytes.Contains(params, metaKeyPrefix) {
		return c
	}
	_ = jsontext.EachMemberValid(params, func(k, v []byte) bool {
		switch string(k) {
		case "_meta":
			c.meta = v
		case "name":
			c.name = v
		case "uri":
			c.uri = v
		case "arguments":
			c.args = v
		case "taskId":
			c.taskID = v
		}
		return true
	})
	_ = jsontext.EachMemberValid(c.meta, func(mk, mv []byte) bool {
		switch string(mk) {
		case "io.modelcontextprotocol/protocolVersion":
			c.present = true
			c.version = versionOf(mv)
		case "io.modelcontextprotocol/clientCapabilities":
			i := jsontext.SkipSpace(mv, 0)
			c.caps = i < len(mv) && mv[i] == '{'
		}
		return true
	})
	return c
}

// versionOf returns the string the JSON value v holds, "" when it is not a string: a version
// this package knows without allocating.
func versionOf(v []byte) string {
	if len(v) > 2 && v[0] == '"' && v[len(v)-1] == '"' {
		switch s := v[1 : len(v)-1]; string(s) {
		case mcp.Version20260728:
			return mcp.Version20260728
		case mcp.Version20251125:
			return mcp.Version20251125
		case mcp.Version20250618:
			return mcp.Version20250618
		case mcp.Version20250326:
			return mcp.Version20250326
		case mcp.Version20241105:
			return mcp.Version20241105
		}
	}
	s, _ := jsontext.Unquote(v)
	return s
}

// nameParam returns the member of params that the Mcp-Name header mirrors for method, and
// whether method has one (MCP 2026-07-28, Transports § Streamable HTTP, Standard Request
// Headers: "params.name or params.uri" for "tools/call, resources/read, prompts/get"; and
// params.taskId for the methods of the tasks extension).
func nameParam(method string) (string, bool) {
	switch method {
	case mcp.MethodToolsCall, mcp.MethodPromptsGet:
		return "name", true
	case mcp.MethodResourcesRead:
		return "uri", true
	case mcp.MethodTasksGet, mcp.MethodTasksUpdate, mcp.MethodTasksCancel:
		// Tasks extension (SEP-2663), Streamable HTTP: Routing Headers: "the client MUST set
		// the Mcp-Name header ... to the value of params.taskId".
		return "taskId", true
	}
	return "", false
}

// The standard headers, as http.Header keys them: a lookup under another spelling allocates
// its canonical form.
const (
	hdrProtocolVersion = "Mcp-Protocol-Version"
	hdrMethod          = "Mcp-Method"
	hdrName            = "Mcp-Name"
)

// headerValue returns the one value of header name in r, without the optional whitespace
// around it (RFC 9110 §5.5: "a field value does not include leading or trailing
// whitespace"); ok is false when it is missing or repeated.
func headerValue(r *http.Request, name string) (v string, ok bool) {
	vs := r.Header.Values(name)
	if len(vs) != 1 {
		return "", false
	}
	return strings.Trim(vs[0], " \t"), true
}

// decodeSentinel decodes a header value in the Base64 sentinel form, =?base64?...?=, the
// prefix and suffix lowercase (MCP 2026-07-28, Transports § Streamable HTTP, Value Encoding:
// "servers MUST decode an encoded Mcp-Name or Mcp-Param-{Name} value before comparing it to
// the corresponding request body value"). Other values are returned as they are.
func decodeSentinel(v string) (string, bool) {
	const prefix, suffix = "=?base64?", "?="
	if len(v) < len(prefix)+len(suffix) || !strings.HasPrefix(v, prefix) || !strings.HasSuffix(v, suffix) {
		return v, true
	}
	b, err := base64.StdEncoding.DecodeString(v[len(prefix) : len(v)-len(suffix)])
	if err != nil {
		return "", false
	}
	return string(b), true
}

// modernLadder checks a modern request the way the revision orders it, and returns the
// error that refuses it, nil when it may be served. Every rung answers 400 on HTTP:
//
//  1. the required _meta fields (MCP 2026-07-28, Basic § _meta: "A request missing any
//     required field is malformed; the server MUST reject it with JSON-RPC error code -32602
//     (Invalid params). On HTTP, the response status MUST be 400 Bad Request");
//  2. the standard headers, present and matching the body (Transports § Streamable HTTP,
//     Server Validation: -32020 when "A required standard header (MCP-Protocol-Version,
//     Mcp-Method, Mcp-Name) is missing" or "does not match the corresponding request body
//     value"), and the Mcp-Param-{Name} headers of tools/call; checkHeaders is nil on
//     transports without headers;
//  3. the version (Basic § Versioning, Protocol Version Negotiation: the server "MUST respond
//     with an UnsupportedProtocolVersionError listing the versions it does support"), one
//     srv serves (mcp.ServerOptions.ProtocolVersions: "a known version the server has chosen
//     not to support" is refused alike).
//
// An unknown or removed method comes last, from the protocol (-32601, 404 on HTTP).
func modernLadder(srv *mcp.Server, m *rpc.Message, c claim, checkHeaders func(*rpc.Message, claim) *rpc.Error) *rpc.Error {
	if !c.present || c.version == "" {
		return rpc.InvalidParams("_meta must carry io.modelcontextprotocol/protocolVersion, a string")
	}
	if !c.caps {
		return rpc.InvalidParams("_meta must carry io.modelcontextprotocol/clientCapabilities, an object")
	}
	if checkHeaders != nil {
		if e := checkHeaders(m, c); e != nil {
			return e
		}
	}
	if !mcp.IsModernVersion(c.version) || !srv.ServesVersion(c.version) {
		return srv.UnsupportedVersion(c.version)
	}
	return nil
}

// httpHeaders returns the header rung of modernLadder for a Streamable HTTP POST to srv.
func httpHeaders(r *http.Request, srv *mcp.Server) func(*rpc.Message, claim) *rpc.Error {
	return func(m *rpc.Message, c claim) *rpc.Error {
		if v, ok := headerValue(r, hdrProtocolVersion); !ok || v != c.version {
			// Transports § Streamable HTTP, Protocol Version Header: "The header value MUST
			// match the io.modelcontextprotocol/protocolVersion field carried in the request
			// body's _meta."
			return headerMismatch("MCP-Protocol-Version", r, c.version)
		}
		if v, ok := headerValue(r, hdrMethod); !ok || v != m.Method {
			return headerMismatch("Mcp-Method", r, m.Method)
		}
		if m.Kind != rpc.KindRequest {
			return nil
		}
		member, ok := nameParam(m.Method)
		if !ok {
			return nil
		}
		raw := c.name
		switch member {
		case "uri":
			raw = c.uri
		case "taskId":
			raw = c.taskID
		}
		body, present := jsontext.Unquote(raw)
		if !present {
			// The request is malformed; the protocol says how (-32602).
			return nil
		}
		v, ok := headerValue(r, hdrName)
		if ok {
			v, ok = decodeSentinel(v)
		}
		if !ok || v != body {
			return headerMismatch("Mcp-Name", r, body)
		}
		if m.Method == mcp.MethodToolsCall {
			return paramHeaders(r, srv.ToolHeaders(body), c.args)
		}
		return nil
	}
}

// paramHeaders checks the Mcp-Param-{Name} headers of a tools/call against its arguments
// (MCP 2026-07-28, Transports § Streamable HTTP, Server Behavior for Custom Headers: "Any
// server that processes the message body MUST validate that encoded header values, after
// decoding if Base64-encoded, match the corresponding values in the request body"). A
// parameter without a value (absent or null) needs no header ("Server MUST NOT expect the
// header"); one with a value needs it ("Client omits header but value is in body ... Server
// MUST reject the request").
//
// args is params.arguments, nil when absent.
func paramHeaders(r *http.Request, headers []mcp.ToolHeader, args []byte) *rpc.Error {
	if len(headers) == 0 {
		return nil
	}
	for _, th := range headers {
		val := jsontext.ValueAt(args, th.Path)
		if val == nil || string(val) == "null" {
			continue
		}
		name := "Mcp-Param-" + th.Name
		v, ok := headerValue(r, name)
		if ok && !visibleASCII(v) {
			// "Servers MUST reject requests with a recognized Mcp-Param-{Name} header that
			// contains invalid characters."
			ok = false
		}
		if ok {
			v, ok = decodeSentinel(v)
		}
		if !ok || !sameValue(v, val) {
			return headerMismatch(name, r, string(val))
		}
	}
	return nil
}

// sameValue reports whether header value h stands for the JSON value body: a string as it
// is, a boolean as true or false, a number compared as a number ("servers SHOULD compare the
// header value and the body value numerically rather than as strings (e.g., 42.0 and 42 are
// considered equal)").
func sameValue(h string, body []byte) bool {
	switch c := body[0]; {
	case c == '"':
		s, ok := jsontext.Unquote(body)
		return ok && s == h
	case c == 't' || c == 'f':
		return h == string(body)
	case c == '-' || c >= '0' && c <= '9':
		a, err1 := strconv.ParseFloat(h, 64)
		b, err2 := strconv.ParseFloat(string(body), 64)
		return err1 == nil && err2 == nil && a == b
	}
	return false
}

// visibleASCII reports whether v holds only what a header value may carry unencoded:
// visible ASCII, space and horizontal tab (MCP 2026-07-28, Transports § Streamable HTTP,
// Value Encoding, after RFC 9110 §5.5).
func visibleASCII(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 || c > 0x7e) && c != '\t' {
			return false
		}
	}
	return true
}

// headerMismatch returns the -32020 error for header name, which must be body.
func headerMismatch(name string, r *http.Request, body string) *rpc.Error {
	vs := r.Header.Values(name)
	switch len(vs) {
	case 0:
		return rpc.Errorf(mcp.CodeHeaderMismatch, "Header mismatch: %s header is missing (body: %q)", name, body)
	case 1:
		return rpc.Errorf(mcp.CodeHeaderMismatch, "Header mismatch: %s header value %q does not match body value %q", name, vs[0], body)
	}
	return rpc.Errorf(mcp.CodeHeaderMismatch, "Header mismatch: %s header is repeated", name)
}

// serveModern answers a POST whose frame is in the modern era (see the exchange's design
// note): no session is looked up or minted, whatever Mcp-Session-Id says (MCP 2026-07-28,
// Transports § Streamable HTTP, Backward Compatibility: "An Mcp-Session-Id header on a
// request: ignore it, and do not mint or echo session IDs"), in the stateful handler as in the
// stateless one.
func (h *Handler) serveModern(ctx context.Context, w http.ResponseWriter, r *http.Request, principal string,
	c *postCall, f frame, jsonOK, sseOK bool) {
	m := &f.msgs[0]
	if e := modernLadder(h.x.srv, m, f.claim, httpHeaders(r, h.x.srv)); e != nil {
		h.opts.Metrics.reject(reasonProtocol, m.Method)
		id := m.ID
		if m.Kind == rpc.KindNotification {
			id = rpc.NullID
		}
		writeReply(w, http.StatusBadRequest, &rpc.Response{ID: id, Error: e})
		return
	}
	c.in = mcp.Inbound{ProtocolVersion: f.claim.version, Principal: principal, Auth: authOf(ctx), Meta: f.claim.meta, Trace: traceHeaders(r)}
	if m.Kind == rpc.KindNotification {
		h.x.deliver(ctx, &c.in, f)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if m.Method == mcp.MethodSubscriptionsListen {
		h.serveListen(ctx, w, principal, c, f, jsonOK, sseOK)
		return
	}
	out := &c.out
	*out = postOut{h: h, w: w, version: f.claim.version, allowSSE: sseOK && h.opts.Response != ResponseJSON, ctx: ctx}
	if h.opts.Response != ResponseJSON {
		c.in.Out = out
	}
	replies := h.x.dispatch(ctx, &c.in, f, c.reply[:0])
	replies = answerCancelled(f.msgs, replies, c.reply[:0])
	if e := replies[0].Error; e != nil && !out.started() {
		switch e.Code {
		case rpc.CodeMethodNotFound:
			// Transports § Streamable HTTP, Protocol Version Header: "If the server does not
			// implement the requested RPC method, it MUST respond with 404 Not Found and a
			// JSON-RPC error with code -32601".
			writeReply(w, http.StatusNotFound, &replies[0])
			return
		case mcp.CodeMissingRequiredClientCapability:
			// Schema, MissingRequiredClientCapabilityError: "For HTTP, the response status
			// code MUST be 400 Bad Request."
			writeReply(w, http.StatusBadRequest, &replies[0])
			return
		}
	}
	buf := rpc.GetBuffer()
	*buf = encode(*buf, replies, false)
	out.finish(*buf, h.opts.Response == ResponseSSE || !jsonOK)
	rpc.PutBuffer(buf)
}

// started reports whether the answer became an SSE stream.
func (p *postOut) started() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st != nil
}

// writeReply answers status with the JSON-RPC reply resp.
func writeReply(w http.ResponseWriter, status int, resp *rpc.Response) {
	buf := rpc.GetBuffer()
	defer rpc.PutBuffer(buf)
	*buf = rpc.AppendResponse(*buf, resp)
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Length", strconv.Itoa(len(*buf)))
	w.WriteHeader(status)
	_, _ = w.Write(*buf)
}
