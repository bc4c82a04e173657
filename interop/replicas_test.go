package interop

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/interop/rrproxy"
)

/*
Design note: the multi-replica tests.

Three minimcp processes share one redis-server (--redis) behind rrproxy, a round-robin proxy
with no affinity, running in this test process: every request goes to the next replica
whatever its session, so a session's initialize, calls, replies to server-to-client requests,
resumed streams and DELETE land on different replicas, and only what the replicas share in
Redis (and the relay between them) can make the session work. The proxy's X-Rrproxy-Upstream
header says which replica answered each request; the tests check the hops that matter (a
sampling reply on another replica than its call, a resume elsewhere than its POST) and that
every replica served.

Each test starts its own redis-server (without persistence, on a free loopback port) and its
own replicas, so that killing a replica or Redis touches nothing else. They run only when
MINIMCP_REPLICAS=1 (bash .ci/replicas.sh sets it): they need redis-server (on PATH, or
REDIS_SERVER) and a minimcp built with --redis.
*/

// Bounds of the multi-replica tests.
const (
	// redisStartTimeout bounds the wait for a started redis-server to answer PING.
	redisStartTimeout = 10 * time.Second
	// readyTimeout bounds the wait for the replicas' /readyz to pass again once Redis is
	// back.
	readyTimeout = 20 * time.Second
	// failFastTimeout bounds a request made while Redis is down: it must be refused (503),
	// not wait for Redis.
	failFastTimeout = 10 * time.Second
	// stepTimeout bounds one step of a session (a call and its round trips).
	stepTimeout = 15 * time.Second
	// lostCallTimeout bounds the call running on a replica that is killed.
	lostCallTimeout = 15 * time.Second
)

// conformance texts the tests check (the suite's reference server's, served by
// `minimcp conformance`).
const (
	simpleText       = "This is a simple text response for testing."
	reconnectionText = "Reconnection test completed successfully."
)

// replicaManifest is what the `minimcp serve` replicas serve: echo, and slow, a call that
// runs long enough to kill its replica under it.
const replicaManifest = `{
  "name": "replicas", "version": "1.0.0",
  "tools": [
    {"name": "echo", "description": "Returns its text.",
     "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
     "exec": {"command": ["echo", "{{text}}"]}},
    {"name": "slow", "description": "Sleeps 30 seconds.",
     "inputSchema": {"type": "object"},
     "exec": {"command": ["sleep", "30"], "timeout": "60s"}}
  ]
}`

// requireReplicas skips the test unless MINIMCP_REPLICAS is set, and returns the
// redis-server binary to run.
func requireReplicas(t *testing.T) string {
	t.Helper()
	if os.Getenv("MINIMCP_REPLICAS") == "" {
		t.Skip("multi-replica tests: set MINIMCP_REPLICAS=1 (bash .ci/replicas.sh does); they need redis-server and a minimcp with --redis")
	}
	bin := os.Getenv("REDIS_SERVER")
	if bin == "" {
		var err error
		bin, err = exec.LookPath("redis-server")
		require.NoError(t, err, "MINIMCP_REPLICAS is set but redis-server is not on PATH (or set REDIS_SERVER)")
	}
	return bin
}

// redisProc is a redis-server the test started, which it can kill and start again on the
// same port.
type redisProc struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
	// exited receives cmd.Wait's result once; nil when not running.
	exited <-chan error
	logs   *logBuffer
}

// startRedis starts a redis-server without persistence on a free loopback port; it is
// stopped when t ends.
func startRedis(t *testing.T, bin string) *redisProc {
	t.Helper()
	r := &redisProc{bin: bin, dir: t.TempDir(), logs: &logBuffer{}}
	var lastErr error
	for range startAttempts {
		addr, err := freeAddr()
		require.NoError(t, err)
		_, port, _ := net.SplitHostPort(addr)
		r.port, _ = strconv.Atoi(port)
		if lastErr = r.start(); lastErr == nil {
			break
		}
	}
	require.NoError(t, lastErr, "starting redis-server")
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			t.Logf("redis-server output:\n%s", r.logs)
		}
	})
	return r
}

