package server

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/sse"
)

// getStreamID names the standalone GET stream of a session in the event store.
const getStreamID = "g"

// serveGet opens the session's stream for server-initiated messages (MCP 2025-11-25,
// Transports § Listening for Messages from the Server), or resumes a stream after
// Last-Event-ID (§ Resumability and Redelivery).
func (h *Handler) serveGet(w http.ResponseWriter, r *http.Request, principal string) {
	if modernMethodNotAllowed(w, r) {
		return
	}
	if _, sseOK := accepts(r.Header.Get("Accept")); !sseOK {
		h.opts.Metrics.reject(reasonProtocol, "")
		writeError(w, http.StatusNotAcceptable, CodeServerError, "Not Acceptable: a GET stream needs Accept: text/event-stream")
		return
	}
	if v, ok := protocolVersion(r, h.x.srv); !ok {
		h.unsupportedVersion(w, v)
		return
	}
	s := h.sessionOf(w, r, principal)
	if s == nil {
		return
	}
	// A stream that ended for want of a reader leaves its session idle since its last
	// delivery, not since now: the client has shown no sign of life since.
	var idleSince time.Time
	defer func() { s.leaveAt(idleSince) }()
	ctx := r.Context()

	lastID := r.Header.Get("Last-Event-ID")
	stream := getStreamID
	if lastID != "" {
		var ok bool
		if stream, _, ok = parseEventID(lastID); !ok {
			h.opts.Metrics.reject(reasonProtocol, "")
			writeError(w, http.StatusBadRequest, CodeServerError, "Bad Request: Last-Event-ID "+strconvQuote(lastID)+" is not an event id of this server")
			return
		}
	}
	resumeGet := stream == getStreamID
	st := newSSEStream(h, w, s, stream)
	s.mu.Lock()
	if s.removed.Load() {
		s.mu.Unlock()
		h.opts.Metrics.reject(reasonSessionUnknown, "")
		writeError(w, http.StatusNotFound, CodeSessionNotFound, "Session not found: it expired or was deleted")
		return
	}
	if !resumeGet {
		// A POST's stream. If the server closed its connection while the request goes on
		// (Options.Polling), this GET carries the rest of it; otherwise the request has ended
		// (a client that disconnects cancels it) and the replay is all there is.
		attached := false
		p := s.polls[stream]
		if p == nil && h.follower != nil {
			// Not a request running here: the stream may be another replica's, still
			// being written. Follow it in the shared store (see the design note in relay.go).
			fctx, cancel := context.WithCancel(ctx)
			h.addFollow(s.id, st, cancel)
			s.mu.Unlock()
			idleSince = h.follow(fctx, cancel, st, lastID)
			h.dropFollow(s.id, st)
			cancel()
			return
		}
		if p != nil {
			var err error
			if attached, err = p.resume(ctx, st, lastID); err != nil {
				// MCP 2025-11-25, Transports § Multiple Connections: "The server MUST send
				// each of its JSON-RPC messages on only one of the connected streams".
				s.mu.Unlock()
				h.opts.Metrics.reject(reasonProtocol, "")
				writeError(w, http.StatusConflict, CodeServerError, "Conflict: the stream of "+strconvQuote(lastID)+" is already open on another connection")
				return
			}
		} else {
			st.mu.Lock()
			h.replayLocked(ctx, st, lastID)
			st.mu.Unlock()
		}
		s.mu.Unlock()
		if attached {
			idleSince = h.holdStream(ctx, st)
		}
		st.close(false)
		return
	}
	if s.get != nil {
		s.mu.Unlock()
		// "The server MAY ... [allow] only one": a second concurrent GET stream would split the
		// session's messages between two readers.
		h.opts.Metrics.reject(reasonProtocol, "")
		writeError(w, http.StatusConflict, CodeServerError, "Conflict: this session already has an open GET stream")
		return
	}
	if h.bus != nil {
		// This copy feeds the session its changes from now on, before the replay: a change
		// fed while the replay runs waits for the session lock, and is then written after
		// it (see the design note in relay.go).
		s.feeder.Store(true)
	}
	st.mu.Lock()
	// Replay under the session lock: no push can slip between the replay and attaching.
	h.replayLocked(ctx, st, lastID)
	st.mu.Unlock()
	s.get = st
	s.mu.Unlock()
	h.streamOpened(ctx, s)

	idleSince = h.holdStream(ctx, st)
	s.mu.Lock()
	if s.get == st {
		s.get = nil
	}
	s.mu.Unlock()
	st.close(false)
}

