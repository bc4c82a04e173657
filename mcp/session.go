package mcp

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: sessions are optional.

The protocol logic never assumes a session exists. A transport hands every incoming message to
[Server.Handle] with an [Inbound] that says what it knows: the [Session] if it keeps one (stdio,
stateful HTTP), otherwise only the protocol version from the request (stateless HTTP, and the
2026-07-28 revision, which has no sessions at all). Handlers see a [Request] that carries the
negotiated version, client info and capabilities, log level and principal for that one request;
where they came from is the transport's business.

What a session remembers is split in two:

  - [SessionState]: plain, immutable data (version, client info and capabilities, log level,
    resource subscriptions). A session swaps in a new copy on every change (initialize,
    logging/setLevel, resources/subscribe), so a request holds one pointer and never locks. This is the part a shared store (Redis) will keep so any
    replica can serve the session.
  - live, per-replica parts: the table of server-to-client requests waiting for a reply, the
    requests in flight (for notifications/cancelled), the stream for server-initiated messages.

An idle session is one Session value and one SessionState: no goroutine, a few hundred bytes.
*/

// SessionState is what the protocol remembers about a client between requests. It is
// immutable once published: to change it, copy, modify and call [Session.SetState].
type SessionState struct {
	// ProtocolVersion is the negotiated revision (MCP 2025-11-25, Basic § Lifecycle, Version
	// Negotiation).
	ProtocolVersion string `json:"protocolVersion"`
	// ClientInfo is what the client said of itself in initialize.
	ClientInfo Implementation `json:"clientInfo"`
	// ClientCapabilities are what the client declared in initialize.
	ClientCapabilities ClientCapabilities `json:"clientCapabilities"`
	// LogLevel is the least severe level the client asked for with logging/setLevel; empty
	// means the server's default.
	LogLevel LoggingLevel `json:"logLevel,omitempty"`
	// Initialized is set when notifications/initialized has arrived.
	Initialized bool `json:"initialized,omitempty"`
	// Subscriptions are the resource URIs the client subscribed to with resources/subscribe
	// (MCP 2025-11-25, Server § Resources, Subscriptions), sorted, each once, at most
	// ServerOptions.MaxSubscriptions. Kept here rather than in the live session so that a
	// store shared by replicas shares them: the replica that feeds the session its changes
	// need not be the one the subscribe reached.
	Subscriptions []string `json:"subscriptions,omitempty"`
}

// A Sender carries server-to-client messages to the client. Transports implement it: the
// stream of one HTTP response, the GET stream of a session, stdout.
//
// Send writes one encoded JSON-RPC message and must not retain msg after it returns. It may be
// called concurrently and must be safe for that.
type Sender interface {
	Send(ctx context.Context, msg []byte) error
}

// StreamCloser is implemented by a [Sender] whose stream can end its connection before the
// response while the request goes on, the client reconnecting to collect the rest (MCP
// 2025-11-25, Transports § Sending Messages to the Server: the server "MAY close the
// connection (without terminating the SSE stream) at any time in order to avoid holding a
// long-lived connection. The client SHOULD then 'poll' the SSE stream by attempting to
// reconnect"). See [Request.CloseStream].
type StreamCloser interface {
	CloseStream(ctx context.Context) error
}

// Session is one client's session with a [Server], created by a stateful transport with
// [Server.NewSession] and ended with [Session.Close]. All methods are safe for concurrent use.
type Session struct {
	id  string
	srv *Server

	// state is the current SessionState; nil until initialize succeeds.
	state atomic.Pointer[SessionState]

	// calls tracks server-to-client requests waiting for the client's reply.
	calls rpc.Calls

	mu sync.Mutex
	// inflight holds the client requests being handled, so that notifications/cancelled can
	// cancel them. Guarded by mu. A slice, nil whenever empty: an idle session keeps nothing
	// here, and a session rarely has more than a few requests in flight.
	inflight []*Request
	// push carries server-initiated messages not related to a request (list_changed,
	// resource updates); nil when the client has no such stream open. Guarded by mu.
	push Sender
	// fed is set when the transport feeds the session the changes of the Bus itself (see
	// SetChangeFeed): the server's own list and resource notifications then skip it.
	fed atomic.Bool
	// closed is set by Close. Guarded by mu.
	closed bool
	// rootsRunning is set while the RootsListChanged hook runs for this session, rootsAgain
	// when a notification arrived meanwhile. Guarded by mu.
	rootsRunning, rootsAgain bool
	// hooks counts the hook goroutines the session owns (see roots.go); Close waits for them.
	hooks sync.WaitGroup
}

