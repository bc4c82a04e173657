package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/httpwire"
	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: one client, two eras, four transports.

A Client is one connection to one server: a Streamable HTTP endpoint, a spawned command's
stdio, an io.ReadWriteCloser (in memory), or a legacy HTTP+SSE endpoint. The transport
(transport.go: httpTransport, streamTransport over a msgConn) carries messages; the Client
chooses the era, builds each request and meets the server's requests and notifications.

Lifecycle. A Connect function builds the transport and runs connect, which chooses the era:

  - with Options.ProtocolVersion naming 2026-07-28, or when server/discover (sent first, as a
    2026-07-28 request: MCP 2026-07-28, Server § Discovery, "Clients MAY call it before
    sending any other requests") lists a per-request version this client speaks, the
    connection is modern: no initialize, no session; every request carries the version, the
    client's info and capabilities in params._meta (Basic § _meta) and, on HTTP, the
    MCP-Protocol-Version, Mcp-Method and Mcp-Name headers (Transports § Streamable HTTP,
    Standard Request Headers);
  - otherwise (the probe answered -32022 naming only session versions, or anything a legacy
    server answers: Basic § Versioning, Backward Compatibility, "Anything else identifies a
    legacy server") the client initializes, asking for Options.ProtocolVersion or
    mcp.LatestVersion, and keeps the session the server assigns. A recognized modern error
    other than -32022 (-32020, -32021) and a transport failure end Connect instead: the
    server is modern and refused us, or is not there.

The era is fixed once Connect returns; every method is then safe for concurrent use. Close
ends the session (DELETE on HTTP), stops the transport's goroutines and, for a command, waits
for the process (closing its stdin, then SIGTERM, then SIGKILL: MCP 2025-11-25, Basic §
Lifecycle, Shutdown).

One handler API for what the server asks. The user registers CreateMessageHandler,
ElicitationHandler and RootsHandler once; the client declares the matching capabilities and
calls them however the server asks:

  - in a 2025 session, as server-to-client requests: they arrive on the stream of a POST's
    answer, on the session's GET stream, or on the stdio stream, and the client answers each
    with a response (POSTed back on HTTP; Transports § Sending Messages to the Server);
  - at 2026-07-28, as input-required rounds (Basic § Multi Round-Trip Requests): a result
    with resultType "input_required" names inputRequests; the client runs the handler of each,
    and retries the same request with inputResponses and the requestState the server sent,
    until the result is complete or Options.MaxInputRounds rounds have passed. The caller of
    CallTool sees only the final result.

Notifications take one path in every era: progress by its token to the callback of
WithProgress, notifications/message to Options.LogHandler, a notification tagged with a
subscriptionId to the Listen that opened it, anything else to the 2025 Listens and to
Options.NotificationHandler.
*/

// Defaults of [Options].
const (
	// DefaultMaxInputRounds is the most input-required rounds one request goes through when
	// Options.MaxInputRounds is zero.
	DefaultMaxInputRounds = 10
	// DefaultMaxMessageBytes bounds a message the client reads when Options.MaxMessageBytes is
	// zero.
	DefaultMaxMessageBytes = 16 << 20
	// maxPages bounds the pages a list iterator follows.
	maxPages = 10000
)

// Options configures a [Client]. The zero value of every field means its default; a nil
// *Options means all defaults. The Connect functions copy it.
type Options struct {
	// ClientInfo is the client's name and version sent to the server. If zero,
	// {Name: "minimcp-client", Version: "dev"}.
	ClientInfo mcp.Implementation
	// ProtocolVersion pins the protocol version: a per-request version (2026-07-28) skips
	// the initialize fallback, a session version skips the server/discover probe and has
	// initialize ask for it (Connect fails with [ErrNoCommonVersion] if the server picks
	// another). If empty, the client probes and speaks the newest version both sides know.
	ProtocolVersion string

	// HTTPClient sends the HTTP requests. If nil, http.DefaultClient. An http.Client whose
	// Transport adds credentials (an OAuth2 transport, say) authenticates every request.
	HTTPClient *http.Client
	// Header holds extra headers sent on every HTTP request.
	Header http.Header
	// TokenSource, if set, is called before each HTTP request for a bearer token, sent as
	// "Authorization: Bearer <token>" (MCP 2025-11-25, Basic § Authorization, Access Token
	// Usage). An error fails the request.
	TokenSource func(ctx context.Context) (string, error)

	// CreateMessageHandler answers sampling/createMessage; setting it declares the sampling
	// capability. It runs for server-to-client requests in a 2025 session and for input
	// requests at 2026-07-28 alike.
	CreateMessageHandler func(ctx context.Context, p *mcp.CreateMessageParams) (*mcp.CreateMessageResult, error)
	// ElicitationHandler answers elicitation/create; setting it declares the elicitation
	// capability, form and url modes. A user who declines answers with Action "decline",
	// not an error.
	ElicitationHandler func(ctx context.Context, p *mcp.ElicitParams) (*mcp.ElicitResult, error)
	// RootsHandler answers roots/list; setting it declares the roots capability.
	RootsHandler func(ctx context.Context) ([]mcp.Root, error)
	// Capabilities, if set, replaces the capabilities the handlers declare.
	Capabilities *mcp.ClientCapabilities

	// LogHandler receives notifications/message. At 2026-07-28 the server sends them only
	// after SetLogLevel (MCP 2026-07-28, schema RequestMetaObject: logLevel).
	LogHandler func(ctx context.Context, p *mcp.LoggingMessageParams)
	// NotificationHandler receives every other notification that is not progress and not on
	// a Listen stream: list changes, resource updates, elicitation completions.
	NotificationHandler func(ctx context.Context, n *Notification)

	// MaxInputRounds bounds the input-required rounds of one request at 2026-07-28. If zero,
	// [DefaultMaxInputRounds].
	MaxInputRounds int
	// MaxMessageBytes bounds a message (a JSON body, an SSE event, a stdio line) the client
	// reads. If zero, [DefaultMaxMessageBytes].
	MaxMessageBytes int
	// MaxResumes bounds how many times in a row the client resumes a dropped SSE stream
	// with Last-Event-ID without receiving anything in between. If zero, 5; negative
	// disables resumption.
	MaxResumes int
}

// Notification is a notification from the server.
type Notification struct {
	// Method is the notification's method, such as mcp.NotificationResourceUpdated.
	Method string
	// Params are its params as sent, nil when it had none.
	Params json.RawMessage
}

// Client is a connection to one MCP server. Its methods are safe for concurrent use.
type Client struct {
	opts Options
	t    transport

	// Set by connect, read-only afterwards.
	version      string // the protocol version in use
	modern       bool   // version is a per-request revision
	serverInfo   mcp.Implementation
	caps         mcp.ServerCapabilities
	instructions string
	clientCaps   json.RawMessage // the declared capabilities, encoded
	clientInfo   json.RawMessage // Options.ClientInfo, encoded

	// nextID numbers requests; nextToken numbers progress tokens.
	nextID    atomic.Int64
	nextToken atomic.Int64
	// logLevel is the level SetLogLevel chose at 2026-07-28, sent in each request's _meta;
	// nil until then.
	logLevel atomic.Pointer[mcp.LoggingLevel]

	// ctx is the connection's lifetime, cancelled by Close: server-to-client requests on a
	// stream transport run under it.
	ctx    context.Context
	cancel context.CancelFunc

	mu sync.Mutex
	// progress maps a progress token (its JSON) to the callback of the request that sent it;
	// guarded by mu.
	progress map[string]func(*mcp.ProgressNotificationParams)
	// subs maps the raw id of a 2026-07-28 subscriptions/listen request to its callback;
	// guarded by mu.
	subs map[string]func(*Notification)
	// listeners are the callbacks of 2025 Listens, by a number; guarded by mu.
	listeners    map[int64]func(*Notification)
	nextListener int64
	// paramHeaders caches the Mcp-Param-* headers tools need (MCP 2026-07-28), by tool name;
	// guarded by mu.
	paramHeaders map[string][]mcp.ToolHeader

	// renewMu serializes starting a new session after a 404 (renew).
	renewMu sync.Mutex

	closeOnce sync.Once
	closeErr  error
}

// newClient returns a client over t, not yet connected.
func newClient(t transport, opts *Options) *Client {
	c := &Client{t: t}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.ClientInfo.Name == "" {
		c.opts.ClientInfo = mcp.Implementation{Name: "minimcp-client", Version: "dev"}
	}
	if c.opts.MaxInputRounds <= 0 {
		c.opts.MaxInputRounds = DefaultMaxInputRounds
	}
	if c.opts.MaxMessageBytes <= 0 {
		c.opts.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.opts.MaxResumes == 0 {
		c.opts.MaxResumes = 5
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.clientInfo, _ = json.Marshal(&c.opts.ClientInfo)
	c.clientCaps, _ = json.Marshal(c.capabilities())
	return c
}

// capabilities returns what the client declares: Options.Capabilities, or what its handlers
// answer.
func (c *Client) capabilities() *mcp.ClientCapabilities {
	if c.opts.Capabilities != nil {
		return c.opts.Capabilities
	}
	caps := &mcp.ClientCapabilities{}
	if c.opts.CreateMessageHandler != nil {
		caps.Sampling = &mcp.SamplingCapability{}
	}
	if c.opts.ElicitationHandler != nil {
		caps.Elicitation = &mcp.ElicitationCapability{Form: &struct{}{}, URL: &struct{}{}}
	}
	if c.opts.RootsHandler != nil {
		caps.Roots = &mcp.RootsCapability{}
	}
	return caps
}

// ProtocolVersion returns the protocol version the connection speaks.
func (c *Client) ProtocolVersion() string { return c.version }

// ServerInfo returns the server's name and version, as initialize or server/discover told.
func (c *Client) ServerInfo() mcp.Implementation { return c.serverInfo }

// ServerCapabilities returns what the server declared.
func (c *Client) ServerCapabilities() *mcp.ServerCapabilities { return &c.caps }

// Instructions returns the server's instructions, "" when it gave none.
func (c *Client) Instructions() string { return c.instructions }

// SessionID returns the Streamable HTTP session's id, "" without one (2026-07-28, stateless
// servers, other transports).
func (c *Client) SessionID() string {
	if h, ok := c.t.(*httpTransport); ok {
		return h.session()
	}
	return ""
}

// Close ends the connection: the session with DELETE on HTTP (Transports § Session
// Management, 5; 405 and 404 are not errors), the process of a command, the stream of the
// others. Calls in flight, Listens included, end with [ErrClosed], as do later calls. It waits
// for the client's goroutines and returns the first error; later calls of Close return the
// same.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.cancel()
		c.closeErr = c.t.close()
	})
	return c.closeErr
}

// connect chooses the era and readies the client (see the design note above).
func (c *Client) connect(ctx context.Context) error {
	pin := c.opts.ProtocolVersion
	switch {
	case pin != "" && !slices.Contains(mcp.AllVersions(), pin):
		return fmt.Errorf("%w: %q is not a version this client speaks (%s)", ErrNoCommonVersion, pin, strings.Join(mcp.AllVersions(), ", "))
	case mcp.IsModernVersion(pin):
		return c.discover(ctx, pin)
	case pin != "":
		return c.initialize(ctx, pin)
	case !c.t.modernCapable():
		return c.initialize(ctx, mcp.LatestVersion)
	}
	err := c.discover(ctx, mcp.ModernVersions()[0])
	if err == nil {
		return nil
	}
	e := rpcErrorOf(err)
	switch {
	case errors.Is(err, errNotModern):
	case e != nil && e.Code == mcp.CodeUnsupportedProtocolVersion:
		// MCP 2026-07-28, Basic § Versioning: "The client SHOULD select a mutually supported
		// version from the supported list and retry the request, or surface an error to the
		// user if no compatible version exists."
		supported := httpwire.SupportedOf(e)
		if m := slices.IndexFunc(supported, mcp.IsModernVersion); m >= 0 {
			return c.discover(ctx, supported[m])
		}
		if !slices.ContainsFunc(supported, mcp.IsSupportedVersion) {
			return fmt.Errorf("%w: it supports %s; this client speaks %s", ErrNoCommonVersion,
				strings.Join(supported, ", "), strings.Join(mcp.AllVersions(), ", "))
		}
	case e != nil && httpwire.IsModernCode(e.Code):
		return err
	case e == nil && !errors.As(err, new(*HTTPStatusError)) && !errors.Is(err, ErrMalformedReply):
		// No answer at all: a transport failure, the caller's deadline, a closed stream.
		return err
	}
	// A legacy server (Basic § Versioning, Backward Compatibility).
	c.modern, c.version = false, ""
	return c.initialize(ctx, mcp.LatestVersion)
}

// errNotModern reports a discover result that lists no per-request version this client
// speaks.
var errNotModern = errors.New("client: the server offers no per-request version")

// discover sends server/discover as a request of revision v (MCP 2026-07-28, Server §
// Discovery) and, when the server lists a per-request version this client speaks, makes the
// client modern at the newest such version.
func (c *Client) discover(ctx context.Context, v string) error {
	c.modern, c.version = true, v
	raw, err := c.call(ctx, mcp.MethodServerDiscover, nil, nil)
	if err != nil {
		c.modern, c.version = false, ""
		return err
	}
	var res mcp.DiscoverResult
	if err := json.Unmarshal(raw, &res); err != nil {
		c.modern, c.version = false, ""
		return fmt.Errorf("%s: %w", mcp.MethodServerDiscover, malformed("result: "+err.Error()))
	}
	if !slices.Contains(res.SupportedVersions, v) {
		m := slices.IndexFunc(res.SupportedVersions, mcp.IsModernVersion)
		if m < 0 {
			c.modern, c.version = false, ""
			if c.opts.ProtocolVersion != "" {
				return fmt.Errorf("%w: the server supports %s, not the pinned %s", ErrNoCommonVersion,
					strings.Join(res.SupportedVersions, ", "), v)
			}
			return errNotModern
		}
		c.version = res.SupportedVersions[m]
	}
	c.caps, c.instructions = res.Capabilities, res.Instructions
	// Every result of the revision carries the server's identity in _meta (MCP 2026-07-28,
	// Basic § _meta: io.modelcontextprotocol/serverInfo).
	if info := jsontext.ValueAt(raw, []string{"_meta", "io.modelcontextprotocol/serverInfo"}); info != nil {
		_ = json.Unmarshal(info, &c.serverInfo)
	}
	return nil
}

// initialize runs the initialization phase asking for version v (MCP 2025-11-25, Basic §
// Lifecycle, Initialization) and keeps what the server said of itself.
func (c *Client) initialize(ctx context.Context, v string) error {
	res, err := c.handshake(ctx, v)
	if err != nil {
		return err
	}
	c.version = res.ProtocolVersion
	c.serverInfo, c.caps, c.instructions = res.ServerInfo, res.Capabilities, res.Instructions
	return nil
}

// handshake sends initialize asking for version v, checks the version the server chose, and
// sends notifications/initialized.
func (c *Client) handshake(ctx context.Context, v string) (*mcp.InitializeResult, error) {
	params := &struct {
		ProtocolVersion string          `json:"protocolVersion"`
		Capabilities    json.RawMessage `json:"capabilities"`
		ClientInfo      json.RawMessage `json:"clientInfo"`
	}{v, c.clientCaps, c.clientInfo}
	raw, err := c.send(ctx, mcp.MethodInitialize, mustEncode(params), nil, nil)
	if err != nil {
		return nil, err
	}
	var res mcp.InitializeResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", mcp.MethodInitialize, malformed("result: "+err.Error()))
	}
	// Lifecycle § Version Negotiation: "If the client does not support the version in the
	// server's response, it SHOULD disconnect."
	switch {
	case !mcp.IsSupportedVersion(res.ProtocolVersion) || mcp.IsModernVersion(res.ProtocolVersion):
		return nil, fmt.Errorf("%s: %w: the server chose %q", mcp.MethodInitialize, ErrNoCommonVersion, res.ProtocolVersion)
	case c.opts.ProtocolVersion != "" && res.ProtocolVersion != c.opts.ProtocolVersion:
		return nil, fmt.Errorf("%s: %w: the server chose %s, not the pinned %s", mcp.MethodInitialize, ErrNoCommonVersion,
			res.ProtocolVersion, c.opts.ProtocolVersion)
	}
	// notifications/initialized goes at the version just negotiated.
	msg := rpc.AppendRequest(nil, rpc.ID{}, mcp.NotificationInitialized, nil)
	if err := c.t.notify(ctx, msg, res.ProtocolVersion); err != nil {
		return nil, fmt.Errorf("%s: %w", mcp.NotificationInitialized, err)
	}
	return &res, nil
}

