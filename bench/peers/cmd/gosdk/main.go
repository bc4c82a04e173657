// Command gosdk serves an echo tool with the official MCP Go SDK
// (github.com/modelcontextprotocol/go-sdk) over Streamable HTTP, configured as its docs advise
// for each mode.
//
//	gosdk -addr 127.0.0.1:8080 -mode stateless|stateful
//
// Stateless sets StreamableHTTPOptions.Stateless; both modes set JSONResponse, so answers are
// application/json as from every other server in bench/. Stateful sessions never expire
// (SessionTimeout zero, the SDK's default). It prints nothing but errors and serves until SIGINT
// or SIGTERM.
package main

import (
	"context"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/minimcp/minimcp/bench/peers/internal/serve"
)

// echoArgs are the echo tool's arguments.
type echoArgs struct {
	Text string `json:"text" jsonschema:"the text to echo"`
}

func echo(_ context.Context, _ *mcp.CallToolRequest, in echoArgs) (*mcp.CallToolResult, any, error) {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Text}}}, nil, nil
}

func main() {
	addr, stateful := serve.Flags("gosdk")
	srv := mcp.NewServer(&mcp.Implementation{Name: "gosdk-echo", Version: "1.0.0"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "echo", Description: "Echoes its text."}, echo)
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{
		Stateless:    !stateful,
		JSONResponse: true,
	})
	serve.Main("gosdk", addr, h)
}
