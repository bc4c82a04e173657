package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/minimcp/minimcp/internal/cliflag"
	"github.com/minimcp/minimcp/internal/conformance"
	"github.com/minimcp/minimcp/redisstore"
	"github.com/minimcp/minimcp/server"
)

// `minimcp conformance` serves internal/conformance's server on a port of its own: this file
// holds its flags and its listener.

func init() {
	register("conformance", "serve what the official MCP conformance suite tests", runConformance)
}

// Defaults of the conformance command's flags.
const (
	confDefaultAddr = "127.0.0.1:8080"
	// confShutdownTimeout bounds the graceful shutdown after SIGINT or SIGTERM.
	confShutdownTimeout = 5 * time.Second
)

// confConfig is the parsed command line of `minimcp conformance`.
type confConfig struct {
	addr      string
	path      string
	stateless bool
	era       cliflag.Era
	logLevel  slog.Level
	replicaID string
	// redis is the --redis flags: replicas of the conformance server sharing state in Redis.
	redis redisConfig
}

func runConformance(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := parseConformanceArgs(args, stderr)
	if cfg == nil {
		return code
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))
	co := &conformance.Options{Path: cfg.path, Stateless: cfg.stateless,
		ProtocolVersions: cfg.era.Versions(), Logger: logger, Version: version, ReplicaID: cfg.replicaID}
	if cfg.redis.url != "" {
		rdb, err := cfg.redis.open(ctx, redisstore.Options{}, logger)
		if err != nil {
			fmt.Fprintf(stderr, "minimcp conformance: %v\n", err)
			return 1
		}
		defer rdb.Close()
		co.Sessions, co.Events, co.Relay, co.Bus, co.TaskStore = rdb.Sessions(), rdb.Events(), rdb.Relay(), rdb.Bus(), rdb.Tasks()
		co.StoreTimeout = cfg.redis.timeout
	}
	h, srv := conformance.New(co)
	// The tasks the server runs stop after the transport.
	defer func() { _ = srv.Shutdown(context.WithoutCancel(ctx)) }()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		_ = h.Shutdown(ctx)
		fmt.Fprintf(stderr, "minimcp conformance: %v\n", err)
		return 1
	}
	mode := "stateful"
	if cfg.stateless {
		mode = "stateless"
	}
	fmt.Fprintf(stdout, "minimcp conformance: serving http://%s%s (%s, protocol era %s)\n", ln.Addr(), cfg.path, mode, cfg.era.String())
	if err := server.Serve(ctx, ln, h, &server.ServeOptions{ShutdownTimeout: confShutdownTimeout,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}); err != nil {
		fmt.Fprintf(stderr, "minimcp conformance: %v\n", err)
		return 1
	}
	return 0
}

// parseConformanceArgs parses the flags; a nil config comes with the exit code (0 for --help).
func parseConformanceArgs(args []string, stderr io.Writer) (*confConfig, int) {
	fs := cliflag.NewFlagSet("conformance", "conformance [flags]")
	fs.SetOutput(stderr)
	cfg := &confConfig{}
	fs.StringVar(&cfg.addr, "addr", confDefaultAddr, "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&cfg.path, "path", server.DefaultPath, "path of the MCP endpoint")
	fs.BoolVar(&cfg.stateless, "stateless", false, "serve every request on its own, without sessions (sampling and elicitation then fail)")
	fs.Var(&cfg.era, "protocol-era", cliflag.EraUsage)
	level := fs.String("log-level", "info", "least severe diagnostic written to stderr: debug, info, warn or error")
	fs.StringVar(&cfg.replicaID, "replica-id", "", "sent as X-Served-By on every answer, to tell replicas apart")
	cfg.redis.register(fs)
	pos, code := cliflag.Parse(fs, args)
	if code >= 0 {
		return nil, code
	}
	if err := cliflag.ApplyEnv(fs); err != nil {
		return nil, cliflag.UsageError(fs, err.Error())
	}
	if len(pos) > 0 {
		return nil, cliflag.UsageError(fs, fmt.Sprintf("unexpected argument %q: conformance takes flags only", pos[0]))
	}
	if !strings.HasPrefix(cfg.path, "/") || cfg.path == "/healthz" || cfg.path == "/readyz" {
		return nil, cliflag.UsageError(fs, fmt.Sprintf("--path must start with '/' and not be /healthz or /readyz, got %q", cfg.path))
	}
	if err := cfg.redis.check(); err != nil {
		return nil, cliflag.UsageError(fs, err.Error())
	}
	var ok bool
	if cfg.logLevel, ok = cliflag.ParseLogLevel(*level); !ok {
		return nil, cliflag.UsageError(fs, fmt.Sprintf("--log-level: want debug, info, warn or error, got %q", *level))
	}
	return cfg, 0
}
