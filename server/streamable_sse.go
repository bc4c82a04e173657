package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/sse"
)

var (
	errStreamClosed = errors.New("server: the SSE stream is closed")
	errStreamOpen   = errors.New("server: the stream is already open on another connection")
)

// sseStream writes one text/event-stream response: a POST answered with SSE or a GET stream.
// Writes come from the goroutines of the request's handlers and from keep-alive timers; mu
// serialises them, and closed stops them once the HTTP handler is about to return.
type sseStream struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	sess *session // nil when stateless: no ids, no store
	h    *Handler
	id   string // stream id in the event store; "" when stateless
	// legacy, set on a 2024-11-05 HTTP+SSE stream, runs its session's messages.
	legacy *legacyRun

	mu sync.Mutex
	// started is set when the headers are out; guarded by mu.
	started bool
	// closed is set when no more writes may happen; guarded by mu.
	closed bool
	// buf is reused for encoding events; guarded by mu.
	buf []byte
	// ka sends keep-alive comments; guarded by mu.
	ka *time.Timer
	// failed is the error of the first failed write; guarded by mu.
	failed error
	// done is closed by close, to wake a GET handler waiting on the stream.
	done chan struct{}
	// delivered is when a write last went through (unix nanoseconds): the only sign that
	// someone reads the stream. Atomic, so that a watcher does not wait behind a blocked write.
	delivered atomic.Int64
}

func newSSEStream(h *Handler, w http.ResponseWriter, sess *session, id string) *sseStream {
	return &sseStream{w: w, rc: http.NewResponseController(w), sess: sess, h: h, id: id, done: make(chan struct{})}
}

// startLocked writes the SSE headers, the priming event and arms keep-alives.
func (st *sseStream) startLocked(version string) {
	st.started = true
	st.h.sseStreams.Add(1)
	hd := st.w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no") // tell nginx-style proxies not to buffer the stream
	st.w.WriteHeader(http.StatusOK)
	if st.sess != nil && version >= mcp.Version20251125 {
		// MCP 2025-11-25, Transports § Sending Messages to the Server: "The server SHOULD
		// immediately send an SSE event consisting of an event ID and an empty data field in
		// order to prime the client to reconnect", with a retry field hinting the delay.
		st.buf, _ = sse.AppendEvent(st.buf[:0], &sse.Event{ID: st.id + "-0", Retry: st.h.opts.Retry})
		_ = st.emitLocked(st.buf)
	} else {
		_ = st.emitLocked(nil)
	}
	if ka := st.h.opts.KeepAlive; ka > 0 {
		st.ka = time.AfterFunc(ka, st.keepAlive)
	}
}

// emitLocked writes b (may be empty) and flushes, within the stream write timeout (see
// streamWriteTimeout): a client that stops reading must not block the stream's writers, and
// the session lock some of them hold, for ever. A failed write closes the stream (a GET
// handler waiting on it returns): later writes fail at once.
func (st *sseStream) emitLocked(b []byte) error {
	if st.failed != nil {
		return st.failed
	}
	if st.closed {
		// Its HTTP handler may have returned: the ResponseWriter is not ours any more.
		return errStreamClosed
	}
	if t := st.h.streamWriteTimeout(); t > 0 {
		setWriteDeadline(st.w, time.Now().Add(t))
	}
	var err error
	if len(b) > 0 {
		_, err = st.w.Write(b)
	}
	if err == nil {
		if ferr := st.rc.Flush(); ferr != nil && !errors.Is(ferr, http.ErrNotSupported) {
			err = ferr
		}
	}
	if err != nil {
		st.failed = err
		st.closeLocked(false)
		return err
	}
	st.delivered.Store(time.Now().UnixNano())
	return nil
}

// keepAlive writes a comment so proxies and clients see the idle stream is alive.
func (st *sseStream) keepAlive() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	st.buf, _ = sse.AppendComment(st.buf[:0], "keep-alive")
	if st.emitLocked(st.buf) == nil {
		st.ka.Reset(st.h.opts.KeepAlive)
	}
}

// writeLocked writes one event carrying msg, stored first so it can be replayed.
func (st *sseStream) writeLocked(ctx context.Context, msg []byte) error {
	ev := sse.Event{Data: msg}
	if st.sess != nil && !st.sess.removed.Load() { // a removed session keeps nothing
		sctx, cancel := st.h.storeCtx(ctx)
		id, err := st.h.events.Append(sctx, st.sess.id, st.id, msg)
		cancel()
		if err != nil {
			st.h.opts.Metrics.storeError(storeEvents)
			st.h.opts.Logger.WarnContext(ctx, "server: event not stored; it cannot be replayed", "session", st.sess.id, "err", err)
		}
		ev.ID = id
	}
	return st.writeEventLocked(&ev)
}

