// Package conformance is the server `minimcp conformance` serves: every tool, resource,
// prompt, completion, task and skill the official MCP conformance suite
// (@modelcontextprotocol/conformance, server scenarios) calls, with the names, texts and
// shapes of the suite's reference "everything" server.
//
//	h, srv := conformance.New(&conformance.Options{Path: "/mcp"})
//	defer srv.Shutdown(context.Background())
//	defer h.Shutdown(context.Background())
//	http.ListenAndServe("127.0.0.1:8080", h)
//
// The command's flags and its listener stay in cmd/minimcp.
package conformance
