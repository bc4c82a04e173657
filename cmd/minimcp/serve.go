package main

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

	"github.com/minimcp/minimcp/internal/bearer"
	"github.com/minimcp/minimcp/internal/builtin"
	"github.com/minimcp/minimcp/internal/cliflag"
	"github.com/minimcp/minimcp/internal/httptoken"
	"github.com/minimcp/minimcp/internal/manifest"
	"github.com/minimcp/minimcp/internal/statekey"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/redisstore"
	"github.com/minimcp/minimcp/server"
)

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

Shutdown, when ctx is cancelled (the first SIGINT or SIGTERM; main.go exits at once on the
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

func init() {
	register("serve", "serve tools over Streamable HTTP (or --stdio)", runServe)
}

// Defaults of the serve flags not taken from package server.
const (
	defaultServeAddr       = "127.0.0.1:8080"
	defaultShutdownTimeout = 10 * time.Second
	// serveIdleTimeout closes keep-alive connections idle this long.
	serveIdleTimeout = 2 * time.Minute
)

// serveConfig is what the serve flags say, checked.
type serveConfig struct {
	addr            string
	path            string
	stateless       bool
	era             cliflag.Era
	response        server.ResponseMode
	responseName    string
	idleTimeout     time.Duration // as the server takes it: negative means never
	maxSessions     int
	maxPerPrincipal int
	allowedOrigins  cliflag.StringList
	allowedHosts    cliflag.StringList
	// auth is what the --auth-* flags say (see auth.go).
	auth      bearer.Config
	replicaID string
	stdio     bool
	legacySSE bool
	logJSON   bool
	logLevel  slog.Level
	manifest  string
	// openapi is --openapi and the flags that go with it; Spec is "" without it.
	openapi         manifest.OpenAPI
	shutdownTimeout time.Duration
	drainDelay      time.Duration
	pollAfter       time.Duration
	// maxSubscriptions and maxURILength bound what a session keeps for resources/subscribe,
	// and the URIs of one subscriptions/listen.
	maxSubscriptions int
	maxURILength     int
	// maxListens and maxListensPerPrincipal bound the subscriptions/listen streams open at
	// once (server.Options and StdioOptions.MaxListens; 0 means their defaults); keepAlive is
	// server.Options.KeepAlive (negative: none).
	maxListens             int
	maxListensPerPrincipal int
	keepAlive              time.Duration
	// bodyReadTimeout, maxBodyBytesInFlight, writeTimeout and legacyMaxInFlight are the
	// server.Options fields of the same names.
	bodyReadTimeout      time.Duration
	maxBodyBytesInFlight int64
	writeTimeout         time.Duration
	legacyMaxInFlight    int
	// maxProcesses bounds the programs of exec tools running at once.
	maxProcesses int
	// maxBodyBytes, sessionEventBytes and eventBytes are server.Options.MaxBodyBytes and the
	// caps of the event store kept for resumption.
	maxBodyBytes      int64
	sessionEventBytes int
	eventBytes        int
	// clientRequestTimeout is mcp.ServerOptions.ClientRequestTimeout.
	clientRequestTimeout time.Duration
	// stateKeys and stateTTL are mcp.ServerOptions.StateKeys and StateTTL: what seals the
	// requestState of 2026-07-28 input-required results, and how long it is accepted.
	stateKeys [][]byte
	stateTTL  time.Duration
	// maxStateBytes is mcp.ServerOptions.MaxStateBytes.
	maxStateBytes int
	// taskTTL, taskLease, maxTasks and maxTasksPerPrincipal are the task options of
	// mcp.ServerOptions (the tasks extension).
	taskTTL, taskLease                                 time.Duration
	maxTasks, maxTasksPerPrincipal, maxTaskResultBytes int
	// metrics counts what the server does (--metrics), nil when off; metricsAddr is the
	// listener of its own for /metrics and pprof (--metrics-addr), "" for beside the MCP
	// endpoint; pprof serves net/http/pprof there (--pprof); accessLog logs each request
	// (--access-log). See the design note in serve_observe.go.
	metrics     *server.Metrics
	metricsAddr string
	pprof       bool
	accessLog   bool
	// redis is the --redis flags: replicas sharing state in Redis.
	redis redisConfig
}

// serveIO is what serve reads and writes: the process's standard files, or pipes in tests.
type serveIO struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// ready, if set, is called with the listener's address once the HTTP server is up, before
	// serve waits for ctx. Tests use it to learn the port of --addr 127.0.0.1:0.
	ready func(net.Addr)
	// metricsReady, if set, is called with the address of --metrics-addr's listener once it
	// is up.
	metricsReady func(net.Addr)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return serve(ctx, args, &serveIO{stdin: os.Stdin, stdout: stdout, stderr: stderr})
}

