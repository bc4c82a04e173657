package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
	"github.com/minimcp/minimcp/sse"
)

// TestBroadcastOverGetStream: messages sent to every session from outside a request reach a
// Streamable HTTP session on its GET stream, as list_changed does, honouring its log level.
func TestBroadcastOverGetStream(t *testing.T) {
	ts, _, hs := live(t, nil)
	id := liveInit(t, hs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	get := open(t, ctx, hs, http.MethodGet, "", id)
	defer get.Body.Close()
	require.Equal(t, http.StatusOK, get.StatusCode)
	dec := sse.NewDecoder(get.Body, nil)

	require.NoError(t, ts.BroadcastLog(context.Background(), mcp.LevelDebug, "", "below the default level"))
	require.NoError(t, ts.BroadcastLog(context.Background(), mcp.LevelWarning, "ops", "maintenance at noon"))
	require.NoError(t, ts.Broadcast(context.Background(), "notifications/custom", nil))
	assert.Equal(t, `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"warning","logger":"ops","data":"maintenance at noon"}}`,
		string(nextData(t, dec).Data))
	assert.Equal(t, `{"jsonrpc":"2.0","method":"notifications/custom"}`, string(nextData(t, dec).Data))
}

// TestRootsListChangedOverHTTP: the RootsListChanged hook of a Streamable HTTP session asks for
// the roots on the session's GET stream after the notification's POST was acknowledged, and
// gets the reply the client POSTs.
func TestRootsListChangedOverHTTP(t *testing.T) {
	got := make(chan string, 1)
	srv := mcp.NewServer(nil, &mcp.ServerOptions{RootsListChanged: func(ctx context.Context, req *mcp.Request) {
		res, err := req.ListRoots(ctx)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- res.Roots[0].URI
	}})
	h := server.New(srv, nil)
	hs := httptest.NewServer(h)
	defer func() {
		require.NoError(t, h.Shutdown(context.Background()))
		hs.Close()
	}()
	init := open(t, context.Background(), hs, http.MethodPost,
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"roots":{"listChanged":true}},"clientInfo":{"name":"t","version":"1"}}}`, "")
	_, _ = io.Copy(io.Discard, init.Body)
	init.Body.Close()
	id := init.Header.Get("Mcp-Session-Id")
	require.NotEmpty(t, id)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	get := open(t, ctx, hs, http.MethodGet, "", id)
	defer get.Body.Close()
	require.Equal(t, http.StatusOK, get.StatusCode)
	dec := sse.NewDecoder(get.Body, nil)

	note := open(t, context.Background(), hs, http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}`, id)
	note.Body.Close()
	require.Equal(t, http.StatusAccepted, note.StatusCode)

	var ask struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	require.NoError(t, json.Unmarshal(nextData(t, dec).Data, &ask))
	require.Equal(t, mcp.MethodRootsList, ask.Method)
	reply := open(t, context.Background(), hs, http.MethodPost,
		`{"jsonrpc":"2.0","id":`+string(ask.ID)+`,"result":{"roots":[{"uri":"file:///work"}]}}`, id)
	reply.Body.Close()
	require.Equal(t, http.StatusAccepted, reply.StatusCode)
	assert.Equal(t, "file:///work", <-got)
}
