package mcp_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"

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
