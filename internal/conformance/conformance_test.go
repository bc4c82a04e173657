package conformance

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/mcp"
)

// confTestClient is the client package, pinned to the 2025-11-25 session the conformance suite
// 0.1.16 speaks: call returns a result's JSON as the server wrote it, so the tests check the
// conformance server's answers byte for byte.
type confTestClient struct {
	t  *testing.T
	cl *client.Client
	// mu guards notes and token, written by the client's reading goroutine.
	mu sync.Mutex
	// notes are the methods of the progress and log notifications that came with the last
	// call, before its response.
	notes []string
	// token is the progress token of the last call's progress notifications.
	token string
}

// newConfTestServer serves the conformance handler on 127.0.0.1 for the test and returns a
// client connected to it; a stateless server gives it no session.
func newConfTestServer(t *testing.T, stateless bool) *confTestClient {
	t.Helper()
	h, _ := New(&Options{Path: "/mcp", Stateless: stateless})
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		require.NoError(t, h.Shutdown(context.Background()))
		ts.Close()
	})
	c := &confTestClient{t: t}
	cl, err := client.Connect(t.Context(), ts.URL+"/mcp", &client.Options{
		ClientInfo:      mcp.Implementation{Name: "conformance-test", Version: "1.0.0"},
		ProtocolVersion: "2025-11-25",
		LogHandler: func(context.Context, *mcp.LoggingMessageParams) {
			c.mu.Lock()
			c.notes = append(c.notes, mcp.NotificationLoggingMessage)
			c.mu.Unlock()
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, cl.Close()) })
	c.cl = cl
	if !stateless {
		require.NotEmpty(t, cl.SessionID(), "initialize must mint an Mcp-Session-Id")
	}
	return c
}

// call sends a request with params verbatim and returns its result as raw JSON; a JSON-RPC
// error fails the test.
func (c *confTestClient) call(method, params string) json.RawMessage {
	return c.callCtx(c.t.Context(), method, params)
}

// callProgress is call asking for progress, whose token lands in c.token.
func (c *confTestClient) callProgress(method, params string) json.RawMessage {
	return c.callCtx(client.WithProgress(c.t.Context(), func(p *mcp.ProgressNotificationParams) {
		c.mu.Lock()
		c.notes = append(c.notes, mcp.NotificationProgress)
		c.token = string(p.ProgressToken)
		c.mu.Unlock()
	}), method, params)
}

func (c *confTestClient) callCtx(ctx context.Context, method, params string) json.RawMessage {
	c.t.Helper()
	c.mu.Lock()
	c.notes, c.token = nil, ""
	c.mu.Unlock()
	res, err := c.cl.Call(ctx, method, json.RawMessage(params))
	require.NoError(c.t, err, "%s", method)
	return res
}

// lastNotes returns the notes of the last call.
func (c *confTestClient) lastNotes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.notes)
}

// confToolResult is the part of a CallToolResult the tests read.
type confToolResult struct {
	Content []struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		Data     string `json:"data"`
		MimeType string `json:"mimeType"`
	} `json:"content"`
	IsError bool `json:"isError"`
}

func TestConformanceToolsList(t *testing.T) {
	c := newConfTestServer(t, false)
	var res struct {
		Tools []struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			InputSchema json.RawMessage `json:"inputSchema"`
		} `json:"tools"`
		NextCursor string `json:"nextCursor"`
	}
	require.NoError(t, json.Unmarshal(c.call("tools/list", `{}`), &res))
	assert.Empty(t, res.NextCursor, "every tool fits in one page")

	got := map[string]json.RawMessage{}
	for _, tool := range res.Tools {
		got[tool.Name] = tool.InputSchema
		// The SDK client of the suite rejects tools/list without these (tools-list).
		assert.NotEmpty(t, tool.Description, "tool %s: description", tool.Name)
		var schema struct {
			Type string `json:"type"`
		}
		if assert.NoError(t, json.Unmarshal(tool.InputSchema, &schema), "tool %s: inputSchema", tool.Name) {
			assert.Equal(t, "object", schema.Type, "tool %s: inputSchema.type", tool.Name)
		}
	}
	for _, name := range []string{
		"test_simple_text", "test_image_content", "test_audio_content", "test_embedded_resource",
		"test_multiple_content_types", "test_tool_with_logging", "test_tool_with_progress",
		"test_error_handling", "test_reconnection", "test_sampling", "test_elicitation",
		"test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums", "json_schema_2020_12_tool",
		"test_logging_tool", "test_header_tool", "test_missing_capability",
	} {
		assert.Contains(t, got, name)
	}
	// json-schema-2020-12: $schema, $defs, $ref and additionalProperties come back intact.
	assert.JSONEq(t, confJSONSchema202012, string(got["json_schema_2020_12_tool"]))
}

