package server

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults of [ServeOptions].
const (
	DefaultShutdownTimeout = 10 * time.Second
	DefaultIdleTimeout     = 2 * time.Minute
)

// ErrShutdownTimeout is returned by [Serve] when requests were still running at the shutdown
// deadline; their connections were then closed.
var ErrShutdownTimeout = errors.New("server: shutdown deadline passed; closed the remaining connections")

// ServeOptions configures [Serve]. A nil *ServeOptions means defaults.
type ServeOptions struct {
	// ShutdownTimeout bounds the graceful shutdown. If zero, [DefaultShutdownTimeout].
	ShutdownTimeout time.Duration
	// IdleTimeout closes keep-alive connections idle this long. If zero,
	// [DefaultIdleTimeout].
	IdleTimeout time.Duration
	// ErrorLog receives net/http's own errors. If nil, the log package's standard logger.
	ErrorLog *log.Logger
	// DrainDelay keeps the listener open at least this long after ctx ends, answering
	// /readyz and initialize with 503, even when nothing is left to drain: a balancer that
	// polls readiness, or learns of the shutdown late (a Kubernetes endpoint update), then
	// sees the replica leave before its port closes. It counts within ShutdownTimeout. If
	// zero, the listener closes as soon as the handlers are drained.
	DrainDelay time.Duration
	// Drain lists the MCP handlers mounted in the served handler (a mux holding a [Handler]
	// beside other routes), which the shutdown drains. If nil and the served handler is a
	// *Handler itself, that one.
	Drain []*Handler
}

/*
Design note: Serve's shutdown.

When ctx ends, Serve drains before it stops listening:

 1. Keep-alives go off (http.Server.SetKeepAlivesEnabled): idle connections close, and each
    answer from now on closes its connection, so clients reconnect, through a balancer to
    another replica once this one leaves its pool.
 2. Every handler of ServeOptions.Drain shuts down (Handler.Shutdown): /readyz answers 503,
    initialize answers 503 with Retry-After, open SSE streams end with a retry hint, and it
    waits for the requests in flight. The listener stays open meanwhile, so a balancer's
    readiness probe reads 503 rather than a refused connection, and a client a 503 it can
    act on (MCP has no other way to say "not here, not now"). ServeOptions.DrainDelay keeps
    it open for a minimum time too, for balancers that take a while to notice.
 3. Then http.Server.Shutdown closes the listener and waits for the connections still
    active. SSE streams have ended in step 2, so it does not wait for them for ever.

Everything runs within ShutdownTimeout; past it the remaining connections are closed, which
cancels the requests still running, and Serve returns ErrShutdownTimeout.
*/

// Serve serves handler on ln until ctx ends, then shuts down gracefully (see the design note
// above): the MCP handlers drain while the listener stays open, answering /readyz and new
// sessions with 503, and only then does the listener close. handler is a [*Handler], or any
// http.Handler (a mux with other routes) with the MCP handlers inside it listed in
// [ServeOptions.Drain].
//
// The http.Server has a ReadHeaderTimeout ([DefaultReadHeaderTimeout]) against slow clients
// and no WriteTimeout, which would cut SSE streams. Serve returns nil after a clean shutdown,
// [ErrShutdownTimeout] if the deadline passed, or the error that made accepting fail.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, opts *ServeOptions) error {
	var o ServeOptions
	if opts != nil {
		o = *opts
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	drain := o.Drain
	if drain == nil {
		if h, ok := handler.(*Handler); ok {
			drain = []*Handler{h}
		}
	}
	hs := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		IdleTimeout:       o.IdleTimeout,
		ErrorLog:          o.ErrorLog,
	}
	served := make(chan error, 1) // receives hs.Serve's result; never closed
	go func() { served <- hs.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-served: // accepting failed for good
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.ShutdownTimeout)
	defer cancel()
	var delay <-chan time.Time // fires when the listener may close; nil: no delay
	if o.DrainDelay > 0 {
		t := time.NewTimer(o.DrainDelay)
		defer t.Stop()
		delay = t.C
	}
	hs.SetKeepAlivesEnabled(false)
	errs := make([]error, len(drain))
	var wg sync.WaitGroup
	for i, h := range drain {
		wg.Go(func() { errs[i] = h.Shutdown(sctx) })
	}
	wg.Wait()
	if delay != nil && serveErr == nil {
		select {
		case <-delay:
		case <-sctx.Done():
		}
	}
	serr := hs.Shutdown(sctx)
	if serveErr != nil {
		_ = hs.Close()
		return fmt.Errorf("server: serving on %s: %w", ln.Addr(), serveErr)
	}
	<-served // http.ErrServerClosed, at once after Shutdown began
	if serr != nil || errors.Join(errs...) != nil {
		_ = hs.Close()
		return ErrShutdownTimeout
	}
	return nil
}
