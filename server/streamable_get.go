package server

import (
	"context"
	"net/http"

	"github.com/minimcp/minimcp/sse"
)

// getStreamID names the standalone GET stream of a session in the event store.
const getStreamID = "g"

// serveGet opens the session's stream for server-initiated messages (MCP 2025-11-25,
// Transports § Listening for Messages from the Server), or resumes a stream after
// Last-Event-ID (§ Resumability and Redelivery).
func (h *Handler) serveGet(w http.ResponseWriter, r *http.Request, principal string) {
	if _, sseOK := accepts(r.Header.Get("Accept")); !sseOK {
		writeError(w, http.StatusNotAcceptable, CodeServerError, "Not Acceptable: a GET stream needs Accept: text/event-stream")
		return
	}
	if v, ok := protocolVersion(r); !ok {
		unsupportedVersion(w, v)
		return
	}
	s := h.sessionOf(w, r, principal)
	if s == nil {
		return
	}
	defer s.leave()
	ctx := r.Context()

	lastID := r.Header.Get("Last-Event-ID")
	stream := getStreamID
	if lastID != "" {
		var ok bool
		if stream, _, ok = parseEventID(lastID); !ok {
			writeError(w, http.StatusBadRequest, CodeServerError, "Bad Request: Last-Event-ID "+strconvQuote(lastID)+" is not an event id of this server")
			return
		}
	}
	resumeGet := stream == getStreamID
	st := newSSEStream(h, w, s, stream)
	s.mu.Lock()
	if s.removed.Load() {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, CodeSessionNotFound, "Session not found: it expired or was deleted")
		return
	}
	if !resumeGet {
		// A POST's stream. If the server closed its connection while the request goes on
		// (Options.Polling), this GET carries the rest of it; otherwise the request has ended
		// (a client that disconnects cancels it) and the replay is all there is.
		attached := false
		if p := s.polls[stream]; p != nil {
			var err error
			if attached, err = p.resume(ctx, st, lastID); err != nil {
				// MCP 2025-11-25, Transports § Multiple Connections: "The server MUST send
				// each of its JSON-RPC messages on only one of the connected streams".
				s.mu.Unlock()
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
			h.holdStream(ctx, st)
		}
		st.close(false)
		return
	}
	if s.get != nil {
		s.mu.Unlock()
		// "The server MAY ... [allow] only one": a second concurrent GET stream would split the
		// session's messages between two readers.
		writeError(w, http.StatusConflict, CodeServerError, "Conflict: this session already has an open GET stream")
		return
	}
	st.mu.Lock()
	// Replay under the session lock: no push can slip between the replay and attaching.
	h.replayLocked(ctx, st, lastID)
	st.mu.Unlock()
	s.get = st
	s.mu.Unlock()

	h.holdStream(ctx, st)
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
	_, err := h.events.Replay(ctx, st.sess.id, lastID, func(id string, msg []byte) error {
		return st.writeEventLocked(&sse.Event{ID: id, Data: msg})
	})
	if err != nil {
		h.opts.Logger.DebugContext(ctx, "server: replay ended early", "session", st.sess.id, "err", err)
	}
}

// holdStream keeps a GET stream open until the client leaves, the stream is closed, or
// Shutdown ends it with a retry hint.
func (h *Handler) holdStream(ctx context.Context, st *sseStream) {
	select {
	case <-ctx.Done():
	case <-st.done:
	case <-h.stop:
		st.close(true)
	}
}

// Send implements mcp.Sender for messages the server initiates in the session (list_changed,
// resource updates, requests not tied to a client request): each is stored, so a client that
// reconnects with Last-Event-ID gets it, and written to the GET stream if one is open.
func (s *session) Send(ctx context.Context, msg []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.removed.Load() {
		return errStreamClosed
	}
	id, err := s.h.events.Append(ctx, s.id, getStreamID, msg)
	if err != nil {
		return err
	}
	if st := s.get; st != nil {
		st.mu.Lock()
		defer st.mu.Unlock()
		if !st.closed {
			return st.writeEventLocked(&sse.Event{ID: id, Data: msg})
		}
	}
	return nil
}

// serveDelete ends a session (MCP 2025-11-25, Transports § Session Management: "Clients that
// no longer need a particular session ... SHOULD send an HTTP DELETE to the MCP endpoint with
// the Mcp-Session-Id header, to explicitly terminate the session").
func (h *Handler) serveDelete(w http.ResponseWriter, r *http.Request, principal string) {
	s := h.sessionOf(w, r, principal)
	if s == nil {
		return
	}
	s.leave()
	h.remove(s)
	w.WriteHeader(http.StatusNoContent)
}
