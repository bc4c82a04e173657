package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

// replicas starts n handlers on their own loopback ports, each naming itself in X-Served-By.
func replicas(t *testing.T, n int, opts server.Options) []*url.URL {
	t.Helper()
	var urls []*url.URL
	for i := range n {
		o := opts
		o.ReplicaID = fmt.Sprintf("replica-%c", 'a'+i)
		h := server.New(newTestServer().Server, &o)
		hs := httptest.NewServer(h)
		t.Cleanup(func() {
			require.NoError(t, h.Shutdown(context.Background()))
			hs.Close()
		})
		u, err := url.Parse(hs.URL)
		require.NoError(t, err)
		urls = append(urls, u)
	}
	return urls
}

// balancer is a reverse proxy choosing a backend per request: round-robin, or, with
// affinity, the backend that minted the request's Mcp-Session-Id (learnt from the
// initialize response, as session-affinity balancers do; requests without one go
// round-robin).
func balancer(t *testing.T, backends []*url.URL, affinity bool) *httptest.Server {
	var next atomic.Uint64
	var owner sync.Map // session id -> *url.URL
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			target := backends[int(next.Add(1)%uint64(len(backends)))]
			if id := pr.In.Header.Get("Mcp-Session-Id"); affinity && id != "" {
				if u, ok := owner.Load(id); ok {
					target = u.(*url.URL)
				}
			}
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
		},
		ModifyResponse: func(resp *http.Response) error {
			if id := resp.Header.Get("Mcp-Session-Id"); affinity && id != "" {
				u := *resp.Request.URL
				u.Path, u.RawQuery = "", ""
				owner.LoadOrStore(id, &u)
			}
			return nil
		},
	}
	// The body is read whole before proxying. Left to the proxy, its transport reads the
	// inbound body (to its end, checking for extra bytes) while the balancer's server, on the
	// first flush of a streamed answer, consumes and closes that same body: a read after the
	// close fails the transport's write, which closes the connection to the replica and cuts
	// the SSE answer short (unexpected EOF at the client) under load.
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(lb.Close)
	return lb
}

// post sends one MCP POST through the balancer and returns status, body and replica.
func post(t *testing.T, c *http.Client, base, body, session string) (int, string, string, string) {
	r, err := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(body))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json, text/event-stream")
	r.Header.Set("MCP-Protocol-Version", "2025-11-25")
	if session != "" {
		r.Header.Set("Mcp-Session-Id", session)
	}
	resp, err := c.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp.Header.Get("X-Served-By"), resp.Header.Get("Mcp-Session-Id")
}

// clients runs 50 concurrent clients, 300 tool calls in all; each client initializes first
// when stateful. It returns the statuses seen and the calls served per replica.
func clients(t *testing.T, lb *httptest.Server, stateful bool) (map[int]int, map[string]int) {
	const nClients, perClient = 50, 6
	var mu sync.Mutex
	statuses, served := map[int]int{}, map[string]int{}
	var wg sync.WaitGroup
	for c := range nClients {
		wg.Go(func() {
			client := lb.Client()
			session := ""
			if stateful {
				code, body, _, sid := post(t, client, lb.URL, initBody, "")
				require.Equal(t, http.StatusOK, code, body)
				session = sid
				post(t, client, lb.URL, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, session)
			}
			for i := range perClient {
				text := fmt.Sprintf("client %d call %d", c, i)
				code, body, replica, _ := post(t, client, lb.URL, call(i+2, "echo", fmt.Sprintf(`{"text":%q}`, text)), session)
				mu.Lock()
				statuses[code]++
				if code == http.StatusOK {
					served[replica]++
					assert.Contains(t, body, text)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return statuses, served
}

func TestScaleOutStatelessRoundRobin(t *testing.T) {
	lb := balancer(t, replicas(t, 3, server.Options{Stateless: true}), false)
	statuses, served := clients(t, lb, false)
	assert.Equal(t, map[int]int{http.StatusOK: 300}, statuses, "every call succeeds on any replica")
	require.Len(t, served, 3)
	for replica, n := range served {
		assert.Greater(t, n, 50, "replica %s serves a share", replica)
	}
}

func TestScaleOutStatefulNeedsAffinity(t *testing.T) {
	t.Run("round robin breaks sessions", func(t *testing.T) {
		lb := balancer(t, replicas(t, 3, server.Options{}), false)
		statuses, _ := clients(t, lb, true)
		assert.Greater(t, statuses[http.StatusNotFound], 100, "calls reaching another replica get 404: %v", statuses)
	})
	t.Run("affinity on Mcp-Session-Id works", func(t *testing.T) {
		lb := balancer(t, replicas(t, 3, server.Options{}), true)
		statuses, served := clients(t, lb, true)
		assert.Equal(t, map[int]int{http.StatusOK: 300}, statuses)
		assert.Len(t, served, 3, "sessions spread over the replicas")
	})
}
