package mcp_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/minimcp/minimcp/server"
)

// streamLines serves the client lines as one stream and returns every line the server wrote.
// ServeStdio answers every request before it returns at the end of its input, so nothing
// can be missed and nothing can hang. Requests are handled one at a time, in order.
func streamLines(t *testing.T, srv *mcp.Server, lines ...string) []string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, server.ServeStdio(t.Context(), srv, strings.NewReader(strings.Join(lines, "\n")+"\n"), &out,
		&server.StdioOptions{Concurrency: 1}))
	if out.Len() == 0 {
		return nil
	}
	require.True(t, bytes.HasSuffix(out.Bytes(), []byte("\n")), "the last message ends with its newline: %q", out.String())
	return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
}

// prettySchema is an input schema as a person writes it in a file: indented, on many lines.
const prettySchema = `{
  "type": "object",
  "properties": {
    "text": {
      "type": "string",
      "description": "what to echo"
    }
  },
  "required": ["text"]
}`

// TestStreamPrettyRawJSON checks that raw JSON written on several lines (a schema read from a
// file, a tool's structured result) goes out on one line: MCP 2025-11-25, Transports § stdio:
// "Messages are delimited by newlines, and MUST NOT contain embedded newlines".
func TestStreamPrettyRawJSON(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "pretty", Version: "1"}, nil)
	srv.AddRawTool(&mcp.Tool{Name: "echo", InputSchema: json.RawMessage(prettySchema),
		OutputSchema: json.RawMessage(prettySchema)},
		func(_ context.Context, _ *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			var buf bytes.Buffer
			require.NoError(t, json.Indent(&buf, args, "", "  "))
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ok"}}, StructuredContent: buf.Bytes()}, nil
		})
	lines := streamLines(t, srv,
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`)
	require.Len(t, lines, 3, "one line per answer: %q", lines)
	byID := map[string]map[string]json.RawMessage{}
	for _, l := range lines {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(l), &m), "%q", l)
		byID[string(m["id"])] = m
	}
	require.Contains(t, byID, "2")
	require.Nil(t, byID["2"]["error"], "%s", byID["2"]["error"])
	var list mcp.ListToolsResult
	require.NoError(t, json.Unmarshal(byID["2"]["result"], &list))
	require.Len(t, list.Tools, 1)
	assert.JSONEq(t, prettySchema, string(list.Tools[0].InputSchema))
	assert.JSONEq(t, prettySchema, string(list.Tools[0].OutputSchema))
	require.Contains(t, byID, "3")
	assert.JSONEq(t, `{"content":[{"type":"text","text":"ok"}],"structuredContent":{"text":"hi"}}`, string(byID["3"]["result"]))
}

// TestStatelessCapabilities checks that initialize declares only what the transport can do
// (MCP 2025-11-25, Basic § Lifecycle, Capability Negotiation): without a session (stateless
// HTTP) there is no stream for server-initiated messages, so neither subscriptions nor
// list_changed notifications can reach the client.
func TestStatelessCapabilities(t *testing.T) {
	srv := newFixture(nil)
	const init = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	caps := func(t *testing.T, raw []byte) string {
		t.Helper()
		var reply struct {
			Result struct {
				Capabilities json.RawMessage `json:"capabilities"`
			} `json:"result"`
		}
		require.NoError(t, json.Unmarshal(raw, &reply), "%s", raw)
		return string(reply.Result.Capabilities)
	}
	stateful := `{"logging":{},"completions":{},"prompts":{"listChanged":true},"resources":{"subscribe":true,"listChanged":true},"tools":{"listChanged":true}}`
	stateless := `{"logging":{},"completions":{},"prompts":{},"resources":{},"tools":{}}`
	for range 2 { // the second time from the cache, which must keep the two apart
		t.Run("session", func(t *testing.T) {
			assert.JSONEq(t, stateful, caps(t, []byte(streamLines(t, srv, init)[0])))
		})
		t.Run("stateless", func(t *testing.T) {
			msgs, _, derr := rpc.Decode(nil, []byte(init), rpc.Limits{})
			require.Nil(t, derr)
			resp, ok := srv.Handle(t.Context(), &mcp.Inbound{ProtocolVersion: mcp.LatestVersion}, &msgs[0])
			require.True(t, ok)
			assert.JSONEq(t, stateless, caps(t, rpc.AppendResponse(nil, &resp)))
		})
	}
	assert.True(t, srv.Capabilities().Resources.Subscribe, "Capabilities describes a session")
}

// subscribeServer serves one resource template, so that any number of URIs can be subscribed.
func subscribeServer(opts *mcp.ServerOptions) *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "subs", Version: "1"}, opts)
	srv.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "notes://{id}", Name: "note"},
		func(_ context.Context, _ *mcp.Request, uri string, _ map[string]string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: "n"}}}, nil
		})
	return srv
}

// subscribeLines returns initialize followed by one request per method and URI, with ids 1,
// 2, ... in order.
func subscribeLines(reqs ...[2]string) []string {
	lines := []string{`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`}
	for i, r := range reqs {
		params, _ := json.Marshal(map[string]string{"uri": r[1]})
		lines = append(lines, string(rpc.AppendRequest(nil, rpc.Int64ID(int64(i+1)), r[0], params)))
	}
	return lines
}

// errorsByID returns the error message of each answer by id, "" for a success.
func errorsByID(t *testing.T, lines []string) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	for _, l := range lines {
		var reply struct {
			ID    int64 `json:"id"`
			Error *struct {
				Code    int64  `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &reply), "%s", l)
		if reply.Error != nil {
			assert.Equal(t, int64(-32602), reply.Error.Code, "%s", l)
			out[reply.ID] = reply.Error.Message
		} else {
			out[reply.ID] = ""
		}
	}
	return out
}