func (st *sseStream) writeEventLocked(ev *sse.Event) error {
	var err error
	st.buf, err = sse.AppendEvent(st.buf[:0], ev)
	if err != nil {
		return err
	}
	if err := st.emitLocked(st.buf); err != nil {
		return err
	}
	if st.ka != nil {
		st.ka.Reset(st.h.opts.KeepAlive)
	}
	return nil
}

// retryLocked writes the reconnection delay alone in its block: it dispatches no event
// (WHATWG HTML §9.2.6) but tells the client how long to wait before reconnecting.
func (st *sseStream) retryLocked() {
	st.buf = append(st.buf[:0], "retry: "...)
	st.buf = strconv.AppendInt(st.buf, st.h.opts.Retry.Milliseconds(), 10)
	st.buf = append(st.buf, "\n\n"...)
	_ = st.emitLocked(st.buf)
}

// writeFailed reports whether a write failed (and closed the stream).
func (st *sseStream) writeFailed() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.failed != nil
}

// isClosed reports whether the stream takes no more writes.
func (st *sseStream) isClosed() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.closed
}

// close ends the stream: with retry set, a last block hints the client when to reconnect
// (used when the server shuts down). After close no write happens.
func (st *sseStream) close(retry bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.closeLocked(retry)
}

func (st *sseStream) closeLocked(retry bool) {
	if st.closed {
		return
	}
	if retry && st.started && st.failed == nil {
		st.retryLocked()
		if st.closed { // the write failed and closed the stream
			return
		}
	}
	st.closed = true
	if st.started {
		st.h.sseStreams.Add(-1)
	}
	if st.ka != nil {
		st.ka.Stop()
	}
	close(st.done)
}

// postOut is the mcp.Sender of one POST: it answers with JSON until a handler sends a message
// before its result, then upgrades the answer to SSE (when allowed). The SSE stream is built
// only then, so a plain JSON answer costs no stream, channel or timer.
type postOut struct {
	h        *Handler
	w        http.ResponseWriter
	sess     *session
	version  string
	allowSSE bool
	// ctx is the request's context: writes for a request whose client left are dropped.
	ctx context.Context

	// detach is set when the handler runs on a worker and may close the connection early
	// ([Options.Polling]), and closed when it does.
	detach chan struct{}

	mu sync.Mutex
	// st is the SSE stream once the answer was upgraded; guarded by mu. Once detached, it
	// is the GET stream the client resumed with, or a closed stream while there is none.
	st *sseStream
	// done is set when the answer is complete; guarded by mu.
	done bool
	// detached is set when the server closed the POST's connection; guarded by mu.
	detached bool
}

// isDetached reports whether the server closed the POST's connection.
func (p *postOut) isDetached() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.detached
}

// CloseStream implements [mcp.StreamCloser]: it ends the POST's connection (or that of the
// GET the client resumed with) after a retry hint, keeping the stream; the request goes on
// and what it sends is stored until the client resumes with Last-Event-ID (MCP 2025-11-25,
// Transports § Sending Messages to the Server).
func (p *postOut) CloseStream(context.Context) error {
	// Clients of earlier revisions were never told to poll: for them a closed stream is a
	// lost answer.
	if p.detach == nil || p.version < mcp.Version20251125 {
		return mcp.ErrStreamNotClosable
	}
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return mcp.ErrRequestDone
	}
	if p.st == nil {
		// The priming event gives the client an event id to resume from ("After the server
		// has sent an SSE event with an event ID to the client, the server MAY close the
		// connection").
		p.upgradeLocked()
	}
	id := p.st.id // the same on every stream that carries this answer
	p.mu.Unlock()
	// Known to the session before the client learns it must come back.
	s := p.sess
	s.mu.Lock()
	if s.removed.Load() {
		s.mu.Unlock()
		return errStreamClosed
	}
	if s.polls == nil {
		s.polls = make(map[string]*postOut)
	}
	s.polls[id] = p
	s.mu.Unlock()

	p.mu.Lock()
	if p.done { // answered meanwhile, with the stream still open
		p.mu.Unlock()
		p.unregister(id)
		return mcp.ErrRequestDone
	}
	// "If the server does close the connection prior to terminating the SSE stream, it
	// SHOULD send an SSE event with a standard retry field before closing the connection."
	p.st.close(true)
	first := !p.detached
	p.detached = true
	p.mu.Unlock()
	if first {
		close(p.detach)
	}
	return nil
}

