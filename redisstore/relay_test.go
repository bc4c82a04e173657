package redisstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/redisstore"
	"github.com/minimcp/minimcp/server"
)

// relayCollector gathers the messages delivered to a relay subscriber.
type relayCollector struct {
	mu  sync.Mutex
	got []server.RelayMessage
}

func (c *relayCollector) deliver(m server.RelayMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m.Payload = append([]byte(nil), m.Payload...) // not retained by the relay
	c.got = append(c.got, m)
}

func (c *relayCollector) messages() []server.RelayMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]server.RelayMessage(nil), c.got...)
}

// TestRelay: a message for one replica reaches that replica alone, one for every replica
// reaches all (the publisher included), whichever store published it; nothing arrives after
// cancel; Store.Close ends the subscriptions left open.
func TestRelay(t *testing.T) {
	ctx := context.Background()
	a := open(t, nil)
	b := open(t, &redisstore.Options{Prefix: a.Prefix()})
	var atA, atB relayCollector
	cancelA, err := a.Relay().Subscribe(ctx, "a", atA.deliver)
	require.NoError(t, err)
	cancelB, err := b.Relay().Subscribe(ctx, "b", atB.deliver)
	require.NoError(t, err)
	defer cancelB()

	reply := server.RelayMessage{Kind: server.RelayReply, SessionID: "s", From: "b", To: "a", Payload: []byte(`{"jsonrpc":"2.0","id":"a-1","result":{}}`)}
	require.NoError(t, b.Relay().Publish(ctx, reply))
	ended := server.RelayMessage{Kind: server.RelaySessionEnded, SessionID: "s", From: "a"}
	require.NoError(t, a.Relay().Publish(ctx, ended))
	require.Eventually(t, func() bool { return len(atA.messages()) == 2 && len(atB.messages()) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, []server.RelayMessage{reply, ended}, atA.messages(), "a gets its reply and the broadcast")
	assert.Equal(t, []server.RelayMessage{ended}, atB.messages(), "b only the broadcast")

	cancelA()
	cancelA() // idempotent
	require.NoError(t, b.Relay().Publish(ctx, reply))
	require.NoError(t, b.Relay().Publish(ctx, ended))
	require.Eventually(t, func() bool { return len(atB.messages()) == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.Len(t, atA.messages(), 2, "nothing after cancel")

	// A subscription left open is ended by Close (the leak check would see its reader).
	c := open(t, &redisstore.Options{Prefix: a.Prefix()})
	_, err = c.Relay().Subscribe(ctx, "c", func(server.RelayMessage) {})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	_, err = c.Relay().Subscribe(ctx, "c", func(server.RelayMessage) {})
	assert.Error(t, err, "closed")
}

// TestFollow: a follower on one replica gets the stored events after Last-Event-ID, then
// those another replica appends as it appends them, and returns at EndStream; a follower of
// a session whose events are deleted returns too, and one whose ctx ends returns its error.
func TestFollow(t *testing.T) {
	ctx := context.Background()
	a := open(t, nil)
	b := open(t, &redisstore.Options{Prefix: a.Prefix()})
	first, err := a.Events().Append(ctx, "s", "p1", []byte("one"))
	require.NoError(t, err)
	_, err = a.Events().Append(ctx, "s", "p1", []byte("two"))
	require.NoError(t, err)
	_, err = a.Events().Append(ctx, "s", "g", []byte("elsewhere"))
	require.NoError(t, err)

	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		stream, err := b.Events().Follow(ctx, "s", first, func(id string, msg []byte) error {
			got <- id + "=" + string(msg)
			return nil
		})
		assert.Equal(t, "p1", stream)
		done <- err
	}()
	assert.Equal(t, "p1-2=two", <-got, "what was stored after Last-Event-ID")
	third, err := a.Events().Append(ctx, "s", "p1", []byte("three"))
	require.NoError(t, err)
	assert.Equal(t, third+"=three", <-got, "then what is appended, as it is")
	require.NoError(t, a.Events().EndStream(ctx, "s", "p1"))
	require.NoError(t, <-done, "the end mark ends the follower")
	assert.Empty(t, got)
	_, replayed := replayAll(t, b.Events(), "s", first)
	assert.Equal(t, []string{"p1-2=two", third + "=three"}, replayed, "Replay skips the end mark")

	t.Run("session deleted", func(t *testing.T) {
		id, err := a.Events().Append(ctx, "s2", "p1", []byte("x"))
		require.NoError(t, err)
		done := make(chan error, 1)
		started := make(chan struct{})
		go func() {
			close(started)
			_, err := b.Events().Follow(ctx, "s2", id, func(string, []byte) error { return nil })
			done <- err
		}()
		<-started
		require.NoError(t, a.Events().DeleteSession(ctx, "s2"))
		assert.NoError(t, <-done)
	})
	t.Run("ctx ends", func(t *testing.T) {
		id, err := a.Events().Append(ctx, "s3", "p1", []byte("x"))
		require.NoError(t, err)
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			_, err := b.Events().Follow(cctx, "s3", id, func(string, []byte) error { return nil })
			done <- err
		}()
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	})
	t.Run("too many followers", func(t *testing.T) {
		one := open(t, &redisstore.Options{Prefix: a.Prefix(), MaxFollowers: 1})
		id, err := a.Events().Append(ctx, "s4", "p1", []byte("x"))
		require.NoError(t, err)
		_, err = a.Events().Append(ctx, "s4", "p1", []byte("y"))
		require.NoError(t, err)
		cctx, cancel := context.WithCancel(ctx)
		first := make(chan string, 4)
		done := make(chan error, 1)
		go func() {
			_, err := one.Events().Follow(cctx, "s4", id, func(id string, _ []byte) error { first <- id; return nil })
			done <- err
		}()
		<-first // the first follower holds the one connection
		var got []string
		_, err = one.Events().Follow(ctx, "s4", id, func(id string, msg []byte) error {
			got = append(got, id+"="+string(msg))
			return nil
		})
		assert.Error(t, err, "beyond MaxFollowers")
		assert.Equal(t, []string{"p1-2=y"}, got, "but the stored events first")
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	})
	t.Run("bad id", func(t *testing.T) {
		_, err := b.Events().Follow(ctx, "s", "garbage", func(string, []byte) error { return nil })
		assert.ErrorIs(t, err, server.ErrEventNotFound)
	})
}
