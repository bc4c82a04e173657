package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
	"github.com/minimcp/minimcp/sse"
)

// lastID returns the id of the last event that carries one.
func lastID(evs []sse.Event) string {
	id := ""
	for _, e := range evs {
		if e.ID != "" {
			id = e.ID
		}
	}
	return id
}

// closedPoll calls the "poll" tool and reads its POST answer to the end: the server closes
// the connection after the priming event, the first notification and a retry hint.
func closedPoll(t *testing.T, hs *httptest.Server, session string, id int) []sse.Event {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, hs.URL+"/mcp", strings.NewReader(call(id, "poll", `{}`)))
	require.NoError(t, err)
	r.Header = req(http.MethodPost, "", session).Header
	resp, err := hs.Client().Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	dec := sse.NewDecoder(resp.Body, nil)
	var evs []sse.Event
	for e, err := range dec.Events() {
		require.NoError(t, err)
		evs = append(evs, e)
	}
	retry, ok := dec.Retry()
	require.True(t, ok, "a retry hint comes before the server closes the connection")
	assert.Equal(t, server.DefaultRetry, retry)
	return evs
}

func TestPollingResumesAfterServerClose(t *testing.T) {
	ts, _, hs := live(t, &server.Options{Polling: true})
	id := liveInit(t, hs)

	evs := closedPoll(t, hs, id, 2)
	<-ts.started
	require.NotEmpty(t, evs)
	assert.NotEmpty(t, evs[0].ID, "a priming event with an id comes first")
	assert.Empty(t, evs[0].Data)
	data := dataOf(evs)
	require.Len(t, data, 1, "only the notification sent before the close, no result")
	assert.Contains(t, data[0], `"before"`)

	// The client resumes with a GET; the handler goes on and its rest arrives there.
	get := open(t, context.Background(), hs, http.MethodGet, "", id, "Last-Event-ID", lastID(evs))
	defer get.Body.Close()
	require.Equal(t, http.StatusOK, get.StatusCode)
	close(ts.hold)
	rest := events(t, get.Body)
	data = dataOf(rest)
	require.Len(t, data, 2, "the notification sent after the close, then the result; then the stream ends")
	assert.Contains(t, data[0], `"after"`)
	assert.Contains(t, data[1], `"id":2`)
	assert.Contains(t, data[1], `"text":"polled"`)
	for _, e := range rest {
		if len(e.Data) > 0 {
			assert.True(t, strings.HasPrefix(e.ID, strings.SplitN(evs[0].ID, "-", 2)[0]+"-"), "events keep the POST stream's ids: %s", e.ID)
		}
	}

	// A request that finished while the client was away is replayed whole, then the
	// stream ends.
	evs = closedPoll(t, hs, id, 3)
	<-ts.started
	again := open(t, context.Background(), hs, http.MethodGet, "", id, "Last-Event-ID", lastID(evs))
	data = dataOf(events(t, again.Body))
	again.Body.Close()
	require.Len(t, data, 2)
	assert.Contains(t, data[1], `"id":3`)
}

// detachedCall starts a polling server, opens a session and calls "poll", whose handler has
// closed its POST's connection and waits for ts.hold when it returns; resume opens a GET that
// resumes the call's stream.
func detachedCall(t *testing.T) (ts *testServer, hs *httptest.Server, id string, resume func() *http.Response) {
	t.Helper()
	ts, _, hs = live(t, &server.Options{Polling: true})
	id = liveInit(t, hs)
	evs := closedPoll(t, hs, id, 2)
	<-ts.started
	return ts, hs, id, func() *http.Response {
		return open(t, context.Background(), hs, http.MethodGet, "", id, "Last-Event-ID", lastID(evs))
	}
}

func TestPollingSecondResumeConflicts(t *testing.T) {
	ts, _, _, resume := detachedCall(t)
	first := resume()
	defer first.Body.Close()
	second := resume()
	second.Body.Close()
	assert.Equal(t, http.StatusConflict, second.StatusCode, "one connection carries a stream at a time")
	close(ts.hold)
	assert.Len(t, dataOf(events(t, first.Body)), 2)
}

