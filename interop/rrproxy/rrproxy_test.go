package rrproxy_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/interop/rrproxy"
)

// backends starts n test servers answering with their index, echoing the request's method,
// body and X-Test header, and returns their URLs.
func backends(t *testing.T, n int) []string {
	t.Helper()
	urls := make([]string, n)
	for i := range n {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Mcp-Session-Id", "s-"+r.Header.Get("Mcp-Session-Id"))
			fmt.Fprintf(w, "%d %s %s %s", i, r.Method, body, r.Header.Get("X-Test"))
		}))
		t.Cleanup(srv.Close)
		urls[i] = srv.URL
	}
	return urls
}

func startProxy(t *testing.T, urls []string) *rrproxy.Server {
	t.Helper()
	p, err := rrproxy.Start("127.0.0.1:0", urls, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p
}

// do sends one request through the proxy and returns the backend's answer and the response.
func do(t *testing.T, client *http.Client, method, url, body string) (string, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Test", "passed")
	req.Header.Set("Mcp-Session-Id", "abc")
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b), resp
}

func TestRoundRobinWithoutAffinity(t *testing.T) {
	urls := backends(t, 3)
	p := startProxy(t, urls)
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	for i := range 6 {
		// The same session id each time: the proxy must not pin it.
		got, resp := do(t, client, http.MethodPost, p.URL+"/mcp", "body")
		assert.Equal(t, fmt.Sprintf("%d POST body passed", i%3), got)
		assert.Equal(t, urls[i%3], resp.Header.Get(rrproxy.UpstreamHeader))
		assert.Equal(t, "s-abc", resp.Header.Get("Mcp-Session-Id"), "headers pass both ways")
	}
	assert.Equal(t, []int64{2, 2, 2}, p.Proxy.Served())
}

// TestStreamsUnbuffered: an SSE event the backend flushed reaches the client while the
// backend is still writing the response.
func TestStreamsUnbuffered(t *testing.T) {
	release := make(chan struct{}) // closed by the test once it has read the first event
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "id: 1\ndata: first\n\n")
		w.(http.Flusher).Flush()
		<-release
		fmt.Fprint(w, "id: 2\ndata: second\n\n")
	}))
	t.Cleanup(srv.Close)
	p := startProxy(t, []string{srv.URL})
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)

	resp, err := client.Get(p.URL + "/mcp")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	r := bufio.NewReader(resp.Body)
	for _, want := range []string{"id: 1\n", "data: first\n", "\n"} {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, want, line)
	}
	close(release) // only now may the backend finish: the first event came through alone
	rest, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, "id: 2\ndata: second\n\n", string(rest))
}

// TestRefusedBackendSkipped: a backend that refuses connections is passed over and the
// request, body included, goes to the next one.
func TestRefusedBackendSkipped(t *testing.T) {
	live := backends(t, 2) // first, so that none of them takes the dead port
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	p := startProxy(t, []string{live[0], dead, live[1]})
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)

	var from []string
	for range 6 {
		got, resp := do(t, client, http.MethodPost, p.URL+"/mcp", "payload")
		require.Equal(t, http.StatusOK, resp.StatusCode, got)
		assert.Contains(t, got, "POST payload passed")
		from = append(from, resp.Header.Get(rrproxy.UpstreamHeader))
	}
	assert.NotContains(t, from, dead)
	assert.Equal(t, int64(0), p.Proxy.Served()[1])
}

// TestAllBackendsDown: 502, not a hang.
func TestAllBackendsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	p := startProxy(t, []string{dead})
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	for range 2 {
		_, resp := do(t, client, http.MethodPost, p.URL+"/mcp", "x")
		assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	}
}

func TestNewRejectsBadBackends(t *testing.T) {
	_, err := rrproxy.New(nil, nil)
	assert.ErrorIs(t, err, rrproxy.ErrNoBackends)
	_, err = rrproxy.New([]string{"127.0.0.1:80"}, nil)
	assert.Error(t, err)
}

// TestInFlight: a request counts against its backend from the moment it is sent until its
// response ends.
func TestInFlight(t *testing.T) {
	entered := make(chan struct{}) // closed by the backend once the request arrived
	release := make(chan struct{}) // closed by the test to let the backend answer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		fmt.Fprint(w, "done")
	}))
	t.Cleanup(srv.Close)
	idle := backends(t, 1)
	p := startProxy(t, []string{srv.URL, idle[0]})
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)

	answered := make(chan string, 1) // receives the slow request's answer; never closed
	go func() {
		resp, err := client.Post(p.URL+"/mcp", "text/plain", strings.NewReader("x"))
		if err != nil {
			answered <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answered <- string(b)
	}()
	<-entered
	assert.Equal(t, []int64{1, 0}, p.Proxy.InFlight())
	close(release)
	assert.Equal(t, "done", <-answered)
	assert.Eventually(t, func() bool { return p.Proxy.InFlight()[0] == 0 }, 5*time.Second, 10*time.Millisecond)
}
