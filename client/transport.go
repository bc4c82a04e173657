package client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// transport carries the messages of one connection (see the design note in client.go).
type transport interface {
	// roundTrip sends r and returns the result of its response, or its JSON-RPC error as an
	// *rpc.Error. Notifications and requests the server sends meanwhile go to the client.
	// When ctx ends first the request is cancelled the way the era wants.
	roundTrip(ctx context.Context, r *request) (json.RawMessage, error)
	// notify sends the encoded notification msg; version is the protocol version in use.
	notify(ctx context.Context, msg []byte, version string) error
	// openStream keeps the 2025 session's stream of server messages open until ctx ends (the
	// GET stream on HTTP) and calls ready once it is open; an error of ready ends it. It
	// returns nil when ctx ends.
	openStream(ctx context.Context, ready func() error) error
	// modernCapable reports whether the transport carries per-request revisions (all but the
	// legacy HTTP+SSE one).
	modernCapable() bool
	// close ends the connection and waits for the transport's goroutines.
	close() error
}

// request is one request as the transport sends it.
type request struct {
	id     rpc.ID
	method string
	body   []byte // the encoded request
	// version is the MCP-Protocol-Version header, "" for none (initialize).
	version string
	// modern marks a request of a per-request revision: it gets the Mcp-Method and Mcp-Name
	// headers on HTTP, and is cancelled by closing its stream.
	modern bool
	name   string      // the Mcp-Name header, "" for none
	header http.Header // extra headers: Mcp-Param-*, trace context
}

// cancelTimeout bounds the notifications/cancelled a cancelled request sends.
const cancelTimeout = 5 * time.Second

// cancelledMessage returns the notifications/cancelled of the request with id (MCP 2025-11-25,
// Basic § Utilities, Cancellation).
func cancelledMessage(id rpc.ID, cause error) []byte {
	reason := "cancelled by the client"
	if cause != nil {
		reason = cause.Error()
	}
	p, _ := json.Marshal(&mcp.CancelledParams{RequestID: json.RawMessage(id.String()), Reason: reason})
	return rpc.AppendRequest(nil, rpc.ID{}, mcp.NotificationCancelled, p)
}

// msgConn is a duplex stream of JSON-RPC messages: stdio lines, in-memory pipes, or the legacy
// HTTP+SSE transport's event stream and POSTs.
type msgConn interface {
	// write sends one message; it is called by one goroutine at a time.
	write(ctx context.Context, msg []byte) error
	// read returns the next message; it is called by the reading goroutine alone, and returns
	// an error once the stream ends or close has been called.
	read() ([]byte, error)
	// close ends the stream, waits for readerDone (the reading goroutine's end), and releases
	// what the conn holds (a command's process).
	close(readerDone <-chan struct{}) error
}

// streamTransport runs the client's side of a msgConn: one goroutine reads every message and
// hands responses to the waiting calls, requests to the client's handlers (each on a goroutine
// of its own, so that a slow handler blocks nothing), notifications to the client.
type streamTransport struct {
	c      *Client
	conn   msgConn
	modern bool // whether per-request revisions may be sent on it

	wmu sync.Mutex // serializes conn.write

	mu sync.Mutex
	// pending maps the id of each request in flight to the channel its caller waits on (capacity
	// 1, never closed); guarded by mu.
	pending map[rpc.ID]chan rpc.Message
	// running maps the id of each server request being answered to its cancel; guarded by mu.
	running map[string]context.CancelFunc
	// err, once set, is why the stream ended; guarded by mu.
	err error

	done     chan struct{}  // closed by the reading goroutine when it exits
	handlers sync.WaitGroup // the goroutines answering server requests
}

// newStreamTransport starts reading conn. The caller sets t.c before any message can arrive
// (start is called after).
func newStreamTransport(conn msgConn, modern bool) *streamTransport {
	return &streamTransport{conn: conn, modern: modern, pending: map[rpc.ID]chan rpc.Message{},
		running: map[string]context.CancelFunc{}, done: make(chan struct{})}
}

// start starts the reading goroutine, owned by t and ended by close.
func (t *streamTransport) start() { go t.readLoop() }

func (t *streamTransport) modernCapable() bool { return t.modern }

func (t *streamTransport) readLoop() {
	defer close(t.done)
	lim := rpc.Limits{MaxMessageBytes: t.c.opts.MaxMessageBytes}
	for {
		data, err := t.conn.read()
		if err != nil {
			t.fail(err)
			return
		}
		msgs, _, derr := rpc.Decode(nil, data, lim)
		if derr != nil {
			continue // not JSON-RPC: a server that logs on stdout; nothing to answer
		}
		for i := range msgs {
			t.dispatch(&msgs[i])
		}
	}
}

// fail ends every call in flight with ErrClosed and err.
func (t *streamTransport) fail(err error) {
	t.mu.Lock()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
		err = ErrClosed
	} else {
		err = fmt.Errorf("%w: %w", ErrClosed, err)
	}
	t.err = err
	pending := t.pending
	t.pending = map[rpc.ID]chan rpc.Message{}
	t.mu.Unlock()
	for _, ch := range pending {
		ch <- rpc.Message{Kind: rpc.KindInvalid}
	}
}

