package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"sync"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/server"
)

func TestConnectEras(t *testing.T) {
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, nil)
			c := tc.connect(t, srv, &client.Options{})
			assert.Equal(t, tc.version, c.ProtocolVersion())
			assert.Equal(t, "fixture", c.ServerInfo().Name)
			assert.NotNil(t, c.ServerCapabilities().Tools)
			require.NoError(t, c.Ping(t.Context()))
		})
	}
}

func TestToolsPaginate(t *testing.T) {
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, nil)
			c := tc.connect(t, srv, &client.Options{})
			var names []string
			for tool, err := range c.Tools(t.Context()) {
				require.NoError(t, err)
				names = append(names, tool.Name)
			}
			slices.Sort(names)
			assert.Equal(t, []string{"add", "ask", "echo", "fail", "poll", "progress", "slow", "trace"}, names)
			page, err := c.ListTools(t.Context(), "")
			require.NoError(t, err)
			assert.Len(t, page.Tools, 3, "PageSize 3 makes pages of three")
			assert.NotEmpty(t, page.NextCursor)
		})
	}
}

func TestCallTool(t *testing.T) {
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, nil)
			c := tc.connect(t, srv, &client.Options{})
			ctx := t.Context()

			res, err := c.CallTool(ctx, "echo", map[string]string{"text": "hi"})
			require.NoError(t, err)
			require.Len(t, res.Content, 1)
			assert.Equal(t, "hi", res.Content[0].(*mcp.TextContent).Text)

			sum, err := client.CallTool[addOut](ctx, c, "add", addIn{A: 2, B: 3})
			require.NoError(t, err)
			assert.Equal(t, 5, sum.Sum)

			_, err = client.CallTool[addOut](ctx, c, "fail", nil)
			var te *client.ToolError
			require.ErrorAs(t, err, &te)
			assert.True(t, te.Result.IsError)
			assert.Contains(t, err.Error(), "it broke")

			_, err = client.CallTool[addOut](ctx, c, "echo", map[string]string{"text": "x"})
			assert.ErrorIs(t, err, client.ErrNoStructuredContent)

			_, err = c.CallTool(ctx, "nope", nil)
			var re *rpc.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, rpc.CodeInvalidParams, re.Code)
		})
	}
}

func TestResourcesPromptsCompletion(t *testing.T) {
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, nil)
			c := tc.connect(t, srv, &client.Options{})
			ctx := t.Context()

			var uris []string
			for r, err := range c.Resources(ctx) {
				require.NoError(t, err)
				uris = append(uris, r.URI)
			}
			assert.Equal(t, []string{"file:///notes.txt"}, uris)
			var templates []string
			for rt, err := range c.ResourceTemplates(ctx) {
				require.NoError(t, err)
				templates = append(templates, rt.URITemplate)
			}
			assert.Equal(t, []string{"file:///docs/{name}"}, templates)

			rr, err := c.ReadResource(ctx, "file:///docs/intro")
			require.NoError(t, err)
			require.Len(t, rr.Contents, 1)
			assert.Equal(t, "doc intro", rr.Contents[0].Text)
			_, err = c.ReadResource(ctx, "file:///missing")
			// -32002 in the 2025 revisions; 2026-07-28 answers an unknown resource with -32602.
			assert.Contains(t, []int64{mcp.CodeResourceNotFound, rpc.CodeInvalidParams}, rpc.AsError(err).Code)

			var prompts []string
			for p, err := range c.Prompts(ctx) {
				require.NoError(t, err)
				prompts = append(prompts, p.Name)
			}
			assert.Equal(t, []string{"greet"}, prompts)
			gp, err := c.GetPrompt(ctx, "greet", map[string]string{"name": "Ada"})
			require.NoError(t, err)
			require.Len(t, gp.Messages, 1)
			assert.Equal(t, "Hello, Ada", gp.Messages[0].Content.(*mcp.TextContent).Text)

			cr, err := c.Complete(ctx, &mcp.CompleteParams{
				Ref:      mcp.CompleteReference{Type: mcp.RefPrompt, Name: "greet"},
				Argument: mcp.CompleteArgument{Name: "name", Value: "A"},
			})
			require.NoError(t, err)
			assert.Equal(t, []string{"Ada", "Alan"}, cr.Completion.Values)
		})
	}
}

