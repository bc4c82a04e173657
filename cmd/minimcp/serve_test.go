package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/builtin"
	"github.com/minimcp/minimcp/internal/mcptest"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// syncBuffer is a bytes.Buffer for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer // guarded by mu
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveRun is a serve command running in the test, on 127.0.0.1 and a free port.
type serveRun struct {
	base   string // http://127.0.0.1:PORT
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan int // receives serve's exit code; never closed

	once sync.Once
	code int
}

// startServe runs serve with args plus --addr 127.0.0.1:0 and returns once it listens. At the
// end of the test it is stopped, and must have exited 0 unless the test stopped it itself.
func startServe(t *testing.T, args ...string) *serveRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &serveRun{logs: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	addrs := make(chan net.Addr, 1)
	sio := &serveIO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: r.logs, Ready: func(a net.Addr) { addrs <- a }}
	go func() { r.done <- serve(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), sio) }()
	select {
	case a := <-addrs:
		r.base = "http://" + a.String()
	case code := <-r.done:
		cancel()
		t.Fatalf("serve exited with %d before listening:\n%s", code, r.logs)
	}
	t.Cleanup(func() {
		if code := r.stop(); code != 0 {
			t.Errorf("serve exited with %d:\n%s", code, r.logs)
		}
	})
	return r
}

// stop cancels serve's context (a SIGINT) and returns its exit code.
func (r *serveRun) stop() int {
	r.once.Do(func() {
		r.cancel()
		r.code = <-r.done
	})
	return r.code
}

// testMCP is a minimal Streamable HTTP client, independent of internal/mcphttp.
type testMCP struct {
	t       *testing.T
	url     string
	token   string
	session string
	hc      *http.Client
	nextID  int64
}

func newTestMCP(t *testing.T, url, token string) *testMCP {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &testMCP{t: t, url: url, token: token, hc: &http.Client{Transport: tr}}
}

// post sends one JSON-RPC message and returns the answer, whatever its status.
func (c *testMCP) post(ctx context.Context, body []byte) *http.Response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", mcp.LatestVersion)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.session != "" {
		req.Header.Set("Mcp-Session-Id", c.session)
	}
	resp, err := c.hc.Do(req)
	require.NoError(c.t, err)
	return resp
}

