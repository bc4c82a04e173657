package redisstore_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// TestRedisRestart: Redis stopped mid-run. Requests that need it get 503 with a JSON-RPC
// error and Retry-After at once (never a hang), /readyz fails and /healthz does not; once
// Redis is back on its port, service resumes by itself, the bus included. The Redis here
// keeps nothing on disk, so the session made before is gone (404, the client initializes
// again, MCP 2025-11-25, Transports § Session Management).
func TestRedisRestart(t *testing.T) {
	needRedis(t)
	dir := t.TempDir()
	rs, err := startRedisServer(dir, 0)
	require.NoError(t, err)
	t.Cleanup(func() { rs.stop() })
	c := newCluster(t, 3, rs.url(), nil)
	ctx := context.Background()

	id := initialize(t, c.lb.URL, "alice")
	for i := range 3 {
		a := send(t, c.lb.URL, http.MethodPost, call(i+2, "echo", `{"text":"before"}`), id, "alice")
		require.Equal(t, http.StatusOK, a.status, a.body)
	}
	var heard collector
	cancel, err := c.stores[0].Bus().Subscribe(ctx, &mcp.SubscriptionFilter{ToolsListChanged: true}, heard.deliver)
	require.NoError(t, err)
	defer cancel()
	var relayed relayCollector
	cancelRelay, err := c.stores[0].Relay().Subscribe(ctx, "replica-a", relayed.deliver)
	require.NoError(t, err)
	defer cancelRelay()
	for _, r := range c.replicas {
		assert.Equal(t, http.StatusOK, get(t, r.URL+"/readyz"))
	}

	rs.stop()
	for _, r := range c.replicas {
		a := send(t, r.URL, http.MethodPost, call(10, "echo", `{"text":"during"}`), id, "alice")
		assert.Equal(t, http.StatusServiceUnavailable, a.status, "%s: %s", a.replica, a.body)
		assert.Contains(t, a.body, `"code":-32000`, "a JSON-RPC error")
		a = send(t, r.URL, http.MethodPost, initBody, "", "alice")
		assert.Equal(t, http.StatusServiceUnavailable, a.status, "initialize on %s: %s", a.replica, a.body)
		assert.Equal(t, http.StatusServiceUnavailable, get(t, r.URL+"/readyz"), "not ready without Redis")
		assert.Equal(t, http.StatusOK, get(t, r.URL+"/healthz"), "but alive")
	}
	assert.Error(t, c.stores[1].Bus().Publish(ctx, mcp.Change{Kind: mcp.ChangeToolsList}), "a publish fails, it does not hang")

	rs2, err := startRedisServer(dir, rs.port)
	require.NoError(t, err)
	t.Cleanup(func() { rs2.stop() })
	for _, r := range c.replicas {
		assert.Equal(t, http.StatusOK, get(t, r.URL+"/readyz"), "ready again, nothing restarted")
		a := send(t, r.URL, http.MethodPost, call(20, "echo", `{"text":"after"}`), id, "alice")
		assert.Equal(t, http.StatusNotFound, a.status, "the session died with Redis's memory: %s", a.body)
	}
	id = initialize(t, c.lb.URL, "alice")
	for i := range 3 {
		a := send(t, c.lb.URL, http.MethodPost, call(i+30, "echo", `{"text":"again"}`), id, "alice")
		require.Equal(t, http.StatusOK, a.status, a.body)
	}
	// The bus resubscribed by itself: a change published now is heard (publishing until it
	// is, as the resubscription happens in the background).
	require.Eventually(t, func() bool {
		_ = c.stores[1].Bus().Publish(ctx, mcp.Change{Kind: mcp.ChangeToolsList})
		return len(heard.changes()) > 0
	}, 10*time.Second, 50*time.Millisecond)
	// So did the relay's subscription.
	require.Eventually(t, func() bool {
		_ = c.stores[2].Relay().Publish(ctx, server.RelayMessage{Kind: server.RelayCancel, SessionID: id, From: "replica-c", To: "replica-a"})
		return len(relayed.messages()) > 0
	}, 10*time.Second, 50*time.Millisecond)
}

// get returns the status of a GET.
func get(t *testing.T, u string) int {
	t.Helper()
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Get(u)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}
