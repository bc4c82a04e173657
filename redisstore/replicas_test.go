package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/redisstore"
	"github.com/minimcp/minimcp/server"
	"github.com/minimcp/minimcp/sse"
)

// newMCPServer is the server every replica of the tests runs.
func newMCPServer(opts *mcp.ServerOptions) *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "redisstore-test", Version: "1.0.0"}, opts)
	type echoIn struct {
		Text string `json:"text"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "echo", Description: "Echoes text."},
		func(_ context.Context, _ *mcp.Request, in echoIn) (*mcp.CallToolResult, error) {
			return mcp.TextResult(in.Text), nil
		})
	mcp.AddTool(srv, &mcp.Tool{Name: "notify", Description: "Logs twice, then answers."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			_ = req.Log(ctx, mcp.LevelInfo, "t", "one")
			_ = req.Log(ctx, mcp.LevelInfo, "t", "two")
			return "notified", nil
		})
	return srv
}

// cluster is n replicas sharing one Redis under one prefix, each with a Store of its own
// (as separate processes would have), behind a round-robin balancer without affinity.
type cluster struct {
	lb       *httptest.Server
	replicas []*httptest.Server
	handlers []*server.Handler
	stores   []*redisstore.Store
}

// tokenAuth makes "Bearer X" the principal X.
func tokenAuth(r *http.Request) (string, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", errors.New("no token")
	}
	return tok, nil
}

func newCluster(t *testing.T, n int, redisURL string, opts *redisstore.Options) *cluster {
	return newClusterWith(t, n, redisURL, opts, nil)
}

// newClusterWith is newCluster with each replica's mcp.Server given to add before serving.
func newClusterWith(t *testing.T, n int, redisURL string, opts *redisstore.Options, add func(*mcp.Server)) *cluster {
	t.Helper()
	needRedis(t)
	o := redisstore.Options{}
	if opts != nil {
		o = *opts
	}
	if o.Prefix == "" {
		o.Prefix = fmt.Sprintf("cluster%d:", prefixes.Add(1))
	}
	c := &cluster{}
	var backends []*url.URL
	for i := range n {
		st, err := redisstore.Open(redisURL, &o)
		require.NoError(t, err)
		srv := newMCPServer(&mcp.ServerOptions{Bus: st.Bus(), TaskStore: st.Tasks()})
		if add != nil {
			add(srv)
		}
		h := server.New(srv, &server.Options{
			Sessions: st.Sessions(), Events: st.Events(), Relay: st.Relay(), ReplicaID: fmt.Sprintf("replica-%c", 'a'+i),
			Authenticate: tokenAuth, KeepAlive: -1, Polling: true,
		})
		hs := httptest.NewServer(h)
		t.Cleanup(func() {
			require.NoError(t, h.Shutdown(context.Background()))
			hs.Close()
			_ = st.Close()
		})
		u, err := url.Parse(hs.URL)
		require.NoError(t, err)
		backends = append(backends, u)
		c.replicas = append(c.replicas, hs)
		c.handlers = append(c.handlers, h)
		c.stores = append(c.stores, st)
	}
	var next atomic.Uint64
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(backends[int(next.Add(1)-1)%len(backends)])
			pr.Out.Host = pr.In.Host
		},
		FlushInterval: -1,
	}
	// The body is read whole before proxying: left to the proxy, its transport reads the
	// inbound body while the balancer's server, on the answer's first flush, consumes and
	// closes it; a read after the close fails the transport's write, which closes the
	// connection to the replica and cuts the answer short, under load.
	c.lb = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(c.lb.Close)
	return c
}

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

func call(id int, tool, args string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%q,"arguments":%s}}`, id, tool, args)
}

// answer is what a request got.
type answer struct {
	status  int
	body    string
	replica string
	session string
	ctype   string
}

// send makes one request to base with a conforming client's headers; token "" sends none.
func send(t *testing.T, base, method, body, session, token string, hdr ...string) answer {
	t.Helper()
	r, err := http.NewRequest(method, base+"/mcp", strings.NewReader(body))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json, text/event-stream")
	r.Header.Set("MCP-Protocol-Version", "2025-11-25")
	if session != "" {
		r.Header.Set("Mcp-Session-Id", session)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	// A bound well above every Redis timeout: a request that hangs fails the test rather
	// than the run.
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, string(b), resp.Header.Get("X-Served-By"), resp.Header.Get("Mcp-Session-Id"), resp.Header.Get("Content-Type")}
}