// url is the replicas' --redis value.
func (r *redisProc) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// start runs redis-server on r.port and waits until it answers PING.
func (r *redisProc) start() error {
	cmd := exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.dir)
	cmd.Stdout, cmd.Stderr = r.logs, r.logs
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1) // receives cmd.Wait's result; never closed
	go func() { exited <- cmd.Wait() }()
	r.cmd, r.exited = cmd, exited
	deadline := time.Now().Add(redisStartTimeout)
	for {
		if err := redisPing(r.port); err == nil {
			return nil
		}
		select {
		case err := <-exited:
			r.exited = nil
			return fmt.Errorf("redis-server exited: %v; output:\n%s", err, r.logs)
		default:
		}
		if time.Now().After(deadline) {
			r.stop()
			return fmt.Errorf("redis-server did not answer PING within %v; output:\n%s", redisStartTimeout, r.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends redis-server with SIGKILL, as a crash would.
func (r *redisProc) kill() {
	if r.exited == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.exited
	r.exited = nil
}

// stop ends redis-server gracefully (SIGTERM), or kills it.
func (r *redisProc) stop() {
	if r.exited == nil {
		return
	}
	stopProcess(r.cmd, r.exited)
	r.exited = nil
}

// redisPing sends PING to the redis-server on port and checks the answer.
func redisPing(port int) error {
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// cluster is three replicas sharing a Redis behind an in-process round-robin proxy.
type cluster struct {
	redis    *redisProc
	replicas []*process
	proxy    *rrproxy.Server
	// endpoint is the MCP endpoint behind the proxy.
	endpoint string
	// hops records what went through the proxy; client sends through it.
	hops   *hopRecorder
	client *http.Client
}

// startCluster starts a redis-server and three `minimcp COMMAND --redis URL args...`
// behind a round-robin proxy. Everything stops when t ends.
func startCluster(t *testing.T, command string, args ...string) *cluster {
	t.Helper()
	c := &cluster{redis: startRedis(t, requireReplicas(t))}
	backends := make([]string, 3)
	for i := range backends {
		a := append([]string{"--redis", c.redis.url()}, args...)
		if takesReplicaID(t, command) {
			a = append(a, "--replica-id", fmt.Sprintf("r%d", i))
		}
		c.replicas = append(c.replicas, runProcess(t, command, a...))
		backends[i] = c.replicas[i].base
	}
	proxy, err := rrproxy.Start("127.0.0.1:0", backends, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = proxy.Close() }) // before the replicas stop: it ends open streams
	c.proxy = proxy
	c.endpoint = proxy.URL + "/mcp"
	c.hops = &hopRecorder{base: http.DefaultTransport.(*http.Transport).Clone()}
	c.client = &http.Client{Transport: c.hops}
	t.Cleanup(c.client.CloseIdleConnections)
	return c
}

// takesReplicaID reports whether `minimcp command` has the --replica-id flag (X-Served-By).
func takesReplicaID(t *testing.T, command string) bool {
	t.Helper()
	out, _ := exec.Command(minimcpBin, command, "--help").CombinedOutput()
	return strings.Contains(string(out), "--replica-id")
}

// connect opens a Go SDK client session through the proxy, pinned to a revision with
// sessions (2026-07-28 has none to spread over replicas). standalone says whether the
// client opens its GET stream for server-initiated messages.
func (c *cluster) connect(t *testing.T, ctx context.Context, opts *mcp.ClientOptions, standalone bool) *mcp.ClientSession {
	t.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "minimcp-interop-go-replicas", Version: "1.0.0"}, opts)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: c.endpoint, HTTPClient: c.client, DisableStandaloneSSE: !standalone},
		&mcp.ClientSessionOptions{ProtocolVersion: latestVersion})
	require.NoError(t, err, "connect and initialize through the proxy")
	require.NotEmpty(t, cs.ID(), "a stateful session")
	return cs
}

// assertEveryReplicaServed checks that each replica answered at least one request.
func (c *cluster) assertEveryReplicaServed(t *testing.T) {
	t.Helper()
	served := c.proxy.Proxy.Served()
	for i, n := range served {
		assert.Positive(t, n, "replica %d served no request (served: %v)", i, served)
	}
}

