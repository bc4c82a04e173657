package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/sse"
)

/*
Design note: the messages of an HTTP+SSE session.

A 2024-11-05 client POSTs each message to /message and gets 202 at once; the reply comes on the
session's SSE stream. The handler of each message therefore runs on a goroutine of its own,
past the end of its POST, and nothing in the exchange slows a client down: unlike a
Streamable HTTP POST, which holds its connection until answered (so a client's connections
bound its calls in flight), a legacy client can send messages as fast as it can open
requests, into a stream it may not even read. legacyRun is what bounds them:

  - A session has at most LegacyMaxInFlight requests in flight (their POSTs answered, their
    handlers running). One more gets 429 Too Many Requests with Retry-After (RFC 6585 §4),
    not 503: the limit is this client's own backlog, not the server's load, and a 503 would
    tell a balancer that the replica is in trouble. Their bodies, while arriving, are under
    the bounds of all bodies (see body.go). Responses and notifications are handled before
    their POST is answered and take no slot: they get no reply, so they cannot pile up
    behind a stream nobody reads, and an answer the handlers in flight wait for always gets
    in.
  - The stream owns the goroutines: when it ends (the client leaves, or Shutdown), their
    context is cancelled and the stream's handler waits for them before it removes the
    session, so no handler outlives its session and Shutdown, which waits for the stream's
    handler, waits for them too. A message that arrives once the stream has ended gets 404,
    as one for a session already gone.
*/

// DefaultLegacyMaxInFlight is the default of [Options.LegacyMaxInFlight].
const DefaultLegacyMaxInFlight = 16

// legacyRun owns the handlers of one HTTP+SSE session's messages (see the design note above).
type legacyRun struct {
	// ctx ends with the stream (cancel, by close).
	ctx    context.Context
	cancel context.CancelCauseFunc
	max    int // negative: no cap

	mu sync.Mutex
	// n counts requests whose handlers run; guarded by mu.
	n int
	// closed is set by close: no message is taken any more; guarded by mu.
	closed bool
	// wg counts the same messages as n; Add only under mu while not closed, so that close's
	// Wait sees every one.
	wg sync.WaitGroup
}

func newLegacyRun(max int) *legacyRun {
	ctx, cancel := context.WithCancelCause(context.Background())
	return &legacyRun{ctx: ctx, cancel: cancel, max: max}
}

// acquire takes a request in, unless the stream ended (closed) or the session has max in
// flight (full). A request taken in is released with release.
func (l *legacyRun) acquire() (ok, closed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false, true
	}
	if l.max >= 0 && l.n >= l.max {
		return false, false
	}
	l.n++
	l.wg.Add(1)
	return true, false
}

func (l *legacyRun) release() {
	l.mu.Lock()
	l.n--
	l.mu.Unlock()
	l.wg.Done()
}

// close takes no more messages, cancels the handlers and waits for them.
func (l *legacyRun) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cancel(errStreamClosed)
	l.wg.Wait()
}

// serveLegacySSE opens a session of the 2024-11-05 HTTP+SSE transport (MCP 2024-11-05,
// Transports § HTTP with SSE): "When a client connects, the server MUST send an endpoint event
// containing a URI for the client to use for sending messages." The session lives as long as
// this stream, with the same cap and checks as Streamable HTTP sessions.
func (h *Handler) serveLegacySSE(w http.ResponseWriter, r *http.Request, principal string) {
	if _, sseOK := accepts(r.Header.Get("Accept")); !sseOK {
		h.opts.Metrics.reject(reasonProtocol, "")
		writeError(w, http.StatusNotAcceptable, CodeServerError, "Not Acceptable: the SSE endpoint needs Accept: text/event-stream")
		return
	}
	ctx := r.Context()
	s, err := h.createSession(ctx, principal)
	if err != nil {
		h.refuseSession(w, err)
		return
	}
	defer h.remove(s)
	defer s.leave()
	st := newSSEStream(h, w, nil, "")
	st.legacy = newLegacyRun(h.opts.LegacyMaxInFlight)
	// Attach the stream before the client learns the endpoint: a client may POST the moment it
	// reads it. The session's lock is taken before the stream's, never under it (lock order:
	// session, stream); until the endpoint event nobody knows the session's id.
	s.mu.Lock()
	s.legacy = st
	s.mu.Unlock()
	st.mu.Lock()
	st.startLocked("")
	// Holding st.mu keeps anything pushed meanwhile behind the endpoint event.
	s.mcp.SetPush(st)
	endpoint := "/message?sessionId=" + url.QueryEscape(s.id)
	_ = st.writeEventLocked(&sse.Event{Name: "endpoint", Data: []byte(endpoint)})
	st.mu.Unlock()

	select {
	case <-ctx.Done():
	case <-st.done:
	case <-h.stop:
		st.close(true)
	}
	st.close(false)
	st.legacy.close() // before the session goes: its handlers end first
}

