package server_test

import (
	"bufio"
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

// pipeServer runs a real http.Server over in-memory connections (net.Pipe), so tests inside a
// synctest bubble see net/http's own behaviour, deadlines included, with a fake clock. A pipe
// has no buffer: a write blocks until the other end reads it, like a TCP connection whose
// peer's window is full.
type pipeServer struct {
	hs     *http.Server
	conns  chan net.Conn // the server ends of dialled connections; never closed
	closed chan struct{} // closed by Close
	once   sync.Once
	served chan struct{} // closed when Serve has returned
}

// newPipeServer serves h until the test ends.
func newPipeServer(t *testing.T, h http.Handler) *pipeServer {
	t.Helper()
	ps := &pipeServer{hs: &http.Server{Handler: h}, conns: make(chan net.Conn), closed: make(chan struct{}), served: make(chan struct{})}
	go func() {
		defer close(ps.served)
		_ = ps.hs.Serve(ps)
	}()
	t.Cleanup(func() {
		_ = ps.hs.Close()
		<-ps.served
	})
	return ps
}

// Accept implements net.Listener.
func (ps *pipeServer) Accept() (net.Conn, error) {
	select {
	case c := <-ps.conns:
		return c, nil
	case <-ps.closed:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (ps *pipeServer) Close() error {
	ps.once.Do(func() { close(ps.closed) })
	return nil
}

// Addr implements net.Listener.
func (ps *pipeServer) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// dial opens a connection to the server; the test closes it.
func (ps *pipeServer) dial(t *testing.T) net.Conn {
	t.Helper()
	c, s := net.Pipe()
	select {
	case ps.conns <- s:
	case <-ps.closed:
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
