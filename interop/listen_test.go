package interop

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoSDKClientListens: the Go SDK client, given a tool list handler, opens a
// subscriptions/listen stream after server/discover declared tools.listChanged (MCP
// 2026-07-28, Basic § Subscriptions), and a change of minimcp's tool list (the conformance
// server's test_trigger_tool_change) reaches the handler, stateful and stateless alike.
func TestGoSDKClientListens(t *testing.T) {
	for _, mode := range []struct {
		name string
		args []string
	}{{"stateful", nil}, {"stateless", []string{"--stateless"}}} {
		t.Run(mode.name, func(t *testing.T) {
			base := runHTTP(t, "conformance", mode.args...)
			httpClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			t.Cleanup(httpClient.CloseIdleConnections) // before the server stops

			ctx, cancel := context.WithTimeout(t.Context(), sessionTimeout)
			defer cancel()
			changed := make(chan struct{}, 64)
			client := mcp.NewClient(&mcp.Implementation{Name: "minimcp-interop-go-listen", Version: "1.0.0"}, &mcp.ClientOptions{
				ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) { changed <- struct{}{} },
			})
			cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: httpClient}, nil)
			require.NoError(t, err, "connect: server/discover, then subscriptions/listen")
			defer cs.Close()
			res := cs.InitializeResult()
			require.Equal(t, modernVersion, res.ProtocolVersion)
			require.NotNil(t, res.Capabilities.Tools)
			assert.True(t, res.Capabilities.Tools.ListChanged, "server/discover declares tools.listChanged")

			// The SDK opens the stream without waiting for its acknowledgment: a change made
			// before the stream is up reaches no one, so the tool list is changed until the
			// handler hears of it. How many rounds that takes does not matter.
			for {
				res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "test_trigger_tool_change", Arguments: map[string]any{}})
				require.NoError(t, err)
				require.False(t, res.IsError, "tool error: %v", res.Content)
				select {
				case <-changed:
					return
				case <-time.After(100 * time.Millisecond):
				case <-ctx.Done():
					t.Fatal("no notifications/tools/list_changed reached the client")
				}
			}
		})
	}
}
