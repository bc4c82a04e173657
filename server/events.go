package server

import (
	"context"
	"strconv"
	"strings"
	"sync"
)

/*
Design note: resumability.

Every SSE event sent in a stateful session is appended to an [EventStore] under its stream
(the session's GET stream, "g", or "pN" for the N-th POST that answered with SSE, "pN.TAG" on
a replica that adopted the session, so replicas never share a stream name) and gets an
id "<stream>-<seq>" with seq increasing per session. Messages pushed while the client has no
GET stream open are stored too. A GET with Last-Event-ID replays the events of that id's stream
that came after it (MCP 2025-11-25, Transports § Resumability and Redelivery: "the server MAY
use this header to replay messages that would have been sent after the last event ID, on the
stream that was disconnected, and to resume the stream from that point. The server MUST NOT
replay messages that would have been delivered on a different stream") and, for the GET
stream, goes on live from there.

The in-memory store is bounded: per session and in total. Past a cap the oldest events go
first; a replay then starts at the oldest event still held.
*/

// EventStore keeps the SSE events of stateful sessions for replay. Implementations must be
// safe for concurrent use.
type EventStore interface {
	// Append stores msg as the next event of the stream and returns its event id. msg is not
	// retained by the caller afterwards; the store must copy it.
	Append(ctx context.Context, sessionID, streamID string, msg []byte) (eventID string, err error)
	// Replay calls f, in order, for each stored event of the stream lastEventID belongs to
	// that came after it, and returns that stream's id. It returns [ErrEventNotFound] if
	// lastEventID cannot be one of this store's ids.
	Replay(ctx context.Context, sessionID, lastEventID string, f func(eventID string, msg []byte) error) (streamID string, err error)
	// DeleteSession drops every event of the session.
	DeleteSession(ctx context.Context, sessionID string) error
}

// Default caps of [MemoryEventStore].
const (
	DefaultSessionEventBytes = 1 << 20
	DefaultTotalEventBytes   = 64 << 20
)

// MemoryEventStore is a bounded [EventStore] in process memory. The zero value uses the
// default caps. It is safe for concurrent use.
type MemoryEventStore struct {
	// SessionBytes caps the bytes held per session. If zero, [DefaultSessionEventBytes].
	SessionBytes int
	// TotalBytes caps the bytes held in all. If zero, [DefaultTotalEventBytes].
	TotalBytes int

	mu sync.Mutex
	// sessions maps session ids to their events; guarded by mu.
	sessions map[string]*memSession
	// fifo holds every event in append order, for the total cap; guarded by mu. Events
	// dropped from their session stay here, marked, until they reach the front.
	fifo []*memEvent
	// total is the size of the events not dropped; guarded by mu.
	total int
	// live counts the events not dropped; guarded by mu.
	live int
	// wakes maps session ids to a channel their followers wait on, closed (and removed) by
	// the next Append, EndStream or DeleteSession of the session; guarded by mu. Nil until
	// someone follows.
	wakes map[string]chan struct{}
}

type memEvent struct {
	session string
	stream  string
	seq     uint64
	data    []byte
	dropped bool
	// end marks the end of its stream (EndStream): no data, never replayed.
	end bool
}

type memSession struct {
	events []*memEvent // append order; dropped events are removed from the front
	bytes  int
	seq    uint64
}

func (m *MemoryEventStore) caps() (int, int) {
	s, t := m.SessionBytes, m.TotalBytes
	if s <= 0 {
		s = DefaultSessionEventBytes
	}
	if t <= 0 {
		t = DefaultTotalEventBytes
	}
	return s, t
}

// Append implements [EventStore].
func (m *MemoryEventStore) Append(_ context.Context, sessionID, streamID string, msg []byte) (string, error) {
	perSession, total := m.caps()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sessions == nil {
		m.sessions = make(map[string]*memSession)
	}
	ms := m.sessions[sessionID]
	if ms == nil {
		ms = &memSession{}
		m.sessions[sessionID] = ms
	}
	ms.seq++
	ev := &memEvent{session: sessionID, stream: streamID, seq: ms.seq, data: append([]byte(nil), msg...)}
	ms.events = append(ms.events, ev)
	ms.bytes += len(ev.data)
	m.fifo = append(m.fifo, ev)
	m.total += len(ev.data)
	m.live++
	for ms.bytes > perSession && len(ms.events) > 1 {
		m.dropLocked(ms.events[0])
	}
	for m.total > total && len(m.fifo) > 1 {
		front := m.fifo[0]
		m.fifo[0] = nil
		m.fifo = m.fifo[1:]
		if !front.dropped {
			m.dropLocked(front)
		}
	}
	m.compactLocked()
	m.wakeLocked(sessionID)
	return streamID + "-" + strconv.FormatUint(ev.seq, 10), nil
}

// wakeLocked wakes the followers of the session's streams.
func (m *MemoryEventStore) wakeLocked(sessionID string) {
	if ch := m.wakes[sessionID]; ch != nil {
		close(ch)
		delete(m.wakes, sessionID)
	}
}

