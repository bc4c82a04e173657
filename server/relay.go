package server

import (
	"bytes"
	"context"
	"slices"
	"sync"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/sse"
)

/*
Design note: routing between replicas.

Replicas given one shared SessionStore, one shared EventStore and one Relay serve sessions
together behind any balancer, with no affinity: every request may land on any replica (see
the design note in session.go for how they agree on a session's life). What runs is still
in one place: a request runs on the replica its POST reached, its POST's SSE stream is
written there, and its server-to-client requests (sampling, elicitation, roots) wait there
for their replies. What crosses between replicas, and how:

  - The reply to a server-to-client request. Its id names the replica waiting: with a
    Relay, a session's server-to-client requests get string ids "<replica key>-<n>", the
    key random per Handler (ids unique across replicas, which per-copy counters are not:
    two copies would both send id 1). The replica that receives the reply in a POST answers
    202 and, when the id names another replica, publishes it to that replica alone
    (RelayReply), whose relay goroutine hands it to the waiting call. Addressed, not
    broadcast: one message to one replica however many there are, and a replica never sees
    the replies of calls it does not run. Broadcasting would need no id scheme but would cost
    every replica every reply and still need unique ids to be safe.
  - notifications/cancelled. Which replica runs a request is written nowhere (that would
    cost every call a store write), so the notification is handled where it lands and
    published to every replica (RelayCancel); the one running the request cancels it, the
    others find nothing to cancel. Request ids are unique within a session, so no other
    request is hit. Cancellations are rare; a broadcast costs little.
  - The end of a session (DELETE, expiry). The replica that ends it deletes the record and
    the events and publishes RelaySessionEnded; every replica drops its copy, closing its
    GET, resumed and following streams and cancelling its requests in the session, at once
    rather than at its next look at the store.
  - Server-initiated messages of a session (Session.Notify, requests outside any client
    request). The replica whose copy sends one stores it on the session's GET stream, as
    without replicas, and writes it to that stream if it is open here; if not, it publishes
    it (RelayPush) and the replica holding the GET stream, if any, writes it there with the
    stored event id. A GET stream resumed while a push is on its way may get that event
    twice (replayed, then pushed): same id, same message.
  - Changes: list_changed of tools, prompts and resources, and resources/updated. With a
    shared mcp.Bus given to the server (mcp.ServerOptions.Bus) as well as a Relay, a change
    is published on the bus once, by the replica where it happened (or any process sharing
    the bus), and no replica's mcp.Server notifies its copies directly
    (mcp.Session.SetChangeFeed). Each replica subscribes to the bus once; its relay goroutine
    takes each change, in one queue with the relayed messages, and feeds it to the sessions
    it feeds: those whose GET stream is open here, or whose last GET stream known here
    opened here (feeder). For each that wants it (initialized; for an update, subscribed to
    the URI) the notification is stored on the GET stream and written to it if open here;
    it is never relayed, as the feeder is the replica with the stream. Opening a GET stream
    makes its replica the feeder before the replay (a change fed meanwhile waits for the
    session lock and follows the replay), and publishes RelayStreamOpened, on which the
    other copies stop feeding. So each change reaches a session through one replica: live
    on its open GET stream, or stored once, by the replica that held the stream last, for
    the replay when the client resumes it. Subscriptions are protocol state
    (mcp.SessionState.Subscriptions), saved to the SessionStore by the replica the
    resources/subscribe reached; it publishes RelayStateSaved, and the feeder reloads the
    record (one Load, on a subscription change only) so that it knows the URI before the
    next update. What may remain: a change racing with a GET stream's opening elsewhere is
    stored by both the old feeder and the new (duplicated in a later replay, never twice
    live), or, if the old feeder lags behind the opening, stored after the new stream's
    replay and missed; a lost RelayStreamOpened leaves two replicas storing (replays
    duplicate) until the old one's copy goes; a lost RelayStateSaved leaves the feeder
    with the old subscriptions until its next request in the session confirms with the
    store; two GET streams open at once on two replicas both feed. List and resource
    notifications only tell the client to look again, so a duplicate costs a re-read;
    avoiding it would need a store write per change and session. A change made on every
    replica (each registering the same tool) is one change per replica, as for
    subscriptions/listen streams; a replica starting up publishes each registration it
    makes, so a GET stream opened while another replica still works through what was queued
    for it may receive a change published before the stream opened. Messages are handled in
    the order each replica receives them, with no promise of when. A session whose GET stream never opened is fed by no one:
    with no stream it has no event id to resume from, and nothing to replay. Without a Bus
    (or without a Relay), each replica's server notifies its own copies, as below.
  - The resumption of a POST's stream on another replica. Its events are in the shared
    EventStore; a GET with Last-Event-ID on B, for a stream of no request running on B,
    follows the stream there (EventFollower): the events stored so far, then the new ones
    as A appends them, until A ends the stream (EndStream) after the response. Nothing
    crosses the relay for it. A stream that ended long ago is replayed and ends at once.

Who waits where: a POST waits on the replica that runs its request; the GET stream on the
replica it reached, fed by that replica's copy and by RelayPush; a resumed POST stream on
the replica the GET reached, fed by the event store. The relay goroutine of each replica
(one per Handler, started by New, stopped by Shutdown) acts on what arrives, relayed
messages and changes from the bus alike; a relay's or bus's deliver only queues (relayQueue),
so a slow replica drops relayed messages and changes rather than stall the relay.

Costs. A tools/call in an existing session costs one SessionStore round trip (the Load that
confirms the session and brings its state, subscriptions included; TestSharedHotPathRoundTrips
counts it), nothing on the relay or the bus, and for an SSE answer one EventStore append per event plus one EndStream (nothing
for a JSON answer). Activity is reported to the store (Touch) per session and sweep, not per
request; the record is written only when the protocol state changes. Each of these calls is
bounded by Options.StoreTimeout; one that fails answers 503 with a JSON-RPC error.

What a Relay does not give: delivery is at most once. A lost reply leaves its call waiting
until the server's ClientRequestTimeout; a lost cancellation lets the request finish; a lost
end of session leaves a copy until its next request confirms with the store (404 then) or the
sweep drops it; a lost push is still stored and replayed on the client's next resumption.
A change lost by the bus (Redis pub/sub delivers at most once too) is stored by no one: the
client misses it, as a subscriptions/listen stream would.

When a replica dies, its running requests die with it: their POST streams end without a
response, a GET following one of them on another replica stops (with a retry hint) once the
stream has been silent for the session idle timeout, and the client may retry the call. The
session itself lives in the stores and any replica serves it.

Without a shared Bus, changes are not routed: the sessions of the revisions before
2026-07-28 hear of list and resource changes from the replicas holding a copy of them (each
replica's own mcp.Server notifies its copies), so a list change made on every replica reaches
the client once per copy, and a resource update reaches it only from a replica that has the
subscription (the one whose copy took the resources/subscribe, or loaded it since).
(subscriptions/listen streams of 2026-07-28 hear of every change through the Bus.)

Without a Relay (a shared SessionStore alone), a reply or a cancellation that lands on a
replica other than the request's is lost (the reply is a stray, logged at debug; the call
waits until ClientRequestTimeout), a deleted session's streams elsewhere close only at their
replica's next sweep, and pushes reach a GET stream only on the replica that sends them. (A
POST's stream still resumes on any replica: following needs the event store alone.)
*/

