package redisstore

import (
	"context"
	"sync"

	json "github.com/goccy/go-json"
	"github.com/redis/go-redis/v9"

	"github.com/minimcp/minimcp/server"
)

/*
Design note: the relay.

A message for every replica is one PUBLISH on PREFIXrelay; a message for one replica (a reply
to the request it waits on) one PUBLISH on PREFIXrelay:REPLICA, so that it reaches that replica
alone, however many there are. Subscribe opens a subscription of its own to both channels
(a connection apart from the command pool, as pub/sub takes one over) and waits for Redis to
confirm it, so that a message published once Subscribe has returned is delivered; one
goroutine per subscription reads it, owned by the subscription: cancel closes it and waits
for the goroutine, and Store.Close cancels those still open.

Delivery is at most once, as the server's Relay contract allows: a message published while a
subscription is down (Redis restarting) is lost; the reader reconnects and resubscribes by
itself.
*/

// Relay is a [server.Relay] over Redis pub/sub, between the replicas that opened the same
// Redis with the same prefix. Get it from [Store.Relay].
type Relay struct {
	s *Store

	mu sync.Mutex
	// subs are the subscriptions open; guarded by mu.
	subs map[*relaySub]struct{}
	// closed is set by close: Subscribe then fails. Guarded by mu.
	closed bool
}

var (
	_ server.Relay  = (*Relay)(nil)
	_ server.Pinger = (*Relay)(nil)
)

// relaySub is one subscription: its connection and its reader.
type relaySub struct {
	ps   *redis.PubSub
	stop chan struct{} // closed by cancel, before ps is closed
	done chan struct{} // closed by the reader when it exits
	once sync.Once
}

func (r *Relay) channel(replica string) string {
	if replica == "" {
		return r.s.opts.Prefix + "relay"
	}
	return r.s.opts.Prefix + "relay:" + replica
}

// Publish implements [server.Relay]: one PUBLISH.
func (r *Relay) Publish(ctx context.Context, m server.RelayMessage) error {
	msg, err := json.Marshal(&m)
	if err != nil {
		return err
	}
	ctx, cancel := r.s.call(ctx)
	defer cancel()
	return r.s.wrap(r.s.rdb.Publish(ctx, r.channel(m.To), msg).Err())
}

// Subscribe implements [server.Relay].
func (r *Relay) Subscribe(ctx context.Context, replica string, deliver func(server.RelayMessage)) (func(), error) {
	ctx, cancel := r.s.call(ctx)
	defer cancel()
	ps := r.s.rdb.Subscribe(ctx, r.channel(""), r.channel(replica))
	// Redis confirms each channel subscribed.
	for range 2 {
		if _, err := ps.ReceiveTimeout(ctx, r.s.opts.Timeout); err != nil {
			_ = ps.Close()
			return nil, r.s.wrap(err)
		}
	}
	sub := &relaySub{ps: ps, stop: make(chan struct{}), done: make(chan struct{})}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		_ = ps.Close()
		return nil, redis.ErrClosed
	}
	r.subs[sub] = struct{}{}
	r.mu.Unlock()
	go sub.read(deliver)
	return func() {
		r.mu.Lock()
		delete(r.subs, sub)
		r.mu.Unlock()
		sub.cancel()
	}, nil
}

// read delivers each message received until the subscription is cancelled.
func (sub *relaySub) read(deliver func(server.RelayMessage)) {
	defer close(sub.done)
	receive(sub.ps, sub.stop, func(payload []byte) {
		var rm server.RelayMessage
		if json.Unmarshal(payload, &rm) != nil {
			return
		}
		select {
		case <-sub.stop:
			return // cancelled: deliver is not called again
		default:
		}
		deliver(rm)
	})
}

// cancel ends the subscription and waits for its reader.
func (sub *relaySub) cancel() {
	sub.once.Do(func() {
		close(sub.stop)
		_ = sub.ps.Close()
	})
	<-sub.done
}

// close cancels every subscription still open; Subscribe fails afterwards.
func (r *Relay) close() {
	r.mu.Lock()
	r.closed = true
	subs := r.subs
	r.subs = map[*relaySub]struct{}{}
	r.mu.Unlock()
	for sub := range subs {
		sub.cancel()
	}
}

// Ping implements [server.Pinger].
func (r *Relay) Ping(ctx context.Context) error { return r.s.Ping(ctx) }
