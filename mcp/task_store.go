package mcp

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"

	json "github.com/goccy/go-json"
)

// TaskStatus is the state of a task (tasks extension, SEP-2663, Task Status).
type TaskStatus string

// The statuses of a task. Completed, failed and cancelled are terminal: "once reached, the
// task's state does not change".
const (
	TaskWorking       TaskStatus = "working"
	TaskInputRequired TaskStatus = "input_required"
	TaskCompleted     TaskStatus = "completed"
	TaskFailed        TaskStatus = "failed"
	TaskCancelled     TaskStatus = "cancelled"
)

// Terminal reports whether s is a final status.
func (s TaskStatus) Terminal() bool {
	return s == TaskCompleted || s == TaskFailed || s == TaskCancelled
}

// TaskRecord is what a [TaskStore] keeps of a task: enough for any replica to answer
// tasks/get, tasks/update and tasks/cancel for it, and for the replica that runs it to learn
// of a cancellation or of the client's answers.
type TaskRecord struct {
	// ID is the task id, unguessable (SEP-2663, Security Implications: "Servers MUST generate
	// them with sufficient entropy").
	ID string `json:"id"`
	// Principal is the authenticated caller that created the task; only it may see it.
	Principal string `json:"principal,omitempty"`
	// Status and StatusMessage are the task's state.
	Status        TaskStatus `json:"status"`
	StatusMessage string     `json:"statusMessage,omitempty"`
	// Created and Updated are when the task was created and last changed.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// TTL is how long after Created the task is kept; the store forgets it then.
	TTL time.Duration `json:"ttl"`
	// PollInterval is the polling interval suggested to the client.
	PollInterval time.Duration `json:"pollInterval"`
	// LeaseUntil is when the runner's lease lapses unless renewed: a task that is not terminal
	// past it has lost its runner and is failed by the next reader.
	LeaseUntil time.Time `json:"leaseUntil"`
	// Result is the encoded result of a completed task; Error the JSON-RPC error object of a
	// failed one.
	Result json.RawMessage `json:"result,omitempty"`
	Error  json.RawMessage `json:"error,omitempty"`
	// InputRequests are the outstanding requests to the client, by key, each a request object
	// ({"method":...,"params":...}); InputResponses the client's answers not yet taken by the
	// runner.
	InputRequests  map[string]json.RawMessage `json:"inputRequests,omitempty"`
	InputResponses map[string]json.RawMessage `json:"inputResponses,omitempty"`
	// CancelRequested says tasks/cancel was received; the runner stops when it sees it.
	CancelRequested bool `json:"cancelRequested,omitempty"`
}

// Expires returns when the store may forget the record: Created plus TTL.
func (t *TaskRecord) Expires() time.Time { return t.Created.Add(t.TTL) }

// clone returns a copy of t that shares nothing mutable with it.
func (t *TaskRecord) clone() *TaskRecord {
	c := *t
	c.InputRequests = maps.Clone(t.InputRequests)
	c.InputResponses = maps.Clone(t.InputResponses)
	return &c
}

// Errors of task stores.
var (
	// ErrTaskNotFound is returned by a [TaskStore] for an id it does not hold (never created,
	// or forgotten after its TTL).
	ErrTaskNotFound = errors.New("mcp: task not found")
	// ErrTaskLimit is returned by a [TaskStore] that holds as many tasks as it may, and by the
	// server when as many tasks run as its options allow.
	ErrTaskLimit = errors.New("mcp: too many tasks")
	// ErrPrincipalTaskLimit is returned when one principal holds, or runs, as many tasks as it
	// may.
	ErrPrincipalTaskLimit = errors.New("mcp: too many tasks for one principal")
)

// TaskStore keeps task records (see [ServerOptions.TaskStore]). Implementations must be safe
// for concurrent use, and must give readers on every replica the effect of writes that
// returned: the server answers a task-augmented tools/call only once Create has returned
// (SEP-2663, Task Creation: "A server MUST NOT return CreateTaskResult until the task is
// durably created — that is, until a tasks/get for the returned taskId would resolve").
type TaskStore interface {
	// Create stores a new record. It fails with ErrTaskLimit or ErrPrincipalTaskLimit when
	// the store is full.
	Create(ctx context.Context, rec *TaskRecord) error
	// Get returns the record with the id, or ErrTaskNotFound; a record past its Expires is
	// not found. The caller owns the returned record.
	Get(ctx context.Context, id string) (*TaskRecord, error)
	// Update applies fn to the record with the id atomically (no other write in between) and
	// stores what fn left, unless fn returns an error, which Update returns. It returns the
	// stored record, or ErrTaskNotFound. fn may run more than once (an optimistic store
	// retries on a conflicting write), so it must depend on its argument only.
	Update(ctx context.Context, id string, fn func(*TaskRecord) error) (*TaskRecord, error)
}

