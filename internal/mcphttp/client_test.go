package mcphttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/fakemcp"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// newTestClient returns a client for url with its own transport, closed when the test ends.
func newTestClient(t *testing.T, url string, opts *Options) *Client {
	t.Helper()
	tr := NewHTTPTransport(4)
	t.Cleanup(tr.CloseIdleConnections)
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Transport: tr}
	}
	c, err := New(url, &o)
	require.NoError(t, err)
	return c
}

// startHandler serves h on 127.0.0.1 for the test and returns its URL.
func startHandler(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// requestID returns the id of the JSON-RPC request in r's body ("" for a notification).
func requestID(t *testing.T, r *http.Request) string {
	body, err := io.ReadAll(r.Body)
	if !assert.NoError(t, err) {
		return ""
	}
	msgs, _, derr := rpc.Decode(nil, body, rpc.Limits{})
	if !assert.Nil(t, derr) || !assert.Len(t, msgs, 1) {
		return ""
	}
	return msgs[0].ID.String()
}

func TestClientSession(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts fakemcp.Options
	}{
		{"json/stateless", fakemcp.Options{}},
		{"json/stateful", fakemcp.Options{Stateful: true}},
		{"sse/stateless", fakemcp.Options{SSE: true}},
		{"sse/stateful", fakemcp.Options{SSE: true, Stateful: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, url := fakemcp.Start(t, tc.opts)
			c := newTestClient(t, url, nil)
			ctx := t.Context()

			res, err := c.Initialize(ctx)
			require.NoError(t, err)
			assert.Equal(t, mcp.LatestVersion, res.ProtocolVersion)
			assert.Equal(t, "fake", res.ServerInfo.Name)
			wantSession := ""
			if tc.opts.Stateful {
				wantSession = "session-1"
			}
			assert.Equal(t, wantSession, c.Session())

			// notifications/initialized went out with the session and version headers.
			h := f.LastHeaders()
			assert.Equal(t, wantSession, h.Get("Mcp-Session-Id"))
			assert.Equal(t, mcp.LatestVersion, h.Get("MCP-Protocol-Version"))

			tools, err := c.listTools(ctx) // two pages of two and one
			require.NoError(t, err)
			var names []string
			for _, tool := range tools {
				names = append(names, tool.Name)
			}
			assert.ElementsMatch(t, []string{"echo", "fail", "image"}, names)

			out, err := c.callTool(ctx, "echo", json.RawMessage(`{"text":"hello"}`))
			require.NoError(t, err)
			require.Len(t, out.Content, 1)
			assert.Equal(t, &mcp.TextContent{Text: "hello"}, out.Content[0])
			assert.False(t, out.IsError)

			h = f.LastHeaders()
			assert.Equal(t, "application/json, text/event-stream", h.Get("Accept"))
			assert.Equal(t, "application/json", h.Get("Content-Type"))
			assert.Equal(t, wantSession, h.Get("Mcp-Session-Id"))
			assert.Equal(t, mcp.LatestVersion, h.Get("Mcp-Protocol-Version"))

			failed, err := c.callTool(ctx, "fail", nil)
			require.NoError(t, err, "a failing tool is a result, not an error")
			assert.True(t, failed.IsError)

			require.NoError(t, c.Close(ctx))
			assert.Empty(t, c.Session())
			minted, deleted, open := f.Stats()
			if tc.opts.Stateful {
				assert.Equal(t, [3]int{1, 1, 0}, [3]int{minted, deleted, open})
			} else {
				assert.Equal(t, [3]int{0, 0, 0}, [3]int{minted, deleted, open}, "no DELETE without a session")
			}
		})
	}
}

func TestClientCallInfo(t *testing.T) {
	_, url := fakemcp.Start(t, fakemcp.Options{ServedBy: "replica-x", SSE: true})
	c := newTestClient(t, url, &Options{ProtocolVersion: mcp.LatestVersion})
	raw, info, err := c.Call(t.Context(), mcp.MethodPing, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(raw))
	require.NotNil(t, info)
	assert.Equal(t, http.StatusOK, info.Status)
	assert.Equal(t, "replica-x", info.ServedBy)
	assert.Positive(t, info.Latency)
}

func TestClientHeaders(t *testing.T) {
	var got http.Header
	var host string
	url := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		got, host = r.Header.Clone(), r.Host
		id := requestID(t, r)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":`+id+`,"result":{}}`)
	})
	hdr := http.Header{"X-Tenant": {"blue, green"}, "Host": {"mcp.example"}}
	c := newTestClient(t, url, &Options{AuthToken: "s3cret", Header: hdr, ProtocolVersion: "2025-06-18"})
	_, _, err := c.Call(t.Context(), mcp.MethodPing, nil)
	require.NoError(t, err)
	assert.Equal(t, "Bearer s3cret", got.Get("Authorization"))
	assert.Equal(t, "blue, green", got.Get("X-Tenant"), "commas stay inside one header")
	assert.Equal(t, "mcp.example", host)
	assert.Equal(t, "2025-06-18", got.Get("Mcp-Protocol-Version"))
	assert.Empty(t, got.Get("Mcp-Session-Id"))
}

