package otelmcp_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/otelmcp"
	"github.com/minimcp/minimcp/rpc"
)

const (
	traceID  = "0af7651916cd43dd8448eb211c80319c"
	parentID = "00f067aa0ba902b7"
	parent   = "00-" + traceID + "-" + parentID + "-01"
	modern   = `"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}`
)

// fixture is a server traced into a span recorder, with a tool that records what its
// context holds.
type fixture struct {
	srv      *mcp.Server
	rec      *tracetest.SpanRecorder
	inTool   trace.SpanContext
	baggage  string
	provider *sdktrace.TracerProvider
}

func newFixture(t *testing.T, opts *otelmcp.Options) *fixture {
	f := &fixture{rec: tracetest.NewSpanRecorder()}
	f.provider = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(f.rec))
	t.Cleanup(func() { _ = f.provider.Shutdown(context.Background()) })
	var o otelmcp.Options
	if opts != nil {
		o = *opts
	}
	o.TracerProvider = f.provider
	f.srv = mcp.NewServer(nil, &mcp.ServerOptions{Middleware: []mcp.Middleware{otelmcp.Middleware(&o)}})
	mcp.AddTool(f.srv, &mcp.Tool{Name: "echo"}, func(ctx context.Context, _ *mcp.Request, in struct {
		Text string `json:"text"`
	}) (string, error) {
		f.inTool = trace.SpanContextFromContext(ctx)
		f.baggage = baggage.FromContext(ctx).String()
		return in.Text, nil
	})
	mcp.AddTool(f.srv, &mcp.Tool{Name: "fail"}, func(context.Context, *mcp.Request, struct{}) (string, error) {
		return "", errors.New("it broke")
	})
	f.srv.AddResource(&mcp.Resource{URI: "test://r", Name: "r"}, func(_ context.Context, _ *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "r"}}}, nil
	})
	return f
}

// handle hands line to the server and returns the one span it ended.
func (f *fixture) handle(t *testing.T, ctx context.Context, in *mcp.Inbound, line string) sdktrace.ReadOnlySpan {
	t.Helper()
	before := len(f.rec.Ended())
	msgs, _, derr := rpc.Decode(nil, []byte(line), rpc.Limits{})
	require.Nil(t, derr)
	f.srv.Handle(ctx, in, &msgs[0])
	ended := f.rec.Ended()
	require.Len(t, ended, before+1)
	return ended[before]
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	m := map[attribute.Key]string{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value.Emit()
	}
	return m
}

// TestSpanModern: a 2026-07-28 tools/call makes a server span named after the tool, parented
// on the traceparent of its _meta, with the conventions' attributes; the handler runs inside
// it and sees the request's baggage.
func TestSpanModern(t *testing.T) {
	f := newFixture(t, nil)
	s := f.handle(t, context.Background(), &mcp.Inbound{ProtocolVersion: mcp.Version20260728},
		`{"jsonrpc":"2.0","id":"req-7","method":"tools/call","params":{"_meta":{`+modern+`,"traceparent":"`+parent+`","tracestate":"rojo=1","baggage":"user=alice"},"name":"echo","arguments":{"text":"hi"}}}`)
	assert.Equal(t, "tools/call echo", s.Name())
	assert.Equal(t, trace.SpanKindServer, s.SpanKind())
	assert.Equal(t, traceID, s.SpanContext().TraceID().String())
	assert.Equal(t, parentID, s.Parent().SpanID().String())
	assert.True(t, s.Parent().IsRemote())
	assert.Equal(t, "rojo=1", s.Parent().TraceState().String())
	assert.Equal(t, map[attribute.Key]string{
		"mcp.method.name": "tools/call", "mcp.protocol.version": "2026-07-28", "jsonrpc.request.id": "req-7",
		"gen_ai.tool.name": "echo", "gen_ai.operation.name": "execute_tool",
	}, attrs(s))
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, s.SpanContext().SpanID(), f.inTool.SpanID(), "the handler runs in the span")
	assert.Equal(t, "user=alice", f.baggage)
	assert.Empty(t, s.Links())
}

