package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minimcp/minimcp/server"
)

/*
Design note: following a stream.

Follow carries on, on any replica, a stream another replica writes (the resumption of a POST's
stream whose request still runs elsewhere). It reads the stream's Redis Stream with XREAD
BLOCK from the event after Last-Event-ID: what is stored comes at once, in batches, and then
each new entry as the writer appends it, with no polling of the data. EndStream appends an end
mark (an entry without a message, which Replay skips), and a follower that reads it returns.

A blocked XREAD holds its connection for the block time, so followers do not take connections
from the pool of ordinary commands (a hundred followers would starve the hot path): they
have a client of their own, of MaxFollowers connections; Follow beyond that many at once
replays what is stored and returns an error (the server ends the stream, the client comes
back). Each XREAD blocks for at most followBlock; between two, the follower checks that the
session's events still exist (once they did, their absence means the session was deleted or
expired, which ends it) and ctx.
*/

// followBlock is how long one XREAD of a follower blocks.
const followBlock = time.Second

// errTooManyFollowers is returned by Follow beyond Options.MaxFollowers.
var errTooManyFollowers = errors.New("redisstore: too many streams followed at once (Options.MaxFollowers)")

var _ server.EventFollower = (*EventStore)(nil)

// endStream: KEYS stream, meta, stream set, session record; ARGV fallback ttl ms.
var endStream = redis.NewScript(`
local n = redis.call('HINCRBY', KEYS[2], 'n', 1)
redis.call('XADD', KEYS[1], '0-' .. n, 'end', 1)
redis.call('SADD', KEYS[3], KEYS[1])
local ttl = redis.call('PTTL', KEYS[4])
if ttl < 0 then ttl = tonumber(ARGV[1]) end
if ttl > 0 then
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl) end
end
return n
`)

// EndStream implements [server.EventFollower]: it appends the stream's end mark.
func (es *EventStore) EndStream(ctx context.Context, sessionID, streamID string) error {
	ctx, cancel := es.s.call(ctx)
	defer cancel()
	return es.s.wrap(endStream.Run(ctx, es.s.rdb,
		[]string{es.keys.stream(sessionID, streamID), es.keys.meta(sessionID), es.keys.streams(sessionID), es.s.sessions.key(sessionID)},
		ms(es.s.opts.SessionIdleTimeout)).Err())
}

// Follow implements [server.EventFollower].
func (es *EventStore) Follow(ctx context.Context, sessionID, lastEventID string, f func(string, []byte) error) (string, error) {
	stream, after, ok := parseEventID(lastEventID)
	if !ok {
		return "", server.ErrEventNotFound
	}
	select {
	case es.s.followers <- struct{}{}:
		defer func() { <-es.s.followers }()
	default:
		// No connection to wait on: what is stored, then the stream ends (the client comes
		// back for the rest with the last id it got).
		if _, err := es.Replay(ctx, sessionID, lastEventID, f); err != nil {
			return stream, err
		}
		return stream, errTooManyFollowers
	}
	key, meta := es.keys.stream(sessionID, stream), es.keys.meta(sessionID)
	last := "0-" + strconv.FormatUint(after, 10)
	// held: the session had events, so their absence now means they were deleted.
	cctx, cancel := es.s.call(ctx)
	n, err := es.s.rdb.Exists(cctx, meta).Result()
	cancel()
	if err != nil {
		return stream, es.s.wrap(err)
	}
	held := n > 0
	for {
		if err := ctx.Err(); err != nil {
			return stream, err
		}
		cctx, cancel := context.WithTimeout(ctx, followBlock+es.s.opts.Timeout)
		res, err := es.s.block.XRead(cctx, &redis.XReadArgs{Streams: []string{key, last}, Count: replayBatch, Block: followBlock}).Result()
		cancel()
		if errors.Is(err, redis.Nil) {
			// Nothing new within followBlock: go on while the session's events exist.
			cctx, cancel := es.s.call(ctx)
			n, err := es.s.rdb.Exists(cctx, meta).Result()
			cancel()
			if err != nil {
				return stream, es.s.wrap(err)
			}
			if n == 0 && held {
				return stream, nil
			}
			held = held || n > 0
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return stream, ctx.Err()
			}
			return stream, es.s.wrap(err)
		}
		held = true
		for _, xs := range res {
			for _, m := range xs.Messages {
				last = m.ID
				data, isEvent := m.Values["m"].(string)
				if !isEvent {
					return stream, nil // the end mark
				}
				n, _ := strings.CutPrefix(m.ID, "0-")
				if err := f(stream+"-"+n, []byte(data)); err != nil {
					return stream, err
				}
			}
		}
	}
}
