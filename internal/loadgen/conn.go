package loadgen

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

/*
Design note: bench's own HTTP/1.1 connections.

net/http's Transport runs two goroutines per connection, one writing requests and one reading
responses, and hands every request to them and back through channels. Under a closed-loop
load of 40,000 requests a second on one core, that hand-off made the load generator, not the
server, the bottleneck of bench/run.sh: the generator's core was 96% busy while the fastest
servers' sat near 80%, so every fast server measured the client.

connTransport keeps one connection per worker and writes the request and reads the response
on the worker's own goroutine. The wire format stays net/http's: Request.Write serialises the
request and http.ReadResponse parses the answer (Content-Length, chunked, close-delimited).
What it adds is the connection's life: dial on first use, keep it while the server does and
the body was read to the end, drop it otherwise, and send a request again on a new connection
once when a kept-alive connection turns out closed (EOF or reset) before any byte of the
answer: the server had timed the connection out. net/http's Transport finds such connections
with its background reader before reusing them; this one learns it from the failed exchange.

It serves plain http:// URLs reached without a proxy. https, proxies and --net-http go
through net/http.
*/

// errConnBusy reports a request on a connTransport whose previous body is still open.
var errConnBusy = errors.New("bench connection: the previous response body is still open")

// connTransport is an http.RoundTripper over one keep-alive HTTP/1.1 connection, for one
// goroutine making one request at a time (the response body closed before the next).
type connTransport struct {
	addr    string        // host:port to dial
	timeout time.Duration // bounds each request, from writing it to closing its body; 0: none

	conn net.Conn // nil until dialled and after an error
	br   *bufio.Reader
	bw   *bufio.Writer
	busy bool // a response body is open
}

// newConnTransport returns a connTransport for u, or nil when u needs net/http (https, or a
// proxy from the environment).
func newConnTransport(u *url.URL, timeout time.Duration) *connTransport {
	if u.Scheme != "http" {
		return nil
	}
	if p, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err != nil || p != nil {
		return nil
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return &connTransport{addr: addr, timeout: timeout}
}

// RoundTrip implements http.RoundTripper.
func (t *connTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.busy {
		return nil, errConnBusy
	}
	resp, retry, err := t.try(req)
	if retry && req.GetBody != nil {
		// The kept-alive connection was closed before the request was read: send it again.
		body, gerr := req.GetBody()
		if gerr != nil {
			return nil, err
		}
		req.Body = body
		resp, _, err = t.try(req)
	}
	return resp, err
}

// try sends req once. retry reports that it failed on a reused connection before any byte of
// the answer arrived, so that sending it again on a new connection is safe.
func (t *connTransport) try(req *http.Request) (resp *http.Response, retry bool, err error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	reused := t.conn != nil
	if !reused {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", t.addr)
		if err != nil {
			return nil, false, err
		}
		t.conn = c
		if t.br == nil {
			t.br, t.bw = bufio.NewReader(c), bufio.NewWriter(c)
		} else {
			t.br.Reset(c)
			t.bw.Reset(c)
		}
	}
	conn := t.conn
	var deadline time.Time
	if t.timeout > 0 {
		deadline = time.Now().Add(t.timeout)
	}
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	_ = conn.SetDeadline(deadline)
	// A cancelled request unblocks its reads and writes at once.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) error {
		stop()
		t.drop()
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return err
	}
	if err := req.Write(t.bw); err != nil {
		return nil, reused, fail(err)
	}
	if err := t.bw.Flush(); err != nil {
		return nil, reused, fail(err)
	}
	// The first byte, alone: ReadResponse reports an EOF before it and one mid-way alike.
	if _, err := t.br.Peek(1); err != nil {
		return nil, reused && closedBeforeAnswer(err), fail(err)
	}
	resp, err = http.ReadResponse(t.br, req)
	if err != nil {
		return nil, false, fail(err)
	}
	t.busy = true
	resp.Body = &connBody{rc: resp.Body, t: t, ctx: ctx, stop: stop, keep: !resp.Close}
	return resp, false, nil
}

// closedBeforeAnswer reports whether reading an answer failed because the peer had closed the
// connection before sending a byte of it: an EOF at the status line, or a reset.
func closedBeforeAnswer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// drop closes the connection; the next request dials a new one.
func (t *connTransport) drop() {
	if t.conn != nil {
		_ = t.conn.Close()
		t.conn = nil
	}
}

// connBody is a response body on a connTransport: closing it frees the connection for the
// next request when the body was read to the end and the server keeps the connection, and
// drops the connection otherwise.
type connBody struct {
	rc   io.ReadCloser
	t    *connTransport
	ctx  context.Context
	stop func() bool
	keep bool // the server did not ask to close the connection
	eof  bool // read to the end
	done bool // closed
}

func (b *connBody) Read(p []byte) (int, error) {
	if b.done {
		return 0, errors.New("read on a closed response body")
	}
	n, err := b.rc.Read(p)
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil && b.ctx.Err() != nil:
		err = b.ctx.Err() // a cancellation, not a network failure
	}
	return n, err
}

func (b *connBody) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	b.stop()
	b.t.busy = false
	if !b.eof || !b.keep {
		b.t.drop()
	}
	return nil
}