// MemoryTaskStore is a [TaskStore] in process memory, with a cap on the records it holds and
// on those of one principal. Records are forgotten once past their TTL. The zero value has no
// cap; set the fields before the first use. It is safe for concurrent use.
type MemoryTaskStore struct {
	// Max is the most records it holds, terminal ones included until their TTL passes;
	// Create fails with ErrTaskLimit beyond it. Zero means no limit.
	Max int
	// MaxPerPrincipal is the most records of one principal; Create fails with
	// ErrPrincipalTaskLimit beyond it. Zero means no limit.
	MaxPerPrincipal int
	// Now returns the current time; nil means time.Now. For tests.
	Now func() time.Time

	mu sync.Mutex
	// records maps ids to records; guarded by mu.
	records map[string]*TaskRecord
	// owned counts the records of each principal; guarded by mu.
	owned map[string]int
	// nextSweep is the number of records at which Create next drops expired ones; guarded
	// by mu.
	nextSweep int
}

func (m *MemoryTaskStore) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Create implements [TaskStore]. Expired records never hold room a new task needs.
func (m *MemoryTaskStore) Create(_ context.Context, rec *TaskRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	atQuota := func() bool {
		return m.MaxPerPrincipal > 0 && m.owned[rec.Principal] >= m.MaxPerPrincipal ||
			m.Max > 0 && len(m.records) >= m.Max
	}
	if atQuota() || len(m.records) >= m.nextSweep {
		// Expired records are dropped when room is short, and when the map has doubled
		// since the last sweep, so that a store without caps does not grow for ever with
		// tasks nobody reads again; a sweep costs one pass, amortised over the creates.
		m.sweepLocked(m.now())
		m.nextSweep = 2*len(m.records) + 64
	}
	if m.MaxPerPrincipal > 0 && m.owned[rec.Principal] >= m.MaxPerPrincipal {
		return ErrPrincipalTaskLimit
	}
	if m.Max > 0 && len(m.records) >= m.Max {
		return ErrTaskLimit
	}
	if m.records == nil {
		m.records = make(map[string]*TaskRecord)
		m.owned = make(map[string]int)
	}
	if _, dup := m.records[rec.ID]; dup {
		return errors.New("mcp: task id already in use")
	}
	m.records[rec.ID] = rec.clone()
	m.owned[rec.Principal]++
	return nil
}

// Get implements [TaskStore].
func (m *MemoryTaskStore) Get(_ context.Context, id string) (*TaskRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.liveLocked(id)
	if err != nil {
		return nil, err
	}
	return rec.clone(), nil
}

// Update implements [TaskStore].
func (m *MemoryTaskStore) Update(_ context.Context, id string, fn func(*TaskRecord) error) (*TaskRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.liveLocked(id)
	if err != nil {
		return nil, err
	}
	next := rec.clone()
	if err := fn(next); err != nil {
		return nil, err
	}
	next.ID, next.Principal = rec.ID, rec.Principal
	m.records[id] = next
	return next.clone(), nil
}

// Len returns the number of records held, expired ones not yet dropped included.
func (m *MemoryTaskStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records)
}

// liveLocked returns the record with the id unless it expired, which it then drops.
func (m *MemoryTaskStore) liveLocked(id string) (*TaskRecord, error) {
	rec, ok := m.records[id]
	if !ok {
		return nil, ErrTaskNotFound
	}
	if !m.now().Before(rec.Expires()) {
		m.dropLocked(rec)
		return nil, ErrTaskNotFound
	}
	return rec, nil
}

// sweepLocked drops every record past its TTL.
func (m *MemoryTaskStore) sweepLocked(now time.Time) {
	for _, rec := range m.records {
		if !now.Before(rec.Expires()) {
			m.dropLocked(rec)
		}
	}
}

func (m *MemoryTaskStore) dropLocked(rec *TaskRecord) {
	delete(m.records, rec.ID)
	if n := m.owned[rec.Principal] - 1; n > 0 {
		m.owned[rec.Principal] = n
	} else {
		delete(m.owned, rec.Principal)
	}
}
