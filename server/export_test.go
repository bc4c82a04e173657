package server

// Internals exposed to the external tests of this package.
var (
	Accepts           = accepts
	IsJSONContentType = isJSONContentType
	HostOnly          = hostOnly
	IsLoopbackName    = isLoopbackName
)

// EventSessions returns how many sessions the store holds events for.
func EventSessions(m *MemoryEventStore) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}

// Active returns how many requests and workers the handler counts as running.
func Active(h *Handler) int {
	h.activeMu.Lock()
	defer h.activeMu.Unlock()
	return h.active
}

// WorkerIdle is how long an idle worker lives.
const WorkerIdle = workerIdle

// Settle returns once the handler's relay goroutine has acted on everything queued before.
func Settle(h *Handler) { h.settle() }
