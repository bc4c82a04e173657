// Command mcpgo serves an echo tool with mcp-go (github.com/mark3labs/mcp-go) over Streamable
// HTTP.
//
//	mcpgo -addr 127.0.0.1:8080 -mode stateless|stateful
//
// Stateless uses WithStateLess(true); stateful uses WithStateful(true), which keeps the session
// ids it issues and rejects unknown ones. mcp-go answers a POST with application/json unless the
// handler sends notifications first, so both modes answer echo with JSON, as every other server
// in bench/ does. It prints nothing but errors and serves until SIGINT or SIGTERM.
package main

import (
	"context"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/minimcp/minimcp/bench/peers/internal/serve"
)

func echo(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	text, err := req.RequireString("text")
	if err != nil {
		return mcp.NewToolResultError(err.Error()), nil
	}
	return mcp.NewToolResultText(text), nil
}

func main() {
	addr, stateful := serve.Flags("mcpgo")
	srv := server.NewMCPServer("mcpgo-echo", "1.0.0", server.WithToolCapabilities(false))
	srv.AddTool(mcp.NewTool("echo",
		mcp.WithDescription("Echoes its text."),
		mcp.WithString("text", mcp.Required(), mcp.Description("the text to echo")),
	), echo)
	opt := server.WithStateLess(true)
	if stateful {
		opt = server.WithStateful(true)
	}
	h := server.NewStreamableHTTPServer(srv, opt, server.WithDisableStreaming(!stateful))
	mux := http.NewServeMux()
	mux.Handle("/mcp", h)
	serve.Main("mcpgo", addr, mux)
}
