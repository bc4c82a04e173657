package server

import (
	"context"
	"io"

	"github.com/minimcp/minimcp/mcp"
)

// ServeStdio serves srv to one client over newline-delimited JSON-RPC on in and out (MCP
// 2025-11-25, Transports § stdio: "The server reads JSON-RPC messages from its standard input
// (stdin) and sends messages to its standard output (stdout)"; "The server MUST NOT write
// anything to its stdout that is not a valid MCP message"). Logs belong on stderr.
//
// Requests are handled concurrently up to opts.Concurrency; batches are accepted in sessions
// that negotiated 2025-03-26. Every message goes out on one line ("Messages are delimited by
// newlines, and MUST NOT contain embedded newlines"), raw JSON written on several lines
// included; a message that cannot be written is logged to the server's logger
// (mcp.ServerOptions.Logger), and a response that cannot be encoded is replaced by a -32603
// error for its request. ServeStdio returns nil when in reaches EOF and every request has been
// answered, or the error that stopped writing to out.
func ServeStdio(ctx context.Context, srv *mcp.Server, in io.Reader, out io.Writer, opts *mcp.StreamOptions) error {
	return srv.ServeStream(ctx, in, out, opts)
}
