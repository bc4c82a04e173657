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
// that negotiated 2025-03-26. ServeStdio returns nil when in reaches EOF and every request has
// been answered.
func ServeStdio(ctx context.Context, srv *mcp.Server, in io.Reader, out io.Writer, opts *mcp.StreamOptions) error {
	return srv.ServeStream(ctx, in, out, opts)
}
