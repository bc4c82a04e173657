package interop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sessionTimeout bounds one client session's exchanges.
const sessionTimeout = 30 * time.Second

// latestVersion is the newest revision with sessions that minimcp and the SDK both speak:
// what the SDK's initialize negotiates.
const latestVersion = "2025-11-25"

// modernVersion is the revision without sessions. The SDK asks for it first (server/discover)
// and settles on it where minimcp serves it: Streamable HTTP and stdio. Over the legacy
// HTTP+SSE transport it falls back to initialize with latestVersion.
const modernVersion = "2026-07-28"

// transportMode is one way of reaching minimcp.
type transportMode struct {
	name string
	// serveArgs are the flags of the HTTP server started for the mode (after serve --addr);
	// nil for stdio, where each session starts its own process.
	serveArgs []string
	// transport returns the SDK transport for one session; base is the HTTP server's URL and
	// client the HTTP client to reach it with.
	transport func(t *testing.T, base string, client *http.Client) mcp.Transport
	// session is what the mode does with Mcp-Session-Id.
	session sessionHeader
	// legacyOnly marks a transport that serves the revisions with sessions only, so the SDK's
	// default negotiation settles on latestVersion there, not modernVersion.
	legacyOnly bool
}

// sessionHeader is what a transport mode does with the Mcp-Session-Id header.
type sessionHeader int

const (
	// noHeader: the transport has no such header (stdio, the legacy HTTP+SSE transport).
	noHeader sessionHeader = iota
	// mintsSessionID: a stateful Streamable HTTP server gives one on initialize, ends the
	// session on DELETE and then answers the id with 404.
	mintsSessionID
	// noSessionID: a stateless Streamable HTTP server gives none.
	noSessionID
)

var transportModes = []transportMode{
	{
		name:      "streamable-stateful",
		serveArgs: []string{},
		transport: func(_ *testing.T, base string, client *http.Client) mcp.Transport {
			return &mcp.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: client}
		},
		session: mintsSessionID,
	},
	{
		name:      "streamable-stateless",
		serveArgs: []string{"--stateless"},
		transport: func(_ *testing.T, base string, client *http.Client) mcp.Transport {
			return &mcp.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: client}
		},
		session: noSessionID,
	},
	{
		name:      "legacy-sse",
		serveArgs: []string{"--legacy-sse"},
		transport: func(_ *testing.T, base string, client *http.Client) mcp.Transport {
			return &mcp.SSEClientTransport{Endpoint: base + "/sse", HTTPClient: client}
		},
		legacyOnly: true,
	},
	{
		name: "stdio",
		transport: func(t *testing.T, _ string, _ *http.Client) mcp.Transport {
			logs := &logBuffer{}
			cmd := exec.Command(minimcpBin, "serve", "--stdio")
			cmd.Stderr = logs // stdout carries MCP; the SDK owns stdin and stdout
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("minimcp serve --stdio stderr:\n%s", logs)
				}
			})
			return &mcp.CommandTransport{Command: cmd}
		},
	},
}

// protocolVersions are the revisions each mode is exercised with: "" is the SDK's default
// negotiation; the others pin the initialize request to an older revision, which minimcp
// must accept and answer in that revision's shapes.
var protocolVersions = []string{"", "2025-06-18", "2025-03-26", "2024-11-05"}

// TestGoSDKClient runs the official Go SDK client against minimcp over every transport and
// revision: initialize, ping, tools, resources, prompts, and their error cases.
func TestGoSDKClient(t *testing.T) {
	for _, mode := range transportModes {
		t.Run(mode.name, func(t *testing.T) {
			var base string
			httpClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			if mode.serveArgs != nil {
				base = serveHTTP(t, mode.serveArgs...)
				t.Cleanup(httpClient.CloseIdleConnections) // before the server stops
			}
			for _, version := range protocolVersions {
				name, want := version, version
				if version == "" {
					name, want = "default", modernVersion
					if mode.legacyOnly {
						want = latestVersion
					}
				}
				t.Run(name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(t.Context(), sessionTimeout)
					defer cancel()
					client := mcp.NewClient(&mcp.Implementation{Name: "minimcp-interop-go", Version: "1.0.0"}, nil)
					cs, err := client.Connect(ctx, mode.transport(t, base, httpClient), &mcp.ClientSessionOptions{ProtocolVersion: version})
					require.NoError(t, err, "connect and initialize")
					closed := false
					defer func() {
						if !closed {
							_ = cs.Close()
						}
					}()

					res := cs.InitializeResult()
					require.NotNil(t, res)
					assert.Equal(t, want, res.ProtocolVersion, "negotiated revision")
					switch {
					case want == modernVersion:
						// MCP 2026-07-28 changelog: no protocol-level sessions.
						assert.Empty(t, cs.ID(), "no Mcp-Session-Id at 2026-07-28")
					case mode.session == mintsSessionID:
						// MCP 2025-11-25, Transports § Session Management: a stateful server
						// mints the id on the initialize response.
						assert.NotEmpty(t, cs.ID(), "Mcp-Session-Id")
					case mode.session == noSessionID:
						assert.Empty(t, cs.ID(), "a stateless server gives no Mcp-Session-Id")
					}

					// Over HTTP the SDK's 2026-07-28 ping carries the revision's header, so it is
					// held to the revision's rules; on stdio nothing marks its era, so it is
					// served as the revisions with sessions serve it.
					exercise(t, ctx, cs, want, want == modernVersion && mode.serveArgs != nil)

					if mode.session == mintsSessionID && want != modernVersion {
						id := cs.ID()
						require.NoError(t, cs.Close(), "close (DELETE the session)")
						closed = true
						assertSessionGone(t, ctx, httpClient, base+"/mcp", id, want)
					}
				})
			}
		})
	}
}

