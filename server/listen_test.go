package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
	"github.com/minimcp/minimcp/sse"
)

// listenBody is a 2026-07-28 subscriptions/listen with id (raw JSON) and filter (a JSON
// object, or "" for no notifications member).
func listenBody(id, filter string) string {
	notifications := ""
	if filter != "" {
		notifications = `,"notifications":` + filter
	}
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"method":"subscriptions/listen","params":{%s%s}}`, id, modernMeta, notifications)
}

// listenHeaders are the standard headers of a subscriptions/listen POST, as postHead takes
// them.
var listenHeaders = []string{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: subscriptions/listen"}

// openListen POSTs a listen to the real server at url and returns the response, its stream
// open; cancel ctx to close it. principal, if not empty, goes in X-Principal.
func openListen(t *testing.T, ctx context.Context, url, id, filter, principal string) *http.Response {
	t.Helper()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/mcp", strings.NewReader(listenBody(id, filter)))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json, text/event-stream")
	r.Header.Set("MCP-Protocol-Version", mcp.Version20260728)
	r.Header.Set("Mcp-Method", mcp.MethodSubscriptionsListen)
	if principal != "" {
		r.Header.Set("X-Principal", principal)
	}
	resp, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// listenMsg is a message of a listen stream, decoded.
type listenMsg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		Meta          map[string]json.RawMessage `json:"_meta"`
		Notifications json.RawMessage            `json:"notifications"`
		URI           string                     `json:"uri"`
		RequestID     json.RawMessage            `json:"requestId"`
	} `json:"params"`
	Result *struct {
		ResultType string                     `json:"resultType"`
		Meta       map[string]json.RawMessage `json:"_meta"`
	} `json:"result"`
	Error *struct {
		Code    int64  `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func decodeListenMsg(t *testing.T, data []byte) listenMsg {
	t.Helper()
	var m listenMsg
	require.NoError(t, json.Unmarshal(data, &m), string(data))
	return m
}

// nextMsg reads the next event of a listen stream.
func nextMsg(t *testing.T, dec *sse.Decoder) listenMsg {
	t.Helper()
	ev, err := dec.Next()
	require.NoError(t, err)
	return decodeListenMsg(t, ev.Data)
}

// subID returns the subscription id a message is tagged with, "" when untagged.
func (m *listenMsg) subID() string {
	meta := m.Params.Meta
	if m.Result != nil {
		meta = m.Result.Meta
	}
	return string(meta[mcp.MetaSubscriptionID])
}

