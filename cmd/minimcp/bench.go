package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
)

/*
Design note: bench is a closed-loop load generator.

Each of --concurrency workers sends tools/call requests back to back, one at a time, over one
shared http.Transport that keeps as many idle connections per host as there are workers, so
each worker keeps reusing a connection. The offered load is therefore whatever the server can
take at that concurrency: throughput and latency are two views of the same run (Little's law).

Measuring costs the hot path nothing shared but one atomic add per request (the -n budget) and
two more for the progress line: each worker records into its own log-linear latency
histogram, error map and replica map, which are merged once the workers have stopped.

Mode auto (the default) learns the mode from the server before measuring. The first worker
sends server/discover as a 2026-07-28 request (MCP 2026-07-28, Server § Discovery): a server
that lists 2026-07-28 gets modern mode. Otherwise the first worker initializes, and a server
that assigns an MCP-Session-Id keeps sessions (MCP 2025-11-25,
Transports § Session Management, 1: the server MAY assign one at initialization; one that does
requires it on every later request, and answers 400 without it), so the run is stateful and
that session is the first worker's; a server that assigns none is stateless, and the run is
too, each request carrying the version initialize agreed on. --mode modern, stateless or
stateful skips the question.

Modern mode sends every tools/call on its own as a 2026-07-28 request: the per-request _meta
(protocol version, client info, client capabilities) and the standard headers
(MCP-Protocol-Version, Mcp-Method, Mcp-Name), no initialize and no session (MCP 2026-07-28,
Basic § Versioning; Transports § Streamable HTTP, Standard Request Headers). Like stateless
mode it starts with one unmeasured probe request.

Stateless mode sends tools/call straight away with MCP-Protocol-Version and no session, as a
stateless server allows; one unmeasured probe request first tells "cannot reach the server"
(exit 3) from "the server fails requests" (counted, exit 1). Stateful mode gives each worker
its own session, initialized before measuring starts and ended with DELETE afterwards; a
worker whose session is lost (404, MCP 2025-11-25, Transports § Session Management, 4) starts
a new one, and the 404 is counted.

Goroutines: runBenchmark owns the workers, the session setup and teardown goroutines and the
progress goroutine, and waits for all of them before it returns.
*/

// Defaults and limits of the bench flags.
const (
	defaultBenchConcurrency = 16
	defaultBenchDuration    = 10 * time.Second
	defaultBenchTimeout     = 10 * time.Second
	maxBenchConcurrency     = 10_000
	maxBenchRequests        = 100_000_000
	maxBenchDuration        = time.Hour
	// initAttempts is how many times a stateful worker tries to open its session.
	initAttempts = 3
	// barWidth is the width, in cells, of the longest bar in the replica table.
	barWidth = 30
)

// errToolResult marks a tools/call whose result has isError set: the server worked, the tool
// failed (MCP 2025-11-25, Server § Tools, Error Handling).
var errToolResult = errors.New("tool result has isError set")

// errUnreachable wraps the error that made bench give up before measuring anything.
var errUnreachable = errors.New("cannot reach the target")

func init() {
	register("bench", "load-test an MCP endpoint", runBench)
}

// benchConfig is what a bench command line asks for.
type benchConfig struct {
	url         string
	concurrency int
	requests    int64         // measured requests in all; 0 means run for duration
	duration    time.Duration // how long to measure when requests is 0
	mode        string        // "auto", "modern", "stateless" or "stateful"
	// protocolVersion pins the version (--protocol-version): per request in modern mode, in
	// MCP-Protocol-Version in stateless mode, asked by initialize in stateful mode. "" picks
	// 2026-07-28 for modern mode and mcp.LatestVersion for the others.
	protocolVersion string
	tool            string
	args            json.RawMessage
	timeout         time.Duration // per request
	warmup          time.Duration
	json            bool
	netHTTP         bool // net/http's client even where connTransport could serve
	header          http.Header
	authToken       string

	// transport, if set, carries the requests instead of a new http.Transport (tests).
	transport http.RoundTripper
}

