package mcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

// Defaults for [ServerOptions] fields left zero.
const (
	DefaultPageSize             = 100
	DefaultClientRequestTimeout = 60 * time.Second
	DefaultLogLevel             = LevelInfo
	// DefaultMaxSubscriptions bounds the resources/subscribe of one session: far more than a
	// client watching what it shows the user needs, and with DefaultMaxURILength at most 8 MiB
	// of URIs held per session instead of as much as clients send.
	DefaultMaxSubscriptions = 1000
	// DefaultMaxURILength bounds the uri of resources/read, subscribe and unsubscribe, in
	// bytes: every URI that HTTP recommends supporting fits (RFC 9110 §4.1: "It is
	// RECOMMENDED that all senders and recipients support, at a minimum, URIs with lengths of
	// 8000 octets in protocol elements").
	DefaultMaxURILength = 8 << 10
	// DefaultMaxStateBytes bounds the requestState of an input-required result, in bytes: half
	// of the Streamable HTTP transport's default body limit of 4 MiB, so that the retry echoing
	// it has room left for the answers it carries.
	DefaultMaxStateBytes = 2 << 20
)

// ServerOptions configures a [Server]. The zero value of every field means its default.
type ServerOptions struct {
	// Instructions tell the client how to use the server (InitializeResult.instructions).
	Instructions string
	// PageSize is the number of items in one page of tools/list, resources/list,
	// resources/templates/list and prompts/list. If zero, [DefaultPageSize].
	PageSize int
	// DefaultLogLevel is the least severe level sent to clients that never called
	// logging/setLevel. If zero, [DefaultLogLevel].
	DefaultLogLevel LoggingLevel
	// ClientRequestTimeout bounds how long a server-to-client request (sampling, elicitation,
	// roots) waits for the client. If zero, [DefaultClientRequestTimeout].
	ClientRequestTimeout time.Duration
	// RootsListChanged, if set, is called when a client says its roots changed
	// (notifications/roots/list_changed; MCP 2025-11-25, Client § Roots, Root List Changes:
	// "When roots change, clients that support listChanged MUST send a notification"). req
	// stands for the notification: it carries the client's version, info and capabilities and
	// [Request.Session]; its ListRoots asks the client for the new roots, and its Log and Notify
	// reach the client on the session's stream for server-initiated messages. In a session the
	// hook runs on a goroutine of its own, one call at a time (a notification arriving
	// meanwhile makes it run once more afterwards); ctx is cancelled when the session closes,
	// and [Session.Close] waits for the hook to return. Without a session (stateless HTTP) it
	// runs before the notification is acknowledged, and ListRoots fails with [ErrNoSession]. A
	// panic is recovered and logged. If nil, the notification is ignored.
	RootsListChanged func(ctx context.Context, req *Request)
	// BatchConcurrency bounds how many members of a JSON-RPC batch run at once, on every
	// transport of package server. If zero, [rpc.DefaultBatchConcurrency].
	BatchConcurrency int
	// MaxSubscriptions bounds the resources a session may be subscribed to at once; a
	// resources/subscribe beyond it gets -32602 (one already subscribed to does not count
	// again). It bounds the resourceSubscriptions of one subscriptions/listen stream too (MCP
	// 2026-07-28), duplicates counted once; a listen naming more gets -32602. If zero,
	// [DefaultMaxSubscriptions].
	MaxSubscriptions int
	// MaxURILength bounds, in bytes, the uri of resources/read, resources/subscribe and
	// resources/unsubscribe, and each of the resourceSubscriptions of subscriptions/listen; a
	// longer one gets -32602. If zero, [DefaultMaxURILength].
	MaxURILength int
	// StateKeys seal the requestState of the input-required results of 2026-07-28 requests
	// (MCP 2026-07-28, Basic § Multi Round-Trip Requests), each [StateKeySize] bytes for
	// AES-256-GCM: the first seals, every one opens. To rotate, put a new key first and drop the
	// old one once StateTTL has passed. Replicas behind one endpoint must share them. If empty, a
	// random key made by NewServer, good for this process only. NewServer panics on a key of
	// another size.
	StateKeys [][]byte
	// MaxStateBytes bounds, in bytes, the requestState of an input-required result, which holds
	// the answers of earlier rounds and what the handler kept, sealed. A round whose state would
	// be longer fails with -32603 (wrapping [ErrStateTooLarge]) instead: the client could not
	// echo it within the transport's body limit, so keep this well below that. If zero,
	// [DefaultMaxStateBytes].
	MaxStateBytes int
	// StateTTL bounds how long after it was issued a requestState is accepted: the time a
	// client has to answer one round. Each round issues a new state, so an exchange of several
	// rounds may last longer, and a state may be presented again within it (it is not
	// single-use). If zero, [DefaultStateTTL].
	StateTTL time.Duration
	// DiscoverCache is the cache hint of server/discover results at 2026-07-28 (MCP
	// 2026-07-28, Server § Utilities § Caching). The zero value: ttlMs 0 and cacheScope
	// "private", which promise nothing.
	DiscoverCache CacheHint
	// ListCache is the cache hint of tools/list, prompts/list, resources/list and
	// resources/templates/list results at 2026-07-28; the resource lists lower it to what their
	// least cacheable entry promises ([Resource.Cache], [ResourceTemplate.Cache]). Set Scope to
	// [CachePublic] only when the lists are the same for every caller. The zero value: ttlMs 0
	// and cacheScope "private".
	ListCache CacheHint
	// Bus carries the server's changes (list changes, [Server.ResourceUpdated]) to the
	// subscriptions/listen streams of the 2026-07-28 revision. Give several replicas one
	// shared bus so that a change published on one reaches the streams open on all. If nil,
	// a [MemoryBus] of this server alone. Sessions of earlier revisions hear of this server's
	// own changes whatever the bus, unless their transport feeds them from it
	// ([Session.SetChangeFeed]; package server does when replicas share a Relay and a Bus).
	Bus Bus
	// TaskStore keeps the records of tasks (the tasks extension; see [Request.RunTask]).
	// Replicas behind one endpoint must share one, so that a task started on one is polled on
	// any. If nil, a [MemoryTaskStore] of this process holding at most ten times MaxTasks
	// records (running tasks and finished ones until their TTL passes).
	TaskStore TaskStore
	// TaskTTL is how long a task and its result are kept after the task is created (its
	// ttlMs); a task still running then is cancelled and fails. If zero, [DefaultTaskTTL].
	TaskTTL time.Duration
	// TaskPollInterval is the polling interval suggested to clients (pollIntervalMs), and how
	// often a task waiting for input looks for answers that reached another replica. If zero,
	// [DefaultTaskPollInterval].
	TaskPollInterval time.Duration
	// TaskLease is how long a task outlives its runner: the runner renews its lease every
	// third of it, and a task whose lease lapsed is reported failed. If zero,
	// [DefaultTaskLease].
	TaskLease time.Duration
	// MaxTasks bounds the tasks this server runs at once; a call that would start one more
	// fails with a JSON-RPC error. If zero, [DefaultMaxTasks].
	MaxTasks int
	// MaxTasksPerPrincipal bounds the tasks one authenticated principal runs at once on this
	// server, so that no caller takes every task of MaxTasks; requests without a principal
	// (no authentication) share MaxTasks alone. If zero, a tenth of MaxTasks, at least 1;
	// negative means no bound but MaxTasks.
	MaxTasksPerPrincipal int
	// MaxTaskResultBytes bounds the encoded result a task keeps for tasks/get; a task whose
	// result is larger fails with -32603 saying so. If zero, [DefaultMaxTaskResultBytes].
	MaxTaskResultBytes int
	// ProtocolVersions lists the protocol revisions the server serves, any of [AllVersions]
	// in any order: to restrict an endpoint to one era, [ModernVersions] (no initialize) or
	// [SupportedVersions] (initialize only). A request naming another revision is refused with
	// [Server.UnsupportedVersion], which lists these; server/discover lists them too; initialize
	// negotiates among those of them it negotiates, and is refused when there are none (MCP
	// 2026-07-28, Basic § Versioning, Backward Compatibility: a server that supports only
	// modern versions "SHOULD name the protocol versions it supports in any error it returns
	// to an initialize request"). If empty, every revision of [AllVersions]. [NewServer]
	// panics on a revision this package does not speak.
	ProtocolVersions []string
	// Middleware wraps the handling of every request and notification from clients, on every
	// transport and at every protocol version, Middleware[0] outermost: it sees each call
	// first and its result last (see [Middleware] for what is wrapped and what not). If
	// empty, nothing is wrapped, at no cost. NewServer panics on a nil entry.
	Middleware []Middleware
	// Logger receives the server's own diagnostics: handler panics (at error level, with the
	// stack), messages that could not be written, stray replies. If nil, slog.Default() at the
	// time of logging. To silence them, pass a logger whose handler discards.
	Logger *slog.Logger
}

