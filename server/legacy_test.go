package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"

	json "github.com/goccy/go-json"
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

// legacyPost POSTs body to a legacy message endpoint on c and returns the answer.
func legacyPost(t *testing.T, c net.Conn, br *bufio.Reader, endpoint, body string) *pipeResponse {
	t.Helper()
	postHead(t, c, endpoint, len(body))
	_, err := io.WriteString(c, body)
	require.NoError(t, err)
	resp := <-readResponse(br)
	require.NotNil(t, resp)
	return resp
}

// A legacy session takes LegacyMaxInFlight messages at once; beyond that /message answers 429
// with Retry-After, until some are done.
func TestLegacyBackpressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer()
		h := server.New(ts.Server, &server.Options{LegacySSE: true})
		defer shutdown(t, h)
		ps := newPipeServer(t, h)
		replies := make(chan sse.Event, 64)
		endpoint, _ := legacyEndpoint(t, ps, replies)
		c := ps.dial(t)
		br := bufio.NewReader(c)
		post := func(body string) *pipeResponse { return legacyPost(t, c, br, endpoint, body) }
		require.Equal(t, http.StatusAccepted, post(initBody).StatusCode)
		<-replies
		synctest.Wait() // initialize's handler gives its slot back after its reply is out
		require.Equal(t, http.StatusAccepted, post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`).StatusCode)

		for i := range server.DefaultLegacyMaxInFlight {
			require.Equal(t, http.StatusAccepted, post(call(10+i, "block", `{}`)).StatusCode)
			<-ts.started
		}
		resp := post(call(99, "echo", `{"text":"one too many"}`))
		assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		assert.Equal(t, "1", resp.Header.Get("Retry-After"))
		code, msg := errorBody(t, resp.body)
		assert.Equal(t, server.CodeServerError, code)
		assert.Contains(t, msg, "Too Many Requests")
		assert.Contains(t, string(resp.body), `"id":null`)

		close(ts.release)
		for range server.DefaultLegacyMaxInFlight {
			assert.Contains(t, string((<-replies).Data), `"released"`)
		}
		synctest.Wait()
		require.Equal(t, http.StatusAccepted, post(call(100, "echo", `{"text":"room again"}`)).StatusCode)
		assert.Contains(t, string((<-replies).Data), "room again")
	})
}

// The handlers of a legacy session's messages belong to its stream: when the stream ends
// (the client leaves, or Shutdown), they are cancelled, and the session ends once they have.
func TestLegacyHandlersEndWithStream(t *testing.T) {
	for _, end := range []string{"client leaves", "shutdown"} {
		t.Run(end, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ts := newTestServer()
				h := server.New(ts.Server, &server.Options{LegacySSE: true})
				ps := newPipeServer(t, h)
				replies := make(chan sse.Event, 64)
				endpoint, stream := legacyEndpoint(t, ps, replies)
				c := ps.dial(t)
				br := bufio.NewReader(c)
				require.Equal(t, http.StatusAccepted, legacyPost(t, c, br, endpoint, initBody).StatusCode)
				<-replies
				require.Equal(t, http.StatusAccepted, legacyPost(t, c, br, endpoint, call(2, "block", `{}`)).StatusCode)
				require.Equal(t, http.StatusAccepted, legacyPost(t, c, br, endpoint, call(3, "stubborn", `{}`)).StatusCode)
				<-ts.started
				<-ts.started

				shut := make(chan error, 1)
				if end == "client leaves" {
					require.NoError(t, stream.Close())
				} else {
					go func() { shut <- h.Shutdown(context.Background()) }()
				}
				synctest.Wait()
				select {
				case err := <-ts.cancelled:
					assert.Error(t, err)
				default:
					t.Fatal("the handler was not cancelled")
				}
				assert.Equal(t, 1, h.SessionCount(), "the session lasts while a handler that ignores cancellation runs")
				close(ts.hold)
				synctest.Wait()
				assert.Zero(t, h.SessionCount())
				assert.Zero(t, server.Active(h))
				if end == "client leaves" {
					go func() { shut <- h.Shutdown(context.Background()) }()
				}
				require.NoError(t, <-shut)
			})
		})
	}
}

// Responses and notifications take no slot: with the session's one slot taken by a call that
// waits for the client's answer to a server-to-client request, the answer still gets in.
func TestLegacyAnswerGetsInWhenFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer()
		h := server.New(ts.Server, &server.Options{LegacySSE: true, LegacyMaxInFlight: 1})
		defer shutdown(t, h)
		ps := newPipeServer(t, h)
		replies := make(chan sse.Event, 64)
		endpoint, _ := legacyEndpoint(t, ps, replies)
		c := ps.dial(t)
		br := bufio.NewReader(c)
		post := func(body string) *pipeResponse { return legacyPost(t, c, br, endpoint, body) }
		require.Equal(t, http.StatusAccepted, post(initBody).StatusCode)
		<-replies
		synctest.Wait() // initialize's handler gives its slot back after its reply is out
		require.Equal(t, http.StatusAccepted, post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`).StatusCode)

		require.Equal(t, http.StatusAccepted, post(call(2, "sample", `{}`)).StatusCode)
		var sampling struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		require.NoError(t, json.Unmarshal((<-replies).Data, &sampling))
		require.Equal(t, "sampling/createMessage", sampling.Method)
		assert.Equal(t, http.StatusTooManyRequests, post(call(3, "echo", `{"text":"x"}`)).StatusCode, "the one slot is taken")

		answer := `{"jsonrpc":"2.0","id":` + string(sampling.ID) + `,"result":{"model":"m","role":"assistant","content":{"type":"text","text":"x"}}}`
		require.Equal(t, http.StatusAccepted, post(answer).StatusCode)
		assert.Equal(t, `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"m"}]}}`, string((<-replies).Data))
	})
}

// An HTTP+SSE session batches under the rule of every transport: only a session that
// negotiated 2025-03-26 may (MCP 2025-03-26, Basic § Batching; MCP 2025-06-18
// changelog: "Remove support for JSON-RPC batching"). Any other gets -32600 naming its
// version on the stream, and none of the batch's members runs.
func TestLegacyBatchRule(t *testing.T) {
	init := func(v string) string {
		return `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` + v +
			`","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	}
	for _, tc := range []struct {
		name, version, reply string
	}{
		{"2024-11-05", "2024-11-05", `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26 (this session: 2024-11-05)"}}`},
		{"2025-11-25", "2025-11-25", `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26 (this session: 2025-11-25)"}}`},
		{"not initialized", "", `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26 (this session: none negotiated yet)"}}`},
		{"2025-03-26", "2025-03-26", `[{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"a"}]}},{"jsonrpc":"2.0","id":3,"result":{}}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ts := newTestServer()
				h := server.New(ts.Server, &server.Options{LegacySSE: true})
				defer shutdown(t, h)
				ps := newPipeServer(t, h)
				replies := make(chan sse.Event, 8)
				endpoint, _ := legacyEndpoint(t, ps, replies)
				c := ps.dial(t)
				br := bufio.NewReader(c)
				post := func(body string) int { return legacyPost(t, c, br, endpoint, body).StatusCode }
				if tc.version != "" {
					require.Equal(t, http.StatusAccepted, post(init(tc.version)))
					<-replies
					require.Equal(t, http.StatusAccepted, post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
				}
				require.Equal(t, http.StatusAccepted, post(`[`+call(2, "echo", `{"text":"a"}`)+`,{"jsonrpc":"2.0","id":3,"method":"ping"}]`))
				assert.Equal(t, tc.reply, string((<-replies).Data))
			})
		})
	}
}
