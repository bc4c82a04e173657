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
	"slices"
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

// relayCluster is n replicas sharing a session store, an event store, a relay and a bus,
// behind a round-robin balancer with no affinity.
type relayCluster struct {
	lb *httptest.Server
	// servers maps each replica's X-Served-By to its test server, handlers to its handler.
	servers  map[string]*testServer
	handlers map[string]*server.Handler
	store    *server.MemorySessionStore
	events   *server.MemoryEventStore
	bus      *mcp.MemoryBus
}

func newRelayCluster(t *testing.T, n int) *relayCluster {
	t.Helper()
	c := &relayCluster{servers: map[string]*testServer{}, handlers: map[string]*server.Handler{},
		store: &server.MemorySessionStore{}, events: &server.MemoryEventStore{}, bus: &mcp.MemoryBus{}}
	opts := server.Options{Sessions: c.store, Events: c.events, Relay: &server.MemoryRelay{}, Polling: true}
	var urls []string
	for i := range n {
		o := opts
		o.ReplicaID = fmt.Sprintf("replica-%c", 'a'+i)
		ts := newTestServerWith(&mcp.ServerOptions{Bus: c.bus})
		addRelayTools(ts)
		c.servers[o.ReplicaID] = ts
		h := server.New(ts.Server, &o)
		c.handlers[o.ReplicaID] = h
		hs := httptest.NewServer(h)
		t.Cleanup(func() {
			hs.CloseClientConnections()
			require.NoError(t, h.Shutdown(context.Background()))
			hs.Close()
		})
		urls = append(urls, hs.URL)
	}
	c.lb = balancer(t, parseURLs(t, urls), false)
	// Registering each replica's tools published list changes on the shared bus, queued on
	// the replicas built before it; acted on late, they would reach a session started since
	// (a change is fed to the sessions a replica feeds when it acts on it), a list_changed
	// the test did not make.
	c.settle()
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

// initialize starts a session and returns its id.
func (c *relayCluster) initialize(t *testing.T) string {
	t.Helper()
	resp := c.open(t, context.Background(), http.MethodPost, relayInit, "")
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	session := resp.Header.Get("Mcp-Session-Id")
	code, _, _ := c.post(t, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, session)
	require.Equal(t, http.StatusAccepted, code)
	return session
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
	session := c.initialize(t)

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
		// The push went to every replica; one slow to act on it would write it to the next
		// GET stream it holds (the design note in relay.go: a push on its way reaches the GET
		// stream open when it arrives). The next subtest opens one.
		c.settle()
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
		code, _, _ := c.post(t, call(27, "echo", `{"text":"hi"}`), session)
		assert.Equal(t, http.StatusNotFound, code)
	})
}

// other returns the replica that is none of these.
func (c *relayCluster) other(t *testing.T, not ...string) string {
	t.Helper()
	for name := range c.servers {
		if !slices.Contains(not, name) {
			return name
		}
	}
	t.Fatalf("every replica is one of %v", not)
	return ""
}

// settle returns once every replica has acted on the relayed messages and changes published
// so far.
func (c *relayCluster) settle() {
	for _, h := range c.handlers {
		server.Settle(h)
	}
}

// getStream opens the session's GET stream through the balancer, with Last-Event-ID when
// lastID is set; the stream is ended, failing its reads, if the test is still reading it after
// a guard time (a failure guard, not a timing).
func (c *relayCluster) getStream(t *testing.T, session, lastID string) (*stream, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	guard := time.AfterFunc(10*time.Second, cancel)
	t.Cleanup(func() {
		guard.Stop()
		cancel()
	})
	var hdr []string
	if lastID != "" {
		hdr = []string{"Last-Event-ID", lastID}
	}
	return newStream(t, c.open(t, ctx, http.MethodGet, "", session, hdr...)), cancel
}

func subscribeCall(id int, method, uri string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":{"uri":%q}}`, id, method, uri)
}

