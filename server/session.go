package server

import (
	"context"
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minimcp/minimcp/mcp"
)

/*
Design note: sessions, their store, and expiry.

A session has two halves.

  - The record ([SessionRecord]: id, principal, the protocol state of [mcp.SessionState]) lives
    in a [SessionStore]. The in-memory store is the first implementation; a shared store
    (Redis) is the next, and then any replica can load a session another replica created:
    no sticky balancing needed for requests. The handler writes the record back only when the
    protocol state changes (initialize, logging/setLevel, notifications/initialized), which it
    sees as a new *mcp.SessionState pointer: a pointer comparison per request.
  - The live half ([session]) exists on the replica serving it: the mcp.Session with its
    table of server-to-client requests waiting for replies, the open GET stream, and the
    counters that decide expiry. It is rebuilt from the record on a replica that has none.

Expiry. A session is idle when no request is in flight and no stream is open in it
(busy == 0); idle time starts when the last one ends (lastActive). One sweeper goroutine,
owned by the Handler, started with the first session and stopped by Shutdown, scans the live
sessions every SessionIdleTimeout/4 (at least 1s, at most 1min) and removes those idle for
longer than SessionIdleTimeout: their record, their events, their mcp.Session. A lookup also
checks expiry, so an expired id gets 404 at once, never just "at the next sweep". One
goroutine for all sessions, rather than a timer per session, keeps an idle session free of
runtime timers and makes a request's bookkeeping two atomic operations.

Removal deletes the live entry and the record under the table lock, and adoption reads the
store under it: a request racing with the sweeper either finds the session busy-marked before
the sweep (and keeps it) or finds nothing (404), never a half-removed session. A remote store
will want finer locking here (per id); the interface does not change.

Shared stores. A store passed in Options.Sessions is taken to be shared by several replicas,
each holding live copies of the sessions it serves, so no replica's copy is the whole truth:
  - Each request confirms its session with the store (one Load): a session deleted or expired
    by another replica gets 404 here too, and protocol state another replica saved (a new
    log level) is taken up. A store that fails (not ErrSessionNotFound) or does not answer
    within Options.StoreTimeout gets the request 503 with a JSON-RPC error: this copy cannot
    tell whether the session still lives, and the client keeps it and retries.
  - Each sweep reports to the store (Touch) the sessions this replica used since the last
    one, busy ones at the sweep's time; a record already gone ends the copy here, open
    streams included.
  - A copy idle here for the timeout plus a sweep interval (the most a report may lag) goes;
    the session goes everywhere, record and events, only when the store shows no replica
    used it for as long. The last replica to use a session is thus the one that removes it.
    A store should still expire records on its own some time after the last Touch, for sessions
    whose last replica died (Redis: EXPIRE on Touch).
Without Options.Sessions the store is this replica's own and none of this runs. With
Options.Relay as well, what runs on one replica is reached from the others (the design note in
relay.go).

Locks, always taken in this order and never the reverse:
Handler.mu (the live table) → session.mu (its GET, legacy and polling streams) → postOut.mu
(one request's answer) → sseStream.mu (one stream's writes) → a store's own lock (a leaf).
Stream counters and busy marks are atomics, outside the order. I/O done under a lock, on
purpose: adoption reads the store and removal deletes the record under Handler.mu, so a sweep
and an adoption never interleave; an SSE stream writes under its own mu, bounded by the write
deadline; a GET stream's replay and pushes are written under session.mu, so a client that
stops reading stalls its own session's other stream operations for up to that deadline, and
no other session's.

An idle session therefore costs no goroutine and a few hundred bytes: the live struct, the
mcp.Session, the state, the record, and two map entries (measured by BenchmarkIdleSessions).
*/

