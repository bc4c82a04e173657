package redisstore

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	json "github.com/goccy/go-json"
	"github.com/redis/go-redis/v9"

	"github.com/minimcp/minimcp/server"
)

/*
Design note: session records in Redis.

A record is a hash, PREFIXs:ID, with the encoded record (r), the latest activity any replica
reported (a, unix nanoseconds), the hard deadline (d, unix milliseconds by Redis's clock, 0 for
none) and the key of its principal's set (p, when MaxSessionsPerPrincipal is set). Load, the
one call of the hot path, is one HGET; a record whose bytes have not changed since this
process last read or wrote it is not decoded again: the same record comes back, whose State
pointer the server takes for "no change".

Expiry is Redis's own: the key gets a PEXPIRE of SessionIdleTimeout at Create and at every
Touch (the server's sweeper touches each session some replica used since its last sweep,
busy ones included), never beyond d. A session no replica uses is thus forgotten by Redis
itself, dead replicas included; one in use is kept however long it is used, up to
SessionMaxAge. The server removes idle sessions itself first (its own expiry, see its design
note on shared stores), with Delete.

Caps. MaxSessions and MaxSessionsPerPrincipal are counted in sorted sets of ids scored by
each record's expiry; Create drops the members whose time has passed before counting, so a
record Redis expired stops counting without anyone deleting it. Create, Touch, Save and
Delete are Lua scripts, atomic in Redis: two replicas creating the last session the cap
allows cannot both succeed.

Times compared with expiries are Redis's (TIME), not the replicas', whose clocks may differ.
*/

// SessionStore is a [server.SessionStore] in Redis, shared by every replica that opens the
// same Redis with the same prefix. Get it from [Store.Sessions].
type SessionStore struct {
	s *Store

	mu sync.Mutex
	// decoded maps session ids to the record last loaded or saved here and its encoding: a
	// Load that reads the same bytes returns the same record, without decoding it again, and
	// with the same State pointer, which the server takes for "no change" (it compares
	// pointers). Guarded by mu; cleared whole when it reaches maxDecoded entries, so records
	// Redis expired cost nothing for long.
	decoded map[string]decodedRecord
}

// decodedRecord is an entry of SessionStore.decoded.
type decodedRecord struct {
	raw []byte
	rec *server.SessionRecord
}

// maxDecoded bounds SessionStore.decoded.
const maxDecoded = 16384

// remember caches rec and its encoding.
func (st *SessionStore) remember(id string, raw []byte, rec *server.SessionRecord) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.decoded == nil || len(st.decoded) >= maxDecoded {
		st.decoded = make(map[string]decodedRecord)
	}
	st.decoded[id] = decodedRecord{raw, rec}
}

// forget drops the cached record of id.
func (st *SessionStore) forget(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.decoded, id)
}

var _ server.SessionStore = (*SessionStore)(nil)

// nowMS is the Lua prelude that sets now to Redis's time in milliseconds.
const nowMS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// createSession: KEYS record, all-sessions set, principal set; ARGV json, id, idle ms, max
// age ms, max, max per principal. Returns 0 (created), 1 (store full), 2 (principal full),
// 3 (id in use).
var createSession = redis.NewScript(nowMS + `
local idle, age = tonumber(ARGV[3]), tonumber(ARGV[4])
local max, maxp = tonumber(ARGV[5]), tonumber(ARGV[6])
if maxp > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= maxp then return 2 end
end
if max > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= max then return 1 end
end
if redis.call('EXISTS', KEYS[1]) == 1 then return 3 end
local d = 0
if age > 0 then d = now + age end
local ttl = idle
if d > 0 and (ttl <= 0 or ttl > age) then ttl = age end
redis.call('HSET', KEYS[1], 'r', ARGV[1], 'a', 0, 'd', d)
local score = '+inf'
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  score = now + ttl
end
if max > 0 then redis.call('ZADD', KEYS[2], score, ARGV[2]) end
if maxp > 0 then
  redis.call('ZADD', KEYS[3], score, ARGV[2])
  -- The set lives as long as its longest-lived member.
  local left = redis.call('PTTL', KEYS[3])
  if ttl <= 0 then redis.call('PERSIST', KEYS[3])
  elseif left < ttl then redis.call('PEXPIRE', KEYS[3], ttl) end
  redis.call('HSET', KEYS[1], 'p', KEYS[3])
end
return 0
`)

// touchSession: KEYS record, all-sessions set, the session's event keys (counter, index,
// stream set); ARGV id, at (unix ns), idle ms. Returns the latest activity (unix ns, as a
// string), or false for an unknown (or past its hard cap) session.
var touchSession = redis.NewScript(nowMS + `
local v = redis.call('HMGET', KEYS[1], 'a', 'd', 'p')
if not v[1] then return false end
local last = v[1]
if #ARGV[2] > #last or (#ARGV[2] == #last and ARGV[2] > last) then
  last = ARGV[2]
  redis.call('HSET', KEYS[1], 'a', last)
end
local idle, d = tonumber(ARGV[3]), tonumber(v[2])
local ttl = idle
if d > 0 then
  if d <= now then
    redis.call('DEL', KEYS[1])
    if v[3] then redis.call('ZREM', v[3], ARGV[1]) end
    redis.call('ZREM', KEYS[2], ARGV[1])
    return false
  end
  if ttl <= 0 or ttl > d - now then ttl = d - now end
end
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  for i = 3, 5 do redis.call('PEXPIRE', KEYS[i], ttl) end
  for _, k in ipairs(redis.call('SMEMBERS', KEYS[5])) do redis.call('PEXPIRE', k, ttl) end
  if v[3] then
    redis.call('ZADD', v[3], 'XX', now + ttl, ARGV[1])
    local left = redis.call('PTTL', v[3])
    if left < ttl then redis.call('PEXPIRE', v[3], ttl) end
  end
  redis.call('ZADD', KEYS[2], 'XX', now + ttl, ARGV[1])
end
return last
`)

