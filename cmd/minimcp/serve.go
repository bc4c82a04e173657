package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/minimcp/minimcp/internal/cliflag"
	"github.com/minimcp/minimcp/internal/httptoken"
	"github.com/minimcp/minimcp/internal/manifest"
	"github.com/minimcp/minimcp/internal/serving"
	"github.com/minimcp/minimcp/internal/statekey"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

func init() {
	register("serve", "serve tools over Streamable HTTP (or --stdio)", runServe)
}

// `minimcp serve` builds one mcp.Server and carries it over Streamable HTTP or stdio: this file
// holds its flags and their checks; internal/serving runs it (its design note tells how, from
// start-up to shutdown).

// Defaults of the serve flags not taken from package server.
const (
	defaultServeAddr       = "127.0.0.1:8080"
	defaultShutdownTimeout = 10 * time.Second
)

// serveConfig is what the serve flags say, checked: internal/serving's Config and the --redis
// flags.
type serveConfig struct {
	serving.Config
	// redis is the --redis flags: replicas sharing state in Redis.
	redis redisConfig
}

// serveIO is what serve reads and writes: the process's standard files, or pipes in tests.
type serveIO = serving.IO

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return serve(ctx, args, &serveIO{Stdin: os.Stdin, Stdout: stdout, Stderr: stderr})
}

// serve is the serve command: it returns 0 after a clean shutdown, 1 when serving failed or the
// shutdown deadline passed, 2 for bad flags.
func serve(ctx context.Context, args []string, sio *serveIO) int {
	cfg, code := parseServeFlags(args, sio.Stderr)
	if cfg == nil {
		return code
	}
	logger := serving.NewLogger(sio.Stderr, &cfg.Config)
	if cfg.redis.url != "" {
		rdb, err := cfg.redis.open(ctx, redisOptions(cfg), logger)
		if err != nil {
			fmt.Fprintf(sio.Stderr, "minimcp: serve: %v\n", err)
			return 1
		}
		defer rdb.Close()
		cfg.Stores = func(mo *mcp.ServerOptions, so *server.Options) { cfg.redis.useRedis(rdb, mo, so) }
	}
	srv, tools, closeTools, err := serving.NewServer(&cfg.Config, logger)
	if err != nil {
		fmt.Fprintln(sio.Stderr, err) // a manifest error: every line names the manifest
		return 1
	}
	defer closeTools()
	mctx, stopMetrics := context.WithCancel(ctx)
	waitMetrics, err := serving.Metrics(mctx, &cfg.Config, logger, sio)
	if err != nil {
		stopMetrics()
		fmt.Fprintf(sio.Stderr, "minimcp: serve: %v\n", err)
		return 1
	}
	defer waitMetrics()
	defer stopMetrics()
	// The tasks the server runs stop once the transport has (within the same timeout).
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if cfg.Stdio {
		return serving.Stdio(ctx, &cfg.Config, srv, tools, logger, sio)
	}
	return serving.HTTP(ctx, &cfg.Config, srv, tools, logger, sio)
}

