package redisstore

import (
	"context"
	"errors"
	"time"

	json "github.com/goccy/go-json"
	"github.com/redis/go-redis/v9"

	"github.com/minimcp/minimcp/mcp"
)

/*
Design note: tasks in Redis.

A task record is a string, PREFIXt:ID, holding the record as JSON and expiring (PEXPIREAT) at
its Expires, so Redis forgets it at its TTL whichever replica made it. Create is a script that
counts the caps in sorted sets scored by expiry (as the session caps are: see session.go) and
sets the key only if it is new. Update is optimistic: WATCH the key, read, apply fn, write in
MULTI/EXEC, and start again if another replica wrote in between (fn may thus run more than
once, as the interface allows); after maxUpdateTries conflicts it gives up with
errUpdateConflict. A record Redis has not yet expired but whose Expires has passed (clocks of
replicas differ by a few milliseconds) is not found either.
*/

// TaskStore is an [mcp.TaskStore] in Redis. Get it from [Store.Tasks].
type TaskStore struct{ s *Store }

var _ mcp.TaskStore = (*TaskStore)(nil)

// maxUpdateTries bounds the optimistic retries of Update.
const maxUpdateTries = 32

var errUpdateConflict = errors.New("redisstore: task updated concurrently too often")

func (ts *TaskStore) key(id string) string { return ts.s.opts.Prefix + "t:" + id }
func (ts *TaskStore) all() string          { return ts.s.opts.Prefix + "tasks" }
func (ts *TaskStore) owned(principal string) string {
	return ts.s.opts.Prefix + "tp:" + principal
}

// createTask: KEYS record, all-tasks set, principal set; ARGV json, id, expires (unix ms),
// max, max per principal. Returns 0 (created), 1 (store full), 2 (principal full), 3 (id in
// use).
var createTask = redis.NewScript(nowMS + `
local max, maxp = tonumber(ARGV[4]), tonumber(ARGV[5])
if maxp > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= maxp then return 2 end
end
if max > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= max then return 1 end
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[3]) then return 3 end
if max > 0 then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2]) end
if maxp > 0 then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
  local left = redis.call('PTTL', KEYS[3])
  if left < 0 or now + left < tonumber(ARGV[3]) then redis.call('PEXPIREAT', KEYS[3], ARGV[3]) end
end
return 0
`)

// Create implements [mcp.TaskStore].
func (ts *TaskStore) Create(ctx context.Context, rec *mcp.TaskRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	exp := rec.Expires()
	if !exp.After(time.Now()) {
		return nil // already past its TTL: nothing to keep, and Get reports it not found
	}
	o := &ts.s.opts
	ctx, cancel := ts.s.call(ctx)
	defer cancel()
	n, err := createTask.Run(ctx, ts.s.rdb, []string{ts.key(rec.ID), ts.all(), ts.owned(rec.Principal)},
		b, rec.ID, exp.UnixMilli(), o.MaxTasks, o.MaxTasksPerPrincipal).Int()
	return ts.s.created(n, err, mcp.ErrTaskLimit, mcp.ErrPrincipalTaskLimit, "task")
}

// Get implements [mcp.TaskStore]: one GET.
func (ts *TaskStore) Get(ctx context.Context, id string) (*mcp.TaskRecord, error) {
	ctx, cancel := ts.s.call(ctx)
	defer cancel()
	return ts.get(ctx, ts.s.rdb, id)
}

func (ts *TaskStore) get(ctx context.Context, c redis.Cmdable, id string) (*mcp.TaskRecord, error) {
	b, err := c.Get(ctx, ts.key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, mcp.ErrTaskNotFound
	}
	if err != nil {
		return nil, ts.s.wrap(err)
	}
	rec := new(mcp.TaskRecord)
	if err := json.Unmarshal(b, rec); err != nil {
		return nil, err
	}
	if !time.Now().Before(rec.Expires()) {
		return nil, mcp.ErrTaskNotFound
	}
	return rec, nil
}

// Update implements [mcp.TaskStore], with WATCH and MULTI/EXEC: fn runs again when another
// replica wrote the record in between.
func (ts *TaskStore) Update(ctx context.Context, id string, fn func(*mcp.TaskRecord) error) (*mcp.TaskRecord, error) {
	ctx, cancel := ts.s.call(ctx)
	defer cancel()
	key := ts.key(id)
	var out *mcp.TaskRecord
	var fnErr error
	txf := func(tx *redis.Tx) error {
		rec, err := ts.get(ctx, tx, id)
		if err != nil {
			return err
		}
		next := *rec
		if fnErr = fn(&next); fnErr != nil {
			return fnErr
		}
		next.ID, next.Principal = rec.ID, rec.Principal
		b, err := json.Marshal(&next)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, b, 0)
			p.PExpireAt(ctx, key, next.Expires())
			return nil
		})
		if err == nil {
			out = &next
		}
		return err
	}
	for range maxUpdateTries {
		err := ts.s.rdb.Watch(ctx, txf, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		switch {
		case fnErr != nil:
			return nil, fnErr
		case errors.Is(err, mcp.ErrTaskNotFound), errors.Is(err, ErrUnavailable):
			return nil, err // from get, as it is
		case err != nil:
			return nil, ts.s.wrap(err)
		}
		return out, nil
	}
	return nil, errUpdateConflict
}
