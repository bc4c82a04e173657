package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// modernMeta is the _meta of a 2026-07-28 request.
const modernMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`

// modernCall is a 2026-07-28 tools/call of tool with args and extra members of _meta.
func modernCall(id int, tool, args, extraMeta string) string {
	meta := modernMeta
	if extraMeta != "" {
		meta = strings.TrimSuffix(meta, "}") + "," + extraMeta + "}"
	}
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{%s,"name":%q,"arguments":%s}}`, id, meta, tool, args)
}

// modernReq builds a 2026-07-28 POST with the standard headers for method and name (none
// when empty), then hdr as req does.
func modernReq(body, method, name string, hdr ...string) *http.Request {
	std := []string{"MCP-Protocol-Version", mcp.Version20260728, "Mcp-Method", method}
	if name != "" {
		std = append(std, "Mcp-Name", name)
	}
	return req(http.MethodPost, body, "", append(std, hdr...)...)
}

// modes are the handlers a modern request must be served alike by.
var modes = []struct {
	name string
	opts server.Options
}{
	{"stateful", server.Options{}},
	{"stateless", server.Options{Stateless: true}},
}

// replyOf decodes the JSON-RPC reply of an answer, JSON or SSE (its last event).
func replyOf(t *testing.T, w interface {
	Header() http.Header
}, body string) map[string]any {
	t.Helper()
	body = replyBody(t, w.Header(), body)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &m), body)
	return m
}

