package redisstore

import (
	"context"
	"sync"

	json "github.com/goccy/go-json"
	"github.com/redis/go-redis/v9"

	"github.com/minimcp/minimcp/mcp"
)

/*
Design note: the bus.

Publish is one PUBLISH of the change, as JSON, on PREFIXbus. Each process holds one
subscription to that channel, opened by the first Subscribe, and one goroutine reading it,
which hands each change to an [mcp.MemoryBus] of the process: the local bus indexes the
process's subscribers by kind and URI and calls those that admit the change. A change
published on any replica thus reaches, once, every subscriber on every replica, the
publisher's own included (it comes back through Redis, like everyone else's).

Redis pub/sub delivers at most once: a change published while a replica's subscription is
down (Redis restarting) does not reach that replica's listeners. The reader reconnects and
resubscribes by itself (go-redis does, on the next Receive), waiting between failed attempts
up to a second; a subscriptions/listen client that must not miss a change re-lists after a
reconnect, as it would after any lost connection.

The reader is owned by the Bus: started by the first Subscribe, stopped by Store.Close,
which waits for it.
*/

// Bus is an [mcp.Bus] over Redis pub/sub, reaching the subscribers of every process that
// opened the same Redis with the same prefix. Get it from [Store.Bus].
type Bus struct {
	s     *Store
	local mcp.MemoryBus

	mu sync.Mutex
	// ps is the subscription, nil until the first Subscribe; guarded by mu.
	ps *redis.PubSub
	// done is closed by the reader goroutine when it exits; nil until started. Guarded by mu.
	done chan struct{}
	// stop is closed by close to end the reader's waits; nil until started. Guarded by mu.
	stop chan struct{}
	// closed is set by close; guarded by mu.
	closed bool
}

var _ mcp.Bus = (*Bus)(nil)

func (b *Bus) channel() string { return b.s.opts.Prefix + "bus" }

// Publish implements [mcp.Bus]: one PUBLISH. It fails (wrapping [ErrUnavailable]) when
// Redis cannot be reached; the change is then lost.
func (b *Bus) Publish(ctx context.Context, c mcp.Change) error {
	msg, err := json.Marshal(c)
	if err != nil {
		return err
	}
	ctx, cancel := b.s.call(ctx)
	defer cancel()
	return b.s.wrap(b.s.rdb.Publish(ctx, b.channel(), msg).Err())
}

// Subscribe implements [mcp.Bus]. The first call subscribes this process to the channel and
// waits, within ctx and the call timeout, for Redis to confirm it, so that a change
// published once Subscribe has returned is delivered.
func (b *Bus) Subscribe(ctx context.Context, filter *mcp.SubscriptionFilter, deliver func(mcp.Change)) (func(), error) {
	if err := b.start(ctx); err != nil {
		return nil, err
	}
	return b.local.Subscribe(ctx, filter, deliver)
}

// start opens the subscription and starts its reader, once.
func (b *Bus) start(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return redis.ErrClosed
	}
	if b.ps != nil {
		return nil
	}
	ctx, cancel := b.s.call(ctx)
	defer cancel()
	ps := b.s.rdb.Subscribe(ctx, b.channel())
	// The first message is Redis's confirmation of the subscription.
	if _, err := ps.ReceiveTimeout(ctx, b.s.opts.Timeout); err != nil {
		_ = ps.Close()
		return b.s.wrap(err)
	}
	b.ps = ps
	b.done, b.stop = make(chan struct{}), make(chan struct{})
	go b.read(ps, b.done, b.stop)
	return nil
}

// read hands each change received to the local bus until the subscription is closed.
func (b *Bus) read(ps *redis.PubSub, done, stop chan struct{}) {
	defer close(done)
	receive(ps, stop, func(payload []byte) {
		var c mcp.Change
		if json.Unmarshal(payload, &c) == nil {
			_ = b.local.Publish(context.Background(), c)
		}
	})
}

// close ends the subscription and waits for the reader.
func (b *Bus) close() {
	b.mu.Lock()
	b.closed = true
	ps, done := b.ps, b.done
	if b.stop != nil {
		close(b.stop)
	}
	b.mu.Unlock()
	// Closing the subscription ends a Receive in progress; the reader then sees stop.
	if ps != nil {
		_ = ps.Close()
		<-done
	}
}

// Subscribers returns the number of subscriptions open on this process.
func (b *Bus) Subscribers() int { return b.local.Subscribers() }