func TestPollingDeleteCancelsDetachedHandler(t *testing.T) {
	ts, hs, id, resume := detachedCall(t)
	get := resume()
	defer get.Body.Close()
	del := open(t, context.Background(), hs, http.MethodDelete, "", id)
	del.Body.Close()
	require.Equal(t, http.StatusNoContent, del.StatusCode)
	require.ErrorContains(t, <-ts.cancelled, "session closed", "the session's end cancels a request that outlived its connection")
	assert.Empty(t, dataOf(events(t, get.Body)), "the resumed stream ends with the session")
}

func TestPollingShutdownWaitsForDetachedHandler(t *testing.T) {
	ts := newTestServer()
	h := server.New(ts.Server, &server.Options{Polling: true})
	hs := httptest.NewServer(h)
	defer hs.Close()
	id := liveInit(t, hs)
	closedPoll(t, hs, id, 2)
	<-ts.started
	// The POST has returned, but its handler runs: Shutdown waits for it.
	done, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, h.Shutdown(done), context.Canceled)
	close(ts.hold)
	require.NoError(t, h.Shutdown(context.Background()))
}

func TestCloseStreamNotClosable(t *testing.T) {
	for name, opts := range map[string]*server.Options{
		"polling off": {},
		"stateless":   {Stateless: true, Polling: true},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, hs := live(t, opts)
			id := ""
			if !opts.Stateless {
				id = liveInit(t, hs)
			}
			resp := open(t, context.Background(), hs, http.MethodPost, call(2, "poll", `{}`), id)
			defer resp.Body.Close()
			data := dataOf(events(t, resp.Body))
			require.Len(t, data, 2, "the stream stays open: the notification, then the result")
			assert.Contains(t, data[1], `"isError":true`)
			assert.Contains(t, data[1], "cannot be closed and resumed")
		})
	}
}

// TestPollingWorkersExit: a polling request's worker stays for the next request, serves it,
// and exits once idle for WorkerIdle; Shutdown then has nothing to wait for.
func TestPollingWorkersExit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer()
		h := server.New(ts.Server, &server.Options{Polling: true})
		defer shutdown(t, h)
		id := initialize(t, h)
		for i := range 3 {
			w := do(h, req(http.MethodPost, call(2+i, "echo", `{"text":"hi"}`), id))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Contains(t, w.Body.String(), `"text":"hi"`)
			synctest.Wait()
			assert.Equal(t, 1, server.Active(h), "one idle worker, reused by every request")
		}
		time.Sleep(server.WorkerIdle - time.Second)
		synctest.Wait()
		assert.Equal(t, 1, server.Active(h), "still waiting for a request")
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.Zero(t, server.Active(h), "the idle worker has exited")
	})
}

// TestPollingConcurrentResumes races handlers that finish right after closing their stream
// against the clients' resuming GETs: whichever comes first, every client gets its result
// exactly once, live or replayed.
func TestPollingConcurrentResumes(t *testing.T) {
	ts, _, hs := live(t, &server.Options{Polling: true})
	close(ts.hold) // the handlers go on at once after closing their stream
	id := liveInit(t, hs)
	const n = 16
	var wg sync.WaitGroup
	results := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			evs := closedPoll(t, hs, id, 100+i)
			get := open(t, context.Background(), hs, http.MethodGet, "", id, "Last-Event-ID", lastID(evs))
			defer get.Body.Close()
			data := dataOf(events(t, get.Body))
			if assert.Len(t, data, 2, "call %d", 100+i) {
				results <- data[1]
			}
		})
	}
	wg.Wait()
	close(results)
	seen := map[string]bool{}
	for r := range results {
		assert.Contains(t, r, `"text":"polled"`)
		seen[r] = true
	}
	assert.Len(t, seen, n, "each call got its own result")
	for range n {
		<-ts.started
	}
}