// runBench is "minimcp bench URL".
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := parseBenchArgs(args, stderr)
	if cfg == nil {
		return code
	}
	rep, err := runBenchmark(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "minimcp: bench: %v\n", err)
		return codeProtocol
	}
	if cfg.json {
		writeJSON(stdout, mustJSON(rep))
	} else {
		writeBenchText(stdout, rep)
	}
	if rep.Errors > 0 {
		return codeFailed
	}
	return codeOK
}

// parseBenchArgs parses and checks a bench command line. It returns nil and the exit code when
// the command should stop: 0 after --help, 2 after a usage error (already reported).
func parseBenchArgs(args []string, stderr io.Writer) (*benchConfig, int) {
	const synopsis = "bench [flags] URL"
	fs := newFlagSet("bench", synopsis)
	fs.SetOutput(stderr)
	cfg := &benchConfig{}
	var cf clientFlags
	cf.register(fs, defaultBenchTimeout, "time limit for each request")
	fs.IntVar(&cfg.concurrency, "c", defaultBenchConcurrency, "short for --concurrency")
	fs.IntVar(&cfg.concurrency, "concurrency", defaultBenchConcurrency, "number of workers, each sending requests back to back (at most 10000)")
	fs.Int64Var(&cfg.requests, "n", 0, "short for --requests")
	fs.Int64Var(&cfg.requests, "requests", 0, "measure this many requests in all (at most 100000000), instead of --duration")
	fs.DurationVar(&cfg.duration, "d", 0, "short for --duration")
	fs.DurationVar(&cfg.duration, "duration", 0, "measure for this long (at most 1h); 10s when neither --requests nor --duration is given")
	fs.StringVar(&cfg.mode, "mode", "auto", "auto (modern if server/discover offers 2026-07-28, else stateful if initialize gets a session id, else stateless), modern (2026-07-28 requests, each on its own), stateless (2025 tools/call without a session) or stateful (a session per worker)")
	fs.StringVar(&cfg.tool, "tool", "echo", "the tool to call")
	args0 := fs.String("args", `{"text":"hello"}`, "the tool's arguments, a JSON object")
	fs.DurationVar(&cfg.warmup, "warmup", 0, "send requests for this long before measuring (at most 1h)")
	fs.BoolVar(&cfg.json, "json", false, "print the report as one JSON object")
	fs.BoolVar(&cfg.netHTTP, "net-http", false, "send with net/http's client instead of bench's own HTTP/1.1 connections (https and proxies always use net/http)")

	pos, code := parseArgs(fs, args)
	if code >= 0 {
		return nil, code
	}
	aliases := [][2]string{{"c", "concurrency"}, {"n", "requests"}, {"d", "duration"}}
	syncAliases(fs, aliases)
	onCommandLine := visited(fs)
	if err := applyEnv(fs); err != nil {
		return nil, flagError(fs, err.Error())
	}
	syncAliases(fs, aliases)
	given := visited(fs)
	if given["requests"] && given["duration"] {
		// A flag on the command line beats the other one's environment variable.
		switch {
		case onCommandLine["requests"] && !onCommandLine["duration"]:
			cfg.duration = 0
		case onCommandLine["duration"] && !onCommandLine["requests"]:
			cfg.requests = 0
		default:
			return nil, flagError(fs, "give --requests (-n) or --duration (-d), not both")
		}
	}

	fail := func(format string, a ...any) (*benchConfig, int) {
		return nil, flagError(fs, fmt.Sprintf(format, a...))
	}
	if code := checkArgs(fs, pos, synopsis); code >= 0 {
		return nil, code
	}
	if err := checkURL(pos[0]); err != nil {
		return nil, usageLine(fs, err.Error())
	}
	if _, err := newMCPClient(pos[0], nil); err != nil {
		return fail("%v", err)
	}
	cfg.url = pos[0]
	switch {
	case cfg.concurrency < 1 || cfg.concurrency > maxBenchConcurrency:
		return fail("--concurrency %d is out of range: want 1 to %d", cfg.concurrency, maxBenchConcurrency)
	case cfg.requests < 0 || cfg.requests > maxBenchRequests:
		return fail("--requests %d is out of range: want 1 to %d", cfg.requests, maxBenchRequests)
	case given["requests"] && cfg.requests == 0 && cfg.duration == 0:
		return fail("--requests must be at least 1")
	case cfg.duration < 0 || cfg.duration > maxBenchDuration:
		return fail("--duration %v is out of range: want up to %v", cfg.duration, maxBenchDuration)
	case given["duration"] && cfg.duration == 0 && cfg.requests == 0:
		return fail("--duration must be positive")
	case cfg.warmup < 0 || cfg.warmup > maxBenchDuration:
		return fail("--warmup %v is out of range: want 0 to %v", cfg.warmup, maxBenchDuration)
	case cf.timeout <= 0 || cf.timeout > maxBenchDuration:
		return fail("--timeout %v is out of range: want more than 0 and up to %v", cf.timeout, maxBenchDuration)
	case cfg.mode != "auto" && cfg.mode != "modern" && cfg.mode != "stateless" && cfg.mode != "stateful":
		return fail("--mode %q: want auto, modern, stateless or stateful", cfg.mode)
	case cfg.tool == "":
		return fail("--tool must not be empty")
	}
	a := bytes.TrimSpace([]byte(*args0))
	if !json.Valid(a) || len(a) == 0 || a[0] != '{' {
		return fail("--args %q is not a JSON object", *args0)
	}
	if cfg.requests == 0 && cfg.duration == 0 {
		cfg.duration = defaultBenchDuration
	}
	if err := checkProtocolVersion(cf.protocolVersion); err != nil {
		return fail("%v", err)
	}
	if v := cf.protocolVersion; v != "" {
		switch modern := mcp.IsModernVersion(v); {
		case cfg.mode == "auto" && modern:
			cfg.mode = "modern"
		case cfg.mode == "modern" && !modern:
			return fail("--mode modern sends per-request versions (%s); %s is negotiated by initialize", strings.Join(mcp.ModernVersions(), ", "), v)
		case (cfg.mode == "stateless" || cfg.mode == "stateful") && modern:
			return fail("--mode %s sends the versions initialize negotiates; %s is per request (--mode modern)", cfg.mode, v)
		}
	}
	cfg.protocolVersion = cf.protocolVersion
	cfg.args = a
	cfg.timeout = cf.timeout
	cfg.header = cf.headers.h
	cfg.authToken = cf.authToken
	return cfg, 0
}