// Server is an MCP server: a registry of tools, resources, prompts and completions, and the
// protocol logic that serves them over any transport. Create it with [NewServer], register
// what it offers, and hand it to a transport. Registration may continue while serving: clients
// that can receive them get list_changed notifications.
//
// All methods are safe for concurrent use.
type Server struct {
	impl Implementation
	// versions are the revisions served (ServerOptions.ProtocolVersions), in the order of
	// AllVersions; legacy are those of them initialize negotiates. Both are immutable.
	versions, legacy []string
	// implJSON is impl encoded, the io.modelcontextprotocol/serverInfo of every result of a
	// per-request revision.
	implJSON []byte
	opts     ServerOptions

	// mu guards the registries below.
	mu        sync.RWMutex
	tools     registry[*toolEntry]
	resources registry[*resourceEntry]
	templates registry[*templateEntry]
	prompts   registry[*promptEntry]
	// skills are the skills of the skills extension, by the URI of their SKILL.md (skill.go).
	skills registry[*skillEntry]
	// completions maps "ref/prompt NAME" and "ref/resource TEMPLATE" to handlers.
	completions map[string]CompletionHandler

	// regGen counts registry changes; initCache holds the encoded InitializeResults of one
	// generation.
	regGen    atomic.Uint64
	initCache atomic.Pointer[initCache]

	// states seals and opens requestState values (request_state.go).
	states *stateRing

	// tasks are the tasks this server runs, and their store (task.go).
	tasks taskHost

	// sessMu guards sessions.
	sessMu sync.Mutex
	// sessions holds every live session, for list_changed and resource update notifications.
	sessions map[*Session]struct{}

	// bus carries changes to subscriptions/listen streams (ServerOptions.Bus).
	bus Bus

	// handler is ServerOptions.Middleware around the protocol, nil without middleware.
	// Immutable.
	handler MethodHandler
}

