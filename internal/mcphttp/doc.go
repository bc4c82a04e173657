// Package mcphttp is the small MCP client over Streamable HTTP that minimcp's client commands
// and its load generator share: one POST per message, replies read from JSON or SSE, a session
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
//	res, err := c.callTool(ctx, "echo", json.RawMessage(`{"text":"hi"}`))
//
// It declares no client capabilities and answers no server-to-client request; the public
// client package is the full client.
package mcphttp