// TestListenHTTP: a subscriptions/listen POST is answered with an SSE stream, stateful and
// stateless alike: the acknowledgment first, with the part of the filter the server honors
// (no prompts registered: promptsListChanged left out; duplicate URIs once), then only the
// notifications asked for, each tagged with the listen's id (MCP 2026-07-28, Basic §
// Subscriptions). Shutdown ends it with the graceful-closure result. A handler that answers
// in JSON streams a listen all the same: there is no other way to carry it.
func TestListenHTTP(t *testing.T) {
	for _, md := range append(modes, struct {
		name string
		opts server.Options
	}{"json answers", server.Options{Response: server.ResponseJSON}}) {
		t.Run(md.name, func(t *testing.T) {
			ts := newTestServer()
			h := server.New(ts.Server, &md.opts)
			hs := httptest.NewServer(h)
			defer hs.Close()

			resp := openListen(t, t.Context(), hs.URL, `"s1"`,
				`{"toolsListChanged":true,"promptsListChanged":true,"resourceSubscriptions":["test://r","test://r"]}`, "")
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
			assert.Empty(t, resp.Header.Get("Mcp-Session-Id"))
			dec := sse.NewDecoder(resp.Body, nil)

			ack := nextMsg(t, dec)
			assert.Equal(t, mcp.NotificationSubscriptionsAcknowledged, ack.Method)
			assert.Equal(t, `"s1"`, ack.subID())
			assert.JSONEq(t, `{"toolsListChanged":true,"resourceSubscriptions":["test://r"]}`, string(ack.Params.Notifications))
			assert.Equal(t, 1, h.ListenCount())

			// Not asked for: the resource list, another resource. Then what was asked for,
			// which must come next.
			ts.AddResource(&mcp.Resource{URI: "test://new", Name: "new"}, func(context.Context, *mcp.Request, string) (*mcp.ReadResourceResult, error) {
				return &mcp.ReadResourceResult{}, nil
			})
			ts.ResourceUpdated(t.Context(), "test://new")
			ts.ResourceUpdated(t.Context(), "test://r")
			m := nextMsg(t, dec)
			assert.Equal(t, mcp.NotificationResourceUpdated, m.Method)
			assert.Equal(t, "test://r", m.Params.URI)
			assert.Equal(t, `"s1"`, m.subID())

			mcp.AddTool(ts.Server, &mcp.Tool{Name: "late"}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
			m = nextMsg(t, dec)
			assert.Equal(t, mcp.NotificationToolListChanged, m.Method)
			assert.Equal(t, `"s1"`, m.subID())

			shut := make(chan error, 1)
			go func() { shut <- h.Shutdown(t.Context()) }()
			m = nextMsg(t, dec)
			require.NotNil(t, m.Result, "the graceful-closure result")
			assert.Equal(t, `"s1"`, string(m.ID))
			assert.Equal(t, "complete", m.Result.ResultType)
			assert.Equal(t, `"s1"`, m.subID())
			assert.Contains(t, m.Result.Meta, "io.modelcontextprotocol/serverInfo")
			_, err := dec.Next()
			assert.ErrorIs(t, err, io.EOF, "the stream ends after the result")
			require.NoError(t, <-shut)
			assert.Zero(t, h.ListenCount())
		})
	}
}

// TestListenInvalid: a listen the server cannot serve is refused with an error naming what is
// wrong, never a stream.
func TestListenInvalid(t *testing.T) {
	srv := newTestServer().Server
	small := mcp.NewServer(nil, &mcp.ServerOptions{MaxSubscriptions: 2, MaxURILength: 10})
	for _, tc := range []struct {
		name    string
		srv     *mcp.Server
		body    string
		hdr     []string
		status  int
		code    int64
		message string
	}{
		{"no notifications", srv, listenBody("1", ""), nil, http.StatusOK, -32602, "params.notifications is required"},
		{"notifications null", srv, listenBody("1", "null"), nil, http.StatusOK, -32602, "params.notifications is required"},
		{"not an object", srv, listenBody("1", "[]"), nil, http.StatusOK, -32602, "notifications"},
		{"uris not an array", srv, listenBody("1", `{"resourceSubscriptions":"test://r"}`), nil, http.StatusOK, -32602, "resourceSubscriptions"},
		{"empty uri", srv, listenBody("1", `{"resourceSubscriptions":["test://r",""]}`), nil, http.StatusOK, -32602, "resourceSubscriptions[1] is empty"},
		{"uri too long", small, listenBody("1", `{"resourceSubscriptions":["test://a-long-one"]}`), nil, http.StatusOK, -32602, "more than the 10 allowed"},
		{"too many uris", small, listenBody("1", `{"resourceSubscriptions":["a:1","a:2","a:1","a:3"]}`), nil, http.StatusOK, -32602, "names 3 resources, more than the 2"},
		{"no SSE", srv, listenBody("1", `{}`), []string{"Accept", "application/json"}, http.StatusNotAcceptable, -32600, "Accept must allow text/event-stream"},
		{"SSE only", srv, listenBody("1", ""), []string{"Accept", "text/event-stream"}, http.StatusOK, -32602, "params.notifications is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := server.New(tc.srv, nil)
			defer h.Shutdown(t.Context())
			w := do(h, modernReq(tc.body, mcp.MethodSubscriptionsListen, "", tc.hdr...))
			require.Equal(t, tc.status, w.Code, w.Body.String())
			want := "application/json"
			if tc.name == "SSE only" {
				want = "text/event-stream" // what the client takes
			}
			assert.Equal(t, want, w.Header().Get("Content-Type"))
			m := decodeListenMsg(t, []byte(replyBody(t, w.Header(), w.Body.String())))
			assert.Equal(t, "1", string(m.ID))
			require.NotNil(t, m.Error, w.Body.String())
			assert.Equal(t, tc.code, m.Error.Code)
			assert.Contains(t, m.Error.Message, tc.message)
			assert.Zero(t, h.ListenCount())
		})
	}

	t.Run("session era", func(t *testing.T) {
		// The method is the 2026-07-28 revision's: a session does not know it.
		h := server.New(srv, nil)
		defer h.Shutdown(t.Context())
		sid := initialize(t, h)
		w := do(h, req(http.MethodPost, `{"jsonrpc":"2.0","id":2,"method":"subscriptions/listen","params":{"notifications":{}}}`, sid,
			"MCP-Protocol-Version", mcp.Version20251125))
		m := decodeListenMsg(t, []byte(replyBody(t, w.Header(), w.Body.String())))
		require.NotNil(t, m.Error)
		assert.EqualValues(t, -32601, m.Error.Code)
	})
}

