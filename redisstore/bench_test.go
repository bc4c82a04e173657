package redisstore_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/minimcp/minimcp/server"
)

// roundTrips counts the round trips a client makes to Redis: a command or a pipeline each.
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}
func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// discardWriter is an http.ResponseWriter that keeps the status only.
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

// benchHandler returns a Streamable HTTP handler, shut down when b ends, keeping sessions and
// events in memory or, when stores is "redis", in Redis, counting its round trips in rt.
func benchHandler(b *testing.B, stores string, rt *roundTrips) *server.Handler {
	opts := server.Options{KeepAlive: -1}
	if stores == "redis" {
		st := open(b, nil)
		st.Client().AddHook(rt)
		opts.Sessions, opts.Events = st.Sessions(), st.Events()
	}
	h := server.New(newMCPServer(nil), &opts)
	b.Cleanup(func() { _ = h.Shutdown(context.Background()) })
	return h
}

// BenchmarkToolsCall: a tools/call in an existing session, one replica, served in process
// (no network between client and server; Redis on loopback), with the memory stores and with
// the Redis stores. echo answers JSON; notify answers SSE with two notifications first, each
// event stored for resumption. redis-rt/op counts the round trips to Redis per request.
func BenchmarkToolsCall(b *testing.B) {
	for _, tool := range []string{"echo", "notify"} {
		for _, stores := range []string{"memory", "redis"} {
			b.Run(tool+"/"+stores, func(b *testing.B) {
				var rt roundTrips
				h := benchHandler(b, stores, &rt)
				hs := &inProcess{h: h}
				sid := hs.initialize(b)
				body := call(2, tool, `{"text":"hello"}`)
				r, _ := http.NewRequest(http.MethodPost, "/mcp", nil)
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Accept", "application/json, text/event-stream")
				r.Header.Set("MCP-Protocol-Version", "2025-11-25")
				r.Header.Set("Mcp-Session-Id", sid)
				r.RemoteAddr = "127.0.0.1:1234"
				rd := strings.NewReader(body)
				w := &discardWriter{h: http.Header{}}
				rt.n.Store(0)
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
				b.ReportMetric(float64(rt.n.Load())/float64(b.N), "redis-rt/op")
			})
		}
	}
}

// BenchmarkToolsCallParallel is BenchmarkToolsCall's echo with GOMAXPROCS*4 clients at once,
// each in its own session: throughput rather than latency, as a replica serving many clients
// sees it (the round trips to Redis overlap).
func BenchmarkToolsCallParallel(b *testing.B) {
	for _, stores := range []string{"memory", "redis"} {
		b.Run(stores, func(b *testing.B) {
			var rt roundTrips
			h := benchHandler(b, stores, &rt)
			hs := &inProcess{h: h}
			body := call(2, "echo", `{"text":"hello"}`)
			rt.n.Store(0)
			b.ReportAllocs()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				sid := hs.initialize(b)
				r, _ := http.NewRequest(http.MethodPost, "/mcp", nil)
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Accept", "application/json, text/event-stream")
				r.Header.Set("MCP-Protocol-Version", "2025-11-25")
				r.Header.Set("Mcp-Session-Id", sid)
				r.RemoteAddr = "127.0.0.1:1234"
				rd := strings.NewReader(body)
				w := &discardWriter{h: http.Header{}}
				for pb.Next() {
					rd.Reset(body)
					r.Body = io.NopCloser(rd)
					clear(w.h)
					w.code = 0
					h.ServeHTTP(w, r)
					if w.code != http.StatusOK {
						b.Errorf("status %d", w.code)
						return
					}
				}
			})
			b.ReportMetric(float64(rt.n.Load())/float64(b.N), "redis-rt/op")
		})
	}
}

// inProcess drives a handler without a network.
type inProcess struct{ h *server.Handler }

func (p *inProcess) initialize(b *testing.B) string {
	b.Helper()
	do := func(body, sid string) *discardWriter {
		r, _ := http.NewRequest(http.MethodPost, "/mcp", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", "application/json, text/event-stream")
		r.Header.Set("MCP-Protocol-Version", "2025-11-25")
		r.RemoteAddr = net.JoinHostPort("127.0.0.1", "1234")
		if sid != "" {
			r.Header.Set("Mcp-Session-Id", sid)
		}
		w := &discardWriter{h: http.Header{}}
		p.h.ServeHTTP(w, r)
		return w
	}
	w := do(initBody, "")
	sid := w.h.Get("Mcp-Session-Id")
	if w.code != http.StatusOK || sid == "" {
		b.Fatalf("initialize: %d", w.code)
	}
	if w := do(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, sid); w.code != http.StatusAccepted {
		b.Fatalf("initialized: %d", w.code)
	}
	return sid
}