// session is the live half of a session on this replica.
type session struct {
	h         *Handler
	id        string
	principal string
	mcp       *mcp.Session
	created   time.Time

	// saved is the protocol state last written to the store.
	saved atomic.Pointer[mcp.SessionState]
	// lastActive is when the last request or stream in the session ended (unix nanoseconds).
	lastActive atomic.Int64
	// busy counts requests in flight and streams open in the session.
	busy atomic.Int32
	// removed is set when the session expired or was deleted, before cleanup takes mu: what
	// checks it under mu and then attaches a stream there is seen by cleanup. Its events are
	// deleted then, and again when the last request in flight leaves (see leave), unless
	// keepEvents.
	removed atomic.Bool
	// feeder is set while the last GET stream of the session this replica knows of opened
	// here: the copy then feeds the session the changes of the shared bus, even once the
	// stream closed (see the design note in relay.go).
	feeder atomic.Bool
	// keepEvents is set, before removed, when only this replica's copy goes and the session
	// lives on in a shared store.
	keepEvents bool

	mu sync.Mutex
	// get is the open standalone GET stream, nil when none; guarded by mu.
	get *sseStream
	// legacy is the stream of a 2024-11-05 HTTP+SSE session; guarded by mu.
	legacy *sseStream
	// streams counts the SSE streams opened by POSTs, to name them. Atomic, not under mu:
	// a stream is named while its answer's lock is held, and the lock order is session,
	// then answer.
	streams atomic.Uint32
	// streamTag is zero in a session minted here; in one adopted from the store it tells
	// this copy's POST streams from those other replicas (or an earlier copy) named with
	// the same counter. Set before the session is shared. (Two uint32s in one word keep an
	// idle session in its allocation size class.)
	streamTag uint32
	// polls maps the stream ids of requests whose POST connection the server closed
	// (Request.CloseStream) to their answers, until the request ends; guarded by mu.
	polls map[string]*postOut
}

// newSessionID returns 130 random bits as 26 characters of base32: visible ASCII only
// (MCP 2025-11-25, Transports § Session Management: "The session ID SHOULD be globally unique
// and cryptographically secure ... MUST only contain visible ASCII characters").
func newSessionID() string { return rand.Text() }

// enter marks a request or stream as running in the session.
func (s *session) enter() { s.busy.Add(1) }

// leave marks its end; the session's idle time starts now if nothing else runs.
func (s *session) leave() {
	s.lastActive.Store(time.Now().UnixNano())
	s.unmark()
}

// unmark drops a busy mark.
func (s *session) unmark() {
	if s.busy.Add(-1) == 0 && s.removed.Load() && !s.keepEvents {
		// A request that outlived its session may have stored events after cleanup deleted
		// them (between its check of removed and its append): the last one out deletes again.
		s.h.deleteEvents(s.id)
	}
}

// leaveAt is leave for a stream that showed no sign of its client after at: the session's
// idle time starts at at, unless something else used it later. A zero at means now.
func (s *session) leaveAt(at time.Time) {
	if at.IsZero() {
		s.leave()
		return
	}
	for n := at.UnixNano(); ; {
		old := s.lastActive.Load()
		if old >= n || s.lastActive.CompareAndSwap(old, n) {
			break
		}
	}
	s.unmark()
}

// idleFor reports how long the session has been idle at now, or 0 if it is busy.
func (s *session) idleFor(now time.Time) time.Duration {
	if s.busy.Load() > 0 {
		return 0
	}
	return now.Sub(time.Unix(0, s.lastActive.Load()))
}

// record returns the record to store for the session's current state.
func (s *session) record() *SessionRecord {
	return &SessionRecord{ID: s.id, Principal: s.principal, State: s.mcp.State(), Created: s.created}
}

// nextStreamID names a new SSE stream of a POST in this session: "pN", or "pN.TAG" in an
// adopted session. Event ids are "<stream>-<seq>", and they must not repeat whichever
// replica sent them (MCP 2025-11-25, Transports § Resumability and Redelivery: "the ID MUST
// be globally unique across all streams within that session").
func (s *session) nextStreamID() string {
	n := uint64(s.streams.Add(1))
	if s.streamTag != 0 {
		return "p" + strconv.FormatUint(n, 10) + "." + strconv.FormatUint(uint64(s.streamTag), 36)
	}
	return "p" + strconv.FormatUint(n, 10)
}

// adoptionTag returns a random non-zero [session.streamTag].
func adoptionTag() uint32 {
	for {
		if t := mrand.Uint32(); t != 0 {
			return t
		}
	}
}