// TestServerAsks: one set of handlers answers sampling, elicitation and roots as
// server-to-client requests in a 2025 session and as input-required rounds at 2026-07-28.
func TestServerAsks(t *testing.T) {
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, nil)
			c := tc.connect(t, srv, askHandlers(&client.Options{}))
			res, err := c.CallTool(t.Context(), "ask", nil)
			require.NoError(t, err)
			require.False(t, res.IsError, "%v", res.Content)
			assert.Equal(t, "accept Ada, hi from the model, 1 root(s): file:///work", res.Content[0].(*mcp.TextContent).Text)
		})
	}
}

func TestServerAsksWithoutHandlers(t *testing.T) {
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, nil)
			c := tc.connect(t, srv, &client.Options{})
			res, err := c.CallTool(t.Context(), "ask", nil)
			if err != nil {
				// 2026-07-28: the server refuses an ask of a capability the client did not
				// declare with -32021.
				assert.Equal(t, mcp.CodeMissingRequiredClientCapability, rpc.AsError(err).Code, "%v", err)
				return
			}
			assert.True(t, res.IsError, "the tool reports the missing capability")
		})
	}
}

func TestProgressAndLog(t *testing.T) {
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, nil)
			var (
				mu   sync.Mutex
				logs []any
			)
			c := tc.connect(t, srv, &client.Options{LogHandler: func(ctx context.Context, p *mcp.LoggingMessageParams) {
				mu.Lock()
				logs = append(logs, p.Data)
				mu.Unlock()
			}})
			require.NoError(t, c.SetLogLevel(t.Context(), mcp.LevelDebug))
			var steps []string
			ctx := client.WithProgress(t.Context(), func(p *mcp.ProgressNotificationParams) {
				steps = append(steps, fmt.Sprintf("%g/%g %s", p.Progress, *p.Total, p.Message))
			})
			res, err := c.CallTool(ctx, "progress", nil)
			require.NoError(t, err)
			assert.Equal(t, "done", res.Content[0].(*mcp.TextContent).Text)
			assert.Equal(t, []string{"1/3 step 1", "2/3 step 2", "3/3 step 3"}, steps)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []any{"done"}, logs)
		})
	}
}

// TestCancel: ending a call's context ends the handler on the server, in every era.
func TestCancel(t *testing.T) {
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, h := newServer(t, nil)
			c := tc.connect(t, srv, &client.Options{})
			ctx, cancel := context.WithCancel(t.Context())
			errc := make(chan error, 1)
			go func() {
				_, err := c.CallTool(ctx, "slow", nil)
				errc <- err
			}()
			<-h.slowStarted
			cancel()
			assert.ErrorIs(t, <-errc, context.Canceled)
			assert.Error(t, <-h.slowDone, "the handler's context ended")
		})
	}
}

// TestResume: a 2025 session's call whose stream the server closes (polling) gets its result
// by resuming with Last-Event-ID.
func TestResume(t *testing.T) {
	srv, h := newServer(t, nil)
	close(h.pollRelease)
	c := httpConnect(&server.Options{Polling: true, Retry: 1e6}, mcp.Version20251125, false)(t, srv, &client.Options{})
	var steps []string
	ctx := client.WithProgress(t.Context(), func(p *mcp.ProgressNotificationParams) {
		steps = append(steps, p.Message)
	})
	res, err := c.CallTool(ctx, "poll", nil)
	require.NoError(t, err)
	require.False(t, res.IsError, "%v", res.Content)
	assert.Equal(t, "polled", res.Content[0].(*mcp.TextContent).Text)
	assert.Equal(t, []string{"before", "after"}, steps)
}

// TestResumeDisabled: without resumption the same call fails.
func TestResumeDisabled(t *testing.T) {
	srv, h := newServer(t, nil)
	close(h.pollRelease)
	c := httpConnect(&server.Options{Polling: true, Retry: 1e6}, mcp.Version20251125, false)(t, srv, &client.Options{MaxResumes: -1})
	_, err := c.CallTool(t.Context(), "poll", nil)
	assert.ErrorIs(t, err, client.ErrMalformedReply)
}

func TestListen(t *testing.T) {
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, nil)
			c := tc.connect(t, srv, &client.Options{})
			ctx, cancel := context.WithCancel(t.Context())
			got := make(chan *client.Notification, 10)
			done := make(chan error, 1)
			go func() {
				done <- c.Listen(ctx, &mcp.SubscriptionFilter{ToolsListChanged: true, ResourceSubscriptions: []string{"file:///notes.txt"}},
					func(n *client.Notification) { got <- n })
			}()
			ack := <-got
			assert.Equal(t, mcp.NotificationSubscriptionsAcknowledged, ack.Method)
			srv.RemoveTools("echo")
			assert.Equal(t, mcp.NotificationToolListChanged, (<-got).Method)
			srv.ResourceUpdated(t.Context(), "file:///notes.txt")
			n := <-got
			assert.Equal(t, mcp.NotificationResourceUpdated, n.Method)
			assert.Contains(t, string(n.Params), "file:///notes.txt")
			cancel()
			require.NoError(t, <-done)
		})
	}
}

