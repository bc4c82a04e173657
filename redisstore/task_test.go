package redisstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/redisstore"
)

// taskContract checks what every mcp.TaskStore must do (the behaviours of the memory store's
// test): records are copies, Update is atomic and stores nothing when fn fails, the id and
// principal are the store's, the caps count records.
func taskContract(t *testing.T, mk func(t *testing.T, max, perPrincipal int) mcp.TaskStore) {
	ctx := context.Background()
	now := time.Now()
	m := mk(t, 2, 1)
	rec := &mcp.TaskRecord{ID: "a", Principal: "p", Status: mcp.TaskWorking, Created: now, TTL: time.Minute,
		InputRequests: map[string]json.RawMessage{"k": json.RawMessage(`{}`)}}
	require.NoError(t, m.Create(ctx, rec))
	rec.InputRequests["x"] = nil
	got, err := m.Get(ctx, "a")
	require.NoError(t, err)
	assert.Len(t, got.InputRequests, 1, "Create kept a copy")
	assert.Equal(t, "p", got.Principal)
	got.Status = mcp.TaskFailed
	got, _ = m.Get(ctx, "a")
	assert.Equal(t, mcp.TaskWorking, got.Status, "Get returned a copy")

	_, err = m.Update(ctx, "a", func(r *mcp.TaskRecord) error {
		r.Status = mcp.TaskCompleted
		return errors.New("no")
	})
	assert.EqualError(t, err, "no", "fn's error as it is")
	got, _ = m.Get(ctx, "a")
	assert.Equal(t, mcp.TaskWorking, got.Status, "a failed update stores nothing")
	got, err = m.Update(ctx, "a", func(r *mcp.TaskRecord) error {
		r.Status, r.ID, r.Principal = mcp.TaskCompleted, "b", "q"
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, mcp.TaskCompleted, got.Status)
	assert.Equal(t, "a", got.ID, "id and principal are the store's")
	assert.Equal(t, "p", got.Principal)
	got, _ = m.Get(ctx, "a")
	assert.Equal(t, mcp.TaskCompleted, got.Status)
	_, err = m.Update(ctx, "zz", func(*mcp.TaskRecord) error { return nil })
	assert.ErrorIs(t, err, mcp.ErrTaskNotFound)
	_, err = m.Get(ctx, "zz")
	assert.ErrorIs(t, err, mcp.ErrTaskNotFound)

	assert.ErrorIs(t, m.Create(ctx, &mcp.TaskRecord{ID: "c", Principal: "p", Created: now, TTL: time.Minute}), mcp.ErrPrincipalTaskLimit)
	require.NoError(t, m.Create(ctx, &mcp.TaskRecord{ID: "d", Principal: "q", Created: now, TTL: time.Hour}))
	assert.ErrorIs(t, m.Create(ctx, &mcp.TaskRecord{ID: "e", Principal: "r", Created: now, TTL: time.Minute}), mcp.ErrTaskLimit)
}

func TestTaskContract(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		taskContract(t, func(_ *testing.T, max, per int) mcp.TaskStore {
			return &mcp.MemoryTaskStore{Max: max, MaxPerPrincipal: per}
		})
	})
	t.Run("redis", func(t *testing.T) {
		taskContract(t, func(t *testing.T, max, per int) mcp.TaskStore {
			return open(t, &redisstore.Options{MaxTasks: max, MaxTasksPerPrincipal: per}).Tasks()
		})
	})
}

// TestTaskExpiry: Redis forgets a record at its TTL (the key expires at Created+TTL) and it
// then frees its room.
func TestTaskExpiry(t *testing.T) {
	ctx := context.Background()
	st := open(t, &redisstore.Options{MaxTasksPerPrincipal: 1})
	ts := st.Tasks()
	created := time.Now()
	require.NoError(t, ts.Create(ctx, &mcp.TaskRecord{ID: "a", Principal: "p", Created: created, TTL: time.Hour}))
	at, err := st.Client().PExpireTime(ctx, st.Prefix()+"t:a").Result()
	require.NoError(t, err)
	assert.InDelta(t, created.Add(time.Hour).UnixMilli(), at.Milliseconds(), 1, "the key expires at Created+TTL")

	require.NoError(t, ts.Create(ctx, &mcp.TaskRecord{ID: "b", Principal: "q", Created: time.Now(), TTL: 200 * time.Millisecond}))
	assert.ErrorIs(t, ts.Create(ctx, &mcp.TaskRecord{ID: "c", Principal: "q", Created: time.Now(), TTL: time.Minute}), mcp.ErrPrincipalTaskLimit)
	require.Eventually(t, func() bool {
		n, _ := st.Client().Exists(ctx, st.Prefix()+"t:b").Result()
		return n == 0
	}, 5*time.Second, 20*time.Millisecond, "Redis expires the record")
	require.NoError(t, ts.Create(ctx, &mcp.TaskRecord{ID: "c", Principal: "q", Created: time.Now(), TTL: time.Minute}), "room again")
}

// TestTaskUpdateAtomic: concurrent updates from two replicas (two connections) each take
// effect once: none is lost.
func TestTaskUpdateAtomic(t *testing.T) {
	ctx := context.Background()
	a := open(t, nil)
	b := open(t, &redisstore.Options{Prefix: a.Prefix()})
	require.NoError(t, a.Tasks().Create(ctx, &mcp.TaskRecord{ID: "t", Created: time.Now(), TTL: time.Hour}))
	var wg sync.WaitGroup
	for i := range 40 {
		st := a.Tasks()
		if i%2 == 1 {
			st = b.Tasks()
		}
		wg.Go(func() {
			_, err := st.Update(ctx, "t", func(r *mcp.TaskRecord) error {
				if r.InputResponses == nil {
					r.InputResponses = map[string]json.RawMessage{}
				}
				r.InputResponses[string(rune('A'+i))] = json.RawMessage(`1`)
				return nil
			})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	got, err := b.Tasks().Get(ctx, "t")
	require.NoError(t, err)
	assert.Len(t, got.InputResponses, 40, "every update took effect")
}