// exercise runs the common exchanges on an initialized session that negotiated version;
// pingRefused says that ping, removed in 2026-07-28, must fail.
func exercise(t *testing.T, ctx context.Context, cs *mcp.ClientSession, version string, pingRefused bool) {
	t.Run("initialize", func(t *testing.T) {
		res := cs.InitializeResult()
		require.NotNil(t, res.ServerInfo, "serverInfo")
		assert.NotEmpty(t, res.ServerInfo.Name, "serverInfo.name")
		assert.NotEmpty(t, res.ServerInfo.Version, "serverInfo.version")
		require.NotNil(t, res.Capabilities, "capabilities")
		assert.NotNil(t, res.Capabilities.Tools, "tools capability")
		assert.NotNil(t, res.Capabilities.Resources, "resources capability")
		assert.NotNil(t, res.Capabilities.Prompts, "prompts capability")
	})

	t.Run("ping", func(t *testing.T) {
		if pingRefused {
			// MCP 2026-07-28 changelog: "Remove ping". The SDK still sends it, without the
			// per-request _meta, so it is refused.
			require.Error(t, cs.Ping(ctx, nil))
			return
		}
		require.NoError(t, cs.Ping(ctx, nil))
	})

	t.Run("tools/list", func(t *testing.T) {
		res, err := cs.ListTools(ctx, nil)
		require.NoError(t, err)
		tools := map[string]*mcp.Tool{}
		for _, tool := range res.Tools {
			tools[tool.Name] = tool
		}
		require.Contains(t, tools, "echo")
		require.Contains(t, tools, "add")
		assert.Equal(t, "object", schemaField(t, tools["echo"].InputSchema, "type"))
		assert.Contains(t, schemaField(t, tools["echo"].InputSchema, "properties"), "text")
		props := schemaField(t, tools["add"].InputSchema, "properties")
		assert.Contains(t, props, "a")
		assert.Contains(t, props, "b")
		if version >= "2025-06-18" {
			require.NotNil(t, tools["add"].OutputSchema, "add declares an output schema")
			assert.Equal(t, "object", schemaField(t, tools["add"].OutputSchema, "type"))
		} else {
			// MCP 2025-06-18 added outputSchema; an older client must not see it.
			assert.Nil(t, tools["add"].OutputSchema, "no outputSchema before 2025-06-18")
		}
	})

	t.Run("tools/call echo", func(t *testing.T) {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hello, interop"}})
		require.NoError(t, err)
		assert.False(t, res.IsError, "isError")
		assert.Equal(t, "hello, interop", onlyText(t, res.Content))
	})

	t.Run("tools/call add", func(t *testing.T) {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "add", Arguments: map[string]any{"a": 2, "b": 3}})
		require.NoError(t, err)
		assert.False(t, res.IsError, "isError")
		if version >= "2025-06-18" {
			assert.Equal(t, map[string]any{"sum": float64(5)}, res.StructuredContent)
		} else {
			// Before 2025-06-18 there is no structuredContent; the text block carries the JSON.
			assert.Nil(t, res.StructuredContent, "no structuredContent before 2025-06-18")
		}
		// MCP 2025-06-18, Server § Tools, Structured Content: structured results SHOULD also
		// be serialized in a text block, which every revision sees.
		assert.JSONEq(t, `{"sum":5}`, onlyText(t, res.Content))
	})

	t.Run("tools/call with a wrong argument type", func(t *testing.T) {
		// MCP 2025-11-25, Server § Tools, Error Handling: input validation errors are tool
		// execution errors (isError: true), not protocol errors.
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": 42}})
		require.NoError(t, err, "a tool error is a result, not a JSON-RPC error")
		assert.True(t, res.IsError, "isError")
		assert.NotEmpty(t, onlyText(t, res.Content), "the error says what is wrong")
	})

	t.Run("tools/call of an unknown tool", func(t *testing.T) {
		// MCP 2025-11-25, Server § Tools, Error Handling: unknown tools are protocol errors.
		_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "no-such-tool"})
		assertCode(t, err, jsonrpc.CodeInvalidParams)
	})

	t.Run("concurrent tools/call", func(t *testing.T) {
		// Replies are matched to requests by id, whatever order the server answers in.
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": fmt.Sprint("call ", i)}})
				switch {
				case err != nil:
					errs[i] = err
				case res.IsError || len(res.Content) != 1:
					errs[i] = fmt.Errorf("call %d: unexpected result %+v", i, res)
				default:
					if tc, ok := res.Content[0].(*mcp.TextContent); !ok || tc.Text != fmt.Sprint("call ", i) {
						errs[i] = fmt.Errorf("call %d: got %+v", i, res.Content[0])
					}
				}
			})
		}
		wg.Wait()
		require.NoError(t, errors.Join(errs...))
	})

	t.Run("resources", func(t *testing.T) {
		res, err := cs.ListResources(ctx, nil)
		require.NoError(t, err)
		require.NotEmpty(t, res.Resources, "at least one resource")
		for _, r := range res.Resources {
			read, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: r.URI})
			require.NoError(t, err, "read %s", r.URI)
			require.NotEmpty(t, read.Contents, "%s has contents", r.URI)
			assert.Equal(t, r.URI, read.Contents[0].URI)
			if strings.HasPrefix(r.MIMEType, "text/") {
				assert.NotEmpty(t, read.Contents[0].Text, "%s is text", r.URI)
			} else {
				assert.True(t, read.Contents[0].Text != "" || len(read.Contents[0].Blob) > 0, "%s: text or blob", r.URI)
			}
		}
	})

	t.Run("resources/read of an unknown resource", func(t *testing.T) {
		_, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "minimcp-interop://no-such-resource"})
		var werr *jsonrpc.Error
		require.ErrorAs(t, err, &werr, "a JSON-RPC error")
	})

	t.Run("prompts", func(t *testing.T) {
		res, err := cs.ListPrompts(ctx, nil)
		require.NoError(t, err)
		var greet *mcp.Prompt
		for _, p := range res.Prompts {
			if p.Name == "greet" {
				greet = p
			}
		}
		require.NotNil(t, greet, "greet is listed")
		var required bool
		for _, a := range greet.Arguments {
			required = required || (a.Name == "name" && a.Required)
		}
		assert.True(t, required, "greet requires name")

		got, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "greet", Arguments: map[string]string{"name": "Ada"}})
		require.NoError(t, err)
		require.NotEmpty(t, got.Messages)
		var text strings.Builder
		for _, m := range got.Messages {
			if tc, ok := m.Content.(*mcp.TextContent); ok {
				text.WriteString(tc.Text)
			}
		}
		assert.Contains(t, text.String(), "Ada", "the argument is used")
	})

	t.Run("prompts/get without a required argument", func(t *testing.T) {
		_, err := cs.GetPrompt(ctx, &mcp.GetPromptParams{Name: "greet"})
		assertCode(t, err, jsonrpc.CodeInvalidParams)
	})
}

