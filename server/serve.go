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
}

// Serve serves h on ln until ctx ends, then shuts down gracefully: the listener closes and idle
// connections with it (http.Server.Shutdown) while, at the same time, the handler fails
// /readyz, ends its SSE streams with a retry hint and waits for requests in flight
// (Handler.Shutdown). Both are needed, and in parallel: http.Server.Shutdown alone would wait
// for SSE streams that never end, and Handler.Shutdown alone would leave the listener open.
//
// The http.Server has a ReadHeaderTimeout ([DefaultReadHeaderTimeout]) against slow clients
// and no WriteTimeout, which would cut SSE streams. Serve returns nil after a clean shutdown,
// [ErrShutdownTimeout] if the deadline passed, or the error that made accepting fail.
func Serve(ctx context.Context, ln net.Listener, h *Handler, opts *ServeOptions) error {
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
	hs := &http.Server{
		Handler:           h,
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
	var herr error
	var wg sync.WaitGroup
	wg.Go(func() { herr = h.Shutdown(sctx) })
	serr := hs.Shutdown(sctx)
	wg.Wait()
	if serveErr != nil {
		_ = hs.Close()
		return fmt.Errorf("server: serving on %s: %w", ln.Addr(), serveErr)
	}
	<-served // http.ErrServerClosed, at once after Shutdown began
	if serr != nil || herr != nil {
		_ = hs.Close()
		return ErrShutdownTimeout
	}
	return nil
}
