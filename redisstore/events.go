package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/minimcp/minimcp/server"
)

/*
Design note: events in Redis.

Each SSE stream of a session is a Redis Stream, PREFIXe:SESSION:STREAM, whose entries carry
one message each (field m). The event id the client sees is "<stream>-<n>", n counting the
session's events (PREFIXem:SESSION, field n) and also the entry's id in its Redis Stream
("0-n"), so that Replay finds the stream from the id alone and reads what followed it with one
XRANGE from "(0-n" on, on whichever replica it lands. The format is the server's own, which
reads the stream's name from a Last-Event-ID to decide where a resumed GET goes (MCP
2025-11-25, Transports § Resumability and Redelivery: event ids "MUST be globally unique across
all streams within that session").

Bounds. Each Redis Stream is trimmed to about StreamMaxLen entries (XADD MAXLEN ~, which trims
whole radix-tree nodes and so costs nothing extra); the session's bytes are capped at
SessionEventBytes, counted in PREFIXem:SESSION (field b), with PREFIXei:SESSION listing its
events in append order ("key\nn\nsize") so that the oldest go first, whatever stream they are
on. An event trimmed by MAXLEN stays counted until its turn comes in the list, so the count
may overstate what is held, never understate it.

Expiry. Append gives the session's event keys the expiry the session record has (its PTTL),
or SessionIdleTimeout when there is no record (an event store used without this session
store); Touch slides them with the record; DeleteSession removes them. A session Redis
expires thus takes its events with it within one idle timeout.
*/

// EventStore is a [server.EventStore] in Redis: one Redis Stream per SSE stream. Get it from
// [Store.Events].
type EventStore struct {
	s    *Store
	keys eventKeys
}

var _ server.EventStore = (*EventStore)(nil)

// eventKeys names the keys of a session's events.
type eventKeys struct{ prefix string }

func (k *eventKeys) stream(session, stream string) string {
	return k.prefix + "e:" + session + ":" + stream
}
func (k *eventKeys) meta(session string) string    { return k.prefix + "em:" + session }
func (k *eventKeys) index(session string) string   { return k.prefix + "ei:" + session }
func (k *eventKeys) streams(session string) string { return k.prefix + "es:" + session }

// appendEvent: KEYS stream, meta, index, stream set, session record; ARGV msg, max len, byte
// cap, fallback ttl ms. Returns n.
var appendEvent = redis.NewScript(`
local n = redis.call('HINCRBY', KEYS[2], 'n', 1)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '0-' .. n, 'm', ARGV[1])
local size = #ARGV[1]
redis.call('RPUSH', KEYS[3], KEYS[1] .. '\n' .. n .. '\n' .. size)
local total = redis.call('HINCRBY', KEYS[2], 'b', size)
local cap = tonumber(ARGV[3])
while total > cap and redis.call('LLEN', KEYS[3]) > 1 do
  local e = redis.call('LPOP', KEYS[3])
  local k, id, sz = string.match(e, '^(.*)\n(%d+)\n(%d+)$')
  redis.call('XDEL', k, '0-' .. id)
  total = redis.call('HINCRBY', KEYS[2], 'b', -tonumber(sz))
end
redis.call('SADD', KEYS[4], KEYS[1])
local ttl = redis.call('PTTL', KEYS[5])
if ttl < 0 then ttl = tonumber(ARGV[4]) end
if ttl > 0 then
  for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
end
return n
`)

// deleteEvents: KEYS meta, index, stream set.
var deleteEvents = redis.NewScript(`
for _, k in ipairs(redis.call('SMEMBERS', KEYS[3])) do redis.call('DEL', k) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 0
`)

// Append implements [server.EventStore]: one script call.
func (es *EventStore) Append(ctx context.Context, sessionID, streamID string, msg []byte) (string, error) {
	o := &es.s.opts
	ctx, cancel := es.s.call(ctx)
	defer cancel()
	n, err := appendEvent.Run(ctx, es.s.rdb,
		[]string{es.keys.stream(sessionID, streamID), es.keys.meta(sessionID), es.keys.index(sessionID), es.keys.streams(sessionID), es.s.sessions.key(sessionID)},
		msg, o.StreamMaxLen, o.SessionEventBytes, ms(o.SessionIdleTimeout)).Int64()
	if err != nil {
		return "", es.s.wrap(err)
	}
	return streamID + "-" + strconv.FormatInt(n, 10), nil
}

// parseEventID splits "<stream>-<n>".
func parseEventID(id string) (stream string, n uint64, ok bool) {
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

// replayBatch is how many events one XRANGE of Replay reads.
const replayBatch = 128

// Replay implements [server.EventStore]: one XRANGE per 128 events. Events dropped by the
// bounds or expired are skipped: a replay starts at the oldest event still held.
func (es *EventStore) Replay(ctx context.Context, sessionID, lastEventID string, f func(string, []byte) error) (string, error) {
	stream, after, ok := parseEventID(lastEventID)
	if !ok {
		return "", server.ErrEventNotFound
	}
	key := es.keys.stream(sessionID, stream)
	from := "(0-" + strconv.FormatUint(after, 10)
	for {
		cctx, cancel := es.s.call(ctx)
		msgs, err := es.s.rdb.XRangeN(cctx, key, from, "+", replayBatch).Result()
		cancel()
		if err != nil {
			return stream, es.s.wrap(err)
		}
		for _, m := range msgs {
			n, ok := strings.CutPrefix(m.ID, "0-")
			data, isEvent := m.Values["m"].(string)
			if !ok || !isEvent {
				continue // the end mark of EndStream
			}
			if err := f(stream+"-"+n, []byte(data)); err != nil {
				return stream, err
			}
		}
		if len(msgs) < replayBatch {
			return stream, nil
		}
		from = "(" + msgs[len(msgs)-1].ID
	}
}

// DeleteSession implements [server.EventStore].
func (es *EventStore) DeleteSession(ctx context.Context, sessionID string) error {
	ctx, cancel := es.s.call(ctx)
	defer cancel()
	return es.s.wrap(deleteEvents.Run(ctx, es.s.rdb,
		[]string{es.keys.meta(sessionID), es.keys.index(sessionID), es.keys.streams(sessionID)}).Err())
}

// Bytes returns the bytes of events the session holds (as counted for its bound).
func (es *EventStore) Bytes(ctx context.Context, sessionID string) (int64, error) {
	ctx, cancel := es.s.call(ctx)
	defer cancel()
	n, err := es.s.rdb.HGet(ctx, es.keys.meta(sessionID), "b").Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, es.s.wrap(err)
}

// Ping implements [server.Pinger].
func (es *EventStore) Ping(ctx context.Context) error { return es.s.Ping(ctx) }
