package mcp_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	json "github.com/goccy/go-json"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
)

// TestListenAndSessionsHearTheSameChanges: one registry change reaches a 2025-11-25 session
// (untagged, on its session's stream, the resource update because it subscribed) and a
// 2026-07-28 listen stream (tagged with the listen's id, after the acknowledgment), each in
// its revision's shape.
func TestListenAndSessionsHearTheSameChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := mcp.NewServer(nil, nil)
		mcp.AddTool(srv, &mcp.Tool{Name: "a"}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
		srv.AddResource(&mcp.Resource{URI: "test://a", Name: "a"}, func(context.Context, *mcp.Request, string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{}, nil
		})
		old := connect(t, srv, initLine(`{}`), initializedLine, `{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"test://a"}}`)
		old.take()
		modern := connect(t, srv, `{"jsonrpc":"2.0","id":5,"method":"subscriptions/listen","params":{`+modernMeta+
			`},"notifications":{"toolsListChanged":true,"promptsListChanged":true,"resourceSubscriptions":["test://a"]}}}`)
		assert.Equal(t, []string{`{"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":5},"notifications":{"toolsListChanged":true,"resourceSubscriptions":["test://a"]}}}`},
			modern.take(), "no prompts: promptsListChanged is not honored")

		mcp.AddTool(srv, &mcp.Tool{Name: "b"}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
		synctest.Wait()
		srv.ResourceUpdated(t.Context(), "test://a")
		srv.ResourceUpdated(t.Context(), "test://b")
		assert.Equal(t, []string{
			`{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}`,
			`{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"test://a"}}`,
		}, old.take())
		assert.Equal(t, []string{
			`{"jsonrpc":"2.0","method":"notifications/tools/list_changed","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":5}}}`,
			`{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":5},"uri":"test://a"}}`,
		}, modern.take())
		old.close(t)
		modern.close(t)
	})
}

// TestListenNeedsAStream: a transport that hands in a listen without a stream gets an error,
// not a handler waiting for ever.
func TestListenNeedsAStream(t *testing.T) {
	srv := mcp.NewServer(nil, nil)
	got := handleOne(t, srv, &mcp.Inbound{ProtocolVersion: mcp.Version20260728},
		`{"jsonrpc":"2.0","id":1,"method":"subscriptions/listen","params":{`+modernMeta+`},"notifications":{}}}`)
	assert.Contains(t, got, `"code":-32603`)
	assert.Contains(t, got, "no stream")
}

// gateSender records what a listen sends; once armed, its next Send waits for release.
type gateSender struct {
	mu      sync.Mutex
	got     []string      // guarded by mu
	armed   bool          // guarded by mu
	release chan struct{} // closed by the test
}

func (g *gateSender) Send(_ context.Context, msg []byte) error {
	g.mu.Lock()
	g.got = append(g.got, string(msg))
	wait := g.armed
	g.armed = false
	g.mu.Unlock()
	if wait {
		<-g.release
	}
	return nil
}

func (g *gateSender) take() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	got := g.got
	g.got = nil
	return got
}

// TestListenCoalesces: changes that arrive while the stream is busy wait as a set: the same
// change twice goes out once, in the order changes first came, so a slow reader costs one
// entry per kind and URI, not a queue.
func TestListenCoalesces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := mcp.NewServer(nil, nil)
		srv.AddResource(&mcp.Resource{URI: "test://a", Name: "a"}, func(context.Context, *mcp.Request, string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{}, nil
		})
		g := &gateSender{release: make(chan struct{})}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan string)
		go func() {
			done <- handleOneCtx(t, ctx, srv, &mcp.Inbound{ProtocolVersion: mcp.Version20260728, Out: g},
				`{"jsonrpc":"2.0","id":"L","method":"subscriptions/listen","params":{`+modernMeta+
					`},"notifications":{"resourcesListChanged":true,"resourceSubscriptions":["test://a"]}}}`)
		}()
		synctest.Wait()
		require.Len(t, g.take(), 1, "the acknowledgment")

		g.mu.Lock()
		g.armed = true
		g.mu.Unlock()
		srv.ResourceUpdated(ctx, "test://a") // its Send waits
		synctest.Wait()
		srv.RemoveResources("none")          // no change: nothing published
		srv.ResourceUpdated(ctx, "test://a") // pending
		srv.AddResource(&mcp.Resource{URI: "test://b", Name: "b"}, func(context.Context, *mcp.Request, string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{}, nil
		})
		srv.ResourceUpdated(ctx, "test://a") // already pending
		srv.RemoveResources("test://b")      // already pending
		close(g.release)
		synctest.Wait()
		tag := `"_meta":{"io.modelcontextprotocol/subscriptionId":"L"}`
		assert.Equal(t, []string{
			`{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{` + tag + `,"uri":"test://a"}}`,
			`{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{` + tag + `,"uri":"test://a"}}`,
			`{"jsonrpc":"2.0","method":"notifications/resources/list_changed","params":{` + tag + `}}`,
		}, g.take())

		cancel()
		assert.Equal(t, `{"jsonrpc":"2.0","id":"L","result":{"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"minimcp","version":"0.0.0"},"io.modelcontextprotocol/subscriptionId":"L"}}}`, <-done)
	})
}

// TestListenTasks: a listen stream that names task ids gets, after an acknowledgment naming
// the tasks it follows (the caller's, known), notifications/tasks with each state as tasks/get
// has it, tagged with the subscription; without the tasks extension it is refused with -32021.
func TestListenTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := mcp.NewServer(nil, nil)
		defer srv.Shutdown(context.Background())
		release := make(chan struct{})
		srv.AddRawTool(&mcp.Tool{Name: "job", TaskSupport: mcp.TaskOptional},
			mcp.TaskHandler(func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) {
				<-release
				return mcp.TextResult("done"), nil
			}))
		meta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}}`
		got := handleOne(t, srv, &mcp.Inbound{ProtocolVersion: mcp.Version20260728},
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"job",`+meta+`}}`)
		var created struct {
			Result struct {
				TaskID string `json:"taskId"`
			} `json:"result"`
		}
		require.NoError(t, json.Unmarshal([]byte(got), &created), got)
		id := created.Result.TaskID
		require.NotEmpty(t, id, got)

		c := connect(t, srv, `{"jsonrpc":"2.0","id":5,"method":"subscriptions/listen","params":{`+meta+
			`,"notifications":{"taskIds":["`+id+`","nope"]}}}`)
		lines := c.take()
		require.Len(t, lines, 2, lines)
		assert.Equal(t, `{"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":5},"notifications":{"taskIds":["`+id+`"]}}}`, lines[0])
		assert.Contains(t, lines[1], `"method":"notifications/tasks","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":5},"taskId":"`+id+`","status":"working"`)
		close(release)
		lines = c.take()
		require.Len(t, lines, 1, lines)
		assert.Contains(t, lines[0], `"status":"completed"`)
		assert.Contains(t, lines[0], `"result":{"content":[{"type":"text","text":"done"}]`)
		c.close(t)

		got = handleOne(t, srv, &mcp.Inbound{ProtocolVersion: mcp.Version20260728},
			`{"jsonrpc":"2.0","id":6,"method":"subscriptions/listen","params":{`+modernMeta+`},"notifications":{"taskIds":["`+id+`"]}}}`)
		assert.Contains(t, got, `"code":-32021`)
		assert.Contains(t, got, `"requiredCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}`)
	})
}