// hop is one request through the proxy, as the client saw it.
type hop struct {
	method string
	// rpc is the JSON-RPC method of a POST, "reply" for a response the client sent (to a
	// server-to-client request), "" for a body that is neither.
	rpc string
	// tool is the name of a tools/call.
	tool        string
	lastEventID string
	upstream    string
	status      int
	// done is closed once upstream and status are set (or the request failed).
	done chan struct{}
}

// hopRecorder is an http.RoundTripper that records each request's hop.
type hopRecorder struct {
	base http.RoundTripper

	mu sync.Mutex
	// seen is guarded by mu, and so are the upstream and status of its hops.
	seen []*hop
}

func (r *hopRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h := &hop{method: req.Method, lastEventID: req.Header.Get("Last-Event-ID"), done: make(chan struct{})}
	defer close(h.done)
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			data, _ := io.ReadAll(body)
			h.rpc, h.tool = rpcKind(data)
		}
	}
	// Recorded in the order sent; the answer fills it in.
	r.mu.Lock()
	r.seen = append(r.seen, h)
	r.mu.Unlock()
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	h.upstream, h.status = resp.Header.Get(rrproxy.UpstreamHeader), resp.StatusCode
	r.mu.Unlock()
	return resp, nil
}

// since waits until the requests sent from index from on have their answers' headers (the
// answer to the client's reply to a server-to-client request can come after the call's
// result), and returns them.
func (r *hopRecorder) since(from int) []hop {
	r.mu.Lock()
	sent := append([]*hop(nil), r.seen[min(from, len(r.seen)):]...)
	r.mu.Unlock()
	out := make([]hop, len(sent))
	for i, h := range sent {
		select {
		case <-h.done:
		case <-time.After(failFastTimeout):
		}
		r.mu.Lock()
		out[i] = *h
		r.mu.Unlock()
	}
	return out
}

