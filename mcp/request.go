package mcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/rpc"
)

// Request is everything a handler may need about the request it serves: the negotiated
// protocol version, the client's info and capabilities, the log level, the authenticated
// principal, and ways to notify the client and to ask it things. It reaches the handler per
// request, never through an assumed session: on stateless transports (and in the 2026-07-28
// revision) there is none.
//
// A Request is valid until its handler returns; its methods are safe for concurrent use by
// goroutines the handler waits for. After the handler returns they fail with [ErrRequestDone].
type Request struct {
	// ID is the JSON-RPC id of the request, as sent.
	ID rpc.ID
	// Method is the JSON-RPC method.
	Method string
	// Params are the raw params, as sent.
	Params json.RawMessage

	srv       *Server
	sess      *Session
	state     *SessionState
	principal string
	out       Sender

	progressToken json.RawMessage
	// cache is the cache hint of the result at a per-request revision, set by the method that
	// knows it (see cache.go).
	cache CacheHint
	// ctx is the request's cancellable context when it runs in a session, else nil.
	ctx *requestContext
	// in is what the request came with: its transport's authentication (Auth) and trace
	// context, and for a notification in middleware what the protocol acts on. It outlives
	// Handle, like the Request; its Meta, which aliases the transport's buffer, is not read
	// after Handle.
	in *Inbound

	mu sync.Mutex
	// lastProgress is the last progress value sent, for the strictly-increasing rule.
	// Guarded by mu.
	lastProgress float64
	// flags holds flagDone and flagCancelledByClient. Atomic: the handler's goroutines, the
	// session's reader and the transport read and set them. Beside the bools below, where
	// the Request has room, so that it stays in its allocation size class.
	flags        atomic.Uint32
	sentProgress bool // guarded by mu
	// toolError and inputRequired say how the request ended, for Outcome: a tools/call
	// result with isError, an InputRequiredResult. Set by the protocol before the handler
	// chain returns.
	toolError, inputRequired bool

	// input is the rounds of a 2026-07-28 request that may ask the client for input (mrtr.go),
	// nil for others.
	input *inputRound
	// askSeq counts the asks of each kind in this run, for their keys. Guarded by mu.
	askSeq map[string]int

	// tool is the tool a tools/call calls, once found.
	tool *toolEntry
	// task is the runner of the task the request runs in (task.go), nil outside a task.
	task *taskRun
	// createdTask is the task RunTask created for this request, which answers it.
	createdTask *TaskRecord
}

// Bits of Request.flags.
const (
	// flagDone is set when the handler has returned.
	flagDone uint32 = 1 << iota
	// flagCancelledByClient is set when notifications/cancelled named this request; its
	// reply is then suppressed (MCP 2025-11-25, Utilities § Cancellation).
	flagCancelledByClient
)

func (r *Request) setFlag(f uint32)        { r.flags.Or(f) }
func (r *Request) isDone() bool            { return r.flags.Load()&flagDone != 0 }
func (r *Request) cancelledByClient() bool { return r.flags.Load()&flagCancelledByClient != 0 }

var errSessionClosed = errors.New("mcp: session closed")

// cancel cancels the request's context, if it has one of its own.
func (r *Request) cancel(cause error) {
	if r.ctx != nil {
		r.ctx.cancelWith(cause)
	}
}

type cancelledError struct{ reason string }

func (e *cancelledError) Error() string {
	if e.reason == "" {
		return "mcp: request cancelled by the client"
	}
	return "mcp: request cancelled by the client: " + e.reason
}

// ProtocolVersion returns the protocol revision in force for this request; for initialize,
// once it has run, the version it negotiated.
func (r *Request) ProtocolVersion() string {
	if r.Method == MethodInitialize && r.sess != nil {
		if st := r.sess.state.Load(); st != nil {
			return st.ProtocolVersion
		}
	}
	return r.state.ProtocolVersion
}

// ClientInfo returns what the client said of itself in initialize, or in the request's
// _meta (io.modelcontextprotocol/clientInfo; zero when unknown).
func (r *Request) ClientInfo() Implementation { return r.state.ClientInfo }

// ClientCapabilities returns the capabilities the client declared in initialize, or in the
// request's _meta (io.modelcontextprotocol/clientCapabilities; zero when unknown).
func (r *Request) ClientCapabilities() *ClientCapabilities { return &r.state.ClientCapabilities }

// LogLevel returns the least severe level the client wants log messages at: the one it set
// (logging/setLevel, or io.modelcontextprotocol/logLevel in the request's _meta), else the
// server's default. At a per-request revision ([IsModernVersion]) a request that set no level
// gets no log messages at all, whatever LogLevel says.
func (r *Request) LogLevel() LoggingLevel {
	if r.state.LogLevel != "" {
		return r.state.LogLevel
	}
	return r.srv.opts.DefaultLogLevel
}