// TestListenLimits: Options.MaxListens bounds the streams open at once (503), and
// Options.MaxListensPerPrincipal those of one principal (429), both with Retry-After and the
// request's id; closing a stream frees its place.
func TestListenLimits(t *testing.T) {
	refused := func(t *testing.T, resp *http.Response, status int, id string) {
		t.Helper()
		require.Equal(t, status, resp.StatusCode)
		assert.Equal(t, "1", resp.Header.Get("Retry-After"))
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		m := decodeListenMsg(t, body)
		assert.Equal(t, id, string(m.ID))
		require.NotNil(t, m.Error)
		assert.Equal(t, server.CodeServerError, m.Error.Code)
	}
	ack := func(t *testing.T, resp *http.Response) {
		t.Helper()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, mcp.NotificationSubscriptionsAcknowledged, nextMsg(t, sse.NewDecoder(resp.Body, nil)).Method)
	}

	t.Run("total", func(t *testing.T) {
		h := server.New(newTestServer().Server, &server.Options{Stateless: true, MaxListens: 1})
		hs := httptest.NewServer(h)
		defer hs.Close()
		defer h.Shutdown(t.Context())
		ctx, cancel := context.WithCancel(t.Context())
		ack(t, openListen(t, ctx, hs.URL, "1", `{}`, ""))
		refused(t, openListen(t, t.Context(), hs.URL, "2", `{}`, ""), http.StatusServiceUnavailable, "2")
		require.NoError(t, h.Shutdown(t.Context()))
		cancel()
		assert.Zero(t, h.ListenCount())
		// Draining: no new stream, which would end at once.
		refused(t, openListen(t, t.Context(), hs.URL, "3", `{}`, ""), http.StatusServiceUnavailable, "3")
	})

	t.Run("per principal", func(t *testing.T) {
		h := server.New(newTestServer().Server, &server.Options{MaxListens: 10, MaxListensPerPrincipal: 1,
			Authenticate: func(r *http.Request) (string, error) {
				if p := r.Header.Get("X-Principal"); p != "" {
					return p, nil
				}
				return "", errors.New("who are you")
			}})
		hs := httptest.NewServer(h)
		defer hs.Close()
		defer h.Shutdown(t.Context())
		ack(t, openListen(t, t.Context(), hs.URL, "1", `{}`, "alice"))
		refused(t, openListen(t, t.Context(), hs.URL, "2", `{}`, "alice"), http.StatusTooManyRequests, "2")
		ack(t, openListen(t, t.Context(), hs.URL, "3", `{}`, "bob"))
		assert.Equal(t, 2, h.ListenCount())
		require.NoError(t, h.Shutdown(t.Context()))
		assert.Zero(t, h.ListenCount())
	})
}

