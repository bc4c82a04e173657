package serving

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

/*
Design note: what minimcp serve tells its operator.

Three things, each on by default and each with a flag to turn it off:

  - metrics (--metrics): server.Metrics counts every request by method and outcome and times
    it (its middleware), and the HTTP handler counts refusals by reason and store errors and
    reports sessions and streams. /metrics answers in the Prometheus text format beside
    /healthz on --addr; --metrics-addr moves it to a listener of its own, which is where it
    belongs when --addr faces clients (the counts say how the server is used, and a scrape
    needs no MCP authentication). In --stdio mode there is no HTTP listener but this one.
  - pprof (--pprof): net/http/pprof's handlers at /debug/pprof/, on --metrics-addr only, never
    beside the MCP endpoint: a profile shows what the process is doing and takes CPU, which
    is for the operator's network alone. So --pprof needs --metrics-addr.
  - the access log (--access-log): one line per request at info level through the server's
    logger (text or JSON, --log-format), with the replica's id; --log-level warn silences it
    with the rest of the info lines.

The metrics listener is served by server.Serve like the MCP one and stops with it: it has
nothing to drain, and a scrape during the drain still answers until the context ends.
*/

// middleware returns the mcp.ServerOptions.Middleware of serve: the metrics' first, so that
// its timing includes what the access log costs.
func (cfg *Config) middleware(logger *slog.Logger) []mcp.Middleware {
	var mws []mcp.Middleware
	if cfg.Metrics != nil {
		mws = append(mws, cfg.Metrics.Middleware())
	}
	if cfg.AccessLog {
		mws = append(mws, mcp.AccessLog(logger.With("replica", cfg.ReplicaID)))
	}
	return mws
}

// MetricsPath is where /metrics is served beside the MCP endpoint, "" when it is not.
func (cfg *Config) MetricsPath() string {
	if cfg.Metrics == nil || cfg.MetricsAddr != "" || cfg.Stdio {
		return ""
	}
	return "/metrics"
}

// Metrics serves /metrics (and /debug/pprof/ with --pprof) on --metrics-addr until ctx
// ends, and returns once it listens: a function that waits for it to stop, or the error of
// listening. It does nothing without --metrics-addr.
func Metrics(ctx context.Context, cfg *Config, logger *slog.Logger, sio *IO) (wait func(), err error) {
	if cfg.MetricsAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", cfg.Metrics)
	if cfg.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	done := make(chan struct{}) // closed when server.Serve has returned
	go func() {
		defer close(done)
		err := server.Serve(ctx, ln, mux, &server.ServeOptions{ShutdownTimeout: time.Second, IdleTimeout: serveIdleTimeout,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)})
		if err != nil && !errors.Is(err, server.ErrShutdownTimeout) {
			logger.Error("serving metrics failed", "err", err)
		}
	}()
	logger.Info("metrics serving", "url", "http://"+ln.Addr().String()+"/metrics", "pprof", cfg.Pprof)
	if sio.MetricsReady != nil {
		sio.MetricsReady(ln.Addr())
	}
	return func() { <-done }, nil
}