// RelayKind says what a [RelayMessage] carries.
type RelayKind uint8

// The kinds of [RelayMessage].
const (
	// RelayReply carries the client's JSON-RPC response (Payload) to a server-to-client
	// request (sampling, elicitation, roots) that arrived on a replica other than the one
	// waiting for it. It is addressed: To is the waiting replica, read from the request id.
	RelayReply RelayKind = iota + 1
	// RelayCancel carries a notifications/cancelled (Payload) for a request that may run on
	// another replica. It goes to every replica (To is ""): where the request runs is
	// written nowhere, so that the hot path writes nothing.
	RelayCancel
	// RelaySessionEnded says the session was deleted (DELETE) or expired: every replica
	// closes its streams and cancels its requests in it at once. To is "", Payload empty.
	RelaySessionEnded
	// RelayPush carries an event of the session's GET stream (EventID, Payload: the
	// message), stored by a replica that has no GET stream of the session open, to the
	// replica that has. To is "".
	RelayPush
	// RelayStreamOpened says a GET stream of the session opened on the publishing replica,
	// which feeds the session the changes of the shared mcp.Bus from now on: the others stop
	// (see the design note above). To is "", Payload empty.
	RelayStreamOpened
	// RelayStateSaved says the session's resource subscriptions changed in the session
	// store: the replica feeding the session its changes reloads them. To is "", Payload
	// empty.
	RelayStateSaved
)

