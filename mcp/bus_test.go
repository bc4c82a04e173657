package mcp_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
)

// TestMemoryBus: a subscriber gets the changes its filter admits and nothing after cancel.
func TestMemoryBus(t *testing.T) {
	var b mcp.MemoryBus
	ctx := context.Background()
	var tools, uris []mcp.Change
	cancelTools, err := b.Subscribe(ctx, &mcp.SubscriptionFilter{ToolsListChanged: true}, func(c mcp.Change) { tools = append(tools, c) })
	require.NoError(t, err)
	f := &mcp.SubscriptionFilter{ResourcesListChanged: true, ResourceSubscriptions: []string{"a:1", "a:2"}}
	cancelURIs, err := b.Subscribe(ctx, f, func(c mcp.Change) { uris = append(uris, c) })
	require.NoError(t, err)
	f.ResourceSubscriptions[0] = "a:changed" // not retained
	assert.Equal(t, 2, b.Subscribers())

	for _, c := range []mcp.Change{
		{Kind: mcp.ChangeToolsList}, {Kind: mcp.ChangePromptsList}, {Kind: mcp.ChangeResourcesList},
		{Kind: mcp.ChangeResource, URI: "a:1"}, {Kind: mcp.ChangeResource, URI: "a:3"}, {Kind: mcp.ChangeResource, URI: "a:changed"},
	} {
		require.NoError(t, b.Publish(ctx, c))
	}
	assert.Equal(t, []mcp.Change{{Kind: mcp.ChangeToolsList}}, tools)
	assert.Equal(t, []mcp.Change{{Kind: mcp.ChangeResourcesList}, {Kind: mcp.ChangeResource, URI: "a:1"}}, uris)

	cancelTools()
	cancelTools() // idempotent
	require.NoError(t, b.Publish(ctx, mcp.Change{Kind: mcp.ChangeToolsList}))
	assert.Len(t, tools, 1)
	assert.Equal(t, 1, b.Subscribers())
	cancelURIs()
	require.NoError(t, b.Publish(ctx, mcp.Change{Kind: mcp.ChangeResource, URI: "a:2"}))
	assert.Len(t, uris, 2)
	assert.Zero(t, b.Subscribers())
}

// TestSubscriptionFilterAdmits: each kind by its flag, resource updates by URI.
func TestSubscriptionFilterAdmits(t *testing.T) {
	f := &mcp.SubscriptionFilter{PromptsListChanged: true, ResourceSubscriptions: []string{"a:1"}}
	assert.True(t, f.Admits(mcp.Change{Kind: mcp.ChangePromptsList}))
	assert.False(t, f.Admits(mcp.Change{Kind: mcp.ChangeToolsList}))
	assert.False(t, f.Admits(mcp.Change{Kind: mcp.ChangeResourcesList}))
	assert.True(t, f.Admits(mcp.Change{Kind: mcp.ChangeResource, URI: "a:1"}))
	assert.False(t, f.Admits(mcp.Change{Kind: mcp.ChangeResource, URI: "a:2"}))
	assert.False(t, f.Admits(mcp.Change{Kind: "notifications/other"}))
}

// TestMemoryBusAll: a nil filter admits every change, every URI included.
func TestMemoryBusAll(t *testing.T) {
	var b mcp.MemoryBus
	ctx := context.Background()
	var got []mcp.Change
	cancel, err := b.Subscribe(ctx, nil, func(c mcp.Change) { got = append(got, c) })
	require.NoError(t, err)
	assert.Equal(t, 1, b.Subscribers())
	all := []mcp.Change{{Kind: mcp.ChangeToolsList}, {Kind: mcp.ChangePromptsList}, {Kind: mcp.ChangeResourcesList}, {Kind: mcp.ChangeResource, URI: "a:1"}}
	for _, c := range all {
		require.NoError(t, b.Publish(ctx, c))
	}
	assert.Equal(t, all, got)
	assert.True(t, (*mcp.SubscriptionFilter)(nil).Admits(mcp.Change{Kind: mcp.ChangeResource, URI: "a:2"}))
	cancel()
	cancel()
	require.NoError(t, b.Publish(ctx, mcp.Change{Kind: mcp.ChangeToolsList}))
	assert.Len(t, got, 4)
	assert.Zero(t, b.Subscribers())
}