// NewServer returns a server that introduces itself as impl (name and version are required by
// the spec; an empty name becomes "minimcp"). A nil opts means defaults.
func NewServer(impl *Implementation, opts *ServerOptions) *Server {
	s := &Server{sessions: make(map[*Session]struct{})}
	if impl != nil {
		s.impl = *impl
	}
	if s.impl.Name == "" {
		s.impl.Name = "minimcp"
	}
	if s.impl.Version == "" {
		s.impl.Version = "0.0.0"
	}
	info, err := json.Marshal(&s.impl)
	if err != nil {
		panic("mcp: NewServer: encoding impl: " + err.Error())
	}
	s.implJSON = info
	if opts != nil {
		s.opts = *opts
	}
	s.versions, s.legacy = servedVersions(s.opts.ProtocolVersions)
	if s.opts.PageSize <= 0 {
		s.opts.PageSize = DefaultPageSize
	}
	if s.opts.DefaultLogLevel == "" {
		s.opts.DefaultLogLevel = DefaultLogLevel
	}
	if s.opts.MaxSubscriptions <= 0 {
		s.opts.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if s.opts.MaxURILength <= 0 {
		s.opts.MaxURILength = DefaultMaxURILength
	}
	if s.opts.ClientRequestTimeout <= 0 {
		s.opts.ClientRequestTimeout = DefaultClientRequestTimeout
	}
	if s.opts.MaxStateBytes <= 0 {
		s.opts.MaxStateBytes = DefaultMaxStateBytes
	}
	if s.opts.StateTTL <= 0 {
		s.opts.StateTTL = DefaultStateTTL
	}
	states, err := newStateRing(s.opts.StateKeys, s.opts.StateTTL)
	if err != nil {
		panic("mcp: NewServer: " + err.Error())
	}
	s.states = states
	s.bus = s.opts.Bus
	if s.bus == nil {
		s.bus = &MemoryBus{}
	}
	s.opts.Middleware = slices.Clone(s.opts.Middleware)
	s.handler = chain(s.opts.Middleware, s.handleMethod)
	s.initTasks()
	s.tools.init()
	s.resources.init()
	s.templates.init()
	s.prompts.init()
	s.skills.init()
	return s
}

// servedVersions returns the revisions of want in the order of AllVersions (all of them when
// want is empty) and those of them initialize negotiates. It panics on a revision this
// package does not speak: a programmer's error.
func servedVersions(want []string) (versions, legacy []string) {
	for _, v := range want {
		if !IsModernVersion(v) && !IsSupportedVersion(v) {
			panic(fmt.Sprintf("mcp: NewServer: ServerOptions.ProtocolVersions: unknown protocol version %q (known: %v)", v, AllVersions()))
		}
	}
	for _, v := range AllVersions() {
		if len(want) == 0 || slices.Contains(want, v) {
			versions = append(versions, v)
			if IsSupportedVersion(v) {
				legacy = append(legacy, v)
			}
		}
	}
	return versions, legacy
}

// Versions returns the protocol revisions the server serves (ServerOptions.ProtocolVersions),
// the per-request ones first, each group newest first, as [AllVersions] orders them. The
// slice is new on every call.
func (s *Server) Versions() []string { return slices.Clone(s.versions) }

// ServesVersion reports whether the server serves protocol revision v (exact comparison).
func (s *Server) ServesVersion(v string) bool { return slices.Contains(s.versions, v) }

// ServesSessions reports whether the server serves any revision initialize negotiates, and
// with it sessions; false for an endpoint restricted to the per-request revisions.
func (s *Server) ServesSessions() bool { return len(s.legacy) > 0 }

// UnsupportedVersion returns the -32022 error for a request that named requested, listing in
// data.supported the versions the server serves (MCP 2026-07-28, Basic § Versioning, Protocol
// Version Negotiation: "it MUST respond with an UnsupportedProtocolVersionError listing the
// versions it does support").
func (s *Server) UnsupportedVersion(requested string) *rpc.Error {
	return unsupportedVersion(requested, s.versions)
}

// Options returns the options the server runs with, defaults filled in (Logger stays nil when
// it was: the server then logs to slog.Default() at the time of logging). Transports read
// what concerns them there, such as BatchConcurrency.
func (s *Server) Options() ServerOptions { return s.opts }

// logger returns where the server's diagnostics go: ServerOptions.Logger, or slog.Default().
// The default is looked up each time, so a program that calls slog.SetDefault after NewServer
// still sees a handler's panic.
func (s *Server) logger() *slog.Logger {
	if s.opts.Logger != nil {
		return s.opts.Logger
	}
	return slog.Default()
}

// Capabilities returns what the server declares in initialize of a session, derived from what
// is registered (MCP 2025-11-25, Basic § Lifecycle, Capability Negotiation): tools, resources
// and prompts only when at least one is registered, with list_changed notifications and
// resource subscriptions; completions when there is a prompt or a resource template to
// complete; logging always. Without a session (stateless HTTP) initialize declares the same
// minus subscribe and listChanged, which need a session's stream to be delivered.
func (s *Server) Capabilities() ServerCapabilities { return s.capabilities(true) }

// capabilities returns the capabilities to declare; withSession says whether the transport
// keeps a session, and with it a stream for server-initiated messages.
func (s *Server) capabilities(withSession bool) ServerCapabilities {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := ServerCapabilities{Logging: &LoggingCapability{}}
	// Subscriptions and list_changed notifications are server-initiated messages, sent on a
	// session's own stream (the GET stream of Streamable HTTP, stdout). A stateless transport
	// has none, and a client relies on what was declared (MCP 2025-11-25, Basic § Lifecycle,
	// Operation: "Both parties MUST: ... Only use capabilities that were successfully
	// negotiated"): it would wait for notifications that never come.
	if s.tools.len() > 0 {
		c.Tools = &ToolsCapability{ListChanged: withSession}
	}
	if s.resources.len() > 0 || s.templates.len() > 0 {
		c.Resources = &ResourcesCapability{Subscribe: withSession, ListChanged: withSession}
	}
	if s.prompts.len() > 0 {
		c.Prompts = &PromptsCapability{ListChanged: withSession}
	}
	if s.prompts.len() > 0 || s.templates.len() > 0 {
		c.Completions = &CompletionsCapability{}
	}
	return c
}

// statelessStates are the shared, immutable states of requests that arrive without a
// session, one per supported version.
var statelessStates = func() map[string]*SessionState {
	m := make(map[string]*SessionState)
	for _, v := range AllVersions() {
		m[v] = &SessionState{ProtocolVersion: v, Initialized: true}
	}
	return m
}()

// stateFor returns the state a request runs with: the session's, or, without one, a state
// built from the request alone.
func stateFor(in *Inbound, params json.RawMessage) *SessionState {
	if in.Session != nil {
		if st := in.Session.state.Load(); st != nil {
			return st
		}
	}
	v := in.ProtocolVersion
	if v == "" {
		v = Version20250326
	}
	st, ok := statelessStates[v]
	if !ok {
		st = statelessStates[LatestVersion]
	}
	if in.Meta != nil {
		return requestState(st, in.Meta)
	}
	if !bytes.Contains(params, metaPrefix) {
		return st
	}
	var meta []byte
	_ = jsontext.EachMemberValid(params, func(k, v []byte) bool {
		if string(k) == "_meta" {
			meta = v // the last of a repeated member, as a decoder keeps it
		}
		return true
	})
	return requestState(st, meta)
}

// metaPrefix marks the per-request protocol fields of _meta ("io.modelcontextprotocol/...";
// searched for from the ".", which JSON seldom holds, where a quote begins every string).
var metaPrefix = []byte(`.modelcontextprotocol/`)

// requestState reads the per-request protocol fields a client may put in _meta (meta, nil
// when there is none), the way the 2026-07-28 revision carries what sessions used to (MCP
// 2026-07-28, Basic § _meta, Per-request protocol fields: io.modelcontextprotocol/clientInfo,
// /clientCapabilities, /logLevel). Clients of the session revisions may send them too; they
// are used only when the request has no session.
func requestState(base *SessionState, meta json.RawMessage) *SessionState {
	st := *base
	changed := false
	_ = jsontext.EachMemberValid(meta, func(mk, mv []byte) bool {
		switch string(mk) {
		case "io.modelcontextprotocol/clientInfo":
			if info, ok := decodeClientInfo(mv); ok {
				st.ClientInfo, changed = info, true
			}
		case "io.modelcontextprotocol/clientCapabilities":
			if isEmptyObject(mv) {
				// No capability: what base declares already (a request's state starts
				// from none). The common case, decoded for nothing otherwise.
				return true
			}
			changed = json.Unmarshal(mv, &st.ClientCapabilities) == nil || changed
		case "io.modelcontextprotocol/logLevel":
			if s, ok := jsontext.Unquote(mv); ok {
				if lvl, err := ParseLoggingLevel(s); err == nil {
					st.LogLevel, changed = lvl, true
				}
			}
		}
		return true
	})
	if !changed {
		return base
	}
	return &st
}

// lastClientInfo caches the decoding of the io.modelcontextprotocol/clientInfo last seen: a
// client of a per-request revision sends it on every request, the same each time, and
// decoding it every time was a tenth of such a request's cost in the protocol. One entry:
// clients that alternate only miss it. The Implementation it holds is shared by the requests
// that sent the same bytes; a Request's state is read-only.
var lastClientInfo atomic.Pointer[clientInfoEntry]

// clientInfoEntry is a clientInfo's JSON and its decoding.
type clientInfoEntry struct {
	raw  string
	info Implementation
}

// maxCachedClientInfo bounds the clientInfo lastClientInfo keeps, in bytes.
const maxCachedClientInfo = 1 << 10

// decodeClientInfo decodes a clientInfo, from lastClientInfo when it is the same JSON.
func decodeClientInfo(raw []byte) (Implementation, bool) {
	if e := lastClientInfo.Load(); e != nil && e.raw == string(raw) {
		return e.info, true
	}
	var info Implementation
	if json.Unmarshal(raw, &info) != nil {
		return Implementation{}, false
	}
	if len(raw) <= maxCachedClientInfo {
		lastClientInfo.Store(&clientInfoEntry{raw: string(raw), info: info})
	}
	return info, true
}

// isEmptyObject reports whether the JSON value raw is {}, spaces allowed.
func isEmptyObject(raw []byte) bool {
	i := jsontext.SkipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = jsontext.SkipSpace(raw, i+1)
	return i < len(raw) && raw[i] == '}'
}

// Handle processes one message from a client and returns the reply to send, if any.
//
// Requests are answered (ok is true); notifications are acted on; responses to the server's
// own requests are routed to the waiting request. A request cancelled by the client with
// notifications/cancelled gets no reply (ok is false). Handle may be called concurrently.
func (s *Server) Handle(ctx context.Context, in *Inbound, m *rpc.Message) (resp rpc.Response, ok bool) {
	switch m.Kind {
	case rpc.KindInvalid:
		return rpc.Response{ID: m.ID, Error: m.Error}, true
	case rpc.KindResponse:
		if in.Session == nil || !in.Session.deliver(m) {
			s.logger().DebugContext(ctx, "mcp: stray response from the client", "id", m.ID.String())
		}
		return rpc.Response{}, false
	case rpc.KindNotification:
		if s.handler != nil {
			s.handleNotificationChain(ctx, in, m)
		} else {
			s.handleNotification(ctx, in, m)
		}
		return rpc.Response{}, false
	}

	sess := in.Session
	if sess != nil && sess.state.Load() == nil && m.Method != MethodInitialize && m.Method != MethodPing {
		// MCP 2025-11-25, Basic § Lifecycle, Initialization: "The client SHOULD NOT send
		// requests other than pings before the server has responded to the initialize request."
		return rpc.Response{ID: m.ID, Error: rpc.NewError(rpc.CodeInvalidRequest,
			"Invalid Request: session not initialized: send initialize before "+m.Method)}, true
	}
	req := &Request{ID: m.ID, Method: m.Method, Params: m.Params, srv: s, sess: sess,
		state: stateFor(in, m.Params), principal: in.Principal, out: in.Out, in: in}
	ctx = withTrace(ctx, req)
	if sess != nil {
		rctx := newRequestContext(ctx)
		req.ctx = rctx
		ctx = rctx
		if !sess.track(req) {
			return rpc.Response{ID: m.ID, Error: rpc.NewError(rpc.CodeInvalidRequest, "Invalid Request: session closed")}, true
		}
		defer func() {
			sess.untrack(req)
			rctx.release()
		}()
	}
	resp, ok = rpc.Dispatch(ctx, (*dispatcher)(req), m, s.logger())
	req.setFlag(flagDone)
	if req.cancelledByClient() {
		// MCP 2025-11-25, Utilities § Cancellation: "Receivers of a cancellation notification
		// SHOULD ... Not send a response for the cancelled request".
		return rpc.Response{}, false
	}
	return resp, ok
}

// handleNotification acts on a notification from the client.
func (s *Server) handleNotification(ctx context.Context, in *Inbound, m *rpc.Message) {
	switch m.Method {
	case NotificationInitialized:
		if in.Session != nil && in.Session.state.Load() != nil {
			in.Session.updateState(func(st *SessionState) { st.Initialized = true })
		}
	case NotificationCancelled:
		var p CancelledParams
		if in.Session == nil || json.Unmarshal(m.Params, &p) != nil {
			return
		}
		if id, ok := rpc.RawID(p.RequestID); ok {
			in.Session.cancelRequest(id, p.Reason)
		}
	case NotificationRootsListChanged:
		s.rootsListChanged(ctx, in, m)
	default:
		// notifications/progress for our requests and unknown notifications need no action
		// (JSON-RPC 2.0 §4.1: never answered).
		s.logger().DebugContext(ctx, "mcp: notification ignored", "method", m.Method)
	}
}

// dispatch runs the handler for req's method and returns its (version-adapted) result.
func (s *Server) dispatch(ctx context.Context, r *Request) (any, error) {
	var (
		res any
		err error
	)
	modern := r.modern()
	if modern {
		if mrtrMethod(r.Method) {
			if err := s.openRound(r); err != nil {
				return nil, err
			}
		}
		switch r.Method {
		case MethodInitialize, MethodPing, MethodLoggingSetLevel, MethodResourcesSubscribe, MethodResourcesUnsubscribe:
			// Removed in 2026-07-28 (changelog: "Remove ping, logging/setLevel"; initialize
			// and resources/subscribe give way to per-request _meta and subscriptions/listen).
			return nil, rpc.MethodNotFound(r.Method)
		case MethodServerDiscover:
			return s.modernResult(r, s.discover())
		case MethodSubscriptionsListen:
			return s.listen(ctx, r)
		case MethodTasksGet, MethodTasksUpdate, MethodTasksCancel:
			res, err := s.serveTask(ctx, r)
			if err != nil {
				return nil, modernError(r, err)
			}
			return s.modernResult(r, res)
		case MethodSkillsList, MethodSkillsGet, MethodResourcesDirectoryRead:
			if s.offersSkills() {
				res, err := s.serveSkills(r)
				if err != nil {
					return nil, modernError(r, err)
				}
				return s.modernResult(r, res)
			}
		}
	}
	switch r.Method {
	case MethodToolsCall:
		res, err = s.callTool(ctx, r)
	case MethodInitialize:
		return s.initialize(r)
	case MethodPing:
		// MCP 2025-11-25, Utilities § Ping: "The receiver MUST respond promptly with an empty
		// response".
		return json.RawMessage(`{}`), nil
	case MethodToolsList:
		res, err = s.listTools(r)
	case MethodResourcesList:
		res, err = s.listResources(r)
	case MethodResourcesTemplatesList:
		res, err = s.listResourceTemplates(r)
	case MethodResourcesRead:
		res, err = s.readResource(ctx, r)
	case MethodResourcesSubscribe, MethodResourcesUnsubscribe:
		res, err = s.subscribe(r)
	case MethodPromptsList:
		res, err = s.listPrompts(r)
	case MethodPromptsGet:
		res, err = s.getPrompt(ctx, r)
	case MethodCompletionComplete:
		res, err = s.complete(ctx, r)
	case MethodLoggingSetLevel:
		return s.setLevel(r)
	default:
		return nil, rpc.MethodNotFound(r.Method)
	}
	if err != nil {
		if modern && r.input != nil && errors.Is(err, ErrInputRequired) {
			r.inputRequired = true
			return s.inputRequired(r)
		}
		return nil, modernError(r, err)
	}
	if modern {
		return s.modernResult(r, res)
	}
	return downgradeResult(r.state.ProtocolVersion, res), nil
}

// initialize negotiates the protocol version (MCP 2025-11-25, Basic § Lifecycle, Version
// Negotiation: "If the server supports the requested protocol version, it MUST respond with
// the same version. Otherwise, the server MUST respond with another protocol version it
// supports. This SHOULD be the latest version supported by the server.").
func (s *Server) initialize(r *Request) (any, error) {
	var p InitializeParams
	if err := unmarshalParams(r.Params, &p); err != nil {
		return nil, err
	}
	if p.ProtocolVersion == "" {
		return nil, rpc.InvalidParams("initialize: protocolVersion is required")
	}
	if len(s.legacy) == 0 {
		// MCP 2026-07-28, Basic § Versioning, Backward Compatibility: "A server that supports
		// only modern versions SHOULD name the protocol versions it supports in any error it
		// returns to an initialize request".
		return nil, s.UnsupportedVersion(p.ProtocolVersion)
	}
	v := p.ProtocolVersion
	if !slices.Contains(s.legacy, v) {
		// The latest the server negotiates (Lifecycle § Version Negotiation, quoted above).
		v = s.legacy[0]
	}
	if r.sess != nil {
		if r.sess.state.Load() != nil {
			return nil, rpc.NewError(rpc.CodeInvalidRequest, "Invalid Request: session already initialized")
		}
		r.sess.state.Store(&SessionState{ProtocolVersion: v, ClientInfo: p.ClientInfo, ClientCapabilities: p.Capabilities})
	}
	return s.initializeResult(v, r.sess != nil)
}

// initializeResult returns the encoded InitializeResult for version v, for a transport with a
// session or without (stateless HTTP, which tells by handing in an [Inbound] without one). It
// depends only on the registry's shape, so it is encoded once per version and mode and kept
// until the registry changes.
func (s *Server) initializeResult(v string, withSession bool) (json.RawMessage, error) {
	key := initKey{version: v, withSession: withSession}
	gen := s.regGen.Load()
	if cache := s.initCache.Load(); cache != nil && cache.gen == gen {
		if raw, ok := cache.results[key]; ok {
			return raw, nil
		}
	}
	res := (&InitializeResult{
		ProtocolVersion: v,
		Capabilities:    s.capabilities(withSession),
		ServerInfo:      s.impl,
		Instructions:    s.opts.Instructions,
	}).downgrade(v)
	raw, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	for {
		old := s.initCache.Load()
		next := &initCache{gen: gen, results: map[initKey]json.RawMessage{key: raw}}
		if old != nil && old.gen == gen {
			for k, r := range old.results {
				next.results[k] = r
			}
		}
		if s.regGen.Load() != gen || s.initCache.CompareAndSwap(old, next) {
			// A registration since we began: answer, but do not cache what may be stale.
			return raw, nil
		}
	}
}

// initKey names one cached InitializeResult.
type initKey struct {
	version     string
	withSession bool
}

// initCache holds encoded InitializeResults of one registry generation.
type initCache struct {
	gen     uint64
	results map[initKey]json.RawMessage
}

// setLevel handles logging/setLevel (MCP 2025-11-25, Server § Logging). The result is exactly
// {}: clients and the conformance suite reject anything else.
func (s *Server) setLevel(r *Request) (any, error) {
	var p SetLevelParams
	if err := unmarshalParams(r.Params, &p); err != nil {
		return nil, err
	}
	lvl, err := ParseLoggingLevel(string(p.Level))
	if err != nil {
		return nil, rpc.InvalidParams("logging/setLevel: %v", err)
	}
	if r.sess != nil {
		r.sess.updateState(func(st *SessionState) { st.LogLevel = lvl })
	}
	return json.RawMessage(`{}`), nil
}

// unmarshalParams decodes params into v, answering -32602 with a message that names the
// offending member. Absent params decode as {}.
// onceMembers refuses params that give a member of names more than once, names that differ
// only in case counting as the same (the params decoders match them case-insensitively).
// These members say what a request acts on, and its readers would disagree: the Streamable
// HTTP transport checks the Mcp-Name header against the first exact "name" or "uri" (MCP
// 2026-07-28, Transports § Streamable HTTP, Standard Request Headers), a decoder takes the
// last, and the requestState digest sees them all; as rpc refuses a duplicate id or method
// (RFC 8259 §4: with duplicate names "the behavior of software that receives such an object is
// unpredictable").
//
// A member spelt in another case alone ("URI") is refused too: the transport, matching
// exactly, would find no member to check the header against while the decoder read it, so
// Mcp-Name: file:///public could read file:///secret.
func onceMembers(method string, params []byte, names ...string) error {
	var (
		seen    [2]bool
		dup     string
		spelled [2]string // a spelling in another case, "" for none
	)
	_ = jsontext.EachMemberValid(params, func(k, _ []byte) bool {
		for i, n := range names {
			if strings.EqualFold(string(k), n) {
				if seen[i] {
					dup = n
					return false
				}
				seen[i] = true
				if string(k) != n {
					spelled[i] = string(k)
				}
			}
		}
		return true
	})
	if dup != "" {
		return rpc.InvalidParams("%s: %q given twice (names that differ only in case are the same name)", method, dup)
	}
	for i, k := range spelled {
		if k != "" {
			return rpc.InvalidParams("%s: %q is spelt %q: member names are case-sensitive", method, names[i], k)
		}
	}
	return nil
}

func unmarshalParams(params json.RawMessage, v any) error {
	if len(params) == 0 {
		return nil
	}
	if params[0] != '{' {
		return rpc.InvalidParams("params must be an object")
	}
	if err := json.Unmarshal(params, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return rpc.InvalidParams("%q must be of type %s, got %s", te.Field, jsonKind(te.Type), te.Value)
		}
		return rpc.InvalidParams("%v", err)
	}
	return nil
}