// initialize opens a session through base as token's principal.
func initialize(t *testing.T, base, token string) string {
	t.Helper()
	a := send(t, base, http.MethodPost, initBody, "", token)
	require.Equal(t, http.StatusOK, a.status, a.body)
	require.NotEmpty(t, a.session)
	a2 := send(t, base, http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, a.session, token)
	require.Equal(t, http.StatusAccepted, a2.status, a2.body)
	return a.session
}

// sseEvents decodes an SSE body.
func sseEvents(t *testing.T, body string) []sse.Event {
	t.Helper()
	var out []sse.Event
	for ev, err := range sse.NewDecoder(strings.NewReader(body), nil).Events() {
		require.NoError(t, err)
		out = append(out, ev)
	}
	return out
}

// TestReplicasShareSessions: three replicas sharing Redis behind a round-robin balancer with
// no affinity serve one session together: every call succeeds, whichever replica it lands
// on; DELETE on one ends it on all (404 everywhere); the principal binding holds on every
// replica.
func TestReplicasShareSessions(t *testing.T) {
	c := newCluster(t, 3, shared.url(), nil)
	id := initialize(t, c.lb.URL, "alice")
	served := map[string]int{}
	for i := range 12 {
		a := send(t, c.lb.URL, http.MethodPost, call(i+2, "echo", fmt.Sprintf(`{"text":"call %d"}`, i)), id, "alice")
		require.Equal(t, http.StatusOK, a.status, a.body)
		assert.Contains(t, a.body, fmt.Sprintf("call %d", i))
		served[a.replica]++
	}
	assert.Equal(t, map[string]int{"replica-a": 4, "replica-b": 4, "replica-c": 4}, served, "every replica served the session")

	for _, r := range c.replicas {
		a := send(t, r.URL, http.MethodPost, call(50, "echo", `{"text":"x"}`), id, "bob")
		assert.Equal(t, http.StatusNotFound, a.status, "another principal's session is 404 on %s", a.replica)
		assert.Contains(t, a.body, "-32001")
	}
	a := send(t, c.lb.URL, http.MethodPost, call(51, "echo", `{"text":"still mine"}`), id, "alice")
	require.Equal(t, http.StatusOK, a.status, "bob's attempts did not harm alice's session")

	d := send(t, c.lb.URL, http.MethodDelete, "", id, "alice")
	require.Equal(t, http.StatusNoContent, d.status, d.body)
	for _, r := range c.replicas {
		a := send(t, r.URL, http.MethodPost, call(60, "echo", `{"text":"x"}`), id, "alice")
		assert.Equal(t, http.StatusNotFound, a.status, "deleted on %s, 404 on %s", d.replica, a.replica)
	}
	n, err := c.stores[0].Client().Exists(context.Background(), c.stores[0].Prefix()+"s:"+id).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "the record is gone from Redis")
}

// TestReplicasResumeStream: a POST's SSE stream answered by one replica is resumed with GET
// and Last-Event-ID on another, which replays the rest from Redis.
func TestReplicasResumeStream(t *testing.T) {
	c := newCluster(t, 3, shared.url(), nil)
	id := initialize(t, c.replicas[0].URL, "alice")
	a := send(t, c.replicas[1].URL, http.MethodPost, call(2, "notify", `{}`), id, "alice")
	require.Equal(t, http.StatusOK, a.status, a.body)
	require.Equal(t, "text/event-stream", a.ctype)
	evs := sseEvents(t, a.body)
	require.Len(t, evs, 4, "priming, two notifications, the reply")
	// The client lost the stream after the first notification; it resumes on replica c.
	g := send(t, c.replicas[2].URL, http.MethodGet, "", id, "alice", "Last-Event-ID", evs[1].ID)
	require.Equal(t, http.StatusOK, g.status, g.body)
	var data []string
	for _, ev := range sseEvents(t, g.body) {
		if len(ev.Data) > 0 {
			data = append(data, string(ev.Data))
		}
	}
	require.Len(t, data, 2, "the rest of the stream: %q", data)
	assert.Contains(t, data[0], `"two"`)
	assert.Contains(t, data[1], `"notified"`)
}