// mustEncode encodes params the client builds itself, which always encode.
func mustEncode(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}

// renew starts a new session after the server answered a request of session old with 404
// (MCP 2025-11-25, Transports § Session Management, 4: the client "MUST start a new session by
// sending a new InitializeRequest without a session ID attached"), at the version in use. A
// call that finds the session already renewed by another does nothing.
func (c *Client) renew(ctx context.Context, old string) error {
	h, ok := c.t.(*httpTransport)
	if !ok {
		return nil
	}
	c.renewMu.Lock()
	defer c.renewMu.Unlock()
	if h.session() != old {
		return nil
	}
	h.setSession("")
	res, err := c.handshake(ctx, c.version)
	if err != nil {
		return err
	}
	if res.ProtocolVersion != c.version {
		return fmt.Errorf("%w: the new session is at %s, the connection at %s", ErrNoCommonVersion, res.ProtocolVersion, c.version)
	}
	return nil
}

// sessionGone reports whether err is the 404 a server answers a request of an unknown
// session with.
func sessionGone(err error) bool {
	var se *HTTPStatusError
	return errors.As(err, &se) && se.Code == http.StatusNotFound
}

// Call sends a request of any method and returns its raw result: the escape hatch for methods
// without a typed wrapper. params are encoded as JSON (a json.RawMessage is sent as is; nil
// sends none). At 2026-07-28 input-required rounds are answered as for the typed calls.
func (c *Client) Call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	return c.call(ctx, method, params, nil)
}