// compactLocked removes dropped events from the FIFO once they outnumber the live ones, so
// the FIFO stays proportional to what is held.
func (m *MemoryEventStore) compactLocked() {
	if len(m.fifo) < 2*m.live+1024 {
		return
	}
	kept := m.fifo[:0]
	for _, ev := range m.fifo {
		if !ev.dropped {
			kept = append(kept, ev)
		}
	}
	clear(m.fifo[len(kept):])
	m.fifo = kept
}

// dropLocked removes ev from its session (ev must be its session's oldest event or already
// detached from it).
func (m *MemoryEventStore) dropLocked(ev *memEvent) {
	ev.dropped = true
	m.total -= len(ev.data)
	m.live--
	ms := m.sessions[ev.session]
	if ms == nil {
		return
	}
	if len(ms.events) > 0 && ms.events[0] == ev {
		ms.events[0] = nil
		ms.events = ms.events[1:]
	}
	ms.bytes -= len(ev.data)
	ev.data = nil
}

// parseEventID splits "<stream>-<seq>".
func parseEventID(id string) (stream string, seq uint64, ok bool) {
	i := strings.LastIndexByte(id, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.ParseUint(id[i+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return id[:i], n, true
}

// Replay implements [EventStore].
func (m *MemoryEventStore) Replay(_ context.Context, sessionID, lastEventID string, f func(string, []byte) error) (string, error) {
	stream, after, ok := parseEventID(lastEventID)
	if !ok {
		return "", ErrEventNotFound
	}
	m.mu.Lock()
	var replay []*memEvent
	if ms := m.sessions[sessionID]; ms != nil {
		for _, ev := range ms.events {
			if ev.stream == stream && ev.seq > after && !ev.end {
				replay = append(replay, &memEvent{stream: ev.stream, seq: ev.seq, data: ev.data})
			}
		}
	}
	m.mu.Unlock()
	for _, ev := range replay {
		if err := f(ev.stream+"-"+strconv.FormatUint(ev.seq, 10), ev.data); err != nil {
			return stream, err
		}
	}
	return stream, nil
}

// DeleteSession implements [EventStore].
func (m *MemoryEventStore) DeleteSession(_ context.Context, sessionID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms := m.sessions[sessionID]
	if ms == nil {
		return nil
	}
	for _, ev := range ms.events {
		ev.dropped = true
		m.total -= len(ev.data)
		m.live--
		ev.data = nil
	}
	delete(m.sessions, sessionID)
	m.compactLocked()
	m.wakeLocked(sessionID)
	return nil
}

// Follow implements [EventFollower]. Events dropped by the caps before the follower read
// them are skipped.
func (m *MemoryEventStore) Follow(ctx context.Context, sessionID, lastEventID string, f func(string, []byte) error) (string, error) {
	stream, seen, ok := parseEventID(lastEventID)
	if !ok {
		return "", ErrEventNotFound
	}
	held := false // the session had events: their absence now means they were deleted
	var batch []memEvent
	for {
		batch = batch[:0]
		ended := false
		var wake chan struct{}
		m.mu.Lock()
		ms := m.sessions[sessionID]
		if ms == nil && held {
			m.mu.Unlock()
			return stream, nil
		}
		if ms != nil {
			held = true
			for _, ev := range ms.events {
				if ev.stream != stream || ev.seq <= seen {
					continue
				}
				if ev.end {
					ended = true
					break
				}
				batch = append(batch, memEvent{seq: ev.seq, data: ev.data})
			}
		}
		if !ended && len(batch) == 0 {
			if m.wakes == nil {
				m.wakes = make(map[string]chan struct{})
			}
			if wake = m.wakes[sessionID]; wake == nil {
				wake = make(chan struct{})
				m.wakes[sessionID] = wake
			}
		}
		m.mu.Unlock()
		for i := range batch {
			if err := f(stream+"-"+strconv.FormatUint(batch[i].seq, 10), batch[i].data); err != nil {
				return stream, err
			}
			seen = batch[i].seq
		}
		if ended {
			return stream, nil
		}
		if wake == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return stream, ctx.Err()
		case <-wake:
		}
	}
}

// EndStream implements [EventFollower]: the end is an event without data, which replays
// skip and the caps drop in turn.
func (m *MemoryEventStore) EndStream(_ context.Context, sessionID, streamID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sessions == nil {
		m.sessions = make(map[string]*memSession)
	}
	ms := m.sessions[sessionID]
	if ms == nil {
		ms = &memSession{}
		m.sessions[sessionID] = ms
	}
	ms.seq++
	ev := &memEvent{session: sessionID, stream: streamID, seq: ms.seq, end: true}
	ms.events = append(ms.events, ev)
	m.fifo = append(m.fifo, ev)
	m.live++
	m.wakeLocked(sessionID)
	return nil
}

// Bytes returns the bytes held.
func (m *MemoryEventStore) Bytes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}
