package redisstore

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// receive calls each with the payload of every message ps receives, until stop is closed.
// While Redis is away, go-redis reconnects and resubscribes on the next Receive; receive
// waits a little between attempts, longer each time, up to a second.
func receive(ps *redis.PubSub, stop <-chan struct{}, each func(payload []byte)) {
	wait := 10 * time.Millisecond
	for {
		msg, err := ps.Receive(context.Background())
		if err != nil {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-stop:
				t.Stop()
				return
			}
			wait = min(2*wait, time.Second)
			continue
		}
		wait = 10 * time.Millisecond
		if m, ok := msg.(*redis.Message); ok {
			each([]byte(m.Payload))
		}
	}
}
