package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/julienschmidt/httprouter"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// ResponseMode chooses how POST requests are answered.
type ResponseMode int

const (
	// ResponseAuto answers with application/json, upgraded to text/event-stream only when the
	// handler sends notifications or requests before its result and the client accepts SSE.
	ResponseAuto ResponseMode = iota
	// ResponseJSON always answers with application/json; notifications sent by handlers are
	// dropped and server-to-client requests fail.
	ResponseJSON
	// ResponseSSE always answers with text/event-stream when the client accepts it.
	ResponseSSE
)

// Defaults for [Options] fields left zero.
const (
	DefaultPath               = "/mcp"
	DefaultSessionIdleTimeout = 30 * time.Minute
	DefaultMaxSessions        = 10000
	DefaultMaxBodyBytes       = 4 << 20
	DefaultKeepAlive          = 15 * time.Second
	DefaultRetry              = time.Second
	DefaultReadHeaderTimeout  = 10 * time.Second
	// DefaultBodyReadTimeout gives a body of DefaultMaxBodyBytes 30 s, time enough at about
	// 1.1 Mbit/s; most bodies are a few hundred bytes. It matches the time a client has to
	// take each write of an answer (DefaultWriteTimeout).
	DefaultBodyReadTimeout = 30 * time.Second
	// DefaultWriteTimeout gives a client 30 s to take each write of an answer: a whole JSON
	// answer (4 MiB at about 1.1 Mbit/s), one event of an SSE stream.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultMaxBodyBytesInFlight is room for 15 bodies of DefaultMaxBodyBytes being received
	// at once (each buffer holds one byte more than the limit, to see a body cross it).
	DefaultMaxBodyBytesInFlight = 64 << 20
	// DefaultStoreTimeout bounds each call to a store or relay given in Options: a few
	// round trips to Redis under load, far below what a client waits for an answer.
	DefaultStoreTimeout = 2 * time.Second
	// DefaultMaxListens bounds the subscriptions/listen streams open at once: as many as
	// DefaultMaxSessions, each an open connection, a goroutine and a few KiB.
	DefaultMaxListens = 10000
)