// TestSpanSession: in a 2025 session the span carries the session id, and the trace context
// of the HTTP headers (Inbound.Trace) is the parent.
func TestSpanSession(t *testing.T) {
	f := newFixture(t, nil)
	sess := f.srv.NewSession("sid-9")
	defer sess.Close()
	sess.SetState(&mcp.SessionState{ProtocolVersion: mcp.Version20251125, Initialized: true})
	tc := mcp.ParseTraceContext(parent, "", "")
	s := f.handle(t, context.Background(), &mcp.Inbound{Session: sess, Trace: &tc},
		`{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"test://r"}}`)
	assert.Equal(t, "resources/read", s.Name(), "no uri in the name by default")
	assert.Equal(t, parentID, s.Parent().SpanID().String())
	assert.Equal(t, map[attribute.Key]string{
		"mcp.method.name": "resources/read", "mcp.protocol.version": "2025-11-25", "mcp.session.id": "sid-9",
		"jsonrpc.request.id": "3", "mcp.resource.uri": "test://r",
	}, attrs(s))

	s = f.handle(t, context.Background(), &mcp.Inbound{Session: sess}, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	assert.Equal(t, "notifications/initialized", s.Name())
	assert.False(t, s.Parent().IsValid(), "no trace context: a root span")
	assert.NotContains(t, attrs(s), attribute.Key("jsonrpc.request.id"))
}

// TestSpanErrors: a JSON-RPC error sets error.type and rpc.response.status_code to its code
// and the status Error; a tool error sets error.type tool_error.
func TestSpanErrors(t *testing.T) {
	f := newFixture(t, &otelmcp.Options{ResourceURIInName: true})
	in := &mcp.Inbound{ProtocolVersion: mcp.Version20251125}
	s := f.handle(t, context.Background(), in, `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"test://nope"}}`)
	assert.Equal(t, "resources/read test://nope", s.Name())
	assert.Equal(t, "-32002", attrs(s)["error.type"])
	assert.Equal(t, "-32002", attrs(s)["rpc.response.status_code"])
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Contains(t, s.Status().Description, "test://nope")

	s = f.handle(t, context.Background(), in, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"fail","arguments":{}}}`)
	assert.Equal(t, "tools/call fail", s.Name())
	assert.Equal(t, "tool_error", attrs(s)["error.type"])
	assert.NotContains(t, attrs(s), attribute.Key("rpc.response.status_code"))
	assert.Equal(t, codes.Error, s.Status().Code)
}

// TestSpanAmbient: a span already in the context (an HTTP server span) is linked when _meta
// names another trace as the parent, and is the parent when it is of the request's trace.
func TestSpanAmbient(t *testing.T) {
	f := newFixture(t, nil)
	ctx, outer := f.provider.Tracer("test").Start(context.Background(), "HTTP POST")
	defer outer.End()
	s := f.handle(t, ctx, &mcp.Inbound{ProtocolVersion: mcp.Version20260728},
		`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{`+modern+`,"traceparent":"`+parent+`"}}}`)
	assert.Equal(t, parentID, s.Parent().SpanID().String())
	require.Len(t, s.Links(), 1)
	assert.Equal(t, outer.SpanContext().SpanID(), s.Links()[0].SpanContext.SpanID())

	same := "00-" + outer.SpanContext().TraceID().String() + "-" + parentID + "-01"
	tc := mcp.ParseTraceContext(same, "", "")
	s = f.handle(t, ctx, &mcp.Inbound{ProtocolVersion: mcp.Version20251125, Trace: &tc}, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	assert.Equal(t, outer.SpanContext().SpanID(), s.Parent().SpanID(), "nested under the HTTP span of the same trace")
	assert.Empty(t, s.Links())

	s = f.handle(t, ctx, &mcp.Inbound{ProtocolVersion: mcp.Version20251125}, `{"jsonrpc":"2.0","id":3,"method":"tools/list"}`)
	assert.Equal(t, outer.SpanContext().SpanID(), s.Parent().SpanID(), "no trace context of its own: the ambient span")
}
