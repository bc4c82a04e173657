package mcp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
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
// Every message goes out on one line, raw JSON spanning lines included. A message that cannot
// be written is logged (ServerOptions.Logger), and a response that cannot be encoded is
// replaced by a -32603 error for its request, so that no client waits for a lost answer.
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
	out := &lineWriter{w: w, logger: s.logger}
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
			if replies := s.HandleBatch(ctx, in, msgs); len(replies) > 0 {
				out.replyBatch(ctx, replies)
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

// lineWriter writes newline-delimited messages, one at a time. It never drops a message
// silently: one that cannot be sent is logged, and a response that cannot be sent is answered
// with -32603 instead while the stream works. It remembers the first write error; later writes
// fail with it (and are logged too).
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
	// logger returns where lost messages are reported.
	logger func() *slog.Logger
	// failed is the first write error; guarded by mu.
	failed error
}

// errMultiLine is the error of a message that spans lines and cannot be compacted onto one.
var errMultiLine = errors.New("mcp: message spans lines and is not valid JSON")

// Send implements [Sender]. A message that spans lines (raw JSON from a handler, written as
// indented) is compacted onto one line: MCP 2025-11-25, Transports § stdio: "Messages are
// delimited by newlines, and MUST NOT contain embedded newlines". Our encoders already write
// one line; this is the last guard of the framing.
func (lw *lineWriter) Send(ctx context.Context, msg []byte) error { return lw.send(ctx, msg, nil) }

// send is Send; id, if not nil, names the message in the log when it is lost (otherwise the
// message is read for its id or method).
func (lw *lineWriter) send(ctx context.Context, msg []byte, id *rpc.ID) error {
	if hasNewline(msg) {
		if !json.Valid(msg) {
			lw.lost(ctx, msg, id, errMultiLine)
			return errMultiLine
		}
		buf := rpc.GetBuffer()
		defer rpc.PutBuffer(buf)
		*buf = appendCompact(*buf, msg)
		msg = *buf
	}
	lw.mu.Lock()
	err := lw.failed
	if err == nil {
		buf := rpc.GetBuffer()
		*buf = append(append(*buf, msg...), '\n')
		_, err = lw.w.Write(*buf)
		rpc.PutBuffer(buf)
		lw.failed = err
	}
	lw.mu.Unlock()
	if err != nil {
		lw.lost(ctx, msg, id, err)
	}
	return err
}

// lost logs a message that was not sent, naming it by its id or method.
func (lw *lineWriter) lost(ctx context.Context, msg []byte, id *rpc.ID, err error) {
	attrs := make([]any, 0, 6)
	if id != nil {
		attrs = append(attrs, "id", id.String())
	} else {
		_ = jsontext.EachMember(msg, func(k, v []byte) bool {
			switch string(k) {
			case "id":
				attrs = append(attrs, "id", string(v))
			case "method":
				if m, ok := jsontext.Unquote(v); ok {
					attrs = append(attrs, "method", m)
				}
			}
			return true
		})
	}
	if len(msg) > 0 && msg[0] == '[' {
		attrs = append(attrs, "batch", true)
	}
	lw.logger().ErrorContext(ctx, "mcp: message not sent", append(attrs, "err", err)...)
}

// reply sends a response. If it cannot be sent while the stream works (its result is not
// valid JSON), the request is answered with -32603 all the same: a client must not wait
// forever for an answer that was lost.
func (lw *lineWriter) reply(ctx context.Context, r *rpc.Response) {
	buf := rpc.GetBuffer()
	*buf = rpc.AppendResponse(*buf, r)
	err := lw.send(ctx, *buf, &r.ID)
	rpc.PutBuffer(buf)
	if err != nil && r.Error == nil && lw.err() == nil {
		lw.reply(ctx, &rpc.Response{ID: r.ID, Error: unsent(err)})
	}
}

// replyBatch sends the replies to a batch as one message; as for reply, a member that cannot be
// sent is replaced by -32603.
func (lw *lineWriter) replyBatch(ctx context.Context, replies []rpc.Response) {
	buf := rpc.GetBuffer()
	*buf = rpc.AppendBatch(*buf, replies)
	err := lw.Send(ctx, *buf)
	rpc.PutBuffer(buf)
	if err == nil || lw.err() != nil {
		return
	}
	fixed := make([]rpc.Response, len(replies))
	for i, r := range replies {
		if r.Error == nil && len(r.Result) > 0 && !json.Valid(r.Result) {
			r = rpc.Response{ID: r.ID, Error: unsent(errMultiLine)}
		}
		fixed[i] = r
	}
	buf = rpc.GetBuffer()
	*buf = rpc.AppendBatch(*buf, fixed)
	_ = lw.Send(ctx, *buf)
	rpc.PutBuffer(buf)
}

// unsent is the error that answers a request whose response could not be sent.
func unsent(err error) *rpc.Error {
	return rpc.NewError(rpc.CodeInternalError, "Internal error: the response could not be sent: "+err.Error())
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