// request sends a request and returns its result; a JSON-RPC error fails the test.
func (c *testMCP) request(ctx context.Context, method string, params any) json.RawMessage {
	c.t.Helper()
	var raw json.RawMessage
	if params != nil {
		var err error
		raw, err = json.Marshal(params)
		require.NoError(c.t, err)
	}
	c.nextID++
	resp := c.post(ctx, rpc.AppendRequest(nil, rpc.Int64ID(c.nextID), method, raw))
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	require.Equal(c.t, http.StatusOK, resp.StatusCode, "%s: %s", method, body)
	require.True(c.t, strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"), "%s: %s", method, resp.Header.Get("Content-Type"))
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int64  `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(c.t, json.Unmarshal(body, &reply))
	require.Nil(c.t, reply.Error, "%s: %s", method, body)
	if method == mcp.MethodInitialize {
		c.session = resp.Header.Get("Mcp-Session-Id")
	}
	return reply.Result
}

// initialize opens a session.
func (c *testMCP) initialize() {
	c.t.Helper()
	c.request(c.t.Context(), mcp.MethodInitialize, &mcp.InitializeParams{
		ProtocolVersion: mcp.LatestVersion, ClientInfo: mcp.Implementation{Name: "serve_test", Version: "1"}})
	resp := c.post(c.t.Context(), rpc.AppendRequest(nil, rpc.ID{}, mcp.NotificationInitialized, nil))
	closeResp(resp)
	require.Equal(c.t, http.StatusAccepted, resp.StatusCode)
}

// tool calls a tool.
func (c *testMCP) tool(ctx context.Context, name, args string) *mcp.CallToolResult {
	c.t.Helper()
	raw := c.request(ctx, mcp.MethodToolsCall, map[string]any{"name": name, "arguments": json.RawMessage(args)})
	var res mcp.CallToolResult
	require.NoError(c.t, json.Unmarshal(raw, &res))
	return &res
}

func closeResp(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

func TestServeBuiltins(t *testing.T) {
	r := startServe(t, "--replica-id", "replica-7")
	c := newTestMCP(t, r.base+"/mcp", "")
	c.initialize()
	assert.NotEmpty(t, c.session, "stateful by default")

	assert.Equal(t, []string{"hi"}, mcptest.Texts(c.tool(t.Context(), "echo", `{"text": "hi"}`)))
	assert.JSONEq(t, `{"sum": 3}`, string(c.tool(t.Context(), "add", `{"a": 1, "b": 2}`).StructuredContent))
	raw := c.request(t.Context(), mcp.MethodResourcesRead, map[string]string{"uri": builtin.AboutURI})
	assert.Contains(t, string(raw), "minimcp://about")

	resp, err := c.hc.Get(r.base + "/healthz")
	require.NoError(t, err)
	closeResp(resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "replica-7", resp.Header.Get("X-Served-By"))

	logs := r.logs.String()
	assert.Contains(t, logs, `msg="minimcp serving" url=`+r.base+`/mcp mode=stateful response=auto tools=echo,add auth=none replica=replica-7`)
}

// testManifest declares the tools, resources and prompts the serve tests serve: the manifest
// package's own test manifest, so that both test the same file.
const testManifest = "../../internal/manifest/testdata/tools.json"

func TestServeManifest(t *testing.T) {
	var auth atomic.Value // the Authorization header of the upstream's last request
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id": 7, "name": "widget"}`)
	}))
	t.Cleanup(up.Close)
	t.Setenv("MINIMCP_TEST_UPSTREAM", up.URL)
	t.Setenv("MINIMCP_TEST_SECRET", "s3cret")
	r := startServe(t, "--manifest", testManifest, "--stateless", "--response", "json", "--path", "/rpc")
	c := newTestMCP(t, r.base+"/rpc", "")
	ctx := t.Context()

	raw := c.request(ctx, mcp.MethodToolsList, nil)
	for _, name := range []string{"say", "fail", "slow", "chatty", "item"} {
		assert.Contains(t, string(raw), `"name":"`+name+`"`)
	}

	res := c.tool(ctx, "say", `{"words": ["hello", "big world"]}`)
	assert.False(t, res.IsError)
	assert.Equal(t, []string{"hello big world\n"}, mcptest.Texts(res))

	res = c.tool(ctx, "fail", `{}`)
	assert.True(t, res.IsError)
	assert.Equal(t, []string{"/bin/sh failed: exit status 3\noops", "partial\n"}, mcptest.Texts(res))

	res = c.tool(ctx, "slow", `{}`)
	assert.True(t, res.IsError)
	assert.Equal(t, []string{"sleep timed out after 100ms and was killed"}, mcptest.Texts(res))

	res = c.tool(ctx, "chatty", `{}`)
	assert.False(t, res.IsError)
	assert.Equal(t, []string{"0123456789\n[truncated: showing the first 10 of 17 bytes]"}, mcptest.Texts(res))

	res = c.tool(ctx, "item", `{"id": "7"}`)
	assert.False(t, res.IsError)
	assert.JSONEq(t, `{"id": 7, "name": "widget"}`, string(res.StructuredContent))
	assert.Equal(t, "Bearer s3cret", auth.Load())

	res = c.tool(ctx, "say", `{}`)
	assert.True(t, res.IsError, "arguments are validated against the input schema")
	assert.Equal(t, []string{`invalid arguments for tool say: missing required argument "words"`}, mcptest.Texts(res))

	raw = c.request(ctx, mcp.MethodResourcesRead, map[string]string{"uri": "file:///docs/hello.md"})
	assert.JSONEq(t, `{"contents": [{"uri": "file:///docs/hello.md", "mimeType": "text/markdown", "text": "# Hello\n\nA document.\n"}]}`, string(raw))
	raw = c.request(ctx, mcp.MethodResourcesRead, map[string]string{"uri": "file:///docs/sub%2Fdeep.txt"})
	assert.Contains(t, string(raw), `"text":"deeper\n"`)
	raw = c.request(ctx, mcp.MethodPromptsGet, map[string]any{"name": "summarize", "arguments": map[string]string{"topic": "tests", "style": "dry"}})
	assert.Contains(t, string(raw), `"Summarize tests in a dry style."`)

	assert.Contains(t, r.logs.String(), "mode=stateless response=json tools=say,fail,slow,chatty,item")
	assert.NotContains(t, r.logs.String(), "s3cret")
}

