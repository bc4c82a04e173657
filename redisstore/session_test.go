package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/redisstore"
	"github.com/minimcp/minimcp/server"
)

// sessionContract checks what every server.SessionStore must do, on a store built by mk with
// the given caps (0: none).
func sessionContract(t *testing.T, mk func(t *testing.T, max, perPrincipal int) server.SessionStore) {
	ctx := context.Background()
	t.Run("create load save delete", func(t *testing.T) {
		st := mk(t, 0, 0)
		created := time.Now().Truncate(time.Millisecond)
		require.NoError(t, st.Create(ctx, &server.SessionRecord{ID: "a", Principal: "alice", Created: created}))
		got, err := st.Load(ctx, "a")
		require.NoError(t, err)
		assert.Equal(t, "alice", got.Principal, "the principal travels with the record")
		assert.True(t, created.Equal(got.Created))
		assert.Nil(t, got.State)

		state := &mcp.SessionState{ProtocolVersion: "2025-11-25"}
		require.NoError(t, st.Save(ctx, &server.SessionRecord{ID: "a", Principal: "alice", State: state, Created: created}))
		got, err = st.Load(ctx, "a")
		require.NoError(t, err)
		require.NotNil(t, got.State)
		assert.Equal(t, "2025-11-25", got.State.ProtocolVersion)

		_, err = st.Load(ctx, "nope")
		assert.ErrorIs(t, err, server.ErrSessionNotFound)
		require.NoError(t, st.Delete(ctx, "a"))
		_, err = st.Load(ctx, "a")
		assert.ErrorIs(t, err, server.ErrSessionNotFound)
		require.NoError(t, st.Delete(ctx, "a"), "deleting an unknown id is not an error")
		require.NoError(t, st.Save(ctx, &server.SessionRecord{ID: "a", Created: created}), "saving a deleted session is not an error")
		_, err = st.Load(ctx, "a")
		assert.ErrorIs(t, err, server.ErrSessionNotFound, "and does not bring it back")
	})
	t.Run("touch returns the latest report", func(t *testing.T) {
		st := mk(t, 0, 0)
		require.NoError(t, st.Create(ctx, &server.SessionRecord{ID: "a", Created: time.Now()}))
		t0 := time.Now()
		got, err := st.Touch(ctx, "a", t0)
		require.NoError(t, err)
		assert.True(t, t0.Equal(got), "%v %v", t0, got)
		got, err = st.Touch(ctx, "a", t0.Add(-time.Minute))
		require.NoError(t, err)
		assert.True(t, t0.Equal(got), "an older report does not move it back")
		got, err = st.Touch(ctx, "a", t0.Add(time.Second))
		require.NoError(t, err)
		assert.True(t, t0.Add(time.Second).Equal(got))
		_, err = st.Touch(ctx, "nope", t0)
		assert.ErrorIs(t, err, server.ErrSessionNotFound)
		require.NoError(t, st.Delete(ctx, "a"))
		_, err = st.Touch(ctx, "a", t0)
		assert.ErrorIs(t, err, server.ErrSessionNotFound, "deleting forgets the times")
	})
	t.Run("caps", func(t *testing.T) {
		st := mk(t, 3, 2)
		require.NoError(t, st.Create(ctx, &server.SessionRecord{ID: "a1", Principal: "a"}))
		require.NoError(t, st.Create(ctx, &server.SessionRecord{ID: "a2", Principal: "a"}))
		assert.ErrorIs(t, st.Create(ctx, &server.SessionRecord{ID: "a3", Principal: "a"}), server.ErrPrincipalSessionLimit)
		require.NoError(t, st.Create(ctx, &server.SessionRecord{ID: "b1", Principal: "b"}))
		assert.ErrorIs(t, st.Create(ctx, &server.SessionRecord{ID: "c1", Principal: "c"}), server.ErrSessionLimit)
		assert.ErrorIs(t, st.Create(ctx, &server.SessionRecord{ID: "a3", Principal: "a"}), server.ErrPrincipalSessionLimit,
			"the principal's quota is reported first")
		require.NoError(t, st.Delete(ctx, "a1"))
		require.NoError(t, st.Create(ctx, &server.SessionRecord{ID: "a3", Principal: "a"}), "a deleted session frees its room")
	})
}

func TestSessionContract(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		// The contract holds for the reference store: the test checks the interface, not Redis.
		sessionContract(t, func(_ *testing.T, max, per int) server.SessionStore {
			return &server.MemorySessionStore{Max: max, MaxPerPrincipal: per}
		})
	})
	t.Run("redis", func(t *testing.T) {
		sessionContract(t, func(t *testing.T, max, per int) server.SessionStore {
			return open(t, &redisstore.Options{MaxSessions: max, MaxSessionsPerPrincipal: per}).Sessions()
		})
	})
}

