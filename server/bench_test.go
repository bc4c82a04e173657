package server_test

import (
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// BenchmarkIdleSessions opens 10,000 sessions and reports what each idle one costs once they
// are open: heap bytes (after GC) and goroutines. Target: <= 2 KB and 0 goroutines.
func BenchmarkIdleSessions(b *testing.B) {
	const n = 10000
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

// BenchmarkPostToolsCall measures the handler's share of a tools/call over HTTP (no network):
// request checks, body read, decode, dispatch, encode, in both modes.
func BenchmarkPostToolsCall(b *testing.B) {
	// stateful-polling runs each handler on its own goroutine (Options.Polling); modern sends
	// a 2026-07-28 request, its _meta and standard headers, to the stateless handler;
	// stateful-shared serves the session from stores and a relay given in Options, as
	// replicas sharing them do (in memory here: what the handler adds to a store's own cost,
	// the Load that confirms the session and its timeout); the -metrics modes count into a
	// server.Metrics (its middleware and the handler's counters).
	for _, mode := range []string{"stateless", "stateful", "stateful-polling", "stateful-shared", "modern", "stateless-metrics", "modern-metrics"} {
		b.Run(mode, func(b *testing.B) {
			body := call(2, "echo", `{"text":"hello"}`)
			var met *server.Metrics
			var sopts *mcp.ServerOptions
			if strings.HasSuffix(mode, "-metrics") {
				met = server.NewMetrics()
				sopts = &mcp.ServerOptions{Middleware: []mcp.Middleware{met.Middleware()}}
				mode = strings.TrimSuffix(mode, "-metrics")
			}
			ts := newTestServerWith(sopts)
			opts := &server.Options{Stateless: mode == "stateless" || mode == "modern", Polling: mode == "stateful-polling", Metrics: met}
			if mode == "stateful-shared" {
				opts.Sessions, opts.Events, opts.Relay = &server.MemorySessionStore{}, &server.MemoryEventStore{}, &server.MemoryRelay{}
			}
			h := server.New(ts.Server, opts)
			defer func() { _ = h.Shutdown(b.Context()) }()
			sid := ""
			if strings.HasPrefix(mode, "stateful") {
				sid = initialize(b, h)
			}
			r := req(http.MethodPost, body, sid, "MCP-Protocol-Version", "2025-11-25")
			if mode == "modern" {
				body = modernCall(2, "echo", `{"text":"hello"}`, "")
				r = modernReq(body, "tools/call", "echo")
			}
			rd := strings.NewReader(body)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(body)
				r.Body = io.NopCloser(rd)
				clear(w.h)
				w.code = 0
				h.ServeHTTP(w, r)
				if w.code != http.StatusOK {
					b.Fatalf("status %d", w.code)
				}
			}
		})
	}
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return len(p), nil
}
func (w *discardWriter) WriteHeader(code int) { w.code = code }

// SetReadDeadline and SetWriteDeadline take deadlines as net/http's ResponseWriter does, so
// the benchmark takes the path of a real server (less the connection's timer update).
func (w *discardWriter) SetReadDeadline(time.Time) error  { return nil }
func (w *discardWriter) SetWriteDeadline(time.Time) error { return nil }

// BenchmarkOpenSession measures opening a session: initialize, then notifications/initialized.
func BenchmarkOpenSession(b *testing.B) {
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{MaxSessions: 1 << 30})
	defer func() { _ = h.Shutdown(b.Context()) }()
	w := &discardWriter{h: http.Header{}}
	initR := req(http.MethodPost, initBody, "")
	notif := `{"jsonrpc":"2.0","method":"notifications/initialized"}`
	notifR := req(http.MethodPost, notif, "x")
	rd, rd2 := strings.NewReader(initBody), strings.NewReader(notif)
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(initBody)
		initR.Body = io.NopCloser(rd)
		clear(w.h)
		w.code = 0
		h.ServeHTTP(w, initR)
		notifR.Header["Mcp-Session-Id"] = w.h["Mcp-Session-Id"]
		rd2.Reset(notif)
		notifR.Body = io.NopCloser(rd2)
		w.code = 0
		h.ServeHTTP(w, notifR)
		if w.code != http.StatusAccepted {
			b.Fatalf("status %d", w.code)
		}
	}
}
