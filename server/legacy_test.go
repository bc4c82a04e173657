package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
	"github.com/minimcp/minimcp/sse"
)

func TestLegacySSE(t *testing.T) {
	_, h, hs := live(t, &server.Options{LegacySSE: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL+"/sse", nil)
	require.NoError(t, err)
	r.Header.Set("Accept", "text/event-stream")
	stream, err := hs.Client().Do(r)
	require.NoError(t, err)
	defer stream.Body.Close()
	require.Equal(t, http.StatusOK, stream.StatusCode)
	dec := sse.NewDecoder(stream.Body, nil)

	endpoint, err := dec.Next()
	require.NoError(t, err)
	assert.Equal(t, "endpoint", endpoint.Name)
	require.True(t, strings.HasPrefix(string(endpoint.Data), "/message?sessionId="), string(endpoint.Data))

	send := func(body string) int {
		resp, err := hs.Client().Post(hs.URL+string(endpoint.Data), "application/json", strings.NewReader(body))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusAccepted, send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"old","version":"1"}}}`))
	ev := nextData(t, dec)
	assert.Equal(t, "message", ev.Name)
	assert.Contains(t, string(ev.Data), `"protocolVersion":"2024-11-05"`)
	require.Equal(t, http.StatusAccepted, send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
	require.Equal(t, http.StatusAccepted, send(call(2, "echo", `{"text":"legacy"}`)))
	assert.Equal(t, `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"legacy"}]}}`, string(nextData(t, dec).Data))
	assert.Equal(t, 1, h.SessionCount())

	resp, err := hs.Client().Post(hs.URL+"/message?sessionId=nope", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	// The session ends with its stream.
	cancel()
	stream.Body.Close()
	require.Eventually(t, func() bool { return h.SessionCount() == 0 }, 5e9, 1e6)
	assert.Equal(t, http.StatusNotFound, send(`{"jsonrpc":"2.0","id":3,"method":"ping"}`))
}

func TestStdio(t *testing.T) {
	ts := newTestServer()
	in := strings.NewReader(initBody + "\n" + `{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" + call(2, "echo", `{"text":"over stdio"}`) + "\n")
	var out strings.Builder
	require.NoError(t, server.ServeStdio(context.Background(), ts.Server, in, &out, nil))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2)
	assert.Contains(t, lines[0], `"protocolVersion":"2025-11-25"`)
	assert.Equal(t, `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"over stdio"}]}}`, lines[1])
}