// createSession mints a session for an initialize request.
func (h *Handler) createSession(ctx context.Context, principal string) (*session, error) {
	if h.draining.Load() {
		return nil, &refusal{http.StatusServiceUnavailable, h.opts.Retry, "Service Unavailable: the server is shutting down; retry on another replica", reasonDraining}
	}
	now := time.Now()
	s := &session{id: newSessionID(), principal: principal, created: now, h: h}
	s.mcp = h.srv.NewSession(s.id)
	s.mcp.SetPush(s)
	if h.relay != nil {
		s.mcp.SetRequestIDPrefix(h.relayKey + "-")
	}
	sctx, cancel := h.storeCtx(ctx)
	err := h.store.Create(sctx, s.record())
	cancel()
	if err != nil {
		s.mcp.Close()
		switch {
		case errors.Is(err, ErrPrincipalSessionLimit):
			// The caller's own doing, not the server's load: 429 (RFC 6585 §4). No idle
			// session of the principal can expire before the next sweep.
			retry := h.opts.Retry
			if h.opts.SessionIdleTimeout > 0 {
				retry = sweepInterval(h.opts.SessionIdleTimeout)
			}
			quota := ""
			if !h.shared {
				quota = " of " + strconv.Itoa(h.opts.MaxSessionsPerPrincipal)
			}
			return nil, &refusal{http.StatusTooManyRequests, retry, "Too Many Requests: principal " + strconvQuote(principal) +
				" holds its maximum" + quota + " sessions (the per-principal quota); end one with DELETE or let one expire", reasonQuota}
		case errors.Is(err, ErrSessionLimit):
			return nil, &refusal{http.StatusServiceUnavailable, h.opts.Retry, "Service Unavailable: the server holds its maximum of " + strconv.Itoa(h.opts.MaxSessions) + " sessions", reasonSessionCap}
		}
		// The store's error goes to the log, not to the client: it may name internal addresses.
		h.opts.Metrics.storeError(storeSessions)
		h.opts.Logger.WarnContext(ctx, "server: creating the session failed", "err", err)
		return nil, &refusal{http.StatusServiceUnavailable, h.opts.Retry, storeFailure("creating the session"), reasonStore}
	}
	s.lastActive.Store(now.UnixNano())
	s.enter()
	h.mu.Lock()
	h.live[s.id] = s
	h.mu.Unlock()
	h.startSweeper()
	return s, nil
}

// refusal is why createSession made no session, as the answer to give: a capacity or quota
// status, come back after retry (RFC 9110 §10.2.3).
type refusal struct {
	status int
	retry  time.Duration
	msg    string
	// why is the reason counted in Metrics.
	why reason
}

func (e *refusal) Error() string { return e.msg }

// refuseSession answers an initialize (or a legacy SSE connection) for which createSession
// failed with err.
func (h *Handler) refuseSession(w http.ResponseWriter, err error) {
	var r *refusal
	if !errors.As(err, &r) {
		r = &refusal{http.StatusServiceUnavailable, h.opts.Retry, "Service Unavailable: " + err.Error(), reasonStore}
	}
	h.opts.Metrics.reject(r.why, "")
	w.Header().Set("Retry-After", retryAfter(r.retry))
	writeError(w, r.status, CodeServerError, r.msg)
}

// sessionOf finds the session a request names and marks it busy (the caller must call
// leave). It answers the error itself and returns nil when there is none: 400 without an
// Mcp-Session-Id, 404 for an unknown, expired or deleted one or one of another principal
// (MCP 2025-11-25, Transports § Session Management: "Servers that require a session ID SHOULD
// respond to requests without an Mcp-Session-Id header (other than initialization) with HTTP
// 400 Bad Request"; "The server MAY terminate the session at any time, after which it MUST
// respond to requests containing that session ID with HTTP 404 Not Found").
func (h *Handler) sessionOf(w http.ResponseWriter, r *http.Request, principal string) *session {
	id := r.Header.Get("Mcp-Session-Id")
	if id == "" {
		h.opts.Metrics.reject(reasonSessionUnknown, "")
		writeError(w, http.StatusBadRequest, CodeServerError, "Bad Request: Mcp-Session-Id header is required; send initialize first to get one")
		return nil
	}
	s, err := h.lookup(r.Context(), id, principal)
	if err != nil {
		h.storeFailed(w, "looking up the session", err)
		return nil
	}
	if s == nil {
		h.opts.Metrics.reject(reasonSessionUnknown, "")
		writeError(w, http.StatusNotFound, CodeSessionNotFound, "Session not found: it expired, was deleted or never existed; send initialize to start a new one")
		return nil
	}
	return s
}

// storeFailed answers a request that a store or relay failed with 503, a JSON-RPC error
// saying what failed, and Retry-After: the session is not lost, the service is down for now.
// The store's error goes to the log, not to the client: it may name internal addresses.
// ErrSessionNotFound is no failure and never comes here.
func (h *Handler) storeFailed(w http.ResponseWriter, what string, err error) {
	h.opts.Metrics.storeError(storeSessions)
	h.opts.Metrics.reject(reasonStore, "")
	h.opts.Logger.Warn("server: "+what+" failed", "err", err)
	w.Header().Set("Retry-After", retryAfter(h.opts.Retry))
	writeError(w, http.StatusServiceUnavailable, CodeServerError, storeFailure(what))
}

