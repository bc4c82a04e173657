package loadgen

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcphttp"
	"github.com/minimcp/minimcp/mcp"
)

// rawServer answers HTTP/1.1 requests on a loopback listener in ways net/http's server never
// would, to test connTransport's connection handling. answer writes the response to the n-th
// request (from 1, across connections) and reports whether to keep the connection.
type rawServer struct {
	ln    net.Listener
	dials atomic.Int32
	wg    sync.WaitGroup
}

func startRawServer(t *testing.T, answer func(n int, w *bufio.Writer) (keep bool)) (*rawServer, *url.URL) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &rawServer{ln: ln}
	var (
		mu    sync.Mutex
		conns []net.Conn
		count int
	)
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.dials.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			s.wg.Go(func() {
				defer c.Close()
				br, bw := bufio.NewReader(c), bufio.NewWriter(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					mu.Lock()
					count++
					n := count
					mu.Unlock()
					keep := answer(n, bw)
					if bw.Flush() != nil || !keep {
						return
					}
				}
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		s.wg.Wait()
	})
	return s, &url.URL{Scheme: "http", Host: ln.Addr().String(), Path: "/mcp"}
}

// reply writes a JSON answer with Content-Length.
func reply(w *bufio.Writer, body string, extra ...string) {
	w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n")
	for _, h := range extra {
		w.WriteString(h + "\r\n")
	}
	w.WriteString("\r\n" + body)
}

// post sends one POST through ct and reads the whole answer.
func post(ctx context.Context, ct *connTransport, u *url.URL) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(`{"x":1}`))
	if err != nil {
		return "", err
	}
	resp, err := ct.RoundTrip(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestConnTransportKeepsTheConnection(t *testing.T) {
	srv, u := startRawServer(t, func(n int, w *bufio.Writer) bool {
		reply(w, "ok"+strconv.Itoa(n))
		return true
	})
	ct := newConnTransport(u, time.Second)
	defer ct.drop()
	for i := 1; i <= 5; i++ {
		body, err := post(t.Context(), ct, u)
		require.NoError(t, err)
		assert.Equal(t, "ok"+strconv.Itoa(i), body)
	}
	assert.EqualValues(t, 1, srv.dials.Load(), "one connection for every request")
}

func TestConnTransportResendsOnAClosedKeptConnection(t *testing.T) {
	// The server claims keep-alive but closes the connection after each answer, as one whose
	// idle timeout fired would: the next request fails before any answer and is sent again.
	srv, u := startRawServer(t, func(n int, w *bufio.Writer) bool {
		reply(w, "ok"+strconv.Itoa(n))
		return false
	})
	ct := newConnTransport(u, time.Second)
	defer ct.drop()
	for i := 1; i <= 4; i++ {
		body, err := post(t.Context(), ct, u)
		require.NoError(t, err, "request %d", i)
		assert.Equal(t, "ok"+strconv.Itoa(i), body, "each request served exactly once")
	}
	assert.EqualValues(t, 4, srv.dials.Load())
}

func TestConnTransportConnectionClose(t *testing.T) {
	srv, u := startRawServer(t, func(n int, w *bufio.Writer) bool {
		reply(w, "ok", "Connection: close")
		return false
	})
	ct := newConnTransport(u, time.Second)
	defer ct.drop()
	for range 3 {
		body, err := post(t.Context(), ct, u)
		require.NoError(t, err)
		assert.Equal(t, "ok", body)
	}
	assert.EqualValues(t, 3, srv.dials.Load(), "a new connection after each Connection: close")
}

func TestConnTransportUnreadBodyDropsTheConnection(t *testing.T) {
	srv, u := startRawServer(t, func(n int, w *bufio.Writer) bool {
		reply(w, strings.Repeat("x", 100))
		return true
	})
	ct := newConnTransport(u, time.Second)
	defer ct.drop()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u.String(), strings.NewReader(`{}`))
	require.NoError(t, err)
	resp, err := ct.RoundTrip(req)
	require.NoError(t, err)
	_, err = ct.RoundTrip(req)
	assert.ErrorIs(t, err, errConnBusy, "one request at a time")
	buf := make([]byte, 10)
	_, err = io.ReadFull(resp.Body, buf)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close()) // 90 bytes unread: the connection cannot be reused
	body, err := post(t.Context(), ct, u)
	require.NoError(t, err)
	assert.Len(t, body, 100)
	assert.EqualValues(t, 2, srv.dials.Load())
}

func TestConnTransportTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	_, u := startRawServer(t, func(n int, w *bufio.Writer) bool {
		<-release // never answers until the test ends
		return false
	})
	defer close(release)

	ct := newConnTransport(u, 50*time.Millisecond)
	defer ct.drop()
	_, err := post(t.Context(), ct, u)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout(), "the per-request timeout: %v", err)
	// The client counts it as a timeout.
	c, err := mcphttp.New(u.String(), &mcphttp.Options{HTTPClient: &http.Client{Transport: ct}})
	require.NoError(t, err)
	_, _, err = c.Call(t.Context(), mcp.MethodPing, nil)
	assert.Equal(t, "timeout", mcphttp.ErrorKind(err), "%v", err)

	ct2 := newConnTransport(u, time.Minute)
	defer ct2.drop()
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := post(ctx, ct2, u)
		errc <- err
	}()
	cancel()
	err = <-errc
	assert.True(t, errors.Is(err, context.Canceled), "a cancelled request ends at once with the cancellation: %v", err)
}

func TestNewConnTransportScope(t *testing.T) {
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("http_proxy", "")
	for raw, want := range map[string]string{
		"http://127.0.0.1:8080/mcp": "127.0.0.1:8080",
		"http://localhost/mcp":      "localhost:80",
		"http://[::1]/mcp":          "[::1]:80",
		"https://example.com/mcp":   "", // TLS: net/http
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		ct := newConnTransport(u, 0)
		if want == "" {
			assert.Nil(t, ct, raw)
			continue
		}
		require.NotNil(t, ct, raw)
		assert.Equal(t, want, ct.addr, raw)
	}
}