// Options configures a [Handler]. The zero value of every field means its default.
type Options struct {
	// Path is where the MCP endpoint is served. If empty, [DefaultPath].
	Path string
	// Stateless serves every POST on its own, with no session (see the package doc).
	Stateless bool
	// Response chooses JSON or SSE answers; the zero value is [ResponseAuto].
	Response ResponseMode
	// SessionIdleTimeout removes a session after this long without a request in flight or a
	// stream open; a GET stream counts only while its writes go through (one that delivers
	// nothing for this long ends: see the design note in streamable_get.go). If zero, [DefaultSessionIdleTimeout]; negative means sessions never expire
	// (not recommended: idle sessions then accumulate until MaxSessions).
	SessionIdleTimeout time.Duration
	// MaxSessions caps live sessions; initialize beyond it gets 503 with Retry-After. If
	// zero, [DefaultMaxSessions]. Ignored when Sessions is set (the store enforces its cap).
	MaxSessions int
	// MaxSessionsPerPrincipal caps the live sessions of one principal, so that no caller can
	// take every session of MaxSessions; initialize beyond it gets 429 with Retry-After and
	// an error naming the quota. It applies only with Auth or Authenticate: without it every client
	// is the principal "", and a quota would be a lower MaxSessions, not fairness. (With
	// Authenticate, callers it admits as "" share that one quota.) If zero, a tenth of
	// MaxSessions, at least 1: no principal then holds more than a tenth of the server, and it
	// takes ten to fill it. Negative means no quota. Ignored when Sessions is set (the store
	// enforces its quotas: [MemorySessionStore.MaxPerPrincipal]).
	MaxSessionsPerPrincipal int
	// MaxBodyBytes caps a POST body; larger ones get 413. If zero, [DefaultMaxBodyBytes].
	MaxBodyBytes int64
	// BodyReadTimeout bounds the time to receive a POST body, from the end of its headers to
	// the end of the body; a body not complete by then gets 408 and the connection is closed.
	// If zero, [DefaultBodyReadTimeout]; negative means no bound (then only the
	// http.Server's ReadTimeout, if any, applies). It needs a ResponseWriter that supports
	// http.ResponseController.SetReadDeadline, as net/http's does.
	BodyReadTimeout time.Duration
	// MaxBodyBytesInFlight caps the memory held by POST bodies still being received, summed
	// over all requests; a body whose buffer would take the sum past it gets 503 with
	// Retry-After. Bodies of up to 4 KiB are not counted. If zero,
	// [DefaultMaxBodyBytesInFlight]; negative means no cap. A value not above MaxBodyBytes is
	// raised to MaxBodyBytes+1, so that a body of the largest size can always be received
	// alone.
	MaxBodyBytesInFlight int64
	// WriteTimeout bounds each write of an answer: a JSON answer as a whole, each event of an
	// SSE stream (a stream lives as long as its messages need, so the http.Server's
	// WriteTimeout cannot apply). A client that stops reading for longer loses its answer or
	// stream, and the memory and goroutine they held are released, so Shutdown waits no
	// longer than this for such a client. If zero, [DefaultWriteTimeout]; negative means no
	// bound (not recommended). Like BodyReadTimeout, it needs a ResponseWriter that supports
	// deadlines.
	WriteTimeout time.Duration
	// MaxListens caps the subscriptions/listen streams (MCP 2026-07-28) open at once on this
	// handler; a listen beyond it gets 503 with Retry-After. If zero, [DefaultMaxListens].
	MaxListens int
	// MaxListensPerPrincipal caps the listen streams of one principal, so that no caller can
	// take every stream of MaxListens; a listen beyond it gets 429 with Retry-After. It
	// applies only with Auth or Authenticate, as MaxSessionsPerPrincipal does. If zero, a tenth of
	// MaxListens, at least 1; negative means no quota.
	MaxListensPerPrincipal int
	// KeepAlive is the interval of keep-alive comments on idle SSE streams, subscriptions/listen
	// streams included (MCP 2026-07-28, Transports § Streamable HTTP: servers "are encouraged
	// to periodically emit an SSE comment line ... as a keep-alive"). If zero,
	// [DefaultKeepAlive]; negative disables them, and then a GET stream with nothing to send
	// ends after SessionIdleTimeout with a retry hint, as nothing shows a reader is there.
	KeepAlive time.Duration
	// Retry is the reconnection delay hinted to SSE clients. If zero, [DefaultRetry].
	Retry time.Duration
	// AllowedOrigins lists the Origin values accepted besides same-origin and loopback ones
	// ("*" accepts any). A request with another Origin gets 403 (MCP 2025-11-25, Transports §
	// Security Warning: "Servers MUST validate the Origin header").
	AllowedOrigins []string
	// AllowedHosts lists Host values accepted besides loopback names when the listener is on
	// a loopback address (DNS rebinding protection). If set, it is also enforced on other
	// listeners.
	AllowedHosts []string
	// DisableHostCheck turns DNS rebinding protection off.
	DisableHostCheck bool
	// Auth makes the handler an OAuth 2.1 resource server: bearer tokens checked by a
	// TokenVerifier, 401 and 403 challenges that name the protected resource metadata, which
	// is served, and the scopes of tools, prompts and resources enforced (see [AuthOptions]).
	// Sessions are bound to the principal that created them. New panics when both Auth and
	// Authenticate are set.
	Auth *AuthOptions
	// Authenticate is the simpler form: it maps a request to its principal, with no scopes
	// and no metadata. An error answers 401 with WWW-Authenticate: AuthChallenge. If nil (and
	// Auth is nil), there is no authentication and every principal is "".
	Authenticate func(r *http.Request) (principal string, err error)
	// AuthChallenge is the WWW-Authenticate value of the 401 answers of Authenticate. If
	// empty, "Bearer".
	AuthChallenge string
	// ReplicaID, if set, is sent in an X-Served-By header on every answer so operators can
	// see load balancing at work.
	ReplicaID string
	// Sessions stores session records. If nil, a [MemorySessionStore] capped at MaxSessions.
	// A store set here is taken to be shared with other replicas: each request confirms its
	// session there (one Load), activity is reported to it at each sweep, and a session
	// expires only when idle on every replica (see the design note in session.go).
	Sessions SessionStore
	// Events stores SSE events for resumption. If nil, a [MemoryEventStore] with default
	// caps. Replicas sharing Sessions share it too; one that implements [EventFollower] then
	// lets a POST's stream be resumed, live, on a replica other than the one writing it.
	Events EventStore
	// Relay carries replies to server-to-client requests, cancellations, the end of sessions
	// and server-initiated messages between the replicas sharing Sessions, so that no
	// balancer affinity is needed (see the design note in relay.go). When the mcp.Server was
	// given a Bus (mcp.ServerOptions.Bus, shared by the replicas), the sessions' list changes
	// and resource updates come from that bus too, each told to the client once, by the
	// replica holding its GET stream. It is ignored without Sessions, and when Stateless. If
	// nil, each replica serves alone what runs on it.
	Relay Relay
	// StoreTimeout bounds each call to the stores and the relay given in Sessions, Events
	// and Relay (each a round trip to Redis, say): a call not done by then fails, and the
	// request that needed it gets 503 with a JSON-RPC error rather than waiting. If zero,
	// [DefaultStoreTimeout]; negative means no bound. The in-memory stores made when
	// Sessions and Events are nil get no bound: they do not wait.
	StoreTimeout time.Duration
	// Polling lets a handler end the connection of its POST's SSE answer before its result
	// with [mcp.Request.CloseStream] and finish in the background; the client comes back with
	// a GET carrying Last-Event-ID and receives the rest (MCP 2025-11-25, Transports § Sending
	// Messages to the Server; SEP-1699). Stateful mode only. Handlers of requests in a session
	// then run on worker goroutines rather than the request's, which costs 1.6-2.8 µs and 9
	// allocations a request (BenchmarkPostToolsCall/stateful-polling), so it is off by
	// default; without it CloseStream returns [mcp.ErrStreamNotClosable].
	Polling bool
	// PollAfter, if positive, has the transport close a POST's SSE connection itself once its
	// handler has run this long, as if the handler had called CloseStream, for clients of
	// 2025-11-25 and later: a long call then holds no connection, whatever proxies and idle
	// timeouts sit between client and server. It turns Polling on.
	PollAfter time.Duration
	// LegacySSE also serves the 2024-11-05 HTTP+SSE transport: GET /sse and POST /message.
	LegacySSE bool
	// LegacyMaxInFlight caps the requests of one HTTP+SSE session being handled at once (their
	// POSTs were answered 202 at once); /message answers more with 429 and Retry-After.
	// Responses and notifications are not counted (see the design note in legacy.go). If
	// zero, [DefaultLegacyMaxInFlight]; negative means no cap.
	LegacyMaxInFlight int
	// Logger receives the transport's diagnostics (store failures at warn, the rest at
	// debug). If nil, slog.Default(), so that an operator sees failures without asking.
	Logger *slog.Logger
	// Metrics, if set, counts the requests this handler refuses (by reason) and the errors of
	// its stores, and reports its sessions, streams and event-store bytes (see [Metrics];
	// its Middleware, in mcp.ServerOptions, counts the requests served). If nil, nothing is
	// counted.
	Metrics *Metrics
	// MetricsPath, if set with Metrics, is where GET serves Metrics in the Prometheus text
	// format, beside /healthz, past the Host and Origin checks and without authentication
	// (like /healthz). If empty, the handler does not serve it: serve Metrics, an
	// http.Handler, on a listener of its own.
	MetricsPath string
}

