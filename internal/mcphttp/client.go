package mcphttp

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/httpwire"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/sse"
)

/*
Design note: the client side of Streamable HTTP.

Client is the smallest client the tools, call and bench commands need, written against
MCP 2025-11-25, Basic § Transports, Streamable HTTP:

  - Every message is its own POST to the one MCP endpoint, with Accept listing both
    application/json and text/event-stream (§ Sending Messages to the Server, 1-3).
  - A request is answered either by one JSON object or by an SSE stream that may carry the
    server's notifications and requests before the response (§ Sending Messages to the Server,
    5-6). The client reads both; on a stream it skips the priming event (an id with empty data),
    every notification and every server-to-client request, and returns the response whose id
    matches. It does not answer server-to-client requests: these commands declare no client
    capabilities, so a conforming server sends none that need an answer (a ping would go
    unanswered, and the server times it out).
  - A notification or response is answered with 202 Accepted and no body (§ Sending Messages
    to the Server, 4).
  - initialize may return an MCP-Session-Id, which then goes on every later request; DELETE
    ends the session, and 405 means the server does not let clients end sessions (§ Session
    Management). Every request after initialize carries MCP-Protocol-Version (§ Protocol
    Version Header).

It never opens the GET stream and never resumes a broken stream: a command that loses its
stream reports a transport error, which is what a load generator must count anyway.

Errors are typed so that bench can count them by kind ([ErrorKind]): *StatusError,
*rpc.Error, *TransportError (with Timeout), *MalformedReplyError.
*/

// Limits of what the client reads from a server.
const (
	// maxReplyBytes bounds a JSON reply and each SSE event.
	maxReplyBytes = 16 << 20
	// sseDrainGrace is how long the client waits, once it has its response, for the server to
	// end the SSE stream (which it SHOULD, § Sending Messages to the Server, 6) so that the
	// connection can be reused. A stream still open after it is dropped with its connection.
	sseDrainGrace = 100 * time.Millisecond
	// maxDrainBytes bounds what is read and thrown away to reuse a connection.
	maxDrainBytes = 256 << 10
	// maxToolPages bounds the tools/list pages listTools follows.
	maxToolPages = 1000
)

// Header values sent on every POST, shared read-only by all requests.
var (
	acceptBoth      = []string{"application/json, text/event-stream"}
	jsonContentType = []string{"application/json"}
)

// Options configures [New]. The zero value of every field means its default.
type Options struct {
	// HTTPClient sends the requests. If nil, http.DefaultClient.
	HTTPClient *http.Client
	// AuthToken, if set, is sent as "Authorization: Bearer <AuthToken>" (MCP 2025-11-25, Basic §
	// Authorization, Access Token Usage).
	AuthToken string
	// Header holds extra headers sent on every request. A "Host" entry sets the request's Host.
	Header http.Header
	// ProtocolVersion is sent as MCP-Protocol-Version on requests made without initialize, as a
	// stateless server expects. If empty, no header is sent until initialize has negotiated
	// one. initialize replaces it with the negotiated version.
	ProtocolVersion string
	// InitVersion is the version initialize asks for. If empty, mcp.LatestVersion.
	InitVersion string
	// Version is the client's version, sent in clientInfo (name "minimcp"). If empty, "dev".
	Version string
}

// Client is a Streamable HTTP MCP client for one endpoint and at most one session.
//
// Call, Send and listTools are safe for concurrent use; Initialize, Connect,
// UseModern and Close change the session or the era and must not run concurrently with
// anything else on the same client.
type Client struct {
	url    string
	hc     *http.Client
	header http.Header // extra headers and Authorization; read-only after New
	host   string      // Host override from a "Host" extra header, or ""

	// nextID numbers requests: 1, 2, 3...
	nextID atomic.Int64

	// The session, set by initialize and close and read by every request.
	sessionID       string
	protocolVersion string
	// initVersion is the version initialize asks for; "" means mcp.LatestVersion.
	initVersion string
	// version is the client's version in clientInfo.
	version string

	// modern is the per-request revision every request is sent at (see client_modern.go),
	// "" in the session era; meta is the opening of its params, modernMeta(modern). Set by
	// connect, read by every request.
	modern string
	meta   []byte
}