// TestServeOpenAPI: serve --openapi serves a REST API's operations as tools, in one command:
// the base URL and a header with a secret from the environment come from the flags.
func TestServeOpenAPI(t *testing.T) {
	var got atomic.Value // the upstream's last request
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id": 7, "name": "widget"}`)
	}))
	t.Cleanup(up.Close)
	spec := filepath.Join(t.TempDir(), "shop.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(`
openapi: 3.1.0
info: {title: Shop, version: "1"}
servers: [{url: "https://shop.example/api"}]
paths:
  /items/{id}:
    get:
      operationId: items/get
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
`), 0o600))
	t.Setenv("MINIMCP_TEST_SECRET", "s3cret")
	r := startServe(t, "--openapi", spec, "--openapi-base", up.URL+"/v1", "--openapi-header", "Authorization: Bearer ${MINIMCP_TEST_SECRET}",
		"--stateless", "--response", "json")
	c := newTestMCP(t, r.base+"/mcp", "")
	res := c.tool(t.Context(), "items_get", `{"id": "a/b"}`)
	require.False(t, res.IsError, "%v", mcptest.Texts(res))
	assert.JSONEq(t, `{"id": 7, "name": "widget"}`, string(res.StructuredContent))
	req := got.Load().(*http.Request)
	assert.Equal(t, "/v1/items/a%2Fb", req.RequestURI)
	assert.Equal(t, "Bearer s3cret", req.Header.Get("Authorization"))
	assert.Contains(t, r.logs.String(), "tools=items_get")
	assert.NotContains(t, r.logs.String(), "s3cret")
}

func TestServeAuth(t *testing.T) {
	r := startServe(t, "--auth-token", "flag-token-0000", "--auth-token", "@testdata/tokens.txt", "--log-level", "debug")
	url := r.base + "/mcp"
	init := rpc.AppendRequest(nil, rpc.Int64ID(1), mcp.MethodInitialize,
		json.RawMessage(`{"protocolVersion":"`+mcp.LatestVersion+`","capabilities":{},"clientInfo":{"name":"t","version":"1"}}`))

	for _, token := range []string{"", "wrong-token", "flag-token-000"} {
		resp := newTestMCP(t, url, token).post(t.Context(), init)
		body, _ := io.ReadAll(resp.Body)
		closeResp(resp)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "token %q", token)
		if token == "" {
			// RFC 6750 §3.1: a request without a token gets no error code.
			assert.Equal(t, "Bearer", resp.Header.Get("WWW-Authenticate"))
			assert.Contains(t, string(body), "send Authorization: Bearer")
		} else {
			assert.Equal(t, `Bearer error="invalid_token", error_description="invalid bearer token"`, resp.Header.Get("WWW-Authenticate"))
			assert.Contains(t, string(body), "invalid bearer token")
		}
	}

	digest := sha256.Sum256([]byte("bravo-token-5678"))
	for token, principal := range map[string]string{
		"flag-token-0000":  "",
		"alpha-token-1234": "alice",
		"bravo-token-5678": "token-" + hex.EncodeToString(digest[:4]),
	} {
		c := newTestMCP(t, url, token)
		c.initialize()
		assert.Equal(t, []string{"ok"}, mcptest.Texts(c.tool(t.Context(), "echo", `{"text": "ok"}`)))
		if principal != "" {
			assert.Contains(t, r.logs.String(), "principal="+principal)
		}
	}
	logs := r.logs.String()
	assert.Contains(t, logs, "auth=\"bearer (4 tokens)\"")
	for _, token := range []string{"flag-token-0000", "alpha-token-1234", "bravo-token-5678"} {
		assert.NotContains(t, logs, token)
	}
}

// One token cannot take every session: beyond --max-sessions-per-principal its initialize
// gets 429, while other tokens still get sessions.
func TestServeSessionQuota(t *testing.T) {
	t.Setenv("MINIMCP_MAX_SESSIONS_PER_PRINCIPAL", "2")
	r := startServe(t, "--auth-token", "alpha-token-0000", "--auth-token", "bravo-token-0000")
	url := r.base + "/mcp"
	for range 2 {
		newTestMCP(t, url, "alpha-token-0000").initialize()
	}
	init := rpc.AppendRequest(nil, rpc.Int64ID(1), mcp.MethodInitialize,
		json.RawMessage(`{"protocolVersion":"`+mcp.LatestVersion+`","capabilities":{},"clientInfo":{"name":"t","version":"1"}}`))
	resp := newTestMCP(t, url, "alpha-token-0000").post(t.Context(), init)
	body, _ := io.ReadAll(resp.Body)
	closeResp(resp)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	assert.Contains(t, string(body), "holds its maximum of 2 sessions (the per-principal quota)")
	newTestMCP(t, url, "bravo-token-0000").initialize()
}

// --max-body-bytes reaches the transport: a body over it gets 413.
func TestServeMaxBodyBytes(t *testing.T) {
	t.Setenv("MINIMCP_MAX_BODY_BYTES", "300")
	r := startServe(t)
	init := rpc.AppendRequest(nil, rpc.Int64ID(1), mcp.MethodInitialize,
		json.RawMessage(`{"protocolVersion":"`+mcp.LatestVersion+`","capabilities":{},"clientInfo":{"name":"`+strings.Repeat("n", 300)+`","version":"1"}}`))
	resp := newTestMCP(t, r.base+"/mcp", "").post(t.Context(), init)
	body, _ := io.ReadAll(resp.Body)
	closeResp(resp)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Contains(t, string(body), "the limit of 300 bytes")
}

func TestServeFlags(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()

	tests := []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"--help"}, 0, "--session-idle-timeout  [MINIMCP_SESSION_IDLE_TIMEOUT] (default 30m0s)"},
		{[]string{"--response", "xml"}, 2, `minimcp serve: --response: want auto, json or sse, got "xml"`},
		{[]string{"--session-idle-timeout", "soon"}, 2, `minimcp serve: invalid value "soon" for --session-idle-timeout: want a duration`},
		{[]string{"--session-idle-timeout", "-1s"}, 2, "minimcp serve: --session-idle-timeout: must not be negative, got -1s"},
		{[]string{"--max-sessions", "0"}, 2, "minimcp serve: --max-sessions: must be positive, got 0"},
		{[]string{"--shutdown-timeout", "0s"}, 2, "minimcp serve: --shutdown-timeout: must be positive, got 0s"},
		{[]string{"--poll-after", "-1s"}, 2, "minimcp serve: --poll-after: must not be negative, got -1s"},
		{[]string{"--poll-after", "30s", "--stateless"}, 2, "minimcp serve: --poll-after needs sessions to resume a call in; it does not go with --stateless"},
		{[]string{"--poll-after", "30s", "--protocol-era", "2026"}, 2, "minimcp serve: --poll-after needs sessions to resume a call in; --protocol-era 2026 has none"},
		{[]string{"--legacy-sse", "--protocol-era", "2026"}, 2, "minimcp serve: --legacy-sse serves 2024-11-05 clients; it does not go with --protocol-era 2026"},
		{[]string{"--protocol-era", "2024"}, 2, `minimcp serve: invalid value "2024" for --protocol-era: want all, 2025`},
		{[]string{"--path", "mcp"}, 2, `minimcp serve: --path: must start with /, got "mcp"`},
		{[]string{"--path", "/healthz"}, 2, "minimcp serve: --path: /healthz is served by minimcp itself; choose another path"},
		{[]string{"--path", "/sse", "--legacy-sse"}, 2, "minimcp serve: --path: /sse is served by minimcp itself; choose another path"},
		{[]string{"--path", "/:name"}, 2, `minimcp serve: --path: must be a plain path without : * ? # or spaces, got "/:name"`},
		{[]string{"--addr", "8080"}, 2, `minimcp serve: --addr: want host:port, got "8080"`},
		{[]string{"--log-level", "loud"}, 2, `minimcp serve: --log-level: want debug, info, warn or error, got "loud"`},
		{[]string{"--log-format", "xml"}, 2, `minimcp serve: --log-format: want text or json, got "xml"`},
		{[]string{"--auth-token", "@testdata/nope.txt"}, 2, "minimcp serve: --auth-token @testdata/nope.txt: open testdata/nope.txt: no such file or directory"},
		{[]string{"--stdio", "--auth-token", "t"}, 2, "minimcp serve: --auth-token and --auth-issuer do not apply to --stdio"},
		{[]string{"extra"}, 2, `minimcp serve: unexpected argument "extra": serve takes flags only (see minimcp serve --help)`},
		{[]string{"--help"}, 0, "--body-read-timeout  [MINIMCP_BODY_READ_TIMEOUT] (default 30s)"},
		{[]string{"--help"}, 0, "--state-ttl  [MINIMCP_STATE_TTL] (default 10m0s)"},
		{[]string{"--state-key", "abcd"}, 2, "minimcp serve: --state-key: key 1: it is 3 bytes; a key is 32"},
		{[]string{"--state-ttl", "0s"}, 2, "minimcp serve: --state-ttl: must be positive, got 0s"},
		{[]string{"--help"}, 0, "--max-state-bytes  [MINIMCP_MAX_STATE_BYTES] (default 2097152)"},
		{[]string{"--max-state-bytes", "0"}, 2, "minimcp serve: --max-state-bytes: must be positive, got 0"},
		{[]string{"--help"}, 0, "--task-ttl  [MINIMCP_TASK_TTL] (default 1h0m0s)"},
		{[]string{"--help"}, 0, "--task-lease  [MINIMCP_TASK_LEASE] (default 30s)"},
		{[]string{"--help"}, 0, "--max-tasks  [MINIMCP_MAX_TASKS] (default 1000)"},
		{[]string{"--help"}, 0, "--max-tasks-per-principal  [MINIMCP_MAX_TASKS_PER_PRINCIPAL] (default 0)"},
		{[]string{"--task-ttl", "0s"}, 2, "minimcp serve: --task-ttl: must be positive, got 0s"},
		{[]string{"--help"}, 0, "--redis  [MINIMCP_REDIS_URL]"},
		{[]string{"--help"}, 0, "--redis-prefix  [MINIMCP_REDIS_PREFIX] (default minimcp:)"},
		{[]string{"--help"}, 0, "--redis-timeout  [MINIMCP_REDIS_TIMEOUT] (default 2s)"},
		{[]string{"--redis", "http://localhost:6379"}, 2, "minimcp serve: --redis: redisstore: redis: invalid URL scheme: http"},
		{[]string{"--redis", "redis://localhost:6379", "--stdio"}, 2, "minimcp serve: --redis shares state between HTTP replicas; it does not go with --stdio"},
		{[]string{"--redis-timeout", "0s"}, 2, "minimcp serve: --redis-timeout: must be positive, got 0s"},
		{[]string{"--redis-pool-size", "0"}, 2, "minimcp serve: --redis-pool-size: must be positive, got 0"},
		{[]string{"--redis-prefix", ""}, 2, "minimcp serve: --redis-prefix: must not be empty"},
		{[]string{"--redis-max-followers", "0"}, 2, "minimcp serve: --redis-max-followers: must be positive, got 0"},
		{[]string{"--task-lease", "-1s"}, 2, "minimcp serve: --task-lease: must be positive, got -1s"},
		{[]string{"--max-tasks", "0"}, 2, "minimcp serve: --max-tasks: must be positive, got 0"},
		{[]string{"--help"}, 0, "--max-task-result-bytes  [MINIMCP_MAX_TASK_RESULT_BYTES] (default 4194304)"},
		{[]string{"--max-task-result-bytes", "0"}, 2, "minimcp serve: --max-task-result-bytes: must be positive, got 0"},
		{[]string{"--max-tasks-per-principal", "-2"}, 2, "minimcp serve: --max-tasks-per-principal: want a positive number, 0 (a tenth of --max-tasks) or -1 (no quota), got -2"},
		{[]string{"--help"}, 0, "--max-body-bytes-in-flight  [MINIMCP_MAX_BODY_BYTES_IN_FLIGHT] (default 67108864)"},
		{[]string{"--help"}, 0, "--write-timeout  [MINIMCP_WRITE_TIMEOUT] (default 30s)"},
		{[]string{"--help"}, 0, "--legacy-max-in-flight  [MINIMCP_LEGACY_MAX_IN_FLIGHT] (default 16)"},
		{[]string{"--body-read-timeout", "0s"}, 2, "minimcp serve: --body-read-timeout: must be positive, got 0s"},
		{[]string{"--max-body-bytes-in-flight", "0"}, 2, "minimcp serve: --max-body-bytes-in-flight: must be positive, got 0"},
		{[]string{"--write-timeout", "-1s"}, 2, "minimcp serve: --write-timeout: must be positive, got -1s"},
		{[]string{"--legacy-max-in-flight", "0"}, 2, "minimcp serve: --legacy-max-in-flight: must be positive, got 0"},
		{[]string{"--max-sessions-per-principal", "-2"}, 2, "minimcp serve: --max-sessions-per-principal: want a positive number, 0 (a tenth of --max-sessions) or -1 (no quota), got -2"},
		{[]string{"--drain-delay", "-1s"}, 2, "minimcp serve: --drain-delay: must not be negative, got -1s"},
		{[]string{"--drain-delay", "10s"}, 2, "minimcp serve: --drain-delay (10s) must be shorter than --shutdown-timeout (10s), within which it counts"},
		{[]string{"--max-processes", "0"}, 2, "minimcp serve: --max-processes: must be positive, got 0"},
		{[]string{"--max-body-bytes", "0"}, 2, "minimcp serve: --max-body-bytes: must be positive, got 0"},
		{[]string{"--max-event-bytes", "-1"}, 2, "minimcp serve: --max-session-event-bytes and --max-event-bytes: must be positive, got 1048576 and -1"},
		{[]string{"--client-request-timeout", "0s"}, 2, "minimcp serve: --client-request-timeout: must be positive, got 0s"},
		{[]string{"--help"}, 0, "--max-body-bytes  [MINIMCP_MAX_BODY_BYTES] (default 4194304)"},
		{[]string{"--help"}, 0, "--max-session-event-bytes  [MINIMCP_MAX_SESSION_EVENT_BYTES] (default 1048576)"},
		{[]string{"--help"}, 0, "--client-request-timeout  [MINIMCP_CLIENT_REQUEST_TIMEOUT] (default 1m0s)"},
		{[]string{"--manifest", "testdata/nope.json"}, 1, "manifest testdata/nope.json: open testdata/nope.json: no such file or directory\n"},
		{[]string{"--openapi-base", "http://127.0.0.1:1"}, 2, "minimcp serve: --openapi-base, --openapi-header and --openapi-dry-run go with --openapi"},
		{[]string{"--openapi", "x.yaml", "--openapi-header", "Bearer x"}, 2, `minimcp serve: --openapi-header "Bearer x": want 'Name: value'`},
		{[]string{"--addr", taken.Addr().String()}, 1, "minimcp: serve: listen tcp " + taken.Addr().String() + ": bind: address already in use"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stderr syncBuffer
			code := serve(t.Context(), tt.args, &serveIO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr})
			assert.Equal(t, tt.code, code)
			assert.Contains(t, stderr.String(), tt.want)
		})
	}

	t.Run("environment", func(t *testing.T) {
		t.Setenv("MINIMCP_RESPONSE", "xml")
		var stderr syncBuffer
		code := serve(t.Context(), nil, &serveIO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr})
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr.String(), `--response: want auto, json or sse, got "xml"`)
	})
	t.Run("limits", func(t *testing.T) {
		t.Setenv("MINIMCP_WRITE_TIMEOUT", "7s")
		cfg, _ := parseServeFlags([]string{"--body-read-timeout", "5s", "--max-body-bytes-in-flight", "1000000", "--legacy-max-in-flight", "3"}, io.Discard)
		require.NotNil(t, cfg)
		assert.Equal(t, 5*time.Second, cfg.BodyReadTimeout)
		assert.Equal(t, int64(1000000), cfg.MaxBodyBytesInFlight)
		assert.Equal(t, 7*time.Second, cfg.WriteTimeout)
		assert.Equal(t, 3, cfg.LegacyMaxInFlight)
	})
	t.Run("bad manifest", func(t *testing.T) {
		p := t.TempDir() + "/bad.json"
		require.NoError(t, writeTestFile(p, `{"tools": [{"name": "x", "inputSchema": {"type": "string"}, "exec": {"command": ["true"]}}]}`))
		var stderr syncBuffer
		code := serve(t.Context(), []string{"--manifest", p}, &serveIO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr})
		assert.Equal(t, 1, code)
		assert.Equal(t, "manifest "+p+`: tools[0].inputSchema: must have "type": "object"`+"\n", stderr.String())
	})
}