// Handler serves the MCP endpoint over Streamable HTTP (and optionally the legacy HTTP+SSE
// transport), plus /healthz and /readyz. Create it with [New]; end it with
// [Handler.Shutdown], which waits for every goroutine it started.
type Handler struct {
	srv    *mcp.Server
	x      exchange
	opts   Options
	router *httprouter.Router
	store  SessionStore
	events EventStore
	// auth is the resource server made from Options.Auth, nil without it.
	auth *authState
	// shared is set when the session store came from Options.Sessions: other replicas may
	// use it too (see the design note in session.go).
	shared bool
	// remote is set when a store or relay came from Options: its calls get StoreTimeout.
	remote bool
	// relay is Options.Relay; follower the event store as an EventFollower when the
	// session store is shared and the event store can be followed. Both nil otherwise.
	relay    Relay
	follower EventFollower
	// relayKey names this replica on the relay and prefixes the ids of its server-to-client
	// requests (see the design note in relay.go).
	relayKey string
	// bus is the mcp.Bus the server was given, when there is a relay too: the sessions of
	// this handler are then fed their changes from it (see the design note in relay.go).
	// nil otherwise.
	bus mcp.Bus
	// relayQ queues relayed messages and changes for the relay goroutine; never closed.
	relayQ chan relayItem
	// relayDone is closed by the relay goroutine when it exits.
	relayDone chan struct{}
	relayMu   sync.Mutex
	// relayCancel ends the relay subscription, busCancel the bus's, nil while there is none;
	// relayStopped is set by Shutdown. Guarded by relayMu.
	relayCancel  func()
	busCancel    func()
	relayStopped bool
	// followMu guards follows: the cancels of the streams following another replica's
	// stream, by session id (a leaf lock, after session.mu).
	followMu sync.Mutex
	follows  map[string]map[*sseStream]context.CancelFunc
	// lastReport is when the sweeper last reported activity to a shared store (unix
	// nanoseconds); the sweeper's alone.
	lastReport int64

	mu sync.RWMutex
	// live maps session ids to the sessions live on this replica; guarded by mu.
	live map[string]*session

	activeMu sync.Mutex
	// active counts ServeHTTP calls and handler goroutines in progress; guarded by activeMu.
	active int
	// idle, when not nil, is closed when active drops to zero; guarded by activeMu.
	idle chan struct{}
	// sseStreams counts the SSE streams whose headers are out and that have not ended.
	sseStreams atomic.Int64
	// bodyBytes counts the bytes of body buffers of requests whose body is still arriving,
	// beyond the first bodyFree of each (see the design note in body.go).
	bodyBytes atomic.Int64
	// draining is set by Shutdown: new sessions get 503 and /readyz fails.
	draining atomic.Bool
	// stop is closed by Shutdown to end streams, the sweeper and idle workers.
	stop chan struct{}
	// stopCtx is cancelled by Shutdown, with stop: listen streams end on it.
	stopCtx    context.Context
	stopCancel context.CancelFunc
	// listens counts the open subscriptions/listen streams.
	listens listenCount
	// tasks hands polling requests to idle workers (see runWorker); unbuffered, never
	// closed.
	tasks    chan func()
	stopOnce sync.Once

	sweepMu sync.Mutex
	// sweeping is set when the sweeper started; stopped when Shutdown began. Guarded by
	// sweepMu.
	sweeping, stopped bool
	// sweepDone is closed by the sweeper when it exits.
	sweepDone chan struct{}
}

