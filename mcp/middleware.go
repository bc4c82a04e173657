package mcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

// MethodHandler handles one message of a method from a client: a request, whose result or
// error becomes its reply, or a notification (see [Request.Notification]), whose result is
// dropped. The result is the one the protocol encodes: a typed result or raw JSON, already in
// the form the request's protocol version reads.
type MethodHandler func(ctx context.Context, req *Request) (result any, err error)

// Middleware wraps the handling of every method in every transport and protocol era: it may
// look at the request (req.Method, [Request.Principal], [Request.ProtocolVersion],
// [Request.SessionID], [Request.TraceContext], [Request.Target]), time the call, put values
// in ctx for what runs inside it, refuse the request by returning an error without calling
// next, or change the result. A middleware must call next at most once, from the goroutine it
// was called on or one it waits for, and return once next has returned; req stays valid only
// until then.
//
// See [ServerOptions.Middleware].
type Middleware func(next MethodHandler) MethodHandler

/*
Design note: where middleware sits.

Middleware wraps the step between a message the protocol accepted and its result: the
dispatch of a request's method (everything the protocol does for it, the handler of a tool,
prompt or resource included, and the 2026-07-28 forms of the result), and the action taken on
a notification. Server.Handle builds the chain once, in NewServer, so a server without
middleware runs exactly what it ran before: no closure, no allocation, one nil check.

What it does not wrap, and why:

  - replies of the client to the server's own requests (sampling, elicitation, roots): they
    are no method call, and are routed to the request waiting for them;
  - refusals the protocol makes before a method runs: a request in a session not yet
    initialized, or in a session that closed meanwhile; and refusals of the transports
    (origin, host, authentication, size, a malformed frame, the 2026-07-28 header and
    version checks), which count in the transport's metrics instead;
  - the work a task does after its call was answered with the task (tasks extension), and
    the hook of notifications/roots/list_changed in a session, which runs on a goroutine of
    its own: middleware sees the notification arrive, not the hook run.

A panic in a middleware is recovered where a handler's is: for a request by rpc.Dispatch
(-32603), for a notification here, logged.
*/

// chain returns the handler that runs mws around the protocol, mws[0] outermost; nil when
// there are none.
func chain(mws []Middleware, inner MethodHandler) MethodHandler {
	if len(mws) == 0 {
		return nil
	}
	h := inner
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] == nil {
			panic(fmt.Sprintf("mcp: NewServer: ServerOptions.Middleware[%d] is nil", i))
		}
		h = mws[i](h)
		if h == nil {
			panic(fmt.Sprintf("mcp: NewServer: ServerOptions.Middleware[%d] returned a nil MethodHandler", i))
		}
	}
	return h
}

// handleMethod is the innermost MethodHandler: the protocol itself.
func (s *Server) handleMethod(ctx context.Context, r *Request) (any, error) {
	if r.Notification() {
		m := &rpc.Message{Kind: rpc.KindNotification, Method: r.Method, Params: r.Params}
		s.handleNotification(ctx, r.in, m)
		return nil, nil
	}
	return s.dispatch(ctx, r)
}