// NewSession returns a new session with the given id (the transport's; "" is allowed for
// transports with one implicit session, like stdio). The server tracks it for list_changed
// notifications and subscriptions until Close.
func (s *Server) NewSession(id string) *Session {
	sess := &Session{id: id, srv: s}
	s.sessMu.Lock()
	s.sessions[sess] = struct{}{}
	s.sessMu.Unlock()
	return sess
}

// ID returns the session's id.
func (ss *Session) ID() string { return ss.id }

// State returns the current state, or nil before initialize.
func (ss *Session) State() *SessionState { return ss.state.Load() }

// SetState publishes st as the session's state. st must not be modified afterwards.
func (ss *Session) SetState(st *SessionState) { ss.state.Store(st) }

// updateState applies f to a copy of the current state and publishes the copy.
func (ss *Session) updateState(f func(*SessionState)) {
	for {
		old := ss.state.Load()
		var next SessionState
		if old != nil {
			next = *old
		}
		f(&next)
		if ss.state.CompareAndSwap(old, &next) {
			return
		}
	}
}

// SetPush sets the stream for server-initiated messages (the GET stream of Streamable HTTP,
// stdout for stdio); nil removes it. Messages sent while there is none are dropped, as the
// transport spec allows for a client that opened no stream.
func (ss *Session) SetPush(out Sender) {
	ss.mu.Lock()
	ss.push = out
	ss.mu.Unlock()
}

// SetRequestIDPrefix makes the ids of the session's later server-to-client requests strings,
// prefix followed by a counter, rather than integers. A transport whose replicas share a
// session gives each its own prefix, so that ids do not repeat between them and a reply names
// the replica waiting for it. prefix must need no escaping in a JSON string.
func (ss *Session) SetRequestIDPrefix(prefix string) { ss.calls.SetIDPrefix(prefix) }

// deliver routes a response from the client to the server-to-client request waiting for it.
// It reports false for a stray response (no such request, or it timed out). Transports hand
// responses to [Server.Handle], which calls it.
func (ss *Session) deliver(m *rpc.Message) bool { return ss.calls.Deliver(m) }

// InFlight returns the number of client requests being handled in this session.
func (ss *Session) InFlight() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.inflight)
}

// Close ends the session: requests in flight are cancelled, server-to-client requests
// waiting for replies fail, subscriptions end and the server forgets the session. It returns
// once a running [ServerOptions.RootsListChanged] hook has returned, so it must not be called
// from that hook. Close is idempotent.
func (ss *Session) Close() {
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		return
	}
	ss.closed = true
	inflight := ss.inflight
	ss.inflight = nil
	ss.push = nil
	ss.mu.Unlock()
	for _, r := range inflight {
		r.cancel(errSessionClosed)
	}
	ss.calls.Close(errSessionClosed)
	ss.srv.forgetSession(ss)
	ss.hooks.Wait()
}

// send pushes a server-initiated message to the session's stream, if it has one.
func (ss *Session) send(ctx context.Context, msg []byte) error {
	ss.mu.Lock()
	out := ss.push
	ss.mu.Unlock()
	if out == nil {
		return nil
	}
	return out.Send(ctx, msg)
}

// track registers r for cancellation; it reports false if the session is closed.
func (ss *Session) track(r *Request) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return false
	}
	ss.inflight = append(ss.inflight, r)
	return true
}

func (ss *Session) untrack(r *Request) {
	ss.mu.Lock()
	for i, x := range ss.inflight {
		if x == r {
			last := len(ss.inflight) - 1
			ss.inflight[i] = ss.inflight[last]
			ss.inflight[last] = nil
			ss.inflight = ss.inflight[:last]
			break
		}
	}
	if len(ss.inflight) == 0 {
		ss.inflight = nil
	}
	ss.mu.Unlock()
}

// cancelRequest cancels the request with the given id, if it is in flight.
func (ss *Session) cancelRequest(id rpc.ID, reason string) {
	ss.mu.Lock()
	var r *Request
	for _, x := range ss.inflight {
		if x.ID == id {
			r = x
			break
		}
	}
	ss.mu.Unlock()
	if r != nil {
		r.setFlag(flagCancelledByClient)
		r.cancel(&cancelledError{reason: reason})
	}
}

// subscribe adds uri to the session's subscriptions, kept in its state. It reports false,
// and adds nothing, when the session already holds max others: what a session keeps lives as
// long as the session (and goes to the session store with every request's state), so it is
// bounded.
func (ss *Session) subscribe(uri string, max int) bool {
	for {
		old := ss.state.Load()
		if old == nil {
			return true // not initialized: refused before it gets here
		}
		i, found := slices.BinarySearch(old.Subscriptions, uri)
		if found {
			return true
		}
		if len(old.Subscriptions) >= max {
			return false
		}
		next := *old
		next.Subscriptions = slices.Insert(slices.Clip(old.Subscriptions), i, uri)
		if ss.state.CompareAndSwap(old, &next) {
			return true
		}
	}
}

