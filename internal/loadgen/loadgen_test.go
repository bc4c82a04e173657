package loadgen

import (
	"bytes"
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/fakemcp"
	"github.com/minimcp/minimcp/internal/mcphttp"
)

func TestErrorKind(t *testing.T) {
	assert.Equal(t, "tool_error", benchErrorKind(errToolResult))
	assert.Equal(t, "tool_error", benchErrorKind(errors.Join(errors.New("x"), errToolResult)))
	assert.Equal(t, "malformed", benchErrorKind(&mcphttp.MalformedReplyError{Reason: "x"}), "else the client's kinds")
}

func TestHistogram(t *testing.T) {
	t.Run("buckets", func(t *testing.T) {
		prev := -1
		check := func(v uint64) {
			i := histIndex(v)
			require.Less(t, i, histBuckets, "v=%d", v)
			require.GreaterOrEqual(t, i, prev, "v=%d: buckets must not go down", v)
			prev = i
			lo, hi := histBounds(i)
			require.LessOrEqual(t, lo, v, "v=%d", v)
			require.GreaterOrEqual(t, hi, v, "v=%d", v)
			require.LessOrEqual(t, hi-lo, v/histSub, "v=%d: bucket wider than 1/%d", v, histSub)
		}
		for v := uint64(0); v < 1000; v++ {
			check(v)
		}
		for v := uint64(1000); v < 1<<histMaxBits; v += v/7 + 1 {
			check(v)
		}
		assert.Equal(t, histBuckets-1, histIndex(math.MaxUint64), "beyond the range clamps to the last bucket")
	})

	t.Run("quantiles", func(t *testing.T) {
		var a, b histogram
		for i := 1; i <= 1000; i++ {
			h := &a
			if i%2 == 0 {
				h = &b
			}
			h.record(time.Duration(i) * time.Microsecond)
		}
		var total histTotal
		total.add(&a)
		total.add(&b)
		total.add(&histogram{})
		assert.Equal(t, uint64(1000), total.n)
		assert.Equal(t, time.Microsecond, total.min)
		assert.Equal(t, time.Millisecond, total.max)
		for _, tc := range []struct {
			q    float64
			want time.Duration
		}{
			{0, time.Microsecond},
			{0.5, 500 * time.Microsecond},
			{0.9, 900 * time.Microsecond},
			{0.99, 990 * time.Microsecond},
			{1, time.Millisecond},
		} {
			got := total.quantile(tc.q)
			assert.InEpsilon(t, float64(tc.want), float64(got), 1.0/histSub, "q=%v: %v", tc.q, got)
		}
		assert.Zero(t, (&histTotal{}).quantile(0.5))
	})
}

