package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// get fetches url and returns its status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestServeMetrics: by default /metrics answers beside the MCP endpoint with what the server
// did, and every request gets an access log line with the replica.
func TestServeMetrics(t *testing.T) {
	r := startServe(t, "--replica-id", "replica-3")
	c := newTestMCP(t, r.base+"/mcp", "")
	c.initialize()
	c.tool(t.Context(), "echo", `{"text":"hi"}`)
	code, body := get(t, r.base+"/metrics")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `minimcp_requests_total{method="tools/call",outcome="ok"} 1`+"\n")
	assert.Contains(t, body, `minimcp_request_duration_seconds_count{method="tools/call"} 1`+"\n")
	assert.Contains(t, body, "minimcp_sessions 1\n")
	assert.Regexp(t, `level=INFO msg="mcp request" replica=replica-3 method=tools/call name=echo outcome=ok duration=[0-9.]+[µnm]?s id=\d+ session=\S+ protocol=2025-11-25`, r.logs.String())
	code, _ = get(t, r.base+"/debug/pprof/")
	assert.Equal(t, http.StatusNotFound, code, "never beside the MCP endpoint")
}

// TestServeMetricsAddr: --metrics-addr moves /metrics to a listener of its own, where --pprof
// serves the profiles too.
func TestServeMetricsAddr(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs, maddrs := make(chan net.Addr, 1), make(chan net.Addr, 1)
	var logs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--pprof", "--log-format", "json"},
			&serveIO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &logs,
				Ready: func(a net.Addr) { addrs <- a }, MetricsReady: func(a net.Addr) { maddrs <- a }})
	}()
	var base, mbase string
	for base == "" || mbase == "" {
		select {
		case a := <-addrs:
			base = "http://" + a.String()
		case a := <-maddrs:
			mbase = "http://" + a.String()
		case code := <-done:
			t.Fatalf("serve exited with %d:\n%s", code, logs.String())
		}
	}
	c := newTestMCP(t, base+"/mcp", "")
	c.initialize()
	c.tool(t.Context(), "add", `{"a":1,"b":2}`)

	code, _ := get(t, base+"/metrics")
	assert.Equal(t, http.StatusNotFound, code)
	code, body := get(t, mbase+"/metrics")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `minimcp_requests_total{method="tools/call",outcome="ok"} 1`+"\n")
	code, body = get(t, mbase+"/debug/pprof/")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "goroutine")
	code, _ = get(t, mbase+"/debug/pprof/goroutine?debug=1")
	assert.Equal(t, http.StatusOK, code)

	// The access log in JSON: the duration as Go writes it.
	var rec map[string]any
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(line, `"msg":"mcp request"`) && strings.Contains(line, `"tools/call"`) {
			require.NoError(t, json.Unmarshal([]byte(line), &rec))
		}
	}
	require.NotNil(t, rec, logs.String())
	assert.Equal(t, "add", rec["name"])
	assert.Regexp(t, `^[0-9.]+[µnm]?s$`, rec["duration"])

	cancel()
	assert.Equal(t, 0, <-done, logs.String())
}

// TestServeObserveOff: --metrics=false serves no /metrics, --access-log=false logs no
// requests, and so does --log-level warn.
func TestServeObserveOff(t *testing.T) {
	for _, args := range [][]string{{"--metrics=false", "--access-log=false"}, {"--log-level", "warn"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := startServe(t, args...)
			c := newTestMCP(t, r.base+"/mcp", "")
			c.initialize()
			c.tool(t.Context(), "echo", `{"text":"x"}`)
			code, _ := get(t, r.base+"/metrics")
			assert.Equal(t, map[bool]int{true: http.StatusNotFound, false: http.StatusOK}[args[0] == "--metrics=false"], code)
			assert.NotContains(t, r.logs.String(), "mcp request")
		})
	}
}

// TestServeObserveFlags: the combinations that make no sense are usage errors.
func TestServeObserveFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--pprof"}, "--pprof needs --metrics-addr"},
		{[]string{"--metrics=false", "--metrics-addr", "127.0.0.1:0"}, "it does not go with --metrics=false"},
		{[]string{"--metrics-addr", "nope"}, `--metrics-addr: want host:port, got "nope"`},
		{[]string{"--path", "/metrics"}, "/metrics is served by minimcp itself"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			code := serve(t.Context(), tt.args, &serveIO{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr})
			assert.Equal(t, codeUsage, code)
			assert.Contains(t, stderr.String(), tt.want)
		})
	}
}

// TestServeStdioMetrics: with --stdio, --metrics-addr is the one HTTP listener: its /metrics
// counts the requests read from stdin, and the access log goes to stderr, never stdout.
func TestServeStdioMetrics(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var logs syncBuffer
	maddrs := make(chan net.Addr, 1)
	codes := make(chan int, 1)
	go func() {
		codes <- serve(context.Background(), []string{"--stdio", "--metrics-addr", "127.0.0.1:0"},
			&serveIO{Stdin: inR, Stdout: outW, Stderr: &logs, MetricsReady: func(a net.Addr) { maddrs <- a }})
		outW.Close()
	}()
	mbase := "http://" + (<-maddrs).String()
	lines := bufio.NewReader(outR)
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}`,
	} {
		_, err := io.WriteString(inW, msg+"\n")
		require.NoError(t, err)
		line, err := lines.ReadString('\n')
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(line, `{"jsonrpc":"2.0","id":`), line)
	}
	code, body := get(t, mbase+"/metrics")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `minimcp_requests_total{method="tools/call",outcome="ok"} 1`+"\n")
	assert.Contains(t, logs.String(), `msg="mcp request"`)
	inW.Close()
	assert.Equal(t, 0, <-codes, logs.String())
	_, _ = io.Copy(io.Discard, outR)
}
