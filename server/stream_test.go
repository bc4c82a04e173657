package server_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
	"github.com/minimcp/minimcp/sse"
)

// live starts a real HTTP server for tests that need streaming.
func live(t *testing.T, opts *server.Options) (*testServer, *server.Handler, *httptest.Server) {
	t.Helper()
	ts := newTestServer()
	h := server.New(ts.Server, opts)
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		require.NoError(t, h.Shutdown(context.Background()))
		hs.Close()
	})
	return ts, h, hs
}

func open(t *testing.T, ctx context.Context, hs *httptest.Server, method, body, session string, hdr ...string) *http.Response {
	t.Helper()
	r := req(method, body, session, hdr...)
	r.RequestURI = ""
	u := hs.URL + "/mcp"
	out, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(body))
	require.NoError(t, err)
	out.Header = r.Header
	resp, err := hs.Client().Do(out)
	require.NoError(t, err)
	return resp
}

func liveInit(t *testing.T, hs *httptest.Server) string {
	t.Helper()
	resp := open(t, context.Background(), hs, http.MethodPost, initBody, "")
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return resp.Header.Get("Mcp-Session-Id")
}

// nextData reads events until one with data and returns it.
func nextData(t *testing.T, dec *sse.Decoder) sse.Event {
	t.Helper()
	for {
		ev, err := dec.Next()
		require.NoError(t, err)
		if len(ev.Data) > 0 {
			return ev
		}
	}
}

func TestGetStream(t *testing.T) {
	ts, _, hs := live(t, nil)
	id := liveInit(t, hs)

	ctx, cancel := context.WithCancel(context.Background())
	get := open(t, ctx, hs, http.MethodGet, "", id)
	require.Equal(t, http.StatusOK, get.StatusCode)
	assert.Equal(t, "text/event-stream", get.Header.Get("Content-Type"))
	dec := sse.NewDecoder(get.Body, nil)

	second := open(t, context.Background(), hs, http.MethodGet, "", id)
	assert.Equal(t, http.StatusConflict, second.StatusCode, "one GET stream per session")
	second.Body.Close()

	mcp.AddTool(ts.Server, &mcp.Tool{Name: "added", Description: "Added."}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
	first := nextData(t, dec)
	assert.Equal(t, `{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}`, string(first.Data))
	require.NotEmpty(t, first.ID)

	// The client drops the stream; messages sent meanwhile are kept.
	cancel()
	get.Body.Close()
	ts.RemoveTools("added")
	ts.AddResource(&mcp.Resource{URI: "test://new", Name: "new"}, func(context.Context, *mcp.Request, string) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{}, nil
	})

	// Reconnecting with Last-Event-ID replays what followed, then the stream goes on live.
	var resumed *http.Response
	require.Eventually(t, func() bool { // the old stream's handler must notice the disconnect first
		resumed = open(t, context.Background(), hs, http.MethodGet, "", id, "Last-Event-ID", first.ID)
		if resumed.StatusCode == http.StatusConflict {
			resumed.Body.Close()
			return false
		}
		return true
	}, 5*time.Second, time.Millisecond)
	defer resumed.Body.Close()
	require.Equal(t, http.StatusOK, resumed.StatusCode)
	dec = sse.NewDecoder(resumed.Body, nil)
	assert.Equal(t, `{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}`, string(nextData(t, dec).Data))
	assert.Equal(t, `{"jsonrpc":"2.0","method":"notifications/resources/list_changed"}`, string(nextData(t, dec).Data))
	ts.RemoveResources("test://new")
	assert.Equal(t, `{"jsonrpc":"2.0","method":"notifications/resources/list_changed"}`, string(nextData(t, dec).Data))
}

func TestPostStreamReplay(t *testing.T) {
	_, _, hs := live(t, nil)
	id := liveInit(t, hs)
	resp := open(t, context.Background(), hs, http.MethodPost, call(2, "notify", `{}`), id)
	evs := events(t, resp.Body)
	resp.Body.Close()
	require.Len(t, evs, 4)
	// Resuming after the first notification replays the rest of that stream only.
	again := open(t, context.Background(), hs, http.MethodGet, "", id, "Last-Event-ID", evs[1].ID)
	replayed := events(t, again.Body)
	again.Body.Close()
	assert.Equal(t, dataOf(evs[2:]), dataOf(replayed))
}

