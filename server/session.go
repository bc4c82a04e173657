package server

import (
	"context"
	"crypto/rand"
	mrand "math/rand/v2"
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
    log level) is taken up.
  - Each sweep reports to the store (Touch) the sessions this replica used since the last
    one, busy ones at the sweep's time; a record already gone ends the copy here, open
    streams included.
  - A copy idle here for the timeout plus a sweep interval (the most a report may lag) goes;
    the session goes everywhere, record and events, only when the store shows no replica
    used it for as long. The last replica to use a session is thus the one that removes it.
    A store should still expire records on its own some time after the last Touch, for sessions
    whose last replica died (Redis: EXPIRE on Touch).
Without Options.Sessions the store is this replica's own and none of this runs.

An idle session therefore costs no goroutine and a few hundred bytes: the live struct, the
mcp.Session, the state, the record, and two map entries (measured by BenchmarkIdleSessions).
*/

// SessionRecord is what a [SessionStore] keeps of a session: enough for any replica to
// serve it.
type SessionRecord struct {
	// ID is the Mcp-Session-Id.
	ID string `json:"id"`
	// Principal is the authenticated caller that created the session; only it may use it.
	Principal string `json:"principal,omitempty"`
	// State is the protocol state; nil until initialize succeeds.
	State *mcp.SessionState `json:"state,omitempty"`
	// Created is when the session was created.
	Created time.Time `json:"created"`
}

// SessionStore keeps session records. Implementations must be safe for concurrent use.
// Expiry of idle sessions is driven by the Handler, which calls Delete.
type SessionStore interface {
	// Create stores a new record. It returns [ErrSessionLimit] when the store is full.
	Create(ctx context.Context, rec *SessionRecord) error
	// Load returns the record with the id, or [ErrSessionNotFound].
	Load(ctx context.Context, id string) (*SessionRecord, error)
	// Save replaces the stored record with rec (same ID). Saving a deleted session is not an
	// error: a session may expire while a request in it finishes.
	Save(ctx context.Context, rec *SessionRecord) error
	// Delete removes the record; deleting an unknown id is not an error.
	Delete(ctx context.Context, id string) error
	// Touch records that a replica had the session in use at the time at, and returns the
	// latest such time any replica reported (at or later). It returns [ErrSessionNotFound]
	// for an unknown id. Deleting the session forgets its times.
	Touch(ctx context.Context, id string, at time.Time) (time.Time, error)
}

// MemorySessionStore is a [SessionStore] in process memory, with a cap on the number of
// records. The zero value has no cap. It is safe for concurrent use.
type MemorySessionStore struct {
	// Max is the most records it holds; Create fails with ErrSessionLimit beyond it. Zero
	// means no limit.
	Max int

	mu sync.Mutex
	// records maps ids to records; guarded by mu.
	records map[string]*SessionRecord
	// active maps ids to the latest activity reported by Touch (unix nanoseconds), apart
	// from the records so that a store no replica touches pays nothing; guarded by mu.
	active map[string]int64
}

// Create implements [SessionStore].
func (m *MemorySessionStore) Create(_ context.Context, rec *SessionRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Max > 0 && len(m.records) >= m.Max {
		return ErrSessionLimit
	}
	if m.records == nil {
		m.records = make(map[string]*SessionRecord)
	}
	m.records[rec.ID] = rec
	return nil
}

// Load implements [SessionStore].
func (m *MemorySessionStore) Load(_ context.Context, id string) (*SessionRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.records[id]
	if !ok {
		return nil, ErrSessionNotFound
	}
	return rec, nil
}

// Save implements [SessionStore].
func (m *MemorySessionStore) Save(_ context.Context, rec *SessionRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.records[rec.ID]; ok {
		m.records[rec.ID] = rec
	}
	return nil
}

// Delete implements [SessionStore].
func (m *MemorySessionStore) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.records, id)
	delete(m.active, id)
	return nil
}

// Touch implements [SessionStore].
func (m *MemorySessionStore) Touch(_ context.Context, id string, at time.Time) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.records[id]; !ok {
		return time.Time{}, ErrSessionNotFound
	}
	if m.active == nil {
		m.active = make(map[string]int64)
	}
	last := max(m.active[id], at.UnixNano())
	m.active[id] = last
	return time.Unix(0, last), nil
}

// Len returns the number of records.
func (m *MemorySessionStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records)
}

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
	if s.busy.Add(-1) == 0 && s.removed.Load() && !s.keepEvents {
		// A request that outlived its session may have stored events after cleanup deleted
		// them (between its check of removed and its append): the last one out deletes again.
		_ = s.h.events.DeleteSession(context.Background(), s.id)
	}
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