func TestTraceContext(t *testing.T) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, nil)
			c := tc.connect(t, srv, &client.Options{})
			ctx := client.WithTraceContext(t.Context(), mcp.TraceContext{TraceParent: tp})
			res, err := c.CallTool(ctx, "trace", nil)
			require.NoError(t, err)
			assert.Equal(t, tp, res.Content[0].(*mcp.TextContent).Text)
		})
	}
}

// TestFallback: a server that serves only the session revisions gets initialize after the
// probe; a pin it does not serve fails.
func TestFallback(t *testing.T) {
	srv, _ := newServer(t, &mcp.ServerOptions{ProtocolVersions: []string{mcp.Version20250618}})
	c := httpConnect(nil, "", false)(t, srv, &client.Options{})
	assert.Equal(t, mcp.Version20250618, c.ProtocolVersion())
	assert.NotEmpty(t, c.SessionID())

	ts := serveHTTP(t, srv, nil)
	_, err := client.Connect(t.Context(), ts.URL+"/mcp", &client.Options{HTTPClient: ts.Client(), ProtocolVersion: mcp.Version20251125})
	assert.ErrorIs(t, err, client.ErrNoCommonVersion)
	_, err = client.Connect(t.Context(), ts.URL+"/mcp", &client.Options{HTTPClient: ts.Client(), ProtocolVersion: mcp.Version20260728})
	assert.Error(t, err)
}

func TestTokenSource(t *testing.T) {
	srv, _ := newServer(t, nil)
	auth := func(r *http.Request) (string, error) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			return "", errors.New("no")
		}
		return "alice", nil
	}
	ts := serveHTTP(t, srv, &server.Options{Authenticate: auth})
	_, err := client.Connect(t.Context(), ts.URL+"/mcp", &client.Options{HTTPClient: ts.Client()})
	var se *client.HTTPStatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusUnauthorized, se.Code)

	calls := 0
	c, err := client.Connect(t.Context(), ts.URL+"/mcp", &client.Options{HTTPClient: ts.Client(),
		TokenSource: func(ctx context.Context) (string, error) { calls++; return "s3cret", nil }})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.CallTool(t.Context(), "echo", nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, calls, 2, "a token for every request")
}

// TestCommand spawns minimcp serve --stdio and talks to it in both eras.
func TestCommand(t *testing.T) {
	if minimcpBin == "" {
		t.Skip("minimcp did not build")
	}
	for _, pin := range []string{"", mcp.Version20251125} {
		t.Run("pin="+pin, func(t *testing.T) {
			cmd := exec.Command(minimcpBin, "serve", "--stdio")
			c, err := client.ConnectCommand(t.Context(), cmd, &client.Options{ProtocolVersion: pin}, nil)
			require.NoError(t, err)
			want := pin
			if want == "" {
				want = mcp.Version20260728
			}
			assert.Equal(t, want, c.ProtocolVersion())
			res, err := c.CallTool(t.Context(), "echo", map[string]string{"text": "over stdio"})
			require.NoError(t, err)
			raw, _ := json.Marshal(res)
			assert.Contains(t, string(raw), "over stdio")
			require.NoError(t, c.Close())
			assert.NotNil(t, cmd.ProcessState, "Close reaped the process")
			assert.ErrorIs(t, c.Ping(t.Context()), client.ErrClosed)
		})
	}
}

// TestInputRequiredWithoutHandler: an input request the client has no handler for ends the
// call with an *InputRequiredError holding the result, not a retry.
func TestInputRequiredWithoutHandler(t *testing.T) {
	calls := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&m))
		result := `{"resultType":"input_required","requestState":"s","inputRequests":{"who":{"method":"elicitation/create","params":{"message":"Who?","requestedSchema":{"type":"object"}}}}}`
		if m.Method == mcp.MethodServerDiscover {
			result = `{"resultType":"complete","supportedVersions":["2026-07-28"],"capabilities":{"tools":{}}}`
		} else {
			calls++
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":%s}`, m.ID, result)
	}))
	defer ts.Close()
	c, err := client.Connect(t.Context(), ts.URL, &client.Options{HTTPClient: ts.Client()})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.CallTool(t.Context(), "deploy", nil)
	var ire *client.InputRequiredError
	require.ErrorAs(t, err, &ire)
	assert.ErrorIs(t, err, client.ErrNoHandler)
	assert.Equal(t, mcp.MethodToolsCall, ire.Method)
	assert.Contains(t, string(ire.Result), `"who"`)
	assert.Equal(t, 1, calls, "no retry without an answer")
}

