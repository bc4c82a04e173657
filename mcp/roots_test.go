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
