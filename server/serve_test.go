package server_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
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