// TestPollAfterClosesLongCalls: with PollAfter the transport closes a long call's connection
// itself, without the handler asking; quick calls are answered as before.
func TestPollAfterClosesLongCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer()
		h := server.New(ts.Server, &server.Options{PollAfter: 5 * time.Second})
		defer shutdown(t, h)
		id := initialize(t, h)

		w := do(h, req(http.MethodPost, call(2, "echo", `{"text":"hi"}`), id))
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"), "a quick call is plain JSON")

		post := httptest.NewRecorder()
		posted := make(chan struct{})
		go func() {
			h.ServeHTTP(post, req(http.MethodPost, call(3, "block", `{}`), id))
			close(posted)
		}()
		<-ts.started
		time.Sleep(5*time.Second - time.Millisecond)
		synctest.Wait()
		select {
		case <-posted:
			t.Fatal("the connection was closed before PollAfter")
		default:
		}
		time.Sleep(time.Millisecond)
		<-posted
		assert.Equal(t, "text/event-stream", post.Header().Get("Content-Type"))
		assert.Contains(t, post.Body.String(), "retry: 1000\n", "a retry hint before the close")
		evs := events(t, post.Body)
		require.NotEmpty(t, evs)
		assert.NotEmpty(t, evs[0].ID, "the priming event gives the client an id to resume from")
		assert.Empty(t, dataOf(evs), "no result yet")

		get := httptest.NewRecorder()
		resumed := make(chan struct{})
		go func() {
			h.ServeHTTP(get, req(http.MethodGet, "", id, "Last-Event-ID", lastID(evs)))
			close(resumed)
		}()
		synctest.Wait() // the GET carries the call's stream now
		close(ts.release)
		<-resumed
		data := dataOf(events(t, get.Body))
		require.Len(t, data, 1)
		assert.Contains(t, data[0], `"id":3`)
		assert.Contains(t, data[0], `"text":"released"`)
	})
}

// A detached request whose resumed stream died on a write (not closed by the server) still
// has what it sends stored: Send must not fail, or a server-to-client request is forgotten
// while the client, resuming, receives it and answers.
func TestDetachedSendAfterFailedResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer()
		mcp.AddTool(ts.Server, &mcp.Tool{Name: "pollsample"},
			func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
				if err := req.CloseStream(ctx); err != nil {
					return "", err
				}
				ts.started <- "pollsample"
				<-ts.hold
				res, err := req.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 10,
					Messages: []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: "hi"}}}})
				if err != nil {
					return "", err
				}
				return "model=" + res.Model, nil
			})
		h := server.New(ts.Server, &server.Options{Polling: true, KeepAlive: -1})
		defer shutdown(t, h)
		id := initialize(t, h)

		post := do(h, req(http.MethodPost, call(2, "pollsample", `{}`), id))
		<-ts.started
		require.Equal(t, http.StatusOK, post.Code)
		last := lastID(events(t, post.Body))

		// The client resumes on a connection that is already dead.
		h.ServeHTTP(&failWriter{h: http.Header{}}, req(http.MethodGet, "", id, "Last-Event-ID", last))
		close(ts.hold) // the handler sends sampling/createMessage now
		synctest.Wait()

		reply := `{"jsonrpc":"2.0","id":1,"result":{"model":"m","role":"assistant","content":{"type":"text","text":"x"}}}`
		require.Equal(t, http.StatusAccepted, do(h, req(http.MethodPost, reply, id)).Code)
		synctest.Wait()
		get := httptest.NewRecorder()
		h.ServeHTTP(get, req(http.MethodGet, "", id, "Last-Event-ID", last))
		data := dataOf(events(t, get.Body))
		require.Len(t, data, 2, "the stored request, then the result")
		assert.Contains(t, data[0], `"method":"sampling/createMessage"`)
		assert.Contains(t, data[1], "model=m")
	})
}