// hang answers nothing until the client gives up. It reads the body first: the server notices
// a closed connection (and cancels r's context) only once the body has been read.
func hang(_ http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

func TestClientErrors(t *testing.T) {
	jsonReply := func(body func(id string) string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			id := requestID(t, r)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, body(id))
		}
	}
	for _, tc := range []struct {
		name string
		// url starts the server for the case.
		url func(t *testing.T) string
		// do makes the failing request; nil means a ping with MCP-Protocol-Version.
		do       func(ctx context.Context, c *Client) error
		kind     string
		contains string
	}{
		{
			name: "unknown session",
			url: func(t *testing.T) string {
				_, u := fakemcp.Start(t, fakemcp.Options{Stateful: true})
				return u
			},
			do: func(ctx context.Context, c *Client) error {
				c.sessionID, c.protocolVersion = "no-such-session", mcp.LatestVersion
				_, _, err := c.Call(ctx, mcp.MethodToolsList, nil)
				return err
			},
			kind:     "http_404",
			contains: "tools/list: HTTP 404: session not found",
		},
		{
			name: "missing session",
			url: func(t *testing.T) string {
				_, u := fakemcp.Start(t, fakemcp.Options{Stateful: true})
				return u
			},
			kind:     "http_400",
			contains: "ping: HTTP 400: missing MCP-Session-Id",
		},
		{
			name: "status with a text body",
			url: func(t *testing.T) string {
				_, u := fakemcp.Start(t, fakemcp.Options{FailEvery: 1})
				return u
			},
			kind:     "http_503",
			contains: "HTTP 503: injected failure",
		},
		{
			name: "status without a body",
			url: func(t *testing.T) string {
				return startHandler(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
			},
			kind:     "http_502",
			contains: "HTTP 502: Bad Gateway",
		},
		{
			name: "method not found",
			url: func(t *testing.T) string {
				_, u := fakemcp.Start(t, fakemcp.Options{})
				return u
			},
			do: func(ctx context.Context, c *Client) error {
				_, _, err := c.Call(ctx, "no/such/method", nil)
				assert.ErrorIs(t, err, rpc.ErrMethodNotFound)
				return err
			},
			kind: "jsonrpc_-32601",
		},
		{
			name: "unknown tool over SSE",
			url: func(t *testing.T) string {
				_, u := fakemcp.Start(t, fakemcp.Options{SSE: true})
				return u
			},
			do: func(ctx context.Context, c *Client) error {
				_, err := c.callTool(ctx, "missing", nil)
				return err
			},
			kind:     "jsonrpc_-32602",
			contains: `unknown tool "missing"`,
		},
		{
			name: "error with a null id",
			url: func(t *testing.T) string {
				return startHandler(t, jsonReply(func(string) string {
					return `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}`
				}))
			},
			kind: "jsonrpc_-32700",
		},
		{
			name: "wrong content type",
			url: func(t *testing.T) string {
				return startHandler(t, func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "text/html")
					_, _ = io.WriteString(w, "<html>hi</html>")
				})
			},
			kind:     "malformed",
			contains: `Content-Type "text/html"`,
		},
		{
			name: "invalid JSON",
			url: func(t *testing.T) string {
				return startHandler(t, jsonReply(func(string) string { return `{"jsonrpc":` }))
			},
			kind:     "malformed",
			contains: "reply is not JSON-RPC",
		},
		{
			name: "another id",
			url: func(t *testing.T) string {
				return startHandler(t, jsonReply(func(string) string { return `{"jsonrpc":"2.0","id":999,"result":{}}` }))
			},
			kind:     "malformed",
			contains: "no response with id 1",
		},
		{
			name: "string id is not the number",
			url: func(t *testing.T) string {
				return startHandler(t, jsonReply(func(id string) string { return `{"jsonrpc":"2.0","id":"` + id + `","result":{}}` }))
			},
			kind: "malformed",
		},
		{
			name: "SSE stream ends without the response",
			url: func(t *testing.T) string {
				return startHandler(t, func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					_, _ = io.WriteString(w, "id: 1\ndata:\n\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n")
				})
			},
			kind:     "malformed",
			contains: "SSE stream ended before the response",
		},
		{
			name: "SSE event that is not JSON",
			url: func(t *testing.T) string {
				return startHandler(t, func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "text/event-stream")
					_, _ = io.WriteString(w, "data: hello\n\n")
				})
			},
			kind:     "malformed",
			contains: "SSE event is not JSON-RPC",
		},
		{
			name: "deadline",
			url: func(t *testing.T) string {
				return startHandler(t, hang)
			},
			do: func(ctx context.Context, c *Client) error {
				ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
				defer cancel()
				_, _, err := c.Call(ctx, mcp.MethodPing, nil)
				return err
			},
			kind: "timeout",
		},
		{
			name: "client timeout",
			url: func(t *testing.T) string {
				return startHandler(t, hang)
			},
			do: func(ctx context.Context, c *Client) error {
				hc := *c.hc
				hc.Timeout = 50 * time.Millisecond
				c.hc = &hc
				_, _, err := c.Call(ctx, mcp.MethodPing, nil)
				return err
			},
			kind: "timeout",
		},
		{
			name:     "connection refused",
			url:      fakemcp.ClosedURL,
			kind:     "transport",
			contains: "ping: Post",
		},
		{
			name: "connection reset",
			url: func(t *testing.T) string {
				return startHandler(t, func(w http.ResponseWriter, _ *http.Request) {
					conn, _, err := http.NewResponseController(w).Hijack()
					if assert.NoError(t, err) {
						_ = conn.Close()
					}
				})
			},
			kind: "transport",
		},
		{
			name: "notification answered with 200",
			url: func(t *testing.T) string {
				return startHandler(t, func(w http.ResponseWriter, r *http.Request) {
					id := requestID(t, r)
					w.Header().Set("Content-Type", "application/json")
					if id == "" {
						return // 200, empty
					}
					_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":`+id+`,"result":{"protocolVersion":"2025-11-25","capabilities":{},"serverInfo":{"name":"x","version":"1"}}}`)
				})
			},
			do: func(ctx context.Context, c *Client) error {
				_, err := c.Initialize(ctx)
				return err
			},
			kind:     "malformed",
			contains: "notifications/initialized: malformed reply: HTTP 200 to a notification, want 202 Accepted",
		},
		{
			name: "unsupported version",
			url: func(t *testing.T) string {
				return startHandler(t, jsonReply(func(id string) string {
					return `{"jsonrpc":"2.0","id":` + id + `,"result":{"protocolVersion":"1999-01-01","capabilities":{},"serverInfo":{"name":"x","version":"1"}}}`
				}))
			},
			do: func(ctx context.Context, c *Client) error {
				_, err := c.Initialize(ctx)
				return err
			},
			kind:     "malformed",
			contains: `protocol version "1999-01-01"`,
		},
		{
			name: "session id with a space",
			url: func(t *testing.T) string {
				return startHandler(t, func(w http.ResponseWriter, r *http.Request) {
					id := requestID(t, r)
					w.Header().Set("Mcp-Session-Id", "a b")
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":`+id+`,"result":{"protocolVersion":"2025-11-25","capabilities":{},"serverInfo":{"name":"x","version":"1"}}}`)
				})
			},
			do: func(ctx context.Context, c *Client) error {
				_, err := c.Initialize(ctx)
				return err
			},
			kind:     "malformed",
			contains: "0x21-0x7E",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, tc.url(t), &Options{ProtocolVersion: mcp.LatestVersion})
			do := tc.do
			if do == nil {
				do = func(ctx context.Context, c *Client) error {
					_, _, err := c.Call(ctx, mcp.MethodPing, nil)
					return err
				}
			}
			err := do(t.Context(), c)
			require.Error(t, err)
			assert.Equal(t, tc.kind, ErrorKind(err), "error: %v", err)
			if tc.contains != "" {
				assert.Contains(t, err.Error(), tc.contains)
			}
		})
	}
}

func TestErrorKind(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&StatusError{Code: 429, Body: "slow down"}, "http_429"},
		{errors.Join(errors.New("x"), rpc.NewError(-32001, "custom")), "jsonrpc_-32001"},
		{&TransportError{Err: errors.New("EOF")}, "transport"},
		{&TransportError{Err: context.DeadlineExceeded, timeout: true}, "timeout"},
		{context.Canceled, "canceled"},
		{&MalformedReplyError{Reason: "x"}, "malformed"},
		{errors.New("tool result has isError set"), "transport"}, // no kind of its own: the load generator adds one
	} {
		assert.Equal(t, tc.want, ErrorKind(tc.err), "%v", tc.err)
	}
}

func TestNewMCPClientURL(t *testing.T) {
	for _, u := range []string{"", "localhost:8080", "ftp://h/x", "http://", "http://[::1"} {
		_, err := New(u, nil)
		assert.Error(t, err, "%q", u)
	}
	_, err := New("https://example.com/mcp", nil)
	assert.NoError(t, err)
}