func (t *streamTransport) dispatch(m *rpc.Message) {
	switch m.Kind {
	case rpc.KindResponse:
		t.mu.Lock()
		ch, ok := t.pending[m.ID]
		delete(t.pending, m.ID)
		t.mu.Unlock()
		if ok {
			ch <- *m
		}
	case rpc.KindRequest:
		ctx, cancel := context.WithCancel(t.c.ctx)
		key := m.ID.String()
		t.mu.Lock()
		t.running[key] = cancel
		t.mu.Unlock()
		t.handlers.Add(1)
		go func(m rpc.Message) {
			defer t.handlers.Done()
			resp := t.c.handleRequest(ctx, &m)
			t.mu.Lock()
			delete(t.running, key)
			t.mu.Unlock()
			cancelled := ctx.Err() != nil
			cancel()
			if cancelled && t.c.ctx.Err() == nil {
				// Cancellation: the receiver of notifications/cancelled "SHOULD NOT send a
				// response for the cancelled request".
				return
			}
			_ = t.write(t.c.ctx, resp)
		}(*m)
	case rpc.KindNotification:
		if m.Method == mcp.NotificationCancelled {
			var p mcp.CancelledParams
			if json.Unmarshal(m.Params, &p) == nil {
				t.mu.Lock()
				cancel := t.running[idKey(p.RequestID)]
				t.mu.Unlock()
				if cancel != nil {
					cancel()
				}
			}
			return
		}
		t.c.handleNotification(t.c.ctx, m)
	}
}

func (t *streamTransport) write(ctx context.Context, msg []byte) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	return t.conn.write(ctx, msg)
}

func (t *streamTransport) roundTrip(ctx context.Context, r *request) (json.RawMessage, error) {
	ch := make(chan rpc.Message, 1)
	t.mu.Lock()
	if t.err != nil {
		err := t.err
		t.mu.Unlock()
		return nil, err
	}
	t.pending[r.id] = ch
	t.mu.Unlock()
	forget := func() {
		t.mu.Lock()
		delete(t.pending, r.id)
		t.mu.Unlock()
	}
	if err := t.write(ctx, r.body); err != nil {
		forget()
		if ctx.Err() != nil {
			// The request may have reached the server before the write gave up (a legacy
			// POST is answered once the server has taken the message): cancel it there.
			return nil, t.cancel(ctx, r)
		}
		return nil, err
	}
	select {
	case m := <-ch:
		switch {
		case m.Kind != rpc.KindResponse:
			t.mu.Lock()
			err := t.err
			t.mu.Unlock()
			return nil, err
		case m.Error != nil:
			return nil, m.Error
		}
		return m.Result, nil
	case <-ctx.Done():
		forget()
		return nil, t.cancel(ctx, r)
	}
}

// cancel tells the server that r is cancelled and returns why: with notifications/cancelled
// (MCP 2025-11-25, Basic § Utilities, Cancellation; MCP 2026-07-28, Transports § stdio,
// Cancellation: "the client MUST send a notifications/cancelled notification referencing the
// request's ID", which also ends a subscriptions/listen). initialize "MUST NOT" be cancelled.
func (t *streamTransport) cancel(ctx context.Context, r *request) error {
	if r.method != mcp.MethodInitialize {
		cctx, cancel := context.WithTimeout(t.c.ctx, cancelTimeout)
		_ = t.write(cctx, cancelledMessage(r.id, context.Cause(ctx)))
		cancel()
	}
	return context.Cause(ctx)
}

func (t *streamTransport) notify(ctx context.Context, msg []byte, _ string) error {
	return t.write(ctx, msg)
}

// openStream: the stream is the connection itself; every notification already reaches the
// client.
func (t *streamTransport) openStream(ctx context.Context, ready func() error) error {
	if err := ready(); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return nil
	case <-t.done:
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.err
	}
}

func (t *streamTransport) close() error {
	err := t.conn.close(t.done)
	<-t.done
	t.handlers.Wait()
	return err
}

// lineConn is a msgConn of newline-delimited JSON-RPC (MCP 2025-11-25, Transports § stdio:
// "Messages are delimited by newlines, and MUST NOT contain embedded newlines").
type lineConn struct {
	r   *bufio.Reader
	w   io.Writer
	max int
	// closeFn ends the stream and whatever is behind it; readerDone is closed once the reading
	// goroutine has stopped.
	closeFn func(readerDone <-chan struct{}) error
}

func (c *lineConn) write(_ context.Context, msg []byte) error {
	buf := make([]byte, 0, len(msg)+1)
	buf = append(buf, msg...)
	_, err := c.w.Write(append(buf, '\n'))
	return err
}

func (c *lineConn) read() ([]byte, error) {
	var line []byte
	for {
		chunk, err := c.r.ReadSlice('\n')
		if len(line)+len(chunk) > c.max+1 {
			// A line over the limit: skip the rest of it rather than buffer it.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = c.r.ReadSlice('\n')
			}
			if err != nil {
				return nil, err
			}
			line = line[:0]
			continue
		}
		line = append(line, chunk...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil:
			return nil, err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		return line, nil
	}
}

func (c *lineConn) close(readerDone <-chan struct{}) error { return c.closeFn(readerDone) }
