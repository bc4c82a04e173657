package server

import (
	"context"
	"sync"
	"time"

	"github.com/minimcp/minimcp/mcp"
)

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
// records and on those of one principal. The zero value has no cap. It is safe for
// concurrent use; set its fields before the first use.
type MemorySessionStore struct {
	// Max is the most records it holds; Create fails with ErrSessionLimit beyond it. Zero
	// means no limit.
	Max int
	// MaxPerPrincipal is the most records of one principal (SessionRecord.Principal) it
	// holds; Create fails with ErrPrincipalSessionLimit beyond it. Zero means no limit.
	MaxPerPrincipal int

	mu sync.Mutex
	// records maps ids to records; guarded by mu.
	records map[string]*SessionRecord
	// active maps ids to the latest activity reported by Touch (unix nanoseconds), apart
	// from the records so that a store no replica touches pays nothing; guarded by mu.
	active map[string]int64
	// owned counts the records of each principal, kept only when MaxPerPrincipal is set;
	// guarded by mu.
	owned map[string]int
}

// Create implements [SessionStore].
func (m *MemorySessionStore) Create(_ context.Context, rec *SessionRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	// The principal's quota first: a principal at its quota learns that it is the cause,
	// even when the store is full as well.
	if m.MaxPerPrincipal > 0 && m.owned[rec.Principal] >= m.MaxPerPrincipal {
		return ErrPrincipalSessionLimit
	}
	if m.Max > 0 && len(m.records) >= m.Max {
		return ErrSessionLimit
	}
	if m.records == nil {
		m.records = make(map[string]*SessionRecord)
	}
	if m.MaxPerPrincipal > 0 {
		if m.owned == nil {
			m.owned = make(map[string]int)
		}
		m.owned[rec.Principal]++
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
	if rec, ok := m.records[id]; ok && m.MaxPerPrincipal > 0 {
		if n := m.owned[rec.Principal] - 1; n > 0 {
			m.owned[rec.Principal] = n
		} else {
			delete(m.owned, rec.Principal)
		}
	}
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