func TestModernValidationLadder(t *testing.T) {
	list := func(meta string) string {
		return `{"jsonrpc":"2.0","id":"x7","method":"tools/list","params":{` + meta + `}}`
	}
	tests := []struct {
		name   string
		r      func() *http.Request
		status int
		code   int64
	}{
		{"meta without clientCapabilities",
			func() *http.Request {
				return modernReq(list(`"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}`), "tools/list", "")
			},
			http.StatusBadRequest, rpc32602},
		{"protocolVersion not a string",
			func() *http.Request {
				return modernReq(list(`"_meta":{"io.modelcontextprotocol/protocolVersion":20260728,"io.modelcontextprotocol/clientCapabilities":{}}`), "tools/list", "")
			},
			http.StatusBadRequest, rpc32602},
		{"modern header, no _meta",
			func() *http.Request {
				return modernReq(`{"jsonrpc":"2.0","id":"x7","method":"tools/list"}`, "tools/list", "")
			},
			http.StatusBadRequest, rpc32602},
		{"version header missing",
			func() *http.Request { return modernReq(list(modernMeta), "tools/list", "", "MCP-Protocol-Version", "") },
			http.StatusBadRequest, mcp.CodeHeaderMismatch},
		{"version header differs from _meta",
			func() *http.Request {
				return modernReq(list(modernMeta), "tools/list", "", "MCP-Protocol-Version", "2025-11-25")
			},
			http.StatusBadRequest, mcp.CodeHeaderMismatch},
		{"method header missing",
			func() *http.Request { return modernReq(list(modernMeta), "", "") },
			http.StatusBadRequest, mcp.CodeHeaderMismatch},
		{"method header differs",
			func() *http.Request { return modernReq(list(modernMeta), "prompts/list", "") },
			http.StatusBadRequest, mcp.CodeHeaderMismatch},
		{"method header value case differs",
			func() *http.Request { return modernReq(list(modernMeta), "TOOLS/LIST", "") },
			http.StatusBadRequest, mcp.CodeHeaderMismatch},
		{"name header missing",
			func() *http.Request {
				return modernReq(strings.Replace(modernCall(7, "echo", `{"text":"a"}`, ""), `"id":7`, `"id":"x7"`, 1), "tools/call", "")
			},
			http.StatusBadRequest, mcp.CodeHeaderMismatch},
		{"name header differs",
			func() *http.Request {
				return modernReq(strings.Replace(modernCall(7, "echo", `{"text":"a"}`, ""), `"id":7`, `"id":"x7"`, 1), "tools/call", "block")
			},
			http.StatusBadRequest, mcp.CodeHeaderMismatch},
		{"name header badly encoded",
			func() *http.Request {
				return modernReq(strings.Replace(modernCall(7, "echo", `{"text":"a"}`, ""), `"id":7`, `"id":"x7"`, 1), "tools/call", "=?base64?!!?=")
			},
			http.StatusBadRequest, mcp.CodeHeaderMismatch},
		{"unsupported version",
			func() *http.Request {
				return modernReq(list(strings.ReplaceAll(modernMeta, "2026-07-28", "2099-01-01")), "tools/list", "", "MCP-Protocol-Version", "2099-01-01")
			},
			http.StatusBadRequest, mcp.CodeUnsupportedProtocolVersion},
		{"unknown method",
			func() *http.Request {
				return modernReq(`{"jsonrpc":"2.0","id":"x7","method":"no/such","params":{`+modernMeta+`}}`, "no/such", "")
			},
			http.StatusNotFound, -32601},
		{"ping is removed",
			func() *http.Request {
				return modernReq(`{"jsonrpc":"2.0","id":"x7","method":"ping","params":{`+modernMeta+`}}`, "ping", "")
			},
			http.StatusNotFound, -32601},
		{"logging/setLevel is removed",
			func() *http.Request {
				return modernReq(`{"jsonrpc":"2.0","id":"x7","method":"logging/setLevel","params":{`+modernMeta+`,"level":"info"}}`, "logging/setLevel", "")
			},
			http.StatusNotFound, -32601},
		{"resources/subscribe is removed",
			func() *http.Request {
				return modernReq(`{"jsonrpc":"2.0","id":"x7","method":"resources/subscribe","params":{`+modernMeta+`,"uri":"test://r"}}`, "resources/subscribe", "")
			},
			http.StatusNotFound, -32601},
		{"initialize at 2026-07-28",
			func() *http.Request {
				return modernReq(`{"jsonrpc":"2.0","id":"x7","method":"initialize","params":{`+modernMeta+`,"protocolVersion":"2026-07-28","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`, "initialize", "")
			},
			http.StatusNotFound, -32601},
	}
	for _, md := range modes {
		for _, tt := range tests {
			t.Run(md.name+"/"+tt.name, func(t *testing.T) {
				h := server.New(newTestServer().Server, &md.opts)
				w := do(h, tt.r())
				assert.Equal(t, tt.status, w.Code, w.Body.String())
				assert.Empty(t, w.Header().Get("Mcp-Session-Id"))
				m := replyOf(t, w, w.Body.String())
				assert.Equal(t, "x7", m["id"], "the error carries the request's id")
				e, _ := m["error"].(map[string]any)
				require.NotNil(t, e, w.Body.String())
				assert.EqualValues(t, tt.code, e["code"], w.Body.String())
				if tt.code == mcp.CodeUnsupportedProtocolVersion {
					data, _ := e["data"].(map[string]any)
					assert.Equal(t, "2099-01-01", data["requested"])
					assert.Contains(t, data["supported"], mcp.Version20260728)
				}
			})
		}
	}
}

const rpc32602 = -32602

// TestModernToolsCall: a 2026-07-28 tools/call is served without initialize, with no session
// minted or read, by the stateful handler as by the stateless one; its result says its type
// and the server's identity.
func TestModernToolsCall(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			h := server.New(newTestServer().Server, &md.opts)
			for _, name := range []string{"echo", "  echo\t", "=?base64?ZWNobw==?="} {
				// An Mcp-Session-Id the server never minted is ignored, not refused.
				w := do(h, modernReq(modernCall(3, "echo", `{"text":"hi"}`, ""), "tools/call", name, "Mcp-Session-Id", "nope"))
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				assert.Empty(t, w.Header().Get("Mcp-Session-Id"))
				m := replyOf(t, w, w.Body.String())
				assert.EqualValues(t, 3, m["id"])
				res, _ := m["result"].(map[string]any)
				require.NotNil(t, res, w.Body.String())
				assert.Equal(t, "complete", res["resultType"])
				assert.Equal(t, map[string]any{"type": "text", "text": "hi"}, res["content"].([]any)[0])
				meta, _ := res["_meta"].(map[string]any)
				assert.Equal(t, map[string]any{"name": "transport-test", "version": "1.0.0"}, meta["io.modelcontextprotocol/serverInfo"])
			}
			if md.opts.Stateless {
				return
			}
			// The 2025 path next to it is unchanged: no session, no service.
			w := do(h, req(http.MethodPost, call(4, "echo", `{"text":"hi"}`), ""))
			assert.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
		})
	}
}

