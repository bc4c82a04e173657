package main

import (
	"bytes"
	"cmp"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/minimcp/minimcp/internal/builtin"
	"github.com/minimcp/minimcp/internal/fakemcp"
	"github.com/minimcp/minimcp/internal/loadgen"
	"github.com/minimcp/minimcp/internal/mcphttp"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBenchJSON runs bench with --json and decodes the report.
func runBenchJSON(t *testing.T, args ...string) (int, *loadgen.Report, string) {
	t.Helper()
	code, stdout, stderr := runCmd(t, runBench, append(args, "--json")...)
	var rep loadgen.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep), "stdout: %s\nstderr: %s", stdout, stderr)
	return code, &rep, stderr
}

// checkLatency checks that the latency summary is ordered and positive.
func checkLatency(t *testing.T, l loadgen.LatencyReport) {
	t.Helper()
	assert.Positive(t, l.Min)
	assert.LessOrEqual(t, l.Min, l.P50)
	assert.LessOrEqual(t, l.P50, l.P90)
	assert.LessOrEqual(t, l.P90, l.P99)
	assert.LessOrEqual(t, l.P99, l.Max)
	assert.LessOrEqual(t, l.Min, l.Mean)
	assert.LessOrEqual(t, l.Mean, l.Max)
}

func TestBenchModes(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode string
		opts fakemcp.Options
	}{
		{"stateless/json", "stateless", fakemcp.Options{}},
		{"stateless/sse", "stateless", fakemcp.Options{SSE: true}},
		{"stateful/json", "stateful", fakemcp.Options{Stateful: true}},
		{"stateful/sse", "stateful", fakemcp.Options{Stateful: true, SSE: true}},
		{"modern/json", "modern", fakemcp.Options{}},
		{"modern/sse", "modern", fakemcp.Options{SSE: true}},
		{"auto/modern", "", fakemcp.Options{}},
		{"auto/stateless", "", fakemcp.Options{Legacy: true}},
		{"auto/stateful", "", fakemcp.Options{Stateful: true, SSE: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, url := fakemcp.Start(t, tc.opts)
			args := []string{url, "-n", "200", "-c", "4"}
			if tc.mode != "" {
				args = append(args, "--mode", tc.mode)
			}
			code, rep, stderr := runBenchJSON(t, args...)
			require.Equal(t, codeOK, code, stderr)
			want := tc.mode
			if want == "" {
				want = "modern"
				if tc.opts.Legacy {
					want = "stateless"
				}
				if tc.opts.Stateful {
					want = "stateful"
				}
				assert.Contains(t, stderr, "minimcp bench: "+want+" mode: the server ")
			}
			assert.Equal(t, int64(200), rep.Requests)
			assert.Equal(t, int64(200), rep.Succeeded)
			assert.Zero(t, rep.Errors)
			assert.Empty(t, rep.ErrorsByKind)
			assert.Empty(t, rep.Replicas, "no X-Served-By, no replica table")
			assert.Equal(t, 4, rep.Concurrency)
			assert.Equal(t, want, rep.Mode)
			assert.Positive(t, rep.Throughput)
			checkLatency(t, rep.Latency)

			minted, deleted, open := f.Stats()
			discover := int64(0)
			if tc.mode == "" {
				discover = 1 // auto asks for server/discover first
			}
			switch {
			case tc.opts.Stateful:
				assert.Equal(t, [3]int{4, 4, 0}, [3]int{minted, deleted, open}, "a session per worker, each ended (auto: the first one is the probe's)")
				assert.Equal(t, discover+int64(4*2+200), f.Posts.Load(), "initialize and initialized per worker, then the measured calls")
			case want == "modern":
				assert.Equal(t, discover+1+200, f.Posts.Load(), "the probe call, then the measured calls")
				h := f.LastHeaders()
				assert.Empty(t, h.Get("Mcp-Session-Id"))
				assert.Equal(t, "2026-07-28", h.Get("Mcp-Protocol-Version"))
				assert.Equal(t, "tools/call", h.Get("Mcp-Method"))
				assert.Equal(t, "echo", h.Get("Mcp-Name"))
				assert.Zero(t, minted)
			default:
				probes := int64(1)
				if tc.mode == "" {
					probes = 4 // server/discover, initialize and initialized, to learn the mode, then the probe call
				}
				assert.Equal(t, probes+200, f.Posts.Load(), "the probes, then the measured calls")
				assert.Empty(t, f.LastHeaders().Get("Mcp-Session-Id"))
				assert.Equal(t, "2025-11-25", f.LastHeaders().Get("Mcp-Protocol-Version"))
			}
		})
	}
}