func (ss *Session) unsubscribe(uri string) {
	for {
		old := ss.state.Load()
		if old == nil {
			return
		}
		i, found := slices.BinarySearch(old.Subscriptions, uri)
		if !found {
			return
		}
		next := *old
		next.Subscriptions = slices.Delete(slices.Clone(old.Subscriptions), i, i+1)
		if len(next.Subscriptions) == 0 {
			next.Subscriptions = nil
		}
		if ss.state.CompareAndSwap(old, &next) {
			return
		}
	}
}

func (ss *Session) subscribed(uri string) bool {
	st := ss.state.Load()
	if st == nil {
		return false
	}
	_, found := slices.BinarySearch(st.Subscriptions, uri)
	return found
}

// SetChangeFeed, when on, tells the server that the transport feeds the session the changes
// of the server's [Bus] itself, with [Session.AppendChange]: the notifications the server
// sends its sessions of its own changes (registrations, [Server.ResourceUpdated]) then skip
// it. Replicas that share a session (and a Bus) use it so that the client hears of a change
// made on any of them once, from the one replica that feeds it, rather than once from each
// replica holding a copy, and never only from the replica its resources/subscribe reached.
// Messages sent with [Server.Broadcast], [Server.BroadcastLog] and [Session.Notify] are not
// concerned.
func (ss *Session) SetChangeFeed(on bool) { ss.fed.Store(on) }

// AppendChange appends to dst the notification that tells the session's client of c, and
// reports whether the client is to get one: a list change goes to an initialized session, as
// the server's own does (MCP 2025-11-25, Server § Tools, List Changed Notification, and the
// same for prompts and resources), a resource update to a session subscribed to its URI
// (Server § Resources, Subscriptions: notifications/resources/updated). dst is returned
// unchanged when not.
func (ss *Session) AppendChange(dst []byte, c Change) ([]byte, bool) {
	st := ss.state.Load()
	if st == nil {
		return dst, false
	}
	switch c.Kind {
	case ChangeToolsList, ChangePromptsList, ChangeResourcesList:
		return rpc.AppendRequest(dst, rpc.ID{}, string(c.Kind), nil), true
	case ChangeResource:
		if _, found := slices.BinarySearch(st.Subscriptions, c.URI); !found {
			return dst, false
		}
		params := make([]byte, 0, len(c.URI)+16)
		params = append(params, `{"uri":`...)
		params = jsontext.AppendString(params, c.URI)
		params = append(params, '}')
		return rpc.AppendRequest(dst, rpc.ID{}, NotificationResourceUpdated, params), true
	}
	return dst, false
}

// Inbound is what a transport knows about the client for one incoming message.
type Inbound struct {
	// Session is the client's session, or nil when the transport keeps none (stateless HTTP).
	// Without one, initialize declares no resource subscriptions and no list_changed
	// notifications: there is no stream to deliver them on.
	Session *Session
	// ProtocolVersion is the version the request declared (the MCP-Protocol-Version header).
	// It is used when Session is nil or not yet initialized; empty means [Version20250326]
	// (MCP 2025-11-25, Transports § Protocol Version Header: "the server SHOULD assume
	// protocol version 2025-03-26").
	ProtocolVersion string
	// Principal is the authenticated caller, "" when the transport does no authentication.
	Principal string
	// Auth is what the transport's authentication established (Principal among it), nil
	// when it does none; [Request.Auth] returns it, and the scopes of tools, prompts and
	// resources are checked against it (see [AuthInfo]).
	Auth *AuthInfo
	// Out carries messages related to this request (progress, logging, server-to-client
	// requests) to the client before the response; nil when there is no such stream.
	Out Sender
	// Meta, if set, is the params._meta of the one message handed in with this Inbound,
	// found by a transport that has read params already: the per-request protocol fields
	// are then read from it, not looked for in params again. It is valid JSON text that
	// aliases the params. Leave it nil for a batch.
	Meta json.RawMessage
	// Trace is the trace context the transport carried for the messages handed in with this
	// Inbound (the W3C traceparent, tracestate and baggage headers of an HTTP request; see
	// [ParseTraceContext]); a message's own, in its _meta, takes precedence
	// ([Request.TraceContext]). Nil when there is none.
	Trace *TraceContext
}
