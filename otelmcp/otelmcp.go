// Package otelmcp traces a minimcp server with OpenTelemetry: [Middleware] makes a span for
// every request and notification the server handles, on every transport and at every protocol
// version, named and described as the OpenTelemetry semantic conventions for the Model
// Context Protocol say (GenAI semantic conventions, "Semantic conventions for Model Context
// Protocol (MCP)": server spans).
//
//	srv := mcp.NewServer(impl, &mcp.ServerOptions{
//		Middleware: []mcp.Middleware{otelmcp.Middleware(nil)},
//	})
//
// A span's parent is the trace context the request carried: the traceparent and tracestate
// of its params._meta (MCP 2026-07-28, Basic § _meta; the conventions' "Context propagation":
// "The receiver extracts the context from params._meta and uses it as the remote parent"),
// else the W3C headers of its HTTP request, both as [mcp.Request.TraceContext] gives them,
// else the span already in the context. When _meta gives the parent and the context holds
// another span (an HTTP server span, say), the MCP span links to it ("SHOULD link current
// ambient context"). Baggage from the request reaches the handler through the context
// (baggage.FromContext), with the span (trace.SpanFromContext).
//
// It is a module of its own so that minimcp never depends on OpenTelemetry.
package otelmcp

import (
	"context"
	"strconv"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/minimcp/minimcp/mcp"
)

// ScopeName is the instrumentation scope of the tracer Middleware uses.
const ScopeName = "github.com/minimcp/minimcp/otelmcp"

// Attribute keys of the MCP semantic conventions (development stability), and the general
// ones they use.
const (
	KeyMethodName            = attribute.Key("mcp.method.name")
	KeyProtocolVersion       = attribute.Key("mcp.protocol.version")
	KeySessionID             = attribute.Key("mcp.session.id")
	KeyResourceURI           = attribute.Key("mcp.resource.uri")
	KeyRequestID             = attribute.Key("jsonrpc.request.id")
	KeyToolName              = attribute.Key("gen_ai.tool.name")
	KeyPromptName            = attribute.Key("gen_ai.prompt.name")
	KeyOperationName         = attribute.Key("gen_ai.operation.name")
	KeyErrorType             = attribute.Key("error.type")
	KeyRPCResponseStatusCode = attribute.Key("rpc.response.status_code")
)

// Options configures [Middleware]. A nil *Options means defaults.
type Options struct {
	// TracerProvider makes the tracer. If nil, otel.GetTracerProvider() when Middleware is
	// called.
	TracerProvider trace.TracerProvider
	// ResourceURIInName puts the uri of resources/read, subscribe and unsubscribe in the
	// span's name, which the conventions leave to the user ("MAY allow users to opt into
	// including {mcp.resource.uri} as target in the span name ... SHOULD NOT include it by
	// default to avoid high cardinality span names"). The uri is an attribute either way.
	ResourceURIInName bool
}

// w3c extracts the W3C trace context and baggage, the only format MCP's _meta and minimcp's
// header reading carry.
var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// Middleware returns the middleware that makes a span of kind server for every request and
// notification (see the package doc). Its name is the method, followed by the tool or prompt
// name for tools/call and prompts/get; its attributes are mcp.method.name,
// mcp.protocol.version, mcp.session.id (in a session), jsonrpc.request.id (requests),
// gen_ai.tool.name and gen_ai.operation.name "execute_tool" (tools/call), gen_ai.prompt.name
// (prompts/get) and mcp.resource.uri (resources/read, subscribe, unsubscribe). A request
// answered with a JSON-RPC error gets error.type and rpc.response.status_code set to its code
// and the status Error with the error's message; a tool result with isError gets error.type
// "tool_error" and the status Error.
func Middleware(opts *Options) mcp.Middleware {
	var o Options
	if opts != nil {
		o = *opts
	}
	tp := o.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	tracer := tp.Tracer(ScopeName)
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, req *mcp.Request) (any, error) {
			parent, links := parentOf(ctx, req)
			target := req.Target()
			name := req.Method
			attrs := make([]attribute.KeyValue, 0, 8)
			attrs = append(attrs, KeyMethodName.String(req.Method))
			if v := req.ProtocolVersion(); v != "" {
				attrs = append(attrs, KeyProtocolVersion.String(v))
			}
			if sid := req.SessionID(); sid != "" {
				attrs = append(attrs, KeySessionID.String(sid))
			}
			if !req.Notification() && !req.ID.IsNull() {
				attrs = append(attrs, KeyRequestID.String(idString(req.ID.String())))
			}
			if target != "" {
				switch req.Method {
				case mcp.MethodToolsCall:
					name += " " + target
					attrs = append(attrs, KeyToolName.String(target), KeyOperationName.String("execute_tool"))
				case mcp.MethodPromptsGet:
					name += " " + target
					attrs = append(attrs, KeyPromptName.String(target))
				case mcp.MethodResourcesRead, mcp.MethodResourcesSubscribe, mcp.MethodResourcesUnsubscribe:
					if o.ResourceURIInName {
						name += " " + target
					}
					attrs = append(attrs, KeyResourceURI.String(target))
				}
			}
			ctx, span := tracer.Start(parent, name, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attrs...), trace.WithLinks(links...))
			defer span.End()
			res, err := next(ctx, req)
			switch outcome := mcp.Outcome(req, err); {
			case err != nil:
				code := strconv.FormatInt(mcp.ErrorCode(err), 10)
				span.SetAttributes(KeyErrorType.String(code), KeyRPCResponseStatusCode.String(code))
				span.SetStatus(codes.Error, err.Error())
			case outcome == mcp.OutcomeToolError:
				span.SetAttributes(KeyErrorType.String(mcp.OutcomeToolError))
				span.SetStatus(codes.Error, "the tool returned a result with isError")
			}
			return res, err
		}
	}
}

// parentOf returns the context a request's span starts from, and the links it gets: the
// request's own trace context as the remote parent, linking the span already in ctx when it
// belongs to another trace; the span in ctx when it is of the request's trace (an HTTP
// server span started from the same headers, nearer to this request); or ctx itself when
// the request has no trace context.
func parentOf(ctx context.Context, req *mcp.Request) (context.Context, []trace.Link) {
	tc := req.TraceContext()
	if tc.TraceParent == "" && tc.Baggage == "" {
		return ctx, nil
	}
	ambient := trace.SpanContextFromContext(ctx)
	if ambient.IsValid() && ambient.TraceID().String() == tc.TraceID() {
		if tc.Baggage != "" {
			return w3c.Extract(ctx, propagation.MapCarrier{"baggage": tc.Baggage}), nil
		}
		return ctx, nil
	}
	carrier := propagation.MapCarrier{}
	if tc.TraceParent != "" {
		carrier["traceparent"] = tc.TraceParent
		if tc.TraceState != "" {
			carrier["tracestate"] = tc.TraceState
		}
	}
	if tc.Baggage != "" {
		carrier["baggage"] = tc.Baggage
	}
	parent := w3c.Extract(ctx, carrier)
	remote := trace.SpanContextFromContext(parent)
	if ambient.IsValid() && remote.IsValid() && !ambient.Equal(remote) {
		return parent, []trace.Link{{SpanContext: ambient}}
	}
	return parent, nil
}

// idString returns a JSON-RPC id as the conventions write it: a string id without its quotes
// ("request-7"), a number as written.
func idString(raw string) string {
	if len(raw) >= 2 && raw[0] == '"' {
		if s, err := strconv.Unquote(raw); err == nil {
			return s
		}
		return raw[1 : len(raw)-1]
	}
	return raw
}