func TestBenchReplicas(t *testing.T) {
	var backends []string
	for _, name := range []string{"replica-a", "replica-b", "replica-c"} {
		_, url := fakemcp.Start(t, fakemcp.Options{ServedBy: name})
		backends = append(backends, url)
	}
	proxy := startRoundRobin(t, backends...)

	code, rep, stderr := runBenchJSON(t, proxy, "-n", "200", "-c", "4")
	require.Equal(t, codeOK, code, stderr)
	require.Len(t, rep.Replicas, 3)
	var sum int64
	var shares float64
	for i, r := range rep.Replicas {
		assert.Equal(t, []string{"replica-a", "replica-b", "replica-c"}[i], r.Name)
		assert.InDelta(t, 1.0/3, r.Share, 0.02, r.Name)
		assert.Positive(t, r.MeanMs)
		assert.Zero(t, r.Errors)
		sum += r.Requests
		shares += r.Share
	}
	assert.Equal(t, int64(200), sum)
	assert.InDelta(t, 1, shares, 0.002)

	code, stdout, stderr := runCmd(t, runBench, proxy, "-n", "200", "-c", "4")
	require.Equal(t, codeOK, code, stderr)
	t.Logf("text report:\n%s", stdout)
	for _, name := range []string{"replica-a", "replica-b", "replica-c"} {
		assert.Regexp(t, `(?m)^  `+name+`  +\d+  +\d+\.\d%  +\S+  █+$`, stdout)
	}
	asJSON, _ := json.MarshalIndent(rep, "", "  ")
	t.Logf("JSON report:\n%s", asJSON)
}

func TestBenchErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   fakemcp.Options
		n      int64 // requests; 50 if zero
		args   []string
		kinds  map[string]int64
		stderr string
	}{
		{
			name:  "every 10th request fails with 503",
			opts:  fakemcp.Options{FailEvery: 10, ServedBy: "solo"},
			n:     200,
			kinds: map[string]int64{"http_503": 20},
		},
		{
			name:  "the tool fails",
			args:  []string{"--tool", "fail", "--args", "{}"},
			kinds: map[string]int64{"tool_error": 50},
		},
		{
			name:   "unknown tool",
			args:   []string{"--tool", "nope"},
			kinds:  map[string]int64{"jsonrpc_-32602": 50},
			stderr: "minimcp: bench: warning: the first request failed: tools/call: jsonrpc error -32602",
		},
		{
			name:   "stateless requests to a stateful server",
			opts:   fakemcp.Options{Stateful: true},
			args:   []string{"--mode", "stateless"},
			kinds:  map[string]int64{"http_400": 50},
			stderr: "HTTP 400: missing MCP-Session-Id (does the server need a session? try --mode stateful)",
		},
		{
			name:  "sessions expire",
			opts:  fakemcp.Options{Stateful: true, ExpireOn: "tools/call"},
			args:  []string{"--mode", "stateful"},
			kinds: map[string]int64{"http_404": 50},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, url := fakemcp.Start(t, tc.opts)
			n := cmp.Or(tc.n, 50)
			code, rep, stderr := runBenchJSON(t, append([]string{url, "-n", strconv.FormatInt(n, 10), "-c", "4"}, tc.args...)...)
			assert.Equal(t, codeFailed, code, stderr)
			assert.Equal(t, n, rep.Requests)
			assert.Equal(t, tc.kinds, rep.ErrorsByKind)
			var errs int64
			for _, n := range tc.kinds {
				errs += n
			}
			assert.Equal(t, errs, rep.Errors)
			assert.Equal(t, n-errs, rep.Succeeded)
			if tc.stderr != "" {
				assert.Contains(t, stderr, tc.stderr)
			}
			if tc.opts.ServedBy != "" {
				require.Len(t, rep.Replicas, 1)
				assert.Equal(t, loadgen.ReplicaReport{Name: "solo", Requests: n, Share: 1, MeanMs: rep.Replicas[0].MeanMs, Errors: errs}, rep.Replicas[0])
			}
			if tc.opts.ExpireOn != "" {
				minted, _, open := f.Stats()
				assert.Equal(t, 4+int(n), minted, "a new session after each 404")
				assert.Zero(t, open)
			}
		})
	}

	t.Run("text report", func(t *testing.T) {
		_, url := fakemcp.Start(t, fakemcp.Options{FailEvery: 10})
		code, stdout, stderr := runCmd(t, runBench, url, "-n", "200", "-c", "4")
		assert.Equal(t, codeFailed, code, stderr)
		assert.Contains(t, stdout, "Errors      20 (10.0%)\n  http_503  20\n")
		t.Logf("text report:\n%s", stdout)
	})
}