// Principal returns the authenticated caller, or "" when the transport does no
// authentication.
func (r *Request) Principal() string { return r.principal }

// Auth returns what the transport's authentication established about the caller (the
// principal, the token's scopes, expiry and claims), or nil when the transport does no
// authentication. The scopes a tool, prompt or resource requires have been checked before its
// handler runs. The AuthInfo must not be modified.
func (r *Request) Auth() *AuthInfo {
	if r.in == nil {
		return nil
	}
	return r.in.Auth
}

// SessionID returns the id of the session the request arrived in, or "" when there is none.
func (r *Request) SessionID() string {
	if r.sess == nil {
		return ""
	}
	return r.sess.id
}

// ProgressToken returns the request's _meta.progressToken as raw JSON, or nil.
func (r *Request) ProgressToken() json.RawMessage { return r.progressToken }

// Notify sends a notification related to this request on the request's stream (MCP
// 2025-11-25, Transports § Sending Messages to the Server: the server may send notifications
// before the response). Without a stream it returns [ErrNoBackchannel].
func (r *Request) Notify(ctx context.Context, method string, params any) error {
	if r.isDone() {
		return ErrRequestDone
	}
	raw, err := encodeParams(params)
	if err != nil {
		return fmt.Errorf("mcp: encoding %s params: %w", method, err)
	}
	out := r.out
	if out == nil {
		return ErrNoBackchannel
	}
	buf := rpc.GetBuffer()
	defer rpc.PutBuffer(buf)
	*buf = rpc.AppendRequest(*buf, rpc.ID{}, method, raw)
	return out.Send(ctx, *buf)
}

// CloseStream ends the connection that carries this request's stream to the client, without
// ending the request: the handler goes on, what it sends from now on (and its result) is kept,
// and the client, told when to come back by a retry hint, reconnects and receives it (MCP
// 2025-11-25, Transports § Sending Messages to the Server; SEP-1699). A long-running handler
// uses it so that no connection stays open while it works. It may be called again after the
// client reconnected. It returns [ErrStreamNotClosable] when the transport or the client cannot
// do this; the stream then simply stays open.
func (r *Request) CloseStream(ctx context.Context) error {
	if r.isDone() {
		return ErrRequestDone
	}
	c, ok := r.out.(StreamCloser)
	if !ok {
		return ErrStreamNotClosable
	}
	return c.CloseStream(ctx)
}

// Progress reports progress on this request (MCP 2025-11-25, Utilities § Progress). It does
// nothing when the client sent no progressToken. progress must increase with each call
// ("The progress value MUST increase with each notification"); total is 0 when unknown;
// message is left out for clients before 2025-03-26.
func (r *Request) Progress(ctx context.Context, progress, total float64, message string) error {
	if r.progressToken == nil {
		return nil
	}
	r.mu.Lock()
	if r.sentProgress && progress <= r.lastProgress {
		last := r.lastProgress
		r.mu.Unlock()
		return fmt.Errorf("mcp: progress must increase: %v after %v", progress, last)
	}
	r.lastProgress, r.sentProgress = progress, true
	r.mu.Unlock()
	p := &ProgressNotificationParams{ProgressToken: r.progressToken, Progress: progress, Message: message}
	if total > 0 {
		p.Total = &total
	}
	return r.Notify(ctx, NotificationProgress, p.downgrade(r.state.ProtocolVersion))
}

// Log sends a notifications/message at level if the client asked for that level or a more
// verbose one (MCP 2025-11-25, Server § Logging). logger may be empty; data is any
// JSON-encodable value.
func (r *Request) Log(ctx context.Context, level LoggingLevel, logger string, data any) error {
	if r.modern() && r.state.LogLevel == "" {
		// MCP 2026-07-28, schema RequestMetaObject: "If absent, the server MUST NOT send any
		// notifications/message notifications for this request."
		return nil
	}
	if level.Severity() < r.LogLevel().Severity() {
		return nil
	}
	return r.Notify(ctx, NotificationLoggingMessage, &LoggingMessageParams{Level: level, Logger: logger, Data: data})
}