// RelayMessage is what a [Relay] carries between the replicas that share a [SessionStore].
// A Relay treats it as opaque data: it only routes on To.
type RelayMessage struct {
	// Kind says what the message carries.
	Kind RelayKind `json:"kind"`
	// SessionID is the Mcp-Session-Id of the session it concerns.
	SessionID string `json:"session"`
	// From is the replica that published it.
	From string `json:"from"`
	// To is the replica it is for, "" for every replica.
	To string `json:"to,omitempty"`
	// EventID is the event id of a RelayPush; empty otherwise.
	EventID string `json:"eventId,omitempty"`
	// Payload is a JSON-RPC message, or nothing (see [RelayKind]).
	Payload []byte `json:"payload,omitempty"`
}

// A Relay carries [RelayMessage]s between the replicas that share a [SessionStore] (see
// the design note below). Delivery is at most once and unordered between publishers; a
// message lost on the way costs what the design note says, never a session. Implementations
// must be safe for concurrent use.
type Relay interface {
	// Publish delivers m to the subscription of the replica m.To, or to every subscription
	// when m.To is "" (the publisher's own included). It must not wait for subscribers to
	// consume it. m and its Payload are not retained by the caller after Publish returns:
	// the relay copies what it keeps. An error means m may not have been delivered.
	Publish(ctx context.Context, m RelayMessage) error
	// Subscribe calls deliver with each message published from now on whose To is replica
	// or "", until cancel is called; after cancel returns deliver is not called again.
	// deliver must not block; it may be called concurrently and must not retain m.Payload
	// after it returns. ctx bounds the subscribing only, not the subscription.
	Subscribe(ctx context.Context, replica string, deliver func(m RelayMessage)) (cancel func(), err error)
}

// EventFollower is implemented by an [EventStore] shared by replicas, so that a replica can
// carry on a stream another replica writes: the resumption on replica B of a POST's stream
// whose request still runs on replica A (MCP 2025-11-25, Transports § Resumability and
// Redelivery).
type EventFollower interface {
	// Follow calls f, in order, for each stored event of the stream lastEventID belongs to
	// that came after it, as Replay does, and then for each event appended to that stream
	// later, until the stream is ended with EndStream (Follow returns nil once f had its
	// last event), the session's events are deleted (nil as well), ctx ends (its error) or
	// f fails (f's error). It returns the stream's id, and [ErrEventNotFound] if lastEventID
	// cannot be one of this store's ids.
	Follow(ctx context.Context, sessionID, lastEventID string, f func(eventID string, msg []byte) error) (streamID string, err error)
	// EndStream marks the stream complete: it gets no more events, and its followers return
	// after its last. Ending a stream twice, or one without events, is not an error.
	EndStream(ctx context.Context, sessionID, streamID string) error
}

// Pinger is implemented by a store or relay that can check it is reachable (a connection
// to Redis); [Handler.Ready] calls it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// MemoryRelay is a [Relay] within one process: in-process replicas given the same one (and
// the same SessionStore and EventStore) serve sessions together. Its zero value is ready to
// use. Publish calls the subscribers' deliver on the calling goroutine.
type MemoryRelay struct {
	mu sync.RWMutex
	// subs maps each replica to its subscriptions; guarded by mu.
	subs map[string]map[*relaySub]struct{}
}