// handleNotificationChain runs a notification through the middleware (see the design note
// above). A panic is recovered and logged: nothing answers a notification.
func (s *Server) handleNotificationChain(ctx context.Context, in *Inbound, m *rpc.Message) {
	req := &Request{Method: m.Method, Params: m.Params, srv: s, sess: in.Session,
		state: stateFor(in, m.Params), principal: in.Principal, out: in.Out, in: in}
	defer func() {
		if p := recover(); p != nil {
			s.logger().ErrorContext(ctx, "mcp: panic handling a notification", "method", m.Method,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
		req.setFlag(flagDone)
	}()
	_, _ = s.handler(withTrace(ctx, req), req)
}

// Notification reports whether req stands for a notification (it has no id and gets no
// reply) rather than a request. Only middleware and [ServerOptions.RootsListChanged] see
// notifications.
func (r *Request) Notification() bool { return r.ID.IsZero() }

// Target returns what a request acts on, for logs, metrics and spans: params.name of
// tools/call and prompts/get, params.uri of resources/read, resources/subscribe and
// resources/unsubscribe, params.taskId of tasks/get, tasks/update and tasks/cancel; "" for
// other methods and when the member is absent or not a string. It reads the params each time
// it is called. The value is the client's: a tool name that no tool has may appear, so keep
// it out of metric labels.
func (r *Request) Target() string {
	var member string
	switch r.Method {
	case MethodToolsCall, MethodPromptsGet:
		member = "name"
	case MethodResourcesRead, MethodResourcesSubscribe, MethodResourcesUnsubscribe:
		member = "uri"
	case MethodTasksGet, MethodTasksUpdate, MethodTasksCancel:
		member = "taskId"
	default:
		return ""
	}
	if r.tool != nil && member == "name" && r.Method == MethodToolsCall {
		return r.tool.tool.Name
	}
	var v []byte
	_ = jsontext.EachMemberValid(r.Params, func(k, val []byte) bool {
		if string(k) == member {
			v = val // the last of a repeated member, as a decoder keeps it
		}
		return true
	})
	s, _ := jsontext.Unquote(v)
	return s
}

// Outcomes of a request, as [Outcome] names them. Each is a fixed string, fit for a metric
// label.
const (
	OutcomeOK             = "ok"
	OutcomeToolError      = "tool_error"       // a tools/call result with isError: true
	OutcomeInputRequired  = "input_required"   // a 2026-07-28 InputRequiredResult
	OutcomeCancelled      = "cancelled"        // cancelled by the client: no reply is sent
	OutcomeParseError     = "parse_error"      // -32700
	OutcomeInvalidRequest = "invalid_request"  // -32600
	OutcomeMethodNotFound = "method_not_found" // -32601
	OutcomeInvalidParams  = "invalid_params"   // -32602
	OutcomeInternalError  = "internal_error"   // -32603, and errors without a code
	OutcomeServerError    = "server_error"     // -32000 to -32099: the implementation's and MCP's own codes
	OutcomeOtherError     = "other_error"      // any other code
	OutcomeRejected       = "rejected"         // refused by the transport before the protocol saw it
)

// Outcome classifies how req ended, given the error its [MethodHandler] returned: for a
// request, [OutcomeOK], [OutcomeToolError], [OutcomeInputRequired], [OutcomeCancelled] or
// the class of the JSON-RPC error code it is answered with; for a notification, [OutcomeOK]
// unless err is set (the class of its code then, though nothing is sent). Call it after next
// returned.
func Outcome(req *Request, err error) string {
	if req.cancelledByClient() {
		return OutcomeCancelled
	}
	if err != nil {
		return CodeClass(ErrorCode(err))
	}
	switch {
	case req.toolError:
		return OutcomeToolError
	case req.inputRequired:
		return OutcomeInputRequired
	}
	return OutcomeOK
}

// ErrorCode returns the JSON-RPC code err is answered with: its [rpc.Error]'s, or -32603 for
// an error without one.
func ErrorCode(err error) int64 {
	var e *rpc.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return rpc.CodeInternalError
}

// CodeClass names the class of a JSON-RPC error code (JSON-RPC 2.0 §5.1): one of the
// Outcome*Error constants.
func CodeClass(code int64) string {
	switch {
	case code == rpc.CodeParseError:
		return OutcomeParseError
	case code == rpc.CodeInvalidRequest:
		return OutcomeInvalidRequest
	case code == rpc.CodeMethodNotFound:
		return OutcomeMethodNotFound
	case code == rpc.CodeInvalidParams:
		return OutcomeInvalidParams
	case code == rpc.CodeInternalError:
		return OutcomeInternalError
	case code <= -32000 && code >= -32099:
		return OutcomeServerError
	}
	return OutcomeOtherError
}

// AccessLog returns a middleware that logs one line per request and notification at info
// level to logger, once it is answered: the method, what it acts on ([Request.Target], as
// "name"), its outcome ([Outcome]) and error code, its duration, the JSON-RPC id, the session
// id and principal when there are, the protocol version and the trace id of its
// [TraceContext]. Add the replica's name with logger.With. Nothing is done for a request,
// not even the clock read, while logger is not enabled at info level, so a logger at warn
// turns the log off. A nil logger means slog.Default() at the time of logging.
func AccessLog(logger *slog.Logger) Middleware {
	return func(next MethodHandler) MethodHandler {
		return func(ctx context.Context, req *Request) (any, error) {
			l := logger
			if l == nil {
				l = slog.Default()
			}
			if !l.Enabled(ctx, slog.LevelInfo) {
				return next(ctx, req)
			}
			start := time.Now()
			res, err := next(ctx, req)
			d := time.Since(start)
			outcome := Outcome(req, err)
			attrs := make([]slog.Attr, 0, 12)
			attrs = append(attrs, slog.String("method", req.Method))
			if t := req.Target(); t != "" {
				attrs = append(attrs, slog.String("name", t))
			}
			attrs = append(attrs, slog.String("outcome", outcome))
			if err != nil {
				attrs = append(attrs, slog.Int64("code", ErrorCode(err)), slog.String("err", err.Error()))
			}
			attrs = append(attrs, slog.Duration("duration", d))
			if !req.Notification() {
				attrs = append(attrs, slog.String("id", req.ID.String()))
			}
			if sid := req.SessionID(); sid != "" {
				attrs = append(attrs, slog.String("session", sid))
			}
			if p := req.Principal(); p != "" {
				attrs = append(attrs, slog.String("principal", p))
			}
			attrs = append(attrs, slog.String("protocol", req.ProtocolVersion()))
			if tc := req.TraceContext(); tc.TraceParent != "" {
				attrs = append(attrs, slog.String("trace_id", tc.TraceID()))
			}
			msg := "mcp request"
			if req.Notification() {
				msg = "mcp notification"
			}
			l.LogAttrs(ctx, slog.LevelInfo, msg, attrs...)
			return res, err
		}
	}
}
