package server_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

const (
	hdrParent  = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"
	metaParent = "00-11111111111111111111111111111111-2222222222222222-01"
)

// traceSpy returns a server whose "trace" tool, and whose middleware, record the trace
// context they find in their context.
func traceSpy() (*mcp.Server, func() (tool, mw mcp.TraceContext)) {
	var (
		mu          sync.Mutex
		fromTool, m mcp.TraceContext
	)
	spy := func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, req *mcp.Request) (any, error) {
			if req.Method == mcp.MethodToolsCall {
				mu.Lock()
				m = mcp.TraceContextFrom(ctx)
				mu.Unlock()
			}
			return next(ctx, req)
		}
	}
	srv := mcp.NewServer(nil, &mcp.ServerOptions{Middleware: []mcp.Middleware{spy}})
	mcp.AddTool(srv, &mcp.Tool{Name: "trace"}, func(ctx context.Context, _ *mcp.Request, _ struct{}) (string, error) {
		mu.Lock()
		fromTool = mcp.TraceContextFrom(ctx)
		mu.Unlock()
		return "ok", nil
	})
	return srv, func() (mcp.TraceContext, mcp.TraceContext) {
		mu.Lock()
		defer mu.Unlock()
		return fromTool, m
	}
}

// TestTraceHeaders: the traceparent, tracestate and baggage headers of a POST reach the
// handler and the middleware of a 2025 request, stateful and stateless, through the context;
// at 2026-07-28 the _meta's traceparent wins over the header's, and the header serves when
// _meta has none. A repeated traceparent is none; malformed ones are ignored.
func TestTraceHeaders(t *testing.T) {
	srv, got := traceSpy()
	want := mcp.TraceContext{TraceParent: hdrParent, TraceState: "rojo=1,congo=2", Baggage: "k=v"}
	for _, tt := range []struct {
		name string
		opts server.Options
	}{{"stateful", server.Options{}}, {"stateless", server.Options{Stateless: true}}} {
		t.Run(tt.name, func(t *testing.T) {
			h := server.New(srv, &tt.opts)
			defer h.Shutdown(context.Background())
			sid := ""
			if !tt.opts.Stateless {
				sid = initialize(t, h)
			}
			r := req(http.MethodPost, call(2, "trace", `{}`), sid, "Traceparent", hdrParent, "Baggage", "k=v", "MCP-Protocol-Version", "2025-11-25")
			r.Header.Add("Tracestate", "rojo=1")
			r.Header.Add("Tracestate", "congo=2")
			w := do(h, r)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			tool, mw := got()
			assert.Equal(t, want, tool)
			assert.Equal(t, want, mw)

			r = req(http.MethodPost, call(3, "trace", `{}`), sid, "Traceparent", hdrParent, "MCP-Protocol-Version", "2025-11-25")
			r.Header.Add("Traceparent", hdrParent)
			require.Equal(t, http.StatusOK, do(h, r).Code)
			tool, _ = got()
			assert.Equal(t, mcp.TraceContext{}, tool, "a repeated traceparent is none")

			require.Equal(t, http.StatusOK, do(h, req(http.MethodPost, call(4, "trace", `{}`), sid, "Traceparent", "00-nope", "MCP-Protocol-Version", "2025-11-25")).Code)
			tool, _ = got()
			assert.Equal(t, mcp.TraceContext{}, tool)

			w = do(h, modernReq(modernCall(5, "trace", `{}`, `"traceparent":"`+metaParent+`"`), "tools/call", "trace", "Traceparent", hdrParent))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			tool, mw = got()
			assert.Equal(t, metaParent, tool.TraceParent, "_meta wins at 2026-07-28")
			assert.Equal(t, metaParent, mw.TraceParent)

			w = do(h, modernReq(modernCall(6, "trace", `{}`, ""), "tools/call", "trace", "Traceparent", hdrParent))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			tool, _ = got()
			assert.Equal(t, hdrParent, tool.TraceParent, "the header when _meta has none")
		})
	}
}

// TestMiddlewareStdio: middleware runs around the requests and notifications of a stdio
// stream, in its session and at 2026-07-28, and sees the stream's principal.
func TestMiddlewareStdio(t *testing.T) {
	var (
		mu  sync.Mutex
		saw []string
	)
	mw := func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, req *mcp.Request) (any, error) {
			res, err := next(ctx, req)
			mu.Lock()
			saw = append(saw, strings.Join([]string{req.Method, req.Target(), req.ProtocolVersion(), req.Principal(),
				mcp.Outcome(req, err), boolStr(req.SessionID() != "")}, " "))
			mu.Unlock()
			return res, err
		}
	}
	srv := mcp.NewServer(nil, &mcp.ServerOptions{Middleware: []mcp.Middleware{mw}})
	mcp.AddTool(srv, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.Request, in struct {
		Text string `json:"text"`
	}) (string, error) {
		return in.Text, nil
	})
	lines := []string{
		initBody,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		call(2, "echo", `{"text":"x"}`),
		modernCall(3, "echo", `{"text":"y"}`, ""),
	}
	var out strings.Builder
	require.NoError(t, server.ServeStdio(t.Context(), srv, strings.NewReader(strings.Join(lines, "\n")+"\n"), &out,
		&server.StdioOptions{Principal: "local", Concurrency: 1}))
	mu.Lock()
	defer mu.Unlock()
	assert.ElementsMatch(t, []string{
		// The stream is one session, which has no id.
		"initialize  2025-11-25 local ok none",
		"notifications/initialized  2025-11-25 local ok none",
		"tools/call echo 2025-11-25 local ok none",
		"tools/call echo 2026-07-28 local ok none",
	}, saw)
}

func boolStr(session bool) string {
	if session {
		return "session"
	}
	return "none"
}