func TestServeLegacySSE(t *testing.T) {
	r := startServe(t, "--legacy-sse", "--log-format", "json")
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, r.base+"/sse", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(line, "event: endpoint") || strings.HasPrefix(line, "id:") || strings.HasPrefix(line, "retry:"), "%q", line)
	assert.Contains(t, r.logs.String(), `"msg":"minimcp serving"`)
	assert.Contains(t, r.logs.String(), `"legacySSE":true`)
}

// TestServeShutdown checks a graceful shutdown: open SSE streams end, a call in flight
// finishes, and serve exits 0.
func TestServeShutdown(t *testing.T) {
	arrived := make(chan struct{}) // closed by the upstream when the call reaches it
	release := make(chan struct{}) // closed by the test to let the call finish
	var once sync.Once
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		once.Do(func() { close(arrived) })
		<-release
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id": 7}`)
	}))
	defer up.Close()
	t.Setenv("MINIMCP_TEST_UPSTREAM", up.URL)
	t.Setenv("MINIMCP_TEST_SECRET", "s")
	r := startServe(t, "--manifest", testManifest)

	c := newTestMCP(t, r.base+"/mcp", "")
	c.initialize()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.url, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Session-Id", c.session)
	req.Header.Set("MCP-Protocol-Version", mcp.LatestVersion)
	stream, err := c.hc.Do(req)
	require.NoError(t, err)
	defer stream.Body.Close()
	require.Equal(t, http.StatusOK, stream.StatusCode)

	type answer struct {
		body string
		err  error
	}
	answers := make(chan answer, 1) // the answer to the call in flight; never closed
	go func() {
		req, err := http.NewRequest(http.MethodPost, c.url, strings.NewReader(
			`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"item","arguments":{"id":"7"}}}`))
		if err != nil {
			answers <- answer{err: err}
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Session-Id", c.session)
		req.Header.Set("MCP-Protocol-Version", mcp.LatestVersion)
		resp, err := c.hc.Do(req)
		if err != nil {
			answers <- answer{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		answers <- answer{body: string(b), err: err}
	}()
	<-arrived
	codes := make(chan int, 1) // serve's exit code; never closed
	go func() { codes <- r.stop() }()

	_, err = io.Copy(io.Discard, stream.Body) // the stream ends
	require.NoError(t, err)
	close(release)
	a := <-answers
	require.NoError(t, a.err)
	assert.JSONEq(t, `{"jsonrpc":"2.0","id":9,"result":{"content":[{"type":"text","text":"{\"id\":7}"}],"structuredContent":{"id":7}}}`, a.body)
	assert.Equal(t, 0, <-codes, r.logs.String())
	assert.Contains(t, r.logs.String(), "msg=stopped")
}

// TestServeShutdownDeadline checks that a call still running at the deadline is cut off and
// serve exits 1.
func TestServeShutdownDeadline(t *testing.T) {
	arrived := make(chan struct{}) // closed by the upstream when the call reaches it
	var once sync.Once
	up := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		<-r.Context().Done() // until serve gives up on the call
	}))
	defer up.Close()
	t.Setenv("MINIMCP_TEST_UPSTREAM", up.URL)
	t.Setenv("MINIMCP_TEST_SECRET", "s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan net.Addr, 1)
	var logs syncBuffer
	codes := make(chan int, 1)
	go func() {
		codes <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--manifest", testManifest, "--stateless", "--shutdown-timeout", "50ms"},
			&serveIO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &logs, Ready: func(a net.Addr) { addrs <- a }})
	}()
	c := newTestMCP(t, "http://"+(<-addrs).String()+"/mcp", "")
	failed := make(chan error, 1) // the call's transport error; never closed
	go func() {
		req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"item","arguments":{"id":"1"}}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := c.hc.Do(req)
		if err == nil {
			closeResp(resp)
		}
		failed <- err
	}()
	<-arrived
	cancel()
	assert.Equal(t, 1, <-codes)
	<-failed
	assert.Contains(t, logs.String(), "shutdown deadline passed")
}

