// Package mcphttp is the small MCP client over Streamable HTTP under minimcp's load generator
// (internal/loadgen), whose hot loop sends prepared requests on raw connections: one POST per message, replies read from JSON or SSE, a session
// from initialize or per-request 2026-07-28 calls after server/discover, and typed errors a
// load generator counts by kind ([ErrorKind]).
//
//	c, err := mcphttp.New("http://127.0.0.1:8080/mcp", nil)
//	if err != nil {
//		return err
//	}
//	if _, err := c.Connect(ctx, ""); err != nil { // the server's era: discover, else initialize
//		return err
//	}
//	defer c.Close(context.WithoutCancel(ctx))
//	res, _, err := c.Call(ctx, "tools/call", json.RawMessage(`{"name":"echo","arguments":{}}`))
//
// It declares no client capabilities and answers no server-to-client request; the client
// commands (tools, call, read, prompt) use the public client package, the full client.
package mcphttp