func TestShowProgress(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tty    bool
		warmup time.Duration
		want   string
	}{
		{
			name: "plain",
			want: "[1s] 1000 req  1000 req/s  errors 100\n[2s] 2000 req  1000 req/s  errors 200\n[3s] 3000 req  1000 req/s  errors 300\n",
		},
		{
			name: "terminal",
			tty:  true,
			want: "\r[1s] 1000 req  1000 req/s  errors 100\r[2s] 2000 req  1000 req/s  errors 200\r[3s] 3000 req  1000 req/s  errors 300\n",
		},
		{
			name:   "nothing during warmup",
			warmup: 2 * time.Second,
			want:   "[1s] 3000 req  3000 req/s  errors 300\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var (
					out  bytes.Buffer
					reqs atomic.Int64
				)
				stop := make(chan struct{}) // closed by the test to end showProgress
				done := make(chan struct{}) // closed when showProgress has returned
				go func() {
					defer close(done)
					showProgress(stop, &out, tc.tty, time.Second, time.Now().Add(tc.warmup), func() (int64, int64) {
						n := reqs.Load()
						return n, n / 10
					})
				}()
				// 10 requests every 10ms, off the second boundaries: 1000 req/s.
				time.Sleep(5 * time.Millisecond)
				for range 350 {
					reqs.Add(10)
					time.Sleep(10 * time.Millisecond)
				}
				close(stop)
				<-done
				assert.Equal(t, tc.want, out.String())
			})
		})
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestBenchDuration runs a timed bench in a synctest bubble against a fake server that takes
// exactly 7ms a request, so duration, warmup and progress lines come out exact.
func TestBenchDuration(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stopAt   time.Duration // cancel the run's context then; 0 means never
		requests int64
		duration float64
		progress string
	}{
		{
			name: "full run",
			// The probe ends at 7ms and warmup at 1007ms; each worker then starts requests at
			// 1008, 1015, ..., 4004 (the last before 1007+3000), 429 each, the last ending at
			// 4011.
			requests: 2 * 429,
			duration: 3.004,
			progress: "[1s] 284 req  284 req/s  errors 0\n[2s] 570 req  286 req/s  errors 0\n[3s] 856 req  286 req/s  errors 0\n",
		},
		{
			// Interrupted at 2500ms: the requests in flight then are not counted, and the run
			// ends there. Requests ending at 1015, ..., 2499: 213 per worker.
			name:     "interrupted",
			stopAt:   2500 * time.Millisecond,
			requests: 2 * 213,
			duration: 1.493,
			progress: "[1s] 284 req  284 req/s  errors 0\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := fakemcp.NewHandler(fakemcp.Options{ServedBy: "solo"})
				rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
					select {
					case <-time.After(7 * time.Millisecond):
					case <-r.Context().Done():
						return nil, r.Context().Err()
					}
					rec := httptest.NewRecorder()
					f.ServeHTTP(rec, r)
					return rec.Result(), nil
				})
				cfg := &Config{URL: "http://bench.test/mcp", Duration: 3 * time.Second, Concurrency: 2, Warmup: time.Second,
					Mode: "stateless", Args: json.RawMessage(`{"text":"hello"}`), Transport: rt}

				ctx := t.Context()
				if tc.stopAt > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.stopAt)
					defer cancel()
				}
				var progress bytes.Buffer
				rep, err := Run(ctx, cfg, &progress)
				require.NoError(t, err)
				assert.Equal(t, tc.requests, rep.Requests)
				assert.Zero(t, rep.Errors)
				assert.Equal(t, tc.duration, rep.Duration)
				assert.Equal(t, round3(float64(tc.requests)/tc.duration), rep.Throughput)
				assert.Equal(t, tc.stopAt > 0, rep.Interrupted)
				assert.Equal(t, LatencyReport{Min: 7, Mean: 7, P50: 7, P90: 7, P99: 7, Max: 7}, rep.Latency)
				assert.Equal(t, []ReplicaReport{{Name: "solo", Requests: tc.requests, Share: 1, MeanMs: 7}}, rep.Replicas)
				assert.Equal(t, tc.progress, progress.String())
			})
		})
	}
}

// TestBenchTextFormat pins the text report's layout.
func TestBenchTextFormat(t *testing.T) {
	rep := &Report{
		URL: "http://lb/mcp", Mode: "stateless", Tool: "echo", Concurrency: 16,
		Requests: 3000, Succeeded: 2990, Errors: 10, Duration: 1.5, Throughput: 2000,
		Latency:      LatencyReport{Min: 0.25, Mean: 1.1, P50: 1, P90: 2.5, P99: 4.25, Max: 1250},
		ErrorsByKind: map[string]int64{"http_503": 7, "timeout": 3},
		Replicas: []ReplicaReport{
			{Name: "replica-a", Requests: 2000, Share: 0.667, MeanMs: 1.2, Errors: 10},
			{Name: "replica-b", Requests: 1000, Share: 0.333, MeanMs: 0.9},
		},
	}
	var out strings.Builder
	WriteText(&out, rep)
	want := `Target      http://lb/mcp (stateless, tool echo, 16 workers)
Requests    3000 in 1.50s
Throughput  2000.0 req/s
Latency     min 250µs  p50 1.00ms  p90 2.50ms  p99 4.25ms  max 1.25s  (mean 1.10ms)
Errors      10 (0.3%)
  http_503  7
  timeout   3
Replicas
  replica-a  2000   66.7%    1.20ms  ` + strings.Repeat("█", 30) + `  (10 errors)
  replica-b  1000   33.3%     900µs  ` + strings.Repeat("█", 15) + `
`
	assert.Equal(t, want, out.String())
}