func TestConformanceEmptyResults(t *testing.T) {
	// ping and logging/setLevel: exactly {}, no _meta or any other member (ping,
	// logging-set-level).
	c := newConfTestServer(t, false)
	for _, tc := range []struct{ method, params string }{
		{"ping", `{}`},
		{"logging/setLevel", `{"level":"info"}`},
		{"logging/setLevel", `{"level":"debug"}`},
		{"resources/subscribe", `{"uri":"test://watched-resource"}`},
		{"resources/unsubscribe", `{"uri":"test://watched-resource"}`},
	} {
		t.Run(tc.method, func(t *testing.T) {
			assert.Equal(t, `{}`, string(c.call(tc.method, tc.params)))
		})
	}
}

func TestConformanceToolCalls(t *testing.T) {
	for _, mode := range []string{"stateful", "stateless"} {
		t.Run(mode, func(t *testing.T) { testConformanceToolCalls(t, newConfTestServer(t, mode == "stateless")) })
	}
}

func testConformanceToolCalls(t *testing.T, c *confTestClient) {
	tests := []struct {
		name string
		// params of tools/call, verbatim.
		params string
		// progress asks for progress notifications.
		progress bool
		check    func(t *testing.T, res *confToolResult)
	}{
		{"simple_text_without_arguments", `{"name":"test_simple_text"}`, false, func(t *testing.T, res *confToolResult) {
			require.Len(t, res.Content, 1)
			assert.Equal(t, "text", res.Content[0].Type)
			assert.Equal(t, confSimpleText, res.Content[0].Text)
		}},
		{"image", `{"name":"test_image_content","arguments":{}}`, false, func(t *testing.T, res *confToolResult) {
			require.Len(t, res.Content, 1)
			assert.Equal(t, "image", res.Content[0].Type)
			assert.Equal(t, "image/png", res.Content[0].MimeType)
			assert.NotEmpty(t, res.Content[0].Data)
		}},
		{"audio", `{"name":"test_audio_content","arguments":{}}`, false, func(t *testing.T, res *confToolResult) {
			require.Len(t, res.Content, 1)
			assert.Equal(t, "audio", res.Content[0].Type)
			assert.Equal(t, "audio/wav", res.Content[0].MimeType)
			assert.NotEmpty(t, res.Content[0].Data)
		}},
		{"error", `{"name":"test_error_handling","arguments":{}}`, false, func(t *testing.T, res *confToolResult) {
			assert.True(t, res.IsError)
			require.NotEmpty(t, res.Content)
			assert.Equal(t, confErrorText, res.Content[0].Text)
		}},
		{"progress", `{"name":"test_tool_with_progress","arguments":{}}`, true,
			func(t *testing.T, res *confToolResult) {
				require.NotEmpty(t, res.Content)
				// The tool answers with the token; the client chose it and sent it in _meta.
				assert.Equal(t, c.token, strconv.Quote(res.Content[0].Text))
				// tools-call-with-progress: the steps arrive on the POST's stream before the result.
				assert.Equal(t, []string{"notifications/progress", "notifications/progress", "notifications/progress"}, c.lastNotes())
			}},
		{"logging", `{"name":"test_tool_with_logging","arguments":{}}`, false, func(t *testing.T, res *confToolResult) {
			assert.False(t, res.IsError)
			assert.Equal(t, []string{"notifications/message", "notifications/message", "notifications/message"}, c.lastNotes())
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var res confToolResult
			raw := c.call
			if tc.progress {
				raw = c.callProgress
			}
			require.NoError(t, json.Unmarshal(raw("tools/call", tc.params), &res))
			tc.check(t, &res)
		})
	}
}

