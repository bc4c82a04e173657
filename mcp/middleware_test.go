package mcp_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// seen is what a recording middleware saw of one call.
type seen struct {
	layer, method, target, principal, version, session, outcome string
	notification                                                bool
	err                                                         error
}

// recorder returns a middleware named layer that appends what it sees to *log.
func recorder(layer string, mu *sync.Mutex, log *[]seen) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, req *mcp.Request) (any, error) {
			mu.Lock()
			*log = append(*log, seen{layer: layer + ">"})
			mu.Unlock()
			res, err := next(ctx, req)
			mu.Lock()
			*log = append(*log, seen{layer: "<" + layer, method: req.Method, target: req.Target(), principal: req.Principal(),
				version: req.ProtocolVersion(), session: req.SessionID(), outcome: mcp.Outcome(req, err),
				notification: req.Notification(), err: err})
			mu.Unlock()
			return res, err
		}
	}
}

// TestMiddleware: the middleware of ServerOptions run around every request and notification,
// the first outermost, in a 2025 session and at 2026-07-28 without one, and see the method,
// what it acts on, the principal, the version, the session and the outcome.
func TestMiddleware(t *testing.T) {
	var (
		mu  sync.Mutex
		log []seen
	)
	s := newFixture(&mcp.ServerOptions{Middleware: []mcp.Middleware{recorder("a", &mu, &log), recorder("b", &mu, &log)}})
	sess := s.NewSession("sid-1")
	defer sess.Close()
	sessIn := &mcp.Inbound{Session: sess, Principal: "alice"}
	modernIn := &mcp.Inbound{ProtocolVersion: mcp.Version20260728, Principal: "bob"}

	take := func() []seen {
		mu.Lock()
		defer mu.Unlock()
		l := log
		log = nil
		return l
	}
	last := func(t *testing.T) seen {
		t.Helper()
		l := take()
		require.Len(t, l, 4)
		assert.Equal(t, []string{"a>", "b>", "<b", "<a"}, []string{l[0].layer, l[1].layer, l[2].layer, l[3].layer}, "a outermost")
		assert.Equal(t, l[2].outcome, l[3].outcome)
		return l[3]
	}

	got := handleOne(t, s, sessIn, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`)
	require.Contains(t, got, `"result"`)
	assert.Equal(t, seen{layer: "<a", method: "initialize", principal: "alice", version: "2025-11-25", session: "sid-1", outcome: "ok"}, last(t))

	deliver(t, s, sessIn, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	assert.Equal(t, seen{layer: "<a", method: "notifications/initialized", principal: "alice", version: "2025-11-25", session: "sid-1",
		outcome: "ok", notification: true}, last(t))

	for _, tt := range []struct {
		name, line string
		want       seen
	}{
		{"tool", `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`,
			seen{method: "tools/call", target: "echo", outcome: "ok"}},
		{"tool error", `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"fail","arguments":{}}}`,
			seen{method: "tools/call", target: "fail", outcome: "tool_error"}},
		{"invalid arguments", `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":"x"}}}`,
			seen{method: "tools/call", target: "add", outcome: "tool_error"}},
		{"unknown tool", `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"nope"}}`,
			seen{method: "tools/call", target: "nope", outcome: "invalid_params"}},
		{"prompt", `{"jsonrpc":"2.0","id":5,"method":"prompts/get","params":{"name":"greet","arguments":{"name":"x"}}}`,
			seen{method: "prompts/get", target: "greet", outcome: "ok"}},
		{"resource", `{"jsonrpc":"2.0","id":6,"method":"resources/read","params":{"uri":"test://static-text"}}`,
			seen{method: "resources/read", target: "test://static-text", outcome: "ok"}},
		{"unknown method", `{"jsonrpc":"2.0","id":7,"method":"nope/nope"}`,
			seen{method: "nope/nope", outcome: "method_not_found"}},
	} {
		t.Run("session/"+tt.name, func(t *testing.T) {
			handleOne(t, s, sessIn, tt.line)
			w := tt.want
			w.layer, w.principal, w.version, w.session = "<a", "alice", "2025-11-25", "sid-1"
			got := last(t)
			got.err = nil
			assert.Equal(t, w, got)
		})
		t.Run("modern/"+tt.name, func(t *testing.T) {
			line := strings.TrimSuffix(tt.line, "}") + `,"params":{` + modernMeta + `}}}`
			if strings.Contains(tt.line, `"params":{`) {
				line = strings.Replace(tt.line, `"params":{`, `"params":{`+modernMeta+`},`, 1)
			}
			handleOne(t, s, modernIn, line)
			w := tt.want
			w.layer, w.principal, w.version = "<a", "bob", "2026-07-28"
			got := last(t)
			got.err = nil
			assert.Equal(t, w, got)
		})
	}

	deliver(t, s, modernIn, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{`+modernMeta+`},"requestId":9}}`)
	assert.Equal(t, seen{layer: "<a", method: "notifications/cancelled", principal: "bob", version: "2026-07-28", outcome: "ok", notification: true}, last(t))

	// Client responses are no method call: middleware does not see them.
	_, ok := s.Handle(context.Background(), sessIn, decodeOne(t, `{"jsonrpc":"2.0","id":99,"result":{}}`))
	assert.False(t, ok)
	assert.Empty(t, take())
}

// TestMiddlewareRefuses: a middleware that returns an error without calling next refuses the
// request with that error, and the protocol does not run; a panic in one is -32603 for a
// request and logged for a notification.
func TestMiddlewareRefuses(t *testing.T) {
	ran := false
	deny := func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, req *mcp.Request) (any, error) {
			if req.Target() == "echo" {
				return nil, rpc.NewError(-32042, "denied by policy")
			}
			if req.Method == "tools/list" || req.Method == "notifications/initialized" {
				panic("boom")
			}
			return next(ctx, req)
		}
	}
	var logBuf bytes.Buffer
	s := newFixture(&mcp.ServerOptions{Middleware: []mcp.Middleware{deny},
		Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	mcp.AddTool(s, &mcp.Tool{Name: "spy"}, func(context.Context, *mcp.Request, struct{}) (*mcp.CallToolResult, error) {
		ran = true
		return mcp.TextResult("ran"), nil
	})
	in := &mcp.Inbound{ProtocolVersion: mcp.Version20251125}
	got := handleOne(t, s, in, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}`)
	assert.Equal(t, `{"jsonrpc":"2.0","id":1,"error":{"code":-32042,"message":"denied by policy"}}`, got)
	got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"spy","arguments":{}}}`)
	assert.Contains(t, got, `"ran"`)
	assert.True(t, ran)
	got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":3,"method":"tools/list"}`)
	assert.Contains(t, got, `"code":-32603`)
	deliver(t, s, in, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	assert.Contains(t, logBuf.String(), "panic handling a notification")
}

