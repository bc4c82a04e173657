package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: the transports of subscriptions/listen.

The protocol side of a listen stream is mcp's (its design note in mcp/listen.go): a handler
that acknowledges, forwards the changes its filter admits, and returns the graceful-closure
result when its context ends. What is the transport's is how the stream is carried, how many
may be open, and what ends one.

Streamable HTTP (MCP 2026-07-28, Transports § Streamable HTTP: "The server's response is itself
an SSE stream that stays open"): the POST is answered with text/event-stream whatever
Options.Response says, since there is no other way to carry it; a client that does not accept
SSE gets 406. The stream has the keep-alive comments of every SSE stream (Options.KeepAlive).
It ends:

  - when the client closes it ("close the SSE stream (HTTP)" is the client's cancellation): the
    request's context ends, the handler returns, and its result finds no reader;
  - when a write fails or times out (a client that stopped reading, Options.WriteTimeout): a
    failed write on its connection cancels the request's context in net/http too, so the
    handler returns then, not at the next change (TestListenStuckClient);
  - on Shutdown: the handler's context ends with the handler's stop, and the result goes out as
    the stream's last event before it closes ("it SHOULD send a successful subscriptions/listen
    response to signal a graceful end ... then close the stream"). Shutdown waits for it, as
    for any request: a listen runs inside ServeHTTP.

stdio (Transports § stdio): every stream shares stdout, each message tagged with its
subscription id. A listen runs on a goroutine of its own outside the request slots of
StdioOptions.Concurrency, which it would hold for ever. It ends:

  - when the client sends notifications/cancelled naming it (Basic § Subscriptions,
    Cancellation): nothing more is sent for it, not even a response (Cancellation: servers
    "SHOULD ... Not send a response for the cancelled request");
  - when ServeStdio's context ends (the server shuts down): the graceful-closure result, then
    notifications/cancelled naming the listen request (Basic § Cancellation: "A server MUST
    send notifications/cancelled referencing a subscriptions/listen request ID when it tears
    down that subscription stream"; schema, CancelledNotification: "On stdio, the server also
    sends this notification, solely to terminate a subscriptions/listen stream");
  - when stdin ends: the client is gone, nothing is sent, and ServeStdio returns once the
    listens have.

Bounds: a draining Handler refuses new listens (503, as initialize); Options.MaxListens streams on a Handler, Options.MaxListensPerPrincipal per principal
(with Authenticate), StdioOptions.MaxListens on one stdio stream; the URIs of one listen are
bounded by mcp.ServerOptions.MaxSubscriptions.
*/

// listenCount counts the open listen streams of a Handler, in all and per principal.
type listenCount struct {
	// max and perPrincipal (0: no quota) are set by New.
	max, perPrincipal int

	mu sync.Mutex
	// total and by are the open streams, in all and per principal; guarded by mu. A principal
	// leaves by when its count drops to zero.
	total int
	by    map[string]int
}

// acquire counts a new stream of principal, or returns the refusal that keeps it out: 503
// when the handler holds its maximum, 429 when the principal does.
func (lc *listenCount) acquire(principal string, retry func() *refusal) (release func(), _ *refusal) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.total >= lc.max {
		r := retry()
		r.status, r.why = http.StatusServiceUnavailable, reasonListenCap
		r.msg = fmt.Sprintf("Service Unavailable: %d subscriptions/listen streams are open, the most this server allows; retry later", lc.max)
		return nil, r
	}
	if lc.perPrincipal > 0 && lc.by[principal] >= lc.perPrincipal {
		r := retry()
		r.status, r.why = http.StatusTooManyRequests, reasonQuota
		r.msg = fmt.Sprintf("Too Many Requests: this principal holds %d subscriptions/listen streams, the most one may; close one first", lc.perPrincipal)
		return nil, r
	}
	lc.total++
	if lc.perPrincipal > 0 {
		if lc.by == nil {
			lc.by = make(map[string]int)
		}
		lc.by[principal]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			lc.mu.Lock()
			defer lc.mu.Unlock()
			lc.total--
			if lc.perPrincipal > 0 {
				if lc.by[principal]--; lc.by[principal] <= 0 {
					delete(lc.by, principal)
				}
			}
		})
	}, nil
}

// open returns the number of open listen streams.
func (lc *listenCount) open() int {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.total
}

// ListenCount returns the number of subscriptions/listen streams open on the handler.
func (h *Handler) ListenCount() int { return h.listens.open() }