func TestDisconnectCancelsHandler(t *testing.T) {
	// With polling on, the handler runs on its own goroutine, and a disconnect before the
	// server closed the connection itself still cancels it.
	for _, polling := range []bool{false, true} {
		t.Run(map[bool]string{false: "inline", true: "polling"}[polling], func(t *testing.T) {
			ts, _, hs := live(t, &server.Options{Polling: polling})
			id := liveInit(t, hs)
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				r, err := http.NewRequestWithContext(ctx, http.MethodPost, hs.URL+"/mcp", strings.NewReader(call(2, "block", `{}`)))
				if err == nil {
					r.Header = req(http.MethodPost, "", id).Header
					var resp *http.Response
					if resp, err = hs.Client().Do(r); err == nil {
						resp.Body.Close()
					}
				}
				errc <- err
			}()
			<-ts.started
			cancel()
			require.ErrorIs(t, <-ts.cancelled, context.Canceled, "the handler's context ends with the client's connection")
			require.Error(t, <-errc)
		})
	}
}

func TestDeletedSessionKeepsNoEvents(t *testing.T) {
	store := &server.MemoryEventStore{}
	ts, _, hs := live(t, &server.Options{Events: store})
	id := liveInit(t, hs)
	done := make(chan []sse.Event, 1)
	go func() {
		resp := open(t, context.Background(), hs, http.MethodPost, call(2, "stubborn", `{}`), id)
		defer resp.Body.Close()
		done <- events(t, resp.Body)
	}()
	<-ts.started
	require.Equal(t, 1, server.EventSessions(store), "the notification sent so far is stored")
	resp := open(t, context.Background(), hs, http.MethodDelete, "", id)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	// The handler outlives its session and writes once more, and its result, after the
	// session's events were deleted: none of it may stay in the store.
	close(ts.hold)
	<-done
	assert.Zero(t, server.EventSessions(store), "events appended after the session ended stay in the store")
	assert.Zero(t, store.Bytes())
}

func TestShutdownEndsStreamsAndWaits(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{Retry: 3 * time.Second})
	hs := httptest.NewServer(h)
	defer hs.Close()
	id := liveInit(t, hs)

	get := open(t, context.Background(), hs, http.MethodGet, "", id)
	defer get.Body.Close()
	callDone := make(chan string, 1)
	go func() {
		resp := open(t, context.Background(), hs, http.MethodPost, call(2, "block", `{}`), id)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		callDone <- string(b)
	}()
	<-ts.started

	// Shutdown does not return while the request runs; a short deadline says so.
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, h.Shutdown(short), context.DeadlineExceeded)

	// The GET stream ended with a retry hint for the client's reconnection.
	rest, err := io.ReadAll(bufio.NewReader(get.Body))
	require.NoError(t, err)
	assert.Contains(t, string(rest), "retry: 3000\n")

	close(ts.release)
	assert.Contains(t, <-callDone, `"text":"released"`, "the request in flight finished")
	require.NoError(t, h.Shutdown(context.Background()))
	resp := open(t, context.Background(), hs, http.MethodPost, initBody, "")
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}

func TestKeepAlive(t *testing.T) {
	_, _, hs := live(t, &server.Options{KeepAlive: 10 * time.Millisecond})
	id := liveInit(t, hs)
	get := open(t, context.Background(), hs, http.MethodGet, "", id)
	defer get.Body.Close()
	br := bufio.NewReader(get.Body)
	var lines []string
	for len(lines) < 3 {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		lines = append(lines, line)
	}
	assert.Equal(t, []string{"retry: 1000\n", "\n", ": keep-alive\n"}, lines,
		"the stream opens with the reconnection delay, then keep-alives while idle")
}

// failWriter is a ResponseWriter whose writes fail, like a client that stopped reading.
type failWriter struct {
	h    http.Header
	code int
}

func (w *failWriter) Header() http.Header       { return w.h }
func (w *failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }
func (w *failWriter) WriteHeader(code int)      { w.code = code }

// TestDeadClientEndsGetStream: when writing to a GET stream fails, the stream ends and frees
// the session's stream slot (and its busy mark, so it can expire) instead of waiting for a
// client that is gone.
func TestDeadClientEndsGetStream(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{KeepAlive: -1})
	defer shutdown(t, h)
	id := initialize(t, h)
	for range 2 {
		w := &failWriter{h: http.Header{}}
		h.ServeHTTP(w, req(http.MethodGet, "", id)) // returns: the first write fails
		assert.Equal(t, http.StatusOK, w.code, "not 409: the dead stream left the slot")
	}
	assert.Equal(t, http.StatusOK, do(h, req(http.MethodPost, ping, id)).Code)
}