// call sends a request and returns its result, answering input-required rounds at 2026-07-28
// (Basic § Multi Round-Trip Requests). hdr are extra HTTP headers.
func (c *Client) call(ctx context.Context, method string, params any, hdr http.Header) (json.RawMessage, error) {
	raw, err := httpwire.EncodeParams(params)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding params: %w", method, err)
	}
	var (
		responses map[string]json.RawMessage
		state     json.RawMessage
	)
	for round := 0; ; round++ {
		params := withRetry(raw, responses, state)
		sid := c.SessionID()
		res, err := c.send(ctx, method, params, hdr, nil)
		if err != nil && sid != "" && sessionGone(err) {
			// The server never ran a request of a session it does not know: send it again
			// in a new one.
			if rerr := c.renew(ctx, sid); rerr != nil {
				return nil, fmt.Errorf("%w (starting a new session: %v)", err, rerr)
			}
			res, err = c.send(ctx, method, params, hdr, nil)
		}
		if err != nil {
			return nil, err
		}
		if !c.modern || !isInputRequired(res) {
			return res, nil
		}
		if round >= c.opts.MaxInputRounds {
			return nil, fmt.Errorf("%s: %w (%d rounds)", method, ErrTooManyRounds, round+1)
		}
		var ir struct {
			InputRequests map[string]struct {
				Method string          `json:"method"`
				Params json.RawMessage `json:"params"`
			} `json:"inputRequests"`
			RequestState json.RawMessage `json:"requestState"`
		}
		if err := json.Unmarshal(res, &ir); err != nil {
			return nil, fmt.Errorf("%s: %w", method, malformed("input_required result: "+err.Error()))
		}
		for _, q := range ir.InputRequests {
			if !c.answers(q.Method) {
				return nil, &InputRequiredError{Method: method, Result: res}
			}
		}
		// Client Requirements: the client answers every input request and retries "with
		// inputResponses" and the requestState "passed back" as it came.
		responses = make(map[string]json.RawMessage, len(ir.InputRequests))
		for k, q := range ir.InputRequests {
			out, err := c.answer(ctx, q.Method, q.Params)
			if err != nil {
				return nil, fmt.Errorf("%s: answering %s (%s): %w", method, k, q.Method, err)
			}
			if responses[k], err = json.Marshal(out); err != nil {
				return nil, fmt.Errorf("%s: encoding the answer to %s: %w", method, k, err)
			}
		}
		state = ir.RequestState
	}
}