// CallInfo describes the HTTP exchange of one request.
type CallInfo struct {
	// Status is the HTTP status code; 0 when no response arrived.
	Status int
	// ServedBy is the X-Served-By response header, the identity of the replica that answered
	// (set by minimcp's server and easy to add at a proxy); "" when absent.
	ServedBy string
	// SessionID is the MCP-Session-Id response header, if any.
	SessionID string
	// Latency runs from sending the request to having its response: for an SSE reply, to the
	// event holding the response, not to the end of the stream.
	Latency time.Duration
}

// New returns a client for the MCP endpoint rawURL (http or https). A nil opts means
// defaults. It returns an error for a URL that is not absolute http(s).
func New(rawURL string, opts *Options) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("invalid URL %q: %v", rawURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("invalid URL %q: want http://host[:port]/path or https://...", rawURL)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	c := &Client{url: u.String(), hc: o.HTTPClient, header: http.Header{}, protocolVersion: o.ProtocolVersion,
		initVersion: o.InitVersion, version: cmp.Or(o.Version, "dev")}
	if c.hc == nil {
		c.hc = http.DefaultClient
	}
	for k, v := range o.Header {
		if http.CanonicalHeaderKey(k) == "Host" {
			if len(v) > 0 {
				c.host = v[len(v)-1]
			}
			continue
		}
		c.header[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
	if o.AuthToken != "" {
		c.header.Set("Authorization", "Bearer "+o.AuthToken)
	}
	return c, nil
}

// SetProtocolVersion sets the MCP-Protocol-Version sent on requests outside a session, as a
// stateless server expects (Transports § Protocol Version Header); initialize replaces it.
func (c *Client) SetProtocolVersion(v string) { c.protocolVersion = v }

// Session returns the id of the client's session, "" when it has none.
func (c *Client) Session() string { return c.sessionID }

// Initialize runs the initialization phase (MCP 2025-11-25, Basic § Lifecycle, Initialization):
// it POSTs initialize, keeps the MCP-Session-Id the server assigns (Transports § Session
// Management, 1) and the negotiated version, and sends notifications/initialized, which must be
// answered with 202. It forgets any earlier session first (§ Session Management, 4: a new
// Session starts with an initialize without a session id).
//
// It fails with a *MalformedReplyError when the server picks a version this client does not
// speak; the session, if any, is kept so that close can end it.
func (c *Client) Initialize(ctx context.Context) (*mcp.InitializeResult, error) {
	c.sessionID, c.protocolVersion = "", ""
	asked := c.initVersion
	if asked == "" {
		asked = mcp.LatestVersion
	}
	params, err := json.Marshal(&mcp.InitializeParams{
		ProtocolVersion: asked,
		ClientInfo:      mcp.Implementation{Name: "minimcp", Version: c.version},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: encoding params: %w", mcp.MethodInitialize, err)
	}
	raw, info, err := c.Call(ctx, mcp.MethodInitialize, json.RawMessage(params))
	if err != nil {
		return nil, err
	}
	if sid := info.SessionID; sid != "" {
		// § Session Management, 1: "The session ID MUST only contain visible ASCII characters
		// (ranging from 0x21 to 0x7E)."
		if !httpwire.VisibleASCII(sid) {
			return nil, fmt.Errorf("%s: %w", mcp.MethodInitialize,
				&MalformedReplyError{Reason: fmt.Sprintf("MCP-Session-Id %q has characters outside 0x21-0x7E", sid)})
		}
		c.sessionID = sid
	}
	var res mcp.InitializeResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", mcp.MethodInitialize, &MalformedReplyError{Reason: "result: " + err.Error()})
	}
	// Lifecycle § Version Negotiation: "If the client does not support the version in the
	// server's response, it SHOULD disconnect."
	if !mcp.IsSupportedVersion(res.ProtocolVersion) {
		return nil, fmt.Errorf("%s: %w", mcp.MethodInitialize,
			&MalformedReplyError{Reason: fmt.Sprintf("server chose protocol version %q, which this client does not support", res.ProtocolVersion)})
	}
	c.protocolVersion = res.ProtocolVersion
	if err := c.notify(ctx, mcp.NotificationInitialized, nil); err != nil {
		return nil, err
	}
	return &res, nil
}

// Call sends one request and returns its result, with what the HTTP exchange looked like. The
// reply may be application/json or text/event-stream (Transports § Sending Messages to the
// Server, 5: "The client MUST support both these cases").
//
// params is sent as is if it is a json.RawMessage, left out if nil, and encoded otherwise.
// Errors are wrapped with the method name ("tools/call: HTTP 404: session not found") and
// unwrap to *StatusError, *rpc.Error, *TransportError or *MalformedReplyError. info is
// non-nil whenever the request was sent, error or not.
func (c *Client) Call(ctx context.Context, method string, params any) (json.RawMessage, *CallInfo, error) {
	raw, err := httpwire.EncodeParams(params)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: encoding params: %w", method, err)
	}
	raw, name := c.Prepare(method, raw)
	return c.Send(ctx, method, raw, name, nil)
}

// Prepare returns the params of a request of method as the client sends them, and the value
// of its Mcp-Name header (MCP 2026-07-28, Basic § _meta: every request of a per-request
// revision carries the per-request fields): raw as it is in the session era. A load
// generator prepares the request it repeats once.
func (c *Client) Prepare(method string, raw json.RawMessage) (json.RawMessage, string) {
	if c.modern == "" {
		return raw, ""
	}
	return withMeta(c.meta, raw), httpwire.NameOf(method, raw)
}

// Send sends a request of method with params as prepare returned them, name for Mcp-Name and
// extra headers; see Call.
func (c *Client) Send(ctx context.Context, method string, raw json.RawMessage, name string, extra http.Header) (json.RawMessage, *CallInfo, error) {
	id := rpc.Int64ID(c.nextID.Add(1))
	body := rpc.AppendRequest(make([]byte, 0, 48+len(method)+len(raw)), id, method, raw)
	res, info, err := c.roundTrip(ctx, body, id, method, name, extra)
	if err != nil {
		return nil, info, fmt.Errorf("%s: %w", method, err)
	}
	return res, info, nil
}

// notify sends a notification, which the server must accept with 202 Accepted and no body
// (Transports § Sending Messages to the Server, 4).
func (c *Client) notify(ctx context.Context, method string, params any) error {
	raw, err := httpwire.EncodeParams(params)
	if err != nil {
		return fmt.Errorf("%s: encoding params: %w", method, err)
	}
	req, err := c.newRequest(ctx, http.MethodPost, rpc.AppendRequest(nil, rpc.ID{}, method, raw), "", "", nil)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", method, newTransportError(ctx, err))
	}
	defer httpwire.CloseBody(resp.Body)
	switch {
	case resp.StatusCode == http.StatusAccepted:
		return nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fmt.Errorf("%s: %w", method, newHTTPStatusError(resp))
	default:
		return fmt.Errorf("%s: %w", method, &MalformedReplyError{
			Reason: fmt.Sprintf("HTTP %d to a notification, want 202 Accepted", resp.StatusCode)})
	}
}

