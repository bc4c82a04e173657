package rpc

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
)

// A Handler answers requests and notifications.
//
// HandleRPC is called with a message of kind [KindRequest] or [KindNotification]. It returns
// the result to send (a json.RawMessage is written as is; anything else is encoded with
// goccy/go-json) or an error: an *Error chooses the reply's code, any other error becomes
// -32603 with the error's text. For notifications the return values are discarded.
//
// HandleRPC may be called concurrently for the members of a batch.
type Handler interface {
	HandleRPC(ctx context.Context, m *Message) (result any, err error)
}

// HandlerFunc adapts a function to [Handler].
type HandlerFunc func(ctx context.Context, m *Message) (any, error)

// HandleRPC calls f(ctx, m).
func (f HandlerFunc) HandleRPC(ctx context.Context, m *Message) (any, error) { return f(ctx, m) }

// Mux routes messages to handlers by exact method name. Methods with no handler get -32601
// (JSON-RPC 2.0 §5.1). Register all methods before serving: Handle is not safe to call
// concurrently with HandleRPC.
type Mux struct {
	handlers map[string]Handler
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{handlers: make(map[string]Handler)} }

// Handle registers h for method. It panics if method is empty, h is nil, or method already has
// a handler: these are programming errors.
func (mx *Mux) Handle(method string, h Handler) {
	switch {
	case method == "":
		panic("rpc: empty method name")
	case h == nil:
		panic("rpc: nil handler for method " + method)
	}
	if _, dup := mx.handlers[method]; dup {
		panic("rpc: duplicate handler for method " + method)
	}
	mx.handlers[method] = h
}

// HandleFunc registers f for method; see [Mux.Handle].
func (mx *Mux) HandleFunc(method string, f func(ctx context.Context, m *Message) (any, error)) {
	mx.Handle(method, HandlerFunc(f))
}

// HandleRPC dispatches m to the handler registered for its method.
func (mx *Mux) HandleRPC(ctx context.Context, m *Message) (any, error) {
	h, ok := mx.handlers[m.Method]
	if !ok {
		return nil, MethodNotFound(m.Method)
	}
	return h.HandleRPC(ctx, m)
}

// MethodNotFound returns the -32601 error for method, naming it.
func MethodNotFound(method string) *Error {
	return &Error{Code: CodeMethodNotFound, Message: "Method not found: " + method}
}

// Dispatch runs h for one decoded message and returns the reply to send, or ok=false when
// nothing is to be sent (a notification, or a response, which callers route elsewhere).
//
// An invalid message yields its -32600 reply without calling h. A panic in h is recovered,
// logged to logger (slog.Default() if nil) with its stack, and answered with -32603; the
// panic never reaches the caller.
func Dispatch(ctx context.Context, h Handler, m *Message, logger *slog.Logger) (resp Response, ok bool) {
	switch m.Kind {
	case KindInvalid:
		return Response{ID: m.ID, Error: m.Error}, true
	case KindResponse:
		return Response{}, false
	}
	result, err := safeCall(ctx, h, m, logger)
	if m.Kind == KindNotification {
		// JSON-RPC 2.0 §4.1: "The Server MUST NOT reply to a Notification".
		return Response{}, false
	}
	if err != nil {
		return Response{ID: m.ID, Error: AsError(err)}, true
	}
	raw, merr := EncodeResult(result)
	if merr != nil {
		return Response{ID: m.ID, Error: &Error{Code: CodeInternalError,
			Message: "Internal error: cannot encode result: " + merr.Error()}}, true
	}
	return Response{ID: m.ID, Result: raw}, true
}

func safeCall(ctx context.Context, h Handler, m *Message, logger *slog.Logger) (result any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if logger == nil {
				logger = slog.Default()
			}
			logger.ErrorContext(ctx, "rpc: handler panicked", "method", m.Method, "id", m.ID.String(),
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			result, err = nil, &Error{Code: CodeInternalError, Message: "Internal error: handler for " + m.Method + " panicked"}
		}
	}()
	return h.HandleRPC(ctx, m)
}

// DefaultBatchConcurrency is how many members of a batch [DispatchBatch] runs at once when
// not told otherwise.
const DefaultBatchConcurrency = 8

// DispatchBatch dispatches every message with at most concurrency handlers running at once
// (if zero or less, [DefaultBatchConcurrency]) and returns the replies in request order
// (JSON-RPC 2.0 §6 allows any order; keeping request order makes replies easy to read and
// test). Notifications and responses produce no reply, so the result may be empty.
// DispatchBatch returns after every handler it started has returned.
func DispatchBatch(ctx context.Context, h Handler, msgs []Message, concurrency int, logger *slog.Logger) []Response {
	replies := make([]Response, len(msgs))
	has := make([]bool, len(msgs))
	Parallel(len(msgs), concurrency, func(i int) {
		replies[i], has[i] = Dispatch(ctx, h, &msgs[i], logger)
	})
	out := replies[:0]
	for i := range replies {
		if has[i] {
			out = append(out, replies[i])
		}
	}
	return out
}

// Parallel calls f(0) … f(n-1) with at most concurrency calls running at once (if zero or
// less, [DefaultBatchConcurrency]) and returns when all have returned. With n == 1 or
// concurrency == 1 it runs them in order on the calling goroutine.
func Parallel(n, concurrency int, f func(i int)) {
	if concurrency <= 0 {
		concurrency = DefaultBatchConcurrency
	}
	if n == 1 || concurrency == 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, concurrency) // tokens; never closed
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// ServeOptions configures [Serve]. A nil *ServeOptions means defaults.
type ServeOptions struct {
	// Limits bounds the input; the zero value means the defaults.
	Limits Limits
	// Concurrency bounds concurrent handlers in a batch. If zero, [DefaultBatchConcurrency].
	Concurrency int
	// Logger receives handler panics. If nil, slog.Default().
	Logger *slog.Logger
	// OnResponse receives responses sent by the peer (replies to our own requests). If nil,
	// they are dropped.
	OnResponse func(*Message)
}

// Serve decodes data, dispatches every request and notification to h, and returns the encoded
// reply: a single object, an array for a batch, or nil when nothing is to be sent (only
// notifications or responses). It is the whole JSON-RPC exchange for transports that carry one
// message (or batch) per frame.
func Serve(ctx context.Context, h Handler, data []byte, opts *ServeOptions) []byte {
	var o ServeOptions
	if opts != nil {
		o = *opts
	}
	msgs, batch, derr := Decode(nil, data, o.Limits)
	if derr != nil {
		return AppendResponse(nil, &Response{ID: NullID, Error: derr})
	}
	if o.OnResponse != nil {
		for i := range msgs {
			if msgs[i].Kind == KindResponse {
				o.OnResponse(&msgs[i])
			}
		}
	}
	if !batch {
		r, ok := Dispatch(ctx, h, &msgs[0], o.Logger)
		if !ok {
			return nil
		}
		return AppendResponse(nil, &r)
	}
	return AppendBatch(nil, DispatchBatch(ctx, h, msgs, o.Concurrency, o.Logger))
}
