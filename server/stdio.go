package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// DefaultStdioConcurrency bounds how many requests [ServeStdio] handles at once when not told
// otherwise.
const DefaultStdioConcurrency = 16

// StdioOptions configures [ServeStdio] and [InMemory]. A nil *StdioOptions means defaults.
type StdioOptions struct {
	// Limits bounds each line; the zero value means rpc's defaults.
	Limits rpc.Limits
	// Concurrency bounds the requests handled at once. If zero, [DefaultStdioConcurrency].
	// As many more may wait for a slot without stopping the reading of the stream; responses
	// and notifications from the client are handled as they arrive, outside the bound, so a
	// handler waiting for the client's reply never blocks it.
	Concurrency int
	// Principal is the authenticated caller of the whole stream, "" for none.
	Principal string
	// Auth, if set, is what the embedder established about the caller of the whole stream
	// (MCP 2025-11-25, Basic § Authorization: stdio implementations "retrieve credentials from
	// the environment"): handlers see it ([mcp.Request.Auth]) and the scopes of tools, prompts
	// and resources are checked against it, a missing one answered with
	// [mcp.CodeInsufficientScope]. Its Principal is used when Principal is empty.
	Auth *mcp.AuthInfo
	// MaxListens bounds the subscriptions/listen streams (MCP 2026-07-28) open at once on the
	// stream; a listen beyond it gets -32000. They run outside Concurrency. If zero,
	// [DefaultStdioMaxListens].
	MaxListens int
}

// ServeStdio serves srv to one client over newline-delimited JSON-RPC on in and out (MCP
// 2025-11-25, Transports § stdio: "The server reads JSON-RPC messages from its standard input
// (stdin) and sends messages to its standard output (stdout)"; "The server MUST NOT write
// anything to its stdout that is not a valid MCP message"; "Messages are delimited by
// newlines, and MUST NOT contain embedded newlines"). Logs belong on stderr. It serves the
// in-memory transport of [InMemory] too.
//
// The stream is one session. Requests are handled concurrently, up to opts.Concurrency;
// batches are accepted in a session that negotiated 2025-03-26 (MCP 2025-03-26, Transports §
// stdio). Every message goes out on one line, raw JSON written on several lines included; a
// message that cannot be written is logged to the server's logger
// (mcp.ServerOptions.Logger), and a response that cannot be encoded is replaced by a -32603
// error for its request, so that no client waits for a lost answer. ServeStdio returns nil
// when in reaches EOF, once every request it started has been answered, or the error that
// stopped reading or writing. Cancelling ctx cancels the handlers; to stop a ServeStdio
// blocked in a read, close in.
func ServeStdio(ctx context.Context, srv *mcp.Server, in io.Reader, out io.Writer, opts *StdioOptions) error {
	var o StdioOptions
	if opts != nil {
		o = *opts
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultStdioConcurrency
	}
	if o.MaxListens <= 0 {
		o.MaxListens = DefaultStdioMaxListens
	}
	if o.Principal == "" && o.Auth != nil {
		o.Principal = o.Auth.Principal
	}
	maxLine := o.Limits.MaxMessageBytes
	if maxLine <= 0 {
		maxLine = rpc.DefaultMaxMessageBytes
	}
	lw := &lineWriter{w: out, logger: func() *slog.Logger {
		if l := srv.Options().Logger; l != nil {
			return l
		}
		return slog.Default()
	}}
	sess := srv.NewSession("")
	sess.SetPush(lw)
	defer sess.Close()
	st := &stdio{
		x:   newExchange(srv, o.Limits),
		in:  mcp.Inbound{Session: sess, Principal: o.Principal, Auth: o.Auth, Out: lw},
		out: lw,
		sem: make(chan struct{}, o.Concurrency),
		// As many requests may wait as may run: the lines held stay bounded.
		waiting: make(chan struct{}, o.Concurrency),
		listens: stdioListens{max: o.MaxListens},
	}
	defer st.wg.Wait()
	// Before the wait: a listen lasts until it is ended.
	defer st.endListens(errInputClosed)

	br := bufio.NewReaderSize(in, 64<<10)
	for {
		line, err := readLine(br, maxLine)
		if errors.Is(err, errLineTooLong) {
			lw.reply(ctx, &rpc.Response{ID: rpc.NullID, Error: rpc.Errorf(rpc.CodeInvalidRequest,
				"Invalid Request: message exceeds the limit of %d bytes", maxLine)})
			continue
		}
		if len(bytes.TrimSpace(line)) > 0 {
			st.serveLine(ctx, line)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return lw.err()
			}
			return err
		}
		if werr := lw.err(); werr != nil {
			return werr
		}
	}
}