// New returns a handler serving srv. A nil opts means defaults: stateful, 30-minute idle
// expiry, 10,000 sessions, automatic JSON/SSE answers, DNS rebinding protection on.
func New(srv *mcp.Server, opts *Options) *Handler {
	h := &Handler{srv: srv, live: make(map[string]*session), stop: make(chan struct{}), tasks: make(chan func()), sweepDone: make(chan struct{})}
	if opts != nil {
		h.opts = *opts
	}
	o := &h.opts
	if o.Path == "" {
		o.Path = DefaultPath
	}
	if o.SessionIdleTimeout == 0 {
		o.SessionIdleTimeout = DefaultSessionIdleTimeout
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.MaxSessionsPerPrincipal == 0 {
		o.MaxSessionsPerPrincipal = max(o.MaxSessions/10, 1)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.BodyReadTimeout == 0 {
		o.BodyReadTimeout = DefaultBodyReadTimeout
	}
	switch {
	case o.MaxBodyBytesInFlight == 0:
		o.MaxBodyBytesInFlight = max(DefaultMaxBodyBytesInFlight, o.MaxBodyBytes+1)
	case o.MaxBodyBytesInFlight > 0 && o.MaxBodyBytesInFlight <= o.MaxBodyBytes:
		o.MaxBodyBytesInFlight = o.MaxBodyBytes + 1 // the buffer of a body at the limit
	}
	if o.MaxListens <= 0 {
		o.MaxListens = DefaultMaxListens
	}
	if o.MaxListensPerPrincipal == 0 {
		o.MaxListensPerPrincipal = max(o.MaxListens/10, 1)
	}
	h.listens.max = o.MaxListens
	if o.Auth != nil {
		if o.Authenticate != nil {
			panic("server: Options.Auth and Options.Authenticate are both set; use one")
		}
		h.auth = newAuthState(o.Auth, o.Path)
	}
	authenticates := o.Auth != nil || o.Authenticate != nil
	if authenticates && o.MaxListensPerPrincipal > 0 {
		h.listens.perPrincipal = o.MaxListensPerPrincipal
	}
	h.stopCtx, h.stopCancel = context.WithCancel(context.Background())
	if o.LegacyMaxInFlight == 0 {
		o.LegacyMaxInFlight = DefaultLegacyMaxInFlight
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.KeepAlive == 0 {
		o.KeepAlive = DefaultKeepAlive
	}
	if o.Retry <= 0 {
		o.Retry = DefaultRetry
	}
	if o.PollAfter > 0 {
		o.Polling = true
	}
	if o.AuthChallenge == "" {
		o.AuthChallenge = "Bearer"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h.store, h.shared = o.Sessions, o.Sessions != nil
	if h.store == nil {
		m := &MemorySessionStore{Max: o.MaxSessions}
		if authenticates && o.MaxSessionsPerPrincipal > 0 {
			m.MaxPerPrincipal = o.MaxSessionsPerPrincipal
		}
		h.store = m
	}
	h.events = o.Events
	if h.events == nil {
		h.events = &MemoryEventStore{}
	}
	h.x = newExchange(srv, rpc.Limits{MaxMessageBytes: int(o.MaxBodyBytes)})
	if o.StoreTimeout == 0 {
		o.StoreTimeout = DefaultStoreTimeout
	}
	h.remote = o.Sessions != nil || o.Events != nil || o.Relay != nil
	if f, ok := h.events.(EventFollower); ok && h.shared {
		h.follower = f
	}
	if o.Relay != nil && h.shared && !o.Stateless {
		h.relay = o.Relay
		// A Bus given to the server is taken to be shared by the replicas, as the stores
		// given here are; without one each replica's server notifies its own copies.
		h.bus = srv.Options().Bus
		h.startRelay()
	}

	r := httprouter.New()
	r.HandleMethodNotAllowed = true
	r.HandleOPTIONS = false
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h.opts.Metrics.reject(reasonProtocol, "")
		// httprouter lists OPTIONS, which this endpoint does not serve.
		allow := strings.ReplaceAll(strings.ReplaceAll(w.Header().Get("Allow"), "OPTIONS, ", ""), ", OPTIONS", "")
		w.Header().Set("Allow", allow)
		// httprouter has set Allow (MCP 2025-11-25, Transports § Listening for Messages: "the
		// server MUST either return Content-Type: text/event-stream ... or else return HTTP 405").
		writeError(w, http.StatusMethodNotAllowed, CodeServerError, "Method Not Allowed: "+req.Method+" is not served here; use "+w.Header().Get("Allow"))
	})
	r.NotFound = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeError(w, http.StatusNotFound, CodeServerError, "Not Found: the MCP endpoint is "+o.Path)
	})
	r.HandlerFunc(http.MethodPost, o.Path, h.guard(h.servePost))
	// GET and DELETE belong to sessions: an endpoint that serves none answers them 405 (MCP
	// 2026-07-28, Transports § Streamable HTTP, Earlier Streamable HTTP Revisions: a server
	// that supports only this revision "SHOULD respond ... HTTP GET or DELETE to the MCP
	// endpoint: respond with 405 Method Not Allowed").
	if !o.Stateless && srv.ServesSessions() {
		r.HandlerFunc(http.MethodGet, o.Path, h.guard(h.serveGet))
		r.HandlerFunc(http.MethodDelete, o.Path, h.guard(h.serveDelete))
	}
	if o.LegacySSE {
		r.HandlerFunc(http.MethodGet, "/sse", h.guard(h.serveLegacySSE))
		r.HandlerFunc(http.MethodPost, "/message", h.guard(h.serveLegacyMessage))
	}
	if h.auth != nil {
		for _, p := range h.auth.metadataPaths {
			r.HandlerFunc(http.MethodGet, p, h.auth.serveMetadata)
		}
	}
	r.HandlerFunc(http.MethodGet, "/healthz", h.Healthz)
	r.HandlerFunc(http.MethodGet, "/readyz", h.Readyz)
	if o.Metrics != nil && o.MetricsPath != "" {
		r.Handler(http.MethodGet, o.MetricsPath, o.Metrics)
	}
	o.Metrics.add(h)
	h.router = r
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.enterActive()
	defer h.leaveActive()
	if h.opts.ReplicaID != "" {
		w.Header().Set("X-Served-By", h.opts.ReplicaID)
	}
	h.router.ServeHTTP(w, r)
}