// serveListen answers a subscriptions/listen POST that passed the modern ladder (see the design
// note above). c.in is set.
func (h *Handler) serveListen(ctx context.Context, w http.ResponseWriter, principal string, c *postCall, f frame, jsonOK, sseOK bool) {
	m := &f.msgs[0]
	if !sseOK {
		writeReply(w, http.StatusNotAcceptable, &rpc.Response{ID: m.ID, Error: rpc.NewError(rpc.CodeInvalidRequest,
			"Not Acceptable: subscriptions/listen is answered with an SSE stream; Accept must allow text/event-stream")})
		return
	}
	release, ref := h.listens.acquire(principal, func() *refusal { return &refusal{retry: h.opts.Retry} })
	if ref == nil && h.draining.Load() {
		// A stream opened now would end at once: send the client to another replica.
		release()
		ref = &refusal{http.StatusServiceUnavailable, h.opts.Retry, "Service Unavailable: the server is shutting down; retry on another replica", reasonDraining}
	}
	if ref != nil {
		h.opts.Metrics.reject(ref.why, m.Method)
		w.Header().Set("Retry-After", retryAfter(ref.retry))
		writeReply(w, ref.status, &rpc.Response{ID: m.ID, Error: rpc.NewError(CodeServerError, ref.msg)})
		return
	}
	defer release()
	lctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(h.stopCtx, func() { cancel(ErrShuttingDown) })
	defer stop()
	out := &c.out
	*out = postOut{h: h, w: w, version: f.claim.version, allowSSE: true, ctx: ctx}
	c.in.Out = out
	replies := h.x.dispatch(lctx, &c.in, f, c.reply[:0])
	buf := rpc.GetBuffer()
	*buf = encode(*buf, replies, false)
	// An error before the acknowledgment (invalid params) is answered as any request's: JSON
	// when the client takes it; once the stream started, the result or error is its last event.
	out.finish(*buf, h.opts.Response == ResponseSSE || !jsonOK)
	rpc.PutBuffer(buf)
}

// errListenCancelled and errInputClosed are the causes that end a stdio listen with nothing
// more sent: the client cancelled it, or stdin ended.
var (
	errListenCancelled = errors.New("server: the client cancelled the listen stream")
	errInputClosed     = errors.New("server: stdin ended")
)

// DefaultStdioMaxListens bounds the subscriptions/listen streams open at once on one stdio
// stream when not told otherwise: one client needs a few, one per kind of change at most.
const DefaultStdioMaxListens = 64

// stdioListens are the open listen streams of one stdio stream, by request id.
type stdioListens struct {
	max int
	mu  sync.Mutex
	// open maps the raw id of each open listen to the cancel of its context; guarded by mu.
	// A listen leaves it when it ends, or at once when the client cancels it: its place is
	// free as soon as the client's notification is read.
	open map[string]*stdioListen
}

// stdioListen is one open listen of a stdio stream; its pointer is its identity.
type stdioListen struct{ cancel context.CancelCauseFunc }

// listen starts a subscriptions/listen of the stdio stream on a goroutine of its own (see the
// design note above), or refuses it at once.
func (st *stdio) listen(ctx context.Context, in *mcp.Inbound, f frame) {
	m := &f.msgs[0]
	key := m.ID.String()
	l := &st.listens
	l.mu.Lock()
	var refuse *rpc.Error
	switch _, dup := l.open[key]; {
	case dup:
		refuse = rpc.Errorf(rpc.CodeInvalidRequest, "Invalid Request: a subscriptions/listen with id %s is open already; ids of open requests must differ", key)
	case len(l.open) >= l.max:
		refuse = rpc.Errorf(CodeServerError, "Too many listen streams: this connection holds %d subscriptions/listen streams, the most allowed; cancel one first", l.max)
	}
	if refuse != nil {
		l.mu.Unlock()
		st.out.reply(ctx, &rpc.Response{ID: m.ID, Error: refuse})
		return
	}
	lctx, cancel := context.WithCancelCause(ctx)
	if l.open == nil {
		l.open = make(map[string]*stdioListen)
	}
	me := &stdioListen{cancel: cancel}
	l.open[key] = me
	l.mu.Unlock()
	st.wg.Go(func() {
		defer func() {
			l.mu.Lock()
			if l.open[key] == me {
				delete(l.open, key)
			}
			l.mu.Unlock()
			cancel(nil)
		}()
		var one [1]rpc.Response
		replies := st.x.dispatch(lctx, in, f, one[:0])
		cause := context.Cause(lctx)
		switch {
		case lctx.Err() == nil:
			// Ended on its own (invalid params, a failed write): answer as any request.
		case errors.Is(cause, errListenCancelled), errors.Is(cause, errInputClosed):
			return
		}
		for i := range replies {
			st.out.reply(ctx, &replies[i])
		}
		if lctx.Err() != nil && len(replies) > 0 && replies[0].Error == nil {
			_ = st.out.Send(ctx, listenCancelled(m.ID))
		}
	})
}

// listenCancelled returns the notifications/cancelled that ends the listen stream of id on
// stdio, tagged like every message of the stream.
func listenCancelled(id rpc.ID) []byte {
	params := `{"_meta":{"` + mcp.MetaSubscriptionID + `":` + id.String() + `},"requestId":` + id.String() +
		`,"reason":"the server is shutting down"}`
	return rpc.AppendRequest(nil, rpc.ID{}, mcp.NotificationCancelled, json.RawMessage(params))
}

// cancelListen ends the listen a client's notifications/cancelled names, if it is open.
func (st *stdio) cancelListen(params json.RawMessage) {
	var p mcp.CancelledParams
	if json.Unmarshal(params, &p) != nil {
		return
	}
	id, ok := rpc.RawID(p.RequestID)
	if !ok {
		return
	}
	st.listens.mu.Lock()
	defer st.listens.mu.Unlock()
	if l := st.listens.open[id.String()]; l != nil {
		delete(st.listens.open, id.String())
		l.cancel(errListenCancelled)
	}
}

// endListens ends every open listen with cause.
func (st *stdio) endListens(cause error) {
	st.listens.mu.Lock()
	defer st.listens.mu.Unlock()
	for _, l := range st.listens.open {
		l.cancel(cause)
	}
}