// storeFailure is the message of a 503 for a store or relay that failed at what.
func storeFailure(what string) string {
	return "Service Unavailable: " + what + " failed (the session store or relay did not answer); retry later"
}

// negotiated returns the protocol version the session negotiated, "" before initialize did.
// In a session it is the version in force, whatever a request's MCP-Protocol-Version header
// says: the header "SHOULD be the one negotiated during initialization" (MCP 2025-11-25,
// Transports § Protocol Version Header), but another supported version is neither invalid nor
// unsupported, so it gets no 400 (the official conformance suite sends 2025-03-26 in a
// 2025-11-25 session, server-sse-multiple-streams); it is ignored. Were the header to win, it
// would change what the transport allows mid-session: JSON-RPC batches, which only 2025-03-26
// has.
func (s *session) negotiated() string { return negotiated(s.mcp) }

// lookup returns the live session with id, marked busy, or nil; an error when the shared
// store could not say (the session may live on).
func (h *Handler) lookup(ctx context.Context, id, principal string) (*session, error) {
	var expired *session
	now := time.Now()
	h.mu.RLock()
	s := h.live[id]
	if s != nil {
		if h.expired(s, now) {
			expired, s = s, nil
		} else {
			s.enter() // under the read lock: the sweeper, holding the write lock, sees it busy
		}
	}
	h.mu.RUnlock()
	if expired != nil {
		// Expired but not yet swept: it is gone now, not at the next sweep (with a shared
		// store, only this copy may be, and adopt below finds the session if it lives on).
		h.expire(ctx, expired, now)
		if !h.shared {
			return nil, nil
		}
	}
	adopted := false
	if s == nil {
		var err error
		if s, err = h.adopt(ctx, id); s == nil {
			return nil, err
		}
		adopted = true
	}
	if s.principal != principal {
		// Not a use of the session: another principal must not keep it alive.
		s.unmark()
		return nil, nil
	}
	if h.shared && !adopted {
		if ok, err := h.confirm(ctx, s); !ok {
			return nil, err
		}
	}
	return s, nil
}

// confirm checks with a shared store that the busy-marked session s still exists, and takes
// up protocol state another replica saved. A session deleted or expired elsewhere is gone
// here too, and confirm returns false (MCP 2025-11-25, Transports § Session Management: after
// termination the server "MUST respond to requests containing that session ID with HTTP 404").
// A store that fails otherwise gives its error, with s unmarked: the request gets 503, for
// the session may have been deleted elsewhere, or its state changed, and this copy cannot
// tell (a copy serving on would also let a deleted session's client go on).
func (h *Handler) confirm(ctx context.Context, s *session) (bool, error) {
	sctx, cancel := h.storeCtx(ctx)
	rec, err := h.store.Load(sctx, s.id)
	cancel()
	switch {
	case errors.Is(err, ErrSessionNotFound):
		s.leave()
		h.remove(s)
		return false, nil
	case err != nil:
		s.unmark()
		return false, err
	}
	if rec.State != nil && rec.State != s.saved.Load() {
		s.mcp.SetState(rec.State)
		s.saved.Store(rec.State)
	}
	return true, nil
}