// syncAliases makes each pair of flag names (a short and a long name on the same variable)
// count as given when either was, so that applyEnv does not overwrite a command-line value
// with the other name's environment variable.
func syncAliases(fs *flag.FlagSet, pairs [][2]string) {
	given := visited(fs)
	for _, p := range pairs {
		switch {
		case given[p[0]] && !given[p[1]]:
			_ = fs.Set(p[1], fs.Lookup(p[0]).Value.String())
		case given[p[1]] && !given[p[0]]:
			_ = fs.Set(p[0], fs.Lookup(p[1]).Value.String())
		}
	}
}

// visited returns the names of the flags that have been set.
func visited(fs *flag.FlagSet) map[string]bool {
	m := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { m[f.Name] = true })
	return m
}

// benchRun is the shared, read-mostly state of one run.
type benchRun struct {
	cfg      *benchConfig
	params   json.RawMessage // tools/call params, encoded once
	stateful bool            // cfg.mode, or what auto found out
	mode     string          // "modern", "stateless" or "stateful", for the report
	// measureStart is when warmup ends and measuring begins; end is when a duration run stops
	// starting requests.
	measureStart, end time.Time
	// issued counts the measured requests started, against cfg.requests. Every worker adds
	// to it, so it sits on a cache line of its own, away from the fields they only read.
	_      [64]byte
	issued atomic.Int64
	_      [56]byte
}

// benchWorker is one closed-loop worker. Everything but live is touched only by the worker's
// goroutine until runBenchmark has waited for it.
type benchWorker struct {
	client *mcpClient
	live   *liveCounters

	hist     histogram
	errs     map[string]int64
	replicas map[string]*replicaTally
	// last caches the tally of the replica that answered last, which is usually the next one.
	last     *replicaTally
	lastName string
}

// liveCounters are a worker's running totals, written by the worker and read by the progress
// goroutine. Padded to a cache line so that workers do not slow each other down.
type liveCounters struct {
	requests atomic.Int64
	errors   atomic.Int64
	_        [48]byte
}

