package server_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

func TestServeGracefulShutdown(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, ln, h, &server.ServeOptions{ShutdownTimeout: 5 * time.Second}) }()

	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	r, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(initBody))
	r.Header = req(http.MethodPost, "", "").Header
	resp, err := client.Do(r)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	id := resp.Header.Get("Mcp-Session-Id")

	// An open GET stream does not hold the shutdown up: it ends with a retry hint.
	g, _ := http.NewRequest(http.MethodGet, base+"/mcp", nil)
	g.Header = req(http.MethodGet, "", id).Header
	get, err := client.Do(g)
	require.NoError(t, err)
	defer get.Body.Close()

	cancel()
	require.NoError(t, <-done)
	_, err = client.Get(base + "/healthz")
	assert.Error(t, err, "the listener is closed")
}

// While Serve drains, the listener stays open: /readyz answers 503 rather than refusing the
// connection, and a new session gets 503, until the requests in flight are done; then the
// listener closes.
func TestServeAnswersWhileDraining(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, ln, h, &server.ServeOptions{ShutdownTimeout: time.Minute}) }()

	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	post := func(body, session string) *http.Response {
		r, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(body))
		r.Header = req(http.MethodPost, "", session).Header
		resp, err := client.Do(r)
		require.NoError(t, err)
		return resp
	}
	resp := post(initBody, "")
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	id := resp.Header.Get("Mcp-Session-Id")
	called := make(chan int, 1)
	go func() {
		resp := post(call(2, "block", `{}`), id)
		resp.Body.Close()
		called <- resp.StatusCode
	}()
	<-ts.started

	cancel()
	for { // until Serve has begun to drain
		resp, err := client.Get(base + "/readyz")
		require.NoError(t, err, "the listener must stay open while requests are in flight")
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	resp = post(initBody, "")
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "no new session while draining")
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))

	close(ts.release)
	assert.Equal(t, http.StatusOK, <-called, "the call in flight finishes")
	require.NoError(t, <-done)
	_, err = client.Get(base + "/readyz")
	assert.Error(t, err, "the listener is closed once drained")
}

// With a DrainDelay the listener stays open that long after the shutdown began, answering
// /readyz with 503, even with nothing left to drain.
func TestServeDrainDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := server.New(newTestServer().Server, nil)
		ln := newPipeListener()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- server.Serve(ctx, ln, h, &server.ServeOptions{DrainDelay: 20 * time.Second, ShutdownTimeout: time.Minute})
		}()
		client := &http.Client{Transport: &http.Transport{DialContext: ln.dialContext}}
		defer client.CloseIdleConnections()
		ready := func() (int, error) {
			resp, err := client.Get("http://127.0.0.1/readyz")
			if err != nil {
				return 0, err
			}
			resp.Body.Close()
			return resp.StatusCode, nil
		}
		code, err := ready()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, code)

		cancel()
		synctest.Wait()
		code, err = ready()
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, code)
		time.Sleep(19 * time.Second)
		code, err = ready()
		require.NoError(t, err, "the listener is open for the whole delay")
		assert.Equal(t, http.StatusServiceUnavailable, code)

		time.Sleep(2 * time.Second)
		synctest.Wait()
		select {
		case err := <-done:
			require.NoError(t, err)
		default:
			t.Fatal("Serve has not returned after the delay")
		}
		_, err = ready()
		assert.Error(t, err, "the listener is closed")
	})
}
