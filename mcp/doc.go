// Package mcp implements the Model Context Protocol on the server side, independent of any
// transport: the protocol types of revisions 2024-11-05, 2025-03-26, 2025-06-18 and
// 2025-11-25, and of 2026-07-28 beside them (per-request _meta, server/discover), a typed registry of tools, resources, prompts and completions, the lifecycle
// (initialize, version negotiation, capabilities), and the utilities (ping, logging, progress,
// cancellation, pagination, and requests to the client: sampling, elicitation, roots).
//
// Specification: https://modelcontextprotocol.io/specification (cited below as "MCP <rev>,
// <section>"); types follow schema/<rev>/schema.ts.
//
//	s := mcp.NewServer(&mcp.Implementation{Name: "weather", Version: "1.0.0"}, nil)
//	type In struct {
//		City string `json:"city" description:"city name"`
//	}
//	type Out struct {
//		TempC float64 `json:"tempC"`
//	}
//	mcp.AddTool(s, &mcp.Tool{Name: "forecast", Description: "Tomorrow's temperature."},
//		func(ctx context.Context, req *mcp.Request, in In) (Out, error) {
//			return Out{TempC: 18}, nil
//		})
//
// Serve it with package server: Streamable HTTP, stdio, legacy HTTP+SSE, or in memory
// (server.InMemory). This package holds the protocol and no transport: a transport hands each
// message it receives to [Server.Handle].
//
// # Per-request context
//
// Handlers receive a [*Request] carrying everything they may need: the negotiated protocol
// version, the client's info and capabilities, the log level, the authenticated principal,
// and ways to notify the client ([Request.Log], [Request.Progress]) and to ask it things
// ([Request.CreateMessage], [Request.Elicit], [Request.ListRoots]). None of it assumes a
// session: on stateless transports there is none, and the next revision of the protocol
// (2026-07-28) drops sessions altogether.
//
// # Outside a request
//
// [Server.Broadcast] and [Server.BroadcastLog] reach every session from anywhere (a background
// job, an admin endpoint), each session at its own log level. A handler that keeps its
// [Request.Session] can reach that client later: [Session.Notify], and
// [Session.ElicitationComplete] once a URL-mode elicitation has finished out of band.
// [ServerOptions.RootsListChanged] runs when a client's roots change.
//
// # Resource templates
//
// Resource templates are RFC 6570 URI templates of any level ("file:///{+path}{?rev}",
// "repo://{owner}{/path*}"); [URITemplate.Match] says how a URI read by a client binds their
// variables.
//
// # Tasks
//
// A tool that takes minutes declares [Tool.TaskSupport] and calls [Request.RunTask] (or is
// wrapped in [TaskHandler]): a 2026-07-28 client that declares the tasks extension
// ([TasksExtension]) then gets a task id at once, and polls tasks/get for the result, from any
// replica sharing the [TaskStore] of [ServerOptions.TaskStore]. [Server.Shutdown] stops the
// tasks a server runs.
//
// # Skills
//
// [Server.AddSkill] serves a skill (a directory of files with a SKILL.md, the Agent Skills
// format) through the skills extension ([SkillsExtension], SEP-2640): its files are resources
// under skill://, and a 2026-07-28 client lists the skills with skills/list, each with its
// frontmatter and the sha256 digest and size of every file, gets one with skills/get, and
// lists a directory with resources/directory/read.
//
// # Middleware
//
// [ServerOptions.Middleware] wraps the handling of every request and notification, on every
// transport and at every revision: a [Middleware] sees the method, what it acts on
// ([Request.Target]), the principal, the protocol version, the session, the trace context,
// and the result; it may time the call, refuse it, or put values in its context.
// [AccessLog] logs one line per call; [Outcome] classifies how one ended, for logs and
// metrics. Without middleware nothing is wrapped and nothing is spent.
//
// # Errors
//
// A tool that fails returns an error or a result with isError; the client's model sees it.
// Protocol errors are *rpc.Error values with the codes of package rpc and the MCP codes of
// this package ([CodeResourceNotFound]).
//
// # Revisions
//
// The server answers every supported revision. Fields a client's revision does not know
// (titles before 2025-06-18, structuredContent before 2025-06-18, audio content before
// 2025-03-26, …) are left out or converted when talking to it.
//
// Revision 2026-07-28 has no initialize and no session: a transport hands such a request in
// with no session and the version it claimed ([IsModernVersion]); it runs with the client's
// info, capabilities and log level from its own _meta, may call server/discover, not what the
// revision removed (ping, logging/setLevel, resources/subscribe), and its result carries
// resultType and the server's identity. The cacheable results carry cache hints, which promise
// nothing unless configured ([CacheHint]: [ServerOptions.DiscoverCache],
// [ServerOptions.ListCache], [Resource.Cache], [ResourceTemplate.Cache]). At every revision a
// handler finds the request's OpenTelemetry trace context in [Request.TraceContext] and
// [TraceContextFrom] (its _meta's, else the one its transport carried: [Inbound.Trace]).
// initialize still negotiates the 2025 revisions only.
package mcp