// replicaTally is what one worker saw of one replica.
type replicaTally struct {
	requests, errors int64
	latency          time.Duration // sum
}

// runBenchmark runs the benchmark cfg describes and returns its report. It returns an error
// wrapping errUnreachable when it cannot start: no session could be opened (stateful), the
// probe request got no HTTP reply (stateless), or initialize failed (auto). Progress lines go to progressOut. If ctx is
// cancelled the run stops early and the report covers the requests that completed.
func runBenchmark(ctx context.Context, cfg *benchConfig, progressOut io.Writer) (*benchReport, error) {
	rt := cfg.transport
	if rt == nil {
		tr := newHTTPTransport(cfg.concurrency)
		defer tr.CloseIdleConnections()
		rt = tr
	}
	hc := &http.Client{Transport: rt, Timeout: cfg.timeout}
	r := &benchRun{
		cfg:      cfg,
		params:   toolCallParams(cfg.tool, cfg.args),
		stateful: cfg.mode == "stateful",
	}
	u, err := url.Parse(cfg.url)
	if err != nil {
		return nil, err
	}
	// Each worker gets a connection of its own (see bench_conn.go), closed when all is done.
	var conns []*connTransport
	defer func() {
		for _, c := range conns {
			c.drop()
		}
	}()
	workers := make([]*benchWorker, cfg.concurrency)
	for i := range workers {
		opts := &clientOptions{HTTPClient: hc, AuthToken: cfg.authToken, Header: cfg.header}
		if cfg.transport == nil && !cfg.netHTTP {
			if ct := newConnTransport(u, cfg.timeout); ct != nil {
				conns = append(conns, ct)
				// No Client.Timeout: the connection enforces it (with a custom transport, a
				// Client timeout costs a goroutine per request).
				opts.HTTPClient = &http.Client{Transport: ct}
			}
		}
		if cfg.mode == "stateless" {
			// Stateless: no initialize, so the version goes on every request (Transports §
			// Protocol Version Header). Auto sets it once it knows.
			opts.ProtocolVersion = cmp.Or(cfg.protocolVersion, mcp.LatestVersion)
		}
		c, err := newMCPClient(cfg.url, opts)
		if err != nil {
			return nil, err
		}
		c.initVersion = cfg.protocolVersion
		if cfg.mode == "modern" {
			c.useModern(cmp.Or(cfg.protocolVersion, mcp.Version20260728))
		}
		workers[i] = &benchWorker{
			client:   c,
			live:     new(liveCounters),
			errs:     map[string]int64{},
			replicas: map[string]*replicaTally{},
		}
	}

	if cfg.mode == "auto" {
		if err := detectMode(ctx, r, workers, progressOut); err != nil {
			return nil, err
		}
	}
	r.mode = "stateless"
	if workers[0].client.modern != "" {
		r.mode = "modern"
	}
	if r.stateful {
		r.mode = "stateful"
		if err := openSessions(ctx, workers); err != nil {
			closeSessions(ctx, workers)
			return nil, err
		}
		defer closeSessions(ctx, workers)
	} else if err := probe(ctx, workers[0].client, r.params, progressOut); err != nil {
		return nil, err
	}

	r.measureStart = time.Now().Add(cfg.warmup)
	r.end = r.measureStart.Add(cfg.duration)
	stop := make(chan struct{}) // closed by runBenchmark when the workers are done; ends the progress line
	var progressDone sync.WaitGroup
	progressDone.Go(func() {
		showProgress(stop, progressOut, isTerminal(progressOut), time.Second, r.measureStart, func() (req, errs int64) {
			for _, w := range workers {
				req += w.live.requests.Load()
				errs += w.live.errors.Load()
			}
			return req, errs
		})
	})
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.run(ctx, r) })
	}
	wg.Wait()
	elapsed := max(time.Since(r.measureStart), 0)
	close(stop)
	progressDone.Wait()
	rep := r.report(workers, elapsed)
	rep.Interrupted = ctx.Err() != nil
	return rep, nil
}

