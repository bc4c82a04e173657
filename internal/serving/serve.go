package serving

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/minimcp/minimcp/internal/builtin"
	"github.com/minimcp/minimcp/internal/manifest"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// serveIdleTimeout closes keep-alive connections idle this long.
const serveIdleTimeout = 2 * time.Minute

// IO is what serve reads and writes: the process's standard files, or pipes in tests.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Ready, if set, is called with the listener's address once the HTTP server is up, before
	// serve waits for ctx. Tests use it to learn the port of --addr 127.0.0.1:0.
	Ready func(net.Addr)
	// MetricsReady, if set, is called with the address of --metrics-addr's listener once it
	// is up.
	MetricsReady func(net.Addr)
}

/*
Design note: minimcp serve.

serve builds one mcp.Server (the built-in demo set, or what --manifest declares) and carries it
over one transport: Streamable HTTP (server.Handler in an http.Server) or, with --stdio, the
process's stdin and stdout.

Start-up is all or nothing: every flag is checked (exit 2 with a message for a bad value, as
for any usage error) and the manifest is loaded and checked in full (exit 1) before the
listener is opened; a listener that cannot be opened (the port is taken) is exit 1 too.

The http.Server has ReadHeaderTimeout, so a client cannot hold a connection by sending headers
slowly, and IdleTimeout for keep-alive connections, but no WriteTimeout and no ReadTimeout:
an SSE stream legitimately stays open for as long as its session does, and the handler bounds
bodies itself (size, time to receive, memory while arriving: --body-read-timeout,
--max-body-bytes-in-flight) and the writes of its answers (--write-timeout).

Shutdown, when ctx is cancelled (the first SIGINT or SIGTERM; cmd/minimcp exits at once on the
second), is server.Serve's and runs within --shutdown-timeout: first server.Handler.Shutdown
(/readyz answers 503, open SSE streams end with a retry hint, new sessions get 503, requests
in flight finish) with the listener still open, for at least --drain-delay, so that balancers
read 503 rather than a refused connection; then http.Server.Shutdown (the listener and idle
connections close, it waits for active ones). When the deadline passes, the remaining
connections are closed, which cancels the requests still running (an exec tool's program is
killed), and serve exits 1.

In stdio mode there is nothing to drain but requests in flight: serve stops reading and waits
for them. stdin itself cannot always be interrupted (a read from a terminal or a pipe in
blocking mode does not end when the file is closed), so a real stdin is read by a goroutine
of its own through an io.Pipe that shutdown can close. That goroutine may stay blocked in its
read until the process exits, right after: it is the one goroutine serve does not wait for.
*/

// NewLogger returns the logger of the server: text or JSON on stderr. Durations read as
// Go writes them ("10s") in both formats; see [durationsAsText].
func NewLogger(stderr io.Writer, cfg *Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel, ReplaceAttr: durationsAsText}
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}

// durationsAsText is a slog ReplaceAttr that turns a time.Duration into its string ("10s",
// "1.5ms"). slog's JSON handler would print it as integer nanoseconds (10000000000), which no
// one reads at a glance; the text handler already uses the string, so both formats agree.
func durationsAsText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// NewServer returns the server to serve, the names of its tools, and a function that
// releases what its tools hold; with cfg.Stores, its bus and task store are shared. Its errors
// are those of manifest.Load.
func NewServer(cfg *Config, logger *slog.Logger) (*mcp.Server, []string, func(), error) {
	opts := &mcp.ServerOptions{Logger: logger, MaxSubscriptions: cfg.MaxSubscriptions, MaxURILength: cfg.MaxURILength,
		ClientRequestTimeout: cfg.ClientRequestTimeout, StateKeys: cfg.StateKeys, StateTTL: cfg.StateTTL,
		MaxStateBytes: cfg.MaxStateBytes,
		TaskTTL:       cfg.TaskTTL, TaskLease: cfg.TaskLease, MaxTasks: cfg.MaxTasks, MaxTasksPerPrincipal: cfg.MaxTasksPerPrincipal,
		MaxTaskResultBytes: cfg.MaxTaskResultBytes, ProtocolVersions: cfg.Era.Versions(),
		Middleware: cfg.middleware(logger)}
	if cfg.Stores != nil {
		cfg.Stores(opts, nil)
	}
	if cfg.Manifest == "" && cfg.OpenAPI.Spec == "" {
		srv, tools := builtin.New(opts, cfg.Version)
		return srv, tools, func() {}, nil
	}
	mopts := &manifest.Options{Version: cfg.Version}
	if cfg.OpenAPI.Spec != "" {
		o := cfg.OpenAPI
		mopts.OpenAPI = &o
	}
	m, err := manifest.Load(cfg.Manifest, mopts)
	if err != nil {
		return nil, nil, nil, err
	}
	opts.Instructions = m.Instructions
	m.SetMaxProcesses(cfg.MaxProcesses)
	srv := mcp.NewServer(&m.Impl, opts)
	m.Register(srv, logger)
	return srv, m.ToolNames(), m.Close, nil
}