// Healthz answers 200 while the process serves requests.
func (h *Handler) Healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok\n")
}

// Readyz answers 200 while [Handler.Ready] reports nil, else 503 with its error, so that
// balancers stop sending traffic to a replica that is draining or cannot reach its stores.
func (h *Handler) Readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := h.Ready(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, err.Error()+"\n")
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}

// Ready reports whether the handler can serve: [ErrShuttingDown] once Shutdown has begun,
// the error of a store or relay given in Options that implements [Pinger] and fails its
// Ping (each within StoreTimeout), or that of the relay subscription, which it retries.
// The stores it makes itself are always ready.
func (h *Handler) Ready(ctx context.Context) error {
	if h.draining.Load() {
		return ErrShuttingDown
	}
	if !h.remote {
		return nil
	}
	for _, x := range []any{h.opts.Sessions, h.opts.Events, h.relay} {
		p, ok := x.(Pinger)
		if !ok {
			continue
		}
		pctx, cancel := h.storeCtx(ctx)
		err := p.Ping(pctx)
		cancel()
		if err != nil {
			return fmt.Errorf("server: %T unreachable: %w", x, err)
		}
	}
	if h.relay != nil {
		if err := h.subscribeRelay(ctx); err != nil {
			return fmt.Errorf("server: subscribing to the relay: %w", err)
		}
	}
	return nil
}