// TestMiddlewareNil: a nil middleware is a programmer's error, refused by NewServer.
func TestMiddlewareNil(t *testing.T) {
	assert.PanicsWithValue(t, "mcp: NewServer: ServerOptions.Middleware[1] is nil", func() {
		mcp.NewServer(nil, &mcp.ServerOptions{Middleware: []mcp.Middleware{func(n mcp.MethodHandler) mcp.MethodHandler { return n }, nil}})
	})
}

// TestMiddlewareTrace: the trace context reaches middleware through the request and the
// context, from _meta or from the transport.
func TestMiddlewareTrace(t *testing.T) {
	const parent = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"
	var fromReq, fromCtx mcp.TraceContext
	mw := func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, req *mcp.Request) (any, error) {
			fromReq, fromCtx = req.TraceContext(), mcp.TraceContextFrom(ctx)
			return next(ctx, req)
		}
	}
	s := newFixture(&mcp.ServerOptions{Middleware: []mcp.Middleware{mw}})
	handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20260728},
		`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{`+modernMeta+`,"traceparent":"`+parent+`"}}}`)
	assert.Equal(t, parent, fromReq.TraceParent)
	assert.Equal(t, fromReq, fromCtx)
	handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20251125, Trace: traceOf(parent)},
		`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	assert.Equal(t, parent, fromReq.TraceParent)
	assert.Equal(t, fromReq, fromCtx)
	deliver(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20251125, Trace: traceOf(parent)},
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	assert.Equal(t, parent, fromCtx.TraceParent)
}

// TestAccessLog: one line per request at info level with the method, name, outcome, code,
// duration, id, session, principal, version and trace id; none while the logger is at warn.
func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil)).With("replica", "r1")
	s := newFixture(&mcp.ServerOptions{Middleware: []mcp.Middleware{mcp.AccessLog(logger)}})
	sess := s.NewSession("sid-2")
	defer sess.Close()
	sess.SetState(&mcp.SessionState{ProtocolVersion: mcp.Version20251125, Initialized: true})
	in := &mcp.Inbound{Session: sess, Principal: "alice",
		Trace: traceOf("00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01")}
	handleOne(t, s, in, `{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"fail","arguments":{}}}`)
	handleOne(t, s, in, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nope"}}`)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec))
	dur, _ := rec["duration"].(float64)
	delete(rec, "time")
	delete(rec, "duration")
	assert.Equal(t, map[string]any{"level": "INFO", "msg": "mcp request", "replica": "r1", "method": "tools/call", "name": "fail",
		"outcome": "tool_error", "id": `"x"`, "session": "sid-2", "principal": "alice", "protocol": "2025-11-25",
		"trace_id": "0af7651916cd43dd8448eb211c80319c"}, rec)
	assert.Positive(t, dur, "a duration (nanoseconds in slog's JSON)")
	rec = nil
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &rec))
	assert.Equal(t, "invalid_params", rec["outcome"])
	assert.Equal(t, float64(-32602), rec["code"])
	assert.Contains(t, rec["err"], "nope")

	buf.Reset()
	var text bytes.Buffer
	quiet := slog.New(slog.NewTextHandler(&text, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s = newFixture(&mcp.ServerOptions{Middleware: []mcp.Middleware{mcp.AccessLog(quiet)}})
	handleOne(t, s, &mcp.Inbound{}, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	assert.Empty(t, text.String(), "off at warn")

	loud := slog.New(slog.NewTextHandler(&text, nil))
	s = newFixture(&mcp.ServerOptions{Middleware: []mcp.Middleware{mcp.AccessLog(loud)}})
	handleOne(t, s, &mcp.Inbound{}, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	assert.Regexp(t, `level=INFO msg="mcp request" method=tools/list outcome=ok duration=[0-9.]+[µn]?s id=1 protocol=2025-03-26\n`, text.String())
}

// TestOutcome: the classes of error codes.
func TestOutcome(t *testing.T) {
	for code, want := range map[int64]string{
		-32700: "parse_error", -32600: "invalid_request", -32601: "method_not_found", -32602: "invalid_params",
		-32603: "internal_error", -32000: "server_error", -32099: "server_error", -32022: "server_error",
		-32100: "other_error", 1: "other_error",
	} {
		assert.Equal(t, want, mcp.CodeClass(code), code)
	}
	assert.Equal(t, int64(-32603), mcp.ErrorCode(errors.New("x")))
	assert.Equal(t, int64(-32602), mcp.ErrorCode(rpc.InvalidParams("x")))
}

// TestMiddlewareNoCost: without middleware a request allocates what it did before: the
// chain is not built, and a request without a trace context puts nothing in its context.
func TestMiddlewareNoCost(t *testing.T) {
	s := newFixture(nil)
	in := &mcp.Inbound{ProtocolVersion: mcp.LatestVersion}
	m := decodeOne(t, `{"jsonrpc":"2.0","id":1,"method":"ping"}`)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := s.Handle(ctx, in, m); !ok {
			t.Fatal("no reply")
		}
	})
	// 3 before middleware existed (the Request, the ping result and its reply's encoding).
	assert.LessOrEqual(t, allocs, 3.0)
}

func decodeOne(t *testing.T, line string) *rpc.Message {
	t.Helper()
	msgs, _, derr := rpc.Decode(nil, []byte(line), rpc.Limits{})
	require.Nil(t, derr)
	return &msgs[0]
}

func deliver(t *testing.T, s *mcp.Server, in *mcp.Inbound, line string) {
	t.Helper()
	_, ok := s.Handle(context.Background(), in, decodeOne(t, line))
	assert.False(t, ok)
}

func traceOf(parent string) *mcp.TraceContext {
	tc := mcp.ParseTraceContext(parent, "", "")
	return &tc
}
