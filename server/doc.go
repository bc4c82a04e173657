// Package server carries MCP over HTTP and stdio: the Streamable HTTP transport (MCP
// revisions 2025-03-26 to 2025-11-25, "Basic § Transports"), in a stateful mode with sessions
// that expire and a per-request stateless mode that any replica can serve; the stdio
// transport; and the legacy HTTP+SSE transport of 2024-11-05. Streamable HTTP and stdio also
// serve revision 2026-07-28 on the same endpoint, in either mode: a request whose _meta
// claims it is checked (its _meta, then the MCP-Protocol-Version, Mcp-Method and Mcp-Name
// headers, then the version) and served without a session. Closing its answer's stream
// cancels it; over stdio, notifications/cancelled does. A GET or DELETE naming that revision
// gets 405 (the sessions of earlier revisions keep theirs); the HTTP+SSE transport refuses it
// with 400.
//
//	srv := mcp.NewServer(&mcp.Implementation{Name: "demo", Version: "1.0.0"}, nil)
//	mcp.AddTool(srv, &mcp.Tool{Name: "echo", Description: "Echoes."}, echo)
//	h := server.New(srv, nil) // stateful, 30-minute idle expiry, 10,000 sessions at most
//	ln, _ := net.Listen("tcp", "127.0.0.1:8080")
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	err := server.Serve(ctx, ln, h, nil) // drains h on SIGTERM, then closes the listener
//
// [Serve] also serves a mux that holds the handler beside other routes
// ([ServeOptions.Drain]).
//
// # Modes
//
// Stateful (the default) mints an Mcp-Session-Id on initialize; every later request must carry
// it. Sessions expire after [Options.SessionIdleTimeout] without a request in flight or an
// open stream; an expired, deleted or unknown id gets 404 and the client starts over. The
// number of live sessions is capped ([Options.MaxSessions]): initialize beyond it gets 503
// with Retry-After; with authentication, so is each principal's
// ([Options.MaxSessionsPerPrincipal]), with 429. An open GET stream keeps its session alive
// only while its writes go through. Behind several replicas, stateful mode needs affinity on Mcp-Session-Id,
// or a [SessionStore] and an [EventStore] shared by the replicas ([Options.Sessions]): then
// any replica serves a session's requests, a DELETE or expiry anywhere ends it everywhere,
// and it expires only when idle on every replica. With a [Relay] shared too ([Options.Relay];
// [MemoryRelay] for replicas in one process) no affinity is needed at all: the reply to a
// server-to-client request and a notifications/cancelled reach the replica where the call
// runs, a call's stream resumes live on any replica, and a DELETE closes the session's
// streams everywhere at once; with an [mcp.Bus] shared as well ([mcp.ServerOptions.Bus]),
// a list change or resource update made on any replica reaches each session that wants it
// once, through the replica holding its GET stream, whichever replica took its
// resources/subscribe (see the design note in relay.go).
//
// Stateless ([Options.Stateless]) keeps nothing between requests: every POST is complete in
// itself, any replica can serve any request, GET and DELETE get 405. Server-to-client
// requests (sampling, elicitation, roots) fail fast with a clear tool error, since the
// client's reply could reach any replica.
//
// # Responses
//
// By default a POST is answered with plain application/json, upgraded to text/event-stream
// only when the handler sends notifications or requests before its result and the client
// accepts SSE ([ResponseAuto]). SSE streams carry event ids, start with a priming event and a
// retry hint for 2025-11-25 clients, and get keep-alive comments while idle.
//
// # Long calls and polling
//
// With [Options.Polling], a handler may end the connection that carries its answer before
// its result ([mcp.Request.CloseStream]) and keep working; [Options.PollAfter] does it for
// every call still running after that long. The client, told when to come back by a retry
// hint, resumes with a GET carrying Last-Event-ID and receives the rest: what was sent while
// it was away is replayed, what follows arrives live (MCP 2025-11-25, Transports § Sending
// Messages to the Server; SEP-1699). Clients of earlier revisions keep their connection.
//
// # Authorization
//
// With [Options.Auth] the handler is an OAuth 2.1 resource server (MCP 2025-11-25, Basic §
// Authorization): a [TokenVerifier] checks the bearer token of every request against the
// canonical URI of the server (the audience, RFC 8707), the protected resource metadata (RFC
// 9728) is served at /.well-known/oauth-protected-resource (and that followed by the
// endpoint's path), a request without a valid token gets 401 with a challenge pointing to it,
// and one whose token lacks the scopes its tool, prompt or resource requires
// ([mcp.Tool.Scopes] and the like) gets 403 insufficient_scope before the handler runs.
// Handlers read the caller with [mcp.Request.Auth].
//
// # Observability
//
// [Metrics] counts requests by method and outcome and times them (its Middleware, in
// mcp.ServerOptions.Middleware, on every transport), and, set in [Options.Metrics], the
// requests a Handler refuses by reason, store errors, live sessions and open streams; it
// writes them in the Prometheus text format, at [Options.MetricsPath] beside /healthz or
// wherever it is mounted. The W3C traceparent, tracestate and baggage headers of a POST are
// the trace context of its messages unless their _meta carries one (mcp.Request.TraceContext,
// mcp.TraceContextFrom). mcp.AccessLog logs a line per request.
package server