// replayLocked starts st and replays the events that followed lastID on its stream, if
// lastID is set. The retry hint comes first: how long to wait before resuming again.
func (h *Handler) replayLocked(ctx context.Context, st *sseStream, lastID string) {
	st.startLocked("")
	st.retryLocked()
	if lastID == "" {
		return
	}
	sctx, cancel := h.storeCtx(ctx)
	defer cancel()
	_, err := h.events.Replay(sctx, st.sess.id, lastID, func(id string, msg []byte) error {
		return st.writeEventLocked(&sse.Event{ID: id, Data: msg})
	})
	if err != nil {
		h.opts.Logger.DebugContext(ctx, "server: replay ended early", "session", st.sess.id, "err", err)
	}
}

/*
Design note: GET streams without a reader.

An open GET stream marks its session busy, and a busy session does not expire. A client that
keeps the stream open but no longer reads it (a frozen process, a leaked connection) would
thus pin its session, and the session's slot, for ever. So a stream pins its session only
while it shows a reader: a write that went through (an event or a keep-alive comment) within
the session idle timeout.

  - A write blocked by a client that does not read fails at its deadline, at most the idle
    timeout (streamWriteTimeout), and closes the stream.
  - A stream with nothing written for the idle timeout (keep-alives off and nothing to push)
    is ended by holdStream, with a retry hint: a client still there reconnects, and that
    request keeps its session alive.
  - Either way the session counts as idle since the stream's last delivery, so it expires at
    the next sweep if nothing else uses it.

What this cannot see: socket buffers take writes nobody reads, so a client that stops
reading is noticed only once they are full and a write blocks (with 15-second keep-alives of
14 bytes, kernel buffers of a few hundred kilobytes last days; a stream with traffic fills them
sooner). Ending healthy GET streams periodically would catch it sooner, at the cost of a
reconnection per stream and period, which clients before 2025-11-25 are not told to make.
*/

// holdStream keeps a GET stream open until the client leaves, the stream is closed, Shutdown
// ends it with a retry hint, or it has delivered nothing for the session idle timeout (see
// the design note above). When it ended for want of a reader (nothing delivered, or a write
// failed) it returns the time of the last delivery, else the zero time.
func (h *Handler) holdStream(ctx context.Context, st *sseStream) (staleSince time.Time) {
	limit := h.opts.SessionIdleTimeout
	var (
		watch *time.Timer
		check <-chan time.Time // nil when sessions never expire: nothing to pin then
	)
	if limit > 0 {
		watch = time.NewTimer(limit)
		defer watch.Stop()
		check = watch.C
	}
	for {
		select {
		case <-ctx.Done():
			return time.Time{}
		case <-st.done:
			if st.writeFailed() { // closed by a write that did not go through
				return time.Unix(0, st.delivered.Load())
			}
			return time.Time{}
		case <-h.stop:
			st.close(true)
			return time.Time{}
		case <-check:
		}
		last := time.Unix(0, st.delivered.Load())
		if wait := limit - time.Since(last); wait > 0 {
			watch.Reset(wait)
			continue
		}
		// A write in progress holds the lock and ends by its deadline: the stream with it if
		// it fails; if it goes through, the stream has a reader after all. Not waiting for the
		// lock keeps this goroutine free to see the client leave meanwhile.
		if !st.mu.TryLock() {
			watch.Reset(h.streamWriteTimeout())
			continue
		}
		st.closeLocked(true)
		st.mu.Unlock()
		return last
	}
}

// Send implements mcp.Sender for messages the server initiates in the session (list_changed,
// resource updates, requests not tied to a client request): each is stored, so a client that
// reconnects with Last-Event-ID gets it, and written to the GET stream if one is open here,
// else relayed to the replica that may hold it open (see the design note in relay.go).
func (s *session) Send(ctx context.Context, msg []byte) error {
	h := s.h
	s.mu.Lock()
	if s.removed.Load() {
		s.mu.Unlock()
		return errStreamClosed
	}
	sctx, cancel := h.storeCtx(ctx)
	id, err := h.events.Append(sctx, s.id, getStreamID, msg)
	cancel()
	if err != nil {
		s.mu.Unlock()
		return err
	}
	if st := s.get; st != nil {
		st.mu.Lock()
		defer st.mu.Unlock()
		defer s.mu.Unlock()
		if !st.closed {
			return st.writeEventLocked(&sse.Event{ID: id, Data: msg})
		}
		return nil
	}
	s.mu.Unlock()
	if h.relay != nil {
		return h.publishRelay(ctx, RelayMessage{Kind: RelayPush, SessionID: s.id, EventID: id, Payload: msg})
	}
	return nil
}