// isInputRequired reports whether a result is an InputRequiredResult (schema/2026-07-28:
// resultType "input_required").
func isInputRequired(res json.RawMessage) bool {
	if !strings.Contains(string(res), `"input_required"`) {
		return false
	}
	v := jsontext.ValueAt(res, []string{"resultType"})
	s, _ := jsontext.Unquote(v)
	return s == "input_required"
}

// withRetry returns params with inputResponses and requestState set (MCP 2026-07-28, schema
// InputResponseRequestParams), params as it is when both are empty.
func withRetry(params json.RawMessage, responses map[string]json.RawMessage, state json.RawMessage) json.RawMessage {
	if responses == nil && state == nil {
		return params
	}
	b := []byte{'{'}
	_ = jsontext.EachMember(params, func(k, v []byte) bool {
		if string(k) != "inputResponses" && string(k) != "requestState" {
			b = appendMember(b, string(k), v)
		}
		return true
	})
	if len(responses) > 0 {
		keys := make([]string, 0, len(responses))
		for k := range responses {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		obj := []byte{'{'}
		for _, k := range keys {
			obj = appendMember(obj, k, responses[k])
		}
		b = appendMember(b, "inputResponses", append(obj, '}'))
	}
	if state != nil {
		b = appendMember(b, "requestState", state)
	}
	return append(b, '}')
}

// appendMember appends "k":v to the JSON object being built in b, with a comma unless it is
// the first member.
func appendMember(b []byte, k string, v []byte) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = jsontext.AppendString(b, k)
	b = append(b, ':')
	return append(b, v...)
}

