package server_test

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// scrape reads h's /metrics and returns every sample by its series ("name{labels}"), after
// checking that each line is a comment or a sample and that each family is declared once.
func scrape(t *testing.T, h http.Handler) map[string]float64 {
	t.Helper()
	w := do(h, getReq(http.MethodGet, "/metrics"))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "text/plain; version=0.0.4; charset=utf-8", w.Header().Get("Content-Type"))
	got := map[string]float64{}
	types := map[string]bool{}
	sc := bufio.NewScanner(w.Body)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, _, _ = strings.Cut(name, " ")
			require.False(t, types[name], "family %s declared twice", name)
			types[name] = true
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		require.Positive(t, i, line)
		v, err := strconv.ParseFloat(line[i+1:], 64)
		require.NoError(t, err, line)
		_, dup := got[line[:i]]
		require.False(t, dup, "series %s written twice", line[:i])
		got[line[:i]] = v
	}
	return got
}

func getReq(method, target string) *http.Request {
	r, _ := http.NewRequest(method, "http://localhost"+target, nil)
	r.Host = "localhost"
	return r
}

// failingEvents is an event store whose appends fail.
type failingEvents struct{ server.MemoryEventStore }

func (*failingEvents) Append(context.Context, string, string, []byte) (string, error) {
	return "", errors.New("event store down")
}

// TestMetrics: requests are counted by method and outcome and timed, refusals by reason,
// store errors by store; sessions and open SSE streams are reported while they last.
func TestMetrics(t *testing.T) {
	met := server.NewMetrics()
	srv := mcp.NewServer(nil, &mcp.ServerOptions{Middleware: []mcp.Middleware{met.Middleware()}})
	mcp.AddTool(srv, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.Request, in struct {
		Text string `json:"text"`
	}) (string, error) {
		return in.Text, nil
	})
	started, hold := make(chan struct{}), make(chan struct{})
	mcp.AddTool(srv, &mcp.Tool{Name: "hold"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		_ = req.Log(ctx, mcp.LevelInfo, "t", "streaming") // upgrades the answer to SSE
		close(started)
		<-hold
		return "held", nil
	})
	h := server.New(srv, &server.Options{Metrics: met, MetricsPath: "/metrics", MaxSessions: 2, MaxSessionsPerPrincipal: 1, MaxBodyBytes: 1 << 10,
		Logger:       slog.New(slog.DiscardHandler),
		AllowedHosts: []string{"example.com", "localhost"}, Authenticate: principalAuth, Events: &failingEvents{}})
	defer h.Shutdown(context.Background())
	as := func(r *http.Request) *http.Request { r.Header.Set("X-Principal", "p"); return r }

	w := do(h, as(req(http.MethodPost, initBody, "")))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	sid := w.Header().Get("Mcp-Session-Id")
	require.Equal(t, http.StatusAccepted, do(h, as(req(http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, sid))).Code)
	require.Equal(t, http.StatusOK, do(h, as(req(http.MethodPost, call(2, "echo", `{"text":"a"}`), sid))).Code)
	require.Equal(t, http.StatusOK, do(h, as(req(http.MethodPost, call(3, "echo", `{"text":"b"}`), sid))).Code)
	require.Equal(t, http.StatusOK, do(h, as(req(http.MethodPost, call(4, "nope", `{}`), sid))).Code)
	require.Equal(t, http.StatusOK, do(h, as(req(http.MethodPost, `{"jsonrpc":"2.0","id":5,"method":"nope/nope"}`, sid))).Code)

	// Refusals, one of each reason the test can provoke.
	assert.Equal(t, http.StatusForbidden, do(h, as(req(http.MethodPost, call(6, "echo", `{}`), sid, "Host", "evil.example"))).Code)
	assert.Equal(t, http.StatusForbidden, do(h, as(req(http.MethodPost, call(6, "echo", `{}`), sid, "Origin", "https://evil.example"))).Code)
	assert.Equal(t, http.StatusUnauthorized, do(h, req(http.MethodPost, call(6, "echo", `{}`), sid)).Code)
	assert.Equal(t, http.StatusRequestEntityTooLarge, do(h, as(req(http.MethodPost, call(6, "echo", `{"text":"`+strings.Repeat("x", 2<<10)+`"}`), sid))).Code)
	assert.Equal(t, http.StatusTooManyRequests, do(h, as(req(http.MethodPost, initBody, ""))).Code, "MaxSessionsPerPrincipal 1")
	require.Equal(t, http.StatusOK, do(h, req(http.MethodPost, initBody, "", "X-Principal", "q")).Code)
	assert.Equal(t, http.StatusServiceUnavailable, do(h, req(http.MethodPost, initBody, "", "X-Principal", "r")).Code, "MaxSessions 2")
	assert.Equal(t, http.StatusNotFound, do(h, as(req(http.MethodPost, call(6, "echo", `{}`), "no-such-session"))).Code)
	assert.Equal(t, http.StatusUnsupportedMediaType, do(h, as(req(http.MethodPost, call(6, "echo", `{}`), sid, "Content-Type", "text/plain"))).Code)
	assert.Equal(t, http.StatusBadRequest, do(h, as(modernReq(modernCall(7, "echo", `{}`, ""), "tools/call", ""))).Code, "Mcp-Name missing")

	// While a call streams its answer, one SSE stream is open.
	var wg sync.WaitGroup
	wg.Go(func() {
		w := do(h, as(req(http.MethodPost, call(8, "hold", `{}`), sid)))
		assert.Equal(t, "text/event-stream", w.Header().Get("Content-Type"))
	})
	<-started
	got := scrape(t, h)
	assert.Equal(t, 1.0, got["minimcp_sse_streams"])
	assert.Equal(t, 2.0, got["minimcp_sessions"])
	close(hold)
	wg.Wait()

	got = scrape(t, h)
	for series, want := range map[string]float64{
		`minimcp_requests_total{method="initialize",outcome="ok"}`:                2,
		`minimcp_requests_total{method="notifications/initialized",outcome="ok"}`: 1,
		`minimcp_requests_total{method="tools/call",outcome="ok"}`:                3,
		`minimcp_requests_total{method="tools/call",outcome="invalid_params"}`:    1,
		`minimcp_requests_total{method="tools/call",outcome="rejected"}`:          1,
		`minimcp_requests_total{method="other",outcome="method_not_found"}`:       1,
		`minimcp_request_duration_seconds_count{method="tools/call"}`:             4,
		`minimcp_request_duration_seconds_bucket{method="tools/call",le="+Inf"}`:  4,
		`minimcp_request_duration_seconds_count{method="initialize"}`:             2,
		`minimcp_rejections_total{reason="host"}`:                                 1,
		`minimcp_rejections_total{reason="origin"}`:                               1,
		`minimcp_rejections_total{reason="auth"}`:                                 1,
		`minimcp_rejections_total{reason="size"}`:                                 1,
		`minimcp_rejections_total{reason="session_cap"}`:                          1,
		`minimcp_rejections_total{reason="session_unknown"}`:                      1,
		`minimcp_rejections_total{reason="protocol"}`:                             2,
		`minimcp_rejections_total{reason="quota"}`:                                1,
		`minimcp_rejections_total{reason="draining"}`:                             0,
		`minimcp_store_errors_total{store="events"}`:                              2, // the log and the result
		`minimcp_store_errors_total{store="sessions"}`:                            0,
		`minimcp_sessions`:          2,
		`minimcp_sse_streams`:       0,
		`minimcp_listen_streams`:    0,
		`minimcp_event_store_bytes`: 0,
	} {
		assert.Equal(t, want, got[series], series)
	}
	assert.Positive(t, got[`minimcp_request_duration_seconds_sum{method="tools/call"}`])
	assert.LessOrEqual(t, got[`minimcp_request_duration_seconds_bucket{method="tools/call",le="0.0001"}`],
		got[`minimcp_request_duration_seconds_bucket{method="tools/call",le="300"}`], "cumulative")
	_, unknown := got[`minimcp_requests_total{method="nope/nope",outcome="method_not_found"}`]
	assert.False(t, unknown, "a method the protocol does not know is no label")
}

