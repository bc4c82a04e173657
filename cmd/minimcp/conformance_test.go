package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/cliflag"
)

func TestConformanceFlags(t *testing.T) {
	defRedis := redisConfig{prefix: "minimcp:", timeout: 2 * time.Second, poolSize: 64, sessionMaxAge: 24 * time.Hour, streamMaxLen: 1000, maxFollowers: 256}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want *confConfig // nil: the parse fails
	}{
		{"defaults", nil, nil, &confConfig{redis: defRedis, addr: "127.0.0.1:8080", path: "/mcp"}},
		{"flags", []string{"--addr", "127.0.0.1:0", "--path", "/x", "--stateless", "--log-level", "debug"}, nil,
			&confConfig{redis: defRedis, addr: "127.0.0.1:0", path: "/x", stateless: true, logLevel: slog.LevelDebug}},
		{"env", nil, map[string]string{"MINIMCP_STATELESS": "true", "MINIMCP_ADDR": "127.0.0.1:9"}, &confConfig{redis: defRedis, addr: "127.0.0.1:9", path: "/mcp", stateless: true}},
		{"flag_beats_env", []string{"--addr", "127.0.0.1:1"}, map[string]string{"MINIMCP_ADDR": "127.0.0.1:9"}, &confConfig{redis: defRedis, addr: "127.0.0.1:1", path: "/mcp"}},
		{"era", []string{"--protocol-era", "2026"}, nil, &confConfig{redis: defRedis, addr: "127.0.0.1:8080", path: "/mcp", era: cliflag.EraModern}},
		{"era_env", nil, map[string]string{"MINIMCP_PROTOCOL_ERA": "2025"}, &confConfig{redis: defRedis, addr: "127.0.0.1:8080", path: "/mcp", era: cliflag.EraLegacy}},
		{"bad_era", []string{"--protocol-era", "2027"}, nil, nil},
		{"bad_level", []string{"--log-level", "loud"}, nil, nil},
		{"bad_path", []string{"--path", "mcp"}, nil, nil},
		{"reserved_path", []string{"--path", "/healthz"}, nil, nil},
		{"extra_argument", []string{"extra"}, nil, nil},
		{"redis", []string{"--redis", "redis://:pw@localhost:6380/2", "--redis-prefix", "conf:", "--replica-id", "r1"}, nil,
			&confConfig{addr: "127.0.0.1:8080", path: "/mcp", replicaID: "r1", redis: func() redisConfig {
				r := defRedis
				r.url, r.prefix = "redis://:pw@localhost:6380/2", "conf:"
				return r
			}()}},
		{"redis_env", nil, map[string]string{"MINIMCP_REDIS_URL": "rediss://localhost:6380"}, &confConfig{addr: "127.0.0.1:8080", path: "/mcp", redis: func() redisConfig {
			r := defRedis
			r.url = "rediss://localhost:6380"
			return r
		}()}},
		{"bad_redis", []string{"--redis", "localhost:6379"}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"MINIMCP_ADDR", "MINIMCP_PATH", "MINIMCP_STATELESS", "MINIMCP_LOG_LEVEL", "MINIMCP_PROTOCOL_ERA", "MINIMCP_REDIS_URL"} {
				t.Setenv(k, "") // restored when the test ends
				if v, ok := tc.env[k]; ok {
					require.NoError(t, os.Setenv(k, v))
				} else {
					require.NoError(t, os.Unsetenv(k))
				}
			}
			cfg, code := parseConformanceArgs(tc.args, io.Discard)
			if tc.want == nil {
				assert.Nil(t, cfg)
				assert.Equal(t, 2, code)
				return
			}
			assert.Equal(t, tc.want, cfg)
		})
	}
}

// TestConformanceCommand runs the command as main does: it serves on a free port, answers
// /healthz, and exits 0 when its context is cancelled.
func TestConformanceCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &confSyncBuffer{}
	code := make(chan int, 1) // written once by the command's goroutine
	go func() { code <- runConformance(ctx, []string{"--addr", "127.0.0.1:0"}, out, io.Discard) }()

	var url string
	require.Eventually(t, func() bool {
		line, ok := out.firstLine()
		if ok {
			_, url, _ = strings.Cut(line, "serving ")
			url, _, _ = strings.Cut(url, " ")
		}
		return url != ""
	}, 10*time.Second, 10*time.Millisecond, "the command never said where it serves")
	require.True(t, strings.HasSuffix(url, "/mcp"), url)

	resp, err := http.Get(strings.TrimSuffix(url, "/mcp") + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	// A task that would run for ten minutes: the command stops it when it shuts down (the
	// leak check of TestMain fails the run otherwise).
	assert.Contains(t, confStartTask(t, url), `"resultType":"task"`)
	http.DefaultClient.CloseIdleConnections()

	cancel()
	select {
	case c := <-code:
		assert.Equal(t, 0, c)
	case <-time.After(2 * confShutdownTimeout):
		t.Fatal("the command did not exit after its context was cancelled")
	}
}

// confSyncBuffer is an io.Writer safe for one writer and concurrent readers.
type confSyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer // guarded by mu
}

func (b *confSyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// firstLine returns the first complete line written so far.
func (b *confSyncBuffer) firstLine() (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	line, err := bufio.NewReader(bytes.NewReader(b.buf.Bytes())).ReadString('\n')
	return strings.TrimSpace(line), err == nil
}

// confStartTask starts a long slow_compute task on the conformance server at url, the way a
// 2026-07-28 client that declares the tasks extension does, and returns the answer's body.
func confStartTask(t *testing.T, url string) string {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow_compute","arguments":{"seconds":600},` +
		`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",` +
		`"io.modelcontextprotocol/clientCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}}}}`
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "tools/call")
	req.Header.Set("Mcp-Name", "slow_compute")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	return string(b)
}