// pipeListen opens a listen on a connection of its own to ps and returns the connection and
// the stream's lines, read in the background until the stream ends (the channel is closed
// then).
func pipeListen(t *testing.T, ps *pipeServer, filter string) (c interface{ Close() error }, lines <-chan string) {
	t.Helper()
	conn := ps.dial(t)
	body := listenBody("7", filter)
	postHead(t, conn, "/mcp", len(body), listenHeaders...)
	_, err := io.WriteString(conn, body)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	ch := make(chan string, 64)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if sc.Text() != "" {
				ch <- sc.Text()
			}
		}
	}()
	return conn, ch
}

// TestListenKeepAliveAndDisconnect: an idle listen stream carries keep-alive comments at
// Options.KeepAlive (MCP 2026-07-28, Transports § Streamable HTTP); a client that closes its
// connection ends the listen: its place and its bus subscription are freed.
func TestListenKeepAliveAndDisconnect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := &mcp.MemoryBus{}
		srv := mcp.NewServer(nil, &mcp.ServerOptions{Bus: bus})
		mcp.AddTool(srv, &mcp.Tool{Name: "t"}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
		h := server.New(srv, &server.Options{KeepAlive: 5 * time.Second})
		ps := newPipeServer(t, h)
		c, lines := pipeListen(t, ps, `{"toolsListChanged":true}`)
		assert.Contains(t, <-lines, mcp.NotificationSubscriptionsAcknowledged)

		time.Sleep(5*time.Second + time.Millisecond)
		synctest.Wait()
		select {
		case l := <-lines:
			assert.Equal(t, ": keep-alive", l)
		default:
			t.Fatal("no keep-alive after the interval")
		}
		assert.Equal(t, 1, h.ListenCount())
		assert.Equal(t, 1, bus.Subscribers())

		require.NoError(t, c.Close())
		synctest.Wait()
		assert.Zero(t, h.ListenCount(), "the listen ended with its connection")
		assert.Zero(t, bus.Subscribers())
		require.NoError(t, h.Shutdown(t.Context()))
	})
}

// TestListenStuckClient: a client that stops reading its listen stream loses it once a write
// (a keep-alive) times out (Options.WriteTimeout): the listen ends then, not at the next
// change or at shutdown.
func TestListenStuckClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := mcp.NewServer(nil, nil)
		h := server.New(srv, &server.Options{KeepAlive: 5 * time.Second, WriteTimeout: 10 * time.Second})
		ps := newPipeServer(t, h)
		conn := ps.dial(t)
		body := listenBody("7", `{}`)
		postHead(t, conn, "/mcp", len(body), listenHeaders...)
		_, err := io.WriteString(conn, body)
		require.NoError(t, err)
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		ev, err := sse.NewDecoder(resp.Body, nil).Next()
		require.NoError(t, err)
		assert.Contains(t, string(ev.Data), mcp.NotificationSubscriptionsAcknowledged)
		assert.Equal(t, 1, h.ListenCount())

		// The client reads nothing more: the keep-alive at 5 s blocks, and fails at 15 s.
		time.Sleep(16 * time.Second)
		synctest.Wait()
		assert.Zero(t, h.ListenCount(), "the listen ended when its stream failed")
		require.NoError(t, h.Shutdown(t.Context()))
	})
}

// TestListenServeShutdown: Serve's drain ends an open listen stream with its graceful-closure
// result, then closes the listener, well within the shutdown timeout.
func TestListenServeShutdown(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{Stateless: true})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- server.Serve(ctx, ln, h, &server.ServeOptions{ShutdownTimeout: time.Minute}) }()

	resp := openListen(t, t.Context(), "http://"+ln.Addr().String(), "4", `{"toolsListChanged":true}`, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	dec := sse.NewDecoder(resp.Body, nil)
	assert.Equal(t, mcp.NotificationSubscriptionsAcknowledged, nextMsg(t, dec).Method)

	cancel()
	m := nextMsg(t, dec)
	require.NotNil(t, m.Result)
	assert.Equal(t, "4", string(m.ID))
	assert.Equal(t, "complete", m.Result.ResultType)
	require.NoError(t, <-done, "a clean shutdown, not ErrShutdownTimeout")
	http.DefaultClient.CloseIdleConnections()
}