// relaySub is one subscription of a MemoryRelay; its pointer is its identity.
type relaySub struct{ deliver func(RelayMessage) }

// Publish implements [Relay].
func (r *MemoryRelay) Publish(_ context.Context, m RelayMessage) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for replica, subs := range r.subs {
		if m.To != "" && m.To != replica {
			continue
		}
		for s := range subs {
			s.deliver(m)
		}
	}
	return nil
}

// Subscribe implements [Relay]. It never fails.
func (r *MemoryRelay) Subscribe(_ context.Context, replica string, deliver func(RelayMessage)) (func(), error) {
	s := &relaySub{deliver: deliver}
	r.mu.Lock()
	if r.subs == nil {
		r.subs = make(map[string]map[*relaySub]struct{})
	}
	if r.subs[replica] == nil {
		r.subs[replica] = make(map[*relaySub]struct{})
	}
	r.subs[replica][s] = struct{}{}
	r.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			delete(r.subs[replica], s)
			if len(r.subs[replica]) == 0 {
				delete(r.subs, replica)
			}
		})
	}, nil
}

// relayQueue is how many relayed messages may wait for the relay goroutine; beyond it they
// are dropped (a Relay's delivery is at most once anyway).
const relayQueue = 1024

// relayItem is what the relay goroutine acts on: a relayed message, or a change from the
// shared bus (change.Kind set). done, when set, is closed once the goroutine reaches the item
// (settle).
type relayItem struct {
	msg    RelayMessage
	change mcp.Change
	done   chan struct{}
}

// startRelay gives the handler its replica key and subscribes it to the relay (and the shared
// bus), with the goroutine that acts on what arrives; Shutdown stops both.
func (h *Handler) startRelay() {
	h.relayKey = newSessionID()[:13] // 65 random bits
	h.relayQ = make(chan relayItem, relayQueue)
	h.relayDone = make(chan struct{})
	go h.runRelay()
	if err := h.subscribeRelay(context.Background()); err != nil {
		h.opts.Logger.Warn("server: subscribing to the relay failed; Ready retries", "err", err)
	}
}

// subscribeRelay subscribes the handler to the relay, and to the shared bus when sessions
// are fed from it, unless it is already.
func (h *Handler) subscribeRelay(ctx context.Context) error {
	h.relayMu.Lock()
	defer h.relayMu.Unlock()
	if h.relayStopped {
		return nil
	}
	ctx, cancel := h.storeCtx(ctx)
	defer cancel()
	if h.relayCancel == nil {
		unsub, err := h.relay.Subscribe(ctx, h.relayKey, h.relayDeliver)
		if err != nil {
			return err
		}
		h.relayCancel = unsub
	}
	if h.bus != nil && h.busCancel == nil {
		// Every change: which sessions want one is known only here, per copy.
		unsub, err := h.bus.Subscribe(ctx, nil, h.busDeliver)
		if err != nil {
			return err
		}
		h.busCancel = unsub
	}
	return nil
}

// stopRelay ends the subscriptions and waits for the relay goroutine, which h.stop ends.
func (h *Handler) stopRelay() {
	h.relayMu.Lock()
	h.relayStopped = true
	unsubs := []func(){h.relayCancel, h.busCancel}
	h.relayCancel, h.busCancel = nil, nil
	h.relayMu.Unlock()
	for _, unsub := range unsubs {
		if unsub != nil {
			unsub()
		}
	}
	<-h.relayDone
}

// relayDeliver is the handler's side of [Relay.Subscribe]: it queues m, never blocking.
func (h *Handler) relayDeliver(m RelayMessage) {
	if m.From == h.relayKey {
		return // a broadcast of this replica's own: acted on where it was published
	}
	m.Payload = bytes.Clone(m.Payload)
	select {
	case h.relayQ <- relayItem{msg: m}:
	default:
		h.opts.Logger.Warn("server: relay queue full; message dropped", "kind", m.Kind, "session", m.SessionID)
	}
}