// serve is the serve command: it returns 0 after a clean shutdown, 1 when serving failed or the
// shutdown deadline passed, 2 for bad flags.
func serve(ctx context.Context, args []string, sio *serveIO) int {
	cfg, code := parseServeFlags(args, sio.stderr)
	if cfg == nil {
		return code
	}
	logger := newServeLogger(sio.stderr, cfg)
	var rdb *redisstore.Store
	if cfg.redis.url != "" {
		var err error
		if rdb, err = cfg.redis.open(ctx, redisOptions(cfg), logger); err != nil {
			fmt.Fprintf(sio.stderr, "minimcp: serve: %v\n", err)
			return 1
		}
		defer rdb.Close()
	}
	srv, tools, closeTools, err := newServeServer(cfg, logger, rdb)
	if err != nil {
		fmt.Fprintln(sio.stderr, err) // a manifest error: every line names the manifest
		return 1
	}
	defer closeTools()
	mctx, stopMetrics := context.WithCancel(ctx)
	waitMetrics, err := serveMetrics(mctx, cfg, logger, sio)
	if err != nil {
		stopMetrics()
		fmt.Fprintf(sio.stderr, "minimcp: serve: %v\n", err)
		return 1
	}
	defer waitMetrics()
	defer stopMetrics()
	// The tasks the server runs stop once the transport has (within the same timeout).
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if cfg.stdio {
		return serveStdio(ctx, cfg, srv, tools, logger, sio)
	}
	return serveHTTP(ctx, cfg, srv, tools, logger, sio, rdb)
}

