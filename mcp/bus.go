package mcp

import (
	"context"
	"sync"
)

// ChangeKind names what changed in a [Change]: its value is the method of the notification
// that tells clients of it.
type ChangeKind string

// The kinds of [Change].
const (
	// ChangeToolsList: the tool list changed (notifications/tools/list_changed).
	ChangeToolsList ChangeKind = NotificationToolListChanged
	// ChangePromptsList: the prompt list changed (notifications/prompts/list_changed).
	ChangePromptsList ChangeKind = NotificationPromptListChanged
	// ChangeResourcesList: the resource list changed (notifications/resources/list_changed).
	ChangeResourcesList ChangeKind = NotificationResourceListChanged
	// ChangeResource: the resource at Change.URI changed (notifications/resources/updated).
	ChangeResource ChangeKind = NotificationResourceUpdated
)

// Change is one event a [Bus] carries: a list of the server changed, or a resource did.
type Change struct {
	// Kind says what changed.
	Kind ChangeKind `json:"kind"`
	// URI is the resource that changed, for ChangeResource; empty otherwise.
	URI string `json:"uri,omitempty"`
}

// Admits reports whether a subscription with filter f receives c (MCP 2026-07-28, Basic §
// Subscriptions, Opening a Stream: "The server MUST NOT send notification types the client
// has not explicitly requested"). A nil filter admits every change (see [Bus.Subscribe]).
func (f *SubscriptionFilter) Admits(c Change) bool {
	if f == nil {
		return true
	}
	switch c.Kind {
	case ChangeToolsList:
		return f.ToolsListChanged
	case ChangePromptsList:
		return f.PromptsListChanged
	case ChangeResourcesList:
		return f.ResourcesListChanged
	case ChangeResource:
		for _, u := range f.ResourceSubscriptions {
			if u == c.URI {
				return true
			}
		}
	}
	return false
}

// A Bus carries the changes a [Server] publishes (registrations, removals,
// [Server.ResourceUpdated]) to the subscriptions/listen streams that want them. The server
// publishes every change to its bus and subscribes each listen stream with the filter the
// client asked for. [MemoryBus], the default, reaches the streams of one process; a bus shared
// between replicas (Redis, NATS) lets a change published on one reach the streams open on
// every other. Sessions of the revisions before 2026-07-28 hear of their own server's changes
// directly, on their session's stream, unless their transport feeds them from the bus
// ([Session.SetChangeFeed]), as replicas sharing sessions do.
//
// Implementations must be safe for concurrent use.
type Bus interface {
	// Publish delivers c to every subscription whose filter admits it, on every process that
	// shares the bus. It must not wait for subscribers to consume it. An error (a lost
	// connection to a shared bus) is logged by the server, which goes on.
	Publish(ctx context.Context, c Change) error
	// Subscribe calls deliver with each change published from now on that filter admits,
	// until cancel is called; after cancel returns deliver is not called again. deliver must
	// not block; it may be called concurrently. filter is not retained after Subscribe
	// returns; a nil filter admits every change, every resource update included (a
	// transport feeding sessions subscribes so, once). ctx bounds the subscribing only, not
	// the subscription.
	Subscribe(ctx context.Context, filter *SubscriptionFilter, deliver func(Change)) (cancel func(), err error)
}

// MemoryBus is a [Bus] within one process. Its zero value is ready to use. Publishing costs a
// map lookup and one call per subscriber admitting the change: subscribers are indexed by kind
// and, for resource updates, by URI.
type MemoryBus struct {
	mu sync.RWMutex
	// kinds holds the subscribers of each list kind; uris those of each resource URI. Both
	// guarded by mu, nil until first used; a key goes when its last subscriber does.
	kinds map[ChangeKind]map[*memorySub]struct{}
	uris  map[string]map[*memorySub]struct{}
	// all holds the subscribers with a nil filter, which get every change; guarded by mu.
	all map[*memorySub]struct{}
}

// memorySub is one subscription of a MemoryBus; its pointer is its identity.
type memorySub struct{ deliver func(Change) }

// Publish implements [Bus]. It calls the admitting subscribers' deliver on the calling
// goroutine and never fails.
func (b *MemoryBus) Publish(_ context.Context, c Change) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	subs := b.kinds[c.Kind]
	if c.Kind == ChangeResource {
		subs = b.uris[c.URI]
	}
	for s := range subs {
		s.deliver(c)
	}
	for s := range b.all {
		s.deliver(c)
	}
	return nil
}

// Subscribe implements [Bus]. It never fails.
func (b *MemoryBus) Subscribe(_ context.Context, f *SubscriptionFilter, deliver func(Change)) (func(), error) {
	s := &memorySub{deliver: deliver}
	if f == nil {
		b.mu.Lock()
		if b.all == nil {
			b.all = make(map[*memorySub]struct{})
		}
		b.all[s] = struct{}{}
		b.mu.Unlock()
		var once sync.Once
		return func() {
			once.Do(func() {
				b.mu.Lock()
				defer b.mu.Unlock()
				delete(b.all, s)
			})
		}, nil
	}
	var kinds []ChangeKind
	if f.ToolsListChanged {
		kinds = append(kinds, ChangeToolsList)
	}
	if f.PromptsListChanged {
		kinds = append(kinds, ChangePromptsList)
	}
	if f.ResourcesListChanged {
		kinds = append(kinds, ChangeResourcesList)
	}
	uris := append([]string(nil), f.ResourceSubscriptions...)
	b.mu.Lock()
	if b.kinds == nil {
		b.kinds = make(map[ChangeKind]map[*memorySub]struct{})
		b.uris = make(map[string]map[*memorySub]struct{})
	}
	for _, k := range kinds {
		addSub(b.kinds, k, s)
	}
	for _, u := range uris {
		addSub(b.uris, u, s)
	}
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			for _, k := range kinds {
				removeSub(b.kinds, k, s)
			}
			for _, u := range uris {
				removeSub(b.uris, u, s)
			}
		})
	}, nil
}

// Subscribers returns the number of subscriptions open on the bus.
func (b *MemoryBus) Subscribers() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	seen := make(map[*memorySub]struct{})
	for s := range b.all {
		seen[s] = struct{}{}
	}
	for _, subs := range b.kinds {
		for s := range subs {
			seen[s] = struct{}{}
		}
	}
	for _, subs := range b.uris {
		for s := range subs {
			seen[s] = struct{}{}
		}
	}
	return len(seen)
}

func addSub[K comparable](m map[K]map[*memorySub]struct{}, k K, s *memorySub) {
	subs := m[k]
	if subs == nil {
		subs = make(map[*memorySub]struct{})
		m[k] = subs
	}
	subs[s] = struct{}{}
}

func removeSub[K comparable](m map[K]map[*memorySub]struct{}, k K, s *memorySub) {
	subs := m[k]
	delete(subs, s)
	if len(subs) == 0 {
		delete(m, k)
	}
}