// busDeliver is the handler's side of [mcp.Bus.Subscribe]: it queues c, never blocking. A
// change and the relayed messages share one queue, so that a subscription saved before a
// change was published is taken up before the change is acted on (both through the
// in-memory relay and bus, at least).
func (h *Handler) busDeliver(c mcp.Change) {
	select {
	case h.relayQ <- relayItem{change: c}:
	default:
		h.opts.Logger.Warn("server: relay queue full; change dropped", "kind", string(c.Kind), "uri", c.URI)
	}
}

// runRelay acts on relayed messages and changes until Shutdown.
func (h *Handler) runRelay() {
	defer close(h.relayDone)
	for {
		select {
		case <-h.stop:
			return
		case it := <-h.relayQ:
			switch {
			case it.done != nil:
				close(it.done)
			case it.change.Kind != "":
				h.onChange(it.change)
			default:
				h.onRelay(it.msg)
			}
		}
	}
}

// settle returns once the relay goroutine has acted on everything queued before (tests use
// it to know that a change has been stored), or at Shutdown.
func (h *Handler) settle() {
	done := make(chan struct{})
	select {
	case h.relayQ <- relayItem{done: done}:
	case <-h.stop:
		return
	}
	select {
	case <-done:
	case <-h.stop:
	}
}

// onChange feeds a change from the shared bus to the sessions this replica feeds (see the
// design note above).
func (h *Handler) onChange(c mcp.Change) {
	h.mu.RLock()
	sessions := make([]*session, 0, len(h.live))
	for _, s := range h.live {
		sessions = append(sessions, s)
	}
	h.mu.RUnlock()
	var buf []byte
	for _, s := range sessions {
		buf = s.feed(h.stopCtx, c, buf[:0])
	}
}

// feed tells the session's client of c, when this copy feeds the session (its GET stream is
// open here, or the last one known here opened here) and the client is to get it: the
// notification is stored on the GET stream and written to it if open here. It is never
// relayed: the replica with the GET stream open feeds it itself. It returns buf, grown.
func (s *session) feed(ctx context.Context, c mcp.Change, buf []byte) []byte {
	h := s.h
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.removed.Load() || (s.get == nil && !s.feeder.Load()) {
		return buf
	}
	msg, ok := s.mcp.AppendChange(buf, c)
	if !ok {
		return msg
	}
	sctx, cancel := h.storeCtx(ctx)
	id, err := h.events.Append(sctx, s.id, getStreamID, msg)
	cancel()
	if err != nil {
		h.opts.Logger.Warn("server: storing a change for the session failed", "session", s.id, "kind", string(c.Kind), "err", err)
		return msg
	}
	if st := s.get; st != nil {
		st.mu.Lock()
		if !st.closed {
			_ = st.writeEventLocked(&sse.Event{ID: id, Data: msg})
		}
		st.mu.Unlock()
	}
	return msg
}

// streamOpened tells the other replicas that the session's GET stream opened here, this
// copy feeding the session from now on: theirs stop.
func (h *Handler) streamOpened(ctx context.Context, s *session) {
	if h.bus == nil {
		return
	}
	if err := h.publishRelay(ctx, RelayMessage{Kind: RelayStreamOpened, SessionID: s.id}); err != nil {
		h.opts.Logger.Warn("server: telling the other replicas of the GET stream failed; they may store its changes too", "session", s.id, "err", err)
	}
}

// stateSaved tells the replica feeding the session that its subscriptions changed, after st
// replaced old in the store.
func (h *Handler) stateSaved(ctx context.Context, s *session, old, st *mcp.SessionState) {
	if h.bus == nil || old == nil || slices.Equal(old.Subscriptions, st.Subscriptions) {
		return
	}
	if err := h.publishRelay(ctx, RelayMessage{Kind: RelayStateSaved, SessionID: s.id}); err != nil {
		h.opts.Logger.Warn("server: telling the other replicas of the subscriptions failed; the one feeding the session takes them up at its next request", "session", s.id, "err", err)
	}
}

