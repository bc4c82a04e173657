package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// startRedis starts a redis-server of the test on a free loopback port and returns its URL.
// Without redis-server the test is skipped, unless CI is set (then it fails).
func startRedis(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server is not installed and CI is set: .ci/run installs it")
		}
		t.Skip("skipped: redis-server is not installed (Debian: apt-get install redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0") // redis-server refuses --port 0
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return false
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(time.Second))
		if _, err := c.Write([]byte("PING\r\n")); err != nil {
			return false
		}
		buf := make([]byte, 7)
		n, _ := c.Read(buf)
		return string(buf[:n]) == "+PONG\r\n"
	}, 10*time.Second, 20*time.Millisecond, "redis-server did not answer")
	return "redis://" + addr + "/0"
}

// TestServeRedis: two serve processes given one --redis are one server: a session made on
// one is served by the other, its principal binding holds there, DELETE on one ends it on
// both, and /readyz asks Redis.
func TestServeRedis(t *testing.T) {
	url := startRedis(t)
	tokens := t.TempDir() + "/tokens"
	require.NoError(t, writeTestFile(tokens, "tok-a alice\ntok-b bob\n"))
	args := []string{"--redis", url, "--redis-prefix", "serve-test:", "--auth-token", "@" + tokens}
	a, b := startServe(t, args...), startServe(t, args...)
	ca := newTestMCP(t, a.base+"/mcp", "tok-a")
	ca.initialize()
	cb := newTestMCP(t, b.base+"/mcp", "tok-a")
	cb.session = ca.session
	res := cb.tool(t.Context(), "echo", `{"text":"served by b"}`)
	assert.Equal(t, "served by b", res.Content[0].(*mcp.TextContent).Text)

	bob := newTestMCP(t, b.base+"/mcp", "tok-b")
	bob.session = ca.session
	resp := bob.post(t.Context(), rpc.AppendRequest(nil, rpc.Int64ID(9), mcp.MethodPing, nil))
	closeResp(resp)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "another principal's session")

	for _, r := range []*serveRun{a, b} {
		resp, err := http.Get(r.base + "/readyz")
		require.NoError(t, err)
		closeResp(resp)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}

	del, err := http.NewRequest(http.MethodDelete, b.base+"/mcp", nil)
	require.NoError(t, err)
	del.Header.Set("Authorization", "Bearer tok-a")
	del.Header.Set("Mcp-Session-Id", ca.session)
	del.Header.Set("MCP-Protocol-Version", mcp.LatestVersion)
	resp, err = http.DefaultClient.Do(del)
	require.NoError(t, err)
	closeResp(resp)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp = ca.post(t.Context(), rpc.AppendRequest(nil, rpc.Int64ID(10), mcp.MethodPing, nil))
	closeResp(resp)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "deleted on b, gone on a")
}
