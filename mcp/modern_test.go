package mcp_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"

	"github.com/minimcp/minimcp/mcp"
)

const modernMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"modern-client","version":"3"},"io.modelcontextprotocol/clientCapabilities":{}`

// TestModernRequest: a request handed in at 2026-07-28 without a session runs with the context
// of its own _meta, and its result carries resultType and the server's identity, merged into a
// _meta the result already has; what the revision removed is an unknown method.
func TestModernRequest(t *testing.T) {
	s := newFixture(nil)
	mcp.AddTool(s, &mcp.Tool{Name: "meta"}, func(context.Context, *mcp.Request, struct{}) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{}, Meta: mcp.Meta{"k": 1}}, nil
	})
	in := &mcp.Inbound{ProtocolVersion: mcp.Version20260728}
	got := handleOne(t, s, in, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{`+modernMeta+`,"io.modelcontextprotocol/logLevel":"debug"},"name":"whoami","arguments":{}}}`)
	assert.Equal(t, `{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"version=2026-07-28 client=modern-client session=true level=debug"}],"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"fixture","title":"Fixture Server","version":"1.0.0"}}}}`, got)

	got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{`+modernMeta+`},"name":"meta","arguments":{}}}`)
	assert.Equal(t, `{"jsonrpc":"2.0","id":8,"result":{"content":[],"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"fixture","title":"Fixture Server","version":"1.0.0"},"k":1}}}`, got)

	got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{`+modernMeta+`},"uri":"test://nope"}}`)
	assert.Contains(t, got, `"code":-32602`, "resource not found is -32602 from 2026-07-28 on")
	assert.Contains(t, got, `"data":{"uri":"test://nope"}`)

	got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{`+modernMeta+`},"uri":"test://static-text"}}`)
	assert.Contains(t, got, `"resultType":"complete","ttlMs":0,"cacheScope":"private","_meta":{"io.modelcontextprotocol/serverInfo":`)

	for _, m := range []string{"ping", "initialize", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"} {
		got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":4,"method":"`+m+`","params":{`+modernMeta+`}}}`)
		assert.Contains(t, got, `"code":-32601`, m)
	}

	got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":5,"method":"server/discover","params":{`+modernMeta+`}}}`)
	assert.Contains(t, got, `"supportedVersions":["2026-07-28","2025-11-25","2025-06-18","2025-03-26","2024-11-05"]`)

	// The 2025 revisions are unchanged: no resultType, -32002.
	got = handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20251125}, `{"jsonrpc":"2.0","id":6,"method":"resources/read","params":{"uri":"test://nope"}}`)
	assert.Contains(t, got, `"code":-32002`)
	got = handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20251125}, `{"jsonrpc":"2.0","id":7,"method":"server/discover"}`)
	assert.Contains(t, got, `"code":-32601`)
}

// TestToolHeaders: x-mcp-header annotations reachable through properties are found, and
// ones that break the spec's constraints are refused at registration (MCP 2026-07-28, Server
// § Tools, x-mcp-header).
func TestToolHeaders(t *testing.T) {
	h := func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) { return nil, nil }
	s := mcp.NewServer(nil, nil)
	s.AddRawTool(&mcp.Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string","x-mcp-header":"A"},"o":{"type":"object","properties":{"b":{"type":"integer","x-mcp-header":"B-2"}}},"c":{"type":"string"}}}`)}, h)
	assert.Equal(t, []mcp.ToolHeader{{Name: "A", Path: []string{"a"}}, {Name: "B-2", Path: []string{"o", "b"}}}, s.ToolHeaders("t"))
	assert.Nil(t, s.ToolHeaders("none"))

	for name, schema := range map[string]string{
		"number type": `{"type":"object","properties":{"a":{"type":"number","x-mcp-header":"A"}}}`,
		"empty":       `{"type":"object","properties":{"a":{"type":"string","x-mcp-header":""}}}`,
		"not a token": `{"type":"object","properties":{"a":{"type":"string","x-mcp-header":"A B"}}}`,
		"repeated":    `{"type":"object","properties":{"a":{"type":"string","x-mcp-header":"X"},"b":{"type":"string","x-mcp-header":"x"}}}`,
	} {
		assert.Panics(t, func() { s.AddRawTool(&mcp.Tool{Name: "bad " + name, InputSchema: json.RawMessage(schema)}, h) }, name)
	}
}

// TestModernMissingCapability: at 2026-07-28 a handler that needs a capability the request
// did not declare fails the request with -32021 naming it in data.requiredCapabilities; in a
// 2025 request the same failure stays a tool error.
func TestModernMissingCapability(t *testing.T) {
	s := newFixture(nil)
	mcp.AddTool(s, &mcp.Tool{Name: "ask"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
		_, err := req.CreateMessage(ctx, &mcp.CreateMessageParams{ToolChoice: &mcp.ToolChoice{Mode: "auto"}})
		return "", err
	})
	in := &mcp.Inbound{ProtocolVersion: mcp.Version20260728}
	got := handleOne(t, s, in, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{`+modernMeta+`},"name":"ask","arguments":{}}}`)
	assert.Equal(t, `{"jsonrpc":"2.0","id":1,"error":{"code":-32021,"message":"Missing required client capability: sampling","data":{"requiredCapabilities":{"sampling":{}}}}}`, got)
	meta := strings.Replace(modernMeta, `"io.modelcontextprotocol/clientCapabilities":{}`, `"io.modelcontextprotocol/clientCapabilities":{"sampling":{}}`, 1)
	got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{`+meta+`},"name":"ask","arguments":{}}}`)
	assert.Contains(t, got, `"data":{"requiredCapabilities":{"sampling":{"tools":{}}}}`)

	got = handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20251125}, `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"ask","arguments":{}}}`)
	assert.Contains(t, got, `"isError":true`)
}

// TestModernClientInfoDecoding: each request runs with the clientInfo it carries, however
// clients alternate (a clientInfo is decoded once for as long as clients send the same bytes).
func TestModernClientInfoDecoding(t *testing.T) {
	s := newFixture(nil)
	in := &mcp.Inbound{ProtocolVersion: mcp.Version20260728}
	call := func(id int, info string) string {
		if info != "" {
			info = `"io.modelcontextprotocol/clientInfo":` + info + `,`
		}
		return `{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"tools/call","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",` +
			info + `"io.modelcontextprotocol/clientCapabilities":{ }},"name":"whoami","arguments":{}}}`
	}
	for i, name := range []string{"a", "a", "b", "a", "b", "b"} {
		got := handleOne(t, s, in, call(i, `{"name":"`+name+`","version":"1"}`))
		assert.Contains(t, got, "client="+name+" ", i)
	}
	got := handleOne(t, s, in, call(9, `{"name":"broken","version":1}`))
	assert.Contains(t, got, "client= ", "a clientInfo that does not decode is none")
}