// stdio is one stream being served by [ServeStdio].
type stdio struct {
	x   exchange
	in  mcp.Inbound
	out *lineWriter
	// sem holds a token per request goroutine running; never closed.
	sem chan struct{}
	// waiting holds a token per request waiting for a slot in sem; never closed.
	waiting chan struct{}
	// wg counts the request goroutines; ServeStdio waits for them.
	wg sync.WaitGroup

	// mu guards modern.
	mu sync.Mutex
	// modern maps the raw ids of the modern-era requests in flight to their calls, for
	// notifications/cancelled (see serveModern).
	modern map[string]*modernCall
	// listens are the open subscriptions/listen streams.
	listens stdioListens
}

// modernCall is a modern-era request in flight on stdio.
type modernCall struct {
	cancel context.CancelCauseFunc
	// cancelled is set when the client cancelled the request; its reply is then dropped.
	cancelled atomic.Bool
}

// errModernCancelled is the cause of a modern request's context when the client cancelled it.
type errModernCancelled struct{ reason string }

func (e *errModernCancelled) Error() string {
	if e.reason == "" {
		return "server: request cancelled by the client"
	}
	return "server: request cancelled by the client: " + e.reason
}

// serveLine serves the messages of one line.
func (st *stdio) serveLine(ctx context.Context, line []byte) {
	f, derr := st.x.decode(nil, line)
	if derr == nil && f.batch {
		derr = batchError(negotiated(st.in.Session), true)
	}
	if derr != nil {
		st.out.reply(ctx, &rpc.Response{ID: rpc.NullID, Error: derr})
		return
	}
	if m := &f.msgs[0]; !f.batch && m.Kind == rpc.KindNotification && m.Method == mcp.NotificationCancelled {
		// It may name a subscriptions/listen, whichever era its _meta claims (MCP 2026-07-28,
		// Basic § Subscriptions, Cancellation: the client sends "notifications/cancelled
		// referencing the subscriptions/listen request ID (stdio)").
		st.cancelListen(m.Params)
	}
	if st.cancelModern(&f) {
		return
	}
	if f.era == eraModern {
		st.serveModern(ctx, f)
		return
	}
	if !f.batch && (f.msgs[0].Kind != rpc.KindRequest || f.isInitialize()) {
		// initialize is answered before the next line is read, so a client that pipelines
		// its first requests behind it finds the session initialized (MCP 2025-11-25, Basic §
		// Lifecycle: "The initialization phase MUST be the first interaction").
		// Responses, notifications and invalid messages are handled at once, too.
		st.answer(ctx, f)
		return
	}
	st.run(func() { st.answer(ctx, f) })
}

// run runs a request's handling on a goroutine of its own once a slot in sem is free. While
// every slot is taken the request waits on its goroutine, not on the read loop: the next line
// may be the reply that a running handler waits for (sampling, elicitation, roots), and a
// loop blocked on a slot would never read it, so the handlers holding every slot would wait
// until their client request timed out. Only when as many requests wait as may run does the
// loop block, which bounds the lines held.
//
// Requests start in the order they arrive: one takes a free slot at once only when none is
// waiting, and a waiting one gives its waiting token back only once it holds a slot (senders
// blocked on a channel are served first come, first served). With Concurrency 1 they are
// therefore handled one at a time, in order.
func (st *stdio) run(handle func()) {
	if len(st.waiting) == 0 { // only this loop adds waiters
		select {
		case st.sem <- struct{}{}:
			st.wg.Go(func() {
				defer func() { <-st.sem }()
				handle()
			})
			return
		default:
		}
	}
	st.waiting <- struct{}{}
	st.wg.Go(func() {
		st.sem <- struct{}{}
		<-st.waiting
		defer func() { <-st.sem }()
		handle()
	})
}