// count returns how many hops were recorded.
func (r *hopRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

// rpcKind reads a POST body: the JSON-RPC method (and the tool of a tools/call), or
// "reply" for a response.
func rpcKind(body []byte) (kind, tool string) {
	var m struct {
		Method string          `json:"method"`
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
		Params struct {
			Name string `json:"name"`
		} `json:"params"`
	}
	if json.Unmarshal(body, &m) != nil {
		return "", ""
	}
	switch {
	case m.Method != "":
		return m.Method, m.Params.Name
	case m.Result != nil || m.Error != nil:
		return "reply", ""
	}
	return "", ""
}

// TestReplicasGoSDKSession: the Go SDK client runs a whole session through three
// `minimcp conformance --redis` replicas behind a round-robin proxy: tools, progress,
// sampling and elicitation whose replies land on another replica than their call, a stream
// the server closed resumed on another replica, and DELETE ending the session on every
// replica.
func TestReplicasGoSDKSession(t *testing.T) {
	c := startCluster(t, "conformance")
	ctx, cancel := context.WithTimeout(t.Context(), 2*sessionTimeout)
	defer cancel()
	// stepCtx bounds one step, so that a step that hangs fails alone.
	stepCtx := func(t *testing.T) context.Context {
		ctx, cancel := context.WithTimeout(t.Context(), stepTimeout)
		t.Cleanup(cancel)
		return ctx
	}

	var progressMu sync.Mutex
	var progress []float64 // guarded by progressMu
	cs := c.connect(t, ctx, &mcp.ClientOptions{
		CreateMessageHandler: func(context.Context, *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			return &mcp.CreateMessageResult{Content: &mcp.TextContent{Text: "Paris"}, Model: "interop", Role: "assistant"}, nil
		},
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"username": "ada", "email": "ada@example.com"}}, nil
		},
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			progressMu.Lock()
			progress = append(progress, req.Params.Progress)
			progressMu.Unlock()
		},
	}, true)
	sessionID := cs.ID()

	t.Run("tools", func(t *testing.T) {
		ctx := stepCtx(t)
		tools, err := cs.ListTools(ctx, nil)
		require.NoError(t, err)
		var names []string
		for _, tool := range tools.Tools {
			names = append(names, tool.Name)
		}
		assert.Contains(t, names, "test_sampling")
		for range 3 { // one on each replica
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "test_simple_text", Arguments: map[string]any{}})
			require.NoError(t, err)
			assert.Equal(t, simpleText, onlyText(t, res.Content))
		}
	})

	t.Run("progress", func(t *testing.T) {
		ctx := stepCtx(t)
		params := &mcp.CallToolParams{Name: "test_tool_with_progress", Arguments: map[string]any{}}
		params.SetProgressToken("replicas-progress")
		res, err := cs.CallTool(ctx, params)
		require.NoError(t, err)
		assert.Equal(t, "replicas-progress", onlyText(t, res.Content), "the tool saw the token")
		// The notifications come on the call's stream, before its result.
		assert.Eventually(t, func() bool {
			progressMu.Lock()
			defer progressMu.Unlock()
			return len(progress) == 3
		}, 5*time.Second, 10*time.Millisecond)
		progressMu.Lock()
		assert.Equal(t, []float64{0, 50, 100}, progress)
		progressMu.Unlock()
	})

	// roundTrip calls tool and checks that the client's reply to the server's request went
	// to another replica than the call: only the relay can bring it back.
	roundTrip := func(t *testing.T, tool string, args map[string]any) string {
		from := c.hops.count()
		res, err := cs.CallTool(stepCtx(t), &mcp.CallToolParams{Name: tool, Arguments: args})
		require.NoError(t, err)
		require.False(t, res.IsError, "tool error: %v", res.Content)
		var call, reply *hop
		hops := c.hops.since(from)
		for i := range hops {
			switch h := &hops[i]; {
			case h.rpc == "tools/call" && h.tool == tool:
				call = h
			case h.rpc == "reply" && call != nil && reply == nil:
				reply = h
			}
		}
		require.NotNil(t, call, "the call went through the proxy: %+v", hops)
		require.NotNil(t, reply, "the client's reply went through the proxy: %+v", hops)
		assert.NotEqual(t, call.upstream, reply.upstream, "round robin sends the reply to another replica than the call: %+v", hops)
		return onlyText(t, res.Content)
	}
	t.Run("sampling", func(t *testing.T) {
		assert.Equal(t, "LLM response: Paris", roundTrip(t, "test_sampling", map[string]any{"prompt": "Capital of France?"}))
	})
	t.Run("elicitation", func(t *testing.T) {
		text := roundTrip(t, "test_elicitation", map[string]any{"message": "Who are you?"})
		assert.True(t, strings.HasPrefix(text, "User response: action=accept"), text)
		assert.Contains(t, text, "ada@example.com")
	})

	t.Run("resume on another replica", func(t *testing.T) {
		// test_reconnection closes its POST's stream mid-call (SEP-1699); the client resumes
		// with GET and Last-Event-ID. Round robin sends that GET to another replica than the
		// POST unless other requests came between; a few tries make sure one does.
		elsewhere := false
		for attempt := 0; attempt < 3 && !elsewhere; attempt++ {
			from := c.hops.count()
			res, err := cs.CallTool(stepCtx(t), &mcp.CallToolParams{Name: "test_reconnection", Arguments: map[string]any{}})
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(onlyText(t, res.Content), reconnectionText), onlyText(t, res.Content))
			var post, resume *hop
			hops := c.hops.since(from)
			for i := range hops {
				switch h := &hops[i]; {
				case h.rpc == "tools/call" && post == nil:
					post = h
				case h.method == http.MethodGet && h.lastEventID != "" && resume == nil:
					resume = h
				}
			}
			require.NotNil(t, post, "%+v", hops)
			require.NotNil(t, resume, "the client resumed with GET and Last-Event-ID: %+v", hops)
			assert.Equal(t, http.StatusOK, resume.status)
			elsewhere = post.upstream != resume.upstream
		}
		assert.True(t, elsewhere, "a stream resumed on another replica than its POST's")
	})

	c.assertEveryReplicaServed(t)

	t.Run("delete", func(t *testing.T) {
		from := c.hops.count()
		require.NoError(t, cs.Close()) // DELETE, on whichever replica is next
		var del *hop
		for _, h := range c.hops.since(from) {
			if h.method == http.MethodDelete {
				del = &h
			}
		}
		require.NotNil(t, del, "the SDK sent DELETE")
		assert.Less(t, del.status, 300, "DELETE succeeded")
		// Three requests in a row reach the three replicas: each must know the session is gone.
		plain := &http.Client{Timeout: failFastTimeout}
		defer plain.CloseIdleConnections()
		seen := map[string]bool{}
		for range 3 {
			status, upstream := postSession(t, stepCtx(t), plain, c.endpoint, sessionID)
			assert.Equal(t, http.StatusNotFound, status, "a deleted session is 404 on %s", upstream)
			seen[upstream] = true
		}
		assert.Len(t, seen, 3, "the 404s came from every replica")
	})
}