// adopt builds the live half of a session whose record another replica created (or that
// this replica served before a restart), marked busy. It returns nil when the store has no
// such session, with the store's error when it failed otherwise.
//
// The store is read under the table lock, as removals delete from the table and the store
// under it too: a lookup can never revive a session that is being removed. Adoption is rare
// (the first request a replica sees for a session), so the lock is held briefly and seldom.
func (h *Handler) adopt(ctx context.Context, id string) (*session, error) {
	if h.draining.Load() {
		return nil, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if prev := h.live[id]; prev != nil {
		prev.enter()
		return prev, nil
	}
	sctx, cancel := h.storeCtx(ctx)
	rec, err := h.store.Load(sctx, id)
	cancel()
	if errors.Is(err, ErrSessionNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := &session{id: rec.ID, principal: rec.Principal, created: rec.Created, h: h, streamTag: adoptionTag()}
	s.mcp = h.srv.NewSession(rec.ID)
	if h.relay != nil {
		s.mcp.SetRequestIDPrefix(h.relayKey + "-")
	}
	s.mcp.SetChangeFeed(h.bus != nil)
	if rec.State != nil {
		s.mcp.SetState(rec.State)
		s.saved.Store(rec.State)
	}
	s.mcp.SetPush(s)
	s.lastActive.Store(time.Now().UnixNano())
	s.enter()
	h.live[id] = s
	h.startSweeper()
	return s, nil
}

// saveIfChanged writes the session's record back when its protocol state changed. A failed
// save is logged and returned; the state is saved again with the next change.
func (h *Handler) saveIfChanged(ctx context.Context, s *session) error {
	st := s.mcp.State()
	if st == s.saved.Load() {
		return nil
	}
	sctx, cancel := h.storeCtx(ctx)
	err := h.store.Save(sctx, s.record())
	cancel()
	if err != nil {
		h.opts.Metrics.storeError(storeSessions)
		h.opts.Logger.WarnContext(ctx, "server: saving the session failed", "session", s.id, "err", err)
		return err
	}
	old := s.saved.Swap(st)
	h.stateSaved(ctx, s, old, st)
	return nil
}

// remove ends a session: it is forgotten here and in the stores, its GET stream closes and
// its requests in flight are cancelled.
func (h *Handler) remove(s *session) {
	h.mu.Lock()
	if h.live[s.id] == s {
		delete(h.live, s.id)
	}
	h.deleteRecordLocked(s)
	h.mu.Unlock()
	h.release(s, true)
}

// removeEverywhere is remove for a DELETE, which must not claim a session ended that lives
// on: when the record cannot be deleted it removes nothing and returns the store's error.
func (h *Handler) removeEverywhere(ctx context.Context, s *session) error {
	h.mu.Lock()
	sctx, cancel := h.storeCtx(ctx)
	err := h.store.Delete(sctx, s.id)
	cancel()
	if err != nil {
		h.mu.Unlock()
		return err
	}
	if h.live[s.id] == s {
		delete(h.live, s.id)
	}
	h.mu.Unlock()
	h.release(s, true)
	return nil
}

// deleteRecordLocked deletes the session's record; h.mu is held so that adopt, which reads
// the store under it, never sees a record whose live session is gone.
func (h *Handler) deleteRecordLocked(s *session) {
	ctx, cancel := h.storeCtx(context.Background())
	defer cancel()
	if err := h.store.Delete(ctx, s.id); err != nil {
		h.opts.Metrics.storeError(storeSessions)
		h.opts.Logger.Warn("server: deleting the session record failed", "session", s.id, "err", err)
	}
}

// deleteEvents drops the session's events from the event store.
func (h *Handler) deleteEvents(id string) {
	ctx, cancel := h.storeCtx(context.Background())
	defer cancel()
	if err := h.events.DeleteSession(ctx, id); err != nil {
		h.opts.Metrics.storeError(storeEvents)
		h.opts.Logger.Warn("server: deleting the session's events failed", "session", id, "err", err)
	}
}

// ended tells the other replicas that the session ended here (deleted or expired), so that
// they drop their copies at once (see the design note in relay.go).
func (h *Handler) ended(s *session) {
	if h.relay == nil {
		return
	}
	if err := h.publishRelay(context.Background(), RelayMessage{Kind: RelaySessionEnded, SessionID: s.id}); err != nil {
		h.opts.Logger.Warn("server: telling the other replicas of the session's end failed", "session", s.id, "err", err)
	}
}

// release releases what this replica holds of a session out of its live table; the events
// go too unless the session lives on in a shared store (deleteEvents false).
func (h *Handler) release(s *session, deleteEvents bool) {
	s.keepEvents = !deleteEvents
	s.removed.Store(true)
	s.mu.Lock()
	get := s.get
	s.get = nil
	polls := s.polls
	s.polls = nil
	s.mu.Unlock()
	if get != nil {
		get.close(false)
	}
	h.followMu.Lock()
	follows := h.follows[s.id]
	delete(h.follows, s.id)
	h.followMu.Unlock()
	for _, cancel := range follows {
		cancel() // the GET following the stream closes it
	}
	for _, p := range polls {
		// A GET resuming a request's stream ends with the session; the request itself is
		// cancelled by s.mcp.Close below.
		p.mu.Lock()
		st := p.st
		p.mu.Unlock()
		st.close(false)
	}
	if deleteEvents {
		h.deleteEvents(s.id)
	}
	s.mcp.Close()
}