// TestModernDiscover: server/discover answers the versions, the capabilities served without a
// session, the instructions, and the cache hints the schema requires.
func TestModernDiscover(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			srv := mcp.NewServer(&mcp.Implementation{Name: "d", Version: "2"}, &mcp.ServerOptions{Instructions: "Use echo."})
			mcp.AddTool(srv, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.Request, _ struct{}) (string, error) { return "", nil })
			h := server.New(srv, &md.opts)
			w := do(h, modernReq(`{"jsonrpc":"2.0","id":"d1","method":"server/discover","params":{`+modernMeta+`}}`, "server/discover", ""))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Empty(t, w.Header().Get("Mcp-Session-Id"))
			var got struct {
				ID     string `json:"id"`
				Result struct {
					ResultType        string         `json:"resultType"`
					SupportedVersions []string       `json:"supportedVersions"`
					Capabilities      map[string]any `json:"capabilities"`
					Instructions      string         `json:"instructions"`
					TTLMs             *int           `json:"ttlMs"`
					CacheScope        string         `json:"cacheScope"`
					Meta              map[string]any `json:"_meta"`
				} `json:"result"`
			}
			require.NoError(t, json.Unmarshal([]byte(replyBody(t, w.Header(), w.Body.String())), &got), w.Body.String())
			r := got.Result
			assert.Equal(t, "d1", got.ID)
			assert.Equal(t, "complete", r.ResultType)
			assert.Equal(t, mcp.AllVersions(), r.SupportedVersions)
			assert.Equal(t, mcp.Version20260728, r.SupportedVersions[0])
			assert.Equal(t, map[string]any{"listChanged": true}, r.Capabilities["tools"], "delivered on subscriptions/listen")
			assert.Equal(t, "Use echo.", r.Instructions)
			require.NotNil(t, r.TTLMs)
			assert.Equal(t, "private", r.CacheScope)
			assert.Equal(t, map[string]any{"name": "d", "version": "2"}, r.Meta["io.modelcontextprotocol/serverInfo"])
		})
	}
}

// TestModernLogLevel: a 2026-07-28 request gets notifications/message only when its _meta set
// a level (schema, RequestMetaObject: "If absent, the server MUST NOT send any
// notifications/message notifications for this request").
func TestModernLogLevel(t *testing.T) {
	h := server.New(newTestServer().Server, &server.Options{Stateless: true})
	w := do(h, modernReq(modernCall(5, "notify", `{}`, ""), "tools/call", "notify"))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.NotContains(t, w.Body.String(), "notifications/message")
	assert.Contains(t, w.Body.String(), "notified")

	w = do(h, modernReq(modernCall(6, "notify", `{}`, `"io.modelcontextprotocol/logLevel":"info"`), "tools/call", "notify"))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, "text/event-stream", w.Header().Get("Content-Type"))
	evs := dataOf(events(t, w.Body))
	require.Len(t, evs, 3, evs)
	assert.Contains(t, evs[0], `"notifications/message"`)
	assert.Contains(t, evs[1], `"two"`)
	assert.Contains(t, evs[2], `"notified"`)
}

// replyBody returns the JSON-RPC reply of an answer, JSON or SSE (its last event).
func replyBody(t *testing.T, hd http.Header, body string) string {
	t.Helper()
	if strings.HasPrefix(hd.Get("Content-Type"), "text/event-stream") {
		evs := dataOf(events(t, strings.NewReader(body)))
		require.NotEmpty(t, evs)
		return evs[len(evs)-1]
	}
	return body
}