// Close ends the session with DELETE (Transports § Session Management, 5). A client without a
// Session does nothing. 405 (the server does not let clients end sessions) and 404 (the
// Session is already gone) are not errors. The client forgets the session either way.
func (c *Client) Close(ctx context.Context) error {
	if c.sessionID == "" {
		return nil
	}
	req, err := c.newRequest(ctx, http.MethodDelete, nil, "", "", nil)
	c.sessionID = ""
	if err != nil {
		return fmt.Errorf("DELETE: %w", err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("DELETE: %w", newTransportError(ctx, err))
	}
	defer httpwire.CloseBody(resp.Body)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299,
		resp.StatusCode == http.StatusMethodNotAllowed,
		resp.StatusCode == http.StatusNotFound:
		return nil
	}
	return fmt.Errorf("DELETE: %w", newHTTPStatusError(resp))
}

// listTools returns every tool of the server, following nextCursor (MCP 2025-11-25, Server §
// Tools, Listing Tools; Utilities § Pagination).
func (c *Client) listTools(ctx context.Context) ([]*mcp.Tool, error) {
	raws, err := c.listToolsRaw(ctx)
	if err != nil {
		return nil, err
	}
	tools := make([]*mcp.Tool, len(raws))
	for i, raw := range raws {
		var t mcp.Tool
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, fmt.Errorf("%s: %w", mcp.MethodToolsList, &MalformedReplyError{Reason: fmt.Sprintf("tools[%d]: %v", i, err)})
		}
		tools[i] = &t
	}
	return tools, nil
}