// initializeHint returns what to add to the error of a failed initialize of --mode auto: the
// flag that fixes it, if any. A server that asks for credentials (401) wants a token; one that
// refuses the request (403: minimcp's answer to a Host or an Origin it does not allow, which
// its message names) or did not answer would refuse or miss every tool call too; only one
// that answered initialize with another error may serve tool calls without it.
func initializeHint(err error) string {
	var status *httpStatusError
	switch {
	case errors.As(err, &status) && status.Code == http.StatusUnauthorized:
		return " (give the server's bearer token with --auth-token or MINIMCP_AUTH_TOKEN)"
	case errors.As(err, &status) && status.Code == http.StatusForbidden:
		return ""
	case errors.As(err, new(*transportError)):
		return ""
	}
	return " (to skip initialize, give --mode stateless)"
}

// detectMode is --mode auto: the first worker asks for server/discover, and a server that
// offers 2026-07-28 makes every worker modern. Otherwise the first worker initializes (up to initAttempts tries, not
// measured), and r.stateful is set by whether the server assigned a session id. A stateful
// run keeps that session as the first worker's; a stateless one sends the negotiated version
// on every worker's requests. It says on stderr what it found, and fails, wrapping
// errUnreachable, if initialize never succeeds.
func detectMode(ctx context.Context, r *benchRun, workers []*benchWorker, stderr io.Writer) error {
	c := workers[0].client
	if r.cfg.protocolVersion == "" {
		// Not measured, and not retried: a server that fails it gets the 2025 probe.
		res, err := c.discover(ctx, mcp.Version20260728)
		if err == nil && slices.Contains(res.SupportedVersions, mcp.Version20260728) {
			for _, w := range workers {
				w.client.useModern(mcp.Version20260728)
			}
			fmt.Fprintln(stderr, "minimcp bench: modern mode: the server offers 2026-07-28 (server/discover); every request stands alone (--mode overrides)")
			return nil
		}
		c.useModern("")
	}
	var (
		res *mcp.InitializeResult
		err error
	)
	for range initAttempts {
		if res, err = c.initialize(ctx); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		if c.session() != "" {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
			_ = c.close(cctx)
			cancel()
		}
		return fmt.Errorf("%w: %w%s", errUnreachable, err, initializeHint(err))
	}
	if c.session() != "" {
		r.stateful = true
		fmt.Fprintln(stderr, "minimcp bench: stateful mode: the server assigned a session id (a session per worker; --mode overrides)")
		return nil
	}
	// MCP 2025-11-25, Transports § Protocol Version Header: without a session, every request
	// carries the version.
	for _, w := range workers {
		w.client.protocolVersion = res.ProtocolVersion
	}
	fmt.Fprintln(stderr, "minimcp bench: stateless mode: the server assigned no session id (--mode overrides)")
	return nil
}

