package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
	"github.com/minimcp/minimcp/sse"
)

// relayInit declares sampling and elicitation, for the round trips of the scale-out tests.
const relayInit = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"sampling":{},"elicitation":{}},"clientInfo":{"name":"t","version":"1"}}}`

// relayCluster is n replicas sharing a session store, an event store and a relay, behind a
// round-robin balancer with no affinity.
type relayCluster struct {
	lb *httptest.Server
	// servers maps each replica's X-Served-By to its test server.
	servers map[string]*testServer
	store   *server.MemorySessionStore
}

func newRelayCluster(t *testing.T, n int) *relayCluster {
	t.Helper()
	c := &relayCluster{servers: map[string]*testServer{}, store: &server.MemorySessionStore{}}
	opts := server.Options{Sessions: c.store, Events: &server.MemoryEventStore{}, Relay: &server.MemoryRelay{}, Polling: true}
	var urls []string
	for i := range n {
		o := opts
		o.ReplicaID = fmt.Sprintf("replica-%c", 'a'+i)
		ts := newTestServer()
		addRelayTools(ts)
		c.servers[o.ReplicaID] = ts
		h := server.New(ts.Server, &o)
		hs := httptest.NewServer(h)
		t.Cleanup(func() {
			hs.CloseClientConnections()
			require.NoError(t, h.Shutdown(context.Background()))
			hs.Close()
		})
		urls = append(urls, hs.URL)
	}
	c.lb = balancer(t, parseURLs(t, urls), false)
	return c
}

// addRelayTools adds the tools of the scale-out tests: elicitation, progress, and a
// notification sent on the session's GET stream.
func addRelayTools(ts *testServer) {
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "ask", Description: "Elicits a name."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			res, err := req.Elicit(ctx, &mcp.ElicitParams{Message: "name?", RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s %v", res.Action, res.Content["name"]), nil
		})
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "count", Description: "Reports progress twice."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			for i := 1; i <= 2; i++ {
				if err := req.Progress(ctx, float64(i), 2, ""); err != nil {
					return "", err
				}
			}
			return "counted", nil
		})
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "announce", Description: "Sends a list_changed on the session's stream."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			return "announced", req.Session().Notify(ctx, mcp.NotificationToolListChanged, nil)
		})
}

// open sends a request through the balancer; the caller reads and closes the body.
func (c *relayCluster) open(t *testing.T, ctx context.Context, method, body, session string, hdr ...string) *http.Response {
	t.Helper()
	r, err := http.NewRequestWithContext(ctx, method, c.lb.URL+"/mcp", strings.NewReader(body))
	require.NoError(t, err)
	r.Header = req(method, body, session, append([]string{"MCP-Protocol-Version", "2025-11-25"}, hdr...)...).Header
	resp, err := c.lb.Client().Do(r)
	require.NoError(t, err)
	return resp
}

// post sends a request and reads the whole answer: status, body, replica.
func (c *relayCluster) post(t *testing.T, body, session string) (int, string, string) {
	t.Helper()
	resp := c.open(t, context.Background(), http.MethodPost, body, session)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp.Header.Get("X-Served-By")
}

// started returns the replica whose test server started the tool.
func (c *relayCluster) started(t *testing.T, tool string) string {
	t.Helper()
	var names []string
	var cases []reflect.SelectCase
	for name, ts := range c.servers {
		names = append(names, name)
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ts.started)})
	}
	guard := time.NewTimer(10 * time.Second) // a failure guard, not a timing
	defer guard.Stop()
	cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(guard.C)})
	i, v, _ := reflect.Select(cases)
	require.Less(t, i, len(names), "no replica started %s", tool)
	require.Equal(t, tool, v.String())
	return names[i]
}

func parseURLs(t *testing.T, raw []string) []*url.URL {
	t.Helper()
	var out []*url.URL
	for _, s := range raw {
		u, err := url.Parse(s)
		require.NoError(t, err)
		out = append(out, u)
	}
	return out
}

// stream reads the data events of an SSE answer as they come.
type stream struct {
	resp *http.Response
	dec  *sse.Decoder
}

func newStream(t *testing.T, resp *http.Response) *stream {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	t.Cleanup(func() { resp.Body.Close() })
	return &stream{resp: resp, dec: sse.NewDecoder(bufio.NewReader(resp.Body), nil)}
}

// next returns the next event with data.
func (s *stream) next(t *testing.T) sse.Event {
	t.Helper()
	return nextData(t, s.dec)
}

// rest reads the stream to its end and returns the data of its events.
func (s *stream) rest(t *testing.T) []sse.Event {
	t.Helper()
	var out []sse.Event
	for ev, err := range s.dec.Events() {
		require.NoError(t, err)
		if len(ev.Data) > 0 {
			out = append(out, ev)
		}
	}
	return out
}

// message decodes a JSON-RPC message of an event.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code int64 `json:"code"`
	} `json:"error"`
}

func decodeMessage(t *testing.T, ev sse.Event) message {
	t.Helper()
	var m message
	require.NoError(t, json.Unmarshal(ev.Data, &m), string(ev.Data))
	return m
}

// A whole session on three replicas behind a round-robin balancer with no affinity: every
// request lands on another replica than the one before, and each works. The replies to
// sampling and elicitation requests reach the call waiting on another replica, a
// cancellation reaches the call it names, a stream dropped by the server is resumed on
// another replica (replayed, then live, until the response), a message a replica sends on
// the session's stream reaches the GET stream open on another, and DELETE ends the
// session's streams and calls on every replica.
func TestScaleOutRelayWholeSession(t *testing.T) {
	c := newRelayCluster(t, 3)
	resp := c.open(t, context.Background(), http.MethodPost, relayInit, "")
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	session := resp.Header.Get("Mcp-Session-Id")
	code, _, _ := c.post(t, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, session)
	require.Equal(t, http.StatusAccepted, code)

	t.Run("tools on every replica", func(t *testing.T) {
		served := map[string]bool{}
		for i := range 3 {
			code, body, replica := c.post(t, call(10+i, "echo", `{"text":"hi"}`), session)
			require.Equal(t, http.StatusOK, code, body)
			assert.Contains(t, body, "hi")
			served[replica] = true
		}
		assert.Len(t, served, 3)
	})

	// roundTrip calls tool, answers the request it sends the client on another replica, and
	// returns the tool's result.
	roundTrip := func(t *testing.T, id int, tool, wantMethod, reply string) string {
		st := newStream(t, c.open(t, context.Background(), http.MethodPost, call(id, tool, `{}`), session))
		callReplica := st.resp.Header.Get("X-Served-By")
		m := decodeMessage(t, st.next(t))
		require.Equal(t, wantMethod, m.Method)
		require.Contains(t, string(m.ID), "-", "a string id naming the replica: %s", m.ID)
		code, body, replica := c.post(t, fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"result":%s}`, m.ID, reply), session)
		require.Equal(t, http.StatusAccepted, code, body)
		require.NotEqual(t, callReplica, replica, "the reply lands on another replica")
		evs := st.rest(t)
		require.NotEmpty(t, evs)
		return string(evs[len(evs)-1].Data)
	}
	t.Run("sampling", func(t *testing.T) {
		got := roundTrip(t, 20, "sample", "sampling/createMessage", `{"role":"assistant","content":{"type":"text","text":"ok"},"model":"m-1"}`)
		assert.Contains(t, got, "m-1")
	})
	t.Run("elicitation", func(t *testing.T) {
		got := roundTrip(t, 21, "ask", "elicitation/create", `{"action":"accept","content":{"name":"Ada"}}`)
		assert.Contains(t, got, "accept Ada")
	})

	t.Run("progress", func(t *testing.T) {
		st := newStream(t, c.open(t, context.Background(), http.MethodPost,
			`{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":"count","arguments":{},"_meta":{"progressToken":"p"}}}`, session))
		evs := st.rest(t)
		require.Len(t, evs, 3)
		for i, ev := range evs[:2] {
			m := decodeMessage(t, ev)
			assert.Equal(t, "notifications/progress", m.Method)
			assert.Contains(t, string(m.Params), fmt.Sprintf(`"progress":%d`, i+1))
		}
		assert.Contains(t, string(evs[2].Data), "counted")
	})

	t.Run("cancellation from another replica", func(t *testing.T) {
		answer := make(chan string, 1)
		go func() {
			resp := c.open(t, context.Background(), http.MethodPost, call(23, "block", `{}`), session)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			answer <- string(b)
		}()
		running := c.started(t, "block")
		code, _, replica := c.post(t, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":23,"reason":"changed my mind"}}`, session)
		require.Equal(t, http.StatusAccepted, code)
		require.NotEqual(t, running, replica)
		assert.ErrorContains(t, <-c.servers[running].cancelled, "changed my mind")
		assert.Contains(t, <-answer, fmt.Sprint(server.CodeRequestCancelled))
	})

	t.Run("stream resumed on another replica", func(t *testing.T) {
		st := newStream(t, c.open(t, context.Background(), http.MethodPost, call(24, "poll", `{}`), session))
		running := st.resp.Header.Get("X-Served-By")
		before := st.rest(t) // the server closes the connection after the first log
		require.Len(t, before, 1)
		assert.Contains(t, string(before[0].Data), "before")
		c.started(t, "poll")

		get := newStream(t, c.open(t, context.Background(), http.MethodGet, "", session, "Last-Event-ID", before[0].ID))
		require.NotEqual(t, running, get.resp.Header.Get("X-Served-By"), "resumed on another replica")
		close(c.servers[running].hold) // the call goes on, and ends
		evs := get.rest(t)
		require.Len(t, evs, 2, "live from the shared store: the second log, then the response")
		assert.Contains(t, string(evs[0].Data), "after")
		assert.Contains(t, string(evs[1].Data), "polled")
	})

	t.Run("a message sent on another replica reaches the GET stream", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		get := newStream(t, c.open(t, ctx, http.MethodGet, "", session))
		code, body, replica := c.post(t, call(25, "announce", `{}`), session)
		require.Equal(t, http.StatusOK, code, body)
		require.NotEqual(t, get.resp.Header.Get("X-Served-By"), replica)
		assert.Equal(t, mcp.NotificationToolListChanged, decodeMessage(t, get.next(t)).Method)
	})

	t.Run("DELETE ends streams and calls everywhere", func(t *testing.T) {
		get := newStream(t, c.open(t, context.Background(), http.MethodGet, "", session))
		answer := make(chan string, 1)
		go func() {
			resp := c.open(t, context.Background(), http.MethodPost, call(26, "block", `{}`), session)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			answer <- string(b)
		}()
		running := c.started(t, "block")
		resp := c.open(t, context.Background(), http.MethodDelete, "", session)
		resp.Body.Close()
		require.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.Empty(t, get.rest(t), "the GET stream ends, wherever it was")
		assert.ErrorContains(t, <-c.servers[running].cancelled, "session")
		<-answer
		code, _, _ = c.post(t, call(27, "echo", `{"text":"hi"}`), session)
		assert.Equal(t, http.StatusNotFound, code)
	})
}
