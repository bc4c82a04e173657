package mcp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/minimcp/minimcp/rpc"
)

// DefaultStreamConcurrency bounds how many requests [Server.ServeStream] handles at once when
// not told otherwise.
const DefaultStreamConcurrency = 16

// StreamOptions configures [Server.ServeStream]. A nil *StreamOptions means defaults.
type StreamOptions struct {
	// Limits bounds each line; the zero value means rpc's defaults.
	Limits rpc.Limits
	// Concurrency bounds the requests handled at once. If zero, [DefaultStreamConcurrency].
	// Responses and notifications from the client are handled as they arrive, outside the
	// bound, so a handler waiting for the client's reply never blocks it.
	Concurrency int
	// Principal is the authenticated caller of the whole stream, "" for none.
	Principal string
}

// ServeStream serves one client over a stream of newline-delimited JSON-RPC messages: the
// stdio transport (MCP 2025-11-25, Transports § stdio: "Messages are delimited by newlines,
// and MUST NOT contain embedded newlines") and the in-memory transport of [NewInMemory].
//
// The stream is one session. Requests are handled concurrently, up to the bound; batches are
// accepted when the negotiated version is 2025-03-26 (MCP 2025-03-26, Transports § stdio).
// ServeStream returns nil at EOF, once every request it started has been answered, or the
// error that stopped reading or writing. Cancelling ctx cancels the handlers; to stop a
// ServeStream blocked in a read, close r.
func (s *Server) ServeStream(ctx context.Context, r io.Reader, w io.Writer, opts *StreamOptions) error {
	var o StreamOptions
	if opts != nil {
		o = *opts
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultStreamConcurrency
	}
	maxLine := o.Limits.MaxMessageBytes
	if maxLine <= 0 {
		maxLine = rpc.DefaultMaxMessageBytes
	}
	out := &lineWriter{w: w}
	sess := s.NewSession("")
	sess.SetPush(out)
	defer sess.Close()
	in := &Inbound{Session: sess, Principal: o.Principal, Out: out}

	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, o.Concurrency) // tokens for request goroutines; never closed

	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := readLine(br, maxLine)
		if errors.Is(err, errLineTooLong) {
			out.reply(ctx, &rpc.Response{ID: rpc.NullID, Error: rpc.Errorf(rpc.CodeInvalidRequest,
				"Invalid Request: message exceeds the limit of %d bytes", maxLine)})
			continue
		}
		if len(bytes.TrimSpace(line)) > 0 {
			s.serveLine(ctx, in, out, line, o, sem, &wg)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out.err()
			}
			return err
		}
		if werr := out.err(); werr != nil {
			return werr
		}
	}
}

// serveLine decodes one line and hands its messages to the server.
func (s *Server) serveLine(ctx context.Context, in *Inbound, out *lineWriter, line []byte, o StreamOptions, sem chan struct{}, wg *sync.WaitGroup) {
	msgs, batch, derr := rpc.Decode(nil, line, o.Limits)
	if derr != nil {
		out.reply(ctx, &rpc.Response{ID: rpc.NullID, Error: derr})
		return
	}
	if batch {
		st := in.Session.State()
		if st == nil || st.ProtocolVersion != Version20250326 {
			// JSON-RPC batches exist only in revision 2025-03-26 (MCP 2025-06-18 changelog:
			// "Remove support for JSON-RPC batching").
			v := "none negotiated yet"
			if st != nil {
				v = st.ProtocolVersion
			}
			out.reply(ctx, &rpc.Response{ID: rpc.NullID, Error: rpc.Errorf(rpc.CodeInvalidRequest,
				"Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26 (this session: %s)", v)})
			return
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			replies := s.HandleBatch(ctx, in, msgs)
			if len(replies) > 0 {
				out.write(ctx, rpc.AppendBatch(nil, replies))
			}
		})
		return
	}
	m := &msgs[0]
	if m.Kind != rpc.KindRequest || m.Method == MethodInitialize {
		// initialize is answered before the next line is read, so a client that pipelines
		// its first requests behind it finds the session initialized (MCP 2025-11-25, Basic §
		// Lifecycle: "The initialization phase MUST be the first interaction").
		// Responses, notifications and invalid messages are handled at once, too.
		if resp, ok := s.Handle(ctx, in, m); ok {
			out.reply(ctx, &resp)
		}
		return
	}
	sem <- struct{}{}
	wg.Go(func() {
		defer func() { <-sem }()
		if resp, ok := s.Handle(ctx, in, m); ok {
			out.reply(ctx, &resp)
		}
	})
}

var errLineTooLong = errors.New("mcp: line too long")

// readLine returns the next line without its newline, a private copy. A line longer than max
// is skipped whole and reported as errLineTooLong.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > max+2 {
			// Drop the rest of this line.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errLineTooLong
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), err
	}
}

// lineWriter writes newline-delimited messages, one at a time. It remembers the first write
// error; later writes are dropped.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
	// failed is the first write error; guarded by mu.
	failed error
}

// Send implements [Sender].
func (lw *lineWriter) Send(_ context.Context, msg []byte) error {
	if bytes.ContainsAny(msg, "\n\r") {
		// Our encoder never produces raw newlines; guard the framing anyway.
		return fmt.Errorf("mcp: message contains a newline")
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.failed != nil {
		return lw.failed
	}
	buf := rpc.GetBuffer()
	*buf = append(append(*buf, msg...), '\n')
	_, err := lw.w.Write(*buf)
	rpc.PutBuffer(buf)
	if err != nil {
		lw.failed = err
	}
	return err
}

func (lw *lineWriter) write(ctx context.Context, msg []byte) { _ = lw.Send(ctx, msg) }

func (lw *lineWriter) reply(ctx context.Context, r *rpc.Response) {
	buf := rpc.GetBuffer()
	*buf = rpc.AppendResponse(*buf, r)
	lw.write(ctx, *buf)
	rpc.PutBuffer(buf)
}

func (lw *lineWriter) err() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.failed
}

// InMemory connects a client to the server through two in-memory pipes and serves it with
// [Server.ServeStream] on a goroutine it owns. The client writes newline-delimited JSON-RPC to
// the returned conn and reads the server's lines from it. Closing the conn ends the session;
// wait then returns ServeStream's result once every goroutine has exited.
func (s *Server) InMemory(ctx context.Context, opts *StreamOptions) (conn io.ReadWriteCloser, wait func() error) {
	clientR, serverW := io.Pipe()
	serverR, clientW := io.Pipe()
	done := make(chan error, 1) // receives ServeStream's result; never closed
	go func() {
		err := s.ServeStream(ctx, serverR, serverW, opts)
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