// Changes of a 2025 session on three replicas: a resources/subscribe landing on one replica,
// the GET stream open on a second and ResourceUpdated called on the third, the client gets
// the update once, on its GET stream; a tool list change made on one replica reaches it once;
// a resources/unsubscribe on yet another replica stops the updates. Each replica holds a copy
// of the session, and none but the one with the GET stream sends the client anything.
func TestScaleOutRelayChanges(t *testing.T) {
	c := newRelayCluster(t, 3)
	session := c.initialize(t)
	get, _ := c.getStream(t, session, "")
	g := get.resp.Header.Get("X-Served-By")

	code, body, sub := c.post(t, subscribeCall(30, mcp.MethodResourcesSubscribe, "test://r"), session)
	require.Equal(t, http.StatusOK, code, body)
	require.NotEqual(t, g, sub, "subscribed on another replica than the GET stream's")
	u := c.other(t, g, sub)
	c.servers[u].ResourceUpdated(context.Background(), "test://r")
	c.servers[u].ResourceUpdated(context.Background(), "test://unsubscribed")
	mcp.AddTool(c.servers[sub].Server, &mcp.Tool{Name: "added", Description: "Added."},
		func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })

	first := get.next(t)
	m := decodeMessage(t, first)
	require.Equal(t, mcp.NotificationResourceUpdated, m.Method, "the update, not first the tool list (%s)", first.Data)
	assert.JSONEq(t, `{"uri":"test://r"}`, string(m.Params))
	assert.NotEmpty(t, first.ID, "stored, to be replayed")
	second := get.next(t)
	assert.Equal(t, mcp.NotificationToolListChanged, decodeMessage(t, second).Method, "the update once, then the tool list once (%s)", second.Data)

	code, body, unsub := c.post(t, subscribeCall(31, mcp.MethodResourcesUnsubscribe, "test://r"), session)
	require.Equal(t, http.StatusOK, code, body)
	require.NotEqual(t, g, unsub, "unsubscribed on another replica than the GET stream's")
	for _, ts := range c.servers {
		ts.ResourceUpdated(context.Background(), "test://r")
	}
	c.servers[g].AddPrompt(&mcp.Prompt{Name: "added"}, func(context.Context, *mcp.Request, map[string]string) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{}, nil
	})
	third := get.next(t)
	assert.Equal(t, mcp.NotificationPromptListChanged, decodeMessage(t, third).Method, "no update after unsubscribe, and the tool list once (%s)", third.Data)

	// Stored once each, however many replicas hold a copy: a resumption replays each once.
	c.settle()
	var stored []string
	_, err := c.events.Replay(context.Background(), session, first.ID, func(_ string, msg []byte) error {
		stored = append(stored, decodeMessage(t, sse.Event{Data: msg}).Method)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{mcp.NotificationToolListChanged, mcp.NotificationPromptListChanged}, stored)
}

// avoid sends pings through the balancer until the next request goes to a replica other
// than replica (the balancer goes round the replicas in the order of their names).
func (c *relayCluster) avoid(t *testing.T, session, replica string) {
	t.Helper()
	for {
		code, _, served := c.post(t, `{"jsonrpc":"2.0","id":"ping","method":"ping"}`, session)
		require.Equal(t, http.StatusOK, code)
		next := fmt.Sprintf("replica-%c", 'a'+(served[len(served)-1]-'a'+1)%byte(len(c.servers)))
		if next != replica {
			return
		}
	}
}

// A change made while the session's GET stream is closed everywhere is stored once, by the
// replica that held the stream last, and replayed when the client resumes the stream on
// another replica, which then feeds it. The changes come from a server that shares the bus
// and holds no copy of the session (an administrative process): without the bus the session
// would never hear of them.
func TestScaleOutRelayChangesWhileNoStream(t *testing.T) {
	c := newRelayCluster(t, 3)
	session := c.initialize(t)
	admin := mcp.NewServer(&mcp.Implementation{Name: "admin", Version: "1"}, &mcp.ServerOptions{Bus: c.bus})
	noop := func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil }

	get, stop := c.getStream(t, session, "")
	g := get.resp.Header.Get("X-Served-By")
	mcp.AddTool(admin, &mcp.Tool{Name: "one", Description: "One."}, noop)
	first := get.next(t)
	require.Equal(t, mcp.NotificationToolListChanged, decodeMessage(t, first).Method)
	stop()

	admin.AddPrompt(&mcp.Prompt{Name: "p"}, func(context.Context, *mcp.Request, map[string]string) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{}, nil
	})
	c.settle()
	c.avoid(t, session, g)
	again, _ := c.getStream(t, session, first.ID)
	require.NotEqual(t, g, again.resp.Header.Get("X-Served-By"))
	replayed := again.next(t)
	assert.Equal(t, mcp.NotificationPromptListChanged, decodeMessage(t, replayed).Method, "stored while no stream was open (%s)", replayed.Data)
	mcp.AddTool(admin, &mcp.Tool{Name: "two", Description: "Two."}, noop)
	live := again.next(t)
	assert.Equal(t, mcp.NotificationToolListChanged, decodeMessage(t, live).Method, "replayed once, then live (%s)", live.Data)
}
