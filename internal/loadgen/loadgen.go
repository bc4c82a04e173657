package loadgen

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/httpwire"
	"github.com/minimcp/minimcp/internal/mcphttp"
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

Goroutines: Run owns the workers, the session setup and teardown goroutines and the
progress goroutine, and waits for all of them before it returns.
*/

// Defaults of the zero fields of a [Config].
const (
	DefaultConcurrency = 16
	DefaultDuration    = 10 * time.Second
	DefaultTimeout     = 10 * time.Second
)

const (
	// initAttempts is how many times a stateful worker tries to open its session.
	initAttempts = 3
	// barWidth is the width, in cells, of the longest bar in the replica table.
	barWidth = 30
	// closeTimeout bounds the DELETE that ends a session, even once the run's context is done.
	closeTimeout = 5 * time.Second
)

// errToolResult marks a tools/call whose result has isError set: the server worked, the tool
// failed (MCP 2025-11-25, Server § Tools, Error Handling).
var errToolResult = errors.New("tool result has isError set")

// ErrUnreachable wraps the error that made [Run] give up before measuring anything.
var ErrUnreachable = errors.New("cannot reach the target")

// Config is what a run asks for. The zero value of each field means its default.
type Config struct {
	// URL is the MCP endpoint, absolute http or https. Required.
	URL string
	// Concurrency is the number of workers. If zero, [DefaultConcurrency].
	Concurrency int
	// Requests is how many requests to measure in all. If zero, the run measures for Duration.
	Requests int64
	// Duration is how long to measure when Requests is zero. If zero, [DefaultDuration].
	Duration time.Duration
	// Mode is "auto" (learn it from the server), "modern", "stateless" or "stateful". If
	// empty, "auto".
	Mode string
	// ProtocolVersion pins the version: per request in modern mode, in MCP-Protocol-Version
	// in stateless mode, asked by initialize in stateful mode. If empty, 2026-07-28 for
	// modern mode and mcp.LatestVersion for the others.
	ProtocolVersion string
	// Tool is the tool to call. If empty, "echo".
	Tool string
	// Args are the tool's arguments, a JSON object. If empty, {}.
	Args json.RawMessage
	// Timeout bounds each request. If zero, [DefaultTimeout].
	Timeout time.Duration
	// Warmup is how long to send requests before measuring; zero means none.
	Warmup time.Duration
	// NetHTTP sends with net/http's client even where the load generator's own HTTP/1.1
	// connections (conn.go) could.
	NetHTTP bool
	// Header holds extra headers sent on every request; a "Host" entry sets the Host.
	Header http.Header
	// AuthToken, if set, is sent as a bearer token.
	AuthToken string
	// Version is the client's version in clientInfo. If empty, "dev".
	Version string

	// Transport, if set, carries the requests instead of a new http.Transport (tests).
	Transport http.RoundTripper
}

// benchRun is the shared, read-mostly state of one run.
type benchRun struct {
	cfg      *Config
	params   json.RawMessage // tools/call params, encoded once
	stateful bool            // cfg.Mode, or what auto found out
	mode     string          // "modern", "stateless" or "stateful", for the report
	// measureStart is when warmup ends and measuring begins; end is when a duration run stops
	// starting requests.
	measureStart, end time.Time
	// issued counts the measured requests started, against cfg.Requests. Every worker adds
	// to it, so it sits on a cache line of its own, away from the fields they only read.
	_      [64]byte
	issued atomic.Int64
	_      [56]byte
}