// TestMetricsEventStoreBytes: the bytes an in-memory event store holds are reported.
func TestMetricsEventStoreBytes(t *testing.T) {
	met := server.NewMetrics()
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{Metrics: met, MetricsPath: "/metrics"})
	defer h.Shutdown(context.Background())
	sid := initialize(t, h)
	w := do(h, req(http.MethodPost, call(2, "notify", `{}`), sid))
	require.Equal(t, "text/event-stream", w.Header().Get("Content-Type"))
	assert.Positive(t, scrape(t, h)["minimcp_event_store_bytes"])
}

// TestMetricsNotServed: without MetricsPath the handler serves no /metrics; the Metrics
// serves itself.
func TestMetricsNotServed(t *testing.T) {
	met := server.NewMetrics()
	h := server.New(newTestServer().Server, &server.Options{Metrics: met})
	defer h.Shutdown(context.Background())
	assert.Equal(t, http.StatusNotFound, do(h, getReq(http.MethodGet, "/metrics")).Code)
	got := scrape(t, met)
	assert.Equal(t, 0.0, got[`minimcp_rejections_total{reason="auth"}`])
}

// BenchmarkMetricsMiddleware: what counting a request costs.
func BenchmarkMetricsMiddleware(b *testing.B) {
	met := server.NewMetrics()
	mw := met.Middleware()(func(context.Context, *mcp.Request) (any, error) { return nil, nil })
	req := &mcp.Request{Method: mcp.MethodToolsCall}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = mw(ctx, req)
	}
}

// TestMetricsAuth: with Options.Auth, a request without a valid token counts as refused for
// "auth", one whose token lacks the tool's scope for "scope" (and as a rejected tools/call).
func TestMetricsAuth(t *testing.T) {
	met := server.NewMetrics()
	h := server.New(scopedTestServer(), authOpts(&tokenTable{}, func(o *server.Options) {
		o.Stateless, o.Metrics, o.MetricsPath = true, met, "/metrics"
	}))
	defer h.Shutdown(context.Background())
	assert.Equal(t, http.StatusUnauthorized, do(h, req(http.MethodPost, call(1, "write", `{}`), "")).Code)
	assert.Equal(t, http.StatusUnauthorized, do(h, req(http.MethodPost, call(1, "write", `{}`), "", bearer("nope")...)).Code)
	assert.Equal(t, http.StatusForbidden, do(h, req(http.MethodPost, call(1, "write", `{}`), "", bearer("tok-ann-files:read")...)).Code)
	assert.Equal(t, http.StatusOK, do(h, req(http.MethodPost, call(1, "write", `{}`), "", bearer("tok-ann-files:read+files:write")...)).Code)
	got := scrape(t, met)
	assert.Equal(t, 2.0, got[`minimcp_rejections_total{reason="auth"}`])
	assert.Equal(t, 1.0, got[`minimcp_rejections_total{reason="scope"}`])
	assert.Equal(t, 1.0, got[`minimcp_requests_total{method="tools/call",outcome="rejected"}`])
}
