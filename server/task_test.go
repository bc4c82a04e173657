package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// tasksCaps is the _meta member that declares the tasks extension.
const tasksCaps = `"io.modelcontextprotocol/clientCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}`

// tasksMeta is the _meta of a 2026-07-28 request that declares the tasks extension.
const tasksMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",` + tasksCaps + `}`

// taskTestServer is a server with one task tool, "wait", which answers once released.
func taskTestServer() (*mcp.Server, chan struct{}) {
	s := mcp.NewServer(&mcp.Implementation{Name: "task-test", Version: "1.0.0"}, nil)
	release := make(chan struct{})
	s.AddRawTool(&mcp.Tool{Name: "wait", TaskSupport: mcp.TaskRequired},
		mcp.TaskHandler(func(ctx context.Context, _ *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			select {
			case <-release:
				return mcp.TextResult("waited"), nil
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		}))
	return s, release
}

// taskReq is a 2026-07-28 POST of a tasks method for id, with Mcp-Name name.
func taskReq(method, id, name string) *http.Request {
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":5,"method":%q,"params":{%s,"taskId":%q}}`, method, tasksMeta, id)
	return modernReq(body, method, name)
}

// TestTaskOverHTTP: over Streamable HTTP, stateful and stateless alike, a task tool answers a
// CreateTaskResult, tasks/get with Mcp-Name set to the task id follows it to completion, and
// Mcp-Name must mirror params.taskId (SEP-2663, Streamable HTTP: Routing Headers): missing or
// different, the request is refused with 400 and -32020 (MCP 2026-07-28, Transports § Streamable
// HTTP, Server Validation). A client that did not declare the extension gets -32021, 400.
func TestTaskOverHTTP(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, release := taskTestServer()
				defer func() { require.NoError(t, srv.Shutdown(context.Background())) }()
				h := server.New(srv, &md.opts)
				defer shutdown(t, h)

				w := do(h, modernReq(modernCall(3, "wait", `{}`, tasksCaps), "tools/call", "wait"))
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				res, _ := replyOf(t, w, w.Body.String())["result"].(map[string]any)
				require.NotNil(t, res, w.Body.String())
				assert.Equal(t, "task", res["resultType"])
				id, _ := res["taskId"].(string)
				require.NotEmpty(t, id)

				w = do(h, taskReq("tasks/get", id, id))
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				res, _ = replyOf(t, w, w.Body.String())["result"].(map[string]any)
				assert.Equal(t, "working", res["status"])

				for _, name := range []string{"", "another-task"} {
					w = do(h, taskReq("tasks/get", id, name))
					require.Equal(t, http.StatusBadRequest, w.Code, "Mcp-Name %q: %s", name, w.Body.String())
					e, _ := replyOf(t, w, w.Body.String())["error"].(map[string]any)
					assert.EqualValues(t, mcp.CodeHeaderMismatch, e["code"])
				}

				close(release)
				synctest.Wait()
				w = do(h, taskReq("tasks/get", id, id))
				res, _ = replyOf(t, w, w.Body.String())["result"].(map[string]any)
				assert.Equal(t, "completed", res["status"])
				inline, _ := res["result"].(map[string]any)
				assert.Equal(t, []any{map[string]any{"type": "text", "text": "waited"}}, inline["content"])

				w = do(h, modernReq(modernCall(4, "wait", `{}`, ""), "tools/call", "wait"))
				require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
				e, _ := replyOf(t, w, w.Body.String())["error"].(map[string]any)
				assert.EqualValues(t, mcp.CodeMissingRequiredClientCapability, e["code"])
			})
		})
	}
}