// assertSessionGone checks that a deleted session's id is refused with 404 (MCP 2025-11-25,
// Transports § Session Management: "The server MAY terminate the session at any time, after
// which it MUST respond to requests containing that session ID with HTTP 404 Not Found").
func assertSessionGone(t *testing.T, ctx context.Context, client *http.Client, endpoint, id, version string) {
	t.Helper()
	status, body, err := postJSON(ctx, client, endpoint, `{"jsonrpc":"2.0","id":1,"method":"ping"}`,
		map[string]string{"Mcp-Session-Id": id, "Mcp-Protocol-Version": version})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, status, "a request in a deleted session: %s", body)
}

// onlyText returns the text of the only block of content, failing if it is not one text
// block.
func onlyText(t *testing.T, content []mcp.Content) string {
	t.Helper()
	require.Len(t, content, 1, "one content block")
	tc, ok := content[0].(*mcp.TextContent)
	require.True(t, ok, "a text block, got %T", content[0])
	return tc.Text
}

// assertCode checks that err is a JSON-RPC error with code.
func assertCode(t *testing.T, err error, code int64) {
	t.Helper()
	var werr *jsonrpc.Error
	require.ErrorAs(t, err, &werr, "a JSON-RPC error")
	assert.Equal(t, code, werr.Code, "error code (message %q)", werr.Message)
}

// schemaField returns one top-level field of a JSON Schema as the SDK client decoded it.
func schemaField(t *testing.T, schema any, field string) any {
	t.Helper()
	raw, err := json.Marshal(schema)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m[field]
}