// serveLegacyMessage takes a client message of the HTTP+SSE transport: "the server MUST
// respond with HTTP 202 Accepted" and replies arrive on the session's SSE stream as message
// events. Messages are handled on goroutines owned by the session's stream (see the design
// note above).
func (h *Handler) serveLegacyMessage(w http.ResponseWriter, r *http.Request, principal string) {
	if !isJSONContentType(r.Header.Get("Content-Type")) {
		h.opts.Metrics.reject(reasonProtocol, "")
		writeError(w, http.StatusUnsupportedMediaType, CodeServerError,
			"Unsupported Media Type: Content-Type must be application/json, got "+strconvQuote(r.Header.Get("Content-Type")))
		return
	}
	id := r.URL.Query().Get("sessionId")
	if id == "" {
		h.opts.Metrics.reject(reasonSessionUnknown, "")
		writeError(w, http.StatusBadRequest, CodeServerError, "Bad Request: the sessionId query parameter is required")
		return
	}
	s, err := h.lookup(r.Context(), id, principal)
	if err != nil {
		h.storeFailed(w, "looking up the session", err)
		return
	}
	if s == nil {
		h.opts.Metrics.reject(reasonSessionUnknown, "")
		writeError(w, http.StatusNotFound, CodeSessionNotFound, "Session not found: the SSE stream of this session is closed or never existed")
		return
	}
	s.mu.Lock()
	st := s.legacy
	s.mu.Unlock()
	if st == nil {
		s.leave()
		h.opts.Metrics.reject(reasonSessionUnknown, "")
		writeError(w, http.StatusNotFound, CodeSessionNotFound, "Session not found: this session is not an HTTP+SSE session")
		return
	}
	buf := h.readBody(w, r)
	if buf == nil {
		s.leave()
		return
	}
	// The handlers outlive this request: they get their own copy of the body.
	body := append([]byte(nil), *buf...)
	rpc.PutBuffer(buf)
	f, derr := h.x.decode(nil, body)
	info := authOf(r.Context())
	if derr == nil && !h.scopesAllow(w, info, &f) {
		s.leave()
		return
	}
	if derr == nil && f.batch {
		// The rule of every transport: a session negotiated at 2025-03-26 may batch; an
		// HTTP+SSE session usually negotiated 2024-11-05, which had no batches yet either.
		derr = batchError(negotiated(s.mcp), true)
	}
	if derr == nil && f.era == eraModern {
		// Refused the way this transport answers: 202, and the error as a "message" event on
		// the session's stream (MCP 2024-11-05, Transports § HTTP with SSE: the server's
		// messages are sent "as SSE message events"). Clients probing for the revision (the
		// Go SDK and TypeScript SDK v2 send server/discover first) read it there and fall back
		// to initialize; a 4xx to the POST is a transport failure to them, never read.
		s.leave()
		w.WriteHeader(http.StatusAccepted)
		if m := &f.msgs[0]; m.Kind == rpc.KindRequest {
			_ = st.Send(r.Context(), rpc.AppendResponse(nil, &rpc.Response{ID: m.ID, Error: h.legacyModern(f.claim.version)}))
		}
		return
	}
	if derr == nil && !f.hasCalls() {
		// Responses and notifications get no reply: handled here, before the 202, as a
		// Streamable HTTP POST's are, they need no goroutine and take no slot, so a client's
		// answer to a server-to-client request is never refused because the handlers waiting
		// for it fill the session's slots.
		h.x.deliver(r.Context(), &mcp.Inbound{Session: s.mcp, Principal: principal, Auth: info, Out: st, Trace: traceHeaders(r)}, f)
		_ = h.saveIfChanged(r.Context(), s)
		s.leave()
		w.WriteHeader(http.StatusAccepted)
		return
	}
	run := st.legacy
	if ok, closed := run.acquire(); !ok {
		s.leave()
		if closed {
			h.opts.Metrics.reject(reasonSessionUnknown, "")
			writeError(w, http.StatusNotFound, CodeSessionNotFound, "Session not found: the SSE stream of this session is closed")
			return
		}
		h.opts.Metrics.reject(reasonQuota, "")
		w.Header().Set("Retry-After", retryAfter(h.opts.Retry))
		writeError(w, http.StatusTooManyRequests, CodeServerError, "Too Many Requests: this session has "+
			strconv.Itoa(run.max)+" requests in flight, its limit; send more once their replies have come")
		return
	}
	w.WriteHeader(http.StatusAccepted)
	// The handlers outlive this POST: they run under the stream's lifetime, with the POST's
	// values.
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(r.Context()))
	stop := context.AfterFunc(run.ctx, func() { cancel(context.Cause(run.ctx)) })
	h.enterActive()
	go func() {
		defer h.leaveActive()
		defer run.release()
		defer s.leave()
		defer cancel(nil)
		defer stop()
		if derr != nil {
			_ = st.Send(ctx, rpc.AppendResponse(nil, &rpc.Response{ID: rpc.NullID, Error: derr}))
			return
		}
		in := &mcp.Inbound{Session: s.mcp, Principal: principal, Auth: info, Out: st, Trace: traceHeaders(r)}
		replies := h.x.dispatch(ctx, in, f, nil)
		_ = h.saveIfChanged(ctx, s)
		if len(replies) > 0 {
			_ = st.Send(ctx, encode(nil, replies, f.batch))
		}
	}()
}

// Send implements mcp.Sender for a legacy stream: every message is a "message" event.
func (st *sseStream) Send(_ context.Context, msg []byte) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return errStreamClosed
	}
	return st.writeEventLocked(&sse.Event{Name: "message", Data: msg})
}

// legacyModern returns the error that refuses a message claiming version, a revision without
// initialize, on the HTTP+SSE transport: that transport is 2024-11-05's, deprecated since
// (MCP 2026-07-28, Transports § Streamable HTTP, HTTP+SSE Transport: "New implementations
// SHOULD NOT adopt it"), and a revision without sessions has no use for its session stream.
// The answer is the revision's own UnsupportedProtocolVersionError (Basic § Versioning), with
// the versions this transport serves and where the claimed one is served.
func (h *Handler) legacyModern(version string) *rpc.Error {
	return rpc.NewError(mcp.CodeUnsupportedProtocolVersion, "Unsupported protocol version: "+version+
		" is not served over the HTTP+SSE transport; POST it to the Streamable HTTP endpoint "+h.opts.Path).
		WithData(struct {
			Supported []string `json:"supported"`
			Requested string   `json:"requested"`
		}{mcp.SupportedVersions(), version})
}
