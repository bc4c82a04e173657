package redisstore_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/sse"
)

// openStream sends a request and returns its SSE answer as it comes.
func openStream(t *testing.T, base, method, body, session, token string, hdr ...string) (*http.Response, *sse.Decoder) {
	t.Helper()
	r, err := http.NewRequest(method, base+"/mcp", strings.NewReader(body))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json, text/event-stream")
	r.Header.Set("MCP-Protocol-Version", "2025-11-25")
	r.Header.Set("Mcp-Session-Id", session)
	r.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	return resp, sse.NewDecoder(bufio.NewReader(resp.Body), nil)
}

// nextData returns the next event with data, or fails at the stream's end.
func nextData(t *testing.T, dec *sse.Decoder) sse.Event {
	t.Helper()
	for ev, err := range dec.Events() {
		require.NoError(t, err)
		if len(ev.Data) > 0 {
			return ev
		}
	}
	t.Fatal("the stream ended")
	return sse.Event{}
}

// TestReplicasRelayOnRedis: the routing between replicas, through the Redis relay and event
// follower. The reply to a sampling request, posted to another replica than the one where
// the call waits, reaches the call; a stream the server closed mid-call (SEP-1699) is resumed
// on another replica, which replays it from Redis and then follows it live until the
// response.
func TestReplicasRelayOnRedis(t *testing.T) {
	release := make(chan struct{})
	c := newClusterWith(t, 3, shared.url(), nil, func(srv *mcp.Server) {
		mcp.AddTool(srv, &mcp.Tool{Name: "sample", Description: "Asks the client's LLM."},
			func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
				res, err := req.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 10,
					Messages: []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: "hi"}}}})
				if err != nil {
					return "", err
				}
				return "model " + res.Model, nil
			})
		mcp.AddTool(srv, &mcp.Tool{Name: "poll", Description: "Logs, closes its stream, waits, logs again."},
			func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
				_ = req.Log(ctx, mcp.LevelInfo, "t", "before")
				if err := req.CloseStream(ctx); err != nil {
					return "", err
				}
				select {
				case <-release:
				case <-ctx.Done():
					return "", ctx.Err()
				}
				_ = req.Log(ctx, mcp.LevelInfo, "t", "after")
				return "polled", nil
			})
	})
	init := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}},"clientInfo":{"name":"t","version":"1"}}}`
	a := send(t, c.replicas[0].URL, http.MethodPost, init, "", "alice")
	require.Equal(t, http.StatusOK, a.status, a.body)
	id := a.session
	require.Equal(t, http.StatusAccepted, send(t, c.replicas[1].URL, http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, id, "alice").status)

	t.Run("sampling reply on another replica", func(t *testing.T) {
		_, dec := openStream(t, c.replicas[0].URL, http.MethodPost, call(2, "sample", `{}`), id, "alice")
		var ask struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		require.NoError(t, json.Unmarshal(nextData(t, dec).Data, &ask))
		require.Equal(t, "sampling/createMessage", ask.Method)
		reply := fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"result":{"role":"assistant","content":{"type":"text","text":"hello"},"model":"m-7"}}`, ask.ID)
		r := send(t, c.replicas[2].URL, http.MethodPost, reply, id, "alice")
		require.Equal(t, http.StatusAccepted, r.status, r.body)
		res := nextData(t, dec)
		assert.Contains(t, string(res.Data), "model m-7", "the reply posted to replica c reached the call on a")
	})

	t.Run("stream resumed and followed on another replica", func(t *testing.T) {
		_, dec := openStream(t, c.replicas[0].URL, http.MethodPost, call(3, "poll", `{}`), id, "alice")
		var last string
		for ev, err := range dec.Events() { // until the server closes the connection
			require.NoError(t, err)
			if ev.ID != "" {
				last = ev.ID
			}
		}
		require.NotEmpty(t, last)
		_, follow := openStream(t, c.replicas[1].URL, http.MethodGet, "", id, "alice", "Last-Event-ID", last)
		close(release)
		var data []string
		deadline := time.AfterFunc(20*time.Second, func() { t.Error("the follower never ended") }) // a failure guard
		defer deadline.Stop()
		for ev, err := range follow.Events() {
			require.NoError(t, err)
			if len(ev.Data) > 0 {
				data = append(data, string(ev.Data))
			}
		}
		require.NotEmpty(t, data)
		assert.Contains(t, data[len(data)-1], "polled", "the response, written on a, reached the GET on b: %q", data)
		assert.Contains(t, strings.Join(data, "\n"), `"after"`)
	})
}