// unregister forgets a finished request's stream in the session.
func (p *postOut) unregister(id string) {
	s := p.sess
	s.mu.Lock()
	if s.polls[id] == p {
		delete(s.polls, id)
	}
	s.mu.Unlock()
}

// resume attaches st, a GET stream resuming this request's stream, unless the request is
// answered or the stream is open elsewhere; the events after lastID are replayed on it first.
// The session's lock is held (lock order: session, answer, stream).
func (p *postOut) resume(ctx context.Context, st *sseStream, lastID string) (attached bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.detached && !p.done && !p.st.isClosed() {
		return false, errStreamOpen
	}
	st.mu.Lock()
	p.h.replayLocked(ctx, st, lastID)
	st.mu.Unlock()
	if p.done || !p.detached {
		return false, nil
	}
	p.st = st
	return true, nil
}

// upgradeLocked starts the SSE answer.
func (p *postOut) upgradeLocked() *sseStream {
	id := ""
	if p.sess != nil {
		id = p.sess.nextStreamID()
	}
	p.st = newSSEStream(p.h, p.w, p.sess, id)
	p.st.mu.Lock()
	p.st.startLocked(p.version)
	p.st.mu.Unlock()
	return p.st
}

// Send implements mcp.Sender.
func (p *postOut) Send(ctx context.Context, msg []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return mcp.ErrRequestDone
	}
	st := p.st
	if st == nil {
		if !p.allowSSE {
			return mcp.ErrNoBackchannel
		}
		st = p.upgradeLocked()
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	err := st.writeLocked(ctx, msg)
	if err != nil && p.detached && st.closed {
		// Stored: the client gets it when it resumes, whether the server closed the
		// connection or the client's end of it failed.
		return nil
	}
	return err
}

var (
	jsonContentType = []string{"application/json"}
)

// finish writes the reply and ends the answer: JSON when the stream never started and the
// mode allows, a last SSE event otherwise. A POST that carried a request always has a reply,
// a cancelled request's included (see answerCancelled).
func (p *postOut) finish(reply []byte, forceSSE bool) {
	p.mu.Lock()
	p.done = true
	st := p.st
	if p.detached {
		// Stored, and written to the resumed GET stream if one is open, which then ends.
		st.mu.Lock()
		_ = st.writeLocked(p.ctx, reply)
		st.mu.Unlock()
		id := st.id
		p.mu.Unlock()
		st.close(false)
		p.h.endStream(p.ctx, p.sess, id)
		p.unregister(id)
		return
	}
	if st == nil && forceSSE && p.allowSSE {
		st = p.upgradeLocked()
	}
	p.mu.Unlock()
	if st == nil {
		// A client that does not read its answer must not hold it, and this request, for
		// ever (see Options.WriteTimeout). The deadline covers net/http's last flush after
		// the handler returns too; net/http clears it then, before the connection's next
		// request (TestWriteDeadlineDoesNotOutliveAnswer).
		p.h.writeDeadline(p.w)
		// net/http adds Content-Length itself for an answer this size written at once.
		p.w.Header()["Content-Type"] = jsonContentType
		p.w.WriteHeader(http.StatusOK)
		_, _ = p.w.Write(reply)
		return
	}
	st.mu.Lock()
	_ = st.writeLocked(p.ctx, reply)
	st.mu.Unlock()
	st.close(false)
	p.h.endStream(p.ctx, p.sess, st.id)
}

// endStream marks a POST's stream complete in a followed event store, so that a GET
// following it on another replica ends after the response (see the design note in
// relay.go).
func (h *Handler) endStream(ctx context.Context, s *session, streamID string) {
	if h.follower == nil || s == nil || s.removed.Load() {
		return
	}
	sctx, cancel := h.storeCtx(ctx)
	defer cancel()
	if err := h.follower.EndStream(sctx, s.id, streamID); err != nil {
		h.opts.Metrics.storeError(storeEvents)
		h.opts.Logger.WarnContext(ctx, "server: ending the stream in the event store failed; a replica following it stops when it falls silent", "session", s.id, "err", err)
	}
}
