package server

import (
	"context"
	"io"

	"github.com/minimcp/minimcp/mcp"
)

// InMemory connects a client to srv through two in-memory pipes and serves it with
// [ServeStdio] on a goroutine it owns. The client writes newline-delimited JSON-RPC to
// the returned conn and reads the server's lines from it. Closing the conn ends the session;
// wait then returns ServeStdio's result once every goroutine has exited.
func InMemory(ctx context.Context, srv *mcp.Server, opts *StdioOptions) (conn io.ReadWriteCloser, wait func() error) {
	clientR, serverW := io.Pipe()
	serverR, clientW := io.Pipe()
	done := make(chan error, 1) // receives ServeStdio's result; never closed
	go func() {
		err := ServeStdio(ctx, srv, serverR, serverW, opts)
		serverW.CloseWithError(io.EOF)
		serverR.Close()
		done <- err
	}()
	return &pipeConn{r: clientR, w: clientW}, func() error { return <-done }
}

// pipeConn is the client's end of an in-memory connection.
type pipeConn struct {
	r *io.PipeReader
	w *io.PipeWriter
}

func (c *pipeConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *pipeConn) Write(p []byte) (int, error) { return c.w.Write(p) }

// Close ends the client's side: the server sees EOF, and reads return io.EOF.
func (c *pipeConn) Close() error {
	c.w.Close()
	return c.r.Close()
}