// parseServeFlags parses and checks the flags. It returns nil and the exit code when serve
// must stop: 0 for --help, 2 for a bad flag.
func parseServeFlags(args []string, stderr io.Writer) (*serveConfig, int) {
	fs := cliflag.NewFlagSet("serve", "serve [flags]")
	fs.SetOutput(stderr)
	cfg := &serveConfig{Config: serving.Config{Version: version}}
	fs.StringVar(&cfg.Addr, "addr", defaultServeAddr, "TCP address to listen on, host:port (port 0 picks a free port)")
	fs.StringVar(&cfg.Path, "path", server.DefaultPath, "path of the MCP endpoint")
	fs.BoolVar(&cfg.Stateless, "stateless", false, "keep no sessions: every POST stands alone, any replica can serve it")
	fs.Var(&cfg.Era, "protocol-era", cliflag.EraUsage)
	response := fs.String("response", "auto", "how POSTs are answered: auto (JSON, or SSE when a tool sends notifications first), json or sse")
	idle := fs.Duration("session-idle-timeout", server.DefaultSessionIdleTimeout, "end a session after this long without activity; 0 keeps sessions until DELETE or --max-sessions")
	fs.IntVar(&cfg.MaxSessions, "max-sessions", server.DefaultMaxSessions, "most sessions at once; initialize beyond it gets 503")
	fs.IntVar(&cfg.MaxPerPrincipal, "max-sessions-per-principal", 0, "most sessions one --auth-token principal holds at once; initialize beyond it gets 429; 0: a tenth of --max-sessions; -1: no quota")
	fs.Var(&cfg.AllowedOrigins, "allowed-origins", "Origin accepted besides same-origin and loopback ones (repeatable or comma-separated; * for any)")
	fs.Var(&cfg.AllowedHosts, "allowed-hosts", "Host accepted besides loopback names (repeatable or comma-separated); set when a loopback listener is reached by a name")
	authFlags := addAuthFlags(fs)
	fs.StringVar(&cfg.ReplicaID, "replica-id", "", "sent as X-Served-By on every answer (default: the hostname)")
	fs.BoolVar(&cfg.Stdio, "stdio", false, "serve one client over stdin and stdout instead of HTTP (logs go to stderr)")
	fs.BoolVar(&cfg.LegacySSE, "legacy-sse", false, "also serve the 2024-11-05 HTTP+SSE transport: GET /sse and POST /message")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	metrics := fs.Bool("metrics", true, "count requests, refusals, sessions and streams, and serve them in the Prometheus text format at /metrics (beside the MCP endpoint, or on --metrics-addr)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve /metrics (and /debug/pprof/ with --pprof) on this host:port of its own instead of on --addr")
	fs.BoolVar(&cfg.Pprof, "pprof", false, "serve net/http/pprof at /debug/pprof/ on --metrics-addr (required: never beside the MCP endpoint)")
	fs.BoolVar(&cfg.AccessLog, "access-log", true, "log one line per request at info level: method, name, outcome, duration, id, session, principal, replica, trace id")
	logLevel := fs.String("log-level", "info", "least severe level logged: debug, info, warn or error")
	fs.StringVar(&cfg.Manifest, "manifest", "", "JSON file declaring the tools, resources and prompts to serve (see docs/manifest.md); without it, a built-in demo set")
	fs.StringVar(&cfg.OpenAPI.Spec, "openapi", "", "OpenAPI description (a file or a URL; Swagger 2.0, OpenAPI 3.0 or 3.1; JSON or YAML) whose operations to serve as tools, alone or beside --manifest's (see docs/manifest.md)")
	fs.StringVar(&cfg.OpenAPI.BaseURL, "openapi-base", "", "base URL of the --openapi API, instead of the description's server")
	var openapiHeaders cliflag.HeaderList
	fs.Var(&openapiHeaders, "openapi-header", "header sent with every --openapi request, 'Name: value' (repeatable; ${NAME} in the value is the environment variable NAME; in the environment, one per line)")
	fs.BoolVar(&cfg.OpenAPI.DryRun, "openapi-dry-run", false, "the --openapi tools answer with the request they would send, and send nothing")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", defaultShutdownTimeout, "how long a shutdown waits for requests in flight")
	fs.DurationVar(&cfg.DrainDelay, "drain-delay", 0, "on shutdown, keep the listener open at least this long, /readyz answering 503, so balancers notice before the port closes; counts within --shutdown-timeout")
	fs.IntVar(&cfg.MaxProcesses, "max-processes", manifest.DefaultMaxProcesses, "most programs of the manifest's exec tools running at once; a call beyond it waits for a slot, up to the tool's timeout")
	fs.DurationVar(&cfg.PollAfter, "poll-after", 0, "close the connection of a tool call still running after this long; the client resumes it with GET (SEP-1699, clients of 2025-11-25 on); 0: never")
	fs.IntVar(&cfg.MaxSubscriptions, "max-subscriptions", mcp.DefaultMaxSubscriptions, "most resources one session may be subscribed to at once, or one subscriptions/listen may name; beyond it gets -32602")
	fs.IntVar(&cfg.MaxURILength, "max-uri-length", mcp.DefaultMaxURILength, "longest resource uri accepted by resources/read, subscribe, unsubscribe and subscriptions/listen, in bytes")
	fs.IntVar(&cfg.MaxListens, "max-listens", 0, fmt.Sprintf("most subscriptions/listen streams (2026-07-28) open at once; a listen beyond it gets 503 (-32000 with --stdio); 0: %d, or %d with --stdio", server.DefaultMaxListens, server.DefaultStdioMaxListens))
	fs.IntVar(&cfg.MaxListensPerPrincipal, "max-listens-per-principal", 0, "most subscriptions/listen streams one --auth-token principal holds at once; a listen beyond it gets 429; 0: a tenth of --max-listens; -1: no quota")
	keepAlive := fs.Duration("keep-alive", server.DefaultKeepAlive, "interval of keep-alive comments on idle SSE streams (GET and subscriptions/listen streams); 0: none")
	fs.DurationVar(&cfg.BodyReadTimeout, "body-read-timeout", server.DefaultBodyReadTimeout, "time to receive a request body after its headers; a body not complete by then gets 408")
	fs.Int64Var(&cfg.MaxBodyBytesInFlight, "max-body-bytes-in-flight", server.DefaultMaxBodyBytesInFlight, "bytes held by request bodies still arriving, all requests together; a body beyond gets 503")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", server.DefaultWriteTimeout, "time a client has to take each write of an answer (a JSON answer, an SSE event) before it is cut")
	fs.IntVar(&cfg.LegacyMaxInFlight, "legacy-max-in-flight", server.DefaultLegacyMaxInFlight, "requests of one --legacy-sse session handled at once; more get 429")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", server.DefaultMaxBodyBytes, "largest POST body (one message or batch), in bytes; larger gets 413")
	fs.IntVar(&cfg.SessionEventBytes, "max-session-event-bytes", server.DefaultSessionEventBytes, "bytes of SSE events one session keeps for resumption (Last-Event-ID); the oldest go first")
	fs.IntVar(&cfg.EventBytes, "max-event-bytes", server.DefaultTotalEventBytes, "bytes of SSE events kept for resumption, all sessions together; the oldest go first")
	fs.DurationVar(&cfg.ClientRequestTimeout, "client-request-timeout", mcp.DefaultClientRequestTimeout, "how long a tool waits for the client to answer a sampling, elicitation or roots request")
	stateKey := fs.String("state-key", "", "keys sealing the requestState of 2026-07-28 input-required results: 32 bytes each in hex or base64, comma-separated or @FILE (one a line), newest first; replicas behind one endpoint must share them; unset: a random key of this process")
	fs.DurationVar(&cfg.StateTTL, "state-ttl", mcp.DefaultStateTTL, "how long a client has to answer an input-required result (the requestState it echoes expires after this)")
	fs.IntVar(&cfg.MaxStateBytes, "max-state-bytes", mcp.DefaultMaxStateBytes, "longest requestState of an input-required result, in bytes; a round needing more fails (keep it well under --max-body-bytes, since the client echoes the state)")
	fs.DurationVar(&cfg.TaskTTL, "task-ttl", mcp.DefaultTaskTTL, "how long a task and its result are kept after it starts (its ttlMs); one still running then fails")
	fs.DurationVar(&cfg.TaskLease, "task-lease", mcp.DefaultTaskLease, "how long a task outlives the process running it before it is reported failed")
	fs.IntVar(&cfg.MaxTasks, "max-tasks", mcp.DefaultMaxTasks, "most tasks running at once; a call that would start one more gets -32000")
	fs.IntVar(&cfg.MaxTasksPerPrincipal, "max-tasks-per-principal", 0, "most tasks one authenticated principal runs at once (0: a tenth of --max-tasks; -1: no quota)")
	fs.IntVar(&cfg.MaxTaskResultBytes, "max-task-result-bytes", mcp.DefaultMaxTaskResultBytes, "largest result a task keeps for tasks/get; a task with a larger one fails")
	cfg.redis.register(fs)
	pos, code := cliflag.Parse(fs, args)
	if code >= 0 {
		return nil, code
	}
	bad := func(format string, a ...any) (*serveConfig, int) {
		return nil, cliflag.UsageError(fs, fmt.Sprintf(format, a...))
	}
	if err := cliflag.ApplyEnv(fs); err != nil {
		return bad("%v", err)
	}
	if len(pos) > 0 {
		return bad("unexpected argument %q: serve takes flags only", pos[0])
	}
	if cfg.OpenAPI.Spec == "" && (cfg.OpenAPI.BaseURL != "" || len(openapiHeaders) > 0 || cfg.OpenAPI.DryRun) {
		return bad("--openapi-base, --openapi-header and --openapi-dry-run go with --openapi")
	}
	for _, h := range openapiHeaders {
		if name, _, ok := strings.Cut(h, ":"); !ok || !httptoken.Valid(strings.TrimSpace(name)) {
			return bad("--openapi-header %q: want 'Name: value'", h)
		}
	}
	cfg.OpenAPI.Headers = openapiHeaders

	switch *response {
	case "auto":
		cfg.Response = server.ResponseAuto
	case "json":
		cfg.Response = server.ResponseJSON
	case "sse":
		cfg.Response = server.ResponseSSE
	default:
		return bad("--response: want auto, json or sse, got %q", *response)
	}
	cfg.ResponseName = *response
	switch {
	case *idle < 0:
		return bad("--session-idle-timeout: must not be negative, got %v", *idle)
	case *idle == 0:
		cfg.IdleTimeout = -1 // server.Options: negative means never
	default:
		cfg.IdleTimeout = *idle
	}
	// The bounds that must be positive: zero or less would refuse everything they bound.
	for _, b := range []struct {
		flag     string
		positive bool
		value    any
	}{
		{"--max-sessions", cfg.MaxSessions > 0, cfg.MaxSessions},
		{"--max-subscriptions", cfg.MaxSubscriptions > 0, cfg.MaxSubscriptions},
		{"--max-uri-length", cfg.MaxURILength > 0, cfg.MaxURILength},
		{"--max-body-bytes", cfg.MaxBodyBytes > 0, cfg.MaxBodyBytes},
		{"--client-request-timeout", cfg.ClientRequestTimeout > 0, cfg.ClientRequestTimeout},
		{"--state-ttl", cfg.StateTTL > 0, cfg.StateTTL},
		{"--max-state-bytes", cfg.MaxStateBytes > 0, cfg.MaxStateBytes},
		{"--task-ttl", cfg.TaskTTL > 0, cfg.TaskTTL},
		{"--task-lease", cfg.TaskLease > 0, cfg.TaskLease},
		{"--max-tasks", cfg.MaxTasks > 0, cfg.MaxTasks},
		{"--max-task-result-bytes", cfg.MaxTaskResultBytes > 0, cfg.MaxTaskResultBytes},
		{"--max-processes", cfg.MaxProcesses > 0, cfg.MaxProcesses},
		{"--shutdown-timeout", cfg.ShutdownTimeout > 0, cfg.ShutdownTimeout},
		{"--body-read-timeout", cfg.BodyReadTimeout > 0, cfg.BodyReadTimeout},
		{"--max-body-bytes-in-flight", cfg.MaxBodyBytesInFlight > 0, cfg.MaxBodyBytesInFlight},
		{"--write-timeout", cfg.WriteTimeout > 0, cfg.WriteTimeout},
		{"--legacy-max-in-flight", cfg.LegacyMaxInFlight > 0, cfg.LegacyMaxInFlight},
	} {
		if !b.positive {
			return bad("%s: must be positive, got %v", b.flag, b.value)
		}
	}
	if cfg.MaxListens < 0 {
		return bad("--max-listens: want a positive number or 0 (the default), got %d", cfg.MaxListens)
	}
	if cfg.MaxListensPerPrincipal < -1 {
		return bad("--max-listens-per-principal: want a positive number, 0 (a tenth of --max-listens) or -1 (no quota), got %d", cfg.MaxListensPerPrincipal)
	}
	switch {
	case *keepAlive < 0:
		return bad("--keep-alive: must not be negative, got %v", *keepAlive)
	case *keepAlive == 0:
		cfg.KeepAlive = -1 // server.Options: negative means none
	default:
		cfg.KeepAlive = *keepAlive
	}
	if cfg.MaxPerPrincipal < -1 {
		return bad("--max-sessions-per-principal: want a positive number, 0 (a tenth of --max-sessions) or -1 (no quota), got %d", cfg.MaxPerPrincipal)
	}
	if cfg.SessionEventBytes <= 0 || cfg.EventBytes <= 0 {
		return bad("--max-session-event-bytes and --max-event-bytes: must be positive, got %d and %d", cfg.SessionEventBytes, cfg.EventBytes)
	}
	if cfg.MaxTasksPerPrincipal < -1 {
		return bad("--max-tasks-per-principal: want a positive number, 0 (a tenth of --max-tasks) or -1 (no quota), got %d", cfg.MaxTasksPerPrincipal)
	}
	var err error
	if cfg.StateKeys, err = statekey.Parse(*stateKey); err != nil {
		return bad("%v", err)
	}
	switch {
	case cfg.DrainDelay < 0:
		return bad("--drain-delay: must not be negative, got %v", cfg.DrainDelay)
	case cfg.DrainDelay >= cfg.ShutdownTimeout:
		return bad("--drain-delay (%v) must be shorter than --shutdown-timeout (%v), within which it counts", cfg.DrainDelay, cfg.ShutdownTimeout)
	}
	switch {
	case cfg.PollAfter < 0:
		return bad("--poll-after: must not be negative, got %v", cfg.PollAfter)
	case cfg.PollAfter > 0 && cfg.Stateless:
		return bad("--poll-after needs sessions to resume a call in; it does not go with --stateless")
	case cfg.PollAfter > 0 && cfg.Era == cliflag.EraModern:
		return bad("--poll-after needs sessions to resume a call in; --protocol-era 2026 has none")
	case cfg.LegacySSE && cfg.Era == cliflag.EraModern:
		return bad("--legacy-sse serves 2024-11-05 clients; it does not go with --protocol-era 2026")
	}
	if *metrics {
		cfg.Metrics = server.NewMetrics()
	}
	switch {
	case cfg.MetricsAddr != "" && !*metrics:
		return bad("--metrics-addr serves the metrics; it does not go with --metrics=false")
	case cfg.Pprof && cfg.MetricsAddr == "":
		return bad("--pprof needs --metrics-addr: profiles are served on the metrics listener only, never beside the MCP endpoint")
	}
	if cfg.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(cfg.MetricsAddr); err != nil {
			return bad("--metrics-addr: want host:port, got %q", cfg.MetricsAddr)
		}
	}
	if err := cfg.redis.check(); err != nil {
		return bad("%v", err)
	}
	if cfg.redis.url != "" && cfg.Stdio {
		return bad("--redis shares state between HTTP replicas; it does not go with --stdio")
	}
	if err := checkServePath(cfg.Path, cfg.LegacySSE, cfg.MetricsPath()); err != nil {
		return bad("--path: %v", err)
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return bad("--addr: want host:port, got %q", cfg.Addr)
	}
	switch *logFormat {
	case "text":
	case "json":
		cfg.LogJSON = true
	default:
		return bad("--log-format: want text or json, got %q", *logFormat)
	}
	var ok bool
	if cfg.LogLevel, ok = cliflag.ParseLogLevel(*logLevel); !ok {
		return bad("--log-level: want debug, info, warn or error, got %q", *logLevel)
	}
	if cfg.Auth, err = authFlags.config(); err != nil {
		return bad("%v", err)
	}
	if cfg.Stdio && cfg.Auth.Enabled() {
		// Nothing to check them against: the stdio client is whoever started the process (MCP
		// 2025-11-25, Basic § Authorization: STDIO implementations "SHOULD NOT follow this
		// specification, and instead retrieve credentials from the environment").
		return bad("--auth-token and --auth-issuer do not apply to --stdio")
	}
	if cfg.ReplicaID == "" {
		cfg.ReplicaID, _ = os.Hostname()
	}
	return cfg, -1
}

// checkServePath checks --path: an absolute path that the router can hold beside the routes
// the handler serves itself.
func checkServePath(p string, legacy bool, metricsPath string) error {
	reserved := []string{"/healthz", "/readyz"}
	if metricsPath != "" {
		reserved = append(reserved, metricsPath)
	}
	if legacy {
		reserved = append(reserved, "/sse", "/message")
	}
	switch {
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("must start with /, got %q", p)
	case strings.ContainsAny(p, ":*?# "):
		return fmt.Errorf("must be a plain path without : * ? # or spaces, got %q", p)
	}
	for _, r := range reserved {
		if p == r {
			return fmt.Errorf("%s is served by minimcp itself; choose another path", p)
		}
	}
	return nil
}