// jsonKind names the JSON type a Go type is decoded from, for error messages.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}

// notifyAll sends a server-initiated notification to every initialized session that accepts
// it.
func (s *Server) notifyAll(ctx context.Context, method string, params any, accept func(*Session) bool) {
	_ = s.broadcast(ctx, method, params, accept)
}

// broadcast is notifyAll reporting params that cannot be encoded.
func (s *Server) broadcast(ctx context.Context, method string, params any, accept func(*Session) bool) error {
	raw, err := encodeParams(params)
	if err != nil {
		return fmt.Errorf("mcp: encoding %s params: %w", method, err)
	}
	msg := rpc.AppendRequest(nil, rpc.ID{}, method, raw)
	s.sessMu.Lock()
	targets := make([]*Session, 0, len(s.sessions))
	for ss := range s.sessions {
		if ss.state.Load() != nil && (accept == nil || accept(ss)) {
			targets = append(targets, ss)
		}
	}
	s.sessMu.Unlock()
	for _, ss := range targets {
		if err := ss.send(ctx, msg); err != nil {
			s.logger().WarnContext(ctx, "mcp: notification not delivered", "method", method, "session", ss.id, "err", err)
		}
	}
	return nil
}

// encodeParams encodes a notification's params; nil means none (JSON-RPC 2.0 §4.2: params,
// when present, are an object or an array, never null).
func encodeParams(params any) (json.RawMessage, error) {
	if params == nil {
		return nil, nil
	}
	return rpc.EncodeResult(params)
}

func (s *Server) forgetSession(ss *Session) {
	s.sessMu.Lock()
	delete(s.sessions, ss)
	s.sessMu.Unlock()
}

// SessionCount returns the number of live sessions.
func (s *Server) SessionCount() int {
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	return len(s.sessions)
}