// TestSubscriptionLimits checks the bounds of what a session keeps for resources/subscribe:
// the number of subscriptions and the length of a URI (a subscription holds its URI for as
// long as the session lives).
func TestSubscriptionLimits(t *testing.T) {
	const sub, unsub, read = mcp.MethodResourcesSubscribe, mcp.MethodResourcesUnsubscribe, mcp.MethodResourcesRead
	t.Run("options", func(t *testing.T) {
		srv := subscribeServer(&mcp.ServerOptions{MaxSubscriptions: 2, MaxURILength: 16})
		long := "notes://" + strings.Repeat("x", 9) // 17 bytes
		got := errorsByID(t, streamLines(t, srv, subscribeLines(
			[2]string{sub, "notes://a"},
			[2]string{sub, "notes://b"},
			[2]string{sub, "notes://c"},
			[2]string{sub, "notes://a"}, // again: no new subscription
			[2]string{unsub, "notes://a"},
			[2]string{sub, "notes://c"},
			[2]string{sub, long},
			[2]string{read, long},
			[2]string{unsub, long},
			[2]string{read, long[:16]},
		)...))
		assert.Equal(t, map[int64]string{
			0: "", 1: "", 2: "",
			3: "Invalid params: resources/subscribe: this session already holds 2 subscriptions, the most allowed; unsubscribe from one first",
			4: "", 5: "", 6: "",
			7:  "Invalid params: resources/subscribe: uri is 17 bytes long, more than the limit of 16",
			8:  "Invalid params: resources/read: uri is 17 bytes long, more than the limit of 16",
			9:  "Invalid params: resources/unsubscribe: uri is 17 bytes long, more than the limit of 16",
			10: "",
		}, got)
	})
	t.Run("defaults", func(t *testing.T) {
		srv := subscribeServer(nil)
		var reqs [][2]string
		for i := range mcp.DefaultMaxSubscriptions + 1 {
			reqs = append(reqs, [2]string{sub, "notes://" + strconv.Itoa(i)})
		}
		reqs = append(reqs,
			[2]string{read, "notes://" + strings.Repeat("x", mcp.DefaultMaxURILength-len("notes://"))},
			[2]string{read, "notes://" + strings.Repeat("x", mcp.DefaultMaxURILength-len("notes://")+1)})
		got := errorsByID(t, streamLines(t, srv, subscribeLines(reqs...)...))
		n := int64(mcp.DefaultMaxSubscriptions)
		assert.Equal(t, "", got[n], "subscription %d", n)
		assert.Contains(t, got[n+1], "this session already holds 1000 subscriptions")
		assert.Equal(t, "", got[n+2], "a URI of %d bytes", mcp.DefaultMaxURILength)
		assert.Contains(t, got[n+3], "uri is 8193 bytes long, more than the limit of 8192")
	})
}
