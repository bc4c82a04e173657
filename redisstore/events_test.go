package redisstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/redisstore"
	"github.com/minimcp/minimcp/server"
)

func replayAll(t *testing.T, st server.EventStore, session, last string) (string, []string) {
	t.Helper()
	var got []string
	stream, err := st.Replay(context.Background(), session, last, func(id string, msg []byte) error {
		got = append(got, id+"="+string(msg))
		return nil
	})
	require.NoError(t, err)
	return stream, got
}

// eventContract checks what every server.EventStore must do (the behaviours the memory
// store's tests check), on a store built by mk with a per-session byte cap.
func eventContract(t *testing.T, mk func(t *testing.T, sessionBytes int) server.EventStore) {
	ctx := context.Background()
	t.Run("replay", func(t *testing.T) {
		st := mk(t, 0)
		ids := map[string]string{}
		for _, e := range []struct{ stream, msg string }{{"g", "a"}, {"p1", "x"}, {"g", "b"}, {"p1", "y"}, {"g", "c"}} {
			id, err := st.Append(ctx, "s1", e.stream, []byte(e.msg))
			require.NoError(t, err)
			ids[e.msg] = id
		}
		_, err := st.Append(ctx, "s2", "g", []byte("other session"))
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, id := range ids {
			assert.False(t, seen[id], "event ids are unique across the session's streams")
			seen[id] = true
		}

		stream, got := replayAll(t, st, "s1", ids["a"])
		assert.Equal(t, "g", stream, "the id names its stream")
		assert.Equal(t, []string{ids["b"] + "=b", ids["c"] + "=c"}, got, "only what followed, only that stream")
		stream, got = replayAll(t, st, "s1", "p1-0")
		assert.Equal(t, "p1", stream)
		assert.Equal(t, []string{ids["x"] + "=x", ids["y"] + "=y"}, got, "a priming id replays the whole stream")
		_, got = replayAll(t, st, "s1", ids["c"])
		assert.Empty(t, got)
		_, got = replayAll(t, st, "s2", "g-0")
		assert.Equal(t, []string{"g-1=other session"}, got, "sessions are apart")

		_, err = st.Replay(ctx, "s1", "garbage", func(string, []byte) error { return nil })
		assert.ErrorIs(t, err, server.ErrEventNotFound)

		require.NoError(t, st.DeleteSession(ctx, "s1"))
		_, got = replayAll(t, st, "s1", "g-0")
		assert.Empty(t, got)
		_, got = replayAll(t, st, "s2", "g-0")
		assert.Len(t, got, 1, "deleting a session leaves the others")
	})
	t.Run("replay stops at an error of f", func(t *testing.T) {
		st := mk(t, 0)
		for i := range 3 {
			_, err := st.Append(ctx, "s", "g", []byte(fmt.Sprint(i)))
			require.NoError(t, err)
		}
		n := 0
		_, err := st.Replay(ctx, "s", "g-0", func(string, []byte) error {
			n++
			return assert.AnError
		})
		assert.ErrorIs(t, err, assert.AnError)
		assert.Equal(t, 1, n)
	})
	t.Run("per session bytes, oldest first", func(t *testing.T) {
		st := mk(t, 30)
		for i := range 10 {
			stream := "g"
			if i%2 == 1 {
				stream = "p1"
			}
			_, err := st.Append(ctx, "s", stream, []byte(fmt.Sprintf("event-%d!", i))) // 8 bytes each
			require.NoError(t, err)
		}
		_, g := replayAll(t, st, "s", "g-0")
		_, p := replayAll(t, st, "s", "p1-0")
		assert.Equal(t, []string{"g-9=event-8!"}, g, "three 8-byte events fit in 30 bytes, whatever their stream")
		assert.Equal(t, []string{"p1-8=event-7!", "p1-10=event-9!"}, p)
		_, err := st.Append(ctx, "s", "g", []byte(strings.Repeat("x", 100)))
		require.NoError(t, err)
		_, g = replayAll(t, st, "s", "g-0")
		assert.Equal(t, []string{"g-11=" + strings.Repeat("x", 100)}, g, "an event larger than the cap is kept alone")
	})
}

func TestEventContract(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		eventContract(t, func(_ *testing.T, b int) server.EventStore { return &server.MemoryEventStore{SessionBytes: b} })
	})
	t.Run("redis", func(t *testing.T) {
		eventContract(t, func(t *testing.T, b int) server.EventStore {
			return open(t, &redisstore.Options{SessionEventBytes: b}).Events()
		})
	})
}

// TestEventBounds: the bytes a session holds in Redis stay within SessionEventBytes however
// many events it appends, and each stream is trimmed by length.
func TestEventBounds(t *testing.T) {
	ctx := context.Background()
	st := open(t, &redisstore.Options{SessionEventBytes: 1000, StreamMaxLen: 10})
	es := st.Events()
	msg := []byte(strings.Repeat("m", 90))
	for range 500 {
		_, err := es.Append(ctx, "s", "g", msg)
		require.NoError(t, err)
		n, err := es.Bytes(ctx, "s")
		require.NoError(t, err)
		require.LessOrEqual(t, n, int64(1000))
	}
	xlen, err := st.Client().XLen(ctx, st.Prefix()+"e:s:g").Result()
	require.NoError(t, err)
	assert.LessOrEqual(t, xlen, int64(11), "1000 bytes hold 11 events of 90")
	ilen, err := st.Client().LLen(ctx, st.Prefix()+"ei:s").Result()
	require.NoError(t, err)
	assert.LessOrEqual(t, ilen, int64(11), "the index is bounded too")
	mem, err := st.Client().MemoryUsage(ctx, st.Prefix()+"e:s:g").Result()
	require.NoError(t, err)
	assert.Less(t, mem, int64(64<<10), "the stream's memory is bounded: %d bytes", mem)

	// Trimming by length: a stream longer than StreamMaxLen within the byte bound.
	st2 := open(t, &redisstore.Options{SessionEventBytes: 1 << 20, StreamMaxLen: 10})
	for range 1000 {
		_, err := st2.Events().Append(ctx, "s", "g", []byte("x"))
		require.NoError(t, err)
	}
	xlen, err = st2.Client().XLen(ctx, st2.Prefix()+"e:s:g").Result()
	require.NoError(t, err)
	assert.Less(t, xlen, int64(1000), "MAXLEN ~ trims the stream")
	_, got := replayAll(t, st2.Events(), "s", "g-990")
	assert.Len(t, got, 10, "the newest events are there to replay")
}