// TestModernStdio: stdio answers server/discover and 2026-07-28 requests without initialize,
// refuses a bad one with its id, and still opens a 2025 session with initialize.
func TestModernStdio(t *testing.T) {
	ts := newTestServer()
	lines := []string{
		`{"jsonrpc":"2.0","id":"d","method":"server/discover","params":{` + modernMeta + `}}`,
		modernCall(2, "echo", `{"text":"modern stdio"}`, ""),
		`{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`,
		`{"jsonrpc":"2.0","id":5,"method":"ping","params":{` + modernMeta + `}}`,
		initBody,
	}
	var out strings.Builder
	require.NoError(t, server.ServeStdio(t.Context(), ts.Server, strings.NewReader(strings.Join(lines, "\n")+"\n"), &out, nil))
	got := map[string]map[string]any{}
	for l := range strings.SplitSeq(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		got[fmt.Sprint(m["id"])] = m
	}
	require.Len(t, got, len(lines))
	assert.Equal(t, mcp.AllVersions(), toStrings(got["d"]["result"].(map[string]any)["supportedVersions"]))
	assert.Equal(t, "complete", got["2"]["result"].(map[string]any)["resultType"])
	assert.Contains(t, fmt.Sprint(got["2"]["result"]), "modern stdio")
	assert.EqualValues(t, mcp.CodeUnsupportedProtocolVersion, got["3"]["error"].(map[string]any)["code"])
	assert.EqualValues(t, -32602, got["4"]["error"].(map[string]any)["code"])
	assert.EqualValues(t, -32601, got["5"]["error"].(map[string]any)["code"])
	assert.Equal(t, mcp.Version20251125, got["1"]["result"].(map[string]any)["protocolVersion"])
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// TestModernParamHeaders: the Mcp-Param-{Name} headers of a tools/call must carry the
// arguments the tool's schema marks with x-mcp-header, Base64 sentinel decoded, integers
// compared as numbers (MCP 2026-07-28, Transports § Streamable HTTP, Custom Headers from Tool
// Parameters).
func TestModernParamHeaders(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "p", Version: "1"}, nil)
	srv.AddRawTool(&mcp.Tool{Name: "sql", InputSchema: json.RawMessage(`{"type":"object","properties":{` +
		`"region":{"type":"string","x-mcp-header":"Region"},"n":{"type":"integer","x-mcp-header":"N"},` +
		`"opts":{"type":"object","properties":{"flag":{"type":"boolean","x-mcp-header":"Flag"}}},"query":{"type":"string"}}}`)},
		func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.TextResult("ok"), nil
		})
	const args = `{"region":"us-west1","n":42,"opts":{"flag":true},"query":"q"}`
	all := []string{"Mcp-Param-Region", "us-west1", "Mcp-Param-N", "42", "Mcp-Param-Flag", "true"}
	with := func(kv ...string) []string { return append(append([]string(nil), all...), kv...) }
	tests := []struct {
		name string
		args string
		hdr  []string
		ok   bool
	}{
		{"all mirrored", args, all, true},
		{"header names in any case", args, []string{"mcp-param-region", "us-west1", "MCP-PARAM-N", "42", "Mcp-Param-Flag", "true"}, true},
		{"base64", args, with("Mcp-Param-Region", "=?base64?dXMtd2VzdDE=?="), true},
		{"integer compared as a number", args, with("Mcp-Param-N", "42.0"), true},
		{"no value, no header", `{"query":"q","opts":{}}`, nil, true},
		{"value without its header", args, with("Mcp-Param-Region", ""), false},
		{"mismatch", args, with("Mcp-Param-Region", "eu-west1"), false},
		{"nested mismatch", args, with("Mcp-Param-Flag", "false"), false},
		{"integer mismatch", args, with("Mcp-Param-N", "43"), false},
		{"bad base64 padding", `{"region":"Hello"}`, []string{"Mcp-Param-Region", "=?base64?SGVsbG8?="}, false},
		{"bad base64 characters", `{"region":"Hello"}`, []string{"Mcp-Param-Region", "=?base64?SGVs!!!bG8=?="}, false},
		{"no sentinel suffix is a literal", `{"region":"=?base64?SGVsbG8="}`, []string{"Mcp-Param-Region", "=?base64?SGVsbG8="}, true},
		{"not visible ASCII", `{"region":"Hé"}`, []string{"Mcp-Param-Region", "Hé"}, false},
	}
	for _, md := range modes {
		h := server.New(srv, &md.opts)
		for _, tt := range tests {
			t.Run(md.name+"/"+tt.name, func(t *testing.T) {
				w := do(h, modernReq(modernCall(9, "sql", tt.args, ""), "tools/call", "sql", tt.hdr...))
				if tt.ok {
					require.Equal(t, http.StatusOK, w.Code, w.Body.String())
					assert.Contains(t, w.Body.String(), `"ok"`)
					return
				}
				require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
				code, _ := errorBody(t, w.Body.Bytes())
				assert.Equal(t, mcp.CodeHeaderMismatch, code)
			})
		}
	}
}