// saveSession: KEYS record; ARGV json. Saving a deleted session does nothing.
var saveSession = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'r', ARGV[1]) end
return 0
`)

// deleteSession: KEYS record, all-sessions set; ARGV id.
var deleteSession = redis.NewScript(`
local p = redis.call('HGET', KEYS[1], 'p')
if p then redis.call('ZREM', p, ARGV[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 0
`)

func (st *SessionStore) key(id string) string { return st.s.opts.Prefix + "s:" + id }
func (st *SessionStore) all() string          { return st.s.opts.Prefix + "sessions" }
func (st *SessionStore) owned(principal string) string {
	return st.s.opts.Prefix + "sp:" + principal
}

// ms returns d in milliseconds for a script, 0 for none (zero or negative), at least 1.
func ms(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return max(d.Milliseconds(), 1)
}

// Create implements [server.SessionStore]. The record expires after SessionIdleTimeout
// unless touched.
func (st *SessionStore) Create(ctx context.Context, rec *server.SessionRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	o := &st.s.opts
	ctx, cancel := st.s.call(ctx)
	defer cancel()
	n, err := createSession.Run(ctx, st.s.rdb,
		[]string{st.key(rec.ID), st.all(), st.owned(rec.Principal)},
		b, rec.ID, ms(o.SessionIdleTimeout), ms(o.SessionMaxAge), o.MaxSessions, o.MaxSessionsPerPrincipal).Int()
	return st.s.created(n, err, server.ErrSessionLimit, server.ErrPrincipalSessionLimit, "session")
}

// Load implements [server.SessionStore]: one HGET.
func (st *SessionStore) Load(ctx context.Context, id string) (*server.SessionRecord, error) {
	ctx, cancel := st.s.call(ctx)
	defer cancel()
	b, err := st.s.rdb.HGet(ctx, st.key(id), "r").Bytes()
	if errors.Is(err, redis.Nil) {
		st.forget(id)
		return nil, server.ErrSessionNotFound
	}
	if err != nil {
		st.forget(id)
		return nil, st.s.wrap(err)
	}
	st.mu.Lock()
	d, ok := st.decoded[id]
	st.mu.Unlock()
	if ok && bytes.Equal(d.raw, b) {
		return d.rec, nil
	}
	rec := new(server.SessionRecord)
	if err := json.Unmarshal(b, rec); err != nil {
		return nil, err
	}
	st.remember(id, b, rec)
	return rec, nil
}

// Save implements [server.SessionStore]. It keeps the record's expiry.
func (st *SessionStore) Save(ctx context.Context, rec *server.SessionRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	ctx, cancel := st.s.call(ctx)
	defer cancel()
	if err := saveSession.Run(ctx, st.s.rdb, []string{st.key(rec.ID)}, b).Err(); err != nil {
		st.forget(rec.ID)
		return st.s.wrap(err)
	}
	st.remember(rec.ID, b, rec)
	return nil
}

// Delete implements [server.SessionStore]. The session's events are the event store's to
// delete ([EventStore.DeleteSession]), as the server does.
func (st *SessionStore) Delete(ctx context.Context, id string) error {
	st.forget(id)
	ctx, cancel := st.s.call(ctx)
	defer cancel()
	return st.s.wrap(deleteSession.Run(ctx, st.s.rdb, []string{st.key(id), st.all()}, id).Err())
}

// Touch implements [server.SessionStore]: it records the activity and slides the record's
// expiry (and its events') to SessionIdleTimeout from now, within SessionMaxAge. A session
// past SessionMaxAge is deleted and reported not found.
func (st *SessionStore) Touch(ctx context.Context, id string, at time.Time) (time.Time, error) {
	e := &st.s.events.keys
	ctx, cancel := st.s.call(ctx)
	defer cancel()
	v, err := touchSession.Run(ctx, st.s.rdb,
		[]string{st.key(id), st.all(), e.meta(id), e.index(id), e.streams(id)},
		id, at.UnixNano(), ms(st.s.opts.SessionIdleTimeout)).Int64()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, server.ErrSessionNotFound
	}
	if err != nil {
		return time.Time{}, st.s.wrap(err)
	}
	return time.Unix(0, v), nil
}

// TTL returns how long Redis keeps the record unless touched again, or
// [server.ErrSessionNotFound]; a record without expiry reports -1.
func (st *SessionStore) TTL(ctx context.Context, id string) (time.Duration, error) {
	ctx, cancel := st.s.call(ctx)
	defer cancel()
	d, err := st.s.rdb.PTTL(ctx, st.key(id)).Result()
	if err != nil {
		return 0, st.s.wrap(err)
	}
	if d == -2 { // go-redis reports "no such key" as -2 (nanoseconds)
		return 0, server.ErrSessionNotFound
	}
	return d, nil
}

// Ping implements [server.Pinger]: the server's /readyz fails while Redis does not answer.
func (st *SessionStore) Ping(ctx context.Context) error { return st.s.Ping(ctx) }
