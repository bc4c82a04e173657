package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/leak"
)

func TestMain(m *testing.M) { os.Exit(leak.Check(m)) }

// post sends one JSON-RPC message to the MCP endpoint, as a Streamable HTTP client does.
func post(t *testing.T, url, session, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
		req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	return resp
}

// result reads the result of a JSON-RPC answer.
func result(t *testing.T, resp *http.Response) json.RawMessage {
	t.Helper()
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&reply))
	require.Nil(t, reply.Error)
	return reply.Result
}

func TestService(t *testing.T) {
	handler, mcpHandler := newMux(newStore())
	ts := httptest.NewServer(handler)
	defer ts.Close()
	defer mcpHandler.Shutdown(context.Background())
	defer http.DefaultClient.CloseIdleConnections()

	// The service's own route still works.
	resp, err := http.Get(ts.URL + "/orders/A-1001")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.JSONEq(t, `{"id": "A-1001", "item": "keyboard", "status": "shipped"}`, string(body))

	// The probes a balancer polls.
	for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ready\n"} {
		resp, err := http.Get(ts.URL + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Equal(t, want, string(body), path)
	}

	// MCP: initialize, then call the tool in the session.
	url := ts.URL + "/mcp"
	resp = post(t, url, "", `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{
		"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}`)
	session := resp.Header.Get("Mcp-Session-Id")
	assert.Contains(t, string(result(t, resp)), `"serverInfo":{"name":"orders","version":"1.0.0"}`)
	require.NotEmpty(t, session)
	resp = post(t, url, session, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)

	res := result(t, post(t, url, session, `{"jsonrpc":"2.0","id":2,"method":"tools/call",
		"params":{"name":"order_status","arguments":{"id":"A-1002"}}}`))
	assert.JSONEq(t, `{
		"content": [{"type": "text", "text": "{\"id\":\"A-1002\",\"item\":\"monitor\",\"status\":\"pending\"}"}],
		"structuredContent": {"id": "A-1002", "item": "monitor", "status": "pending"}}`, string(res))

	res = result(t, post(t, url, session, `{"jsonrpc":"2.0","id":3,"method":"tools/call",
		"params":{"name":"order_status","arguments":{"id":"B-1"}}}`))
	assert.JSONEq(t, `{"content": [{"type": "text", "text": "no order \"B-1\""}], "isError": true}`, string(res))
}

func TestRunShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0") }()
	cancel()
	assert.NoError(t, <-done)
}
