package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

func replayAll(t *testing.T, st *server.MemoryEventStore, session, last string) (string, []string) {
	t.Helper()
	var got []string
	stream, err := st.Replay(context.Background(), session, last, func(id string, msg []byte) error {
		got = append(got, id+"="+string(msg))
		return nil
	})
	require.NoError(t, err)
	return stream, got
}

func TestMemoryEventStoreReplay(t *testing.T) {
	ctx := context.Background()
	st := &server.MemoryEventStore{}
	ids := map[string]string{}
	for _, e := range []struct{ stream, msg string }{{"g", "a"}, {"p1", "x"}, {"g", "b"}, {"p1", "y"}, {"g", "c"}} {
		id, err := st.Append(ctx, "s1", e.stream, []byte(e.msg))
		require.NoError(t, err)
		ids[e.msg] = id
	}
	_, err := st.Append(ctx, "s2", "g", []byte("other session"))
	require.NoError(t, err)

	stream, got := replayAll(t, st, "s1", ids["a"])
	assert.Equal(t, "g", stream)
	assert.Equal(t, []string{ids["b"] + "=b", ids["c"] + "=c"}, got, "only what followed, only that stream")
	_, got = replayAll(t, st, "s1", "p1-0")
	assert.Equal(t, []string{ids["x"] + "=x", ids["y"] + "=y"}, got, "a priming id replays the whole stream")
	_, got = replayAll(t, st, "s1", ids["c"])
	assert.Empty(t, got)

	_, err = st.Replay(ctx, "s1", "garbage", func(string, []byte) error { return nil })
	assert.ErrorIs(t, err, server.ErrEventNotFound)

	require.NoError(t, st.DeleteSession(ctx, "s1"))
	_, got = replayAll(t, st, "s1", "g-0")
	assert.Empty(t, got)
	assert.Equal(t, len("other session"), st.Bytes())
}

func TestMemoryEventStoreCaps(t *testing.T) {
	ctx := context.Background()
	t.Run("per session, oldest first", func(t *testing.T) {
		st := &server.MemoryEventStore{SessionBytes: 30, TotalBytes: 1000}
		for i := range 10 {
			_, err := st.Append(ctx, "s", "g", []byte(fmt.Sprintf("event-%d!", i))) // 8 bytes each
			require.NoError(t, err)
		}
		_, got := replayAll(t, st, "s", "g-0")
		assert.Equal(t, []string{"g-8=event-7!", "g-9=event-8!", "g-10=event-9!"}, got, "three 8-byte events fit in 30 bytes")
		assert.Equal(t, 24, st.Bytes())
	})
	t.Run("total, oldest first across sessions", func(t *testing.T) {
		st := &server.MemoryEventStore{SessionBytes: 1000, TotalBytes: 20}
		for i := range 6 {
			_, err := st.Append(ctx, fmt.Sprintf("s%d", i%2), "g", []byte(strings.Repeat(fmt.Sprint(i), 5)))
			require.NoError(t, err)
		}
		assert.LessOrEqual(t, st.Bytes(), 20)
		_, got0 := replayAll(t, st, "s0", "g-0")
		_, got1 := replayAll(t, st, "s1", "g-0")
		assert.Equal(t, []string{"g-2=22222", "g-3=44444"}, got0)
		assert.Equal(t, []string{"g-2=33333", "g-3=55555"}, got1)
	})
	t.Run("many drops stay bounded", func(t *testing.T) {
		st := &server.MemoryEventStore{SessionBytes: 100, TotalBytes: 1 << 20}
		for range 100000 {
			_, err := st.Append(ctx, "s", "g", []byte("0123456789"))
			require.NoError(t, err)
		}
		assert.Equal(t, 100, st.Bytes())
	})
}

// Follow replays what a stream holds after an id, then what is appended to it later, and
// returns after the stream's end; replays skip the end. Deleting the session's events, or
// ctx ending, ends a follow too.
func TestMemoryEventStoreFollow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		st := &server.MemoryEventStore{}
		first, err := st.Append(ctx, "s1", "p1", []byte("a"))
		require.NoError(t, err)
		_, err = st.Append(ctx, "s1", "p1", []byte("b"))
		require.NoError(t, err)

		var got []string
		done := make(chan error, 1)
		go func() {
			_, err := st.Follow(ctx, "s1", first, func(id string, msg []byte) error {
				got = append(got, string(msg))
				return nil
			})
			done <- err
		}()
		synctest.Wait()
		assert.Equal(t, []string{"b"}, got, "replayed")
		_, err = st.Append(ctx, "s1", "g", []byte("other stream"))
		require.NoError(t, err)
		_, err = st.Append(ctx, "s1", "p1", []byte("c"))
		require.NoError(t, err)
		synctest.Wait()
		assert.Equal(t, []string{"b", "c"}, got, "live")
		require.NoError(t, st.EndStream(ctx, "s1", "p1"))
		require.NoError(t, <-done)
		_, replayed := replayAll(t, st, "s1", first)
		assert.Len(t, replayed, 2, "the end is not replayed")

		fctx, cancel := context.WithCancel(ctx)
		go func() {
			_, err := st.Follow(fctx, "s1", "g-0", func(string, []byte) error { return nil })
			done <- err
		}()
		synctest.Wait()
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)

		go func() {
			_, err := st.Follow(ctx, "s1", "g-0", func(string, []byte) error { return nil })
			done <- err
		}()
		synctest.Wait()
		require.NoError(t, st.DeleteSession(ctx, "s1"))
		assert.NoError(t, <-done, "the session's events are gone: nothing more to follow")
	})
}
