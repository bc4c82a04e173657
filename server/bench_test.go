package server_test

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/minimcp/minimcp/server"
)

// BenchmarkIdleSessions opens 10,000 sessions and reports what each idle one costs once they
// are open: heap bytes (after GC) and goroutines. Target: <= 2 KB and 0 goroutines.
func BenchmarkIdleSessions(b *testing.B) {
	const n = 10000
	initReq := strings.NewReader(initBody)
	_ = initReq
	var bytesPer, goroutinesPer float64
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		ts := newTestServer()
		h := server.New(ts.Server, &server.Options{MaxSessions: n, SessionIdleTimeout: time.Hour})
		initialize(b, h) // the sweeper goroutine starts with the first session
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		b.StartTimer()
		for range n - 1 {
			w := do(h, req(http.MethodPost, initBody, ""))
			if w.Code != http.StatusOK {
				b.Fatalf("initialize: %d %s", w.Code, w.Body)
			}
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		bytesPer = float64(after.HeapAlloc-before.HeapAlloc) / (n - 1)
		goroutinesPer = float64(runtime.NumGoroutine()-g0) / (n - 1)
		if h.SessionCount() != n {
			b.Fatalf("%d sessions, want %d", h.SessionCount(), n)
		}
		runtime.KeepAlive(h)
		_ = h.Shutdown(b.Context())
		b.StartTimer()
	}
	b.ReportMetric(bytesPer, "heap-B/session")
	b.ReportMetric(goroutinesPer, "goroutines/session")
}