// TestSessionExpiry: Redis expires a record by itself SessionIdleTimeout after the last
// Touch (sliding), and never later than SessionMaxAge after its creation; a record Redis
// expired frees its room under the caps. The TTLs are read from Redis, not waited for on
// the wall clock, except for the one expiry that must really happen.
func TestSessionExpiry(t *testing.T) {
	ctx := context.Background()
	t.Run("sliding", func(t *testing.T) {
		s := open(t, &redisstore.Options{SessionIdleTimeout: time.Hour, SessionMaxAge: -1})
		st := s.Sessions()
		require.NoError(t, st.Create(ctx, &server.SessionRecord{ID: "a"}))
		ttl, err := st.TTL(ctx, "a")
		require.NoError(t, err)
		assert.InDelta(t, time.Hour.Seconds(), ttl.Seconds(), 5, "created with the idle timeout")
		// As if Redis had counted most of it down; a Touch gives the whole timeout back.
		require.NoError(t, s.Client().PExpire(ctx, s.Prefix()+"s:a", 10*time.Minute).Err())
		_, err = st.Touch(ctx, "a", time.Now())
		require.NoError(t, err)
		ttl, err = st.TTL(ctx, "a")
		require.NoError(t, err)
		assert.InDelta(t, time.Hour.Seconds(), ttl.Seconds(), 5, "Touch slides the expiry")
	})
	t.Run("hard cap", func(t *testing.T) {
		st := open(t, &redisstore.Options{SessionIdleTimeout: time.Hour, SessionMaxAge: 90 * time.Second}).Sessions()
		require.NoError(t, st.Create(ctx, &server.SessionRecord{ID: "a"}))
		_, err := st.Touch(ctx, "a", time.Now())
		require.NoError(t, err)
		ttl, err := st.TTL(ctx, "a")
		require.NoError(t, err)
		assert.LessOrEqual(t, ttl, 90*time.Second, "never beyond the hard cap, however active")
		assert.Greater(t, ttl, 80*time.Second)
	})
	t.Run("expires in redis", func(t *testing.T) {
		st := open(t, &redisstore.Options{SessionIdleTimeout: 200 * time.Millisecond, MaxSessions: 1})
		ss := st.Sessions()
		require.NoError(t, ss.Create(ctx, &server.SessionRecord{ID: "a"}))
		_, err := st.Events().Append(ctx, "a", "g", []byte("event"))
		require.NoError(t, err)
		assert.ErrorIs(t, ss.Create(ctx, &server.SessionRecord{ID: "b"}), server.ErrSessionLimit)
		// Poll Redis until it has expired the record (within a few of its 100 ms cycles).
		require.Eventually(t, func() bool {
			_, err := ss.Load(ctx, "a")
			return err == server.ErrSessionNotFound
		}, 5*time.Second, 20*time.Millisecond)
		require.Eventually(t, func() bool {
			n, _ := st.Client().Exists(ctx, eventKeys(st, "a")...).Result()
			return n == 0
		}, 5*time.Second, 20*time.Millisecond, "the session's events expire with it")
		require.NoError(t, ss.Create(ctx, &server.SessionRecord{ID: "b"}), "an expired record frees its room")
		_, err = ss.Touch(ctx, "a", time.Now())
		assert.ErrorIs(t, err, server.ErrSessionNotFound)
	})
}

func eventKeys(st *redisstore.Store, id string) []string {
	p := st.Prefix()
	return []string{p + "e:" + id + ":g", p + "em:" + id, p + "ei:" + id, p + "es:" + id}
}

// TestSessionLoadDecodesOnce: a record unchanged in Redis loads as the same record (the
// server compares State pointers to see a change); a change another replica saved loads
// as a new one.
func TestSessionLoadDecodesOnce(t *testing.T) {
	ctx := context.Background()
	a := open(t, nil)
	b := open(t, &redisstore.Options{Prefix: a.Prefix()})
	require.NoError(t, a.Sessions().Create(ctx, &server.SessionRecord{ID: "s", State: &mcp.SessionState{ProtocolVersion: "2025-06-18"}}))
	r1, err := a.Sessions().Load(ctx, "s")
	require.NoError(t, err)
	r2, err := a.Sessions().Load(ctx, "s")
	require.NoError(t, err)
	assert.Same(t, r1.State, r2.State, "unchanged: the same state")

	require.NoError(t, b.Sessions().Save(ctx, &server.SessionRecord{ID: "s", State: &mcp.SessionState{ProtocolVersion: "2025-11-25"}}))
	r3, err := a.Sessions().Load(ctx, "s")
	require.NoError(t, err)
	assert.NotSame(t, r1.State, r3.State)
	assert.Equal(t, "2025-11-25", r3.State.ProtocolVersion, "another replica's save is seen")

	require.NoError(t, b.Sessions().Delete(ctx, "s"))
	_, err = a.Sessions().Load(ctx, "s")
	assert.ErrorIs(t, err, server.ErrSessionNotFound, "deleted elsewhere: not served from memory")
}