// storeCtx returns the context of one call to a store or relay given in Options: ctx's
// values, StoreTimeout and not ctx's cancellation (what a request stores as it ends must
// not fail because its client left). The stores the handler made itself get ctx.
func (h *Handler) storeCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if !h.remote || h.opts.StoreTimeout < 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), h.opts.StoreTimeout)
}

// Shutdown drains the handler: new sessions get 503, /readyz fails, open SSE streams end with
// a retry hint (subscriptions/listen streams with their graceful-closure result), the sweeper stops, and Shutdown waits for requests in flight to finish or ctx
// to end. Sessions are then closed on this replica (their records stay in a shared store).
// If ctx ends first, Shutdown returns its error and leaves the requests running; call it
// again to finish. Call http.Server.Shutdown, which stops accepting connections, once it has
// returned: until then the listener answers /readyz and new sessions with 503. [Serve] does
// both in that order.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.draining.Store(true)
	h.sweepMu.Lock()
	h.stopped = true
	sweeping := h.sweeping
	h.sweepMu.Unlock()
	h.stopOnce.Do(func() {
		close(h.stop)
		h.stopCancel()
	})
	if sweeping {
		<-h.sweepDone
	}
	if h.relay != nil {
		h.stopRelay()
	}
	if err := h.waitIdle(ctx); err != nil {
		// Requests still run: leave their sessions alone; a later Shutdown finishes the job.
		return err
	}
	h.mu.Lock()
	live := h.live
	h.live = make(map[string]*session)
	h.mu.Unlock()
	for _, s := range live {
		s.mcp.Close()
	}
	h.opts.Metrics.remove(h)
	return nil
}

func (h *Handler) enterActive() {
	h.activeMu.Lock()
	h.active++
	h.activeMu.Unlock()
}

func (h *Handler) leaveActive() {
	h.activeMu.Lock()
	h.active--
	if h.active == 0 && h.idle != nil {
		close(h.idle)
		h.idle = nil
	}
	h.activeMu.Unlock()
}

// waitIdle waits until no request or handler goroutine runs, or ctx ends.
func (h *Handler) waitIdle(ctx context.Context) error {
	h.activeMu.Lock()
	if h.active == 0 {
		h.activeMu.Unlock()
		return nil
	}
	if h.idle == nil {
		h.idle = make(chan struct{})
	}
	idle := h.idle
	h.activeMu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SessionCount returns the number of sessions live on this replica.
func (h *Handler) SessionCount() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.live)
}

// retryAfter is the Retry-After of 503 and 429 answers, in seconds.
func retryAfter(d time.Duration) string {
	s := int(d / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.Itoa(s)
}