func TestServeStdio(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var logs syncBuffer
	codes := make(chan int, 1)
	go func() {
		codes <- serve(context.Background(), []string{"--stdio"}, &serveIO{Stdin: inR, Stdout: outW, Stderr: &logs})
		outW.Close()
	}()
	lines := bufio.NewReader(outR)
	exchange := func(msg string) map[string]json.RawMessage {
		t.Helper()
		_, err := io.WriteString(inW, msg+"\n")
		require.NoError(t, err)
		line, err := lines.ReadString('\n')
		require.NoError(t, err)
		var reply map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(line), &reply), "stdout must carry only JSON-RPC: %q", line)
		return reply
	}
	reply := exchange(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` + mcp.LatestVersion + `","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	assert.Contains(t, string(reply["result"]), `"serverInfo":{"name":"minimcp"`)
	_, err := io.WriteString(inW, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
	require.NoError(t, err)
	reply = exchange(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"over stdio"}}}`)
	assert.JSONEq(t, `{"content":[{"type":"text","text":"over stdio"}]}`, string(reply["result"]))

	require.NoError(t, inW.Close()) // EOF: the client is done
	rest, err := io.ReadAll(outR)
	require.NoError(t, err)
	assert.Empty(t, rest)
	assert.Equal(t, 0, <-codes)
	assert.Contains(t, logs.String(), `msg="minimcp serving on stdio" tools=echo,add`)
}

func TestServeStdioShutdown(t *testing.T) {
	inR, inW := io.Pipe()
	defer inW.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	codes := make(chan int, 1)
	go func() {
		codes <- serve(ctx, []string{"--stdio"}, &serveIO{Stdin: inR, Stdout: io.Discard, Stderr: &logs})
	}()
	cancel() // while serve waits for input
	assert.Equal(t, 0, <-codes, logs.String())
}

func writeTestFile(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o644)
}

// TestServeStdioFile checks the shutdown of stdio mode when stdin is a real file, whose read
// cannot be interrupted: serve returns without waiting for input.
func TestServeStdioFile(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close() // ends the goroutine still reading r
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	codes := make(chan int, 1)
	go func() {
		codes <- serve(ctx, []string{"--stdio"}, &serveIO{Stdin: r, Stdout: io.Discard, Stderr: &logs})
	}()
	cancel()
	assert.Equal(t, 0, <-codes, logs.String())
}

// TestServeProtocolEra: --protocol-era restricts what serve's endpoint speaks; call follows.
func TestServeProtocolEra(t *testing.T) {
	modern := startServe(t, "--protocol-era", "2026").base + "/mcp"
	code, stdout, stderr := runCmd(t, runCall, modern, "echo", `{"text":"new"}`)
	require.Equal(t, codeOK, code, stderr)
	assert.Equal(t, "new\n", stdout)
	code, _, stderr = runCmd(t, runCall, modern, "echo", `{"text":"old"}`, "--protocol-version", "2025-11-25")
	assert.Equal(t, codeProtocol, code)
	assert.Contains(t, stderr, "minimcp: initialize: HTTP 400: Unsupported protocol version: 2025-11-25 (the server supports 2026-07-28)")

	legacy := startServe(t, "--protocol-era", "2025", "--stateless").base + "/mcp"
	code, stdout, stderr = runCmd(t, runCall, legacy, "echo", `{"text":"old"}`)
	require.Equal(t, codeOK, code, stderr)
	assert.Equal(t, "old\n", stdout)

	code, _, stderr = runCmd(t, runServe, "--protocol-era", "2027")
	assert.Equal(t, codeUsage, code)
	assert.Contains(t, stderr, "--protocol-era")
	assert.Contains(t, stderr, "want all, 2025 (initialize: 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05) or 2026 (per request: 2026-07-28)")
}
