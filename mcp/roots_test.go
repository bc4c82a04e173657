package mcp_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// TestRootsListChangedStateless: without a session the hook runs in place, sees the
// per-request state, and cannot ask for the roots; a panicking hook is recovered.
func TestRootsListChangedStateless(t *testing.T) {
	var (
		calls   int
		version string
		err     error
	)
	srv := mcp.NewServer(nil, &mcp.ServerOptions{RootsListChanged: func(ctx context.Context, req *mcp.Request) {
		calls++
		version = req.ProtocolVersion()
		_, err = req.ListRoots(ctx)
		if req.Session() == nil && calls == 2 {
			panic("hook bug")
		}
	}})
	msgs, _, derr := rpc.Decode(nil, []byte(`{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}`), rpc.Limits{})
	require.Nil(t, derr)
	for range 2 {
		_, ok := srv.Handle(context.Background(), &mcp.Inbound{ProtocolVersion: mcp.Version20250618}, &msgs[0])
		assert.False(t, ok, "a notification is never answered")
	}
	assert.Equal(t, 2, calls)
	assert.Equal(t, mcp.Version20250618, version)
	assert.True(t, errors.Is(err, mcp.ErrNoSession))
}

// TestRootsListChangedHookOwnsParams: in a session the hook runs after Handle returned, when
// the transport may already reuse the notification's buffer (Streamable HTTP returns it to a
// pool once the 202 is written): the hook sees the params as they came, not what the buffer
// holds later.
func TestRootsListChangedHookOwnsParams(t *testing.T) {
	release := make(chan struct{})
	got := make(chan string, 1)
	srv := mcp.NewServer(nil, &mcp.ServerOptions{RootsListChanged: func(ctx context.Context, req *mcp.Request) {
		<-release
		got <- string(req.Params)
	}})
	sess := srv.NewSession("s1")
	sess.SetState(&mcp.SessionState{ProtocolVersion: mcp.Version20250618, Initialized: true})
	buf := []byte(`{"jsonrpc":"2.0","method":"notifications/roots/list_changed","params":{"_meta":{"k":"v"}}}`)
	msgs, _, derr := rpc.Decode(nil, buf, rpc.Limits{})
	require.Nil(t, derr)
	want := string(msgs[0].Params)
	_, ok := srv.Handle(context.Background(), &mcp.Inbound{Session: sess}, &msgs[0])
	assert.False(t, ok)
	for i := range buf { // the transport reuses its buffer
		buf[i] = 'x'
	}
	close(release)
	assert.Equal(t, want, <-got)
	sess.Close()
}