// serveModern serves a line whose message is in the modern era (see the exchange's design
// note): with no session, whether or not the stream opened one with initialize (MCP
// 2026-07-28, Transports § stdio, Backward Compatibility: a dual-era client probes with
// server/discover "before sending any other request"; Basic § Versioning: "A dual-era server
// MAY serve both eras concurrently on the same endpoint or process"). The checks are the
// modern ladder's, without the headers stdio does not have; a request runs on a goroutine of
// its own, as in the session era.
func (st *stdio) serveModern(ctx context.Context, f frame) {
	m := &f.msgs[0]
	if e := modernLadder(st.x.srv, m, f.claim, nil); e != nil {
		if m.Kind == rpc.KindRequest {
			st.out.reply(ctx, &rpc.Response{ID: m.ID, Error: e})
		}
		return
	}
	in := &mcp.Inbound{ProtocolVersion: f.claim.version, Principal: st.in.Principal, Auth: st.in.Auth, Out: st.out, Meta: f.claim.meta}
	if m.Kind != rpc.KindRequest {
		st.x.deliver(ctx, in, f)
		return
	}
	if m.Method == mcp.MethodSubscriptionsListen {
		st.listen(ctx, in, f)
		return
	}
	// Registered before the next line is read, so that a notifications/cancelled right
	// behind the request finds it.
	key := m.ID.String()
	rctx, cancel := context.WithCancelCause(ctx)
	c := &modernCall{cancel: cancel}
	st.mu.Lock()
	if st.modern == nil {
		st.modern = make(map[string]*modernCall)
	}
	st.modern[key] = c // a repeated id: the later request is the one a cancellation names
	st.mu.Unlock()
	st.run(func() {
		defer func() {
			st.mu.Lock()
			if st.modern[key] == c {
				delete(st.modern, key)
			}
			st.mu.Unlock()
			cancel(nil)
		}()
		var one [1]rpc.Response
		replies := st.x.dispatch(rctx, in, f, one[:0])
		if len(replies) > 0 && !c.cancelled.Load() {
			st.out.reply(ctx, &replies[0])
		}
	})
}

// cancelModern acts on a notifications/cancelled in f that names a modern-era request in
// flight, and reports whether it did (MCP 2026-07-28, Basic § Cancellation, Transport-Specific
// Cancellation: "stdio: There is no per-request stream to close. The client MUST send a
// notifications/cancelled notification referencing the request ID"). The request's context is
// cancelled and its reply dropped: receivers SHOULD "Not send a response for the cancelled
// request". The notification carries no per-request _meta of its own (schema:
// NotificationParams), so it is looked at whatever era f was classified in; one that names no
// such request goes on to the session, whose requests it may name.
func (st *stdio) cancelModern(f *frame) bool {
	m := &f.msgs[0]
	if f.batch || m.Kind != rpc.KindNotification || m.Method != mcp.NotificationCancelled {
		return false
	}
	st.mu.Lock()
	n := len(st.modern)
	st.mu.Unlock()
	if n == 0 {
		return false
	}
	var p mcp.CancelledParams
	if json.Unmarshal(m.Params, &p) != nil {
		return false
	}
	id, ok := rpc.RawID(p.RequestID)
	if !ok {
		return false
	}
	st.mu.Lock()
	c := st.modern[id.String()]
	st.mu.Unlock()
	if c == nil {
		return false
	}
	c.cancelled.Store(true)
	c.cancel(&errModernCancelled{reason: p.Reason})
	return true
}

// answer dispatches the messages of f and writes their replies.
func (st *stdio) answer(ctx context.Context, f frame) { st.answerIn(ctx, &st.in, f) }

// answerIn dispatches the messages of f, received as in says, and writes their replies.
func (st *stdio) answerIn(ctx context.Context, in *mcp.Inbound, f frame) {
	var one [1]rpc.Response
	replies := st.x.dispatch(ctx, in, f, one[:0])
	switch {
	case len(replies) == 0:
	case f.batch:
		st.out.replyBatch(ctx, replies)
	default:
		st.out.reply(ctx, &replies[0])
	}
}

var errLineTooLong = errors.New("server: line too long")

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