func TestBenchUnreachable(t *testing.T) {
	for _, mode := range []string{"stateless", "stateful", "auto"} {
		t.Run(mode, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, runBench, fakemcp.ClosedURL(t), "-n", "10", "--mode", mode)
			assert.Equal(t, codeProtocol, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "minimcp: bench: cannot reach the target: ")
		})
	}
}

// TestBenchInitializeHint: when --mode auto's initialize fails, the hint names what fixes
// it: the token for a 401, nothing for a 403 (minimcp's refusal of a Host or an Origin, which
// its message explains) or for a server that did not answer (stateless mode would not reach
// it either), and --mode stateless only for a server that answered initialize with another
// error.
func TestBenchInitializeHint(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int // 0: nothing listens
		hint, not string
	}{
		{"unauthorized", http.StatusUnauthorized, "(give the server's bearer token with --auth-token or MINIMCP_AUTH_TOKEN)", "--mode stateless"},
		{"forbidden: the server says why", http.StatusForbidden, "HTTP 403: ", "(to skip initialize"},
		{"forbidden: no token hint", http.StatusForbidden, "HTTP 403: ", "--auth-token"},
		{"no server", 0, "", "--mode stateless"},
		{"initialize refused", http.StatusBadRequest, "(to skip initialize, give --mode stateless)", "--auth-token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := fakemcp.ClosedURL(t)
			if tc.status != 0 {
				_, url = fakemcp.Start(t, fakemcp.Options{FailEvery: 1, FailStatus: tc.status})
			}
			code, _, stderr := runCmd(t, runBench, url, "-n", "10", "--mode", "auto")
			assert.Equal(t, codeProtocol, code)
			assert.Contains(t, stderr, "minimcp: bench: cannot reach the target: ")
			assert.Contains(t, stderr, tc.hint)
			assert.NotContains(t, stderr, tc.not)
		})
	}
}