// TestStateless2025: a stateless server at a 2025 revision serves calls; it has no GET
// stream to listen on.
func TestStateless2025(t *testing.T) {
	srv, _ := newServer(t, nil)
	c := httpConnect(&server.Options{Stateless: true}, mcp.Version20251125, false)(t, srv, &client.Options{})
	assert.Equal(t, mcp.Version20251125, c.ProtocolVersion())
	assert.Empty(t, c.SessionID())
	sum, err := client.CallTool[addOut](t.Context(), c, "add", addIn{A: 1, B: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Sum)
	err = c.Listen(t.Context(), &mcp.SubscriptionFilter{ToolsListChanged: true}, func(*client.Notification) {})
	assert.ErrorIs(t, err, client.ErrNotInEra)
}

// TestSessionExpired: a 404 to a request of a session makes the client start a new session
// and send the request again (MCP 2025-11-25, Transports § Session Management, 4).
func TestSessionExpired(t *testing.T) {
	srv, _ := newServer(t, nil)
	h := server.New(srv, nil)
	var (
		mu     sync.Mutex
		forget bool // the next request with a session gets an unknown one
		inits  int
	)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if forget && r.Header.Get("Mcp-Session-Id") != "" {
			forget = false
			r.Header.Set("Mcp-Session-Id", "gone")
		}
		if r.Header.Get("Mcp-Session-Id") == "" && r.Method == http.MethodPost {
			inits++
		}
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		ts.CloseClientConnections()
		_ = h.Shutdown(context.Background())
		ts.Close()
	})
	c, err := client.Connect(t.Context(), ts.URL+"/mcp", &client.Options{HTTPClient: ts.Client(), ProtocolVersion: mcp.Version20251125})
	require.NoError(t, err)
	defer c.Close()
	first := c.SessionID()
	mu.Lock()
	forget = true
	mu.Unlock()
	sum, err := client.CallTool[addOut](t.Context(), c, "add", addIn{A: 2, B: 2})
	require.NoError(t, err)
	assert.Equal(t, 4, sum.Sum)
	assert.NotEqual(t, first, c.SessionID(), "a new session")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 2, inits, "initialize twice")
}

// TestCloseEndsListen: Close ends a Listen in flight with ErrClosed, in every era.
func TestCloseEndsListen(t *testing.T) {
	for _, tc := range transports() {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, nil)
			c := tc.connect(t, srv, &client.Options{})
			acked := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				done <- c.Listen(t.Context(), &mcp.SubscriptionFilter{ToolsListChanged: true}, func(n *client.Notification) {
					if n.Method == mcp.NotificationSubscriptionsAcknowledged {
						close(acked)
					}
				})
			}()
			<-acked
			require.NoError(t, c.Close())
			assert.ErrorIs(t, <-done, client.ErrClosed)
			_, err := c.CallTool(t.Context(), "echo", nil)
			assert.ErrorIs(t, err, client.ErrClosed)
		})
	}
}

// TestListenResumes: a 2025 session's GET stream that breaks is resumed with Last-Event-ID,
// and what the server sent meanwhile still arrives.
func TestListenResumes(t *testing.T) {
	srv, _ := newServer(t, nil)
	ts := serveHTTP(t, srv, &server.Options{Retry: 1e6})
	c, err := client.Connect(t.Context(), ts.URL+"/mcp", &client.Options{HTTPClient: ts.Client(), ProtocolVersion: mcp.Version20251125})
	require.NoError(t, err)
	defer c.Close()
	ctx, cancel := context.WithCancel(t.Context())
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- c.Listen(ctx, &mcp.SubscriptionFilter{ToolsListChanged: true}, func(n *client.Notification) { got <- n.Method })
	}()
	next := func() string {
		select {
		case m := <-got:
			return m
		case err := <-done:
			t.Fatalf("Listen ended: %v", err)
			return ""
		}
	}
	assert.Equal(t, mcp.NotificationSubscriptionsAcknowledged, next())
	srv.RemoveTools("echo")
	assert.Equal(t, mcp.NotificationToolListChanged, next())
	ts.CloseClientConnections() // the GET stream breaks
	srv.RemoveTools("add")
	assert.Equal(t, mcp.NotificationToolListChanged, next(), "after the resume")
	cancel()
	require.NoError(t, <-done)
}