// openSessions initializes, concurrently and not measured, the session of every worker that
// has none yet. It fails if any worker cannot open one after initAttempts tries.
func openSessions(ctx context.Context, workers []*benchWorker) error {
	errs := make([]error, len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		if w.client.session() != "" {
			continue // auto mode's probe opened it
		}
		wg.Go(func() {
			for range initAttempts {
				if _, errs[i] = w.client.initialize(ctx); errs[i] == nil || ctx.Err() != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("%w: %w", errUnreachable, err)
		}
	}
	return nil
}

// closeSessions ends every worker's session concurrently, best effort, within closeTimeout
// even if ctx is done.
func closeSessions(ctx context.Context, workers []*benchWorker) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, w := range workers {
		if w.client.session() != "" {
			wg.Go(func() { _ = w.client.close(ctx) })
		}
	}
	wg.Wait()
}

// probe sends one unmeasured tools/call. A request that gets no HTTP reply at all means the
// target cannot be reached; any other failure is reported as a warning and left to the run to
// count.
func probe(ctx context.Context, c *mcpClient, params json.RawMessage, stderr io.Writer) error {
	_, _, err := c.call(ctx, mcp.MethodToolsCall, params)
	switch benchErrorKind(err) {
	case "":
	case "transport", "timeout", "canceled":
		return fmt.Errorf("%w: %w", errUnreachable, err)
	case "http_400":
		// Transports § Session Management, 2: a server that requires a session answers
		// requests without one with 400.
		fmt.Fprintf(stderr, "minimcp: bench: warning: the first request failed: %v (does the server need a session? try --mode stateful)\n", err)
	default:
		fmt.Fprintf(stderr, "minimcp: bench: warning: the first request failed: %v\n", err)
	}
	return nil
}

// run sends requests back to back until the run's budget or time is spent or ctx is done.
func (w *benchWorker) run(ctx context.Context, r *benchRun) {
	// The request is prepared once: at 2026-07-28 its _meta would be written every time.
	params, name := w.client.prepare(mcp.MethodToolsCall, r.params)
	for ctx.Err() == nil {
		measured := false
		if now := time.Now(); !now.Before(r.measureStart) {
			if r.cfg.requests > 0 {
				if r.issued.Add(1) > r.cfg.requests {
					return
				}
			} else if !now.Before(r.end) {
				return
			}
			measured = true
		}
		raw, info, err := w.client.send(ctx, mcp.MethodToolsCall, params, name, nil)
		if err == nil && isToolError(raw) {
			err = errToolResult
		}
		if err != nil && ctx.Err() != nil {
			return // interrupted: not the server's doing, not counted
		}
		if measured {
			w.record(info, err)
		}
		var se *httpStatusError
		if r.stateful && errors.As(err, &se) && se.Code == http.StatusNotFound {
			// Transports § Session Management, 4: "When a client receives HTTP 404 in
			// response to a request containing an MCP-Session-Id, it MUST start a new
			// session". If that fails too, the next requests fail and are counted.
			_, _ = w.client.initialize(ctx)
		}
	}
}

// record adds one measured request to the worker's tallies.
func (w *benchWorker) record(info *callInfo, err error) {
	w.live.requests.Add(1)
	if err != nil {
		w.live.errors.Add(1)
		w.errs[benchErrorKind(err)]++
	} else {
		w.hist.record(info.Latency)
	}
	if info == nil || info.Status == 0 {
		return // no HTTP reply, so no replica to credit
	}
	t := w.last
	if t == nil || info.ServedBy != w.lastName {
		t = w.replicas[info.ServedBy]
		if t == nil {
			t = &replicaTally{}
			w.replicas[info.ServedBy] = t
		}
		w.last, w.lastName = t, info.ServedBy
	}
	t.requests++
	t.latency += info.Latency
	if err != nil {
		t.errors++
	}
}

// isToolError reports whether a tools/call result has isError set, without decoding the
// content when the member is absent.
func isToolError(raw json.RawMessage) bool {
	if !bytes.Contains(raw, []byte(`"isError"`)) {
		return false
	}
	var r struct {
		IsError bool `json:"isError"`
	}
	return json.Unmarshal(raw, &r) == nil && r.IsError
}

// benchErrorKind is [errorKind] with "tool_error" for errToolResult.
func benchErrorKind(err error) string {
	if errors.Is(err, errToolResult) {
		return "tool_error"
	}
	return errorKind(err)
}

// showProgress writes a progress line to w every interval of measuring until stop is closed:
// on a terminal one line rewritten in place with \r, else a plain line each time. counts
// returns the measured requests and errors so far. Nothing is written during warmup.
func showProgress(stop <-chan struct{}, w io.Writer, tty bool, every time.Duration, measureStart time.Time, counts func() (req, errs int64)) {
	if d := time.Until(measureStart); d > 0 {
		warmup := time.NewTimer(d)
		select {
		case <-stop:
			warmup.Stop()
			return
		case <-warmup.C:
		}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var (
		ticks   int64
		lastReq int64
		lastLen int
	)
	for {
		select {
		case <-stop:
			if tty && ticks > 0 {
				fmt.Fprintln(w)
			}
			return
		case <-t.C:
			ticks++
			req, errs := counts()
			rate := float64(req-lastReq) / every.Seconds()
			lastReq = req
			line := fmt.Sprintf("[%v] %d req  %.0f req/s  errors %d", time.Duration(ticks)*every, req, rate, errs)
			if tty {
				fmt.Fprintf(w, "\r%-*s", lastLen, line)
				lastLen = len(line)
			} else {
				fmt.Fprintln(w, line)
			}
		}
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