func TestBenchUsage(t *testing.T) {
	const url = "http://127.0.0.1:1/mcp" // never contacted
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no URL", nil, "missing URL (usage: minimcp bench [flags] URL)"},
		{"two URLs", []string{url, url}, `unexpected argument "http://127.0.0.1:1/mcp"`},
		{"bad URL", []string{"127.0.0.1:8080"}, `"127.0.0.1:8080" has no scheme; did you mean http://127.0.0.1:8080?`},
		{"duration over 1h", []string{"-d", "2h", url}, "--duration 2h0m0s is out of range: want up to 1h0m0s"},
		{"negative duration", []string{"--duration", "-1s", url}, "--duration -1s is out of range"},
		{"zero duration", []string{"-d", "0s", url}, "--duration must be positive"},
		{"too many requests", []string{"-n", "100000001", url}, "--requests 100000001 is out of range: want 1 to 100000000"},
		{"zero requests", []string{"-n", "0", url}, "--requests must be at least 1"},
		{"both -n and -d", []string{"-n", "5", "-d", "1s", url}, "give --requests (-n) or --duration (-d), not both"},
		{"zero concurrency", []string{"-c", "0", url}, "--concurrency 0 is out of range: want 1 to 10000"},
		{"huge concurrency", []string{"--concurrency", "10001", url}, "--concurrency 10001 is out of range"},
		{"bad mode", []string{"--mode", "sticky", url}, `--mode "sticky": want auto, modern, stateless or stateful`},
		{"unknown version", []string{"--protocol-version", "2027-01-01", url}, `--protocol-version "2027-01-01": want one of 2026-07-28, 2025-11-25`},
		{"modern with a 2025 version", []string{"--mode", "modern", "--protocol-version", "2025-11-25", url}, "--mode modern sends per-request versions (2026-07-28); 2025-11-25 is negotiated by initialize"},
		{"stateful with 2026-07-28", []string{"--mode", "stateful", "--protocol-version", "2026-07-28", url}, "--mode stateful sends the versions initialize negotiates; 2026-07-28 is per request (--mode modern)"},
		{"args not an object", []string{"--args", "[1]", url}, `--args "[1]" is not a JSON object`},
		{"args not JSON", []string{"--args", "{", url}, "is not a JSON object"},
		{"empty tool", []string{"--tool", "", url}, "--tool must not be empty"},
		{"zero timeout", []string{"--timeout", "0s", url}, "--timeout 0s is out of range"},
		{"negative warmup", []string{"--warmup", "-1s", url}, "--warmup -1s is out of range"},
		{"unknown flag", []string{"--rate", "5", url}, "unknown flag --rate"},
		{"not a number", []string{"-c", "many", url}, `invalid value "many" for -c: want a whole number`},
		{"bad header", []string{"--header", "x", url}, `header "x": want 'Name: value'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, runBench, tc.args...)
			assert.Equal(t, codeUsage, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.stderr)
			assert.True(t, strings.HasPrefix(stderr, "minimcp bench: "), stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %s", stderr)
		})
	}

	code, _, stderr := runCmd(t, runBench, "--help")
	assert.Equal(t, codeOK, code)
	assert.Contains(t, stderr, "--concurrency  [MINIMCP_CONCURRENCY] (default 16)")
}

func TestBenchFlags(t *testing.T) {
	const url = "http://127.0.0.1:1/mcp"
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want benchConfig
	}{
		{
			name: "defaults",
			want: benchConfig{Config: loadgen.Config{Concurrency: 16, Duration: 10 * time.Second, Mode: "auto", Tool: "echo", Args: []byte(`{"text":"hello"}`), Timeout: 10 * time.Second}},
		},
		{
			name: "short names",
			args: []string{"-c", "3", "-n", "7"},
			want: benchConfig{Config: loadgen.Config{Concurrency: 3, Requests: 7, Mode: "auto", Tool: "echo", Args: []byte(`{"text":"hello"}`), Timeout: 10 * time.Second}},
		},
		{
			name: "long names, flags after the URL",
			args: []string{"--concurrency", "5", "--duration", "3s", "--mode", "stateful", "--tool", "add", "--args", ` {"a":1} `, "--timeout", "2s", "--warmup", "1s", "--json"},
			want: benchConfig{Config: loadgen.Config{Concurrency: 5, Duration: 3 * time.Second, Mode: "stateful", Tool: "add", Args: []byte(`{"a":1}`), Timeout: 2 * time.Second, Warmup: time.Second}, json: true},
		},
		{
			name: "environment",
			env:  map[string]string{"MINIMCP_CONCURRENCY": "8", "MINIMCP_REQUESTS": "50", "MINIMCP_MODE": "stateful"},
			want: benchConfig{Config: loadgen.Config{Concurrency: 8, Requests: 50, Mode: "stateful", Tool: "echo", Args: []byte(`{"text":"hello"}`), Timeout: 10 * time.Second}},
		},
		{
			name: "a short flag beats the long name's environment variable",
			env:  map[string]string{"MINIMCP_CONCURRENCY": "8"},
			args: []string{"-c", "2"},
			want: benchConfig{Config: loadgen.Config{Concurrency: 2, Duration: 10 * time.Second, Mode: "auto", Tool: "echo", Args: []byte(`{"text":"hello"}`), Timeout: 10 * time.Second}},
		},
		{
			name: "-d on the command line beats MINIMCP_REQUESTS",
			env:  map[string]string{"MINIMCP_REQUESTS": "50"},
			args: []string{"-d", "2s"},
			want: benchConfig{Config: loadgen.Config{Concurrency: 16, Duration: 2 * time.Second, Mode: "auto", Tool: "echo", Args: []byte(`{"text":"hello"}`), Timeout: 10 * time.Second}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stderr bytes.Buffer
			cfg, code := parseBenchArgs(append([]string{url}, tc.args...), &stderr)
			require.NotNil(t, cfg, "exit %d: %s", code, stderr.String())
			tc.want.URL, tc.want.Version = url, version
			assert.Equal(t, &tc.want, cfg)
		})
	}
}

// TestBenchRealReplicas runs bench against three real minimcp handlers (the built-in tools,
// stateless) behind a round-robin proxy: zero errors, and the per-replica table.
func TestBenchRealReplicas(t *testing.T) {
	var backends []string
	for _, name := range []string{"replica-a", "replica-b", "replica-c"} {
		srv, _ := builtin.New(&mcp.ServerOptions{}, version)
		h := server.New(srv, &server.Options{Stateless: true, ReplicaID: name})
		hs := httptest.NewServer(h)
		t.Cleanup(func() {
			require.NoError(t, h.Shutdown(context.Background()))
			hs.Close()
		})
		backends = append(backends, hs.URL+"/mcp")
	}
	proxy := startRoundRobin(t, backends...)
	code, rep, stderr := runBenchJSON(t, proxy, "-n", "300", "-c", "6", "--tool", "echo", "--args", `{"text":"hi"}`)
	require.Equal(t, codeOK, code, stderr)
	assert.Equal(t, int64(300), rep.Succeeded)
	assert.Zero(t, rep.Errors)
	require.Len(t, rep.Replicas, 3)
	for _, r := range rep.Replicas {
		assert.InDelta(t, 1.0/3, r.Share, 0.02, r.Name)
	}
}

// TestBenchQuickStart runs the README's quick start in process: `minimcp serve` with its
// defaults (stateful, both eras), then bench with no --mode against it. bench must find out
// that the server offers 2026-07-28 and make no failed request; with a 2025 version pinned it
// must find out that the server keeps sessions.
func TestBenchQuickStart(t *testing.T) {
	r := startServe(t)
	code, rep, stderr := runBenchJSON(t, r.base+"/mcp", "-c", "8", "-n", "400", "--args", `{"text":"hi"}`)
	require.Equal(t, codeOK, code, stderr)
	assert.Equal(t, "modern", rep.Mode)
	assert.Equal(t, int64(400), rep.Succeeded)
	assert.Zero(t, rep.Errors, "%v", rep.ErrorsByKind)

	code, rep, stderr = runBenchJSON(t, r.base+"/mcp", "-c", "8", "-n", "400", "--args", `{"text":"hi"}`, "--protocol-version", "2025-11-25")
	require.Equal(t, codeOK, code, stderr)
	assert.Equal(t, "stateful", rep.Mode)
	assert.Equal(t, int64(400), rep.Succeeded)
	assert.Zero(t, rep.Errors, "%v", rep.ErrorsByKind)
}

// startRoundRobin starts a reverse proxy on 127.0.0.1 that sends each request to the next of
// backends in turn, and returns its URL.
func startRoundRobin(t *testing.T, backends ...string) string {
	t.Helper()
	targets := make([]*url.URL, len(backends))
	for i, b := range backends {
		u, err := url.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		targets[i] = u
	}
	var next atomic.Uint64
	tr := mcphttp.NewHTTPTransport(16)
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			u := targets[(next.Add(1)-1)%uint64(len(targets))]
			pr.Out.URL.Scheme, pr.Out.URL.Host = u.Scheme, u.Host
			pr.Out.Host = ""
		},
		Transport: tr,
	}
	ts := httptest.NewServer(proxy)
	t.Cleanup(func() {
		ts.Close()
		tr.CloseIdleConnections()
	})
	return ts.URL + "/mcp"
}