// postSession sends tools/list in session id through the proxy and returns the status and
// the replica that answered.
func postSession(t *testing.T, ctx context.Context, client *http.Client, endpoint, id string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint,
		strings.NewReader(`{"jsonrpc":"2.0","id":7,"method":"tools/list"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Session-Id", id)
	req.Header.Set("MCP-Protocol-Version", latestVersion)
	resp, err := client.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get(rrproxy.UpstreamHeader)
}

// echo calls the echo tool n times and checks each answer.
func echo(t *testing.T, ctx context.Context, cs *mcp.ClientSession, n int) {
	t.Helper()
	for i := range n {
		text := fmt.Sprintf("hello %d", i)
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": text}})
		require.NoError(t, err)
		require.False(t, res.IsError, "tool error: %v", res.Content)
		assert.Equal(t, text, strings.TrimSpace(onlyText(t, res.Content)))
	}
}

// TestReplicasSurviveKilledReplica: one of three `minimcp serve --redis` replicas is killed
// (SIGKILL) while it runs a call of the session. That call is lost; the session goes on
// through the other two, which serve every request after it, and ends with DELETE.
func TestReplicasSurviveKilledReplica(t *testing.T) {
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	require.NoError(t, os.WriteFile(manifest, []byte(replicaManifest), 0o644))
	c := startCluster(t, "serve", "--manifest", manifest)
	ctx, cancel := context.WithTimeout(t.Context(), 2*sessionTimeout)
	defer cancel()
	// No GET stream: the only request left open is the slow call.
	cs := c.connect(t, ctx, nil, false)
	echo(t, ctx, cs, 3)
	c.assertEveryReplicaServed(t)

	// The slow call: which replica runs it is the one whose open requests grow.
	before := c.proxy.Proxy.InFlight()
	lost := make(chan error, 1) // receives the slow call's outcome; never closed
	go func() {
		callCtx, cancel := context.WithTimeout(ctx, lostCallTimeout)
		defer cancel()
		res, err := cs.CallTool(callCtx, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{}})
		if err == nil && !res.IsError {
			err = errors.New("the call on the killed replica answered")
		}
		lost <- err
	}()
	victim := -1
	deadline := time.Now().Add(failFastTimeout)
	for victim < 0 && time.Now().Before(deadline) {
		for i, n := range c.proxy.Proxy.InFlight() {
			if n > before[i] {
				victim = i
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.GreaterOrEqual(t, victim, 0, "the slow call reached a replica")
	servedBefore := c.proxy.Proxy.Served()
	start := time.Now()
	c.replicas[victim].kill()
	t.Logf("killed replica %d while it ran the slow call", victim)

	// The lost call ends: its stream broke. (The SDK may try to resume it on another
	// replica; nothing will come, and the call's own deadline ends it.)
	err := <-lost
	assert.Error(t, err)
	t.Logf("the call on the killed replica ended after %v: %v", time.Since(start).Round(time.Millisecond), err)

	// The session goes on: the client retries, and every request is served by the others.
	echo(t, ctx, cs, 6)
	after := c.proxy.Proxy.Served()
	assert.Equal(t, servedBefore[victim], after[victim], "the killed replica served nothing more")
	for i := range after {
		if i != victim {
			assert.Greater(t, after[i], servedBefore[i], "replica %d carried the session on", i)
		}
	}
	require.NoError(t, cs.Close(), "DELETE through the survivors")
}

// TestReplicasRedisRestart: Redis dies under three `minimcp serve --redis` replicas. Every
// request that needs it fails at once with 503 and a JSON-RPC error, and /readyz fails on
// every replica, while the processes live on (/healthz). Redis comes back on the same port,
// empty (no persistence): the replicas recover by themselves, the old session is 404 as any
// unknown one, and a new session is served across the three.
func TestReplicasRedisRestart(t *testing.T) {
	c := startCluster(t, "serve")
	ctx, cancel := context.WithTimeout(t.Context(), 2*sessionTimeout)
	defer cancel()
	cs := c.connect(t, ctx, nil, true)
	sessionID := cs.ID()
	echo(t, ctx, cs, 3)

	c.redis.kill()
	plain := &http.Client{Timeout: failFastTimeout} // a request waiting for Redis fails here
	defer plain.CloseIdleConnections()
	for i := range 3 { // one on each replica
		call := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}`, 40+i)
		status, body, err := postJSON(ctx, plain, c.endpoint, call,
			map[string]string{"Mcp-Session-Id": sessionID, "MCP-Protocol-Version": latestVersion})
		require.NoError(t, err, "the request was answered, not left waiting for Redis")
		assert.Equal(t, http.StatusServiceUnavailable, status, body)
		assertRPCError(t, body)
	}
	status, body, err := postJSON(ctx, plain, c.endpoint,
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, status, "a new session needs Redis too: %s", body)
	assertRPCError(t, body)
	for i, r := range c.replicas {
		assert.NotEqual(t, http.StatusOK, httpStatus(t, plain, r.base+"/readyz"), "replica %d /readyz with Redis down", i)
		assert.Equal(t, http.StatusOK, httpStatus(t, plain, r.base+"/healthz"), "replica %d lives on", i)
	}
	_ = cs.Close() // its DELETE fails too; the session is gone with Redis's memory anyway

	require.NoError(t, c.redis.start(), "redis-server again on port %d", c.redis.port)
	for i, r := range c.replicas {
		deadline := time.Now().Add(readyTimeout)
		for httpStatus(t, plain, r.base+"/readyz") != http.StatusOK {
			require.True(t, time.Now().Before(deadline), "replica %d /readyz did not pass within %v of Redis's return", i, readyTimeout)
			time.Sleep(50 * time.Millisecond)
		}
	}
	seen := map[string]bool{}
	for range 3 {
		status, upstream := postSession(t, ctx, plain, c.endpoint, sessionID)
		assert.Equal(t, http.StatusNotFound, status, "the session died with Redis's memory: 404 on %s", upstream)
		seen[upstream] = true
	}
	assert.Len(t, seen, 3)

	servedBefore := c.proxy.Proxy.Served()
	cs2 := c.connect(t, ctx, nil, true)
	echo(t, ctx, cs2, 4)
	for i, n := range c.proxy.Proxy.Served() {
		assert.Greater(t, n, servedBefore[i], "replica %d serves again", i)
	}
	require.NoError(t, cs2.Close())
}

// assertRPCError checks that body is a JSON-RPC error (a JSON object, or an SSE stream
// whose data is one) with a non-zero code.
func assertRPCError(t *testing.T, body string) {
	t.Helper()
	data := body
	for _, line := range strings.Split(body, "\n") {
		if d, ok := strings.CutPrefix(line, "data:"); ok {
			data = d
		}
	}
	var m struct {
		JSONRPC string `json:"jsonrpc"`
		Error   *struct {
			Code    int64  `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(data)), &m), "a JSON-RPC message: %q", body)
	assert.Equal(t, "2.0", m.JSONRPC)
	require.NotNil(t, m.Error, "an error: %s", body)
	assert.NotZero(t, m.Error.Code, body)
	assert.NotEmpty(t, m.Error.Message, body)
}

// httpStatus returns the status of GET url, or 0 when it could not be reached.
func httpStatus(t *testing.T, client *http.Client, url string) int {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