// addFollow registers the cancel of st, a GET stream following another replica's stream of
// the session, for release to call; the session's lock is held and it is not removed.
func (h *Handler) addFollow(id string, st *sseStream, cancel context.CancelFunc) {
	h.followMu.Lock()
	defer h.followMu.Unlock()
	if h.follows == nil {
		h.follows = make(map[string]map[*sseStream]context.CancelFunc)
	}
	if h.follows[id] == nil {
		h.follows[id] = make(map[*sseStream]context.CancelFunc)
	}
	h.follows[id][st] = cancel
}

// dropFollow forgets st.
func (h *Handler) dropFollow(id string, st *sseStream) {
	h.followMu.Lock()
	defer h.followMu.Unlock()
	delete(h.follows[id], st)
	if len(h.follows[id]) == 0 {
		delete(h.follows, id)
	}
}

// follow carries a POST's stream on st from the shared event store: the events after lastID,
// then those appended later, until the replica running the request ends the stream with its
// response (MCP 2025-11-25, Transports § Resumability and Redelivery). It also ends when the
// client leaves or stops reading, the session ends (release calls cancel), the handler shuts
// down (with a retry hint), or the stream stays silent for the session idle timeout: the
// replica writing it may have died with its request, and a client still waiting comes back
// after the retry hint. It returns when the last delivery was if a write failed, else the
// zero time (as holdStream does).
func (h *Handler) follow(ctx context.Context, cancel context.CancelFunc, st *sseStream, lastID string) (staleSince time.Time) {
	stop := context.AfterFunc(h.stopCtx, cancel)
	defer stop()
	var silent atomic.Bool
	limit := h.opts.SessionIdleTimeout
	var quiet *time.Timer
	if limit > 0 {
		quiet = time.AfterFunc(limit, func() {
			silent.Store(true)
			cancel()
		})
		defer quiet.Stop()
	}
	st.mu.Lock()
	st.startLocked("")
	st.retryLocked()
	st.mu.Unlock()
	_, err := h.follower.Follow(ctx, st.sess.id, lastID, func(id string, msg []byte) error {
		if quiet != nil {
			quiet.Reset(limit)
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.writeEventLocked(&sse.Event{ID: id, Data: msg})
	})
	if err != nil && ctx.Err() == nil {
		h.opts.Logger.DebugContext(ctx, "server: following the stream ended early", "session", st.sess.id, "err", err)
	}
	if st.writeFailed() {
		return time.Unix(0, st.delivered.Load())
	}
	st.close(silent.Load() || h.stopCtx.Err() != nil)
	return time.Time{}
}

// serveDelete ends a session (MCP 2025-11-25, Transports § Session Management: "Clients that
// no longer need a particular session ... SHOULD send an HTTP DELETE to the MCP endpoint with
// the Mcp-Session-Id header, to explicitly terminate the session").
func (h *Handler) serveDelete(w http.ResponseWriter, r *http.Request, principal string) {
	if modernMethodNotAllowed(w, r) {
		return
	}
	s := h.sessionOf(w, r, principal)
	if s == nil {
		return
	}
	s.leave()
	if err := h.removeEverywhere(r.Context(), s); err != nil {
		// The session lives on, everywhere: 204 would be a lie.
		h.storeFailed(w, "deleting the session", err)
		return
	}
	h.ended(s)
	w.WriteHeader(http.StatusNoContent)
}

// modernMethodNotAllowed answers a GET or DELETE whose MCP-Protocol-Version names a revision
// without sessions and without a GET stream, and reports whether it did: "HTTP GET or DELETE
// to the MCP endpoint: respond with 405 Method Not Allowed" (MCP 2026-07-28, Transports §
// Streamable HTTP, Earlier Streamable HTTP Revisions). The header decides, not an
// Mcp-Session-Id, which that revision ignores; the sessions of earlier revisions keep their GET
// and DELETE. (The stateless handler serves neither method: its router answers 405 alike.)
func modernMethodNotAllowed(w http.ResponseWriter, r *http.Request) bool {
	v, ok := headerValue(r, hdrProtocolVersion)
	if !ok || !mcp.IsModernVersion(v) {
		return false
	}
	w.Header().Set("Allow", http.MethodPost)
	writeError(w, http.StatusMethodNotAllowed, CodeServerError, "Method Not Allowed: protocol version "+v+
		" has no sessions and no GET stream; POST each request to this endpoint")
	return true
}
