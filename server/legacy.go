package server

import (
	"context"
	"net/http"
	"net/url"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/sse"
)

// serveLegacySSE opens a session of the 2024-11-05 HTTP+SSE transport (MCP 2024-11-05,
// Transports § HTTP with SSE): "When a client connects, the server MUST send an endpoint event
// containing a URI for the client to use for sending messages." The session lives as long as
// this stream, with the same cap and checks as Streamable HTTP sessions.
func (h *Handler) serveLegacySSE(w http.ResponseWriter, r *http.Request, principal string) {
	if _, sseOK := accepts(r.Header.Get("Accept")); !sseOK {
		writeError(w, http.StatusNotAcceptable, CodeServerError, "Not Acceptable: the SSE endpoint needs Accept: text/event-stream")
		return
	}
	ctx := r.Context()
	s, err := h.createSession(ctx, principal)
	if err != nil {
		w.Header().Set("Retry-After", retryAfter(h.opts.Retry))
		writeError(w, http.StatusServiceUnavailable, CodeServerError, "Service Unavailable: "+err.Error())
		return
	}
	defer h.remove(s)
	defer s.leave()
	st := newSSEStream(h, w, nil, "")
	st.legacy = true
	st.mu.Lock()
	st.startLocked("")
	// Attach the stream before the client learns the endpoint: a client may POST the moment it
	// reads it. Holding st.mu keeps anything pushed meanwhile behind the endpoint event.
	s.mcp.SetPush(st)
	s.mu.Lock()
	s.legacy = st
	s.mu.Unlock()
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
}

// serveLegacyMessage takes a client message of the HTTP+SSE transport: "the server MUST
// respond with HTTP 202 Accepted" and replies arrive on the session's SSE stream as message
// events. Messages are handled on goroutines the handler waits for in Shutdown.
func (h *Handler) serveLegacyMessage(w http.ResponseWriter, r *http.Request, principal string) {
	if !isJSONContentType(r.Header.Get("Content-Type")) {
		writeError(w, http.StatusUnsupportedMediaType, CodeServerError,
			"Unsupported Media Type: Content-Type must be application/json, got "+strconvQuote(r.Header.Get("Content-Type")))
		return
	}
	id := r.URL.Query().Get("sessionId")
	if id == "" {
		writeError(w, http.StatusBadRequest, CodeServerError, "Bad Request: the sessionId query parameter is required")
		return
	}
	s := h.lookup(r.Context(), id, principal)
	if s == nil {
		writeError(w, http.StatusNotFound, CodeSessionNotFound, "Session not found: the SSE stream of this session is closed or never existed")
		return
	}
	s.mu.Lock()
	st := s.legacy
	s.mu.Unlock()
	if st == nil {
		s.leave()
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
	msgs, batch, derr := rpc.Decode(nil, body, rpc.Limits{MaxMessageBytes: int(h.opts.MaxBodyBytes)})
	w.WriteHeader(http.StatusAccepted)
	// The handlers outlive this POST: they run under the stream's lifetime, not the POST's.
	ctx := context.WithoutCancel(r.Context())
	h.enterActive()
	go func() {
		defer h.leaveActive()
		defer s.leave()
		if derr != nil {
			_ = st.Send(ctx, rpc.AppendResponse(nil, &rpc.Response{ID: rpc.NullID, Error: derr}))
			return
		}
		in := &mcp.Inbound{Session: s.mcp, Principal: principal, Out: st}
		var replies []rpc.Response
		if batch {
			replies = h.srv.HandleBatch(ctx, in, msgs)
		} else if resp, ok := h.srv.Handle(ctx, in, &msgs[0]); ok {
			replies = []rpc.Response{resp}
		}
		h.saveIfChanged(ctx, s)
		if len(replies) > 0 {
			_ = st.Send(ctx, encodeReplies(nil, replies, batch))
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