// CreateMessage asks the client to sample its language model (MCP 2025-11-25, Client §
// Sampling). It fails with a [*CapabilityError] if the client did not declare sampling, or
// sampling.tools for a request with Tools, a ToolChoice or tool use and result blocks ("Servers
// MUST NOT send tool-enabled sampling requests to Clients that have not declared support for
// tool use via the sampling.tools capability"); with [ErrNoSession] on a 2025 transport that
// cannot route the reply; and when the server's ClientRequestTimeout passes. The params are
// sent as a client of the negotiated version knows them. At 2026-07-28 it asks as [Request.Ask]
// does, under the key "sampling-N", and returns [ErrInputRequired] until the client answers.
func (r *Request) CreateMessage(ctx context.Context, p *CreateMessageParams) (*CreateMessageResult, error) {
	if p == nil {
		p = &CreateMessageParams{}
	}
	res, err := r.ask1(ctx, "sampling", InputRequest{Sample: p})
	if err != nil {
		return nil, err
	}
	return res.Sample, nil
}

// Elicit asks the client to ask its user for information (MCP 2025-11-25, Client §
// Elicitation), in form mode (RequestedSchema) or, since 2025-11-25, URL mode. It fails with
// a [*CapabilityError] if the client did not declare the mode. At 2026-07-28 it asks as
// [Request.Ask] does, under the key "elicitation-N", and returns [ErrInputRequired] until the
// client answers.
func (r *Request) Elicit(ctx context.Context, p *ElicitParams) (*ElicitResult, error) {
	if p == nil {
		p = &ElicitParams{}
	}
	res, err := r.ask1(ctx, "elicitation", InputRequest{Elicit: p})
	if err != nil {
		return nil, err
	}
	return res.Elicit, nil
}

// ListRoots asks the client for its roots (MCP 2025-11-25, Client § Roots). At 2026-07-28 it
// asks as [Request.Ask] does, under the key "roots-N", and returns [ErrInputRequired] until the
// client answers.
func (r *Request) ListRoots(ctx context.Context) (*ListRootsResult, error) {
	res, err := r.ask1(ctx, "roots", InputRequest{Roots: true})
	if err != nil {
		return nil, err
	}
	return res.Roots, nil
}

// call sends a server-to-client request related to this request and decodes the reply.
func (r *Request) call(ctx context.Context, method string, params, result any) error {
	if r.isDone() {
		return ErrRequestDone
	}
	if r.sess == nil {
		return ErrNoSession
	}
	out := r.out
	if out == nil {
		r.sess.mu.Lock()
		out = r.sess.push
		r.sess.mu.Unlock()
	}
	if out == nil {
		return ErrNoBackchannel
	}
	ctx, cancel := context.WithTimeoutCause(ctx, r.srv.opts.ClientRequestTimeout,
		fmt.Errorf("mcp: the client did not answer %s within %v", method, r.srv.opts.ClientRequestTimeout))
	defer cancel()
	raw, err := r.sess.calls.Call(ctx, method, params, out.Send)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, result); err != nil {
		return fmt.Errorf("mcp: the client's reply to %s is malformed: %w", method, err)
	}
	return nil
}

// Logger returns a *slog.Logger whose records become notifications/message for this request,
// filtered by the client's level: Debug → debug, Info → info, Warn → warning, Error → error.
// The message goes in data.msg and the attributes beside it.
func (r *Request) Logger() *slog.Logger {
	return slog.New(&logHandler{req: r})
}

type logHandler struct {
	req    *Request
	attrs  []slog.Attr
	groups []string
}

func slogToMCP(l slog.Level) LoggingLevel {
	switch {
	case l >= slog.LevelError:
		return LevelError
	case l >= slog.LevelWarn:
		return LevelWarning
	case l >= slog.LevelInfo:
		return LevelInfo
	}
	return LevelDebug
}

func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool {
	return slogToMCP(l).Severity() >= h.req.LogLevel().Severity()
}

func (h *logHandler) Handle(ctx context.Context, rec slog.Record) error {
	data := map[string]any{"msg": rec.Message}
	put := func(a slog.Attr) {
		m := data
		for _, g := range h.groups {
			sub, ok := m[g].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[g] = sub
			}
			m = sub
		}
		m[a.Key] = a.Value.Resolve().Any()
	}
	for _, a := range h.attrs {
		put(a)
	}
	rec.Attrs(func(a slog.Attr) bool { put(a); return true })
	return h.req.Log(ctx, slogToMCP(rec.Level), "", data)
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.groups = append(append([]string(nil), h.groups...), name)
	return &c
}

// dispatcher is a Request as an [rpc.Handler], so that [rpc.Dispatch] runs its handler and
// recovers a panic in it. A type of its own keeps HandleRPC out of Request's methods: it is
// plumbing, not something a handler may call.
type dispatcher Request

func (d *dispatcher) HandleRPC(ctx context.Context, _ *rpc.Message) (any, error) {
	r := (*Request)(d)
	if h := r.srv.handler; h != nil {
		return h(ctx, r)
	}
	return r.srv.dispatch(ctx, r)
}
