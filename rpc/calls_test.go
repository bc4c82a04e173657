package rpc_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/rpc"
)

// loopback answers each request sent through it with the given reply, from another goroutine,
// the way a client's POST would arrive on another request.
func deliverLater(t *testing.T, c *rpc.Calls, reply func(req rpc.Message) string) func(context.Context, []byte) error {
	return func(_ context.Context, msg []byte) error {
		msgs, _, err := rpc.Decode(nil, append([]byte(nil), msg...), rpc.Limits{})
		require.Nil(t, err)
		go func() {
			in, _, err := rpc.Decode(nil, []byte(reply(msgs[0])), rpc.Limits{})
			if err == nil {
				c.Deliver(&in[0])
			}
		}()
		return nil
	}
}

func TestCallsRoundTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c rpc.Calls
		send := deliverLater(t, &c, func(req rpc.Message) string {
			if req.Method == "fail" {
				return `{"jsonrpc":"2.0","id":` + req.ID.String() + `,"error":{"code":-1,"message":"user declined"}}`
			}
			return `{"jsonrpc":"2.0","id":` + req.ID.String() + `,"result":{"method":"` + req.Method + `"}}`
		})
		res, err := c.Call(context.Background(), "roots/list", map[string]int{"a": 1}, send)
		require.NoError(t, err)
		assert.JSONEq(t, `{"method":"roots/list"}`, string(res))

		_, err = c.Call(context.Background(), "fail", nil, send)
		var rerr *rpc.Error
		require.ErrorAs(t, err, &rerr)
		assert.Equal(t, "user declined", rerr.Message)
		synctest.Wait()
		assert.Equal(t, 0, c.Pending())
	})
}

func TestCallsTimeoutAndStrayReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c rpc.Calls
		var sent []byte
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := c.Call(ctx, "sampling/createMessage", nil, func(_ context.Context, msg []byte) error {
			sent = msg
			return nil
		})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "sampling/createMessage: no reply from the peer")
		assert.Equal(t, `{"jsonrpc":"2.0","id":1,"method":"sampling/createMessage"}`, string(sent))
		assert.Equal(t, 0, c.Pending())
		late, _, _ := rpc.Decode(nil, []byte(`{"jsonrpc":"2.0","id":1,"result":{}}`), rpc.Limits{})
		assert.False(t, c.Deliver(&late[0]), "a reply after the timeout is stray")
	})
}

func TestCallsSendErrorAndClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c rpc.Calls
		boom := errors.New("stream closed")
		_, err := c.Call(context.Background(), "x", nil, func(context.Context, []byte) error { return boom })
		require.ErrorIs(t, err, boom)
		assert.Equal(t, 0, c.Pending())

		done := make(chan error)
		go func() {
			_, err := c.Call(context.Background(), "x", nil, func(context.Context, []byte) error { return nil })
			done <- err
		}()
		synctest.Wait()
		assert.Equal(t, 1, c.Pending())
		c.Close(nil)
		require.ErrorIs(t, <-done, rpc.ErrCallsClosed)
		_, err = c.Call(context.Background(), "x", nil, func(context.Context, []byte) error { return nil })
		require.ErrorIs(t, err, rpc.ErrCallsClosed)
	})
}

func TestCallsDeliverCopies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c rpc.Calls
		got := make(chan string)
		go func() {
			res, err := c.Call(context.Background(), "roots/list", nil, func(context.Context, []byte) error { return nil })
			require.NoError(t, err)
			got <- string(res)
		}()
		synctest.Wait()
		buf := []byte(`{"jsonrpc":"2.0","id":1,"result":{"roots":[]}}`)
		msgs, _, _ := rpc.Decode(nil, buf, rpc.Limits{})
		require.True(t, c.Deliver(&msgs[0]))
		copy(buf, strings.Repeat("x", len(buf))) // the transport reuses its buffer
		assert.Equal(t, `{"roots":[]}`, <-got)
	})
}

// With an id prefix the calls' ids are strings that carry it, and replies to them are
// delivered as to integer ids.
func TestCallsIDPrefix(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c rpc.Calls
		c.SetIDPrefix("R7-")
		var ids []string
		send := deliverLater(t, &c, func(req rpc.Message) string {
			ids = append(ids, req.ID.String())
			return `{"jsonrpc":"2.0","id":` + req.ID.String() + `,"result":{}}`
		})
		for range 2 {
			_, err := c.Call(context.Background(), "ping", nil, send)
			require.NoError(t, err)
		}
		assert.Equal(t, []string{`"R7-1"`, `"R7-2"`}, ids)
	})
}
