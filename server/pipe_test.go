package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/sse"
)

// pipeListener is a net.Listener of in-memory connections (net.Pipe), for servers tested in
// a synctest bubble, where real sockets would stop the clock.
type pipeListener struct {
	conns chan net.Conn // the server ends of dialled connections, for Accept; never closed
	done  chan struct{} // closed by Close
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// Accept implements net.Listener.
func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr implements net.Listener.
func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dialContext connects to the listener, or fails as a closed port does (an
// http.Transport.DialContext).
func (l *pipeListener) dialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	client, srv := net.Pipe()
	select {
	case l.conns <- srv:
		return client, nil
	case <-l.done:
		return nil, errors.New("connection refused")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// pipeServer runs a real http.Server on a pipeListener, so tests inside a synctest bubble see
// net/http's own behaviour, deadlines included, with a fake clock. A pipe has no buffer: a
// write blocks until the other end reads it, like a TCP connection whose peer's window is
// full.
type pipeServer struct {
	*pipeListener
	hs     *http.Server
	served chan struct{} // closed when Serve has returned
}

// newPipeServer serves h until the test ends.
func newPipeServer(t *testing.T, h http.Handler) *pipeServer {
	t.Helper()
	ps := &pipeServer{pipeListener: newPipeListener(), hs: &http.Server{Handler: h}, served: make(chan struct{})}
	go func() {
		defer close(ps.served)
		_ = ps.hs.Serve(ps.pipeListener)
	}()
	t.Cleanup(func() {
		_ = ps.hs.Close()
		<-ps.served
	})
	return ps
}

// dial opens a connection to the server; the test closes it.
func (ps *pipeServer) dial(t *testing.T) net.Conn {
	t.Helper()
	c, s := net.Pipe()
	select {
	case ps.conns <- s:
	case <-ps.done:
		t.Fatal("the pipe server is closed")
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// postHead writes the head of a POST to path with the headers a conforming client sends and a
// Content-Length of n, followed by extra header lines ("Name: value").
func postHead(t *testing.T, c net.Conn, path string, n int, extra ...string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n", path)
	b.WriteString("Accept: application/json, text/event-stream\r\n")
	fmt.Fprintf(&b, "Content-Length: %d\r\n", n)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	_, err := io.WriteString(c, b.String())
	require.NoError(t, err)
}

// readResponse reads one response from br on a goroutine; the channel receives it, body read
// in full, or nil when the connection failed first.
func readResponse(br *bufio.Reader) <-chan *pipeResponse {
	ch := make(chan *pipeResponse, 1)
	go func() {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			ch <- nil
			return
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		ch <- &pipeResponse{Response: resp, body: body, err: err}
	}()
	return ch
}

type pipeResponse struct {
	*http.Response
	body []byte
	err  error // of reading the body
}

// legacyEndpoint opens a 2024-11-05 HTTP+SSE stream on a connection of its own and returns
// the message endpoint it announces, and the connection. The stream's events go to events
// (if not nil) as they come, in the background, until the stream ends.
func legacyEndpoint(t *testing.T, ps *pipeServer, events chan<- sse.Event) (string, net.Conn) {
	t.Helper()
	c := ps.dial(t)
	_, err := io.WriteString(c, "GET /sse HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	dec := sse.NewDecoder(resp.Body, nil)
	ev, err := dec.Next()
	require.NoError(t, err)
	require.Equal(t, "endpoint", ev.Name)
	go func() {
		for ev, err := range dec.Events() {
			if err != nil {
				return
			}
			if events != nil && len(ev.Data) > 0 {
				events <- ev
			}
		}
	}()
	return string(ev.Data), c
}