// listToolsRaw is listTools returning each tool's JSON as the server sent it.
func (c *Client) listToolsRaw(ctx context.Context) ([]json.RawMessage, error) {
	var (
		all    []json.RawMessage
		cursor string
		seen   = map[string]bool{}
	)
	for range maxToolPages {
		var params any
		if cursor != "" {
			params = map[string]string{"cursor": cursor}
		}
		raw, _, err := c.Call(ctx, mcp.MethodToolsList, params)
		if err != nil {
			return nil, err
		}
		var page struct {
			Tools      []json.RawMessage `json:"tools"`
			NextCursor string            `json:"nextCursor"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, fmt.Errorf("%s: %w", mcp.MethodToolsList, &MalformedReplyError{Reason: "result: " + err.Error()})
		}
		all = append(all, page.Tools...)
		if page.NextCursor == "" {
			if all == nil {
				all = []json.RawMessage{}
			}
			return all, nil
		}
		// Utilities § Pagination: cursors are opaque, but one seen before means a loop.
		if seen[page.NextCursor] {
			return nil, fmt.Errorf("%s: %w", mcp.MethodToolsList, &MalformedReplyError{Reason: fmt.Sprintf("nextCursor %q repeats an earlier page", page.NextCursor)})
		}
		seen[page.NextCursor] = true
		cursor = page.NextCursor
	}
	return nil, fmt.Errorf("%s: %w", mcp.MethodToolsList, &MalformedReplyError{Reason: fmt.Sprintf("more than %d pages", maxToolPages)})
}

// callTool calls the named tool with args (a JSON object; empty means {}) and decodes the
// result. A tool that fails is a result with IsError set, not an error (MCP 2025-11-25, Server
// § Tools, Error Handling).
func (c *Client) callTool(ctx context.Context, name string, args json.RawMessage) (*mcp.CallToolResult, error) {
	raw, _, err := c.Call(ctx, mcp.MethodToolsCall, httpwire.ToolCallParams(name, args))
	if err != nil {
		return nil, err
	}
	var res mcp.CallToolResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", mcp.MethodToolsCall, &MalformedReplyError{Reason: "result: " + err.Error()})
	}
	return &res, nil
}

// newRequest builds a request to the endpoint with the client's headers. rpcMethod and name
// are the JSON-RPC method of body and what Mcp-Name mirrors of it, for a request of a
// per-request revision; extra are more headers, set last.
func (c *Client) newRequest(ctx context.Context, method string, body []byte, rpcMethod, name string, extra http.Header) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if body != nil {
		// Transports § Sending Messages to the Server, 2: "The client MUST include an Accept
		// header, listing both application/json and text/event-stream".
		req.Header["Accept"] = acceptBoth
		req.Header["Content-Type"] = jsonContentType
	}
	if c.sessionID != "" {
		// § Session Management, 2: clients "MUST include it in the MCP-Session-Id header on
		// all of their subsequent HTTP requests".
		req.Header["Mcp-Session-Id"] = []string{c.sessionID}
	}
	switch {
	case c.modern != "":
		// MCP 2026-07-28, Transports § Streamable HTTP, Standard Request Headers: the
		// version, the method, and for tools/call, resources/read and prompts/get the name,
		// each matching the body.
		req.Header["Mcp-Protocol-Version"] = []string{c.modern}
		if rpcMethod != "" {
			req.Header["Mcp-Method"] = []string{rpcMethod}
		}
		if name != "" {
			req.Header["Mcp-Name"] = []string{httpwire.HeaderSafe(name)}
		}
	case c.protocolVersion != "":
		// § Protocol Version Header: "the client MUST include the MCP-Protocol-Version:
		// <protocol-version> HTTP header on all subsequent requests".
		req.Header["Mcp-Protocol-Version"] = []string{c.protocolVersion}
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	if c.host != "" {
		req.Host = c.host
	}
	return req, nil
}

// roundTrip POSTs one encoded request and reads the response with the given id; rpcMethod,
// name and extra are for newRequest.
func (c *Client) roundTrip(ctx context.Context, body []byte, id rpc.ID, rpcMethod, name string, extra http.Header) (json.RawMessage, *CallInfo, error) {
	// The request gets its own cancel so that a stream left open after its response can be
	// dropped (see drainStream).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodPost, body, rpcMethod, name, extra)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, &CallInfo{Latency: time.Since(start)}, newTransportError(ctx, err)
	}
	defer httpwire.CloseBody(resp.Body)
	info := &CallInfo{
		Status:    resp.StatusCode,
		ServedBy:  resp.Header.Get("X-Served-By"),
		SessionID: resp.Header.Get("Mcp-Session-Id"),
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := newHTTPStatusError(resp)
		info.Latency = time.Since(start)
		return nil, info, err
	}
	var res json.RawMessage
	switch ct := httpwire.MediaType(resp.Header.Get("Content-Type")); ct {
	case "application/json":
		res, err = readJSONReply(ctx, resp.Body, id)
		info.Latency = time.Since(start)
	case "text/event-stream":
		res, err = readSSEReply(ctx, resp.Body, id)
		info.Latency = time.Since(start)
		if err == nil {
			drainStream(resp.Body, cancel)
		}
	default:
		info.Latency = time.Since(start)
		reason := fmt.Sprintf("HTTP %d with Content-Type %q, want application/json or text/event-stream", resp.StatusCode, ct)
		if ct == "" {
			reason = fmt.Sprintf("HTTP %d without a Content-Type, want application/json or text/event-stream", resp.StatusCode)
		}
		err = &MalformedReplyError{Reason: reason}
	}
	return res, info, err
}

// readJSONReply reads a JSON reply and returns the result of the response with id.
func readJSONReply(ctx context.Context, body io.Reader, id rpc.ID) (json.RawMessage, error) {
	data, err := io.ReadAll(io.LimitReader(body, maxReplyBytes+1))
	if err != nil {
		return nil, newTransportError(ctx, err)
	}
	if len(data) > maxReplyBytes {
		return nil, &MalformedReplyError{Reason: fmt.Sprintf("reply larger than %d bytes", maxReplyBytes)}
	}
	msgs, _, derr := rpc.Decode(nil, data, rpc.Limits{MaxMessageBytes: maxReplyBytes})
	if derr != nil {
		return nil, &MalformedReplyError{Reason: "reply is not JSON-RPC: " + derr.Message}
	}
	res, found, err := httpwire.PickResponse(msgs, id)
	if !found {
		return nil, &MalformedReplyError{Reason: "reply holds no response with id " + id.String()}
	}
	return res, err
}

// readSSEReply reads an SSE reply until the event holding the response with id, skipping the
// priming event, notifications and server-to-client requests (Transports § Sending Messages to
// the Server, 6: "The server MAY send JSON-RPC requests and notifications before sending the
// JSON-RPC response").
func readSSEReply(ctx context.Context, body io.Reader, id rpc.ID) (json.RawMessage, error) {
	dec := sse.NewDecoder(body, &sse.DecoderOptions{MaxEventSize: maxReplyBytes})
	var msgs []rpc.Message
	for {
		e, err := dec.Next()
		switch {
		case err == io.EOF:
			return nil, &MalformedReplyError{Reason: "SSE stream ended before the response with id " + id.String()}
		case errors.Is(err, sse.ErrEventTooLarge):
			return nil, &MalformedReplyError{Reason: err.Error()}
		case err != nil:
			return nil, newTransportError(ctx, err)
		}
		if e.Name != "" && e.Name != "message" {
			continue // not a JSON-RPC message event
		}
		if len(e.Data) == 0 {
			continue // the priming event (§ Sending Messages to the Server, 6)
		}
		var derr *rpc.Error
		msgs, _, derr = rpc.Decode(msgs[:0], e.Data, rpc.Limits{MaxMessageBytes: maxReplyBytes})
		if derr != nil {
			return nil, &MalformedReplyError{Reason: "SSE event is not JSON-RPC: " + derr.Message}
		}
		if res, found, err := httpwire.PickResponse(msgs, id); found {
			return res, err
		}
	}
}

// drainStream reads what is left of an SSE stream after its response so that the connection
// can be reused, giving the server sseDrainGrace to end the stream before cancel drops it.
func drainStream(body io.Reader, cancel context.CancelFunc) {
	t := time.AfterFunc(sseDrainGrace, cancel)
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrainBytes))
	t.Stop()
}

// StatusError reports a reply whose HTTP status is not 2xx.
type StatusError struct {
	// Code is the HTTP status code.
	Code int
	// Body is a short excerpt of the reply: the message of a JSON-RPC error body (Transports §
	// Sending Messages to the Server, 4: the body "MAY comprise a JSON-RPC error response"),
	// else its first line or so of text, else the status text.
	Body string
	// RPC is the JSON-RPC error the body holds, nil when it holds none: a server of a
	// per-request revision answers 400 with one (MCP 2026-07-28, Transports § Streamable
	// HTTP, Backward Compatibility: clients "SHOULD inspect the response body").
	RPC *rpc.Error
}

func (e *StatusError) Error() string {
	s := "HTTP " + strconv.Itoa(e.Code) + ": " + e.Body
	if e.RPC != nil && e.RPC.Code == mcp.CodeUnsupportedProtocolVersion {
		if v := httpwire.SupportedOf(e.RPC); len(v) > 0 {
			s += " (the server supports " + strings.Join(v, ", ") + ")"
		}
	}
	return s
}

// newHTTPStatusError builds an *StatusError from a reply, reading a little of its body.
func newHTTPStatusError(resp *http.Response) *StatusError {
	body, rpcErr := httpwire.ReadError(resp)
	return &StatusError{Code: resp.StatusCode, Body: body, RPC: rpcErr}
}

// TransportError reports that a request got no complete HTTP reply: connection refused or
// reset, DNS or TLS failure, a stream broken mid-way, or a deadline.
type TransportError struct {
	Err     error
	timeout bool
}

func (e *TransportError) Error() string { return e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the request ran out of time (a context deadline or a net timeout,
// such as http.Client.Timeout).
func (e *TransportError) Timeout() bool { return e.timeout }

// newTransportError wraps err, noting whether it is a timeout: err says so, or ctx's deadline
// has passed.
func newTransportError(ctx context.Context, err error) *TransportError {
	var ne net.Error
	timeout := errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) ||
		errors.Is(ctx.Err(), context.DeadlineExceeded)
	return &TransportError{Err: err, timeout: timeout}
}

// MalformedReplyError reports a 2xx reply that is not what the transport requires: a wrong
// Content-Type, invalid JSON-RPC, no response with the request's id, a bad result.
type MalformedReplyError struct {
	Reason string
}

func (e *MalformedReplyError) Error() string { return "malformed reply: " + e.Reason }

// ErrorKind classifies an error of a request for counting: "http_<status>", "jsonrpc_<code>",
// "timeout", "transport", "malformed", or "canceled" when the caller's context was cancelled
// (not the server's fault; bench does not count those). bench adds "tool_error".
func ErrorKind(err error) string {
	var (
		se *StatusError
		re *rpc.Error
		me *MalformedReplyError
		te *TransportError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &se):
		return "http_" + strconv.Itoa(se.Code)
	case errors.As(err, &re):
		return "jsonrpc_" + strconv.FormatInt(re.Code, 10)
	case errors.As(err, &me):
		return "malformed"
	case errors.As(err, &te) && te.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "transport"
}

// NewHTTPTransport returns a transport like http.DefaultTransport that keeps up to perHost idle
// connections to one host, so that that many concurrent requests reuse their connections.
// Its owner calls CloseIdleConnections when done with it.
func NewHTTPTransport(perHost int) *http.Transport {
	perHost = max(perHost, 2)
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          max(100, perHost),
		MaxIdleConnsPerHost:   perHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}