func TestConformanceResourcesAndPrompts(t *testing.T) {
	c := newConfTestServer(t, false)
	tests := []struct {
		method, params string
		// want are substrings of the result.
		want []string
	}{
		{"resources/read", `{"uri":"test://static-text"}`, []string{`"mimeType":"text/plain"`, confStaticText}},
		{"resources/read", `{"uri":"test://static-binary"}`, []string{`"mimeType":"image/png"`, `"blob":"`}},
		{"resources/read", `{"uri":"test://template/123/data"}`, []string{`"uri":"test://template/123/data"`, `Data for ID: 123`}},
		{"prompts/get", `{"name":"test_prompt_with_arguments","arguments":{"arg1":"testValue1","arg2":"testValue2"}}`,
			[]string{`arg1='testValue1', arg2='testValue2'`}},
		{"prompts/get", `{"name":"test_prompt_with_embedded_resource","arguments":{"resourceUri":"test://example-resource"}}`,
			[]string{`"type":"resource"`, `"uri":"test://example-resource"`}},
		{"completion/complete", `{"ref":{"type":"ref/prompt","name":"test_prompt_with_arguments"},"argument":{"name":"arg1","value":"test"}}`,
			[]string{`"values":["testValue1","test"]`}},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			res := string(c.call(tc.method, tc.params))
			for _, w := range tc.want {
				assert.Contains(t, res, w)
			}
		})
	}
}

// TestConformanceStatelessServerToClient checks that without a session the tools that ask the
// client something answer at once with an isError result. It runs the handler in a synctest
// bubble, so a handler that waited for a client reply (or for the 60 s client request
// time-out) would show as fake time passing.
func TestConformanceStatelessServerToClient(t *testing.T) {
	for _, tc := range []struct{ tool, args string }{
		{"test_sampling", `{"prompt":"Test prompt for sampling"}`},
		{"test_elicitation", `{"message":"Please provide your information"}`},
		{"test_elicitation_sep1034_defaults", `{}`},
		{"test_elicitation_sep1330_enums", `{}`},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h, _ := New(&Options{Path: "/mcp", Stateless: true})
				defer func() { require.NoError(t, h.Shutdown(context.Background())) }()
				req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/mcp",
					strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"`+tc.tool+`","arguments":`+tc.args+`}}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json, text/event-stream")
				req.Header.Set("MCP-Protocol-Version", "2025-11-25")
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				assert.Zero(t, time.Since(start), "the handler waited instead of failing at once")

				require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				var reply struct {
					Result confToolResult `json:"result"`
				}
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &reply), rec.Body.String())
				assert.True(t, reply.Result.IsError)
				require.NotEmpty(t, reply.Result.Content)
				assert.Contains(t, reply.Result.Content[0].Text, mcp.ErrNoSession.Error())
			})
		})
	}
}

func TestConformanceMedia(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(confPNG()))
	require.NoError(t, err)
	assert.Equal(t, 1, img.Bounds().Dx())
	assert.Equal(t, 1, img.Bounds().Dy())

	wav := confWAV()
	require.GreaterOrEqual(t, len(wav), 44)
	assert.Equal(t, "RIFF", string(wav[0:4]))
	assert.Equal(t, "WAVE", string(wav[8:12]))
	assert.Equal(t, "fmt ", string(wav[12:16]))
	assert.Equal(t, "data", string(wav[36:40]))
	size := int(wav[4]) | int(wav[5])<<8 | int(wav[6])<<16 | int(wav[7])<<24
	assert.Equal(t, len(wav)-8, size, "RIFF chunk size")
	dataLen := int(wav[40]) | int(wav[41])<<8 | int(wav[42])<<16 | int(wav[43])<<24
	assert.Equal(t, len(wav)-44, dataLen, "data chunk size")
}
