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