// reload takes up the state another replica saved for the session.
func (h *Handler) reload(s *session) {
	sctx, cancel := h.storeCtx(h.stopCtx)
	rec, err := h.store.Load(sctx, s.id)
	cancel()
	if err != nil {
		h.opts.Logger.Debug("server: reloading the session failed", "session", s.id, "err", err)
		return
	}
	if rec.State != nil && rec.State != s.saved.Load() {
		s.mcp.SetState(rec.State)
		s.saved.Store(rec.State)
	}
}

// onRelay acts on one relayed message for the session's copy on this replica; a session
// with no copy here has nothing waiting, running or streaming here.
func (h *Handler) onRelay(m RelayMessage) {
	h.mu.RLock()
	s := h.live[m.SessionID]
	h.mu.RUnlock()
	if s == nil {
		return
	}
	ctx := h.stopCtx
	switch m.Kind {
	case RelayReply, RelayCancel:
		msgs, _, err := rpc.Decode(nil, m.Payload, h.x.limits)
		if err != nil || len(msgs) != 1 {
			h.opts.Logger.DebugContext(ctx, "server: relayed message does not decode", "session", m.SessionID)
			return
		}
		h.x.srv.Handle(ctx, &mcp.Inbound{Session: s.mcp}, &msgs[0])
	case RelaySessionEnded:
		h.mu.Lock()
		if h.live[s.id] == s {
			delete(h.live, s.id)
		}
		h.mu.Unlock()
		h.release(s, false) // its record and events went with the replica that ended it
	case RelayPush:
		s.mu.Lock()
		if st := s.get; st != nil {
			st.mu.Lock()
			if !st.closed {
				_ = st.writeEventLocked(&sse.Event{ID: m.EventID, Data: m.Payload})
			}
			st.mu.Unlock()
		}
		s.mu.Unlock()
	case RelayStreamOpened:
		s.feeder.Store(false)
	case RelayStateSaved:
		s.mu.Lock()
		feeds := s.get != nil || s.feeder.Load()
		s.mu.Unlock()
		if feeds {
			h.reload(s)
		}
	}
}

// publishRelay publishes m from this replica, within the store timeout.
func (h *Handler) publishRelay(ctx context.Context, m RelayMessage) error {
	m.From = h.relayKey
	ctx, cancel := h.storeCtx(ctx)
	defer cancel()
	return h.relay.Publish(ctx, m)
}

// replicaOf returns the replica key a server-to-client request id names ("<key>-<n>", a JSON
// string; see the design note above), "" for another id.
func (h *Handler) replicaOf(id rpc.ID) string {
	raw := id.String()
	n := len(h.relayKey)
	if len(raw) < n+4 || raw[0] != '"' || raw[n+1] != '-' {
		return ""
	}
	return raw[1 : n+1]
}

// route sends the messages of a frame without calls that belong to other replicas through
// the relay, and returns those to handle here: a reply to a request another replica waits
// on goes to that replica alone; a notifications/cancelled is handled here and published to
// every replica, as the request may run on any.
func (h *Handler) route(ctx context.Context, s *session, f frame) (frame, error) {
	kept := f.msgs[:0:0]
	for i := range f.msgs {
		m := &f.msgs[i]
		switch {
		case m.Kind == rpc.KindResponse:
			if to := h.replicaOf(m.ID); to != "" && to != h.relayKey {
				payload := rpc.AppendResponse(nil, &rpc.Response{ID: m.ID, Result: m.Result, Error: m.Error})
				if err := h.publishRelay(ctx, RelayMessage{Kind: RelayReply, SessionID: s.id, To: to, Payload: payload}); err != nil {
					return f, err
				}
				continue
			}
		case m.Kind == rpc.KindNotification && m.Method == mcp.NotificationCancelled:
			payload := rpc.AppendRequest(nil, rpc.ID{}, m.Method, m.Params)
			if err := h.publishRelay(ctx, RelayMessage{Kind: RelayCancel, SessionID: s.id, Payload: payload}); err != nil {
				return f, err
			}
		}
		kept = append(kept, *m)
	}
	f.msgs = kept
	return f, nil
}