// send sends one request and returns its result: params get the client's _meta, the HTTP
// request its headers. onNotify, if set, receives the notifications of this request's stream
// that are not progress or log messages (a subscriptions/listen).
func (c *Client) send(ctx context.Context, method string, params json.RawMessage, hdr http.Header, onNotify func(*Notification)) (json.RawMessage, error) {
	id := rpc.Int64ID(c.nextID.Add(1))
	var token string
	if f := progressFrom(ctx); f != nil {
		token = strconv.Quote("p" + strconv.FormatInt(c.nextToken.Add(1), 10))
		c.mu.Lock()
		if c.progress == nil {
			c.progress = map[string]func(*mcp.ProgressNotificationParams){}
		}
		c.progress[token] = f
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			delete(c.progress, token)
			c.mu.Unlock()
		}()
	}
	if onNotify != nil {
		c.mu.Lock()
		if c.subs == nil {
			c.subs = map[string]func(*Notification){}
		}
		c.subs[id.String()] = onNotify
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			delete(c.subs, id.String())
			c.mu.Unlock()
		}()
	}
	tc := traceFrom(ctx)
	params = c.withMeta(params, token, tc)
	r := &request{
		id:     id,
		method: method,
		body:   rpc.AppendRequest(make([]byte, 0, 48+len(method)+len(params)), id, method, params),
		modern: c.modern,
		header: hdr,
	}
	if method != mcp.MethodInitialize {
		r.version = c.version
	}
	if c.modern {
		r.name = httpwire.NameOf(method, params)
	}
	if tc.TraceParent != "" {
		// W3C Trace Context §3 on the HTTP request as well: proxies and the server's HTTP
		// instrumentation read the header, MCP handlers read _meta.
		r.header = r.header.Clone()
		if r.header == nil {
			r.header = http.Header{}
		}
		r.header.Set("Traceparent", tc.TraceParent)
		if tc.TraceState != "" {
			r.header.Set("Tracestate", tc.TraceState)
		}
		if tc.Baggage != "" {
			r.header.Set("Baggage", tc.Baggage)
		}
	}
	res, err := c.t.roundTrip(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	return res, nil
}

