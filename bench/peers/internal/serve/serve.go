// Package serve holds what the peer servers of bench/ share: their command line and an HTTP
// server that runs until SIGINT or SIGTERM.
package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Flags parses the command line every peer takes, -addr and -mode, and reports whether the
// mode is stateful. It exits with status 2 on a bad command line.
func Flags(name string) (addr string, stateful bool) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	a := fs.String("addr", "127.0.0.1:8080", "listen address")
	mode := fs.String("mode", "stateless", "stateless (no sessions, JSON answers) or stateful (sessions)")
	_ = fs.Parse(os.Args[1:])
	switch *mode {
	case "stateless":
	case "stateful":
		stateful = true
	default:
		fmt.Fprintf(os.Stderr, "%s: -mode %q: want stateless or stateful\n", name, *mode)
		os.Exit(2)
	}
	return *a, stateful
}

// Run serves h on addr until SIGINT or SIGTERM, then shuts the server down, waiting up to five
// seconds for requests in flight. It returns only a listening or serving error.
func Run(addr string, h http.Handler) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hs := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1) // buffered: the serving goroutine never blocks on it
	go func() { errc <- hs.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return <-errc // http.ErrServerClosed
}

// Main runs h on addr and exits with status 1 and a message if serving fails.
func Main(name, addr string, h http.Handler) {
	if err := Run(addr, h); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
