package server

import (
	"context"
	"net/http"
	"time"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// servePost handles a POST to the MCP endpoint (MCP 2025-11-25, Transports § Sending Messages
// to the Server).
func (h *Handler) servePost(w http.ResponseWriter, r *http.Request, principal string) {
	ctx := r.Context()
	if !isJSONContentType(r.Header.Get("Content-Type")) {
		h.opts.Metrics.reject(reasonProtocol, "")
		writeError(w, http.StatusUnsupportedMediaType, CodeServerError,
			"Unsupported Media Type: Content-Type must be application/json, got "+strconvQuote(r.Header.Get("Content-Type")))
		return
	}
	// "The client MUST include an Accept header, listing both application/json and
	// text/event-stream": a client that takes neither cannot read any answer.
	jsonOK, sseOK := accepts(r.Header.Get("Accept"))
	if !jsonOK && !sseOK {
		h.opts.Metrics.reject(reasonProtocol, "")
		writeError(w, http.StatusNotAcceptable, CodeServerError,
			"Not Acceptable: Accept must allow application/json or text/event-stream, got "+strconvQuote(r.Header.Get("Accept")))
		return
	}
	// An MCP-Protocol-Version this handler does not serve is refused once the body shows a
	// frame of the session era: for a modern one the header is checked against the frame's
	// claim instead (see the exchange's design note).
	hdrVersion, hdrOK := protocolVersion(r, h.x.srv)
	c := &postCall{}
	body := h.readBody(w, r)
	if body == nil {
		return
	}
	// Params alias the body: it goes back to the pool only when the answer is written (by
	// the handler's goroutine when polling takes it over).
	defer func() {
		if body != nil {
			rpc.PutBuffer(body)
		}
	}()
	f, derr := h.x.decode(c.msg[:0], *body)
	if derr != nil {
		h.opts.Metrics.reject(reasonProtocol, "")
		writeRPCError(w, http.StatusBadRequest, derr)
		return
	}
	info := authOf(ctx)
	if !h.scopesAllow(w, info, &f) {
		return
	}
	if f.era == eraSession && !f.batch && mcp.IsModernVersion(hdrVersion) {
		if k := f.msgs[0].Kind; k == rpc.KindRequest || k == rpc.KindNotification {
			// The header names a revision without sessions, the body claims none: its _meta
			// lacks the required fields (MCP 2026-07-28, Basic § _meta), which the modern
			// ladder says.
			f.era = eraModern
		}
	}
	if f.era == eraModern {
		h.serveModern(ctx, w, r, principal, c, f, jsonOK, sseOK)
		return
	}
	if !h.x.srv.ServesSessions() {
		h.opts.Metrics.reject(reasonProtocol, loneMethod(f))
		refuseSessionEra(w, h.x.srv, f, hdrVersion)
		return
	}
	if !hdrOK {
		h.unsupportedVersion(w, hdrVersion)
		return
	}
	isInit := f.isInitialize()

	var sess *session
	if !h.opts.Stateless {
		if isInit {
			var err error
			if sess, err = h.createSession(ctx, principal); err != nil {
				// A cap, a quota, or draining: come back later (RFC 9110 §15.6.4).
				h.refuseSession(w, err)
				return
			}
			// Not initialized yet, so no change reaches it before this.
			sess.mcp.SetChangeFeed(h.bus != nil)
		} else {
			if sess = h.sessionOf(w, r, principal); sess == nil {
				return
			}
		}
		defer sess.leave()
	}

	version := hdrVersion
	if sess != nil {
		if negotiated := sess.negotiated(); negotiated != "" {
			version = negotiated
		}
	}
	if version == "" && !isInit {
		// MCP 2025-11-25, Transports § Protocol Version Header: "If the server does not
		// receive an MCP-Protocol-Version header, and has no other way to identify the
		// version ... the server SHOULD assume protocol version 2025-03-26."
		version = mcp.Version20250326
		if !h.x.srv.ServesVersion(version) {
			h.unsupportedVersion(w, version)
			return
		}
	}
	if f.batch {
		if e := batchError(version, false); e != nil {
			h.opts.Metrics.reject(reasonProtocol, "")
			writeRPCError(w, http.StatusBadRequest, e)
			return
		}
	}

	c.in = mcp.Inbound{ProtocolVersion: hdrVersion, Principal: principal, Auth: info, Trace: traceHeaders(r)}
	in := &c.in
	if sess != nil {
		in.Session = sess.mcp
	}
	if !f.hasCalls() {
		// MCP 2025-11-25, Transports: "If the input is a JSON-RPC response or notification:
		// If the server accepts the input, the server MUST return HTTP status code 202
		// Accepted with no body."
		if sess != nil && h.relay != nil {
			var err error
			if f, err = h.route(ctx, sess, f); err != nil {
				h.storeFailed(w, "relaying the message to the replica it is for", err)
				return
			}
		}
		h.x.deliver(ctx, in, f)
		if sess != nil {
			if err := h.saveIfChanged(ctx, sess); err != nil {
				h.storeFailed(w, "saving the session", err)
				return
			}
		}
		w.WriteHeader(http.StatusAccepted)
		return
	}

	out := &c.out
	// The priming event depends on the version in force: what the session negotiated, as
	// version already says.
	*out = postOut{h: h, w: w, sess: sess, version: version, allowSSE: sseOK && h.opts.Response != ResponseJSON, ctx: ctx}
	if h.opts.Response != ResponseJSON {
		in.Out = out
	}
	if isInit && sess != nil {
		// Set before any write; removed again if initialize fails.
		w.Header().Set("Mcp-Session-Id", sess.id)
	}

	forceSSE := h.opts.Response == ResponseSSE || !jsonOK
	if h.opts.Polling && sess != nil && !f.batch && !isInit && out.allowSSE && f.msgs[0].Kind == rpc.KindRequest {
		h.poll(ctx, c, sess, f, body, forceSSE)
		body = nil
		return
	}
	h.answer(ctx, c, sess, f, isInit, forceSSE)
}

// answer runs the handlers of a POST's messages and writes their replies.
func (h *Handler) answer(ctx context.Context, c *postCall, sess *session, f frame, isInit, forceSSE bool) {
	replies := h.x.dispatch(ctx, &c.in, f, c.reply[:0])
	replies = answerCancelled(f.msgs, replies, c.reply[:0])
	if sess != nil {
		if isInit && (len(replies) == 0 || replies[0].Error != nil) {
			c.out.w.Header().Del("Mcp-Session-Id")
			h.remove(sess)
		} else if err := h.saveIfChanged(ctx, sess); err != nil && isInit && c.out.st == nil {
			// A session whose negotiated state no other replica can load is no session.
			c.out.w.Header().Del("Mcp-Session-Id")
			h.remove(sess)
			h.storeFailed(c.out.w, "saving the new session", err)
			return
		}
	}
	buf := rpc.GetBuffer()
	*buf = encode(*buf, replies, f.batch)
	c.out.finish(*buf, forceSSE)
	rpc.PutBuffer(buf)
}

// poll serves a request whose handler may close the POST's connection before its result
// ([Options.Polling]): the handler runs on a goroutine of its own, and the POST returns when
// the answer is complete or when the handler closed the connection. Until then a client that
// disconnects cancels the handler (a disconnect is no cancellation once the server closed the
// connection itself: MCP 2025-11-25, Transports: "Disconnection SHOULD NOT be interpreted as
// the client cancelling its request"). The handler's run owns the body and a busy mark on the
// session, so expiry waits for it; its worker counts as active, so Shutdown does.
func (h *Handler) poll(ctx context.Context, c *postCall, sess *session, f frame, body *[]byte, forceSSE bool) {
	out := &c.out
	out.detach = make(chan struct{})
	// The answer's last writes happen after the POST returned: they must not fail because
	// its context ended.
	out.ctx = context.WithoutCancel(ctx)
	hctx, cancel := context.WithCancel(out.ctx)
	stop := context.AfterFunc(ctx, func() {
		if !out.isDetached() {
			cancel()
		}
	})
	var (
		closeLater *time.Timer
		closed     chan struct{} // closed when closeLater's function has returned
	)
	if h.opts.PollAfter > 0 {
		// Not for clients that cannot poll: CloseStream refuses them.
		closed = make(chan struct{})
		closeLater = time.AfterFunc(h.opts.PollAfter, func() {
			defer close(closed)
			_ = out.CloseStream(hctx)
		})
	}
	// The worker's closure takes the frame's parts, not the frame: a polled frame is one
	// message, and the closure stays in its size class.
	msgs, e := f.msgs, f.era
	finished := make(chan struct{})
	sess.enter()
	h.runWorker(func() {
		defer close(finished)
		defer sess.leave()
		defer rpc.PutBuffer(body)
		defer cancel()
		defer stop()
		if closeLater != nil {
			defer func() {
				if !closeLater.Stop() {
					<-closed // it fired: nothing of this request outlives its worker
				}
			}()
		}
		h.answer(hctx, c, sess, frame{msgs: msgs, era: e}, false, forceSSE)
	})
	select {
	case <-finished:
	case <-out.detach:
	}
}

/*
Design note: the answer to a cancelled request.

When the client cancels a request whose POST still waits for its answer, the protocol layer
gives no reply (MCP 2025-11-25, Utilities § Cancellation: receivers "SHOULD ... Not send a
response for the cancelled request"). The POST must still end properly, and its answer is
an error reply with CodeRequestCancelled, whatever the answer's form:

  - JSON: a POST carrying a request gets "Content-Type: application/json, to return one JSON
    object" or an SSE stream (Transports § Sending Messages to the Server); 202 is for
    notifications and responses only. JSON-RPC 2.0 §5 asks a reply for every call as well.
  - SSE: a stream that ends without the response reads, to a 2025-11-25 client that got an
    event id, as a dropped connection to resume, and it would poll for an answer that never
    comes; so would a client resuming a polled call (Options.Polling).

The client ignores the reply ("The sender of the cancellation notification SHOULD ignore any
response to the request that arrives afterward"), so the SHOULD NOT above costs nothing to
break, where the transport's MUST and a client's polling would.
*/

// answerCancelled returns replies with an error reply added, in order, for each request of
// msgs that has none because the client cancelled it (see the design note above). dst is
// where a single reply may go, with room for one.
func answerCancelled(msgs []rpc.Message, replies, dst []rpc.Response) []rpc.Response {
	if len(msgs) == 1 {
		if len(replies) == 0 && msgs[0].Kind == rpc.KindRequest {
			return append(dst, rpc.Response{ID: msgs[0].ID, Error: errCancelled})
		}
		return replies
	}
	// A batch: its replies follow the order of the messages that get one.
	var out []rpc.Response
	j := 0
	for i := range msgs {
		m := &msgs[i]
		switch {
		case m.Kind != rpc.KindRequest && m.Kind != rpc.KindInvalid:
		case j < len(replies) && replies[j].ID == m.ID:
			out = append(out, replies[j])
			j++
		case m.Kind == rpc.KindRequest:
			out = append(out, rpc.Response{ID: m.ID, Error: errCancelled})
		}
	}
	return append(out, replies[j:]...) // none, unless ids repeat
}

// errCancelled is the error reply of a cancelled request.
var errCancelled = &rpc.Error{Code: CodeRequestCancelled, Message: "Request cancelled: the client sent notifications/cancelled for it"}

// postCall holds what one POST needs beyond the request, in one allocation.
type postCall struct {
	msg   [1]rpc.Message
	in    mcp.Inbound
	out   postOut
	reply [1]rpc.Response
}

// loneMethod returns the method of a frame of one request or notification, "" for others.
func loneMethod(f frame) string {
	if f.batch {
		return ""
	}
	if k := f.msgs[0].Kind; k != rpc.KindRequest && k != rpc.KindNotification {
		return ""
	}
	return f.msgs[0].Method
}

// writeRPCError answers status with a JSON-RPC error reply whose id is null.
func writeRPCError(w http.ResponseWriter, status int, e *rpc.Error) {
	writeError(w, status, e.Code, e.Message)
}

// refuseSessionEra answers a frame of the session era sent to an endpoint that serves only
// the per-request revisions (mcp.ServerOptions.ProtocolVersions): 400 with the
// UnsupportedProtocolVersionError naming what it serves (MCP 2026-07-28, Basic § Versioning,
// Backward Compatibility: such a server "SHOULD name the protocol versions it supports in any
// error it returns to an initialize request"; its Compatibility Matrix: a legacy client's
// request "is rejected per server validation with 400 Bad Request"). requested is the
// version initialize asked for, else the MCP-Protocol-Version header's.
func refuseSessionEra(w http.ResponseWriter, srv *mcp.Server, f frame, hdrVersion string) {
	id, requested := rpc.NullID, hdrVersion
	if !f.batch && f.msgs[0].Kind == rpc.KindRequest {
		id = f.msgs[0].ID
	}
	if f.isInitialize() {
		_ = jsontext.EachMemberValid(f.msgs[0].Params, func(k, v []byte) bool {
			if string(k) == "protocolVersion" {
				requested, _ = jsontext.Unquote(v)
				return false
			}
			return true
		})
	}
	writeReply(w, http.StatusBadRequest, &rpc.Response{ID: id, Error: srv.UnsupportedVersion(requested)})
}