// parseServeFlags parses and checks the flags. It returns nil and the exit code when serve
// must stop: 0 for --help, 2 for a bad flag.
func parseServeFlags(args []string, stderr io.Writer) (*serveConfig, int) {
	fs := cliflag.NewFlagSet("serve", "serve [flags]")
	fs.SetOutput(stderr)
	cfg := &serveConfig{}
	fs.StringVar(&cfg.addr, "addr", defaultServeAddr, "TCP address to listen on, host:port (port 0 picks a free port)")
	fs.StringVar(&cfg.path, "path", server.DefaultPath, "path of the MCP endpoint")
	fs.BoolVar(&cfg.stateless, "stateless", false, "keep no sessions: every POST stands alone, any replica can serve it")
	fs.Var(&cfg.era, "protocol-era", cliflag.EraUsage)
	response := fs.String("response", "auto", "how POSTs are answered: auto (JSON, or SSE when a tool sends notifications first), json or sse")
	idle := fs.Duration("session-idle-timeout", server.DefaultSessionIdleTimeout, "end a session after this long without activity; 0 keeps sessions until DELETE or --max-sessions")
	fs.IntVar(&cfg.maxSessions, "max-sessions", server.DefaultMaxSessions, "most sessions at once; initialize beyond it gets 503")
	fs.IntVar(&cfg.maxPerPrincipal, "max-sessions-per-principal", 0, "most sessions one --auth-token principal holds at once; initialize beyond it gets 429; 0: a tenth of --max-sessions; -1: no quota")
	fs.Var(&cfg.allowedOrigins, "allowed-origins", "Origin accepted besides same-origin and loopback ones (repeatable or comma-separated; * for any)")
	fs.Var(&cfg.allowedHosts, "allowed-hosts", "Host accepted besides loopback names (repeatable or comma-separated); set when a loopback listener is reached by a name")
	authFlags := addAuthFlags(fs)
	fs.StringVar(&cfg.replicaID, "replica-id", "", "sent as X-Served-By on every answer (default: the hostname)")
	fs.BoolVar(&cfg.stdio, "stdio", false, "serve one client over stdin and stdout instead of HTTP (logs go to stderr)")
	fs.BoolVar(&cfg.legacySSE, "legacy-sse", false, "also serve the 2024-11-05 HTTP+SSE transport: GET /sse and POST /message")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	metrics := fs.Bool("metrics", true, "count requests, refusals, sessions and streams, and serve them in the Prometheus text format at /metrics (beside the MCP endpoint, or on --metrics-addr)")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", "", "serve /metrics (and /debug/pprof/ with --pprof) on this host:port of its own instead of on --addr")
	fs.BoolVar(&cfg.pprof, "pprof", false, "serve net/http/pprof at /debug/pprof/ on --metrics-addr (required: never beside the MCP endpoint)")
	fs.BoolVar(&cfg.accessLog, "access-log", true, "log one line per request at info level: method, name, outcome, duration, id, session, principal, replica, trace id")
	logLevel := fs.String("log-level", "info", "least severe level logged: debug, info, warn or error")
	fs.StringVar(&cfg.manifest, "manifest", "", "JSON file declaring the tools, resources and prompts to serve (see docs/manifest.md); without it, a built-in demo set")
	fs.StringVar(&cfg.openapi.Spec, "openapi", "", "OpenAPI description (a file or a URL; Swagger 2.0, OpenAPI 3.0 or 3.1; JSON or YAML) whose operations to serve as tools, alone or beside --manifest's (see docs/manifest.md)")
	fs.StringVar(&cfg.openapi.BaseURL, "openapi-base", "", "base URL of the --openapi API, instead of the description's server")
	var openapiHeaders cliflag.HeaderList
	fs.Var(&openapiHeaders, "openapi-header", "header sent with every --openapi request, 'Name: value' (repeatable; ${NAME} in the value is the environment variable NAME; in the environment, one per line)")
	fs.BoolVar(&cfg.openapi.DryRun, "openapi-dry-run", false, "the --openapi tools answer with the request they would send, and send nothing")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", defaultShutdownTimeout, "how long a shutdown waits for requests in flight")
	fs.DurationVar(&cfg.drainDelay, "drain-delay", 0, "on shutdown, keep the listener open at least this long, /readyz answering 503, so balancers notice before the port closes; counts within --shutdown-timeout")
	fs.IntVar(&cfg.maxProcesses, "max-processes", manifest.DefaultMaxProcesses, "most programs of the manifest's exec tools running at once; a call beyond it waits for a slot, up to the tool's timeout")
	fs.DurationVar(&cfg.pollAfter, "poll-after", 0, "close the connection of a tool call still running after this long; the client resumes it with GET (SEP-1699, clients of 2025-11-25 on); 0: never")
	fs.IntVar(&cfg.maxSubscriptions, "max-subscriptions", mcp.DefaultMaxSubscriptions, "most resources one session may be subscribed to at once, or one subscriptions/listen may name; beyond it gets -32602")
	fs.IntVar(&cfg.maxURILength, "max-uri-length", mcp.DefaultMaxURILength, "longest resource uri accepted by resources/read, subscribe, unsubscribe and subscriptions/listen, in bytes")
	fs.IntVar(&cfg.maxListens, "max-listens", 0, fmt.Sprintf("most subscriptions/listen streams (2026-07-28) open at once; a listen beyond it gets 503 (-32000 with --stdio); 0: %d, or %d with --stdio", server.DefaultMaxListens, server.DefaultStdioMaxListens))
	fs.IntVar(&cfg.maxListensPerPrincipal, "max-listens-per-principal", 0, "most subscriptions/listen streams one --auth-token principal holds at once; a listen beyond it gets 429; 0: a tenth of --max-listens; -1: no quota")
	keepAlive := fs.Duration("keep-alive", server.DefaultKeepAlive, "interval of keep-alive comments on idle SSE streams (GET and subscriptions/listen streams); 0: none")
	fs.DurationVar(&cfg.bodyReadTimeout, "body-read-timeout", server.DefaultBodyReadTimeout, "time to receive a request body after its headers; a body not complete by then gets 408")
	fs.Int64Var(&cfg.maxBodyBytesInFlight, "max-body-bytes-in-flight", server.DefaultMaxBodyBytesInFlight, "bytes held by request bodies still arriving, all requests together; a body beyond gets 503")
	fs.DurationVar(&cfg.writeTimeout, "write-timeout", server.DefaultWriteTimeout, "time a client has to take each write of an answer (a JSON answer, an SSE event) before it is cut")
	fs.IntVar(&cfg.legacyMaxInFlight, "legacy-max-in-flight", server.DefaultLegacyMaxInFlight, "requests of one --legacy-sse session handled at once; more get 429")
	fs.Int64Var(&cfg.maxBodyBytes, "max-body-bytes", server.DefaultMaxBodyBytes, "largest POST body (one message or batch), in bytes; larger gets 413")
	fs.IntVar(&cfg.sessionEventBytes, "max-session-event-bytes", server.DefaultSessionEventBytes, "bytes of SSE events one session keeps for resumption (Last-Event-ID); the oldest go first")
	fs.IntVar(&cfg.eventBytes, "max-event-bytes", server.DefaultTotalEventBytes, "bytes of SSE events kept for resumption, all sessions together; the oldest go first")
	fs.DurationVar(&cfg.clientRequestTimeout, "client-request-timeout", mcp.DefaultClientRequestTimeout, "how long a tool waits for the client to answer a sampling, elicitation or roots request")
	stateKey := fs.String("state-key", "", "keys sealing the requestState of 2026-07-28 input-required results: 32 bytes each in hex or base64, comma-separated or @FILE (one a line), newest first; replicas behind one endpoint must share them; unset: a random key of this process")
	fs.DurationVar(&cfg.stateTTL, "state-ttl", mcp.DefaultStateTTL, "how long a client has to answer an input-required result (the requestState it echoes expires after this)")
	fs.IntVar(&cfg.maxStateBytes, "max-state-bytes", mcp.DefaultMaxStateBytes, "longest requestState of an input-required result, in bytes; a round needing more fails (keep it well under --max-body-bytes, since the client echoes the state)")
	fs.DurationVar(&cfg.taskTTL, "task-ttl", mcp.DefaultTaskTTL, "how long a task and its result are kept after it starts (its ttlMs); one still running then fails")
	fs.DurationVar(&cfg.taskLease, "task-lease", mcp.DefaultTaskLease, "how long a task outlives the process running it before it is reported failed")
	fs.IntVar(&cfg.maxTasks, "max-tasks", mcp.DefaultMaxTasks, "most tasks running at once; a call that would start one more gets -32000")
	fs.IntVar(&cfg.maxTasksPerPrincipal, "max-tasks-per-principal", 0, "most tasks one authenticated principal runs at once (0: a tenth of --max-tasks; -1: no quota)")
	fs.IntVar(&cfg.maxTaskResultBytes, "max-task-result-bytes", mcp.DefaultMaxTaskResultBytes, "largest result a task keeps for tasks/get; a task with a larger one fails")
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
	if cfg.openapi.Spec == "" && (cfg.openapi.BaseURL != "" || len(openapiHeaders) > 0 || cfg.openapi.DryRun) {
		return bad("--openapi-base, --openapi-header and --openapi-dry-run go with --openapi")
	}
	for _, h := range openapiHeaders {
		if name, _, ok := strings.Cut(h, ":"); !ok || !httptoken.Valid(strings.TrimSpace(name)) {
			return bad("--openapi-header %q: want 'Name: value'", h)
		}
	}
	cfg.openapi.Headers = openapiHeaders

	switch *response {
	case "auto":
		cfg.response = server.ResponseAuto
	case "json":
		cfg.response = server.ResponseJSON
	case "sse":
		cfg.response = server.ResponseSSE
	default:
		return bad("--response: want auto, json or sse, got %q", *response)
	}
	cfg.responseName = *response
	switch {
	case *idle < 0:
		return bad("--session-idle-timeout: must not be negative, got %v", *idle)
	case *idle == 0:
		cfg.idleTimeout = -1 // server.Options: negative means never
	default:
		cfg.idleTimeout = *idle
	}
	// The bounds that must be positive: zero or less would refuse everything they bound.
	for _, b := range []struct {
		flag     string
		positive bool
		value    any
	}{
		{"--max-sessions", cfg.maxSessions > 0, cfg.maxSessions},
		{"--max-subscriptions", cfg.maxSubscriptions > 0, cfg.maxSubscriptions},
		{"--max-uri-length", cfg.maxURILength > 0, cfg.maxURILength},
		{"--max-body-bytes", cfg.maxBodyBytes > 0, cfg.maxBodyBytes},
		{"--client-request-timeout", cfg.clientRequestTimeout > 0, cfg.clientRequestTimeout},
		{"--state-ttl", cfg.stateTTL > 0, cfg.stateTTL},
		{"--max-state-bytes", cfg.maxStateBytes > 0, cfg.maxStateBytes},
		{"--task-ttl", cfg.taskTTL > 0, cfg.taskTTL},
		{"--task-lease", cfg.taskLease > 0, cfg.taskLease},
		{"--max-tasks", cfg.maxTasks > 0, cfg.maxTasks},
		{"--max-task-result-bytes", cfg.maxTaskResultBytes > 0, cfg.maxTaskResultBytes},
		{"--max-processes", cfg.maxProcesses > 0, cfg.maxProcesses},
		{"--shutdown-timeout", cfg.shutdownTimeout > 0, cfg.shutdownTimeout},
		{"--body-read-timeout", cfg.bodyReadTimeout > 0, cfg.bodyReadTimeout},
		{"--max-body-bytes-in-flight", cfg.maxBodyBytesInFlight > 0, cfg.maxBodyBytesInFlight},
		{"--write-timeout", cfg.writeTimeout > 0, cfg.writeTimeout},
		{"--legacy-max-in-flight", cfg.legacyMaxInFlight > 0, cfg.legacyMaxInFlight},
	} {
		if !b.positive {
			return bad("%s: must be positive, got %v", b.flag, b.value)
		}
	}
	if cfg.maxListens < 0 {
		return bad("--max-listens: want a positive number or 0 (the default), got %d", cfg.maxListens)
	}
	if cfg.maxListensPerPrincipal < -1 {
		return bad("--max-listens-per-principal: want a positive number, 0 (a tenth of --max-listens) or -1 (no quota), got %d", cfg.maxListensPerPrincipal)
	}
	switch {
	case *keepAlive < 0:
		return bad("--keep-alive: must not be negative, got %v", *keepAlive)
	case *keepAlive == 0:
		cfg.keepAlive = -1 // server.Options: negative means none
	default:
		cfg.keepAlive = *keepAlive
	}
	if cfg.maxPerPrincipal < -1 {
		return bad("--max-sessions-per-principal: want a positive number, 0 (a tenth of --max-sessions) or -1 (no quota), got %d", cfg.maxPerPrincipal)
	}
	if cfg.sessionEventBytes <= 0 || cfg.eventBytes <= 0 {
		return bad("--max-session-event-bytes and --max-event-bytes: must be positive, got %d and %d", cfg.sessionEventBytes, cfg.eventBytes)
	}
	if cfg.maxTasksPerPrincipal < -1 {
		return bad("--max-tasks-per-principal: want a positive number, 0 (a tenth of --max-tasks) or -1 (no quota), got %d", cfg.maxTasksPerPrincipal)
	}
	var err error
	if cfg.stateKeys, err = statekey.Parse(*stateKey); err != nil {
		return bad("%v", err)
	}
	switch {
	case cfg.drainDelay < 0:
		return bad("--drain-delay: must not be negative, got %v", cfg.drainDelay)
	case cfg.drainDelay >= cfg.shutdownTimeout:
		return bad("--drain-delay (%v) must be shorter than --shutdown-timeout (%v), within which it counts", cfg.drainDelay, cfg.shutdownTimeout)
	}
	switch {
	case cfg.pollAfter < 0:
		return bad("--poll-after: must not be negative, got %v", cfg.pollAfter)
	case cfg.pollAfter > 0 && cfg.stateless:
		return bad("--poll-after needs sessions to resume a call in; it does not go with --stateless")
	case cfg.pollAfter > 0 && cfg.era == cliflag.EraModern:
		return bad("--poll-after needs sessions to resume a call in; --protocol-era 2026 has none")
	case cfg.legacySSE && cfg.era == cliflag.EraModern:
		return bad("--legacy-sse serves 2024-11-05 clients; it does not go with --protocol-era 2026")
	}
	if *metrics {
		cfg.metrics = server.NewMetrics()
	}
	switch {
	case cfg.metricsAddr != "" && !*metrics:
		return bad("--metrics-addr serves the metrics; it does not go with --metrics=false")
	case cfg.pprof && cfg.metricsAddr == "":
		return bad("--pprof needs --metrics-addr: profiles are served on the metrics listener only, never beside the MCP endpoint")
	}
	if cfg.metricsAddr != "" {
		if _, _, err := net.SplitHostPort(cfg.metricsAddr); err != nil {
			return bad("--metrics-addr: want host:port, got %q", cfg.metricsAddr)
		}
	}
	if err := cfg.redis.check(); err != nil {
		return bad("%v", err)
	}
	if cfg.redis.url != "" && cfg.stdio {
		return bad("--redis shares state between HTTP replicas; it does not go with --stdio")
	}
	if err := checkServePath(cfg.path, cfg.legacySSE, cfg.metricsPath()); err != nil {
		return bad("--path: %v", err)
	}
	if _, _, err := net.SplitHostPort(cfg.addr); err != nil {
		return bad("--addr: want host:port, got %q", cfg.addr)
	}
	switch *logFormat {
	case "text":
	case "json":
		cfg.logJSON = true
	default:
		return bad("--log-format: want text or json, got %q", *logFormat)
	}
	var ok bool
	if cfg.logLevel, ok = cliflag.ParseLogLevel(*logLevel); !ok {
		return bad("--log-level: want debug, info, warn or error, got %q", *logLevel)
	}
	if cfg.auth, err = authFlags.config(); err != nil {
		return bad("%v", err)
	}
	if cfg.stdio && cfg.auth.Enabled() {
		// Nothing to check them against: the stdio client is whoever started the process (MCP
		// 2025-11-25, Basic § Authorization: STDIO implementations "SHOULD NOT follow this
		// specification, and instead retrieve credentials from the environment").
		return bad("--auth-token and --auth-issuer do not apply to --stdio")
	}
	if cfg.replicaID == "" {
		cfg.replicaID, _ = os.Hostname()
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

// newServeLogger returns the logger of the server: text or JSON on stderr. Durations read as
// Go writes them ("10s") in both formats; see [durationsAsText].
func newServeLogger(stderr io.Writer, cfg *serveConfig) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel, ReplaceAttr: durationsAsText}
	if cfg.logJSON {
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

// newServeServer returns the server to serve, the names of its tools, and a function that
// releases what its tools hold; with rdb, its bus and task store are in Redis. Its errors are
// those of manifest.Load.
func newServeServer(cfg *serveConfig, logger *slog.Logger, rdb *redisstore.Store) (*mcp.Server, []string, func(), error) {
	opts := &mcp.ServerOptions{Logger: logger, MaxSubscriptions: cfg.maxSubscriptions, MaxURILength: cfg.maxURILength,
		ClientRequestTimeout: cfg.clientRequestTimeout, StateKeys: cfg.stateKeys, StateTTL: cfg.stateTTL,
		MaxStateBytes: cfg.maxStateBytes,
		TaskTTL:       cfg.taskTTL, TaskLease: cfg.taskLease, MaxTasks: cfg.maxTasks, MaxTasksPerPrincipal: cfg.maxTasksPerPrincipal,
		MaxTaskResultBytes: cfg.maxTaskResultBytes, ProtocolVersions: cfg.era.Versions(),
		Middleware: cfg.middleware(logger)}
	if rdb != nil {
		cfg.redis.useRedis(rdb, opts, nil)
	}
	if cfg.manifest == "" && cfg.openapi.Spec == "" {
		srv, tools := builtin.New(opts, version)
		return srv, tools, func() {}, nil
	}
	mopts := &manifest.Options{Version: version}
	if cfg.openapi.Spec != "" {
		o := cfg.openapi
		mopts.OpenAPI = &o
	}
	m, err := manifest.Load(cfg.manifest, mopts)
	if err != nil {
		return nil, nil, nil, err
	}
	opts.Instructions = m.Instructions
	m.SetMaxProcesses(cfg.maxProcesses)
	srv := mcp.NewServer(&m.Impl, opts)
	m.Register(srv, logger)
	return srv, m.ToolNames(), m.Close, nil
}

// serveHTTP serves srv over Streamable HTTP until ctx is cancelled, then shuts down.
func serveHTTP(ctx context.Context, cfg *serveConfig, srv *mcp.Server, tools []string, logger *slog.Logger, sio *serveIO, rdb *redisstore.Store) int {
	opts := &server.Options{
		Path:               cfg.path,
		Stateless:          cfg.stateless,
		Response:           cfg.response,
		SessionIdleTimeout: cfg.idleTimeout,
		MaxSessions:        cfg.maxSessions,
		// 0 and -1 mean what they mean to server.Options: a tenth of MaxSessions, no quota.
		MaxSessionsPerPrincipal: cfg.maxPerPrincipal,
		AllowedOrigins:          cfg.allowedOrigins,
		AllowedHosts:            cfg.allowedHosts,
		ReplicaID:               cfg.replicaID,
		LegacySSE:               cfg.legacySSE,
		PollAfter:               cfg.pollAfter,
		BodyReadTimeout:         cfg.bodyReadTimeout,
		MaxBodyBytesInFlight:    cfg.maxBodyBytesInFlight,
		WriteTimeout:            cfg.writeTimeout,
		LegacyMaxInFlight:       cfg.legacyMaxInFlight,
		MaxBodyBytes:            cfg.maxBodyBytes,
		MaxListens:              cfg.maxListens,
		// 0 and -1 mean what they mean to server.Options: a tenth of MaxListens, no quota.
		MaxListensPerPrincipal: cfg.maxListensPerPrincipal,
		KeepAlive:              cfg.keepAlive,
		Events:                 &server.MemoryEventStore{SessionBytes: cfg.sessionEventBytes, TotalBytes: cfg.eventBytes},
		Logger:                 logger,
		Metrics:                cfg.metrics,
		MetricsPath:            cfg.metricsPath(),
	}
	if rdb != nil {
		cfg.redis.useRedis(rdb, nil, opts)
	}
	opts.Auth = cfg.auth.AuthOptions(ctx, logger)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(sio.stderr, "minimcp: serve: %v\n", err)
		return 1
	}
	h := server.New(srv, opts)
	ctx, stopServing := context.WithCancel(ctx)
	defer stopServing()
	served := make(chan error, 1) // receives server.Serve's result; never closed
	go func() {
		served <- server.Serve(ctx, ln, h, &server.ServeOptions{
			ShutdownTimeout: cfg.shutdownTimeout,
			DrainDelay:      cfg.drainDelay,
			IdleTimeout:     serveIdleTimeout,
			ErrorLog:        slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		})
	}()

	mode := "stateful"
	if cfg.stateless {
		mode = "stateless"
	}
	auth := cfg.auth.String()
	logger.Info("minimcp serving", "url", "http://"+ln.Addr().String()+cfg.path, "mode", mode,
		"response", cfg.responseName, "tools", strings.Join(tools, ","), "auth", auth,
		"replica", cfg.replicaID, "legacySSE", cfg.legacySSE, "manifest", cfg.manifest, "protocolEra", cfg.era.String(), "version", version)
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		if !cfg.auth.Enabled() {
			logger.Warn("listening beyond loopback without --auth-token or --auth-issuer: anyone who can reach this port can call the tools")
		}
		if cfg.metricsPath() != "" {
			logger.Warn("/metrics is served beside the MCP endpoint, without authentication, to anyone who can reach this port; --metrics-addr moves it to a listener of its own")
		}
	}
	if len(cfg.stateKeys) == 0 {
		logger.Warn("no --state-key: the requestState of input-required results is sealed with a random key of this process, so a retry reaching another replica (or this one restarted) is refused; replicas behind one endpoint must share --state-key")
	}
	if sio.ready != nil {
		sio.ready(ln.Addr())
	}

	select {
	case err = <-served: // accepting failed for good; Serve has shut down already
	case <-ctx.Done():
		logger.Info("shutting down", "timeout", cfg.shutdownTimeout)
		err = <-served
	}
	switch {
	case errors.Is(err, server.ErrShutdownTimeout):
		logger.Warn("shutdown deadline passed; closed the remaining connections", "timeout", cfg.shutdownTimeout)
		return 1
	case err != nil:
		logger.Error("serving failed", "err", err)
		return 1
	}
	logger.Info("stopped")
	return 0
}

// serveStdio serves srv to one client over sio.stdin and sio.stdout until the input ends or
// ctx is cancelled.
func serveStdio(ctx context.Context, cfg *serveConfig, srv *mcp.Server, tools []string, logger *slog.Logger, sio *serveIO) int {
	in := sio.stdin
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
	logger.Info("minimcp serving on stdio", "tools", strings.Join(tools, ","), "manifest", cfg.manifest, "protocolEra", cfg.era.String(), "version", version)
	served := make(chan error, 1) // receives ServeStdio's result; never closed
	go func() {
		served <- server.ServeStdio(ctx, srv, in, sio.stdout, &server.StdioOptions{MaxListens: cfg.maxListens})
	}()

	var err error
	select {
	case err = <-served:
	case <-ctx.Done():
		logger.Info("shutting down", "timeout", cfg.shutdownTimeout)
		if stop != nil {
			_ = stop()
		}
		t := time.NewTimer(cfg.shutdownTimeout)
		defer t.Stop()
		select {
		case <-served:
			err = nil // reading was stopped on purpose
		case <-t.C:
			logger.Warn("shutdown deadline passed with requests in flight", "timeout", cfg.shutdownTimeout)
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
