package mcp_test

import (
	"context"
	"testing"
	"testing/synctest"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// TestTaskArgsOutliveRequest: a task reads its arguments after its request was answered, when
// the transport has reused the buffer the request was read into (the Streamable HTTP
// transport pools them): the task sees the arguments as they were sent.
func TestTaskArgsOutliveRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mcp.NewServer(nil, nil)
		defer shutdownTasks(t, s)
		release := make(chan struct{})
		s.AddRawTool(&mcp.Tool{Name: "echo", TaskSupport: mcp.TaskRequired},
			mcp.TaskHandler(func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
				<-release
				return mcp.TextResult(string(args) + " " + string(req.Params[:14])), nil
			}))
		line := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"a":1},` + tasksMeta + `}}`)
		msgs, _, derr := rpc.Decode(nil, line, rpc.Limits{})
		require.Nil(t, derr)
		resp, ok := s.Handle(t.Context(), modernIn(""), &msgs[0])
		require.True(t, ok)
		var created map[string]any
		require.NoError(t, json.Unmarshal(resp.Result, &created))
		id, _ := created["taskId"].(string)
		require.NotEmpty(t, id, string(resp.Result))
		for i := range line {
			line[i] = 'x' // the transport reads the next request into the buffer
		}
		close(release)
		synctest.Wait()
		g := getTask(t, s, "", id)
		inline, _ := g.Result["result"].(map[string]any)
		assert.Equal(t, []any{map[string]any{"type": "text", "text": `{"a":1} {"name":"echo"`}}, inline["content"])
	})
}