// TestModernMissingCapability: at 2026-07-28 a tool that needs a client capability the
// request did not declare fails the request with 400/-32021, naming the capability; in a 2025
// session the same tool still reports a tool error.
func TestModernMissingCapability(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			h := server.New(newTestServer().Server, &md.opts)
			w := do(h, modernReq(modernCall(12, "sample", `{}`, ""), "tools/call", "sample"))
			require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			m := replyOf(t, w, w.Body.String())
			assert.EqualValues(t, 12, m["id"])
			e := m["error"].(map[string]any)
			assert.EqualValues(t, mcp.CodeMissingRequiredClientCapability, e["code"])
			assert.Equal(t, map[string]any{"requiredCapabilities": map[string]any{"sampling": map[string]any{}}}, e["data"])
		})
	}
}

// TestModernRepeatedMembers: when params repeat a member the standard headers mirror, a
// request naming one tool in Mcp-Name never runs another (MCP 2026-07-28, Transports §
// Streamable HTTP, Server Validation: a header that "does not match the corresponding request
// body value" gets -32020): the headers are checked against the last member, as JSON decoders
// keep it, and the protocol then refuses the repeated member itself (-32602), whichever one the
// headers mirrored.
func TestModernRepeatedMembers(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "p", Version: "1"}, nil)
	srv.AddRawTool(&mcp.Tool{Name: "sql", InputSchema: json.RawMessage(`{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"}}}`)},
		func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.TextResult("sql ran"), nil
		})
	mcp.AddTool(srv, &mcp.Tool{Name: "other"}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "other ran", nil })
	body := func(params string) string {
		return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{` + modernMeta + `,` + params + `}}`
	}
	for _, md := range modes {
		h := server.New(srv, &md.opts)
		for _, tt := range []struct {
			name, params string
			hdr          []string
			ok           string
		}{
			{"name", `"name":"sql","arguments":{"region":"us"},"name":"other"`, []string{"Mcp-Name", "sql", "Mcp-Param-Region", "us"}, ""},
			{"name, last mirrored", `"name":"sql","arguments":{},"name":"other"`, []string{"Mcp-Name", "other"}, `"name\" given twice`},
			{"arguments", `"name":"sql","arguments":{"region":"us"},"arguments":{"region":"eu"}`, []string{"Mcp-Name", "sql", "Mcp-Param-Region", "us"}, ""},
			{"arguments, last mirrored", `"name":"sql","arguments":{"region":"us"},"arguments":{"region":"eu"}`, []string{"Mcp-Name", "sql", "Mcp-Param-Region", "eu"}, `"arguments\" given twice`},
		} {
			t.Run(md.name+"/"+tt.name, func(t *testing.T) {
				w := do(h, modernReq(body(tt.params), "tools/call", "", tt.hdr...))
				if tt.ok != "" {
					assert.Contains(t, w.Body.String(), tt.ok)
					code, _ := errorBody(t, w.Body.Bytes())
					assert.Equal(t, int64(-32602), code)
					return
				}
				require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
				code, _ := errorBody(t, w.Body.Bytes())
				assert.Equal(t, mcp.CodeHeaderMismatch, code)
			})
		}
		shutdown(t, h)
	}
}