// withMeta returns params with the client's _meta members first: at 2026-07-28 the
// per-request protocol fields (MCP 2026-07-28, Basic § _meta: protocolVersion and
// clientCapabilities required, clientInfo SHOULD be sent, logLevel when set), in every era the
// progress token and the trace context when the request has them. Members of a _meta params
// already has are kept after them, unless they set the same key.
func (c *Client) withMeta(params json.RawMessage, token string, tc mcp.TraceContext) json.RawMessage {
	if !c.modern && token == "" && tc.TraceParent == "" && tc.Baggage == "" {
		return params
	}
	meta := []byte{'{'}
	keys := map[string]bool{}
	add := func(k string, v []byte) {
		keys[k] = true
		meta = appendMember(meta, k, v)
	}
	if c.modern {
		add("io.modelcontextprotocol/protocolVersion", jsontext.AppendString(nil, c.version))
		add("io.modelcontextprotocol/clientInfo", c.clientInfo)
		add("io.modelcontextprotocol/clientCapabilities", c.clientCaps)
		if lvl := c.logLevel.Load(); lvl != nil {
			add("io.modelcontextprotocol/logLevel", jsontext.AppendString(nil, string(*lvl)))
		}
	}
	if token != "" {
		add("progressToken", []byte(token))
	}
	if tc.TraceParent != "" {
		add("traceparent", jsontext.AppendString(nil, tc.TraceParent))
		if tc.TraceState != "" {
			add("tracestate", jsontext.AppendString(nil, tc.TraceState))
		}
	}
	if tc.Baggage != "" {
		add("baggage", jsontext.AppendString(nil, tc.Baggage))
	}
	var old []byte
	b := []byte{'{'}
	_ = jsontext.EachMember(params, func(k, v []byte) bool {
		if string(k) == "_meta" {
			old = v
		} else {
			b = appendMember(b, string(k), v)
		}
		return true
	})
	_ = jsontext.EachMember(old, func(k, v []byte) bool {
		if !keys[string(k)] {
			meta = appendMember(meta, string(k), v)
		}
		return true
	})
	return append(appendMember(b, "_meta", append(meta, '}')), '}')
}

// notify sends a notification.
func (c *Client) notify(ctx context.Context, method string, params any) error {
	raw, err := httpwire.EncodeParams(params)
	if err != nil {
		return fmt.Errorf("%s: encoding params: %w", method, err)
	}
	if err := c.t.notify(ctx, rpc.AppendRequest(nil, rpc.ID{}, method, raw), c.version); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}
