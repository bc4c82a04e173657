// Package client is an MCP client: it connects to a server over Streamable HTTP, stdio (a
// command it spawns, or any stream), the legacy HTTP+SSE transport, or in memory, speaks both
// eras of the protocol (the 2025 revisions with initialize and sessions, and 2026-07-28 with
// everything per request), and offers typed calls for tools, resources, prompts, completion,
// logging and subscriptions.
//
//	c, err := client.Connect(ctx, "http://localhost:8080/mcp", nil)
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//	for tool, err := range c.Tools(ctx) {
//		...
//	}
//	res, err := c.CallTool(ctx, "echo", map[string]any{"text": "hi"})
//
// Specification: https://modelcontextprotocol.io/specification, cited as "MCP <rev>, <section>".
//
// # Eras
//
// Connect probes with server/discover and speaks 2026-07-28 when the server offers it, and
// initializes a session at the newest 2025 revision otherwise; [Options].ProtocolVersion pins
// either. The API is the same in both: [Client.ProtocolVersion] says which was chosen.
//
// # What the server asks
//
// [Options].CreateMessageHandler, ElicitationHandler and RootsHandler answer sampling,
// elicitation and roots, whether the server asks with a server-to-client request (2025
// sessions) or with an input-required result (2026-07-28, retried by the client with the
// answers). The caller of CallTool never sees the rounds.
//
// # Per call
//
// [WithProgress] asks for progress notifications; [WithTraceContext] propagates a W3C trace
// context. Cancelling a call's context cancels the request on the server: with
// notifications/cancelled in a 2025 session and on stdio, by closing its stream at 2026-07-28
// over HTTP. A 2025 session's stream that breaks is resumed with Last-Event-ID.
//
// # Testing a server
//
// [ConnectInMemory] connects to an *mcp.Server in the same process, through the stdio
// transport's framing and the server's dispatch, with nothing to listen on.
package client
