package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/sse"
)

var errStreamClosed = errors.New("server: the SSE stream is closed")

// sseStream writes one text/event-stream response: a POST answered with SSE or a GET stream.
// Writes come from the goroutines of the request's handlers and from keep-alive timers; mu
// serialises them, and closed stops them once the HTTP handler is about to return.
type sseStream struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	sess *session // nil when stateless: no ids, no store
	h    *Handler
	id   string // stream id in the event store; "" when stateless
	// legacy marks a 2024-11-05 HTTP+SSE stream.
	legacy bool

	mu sync.Mutex
	// started is set when the headers are out; guarded by mu.
	started bool
	// closed is set when no more writes may happen; guarded by mu.
	closed bool
	// buf is reused for encoding events; guarded by mu.
	buf []byte
	// ka sends keep-alive comments; guarded by mu.
	ka *time.Timer
	// done is closed by close, to wake a GET handler waiting on the stream.
	done chan struct{}
}

func newSSEStream(h *Handler, w http.ResponseWriter, sess *session, id string) *sseStream {
	return &sseStream{w: w, rc: http.NewResponseController(w), sess: sess, h: h, id: id, done: make(chan struct{})}
}

// startLocked writes the SSE headers, the priming event and arms keep-alives.
func (st *sseStream) startLocked(version string) {
	st.started = true
	hd := st.w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no") // tell nginx-style proxies not to buffer the stream
	st.w.WriteHeader(http.StatusOK)
	// An SSE stream lives as long as its messages need: the server's WriteTimeout must not
	// cut it.
	_ = st.rc.SetWriteDeadline(time.Time{})
	if st.sess != nil && version >= mcp.Version20251125 {
		// MCP 2025-11-25, Transports § Sending Messages to the Server: "The server SHOULD
		// immediately send an SSE event consisting of an event ID and an empty data field in
		// order to prime the client to reconnect", with a retry field hinting the delay.
		st.buf, _ = sse.AppendEvent(st.buf[:0], &sse.Event{ID: st.id + "-0", Retry: st.h.opts.Retry})
		_, _ = st.w.Write(st.buf)
	}
	_ = st.rc.Flush()
	if ka := st.h.opts.KeepAlive; ka > 0 {
		st.ka = time.AfterFunc(ka, st.keepAlive)
	}
}

// keepAlive writes a comment so proxies and clients see the idle stream is alive.
func (st *sseStream) keepAlive() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	st.buf, _ = sse.AppendComment(st.buf[:0], "keep-alive")
	if _, err := st.w.Write(st.buf); err != nil {
		return
	}
	_ = st.rc.Flush()
	st.ka.Reset(st.h.opts.KeepAlive)
}

// writeLocked writes one event carrying msg, stored first so it can be replayed.
func (st *sseStream) writeLocked(ctx context.Context, msg []byte) error {
	ev := sse.Event{Data: msg}
	if st.sess != nil {
		id, err := st.h.events.Append(ctx, st.sess.id, st.id, msg)
		if err != nil {
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
	if _, err := st.w.Write(st.buf); err != nil {
		return err
	}
	if st.ka != nil {
		st.ka.Reset(st.h.opts.KeepAlive)
	}
	return st.rc.Flush()
}

// close ends the stream: with retry set, a last event hints the client when to reconnect
// (used when the server shuts down). After close no write happens.
func (st *sseStream) close(retry bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	if retry && st.started {
		// A comment plus the retry field: the client reconnects after the hint (WHATWG HTML
		// §9.2.6: the retry field sets the reconnection time).
		st.buf = append(st.buf[:0], "retry: "...)
		st.buf = append(st.buf, itoa(int(st.h.opts.Retry/time.Millisecond))...)
		st.buf = append(st.buf, "\n\n"...)
		_, _ = st.w.Write(st.buf)
		_ = st.rc.Flush()
	}
	st.closed = true
	if st.ka != nil {
		st.ka.Stop()
	}
	close(st.done)
}

// postOut is the mcp.Sender of one POST: it answers with JSON until a handler sends a message
// before its result, then upgrades the answer to SSE (when allowed).
type postOut struct {
	*sseStream
	version  string
	allowSSE bool
	// ctx is the request's context: writes for a request whose client left are dropped.
	ctx context.Context
}

// Send implements mcp.Sender.
func (p *postOut) Send(ctx context.Context, msg []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return mcp.ErrRequestDone
	}
	if !p.started {
		if !p.allowSSE {
			return mcp.ErrNoBackchannel
		}
		p.startLocked(p.version)
	}
	return p.writeLocked(ctx, msg)
}

// finish writes the reply (nil for none) and closes the stream. It answers with JSON when the
// stream never started and the mode allows, with a last SSE event otherwise.
func (p *postOut) finish(reply []byte, forceSSE bool) {
	p.mu.Lock()
	if !p.started && (forceSSE && p.allowSSE) && reply != nil {
		p.startLocked(p.version)
	}
	if !p.started {
		p.closed = true
		close(p.done)
		p.mu.Unlock()
		hd := p.w.Header()
		if reply == nil {
			// The only request was cancelled by the client: nothing to answer.
			p.w.WriteHeader(http.StatusAccepted)
			return
		}
		hd.Set("Content-Type", "application/json")
		hd.Set("Content-Length", itoa(len(reply)))
		p.w.WriteHeader(http.StatusOK)
		_, _ = p.w.Write(reply)
		return
	}
	if reply != nil {
		_ = p.writeLocked(p.ctx, reply)
	}
	p.mu.Unlock()
	p.close(false)
}

// encodeReplies encodes the replies of a POST: one object, an array for a batch, or nil.
func encodeReplies(replies []rpc.Response, batch bool) []byte {
	if len(replies) == 0 {
		return nil
	}
	if batch {
		return rpc.AppendBatch(nil, replies)
	}
	return rpc.AppendResponse(nil, &replies[0])
}