// benchWorker is one closed-loop worker. Everything but live is touched only by the worker's
// goroutine until Run has waited for it.
type benchWorker struct {
	client *mcphttp.Client
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

// Run runs the load config describes and returns its report. config is not changed. It returns an error
// wrapping ErrUnreachable when it cannot start: no session could be opened (stateful), the
// probe request got no HTTP reply (stateless), or initialize failed (auto). Progress lines go to progressOut. If ctx is
// cancelled the run stops early and the report covers the requests that completed.
func Run(ctx context.Context, config *Config, progressOut io.Writer) (*Report, error) {
	cfg := withDefaults(config)
	rt := cfg.Transport
	if rt == nil {
		tr := mcphttp.NewHTTPTransport(cfg.Concurrency)
		defer tr.CloseIdleConnections()
		rt = tr
	}
	hc := &http.Client{Transport: rt, Timeout: cfg.Timeout}
	r := &benchRun{
		cfg:      cfg,
		params:   httpwire.ToolCallParams(cfg.Tool, cfg.Args),
		stateful: cfg.Mode == "stateful",
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, err
	}
	// Each worker gets a connection of its own (see conn.go), closed when all is done.
	var conns []*connTransport
	defer func() {
		for _, c := range conns {
			c.drop()
		}
	}()
	workers := make([]*benchWorker, cfg.Concurrency)
	for i := range workers {
		opts := &mcphttp.Options{HTTPClient: hc, AuthToken: cfg.AuthToken, Header: cfg.Header,
			InitVersion: cfg.ProtocolVersion, Version: cfg.Version}
		if cfg.Transport == nil && !cfg.NetHTTP {
			if ct := newConnTransport(u, cfg.Timeout); ct != nil {
				conns = append(conns, ct)
				// No Client.Timeout: the connection enforces it (with a custom transport, a
				// Client timeout costs a goroutine per request).
				opts.HTTPClient = &http.Client{Transport: ct}
			}
		}
		if cfg.Mode == "stateless" {
			// Stateless: no initialize, so the version goes on every request (Transports §
			// Protocol Version Header). Auto sets it once it knows.
			opts.ProtocolVersion = cmp.Or(cfg.ProtocolVersion, mcp.LatestVersion)
		}
		c, err := mcphttp.New(cfg.URL, opts)
		if err != nil {
			return nil, err
		}
		if cfg.Mode == "modern" {
			c.UseModern(cmp.Or(cfg.ProtocolVersion, mcp.Version20260728))
		}
		workers[i] = &benchWorker{
			client:   c,
			live:     new(liveCounters),
			errs:     map[string]int64{},
			replicas: map[string]*replicaTally{},
		}
	}

	if cfg.Mode == "auto" {
		if err := detectMode(ctx, r, workers, progressOut); err != nil {
			return nil, err
		}
	}
	r.mode = "stateless"
	if workers[0].client.Modern() != "" {
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

	r.measureStart = time.Now().Add(cfg.Warmup)
	r.end = r.measureStart.Add(cfg.Duration)
	stop := make(chan struct{}) // closed by Run when the workers are done; ends the progress line
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

// withDefaults returns a copy of cfg with every zero field that has a default set to it.
func withDefaults(cfg *Config) *Config {
	c := *cfg
	c.Concurrency = cmp.Or(c.Concurrency, DefaultConcurrency)
	if c.Requests == 0 {
		c.Duration = cmp.Or(c.Duration, DefaultDuration)
	}
	c.Timeout = cmp.Or(c.Timeout, DefaultTimeout)
	c.Mode = cmp.Or(c.Mode, "auto")
	c.Tool = cmp.Or(c.Tool, "echo")
	return &c
}

// initializeHint returns what to add to the error of a failed initialize of --mode auto: the
// flag that fixes it, if any. A server that asks for credentials (401) wants a token; one that
// refuses the request (403: minimcp's answer to a Host or an Origin it does not allow, which
// its message names) or did not answer would refuse or miss every tool call too; only one
// that answered initialize with another error may serve tool calls without it.
func initializeHint(err error) string {
	var status *mcphttp.StatusError
	switch {
	case errors.As(err, &status) && status.Code == http.StatusUnauthorized:
		return " (give the server's bearer token with --auth-token or MINIMCP_AUTH_TOKEN)"
	case errors.As(err, &status) && status.Code == http.StatusForbidden:
		return ""
	case errors.As(err, new(*mcphttp.TransportError)):
		return ""
	}
	return " (to skip initialize, give --mode stateless)"
}

// detectMode is --mode auto: the first worker asks for server/discover, and a server that
// offers 2026-07-28 makes every worker modern. Otherwise the first worker initializes (up to initAttempts tries, not
// measured), and r.stateful is set by whether the server assigned a session id. A stateful
// run keeps that session as the first worker's; a stateless one sends the negotiated version
// on every worker's requests. It says on stderr what it found, and fails, wrapping
// ErrUnreachable, if initialize never succeeds.
func detectMode(ctx context.Context, r *benchRun, workers []*benchWorker, stderr io.Writer) error {
	c := workers[0].client
	if r.cfg.ProtocolVersion == "" {
		// Not measured, and not retried: a server that fails it gets the 2025 probe.
		res, err := c.Discover(ctx, mcp.Version20260728)
		if err == nil && slices.Contains(res.SupportedVersions, mcp.Version20260728) {
			for _, w := range workers {
				w.client.UseModern(mcp.Version20260728)
			}
			fmt.Fprintln(stderr, "minimcp bench: modern mode: the server offers 2026-07-28 (server/discover); every request stands alone (--mode overrides)")
			return nil
		}
		c.UseModern("")
	}
	var (
		res *mcp.InitializeResult
		err error
	)
	for range initAttempts {
		if res, err = c.Initialize(ctx); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		if c.Session() != "" {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
			_ = c.Close(cctx)
			cancel()
		}
		return fmt.Errorf("%w: %w%s", ErrUnreachable, err, initializeHint(err))
	}
	if c.Session() != "" {
		r.stateful = true
		fmt.Fprintln(stderr, "minimcp bench: stateful mode: the server assigned a session id (a session per worker; --mode overrides)")
		return nil
	}
	// MCP 2025-11-25, Transports § Protocol Version Header: without a session, every request
	// carries the version.
	for _, w := range workers {
		w.client.SetProtocolVersion(res.ProtocolVersion)
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
		if w.client.Session() != "" {
			continue // auto mode's probe opened it
		}
		wg.Go(func() {
			for range initAttempts {
				if _, errs[i] = w.client.Initialize(ctx); errs[i] == nil || ctx.Err() != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("%w: %w", ErrUnreachable, err)
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
		if w.client.Session() != "" {
			wg.Go(func() { _ = w.client.Close(ctx) })
		}
	}
	wg.Wait()
}

// probe sends one unmeasured tools/call. A request that gets no HTTP reply at all means the
// target cannot be reached; any other failure is reported as a warning and left to the run to
// count.
func probe(ctx context.Context, c *mcphttp.Client, params json.RawMessage, stderr io.Writer) error {
	_, _, err := c.Call(ctx, mcp.MethodToolsCall, params)
	switch benchErrorKind(err) {
	case "":
	case "transport", "timeout", "canceled":
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
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
	params, name := w.client.Prepare(mcp.MethodToolsCall, r.params)
	for ctx.Err() == nil {
		measured := false
		if now := time.Now(); !now.Before(r.measureStart) {
			if r.cfg.Requests > 0 {
				if r.issued.Add(1) > r.cfg.Requests {
					return
				}
			} else if !now.Before(r.end) {
				return
			}
			measured = true
		}
		raw, info, err := w.client.Send(ctx, mcp.MethodToolsCall, params, name, nil)
		if err == nil && isToolError(raw) {
			err = errToolResult
		}
		if err != nil && ctx.Err() != nil {
			return // interrupted: not the server's doing, not counted
		}
		if measured {
			w.record(info, err)
		}
		var se *mcphttp.StatusError
		if r.stateful && errors.As(err, &se) && se.Code == http.StatusNotFound {
			// Transports § Session Management, 4: "When a client receives HTTP 404 in
			// response to a request containing an MCP-Session-Id, it MUST start a new
			// session". If that fails too, the next requests fail and are counted.
			_, _ = w.client.Initialize(ctx)
		}
	}
}

// record adds one measured request to the worker's tallies.
func (w *benchWorker) record(info *mcphttp.CallInfo, err error) {
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

// benchErrorKind is [mcphttp.ErrorKind] with "tool_error" for errToolResult.
func benchErrorKind(err error) string {
	if errors.Is(err, errToolResult) {
		return "tool_error"
	}
	return mcphttp.ErrorKind(err)
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
