package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// DefaultShutdownTimeout is how long Close waits for a command to exit after closing its
// stdin, and again after SIGTERM, when [CommandOptions].ShutdownTimeout is zero.
const DefaultShutdownTimeout = 5 * time.Second

// CommandOptions configures [ConnectCommand] beyond [Options].
type CommandOptions struct {
	// ShutdownTimeout is how long Close waits for the process to exit once its stdin is
	// closed, and again after SIGTERM, before SIGKILL. If zero, [DefaultShutdownTimeout].
	ShutdownTimeout time.Duration
}

// ConnectCommand starts cmd and connects to it over stdio (MCP 2025-11-25, Transports §
// stdio): the client writes to its stdin and reads its stdout; cmd.Stderr is left as the
// caller set it (nil discards the server's logs). cmd must not have been started, nor have
// Stdin or Stdout set.
//
// Close ends the process the way Basic § Lifecycle, Shutdown asks of a stdio client: it
// closes stdin, waits for the process to exit, then sends SIGTERM, then SIGKILL, each after
// copts.ShutdownTimeout, and reaps it. If connecting fails, the process is ended the same
// way before ConnectCommand returns.
func ConnectCommand(ctx context.Context, cmd *exec.Cmd, opts *Options, copts *CommandOptions) (*Client, error) {
	grace := DefaultShutdownTimeout
	if copts != nil && copts.ShutdownTimeout > 0 {
		grace = copts.ShutdownTimeout
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		stdin.Close()
		return nil, fmt.Errorf("client: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("client: starting %s: %w", cmd.Path, err)
	}
	closeFn := func(readerDone <-chan struct{}) error {
		stdin.Close()
		if !waitFor(readerDone, grace) {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			if !waitFor(readerDone, grace) {
				_ = cmd.Process.Kill()
			}
		}
		<-readerDone
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil // the server's exit status is its own affair once the client is done
		}
		return err
	}
	return connectLines(ctx, stdout, stdin, closeFn, opts)
}

// waitFor reports whether done is closed within d.
func waitFor(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// ConnectIO connects over rwc, a stream of newline-delimited JSON-RPC messages (the stdio
// transport's framing) such as a pipe or a socket to a server. Close closes rwc, which must
// make a Read in progress return (pipes and sockets do), and waits for the reading goroutine.
func ConnectIO(ctx context.Context, rwc io.ReadWriteCloser, opts *Options) (*Client, error) {
	closeFn := func(readerDone <-chan struct{}) error {
		err := rwc.Close()
		<-readerDone
		return err
	}
	return connectLines(ctx, rwc, rwc, closeFn, opts)
}

// ConnectInMemory serves srv in memory (server.InMemory) and connects to it: the way to test a
// server in the same process, with every message going through the stdio transport's
// encoding and the server's dispatch as in production. Close ends the server's side and waits
// for its goroutines.
func ConnectInMemory(ctx context.Context, srv *mcp.Server, opts *Options) (*Client, error) {
	conn, wait := server.InMemory(context.WithoutCancel(ctx), srv, nil)
	closeFn := func(readerDone <-chan struct{}) error {
		err := conn.Close()
		<-readerDone
		if werr := wait(); werr != nil && !errors.Is(werr, context.Canceled) && !errors.Is(werr, io.EOF) {
			return werr
		}
		return err
	}
	return connectLines(ctx, conn, conn, closeFn, opts)
}

// connectLines runs a client over newline-delimited JSON-RPC.
func connectLines(ctx context.Context, r io.Reader, w io.Writer, closeFn func(<-chan struct{}) error, opts *Options) (*Client, error) {
	lc := &lineConn{w: w, closeFn: closeFn}
	t := newStreamTransport(lc, true)
	c := newClient(t, opts)
	lc.max = c.opts.MaxMessageBytes
	lc.r = bufio.NewReaderSize(r, 64<<10)
	t.c = c
	t.start()
	return c.start(ctx)
}

// start connects c, closing it if that fails.
func (c *Client) start(ctx context.Context) (*Client, error) {
	if err := c.connect(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}