// HTTP serves srv over Streamable HTTP until ctx is cancelled, then shuts down.
func HTTP(ctx context.Context, cfg *Config, srv *mcp.Server, tools []string, logger *slog.Logger, sio *IO) int {
	opts := &server.Options{
		Path:               cfg.Path,
		Stateless:          cfg.Stateless,
		Response:           cfg.Response,
		SessionIdleTimeout: cfg.IdleTimeout,
		MaxSessions:        cfg.MaxSessions,
		// 0 and -1 mean what they mean to server.Options: a tenth of MaxSessions, no quota.
		MaxSessionsPerPrincipal: cfg.MaxPerPrincipal,
		AllowedOrigins:          cfg.AllowedOrigins,
		AllowedHosts:            cfg.AllowedHosts,
		ReplicaID:               cfg.ReplicaID,
		LegacySSE:               cfg.LegacySSE,
		PollAfter:               cfg.PollAfter,
		BodyReadTimeout:         cfg.BodyReadTimeout,
		MaxBodyBytesInFlight:    cfg.MaxBodyBytesInFlight,
		WriteTimeout:            cfg.WriteTimeout,
		LegacyMaxInFlight:       cfg.LegacyMaxInFlight,
		MaxBodyBytes:            cfg.MaxBodyBytes,
		MaxListens:              cfg.MaxListens,
		// 0 and -1 mean what they mean to server.Options: a tenth of MaxListens, no quota.
		MaxListensPerPrincipal: cfg.MaxListensPerPrincipal,
		KeepAlive:              cfg.KeepAlive,
		Events:                 &server.MemoryEventStore{SessionBytes: cfg.SessionEventBytes, TotalBytes: cfg.EventBytes},
		Logger:                 logger,
		Metrics:                cfg.Metrics,
		MetricsPath:            cfg.MetricsPath(),
	}
	if cfg.Stores != nil {
		cfg.Stores(nil, opts)
	}
	opts.Auth = cfg.Auth.AuthOptions(ctx, logger)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(sio.Stderr, "minimcp: serve: %v\n", err)
		return 1
	}
	h := server.New(srv, opts)
	ctx, stopServing := context.WithCancel(ctx)
	defer stopServing()
	served := make(chan error, 1) // receives server.Serve's result; never closed
	go func() {
		served <- server.Serve(ctx, ln, h, &server.ServeOptions{
			ShutdownTimeout: cfg.ShutdownTimeout,
			DrainDelay:      cfg.DrainDelay,
			IdleTimeout:     serveIdleTimeout,
			ErrorLog:        slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		})
	}()

	mode := "stateful"
	if cfg.Stateless {
		mode = "stateless"
	}
	auth := cfg.Auth.String()
	logger.Info("minimcp serving", "url", "http://"+ln.Addr().String()+cfg.Path, "mode", mode,
		"response", cfg.ResponseName, "tools", strings.Join(tools, ","), "auth", auth,
		"replica", cfg.ReplicaID, "legacySSE", cfg.LegacySSE, "manifest", cfg.Manifest, "protocolEra", cfg.Era.String(), "version", cfg.Version)
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		if !cfg.Auth.Enabled() {
			logger.Warn("listening beyond loopback without --auth-token or --auth-issuer: anyone who can reach this port can call the tools")
		}
		if cfg.MetricsPath() != "" {
			logger.Warn("/metrics is served beside the MCP endpoint, without authentication, to anyone who can reach this port; --metrics-addr moves it to a listener of its own")
		}
	}
	if len(cfg.StateKeys) == 0 {
		logger.Warn("no --state-key: the requestState of input-required results is sealed with a random key of this process, so a retry reaching another replica (or this one restarted) is refused; replicas behind one endpoint must share --state-key")
	}
	if sio.Ready != nil {
		sio.Ready(ln.Addr())
	}

	select {
	case err = <-served: // accepting failed for good; Serve has shut down already
	case <-ctx.Done():
		logger.Info("shutting down", "timeout", cfg.ShutdownTimeout)
		err = <-served
	}
	switch {
	case errors.Is(err, server.ErrShutdownTimeout):
		logger.Warn("shutdown deadline passed; closed the remaining connections", "timeout", cfg.ShutdownTimeout)
		return 1
	case err != nil:
		logger.Error("serving failed", "err", err)
		return 1
	}
	logger.Info("stopped")
	return 0
}

// Stdio serves srv to one client over sio.Stdin and sio.Stdout until the input ends or
// ctx is cancelled.
func Stdio(ctx context.Context, cfg *Config, srv *mcp.Server, tools []string, logger *slog.Logger, sio *IO) int {
	in := sio.Stdin
	var stop func() error // closes what the server reads, to end ServeStdio
	switch r := in.(type) {
	case *os.File:
		pr, pw := io.Pipe()
		go func() {
			_, err := io.Copy(pw, r)
			pw.CloseWithError(err) // nil: EOF
		}()
		in, stop = pr, pr.Close
	case io.Closer:
		stop = r.Close
	}
	logger.Info("minimcp serving on stdio", "tools", strings.Join(tools, ","), "manifest", cfg.Manifest, "protocolEra", cfg.Era.String(), "version", cfg.Version)
	served := make(chan error, 1) // receives ServeStdio's result; never closed
	go func() {
		served <- server.ServeStdio(ctx, srv, in, sio.Stdout, &server.StdioOptions{MaxListens: cfg.MaxListens})
	}()

	var err error
	select {
	case err = <-served:
	case <-ctx.Done():
		logger.Info("shutting down", "timeout", cfg.ShutdownTimeout)
		if stop != nil {
			_ = stop()
		}
		t := time.NewTimer(cfg.ShutdownTimeout)
		defer t.Stop()
		select {
		case <-served:
			err = nil // reading was stopped on purpose
		case <-t.C:
			logger.Warn("shutdown deadline passed with requests in flight", "timeout", cfg.ShutdownTimeout)
			return 1
		}
	}
	if err != nil {
		logger.Error("serving stdio failed", "err", err)
		return 1
	}
	logger.Info("stopped")
	return 0
}
