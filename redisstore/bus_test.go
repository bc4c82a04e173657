package redisstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/redisstore"
)

// collector gathers the changes delivered to a subscriber.
type collector struct {
	mu  sync.Mutex
	got []mcp.Change
}

func (c *collector) deliver(ch mcp.Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, ch)
}

func (c *collector) changes() []mcp.Change {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]mcp.Change(nil), c.got...)
}

// TestBus: a change published on one replica reaches the subscribers of every replica whose
// filter admits it, and nothing after cancel (the memory bus's contract, across processes).
func TestBus(t *testing.T) {
	ctx := context.Background()
	a := open(t, nil)
	b := open(t, &redisstore.Options{Prefix: a.Prefix()})
	other := open(t, nil) // another prefix: another deployment

	var tools, uris, elsewhere collector
	cancelTools, err := a.Bus().Subscribe(ctx, &mcp.SubscriptionFilter{ToolsListChanged: true}, tools.deliver)
	require.NoError(t, err)
	f := &mcp.SubscriptionFilter{ResourcesListChanged: true, ResourceSubscriptions: []string{"a:1", "a:2"}}
	cancelURIs, err := b.Bus().Subscribe(ctx, f, uris.deliver)
	require.NoError(t, err)
	f.ResourceSubscriptions[0] = "a:changed" // not retained
	cancelOther, err := other.Bus().Subscribe(ctx, &mcp.SubscriptionFilter{ToolsListChanged: true}, elsewhere.deliver)
	require.NoError(t, err)
	defer cancelOther()

	for _, c := range []mcp.Change{
		{Kind: mcp.ChangeToolsList}, {Kind: mcp.ChangePromptsList}, {Kind: mcp.ChangeResourcesList},
		{Kind: mcp.ChangeResource, URI: "a:1"}, {Kind: mcp.ChangeResource, URI: "a:3"}, {Kind: mcp.ChangeResource, URI: "a:changed"},
	} {
		require.NoError(t, b.Bus().Publish(ctx, c)) // published on b, heard on a and b
	}
	// A marker published last: once every subscriber has it, everything before it arrived
	// (one connection, one order).
	require.NoError(t, a.Bus().Publish(ctx, mcp.Change{Kind: mcp.ChangeResource, URI: "a:2"}))
	require.NoError(t, a.Bus().Publish(ctx, mcp.Change{Kind: mcp.ChangeToolsList}))
	require.Eventually(t, func() bool { return len(uris.changes()) == 3 && len(tools.changes()) == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, []mcp.Change{{Kind: mcp.ChangeToolsList}, {Kind: mcp.ChangeToolsList}}, tools.changes())
	assert.Equal(t, []mcp.Change{{Kind: mcp.ChangeResourcesList}, {Kind: mcp.ChangeResource, URI: "a:1"}, {Kind: mcp.ChangeResource, URI: "a:2"}}, uris.changes())
	assert.Empty(t, elsewhere.changes(), "another prefix hears nothing")

	cancelTools()
	cancelURIs()
	assert.Zero(t, a.Bus().Subscribers())
	require.NoError(t, b.Bus().Publish(ctx, mcp.Change{Kind: mcp.ChangeToolsList}))
	// Round trip through the subscription of a to be sure the change was handled there.
	var marker collector
	cancelMarker, err := a.Bus().Subscribe(ctx, &mcp.SubscriptionFilter{PromptsListChanged: true}, marker.deliver)
	require.NoError(t, err)
	defer cancelMarker()
	require.NoError(t, b.Bus().Publish(ctx, mcp.Change{Kind: mcp.ChangePromptsList}))
	require.Eventually(t, func() bool { return len(marker.changes()) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Len(t, tools.changes(), 2, "nothing after cancel")
}
