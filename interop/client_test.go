package interop

// The other way round from the rest of this package: minimcp's public client package drives
// foreign servers (the Go SDK's conformance everything-server, a TypeScript SDK v2 server) and
// minimcp itself in every mode. The foreign servers are started by .ci/interop.sh, which passes
// their URLs in MINIMCP_GOSDK_EVERYTHING_URL and MINIMCP_TS2_SERVER_URL; without them those tests
// skip.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientTimeout bounds one client test's exchanges with a server.
const clientTimeout = 30 * time.Second

// foreignURL returns the URL in env, or skips the test when it is unset.
func foreignURL(t *testing.T, env string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		t.Skipf("%s is not set: .ci/interop.sh starts the server and sets it", env)
	}
	return u
}

// asker is a client's answers to what servers ask, recording what they asked.
type asker struct {
	mu sync.Mutex
	// sampled and elicited are the prompts and messages asked, guarded by mu.
	sampled, elicited []string
}

func (a *asker) options(version string) *client.Options {
	return &client.Options{
		ProtocolVersion: version,
		CreateMessageHandler: func(_ context.Context, p *mcp.CreateMessageParams) (*mcp.CreateMessageResult, error) {
			b, _ := json.Marshal(p.Messages)
			a.mu.Lock()
			a.sampled = append(a.sampled, string(b))
			a.mu.Unlock()
			return &mcp.CreateMessageResult{Role: mcp.RoleAssistant, Content: &mcp.TextContent{Text: "Paris"}, Model: "interop-model"}, nil
		},
		ElicitationHandler: func(_ context.Context, p *mcp.ElicitParams) (*mcp.ElicitResult, error) {
			a.mu.Lock()
			a.elicited = append(a.elicited, p.Message)
			a.mu.Unlock()
			return &mcp.ElicitResult{Action: "accept", Content: fillForm(p.RequestedSchema)}, nil
		},
		RootsHandler: func(context.Context) ([]mcp.Root, error) {
			return []mcp.Root{{URI: "file:///interop", Name: "interop"}}, nil
		},
	}
}

// fillForm answers a form (a flat JSON Schema object) the way a user would: the first value of
// every enum, "Gopher" for a string (an address for an email), true, 1.
func fillForm(schema json.RawMessage) map[string]any {
	var form struct {
		Properties map[string]struct {
			Type   string `json:"type"`
			Format string `json:"format"`
			Enum   []any  `json:"enum"`
			OneOf  []struct {
				Const any `json:"const"`
			} `json:"oneOf"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(schema, &form)
	out := map[string]any{}
	for name, p := range form.Properties {
		switch {
		case len(p.Enum) > 0:
			out[name] = p.Enum[0]
		case len(p.OneOf) > 0:
			out[name] = p.OneOf[0].Const
		case p.Type == "boolean":
			out[name] = true
		case p.Type == "integer" || p.Type == "number":
			out[name] = 1
		case p.Type == "array":
			out[name] = []string{}
		case p.Format == "email":
			out[name] = "gopher@example.com"
		default:
			out[name] = "Gopher"
		}
	}
	return out
}

// resultJSON is res as JSON, for assertions on its content whatever the block types.
func resultJSON(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	b, err := json.Marshal(res)
	require.NoError(t, err)
	return string(b)
}

// toolNames lists the server's tools through the client's page iterator.
func toolNames(t *testing.T, ctx context.Context, c *client.Client) []string {
	t.Helper()
	var names []string
	for tool, err := range c.Tools(ctx) {
		require.NoError(t, err)
		names = append(names, tool.Name)
	}
	return names
}

// progressRecorder collects a call's progress notifications.
type progressRecorder struct {
	mu sync.Mutex
	// got is guarded by mu.
	got []float64
}

func (p *progressRecorder) ctx(ctx context.Context) context.Context {
	return client.WithProgress(ctx, func(n *mcp.ProgressNotificationParams) {
		p.mu.Lock()
		p.got = append(p.got, n.Progress)
		p.mu.Unlock()
	})
}

func (p *progressRecorder) values() []float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]float64(nil), p.got...)
}

// TestClientGoSDKEverythingServer drives the client against the Go SDK's conformance
// everything-server: stateful Streamable HTTP, pinned to the 2025-11-25 session and as the client
// negotiates (the SDK's stateful handler offers no per-request version in server/discover, so
// the client falls back to initialize), and stateless, where the SDK offers 2026-07-28 and the
// client speaks it.
func TestClientGoSDKEverythingServer(t *testing.T) {
	for _, tc := range []struct {
		name, env, version, want string
	}{
		{"stateful/2025-11-25", "MINIMCP_GOSDK_EVERYTHING_URL", "2025-11-25", "2025-11-25"},
		{"stateful/negotiated", "MINIMCP_GOSDK_EVERYTHING_URL", "", "2025-11-25"},
		{"stateless/negotiated", "MINIMCP_GOSDK_EVERYTHING_STATELESS_URL", "", "2026-07-28"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := foreignURL(t, tc.env)
			version := tc.version
			ctx, cancel := context.WithTimeout(t.Context(), clientTimeout)
			defer cancel()
			a := &asker{}
			opts := a.options(version)
			var logMu sync.Mutex
			var logs []string
			opts.LogHandler = func(_ context.Context, p *mcp.LoggingMessageParams) {
				logMu.Lock()
				logs = append(logs, string(p.Level)+": "+asString(p.Data))
				logMu.Unlock()
			}
			c, err := client.Connect(ctx, u, opts)
			require.NoError(t, err)
			defer func() { assert.NoError(t, c.Close()) }()
			require.Equal(t, tc.want, c.ProtocolVersion())
			if tc.want != "2026-07-28" {
				require.NotEmpty(t, c.SessionID(), "a stateful server gives a session")
			}
			assert.Equal(t, "mcp-conformance-test-server", c.ServerInfo().Name)

			names := toolNames(t, ctx, c)
			assert.Subset(t, names, []string{"test_simple_text", "test_sampling", "test_elicitation", "test_tool_with_progress", "test_error_handling"})

			res, err := c.CallTool(ctx, "test_simple_text", nil)
			require.NoError(t, err)
			assert.Contains(t, resultJSON(t, res), "This is a simple text response for testing.")

			res, err = c.CallTool(ctx, "test_error_handling", nil)
			require.NoError(t, err, "a failing tool is a result")
			assert.True(t, res.IsError)
			_, err = client.CallTool[map[string]any](ctx, c, "test_error_handling", nil)
			var te *client.ToolError
			require.ErrorAs(t, err, &te)
			assert.Contains(t, resultJSON(t, te.Result), "intentionally returns an error")

			var p progressRecorder
			res, err = c.CallTool(p.ctx(ctx), "test_tool_with_progress", nil)
			require.NoError(t, err)
			assert.False(t, res.IsError, resultJSON(t, res))
			assert.Equal(t, []float64{0, 50, 100}, p.values())

			// Cancelling a call's context ends it at once (notifications/cancelled in a session,
			// the request's stream closed at 2026-07-28); the connection serves the next call.
			callCtx, cancelCall := context.WithCancel(ctx)
			_, err = c.CallTool(client.WithProgress(callCtx, func(*mcp.ProgressNotificationParams) { cancelCall() }), "test_tool_with_progress", nil)
			require.ErrorIs(t, err, context.Canceled)
			res, err = c.CallTool(ctx, "test_simple_text", nil)
			require.NoError(t, err)
			assert.False(t, res.IsError)

			require.NoError(t, c.SetLogLevel(ctx, "debug"))
			res, err = c.CallTool(ctx, "test_tool_with_logging", nil)
			require.NoError(t, err)
			assert.False(t, res.IsError, resultJSON(t, res))
			logMu.Lock()
			assert.Equal(t, []string{"info: Tool execution started", "info: Tool processing data", "info: Tool execution completed"}, logs)
			logMu.Unlock()

			if tc.want != "2026-07-28" {
				// A 2025 session: the server asks with server-to-client requests.
				res, err = c.CallTool(ctx, "test_sampling", map[string]any{"prompt": "Capital of France?"})
				require.NoError(t, err)
				assert.Contains(t, resultJSON(t, res), "LLM response: Paris")
				res, err = c.CallTool(ctx, "test_elicitation", map[string]any{"message": "Your name?"})
				require.NoError(t, err)
				assert.Contains(t, resultJSON(t, res), "action=accept")
				assert.Contains(t, resultJSON(t, res), "username:Gopher")
			} else {
				// 2026-07-28: the server asks with input-required results, answered by the
				// same handlers and retried by the client.
				res, err = c.CallTool(ctx, "test_input_required_result_elicitation", nil)
				require.NoError(t, err)
				assert.Contains(t, resultJSON(t, res), "Hello, Gopher!")
				res, err = c.CallTool(ctx, "test_input_required_result_sampling", nil)
				require.NoError(t, err)
				assert.Contains(t, resultJSON(t, res), "Sampling response: Paris")
				res, err = c.CallTool(ctx, "test_input_required_result_list_roots", nil)
				require.NoError(t, err)
				assert.Contains(t, resultJSON(t, res), "file:///interop")
				res, err = c.CallTool(ctx, "test_input_required_result_multi_round", nil)
				require.NoError(t, err)
				assert.False(t, res.IsError, resultJSON(t, res))
			}
			a.mu.Lock()
			assert.NotEmpty(t, a.sampled)
			assert.NotEmpty(t, a.elicited)
			a.mu.Unlock()

			// Every tool of the era, for the content types the client must decode (image,
			// audio, embedded resources, several blocks) and the rounds it must answer.
			for _, name := range names {
				modernTool := strings.HasPrefix(name, "test_input_required_result_")
				if modernTool != (tc.want == "2026-07-28") || goSDKToolSkip[name] {
					continue
				}
				res, err := c.CallTool(ctx, name, goSDKToolArgs[name])
				if !assert.NoError(t, err, name) {
					continue
				}
				assert.Equal(t, name == "test_error_handling" || name == "test_input_required_result_tampered_state", res.IsError, "%s: %s", name, resultJSON(t, res))
			}
			for p, err := range c.Prompts(ctx) {
				require.NoError(t, err)
				args := map[string]string{}
				for _, a := range p.Arguments {
					args[a.Name] = "test://" + a.Name
				}
				if strings.HasPrefix(p.Name, "test_input_required_result_") && tc.want != "2026-07-28" {
					continue
				}
				got, err := c.GetPrompt(ctx, p.Name, args)
				if assert.NoError(t, err, p.Name) {
					assert.NotEmpty(t, got.Messages, p.Name)
				}
			}

			var uris []string
			for r, err := range c.Resources(ctx) {
				require.NoError(t, err)
				uris = append(uris, r.URI)
			}
			assert.Subset(t, uris, []string{"test://static-text", "test://static-binary", "test://watched-resource"})
			read, err := c.ReadResource(ctx, "test://static-text")
			require.NoError(t, err)
			require.Len(t, read.Contents, 1)
			assert.Equal(t, "This is the content of the static text resource.", read.Contents[0].Text)
			read, err = c.ReadResource(ctx, "test://static-binary")
			require.NoError(t, err)
			require.Len(t, read.Contents, 1)
			assert.NotEmpty(t, read.Contents[0].Blob)
			var templates []string
			for rt, err := range c.ResourceTemplates(ctx) {
				require.NoError(t, err)
				templates = append(templates, rt.URITemplate)
			}
			assert.Contains(t, templates, "test://template/{id}/data")
			read, err = c.ReadResource(ctx, "test://template/42/data")
			require.NoError(t, err)
			require.Len(t, read.Contents, 1)
			assert.Contains(t, read.Contents[0].Text, "42")

			prompt, err := c.GetPrompt(ctx, "test_prompt_with_arguments", map[string]string{"arg1": "x", "arg2": "y"})
			require.NoError(t, err)
			b, _ := json.Marshal(prompt)
			assert.Contains(t, string(b), "arg1='x', arg2='y'")

			comp, err := c.Complete(ctx, &mcp.CompleteParams{
				Ref:      mcp.CompleteReference{Type: "ref/prompt", Name: "test_prompt_with_arguments"},
				Argument: mcp.CompleteArgument{Name: "arg1", Value: "x"},
			})
			require.NoError(t, err)
			assert.Empty(t, comp.Completion.Values)

			// The watched resource changes every 3 seconds: a subscription (resources/subscribe
			// and the GET stream in a session, subscriptions/listen at 2026-07-28) hears it.
			watchCtx, stopWatch := context.WithTimeout(ctx, 10*time.Second)
			defer stopWatch()
			var got []string
			err = c.Listen(watchCtx, &mcp.SubscriptionFilter{ResourceSubscriptions: []string{"test://watched-resource"}}, func(n *client.Notification) {
				got = append(got, n.Method)
				if n.Method == "notifications/resources/updated" {
					stopWatch()
				}
			})
			require.NoError(t, err)
			assert.Contains(t, got, "notifications/resources/updated", "in 10 s, of a resource updated every 3")
		})
	}
}

// goSDKToolArgs are the arguments of the everything-server's tools that need some.
var goSDKToolArgs = map[string]any{
	"test_sampling":            map[string]any{"prompt": "Capital of France?"},
	"test_elicitation":         map[string]any{"message": "Your name?"},
	"test_x_mcp_header":        map[string]any{"region": "eu-west"},
	"json_schema_2020_12_tool": map[string]any{"name": "gopher", "email": "gopher@example.com"},
}

// goSDKToolSkip are the everything-server's tools the every-tool loop leaves out: they change
// the tool or prompt lists (for the conformance suite's list_changed checks), test a closed
// stream the server has no event store to resume, test a tampered requestState the client
// never sends, or fail in the server before asking anything (v1.8.0's server refuses its own
// titledMulti property: items of type string with anyOf, no enum).
var goSDKToolSkip = map[string]bool{
	"test_elicitation_sep1330_enums":            true,
	"test_trigger_tool_change":                  true,
	"test_trigger_prompt_change":                true,
	"test_reconnection":                         true,
	"test_input_required_result_tampered_state": true,
}

// asString is v as a string when it is one, else its JSON.
func asString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// TestClientTS2Server drives the client against a TypeScript SDK v2 server (createMcpHandler),
// which serves 2026-07-28 per request and 2025 requests statelessly.
func TestClientTS2Server(t *testing.T) {
	u := foreignURL(t, "MINIMCP_TS2_SERVER_URL")
	ctx, cancel := context.WithTimeout(t.Context(), clientTimeout)
	defer cancel()

	t.Run("2026-07-28", func(t *testing.T) {
		a := &asker{}
		c, err := client.Connect(ctx, u, a.options(""))
		require.NoError(t, err)
		defer func() { assert.NoError(t, c.Close()) }()
		require.Equal(t, "2026-07-28", c.ProtocolVersion())
		assert.Equal(t, "ts2-interop", c.ServerInfo().Name)
		assert.ElementsMatch(t, []string{"echo", "add", "confirm", "count"}, toolNames(t, ctx, c))

		res, err := c.CallTool(ctx, "echo", map[string]any{"text": "hello"})
		require.NoError(t, err)
		assert.Contains(t, resultJSON(t, res), `"hello"`)

		type sum struct {
			Sum float64 `json:"sum"`
		}
		s, err := client.CallTool[sum](ctx, c, "add", map[string]any{"a": 2, "b": 0.5})
		require.NoError(t, err)
		assert.Equal(t, 2.5, s.Sum)

		// The tool answers input_required with an elicitation; the handler answers it and the
		// client retries: the caller sees the final result only.
		res, err = c.CallTool(ctx, "confirm", map[string]any{"action": "deploy"})
		require.NoError(t, err)
		assert.False(t, res.IsError, resultJSON(t, res))
		assert.Contains(t, resultJSON(t, res), "deploy: done")
		a.mu.Lock()
		assert.Equal(t, []string{"Really deploy?"}, a.elicited)
		a.mu.Unlock()

		var p progressRecorder
		res, err = c.CallTool(p.ctx(ctx), "count", map[string]any{"n": 3})
		require.NoError(t, err)
		assert.Contains(t, resultJSON(t, res), "counted to 3")
		assert.Equal(t, []float64{1, 2, 3}, p.values())

		// subscriptions/listen: the server acknowledges the filter; the stream ends with ctx.
		listenCtx, stopListen := context.WithCancel(ctx)
		var ack *client.Notification
		err = c.Listen(listenCtx, &mcp.SubscriptionFilter{ToolsListChanged: true}, func(n *client.Notification) {
			ack = n
			stopListen()
		})
		require.NoError(t, err)
		require.NotNil(t, ack)
		assert.Equal(t, "notifications/subscriptions/acknowledged", ack.Method)
		assert.Contains(t, string(ack.Params), `"toolsListChanged":true`)
	})

	t.Run("2026-07-28 without an elicitation handler", func(t *testing.T) {
		c, err := client.Connect(ctx, u, nil)
		require.NoError(t, err)
		defer func() { assert.NoError(t, c.Close()) }()
		// The server checks the capabilities the request declares (none) before asking.
		_, err = c.CallTool(ctx, "confirm", map[string]any{"action": "deploy"})
		var re *rpc.Error
		require.ErrorAs(t, err, &re)
		assert.Equal(t, mcp.CodeMissingRequiredClientCapability, re.Code)
		assert.Contains(t, re.Message, "elicitation/create")
	})

	t.Run("2025-11-25", func(t *testing.T) {
		c, err := client.Connect(ctx, u, &client.Options{ProtocolVersion: "2025-11-25"})
		require.NoError(t, err)
		defer func() { assert.NoError(t, c.Close()) }()
		require.Equal(t, "2025-11-25", c.ProtocolVersion())
		s, err := client.CallTool[map[string]float64](ctx, c, "add", map[string]any{"a": 2, "b": 3})
		require.NoError(t, err)
		assert.Equal(t, map[string]float64{"sum": 5}, s)
		var p progressRecorder
		_, err = c.CallTool(p.ctx(ctx), "count", map[string]any{"n": 2})
		require.NoError(t, err)
		assert.Equal(t, []float64{1, 2}, p.values())
		// The server answers 2025 requests statelessly: no session, so no GET stream to listen on.
		err = c.Listen(ctx, &mcp.SubscriptionFilter{ToolsListChanged: true}, func(*client.Notification) {})
		assert.ErrorIs(t, err, client.ErrNotInEra)
	})
}

// minimcpMode is one way the client reaches `minimcp serve`.
type minimcpMode struct {
	name string
	// connect starts the server (if it is not a subprocess of the client) and connects.
	connect func(t *testing.T, ctx context.Context, opts *client.Options) (*client.Client, error)
	// version is the era the client settles on, negotiating.
	version string
	// noSessions marks a server that refuses initialize (--protocol-era 2026).
	noSessions bool
}

var minimcpModes = []minimcpMode{
	{"streamable-stateful", func(t *testing.T, ctx context.Context, opts *client.Options) (*client.Client, error) {
		return client.Connect(ctx, serveHTTP(t)+"/mcp", opts)
	}, "2026-07-28", false},
	{"streamable-stateless", func(t *testing.T, ctx context.Context, opts *client.Options) (*client.Client, error) {
		return client.Connect(ctx, serveHTTP(t, "--stateless")+"/mcp", opts)
	}, "2026-07-28", false},
	{"stdio", func(t *testing.T, ctx context.Context, opts *client.Options) (*client.Client, error) {
		cmd := exec.Command(minimcpBin, "serve", "--stdio")
		logs := &logBuffer{}
		cmd.Stderr = logs
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("minimcp serve --stdio stderr:\n%s", logs)
			}
		})
		return client.ConnectCommand(ctx, cmd, opts, nil)
	}, "2026-07-28", false},
	{"legacy-sse", func(t *testing.T, ctx context.Context, opts *client.Options) (*client.Client, error) {
		return client.ConnectSSE(ctx, serveHTTP(t, "--legacy-sse")+"/sse", opts)
	}, latestVersion, false},
	// The probe's server/discover is refused with -32022: the client falls back to initialize.
	{"protocol-era-2025", func(t *testing.T, ctx context.Context, opts *client.Options) (*client.Client, error) {
		return client.Connect(ctx, serveHTTP(t, "--protocol-era", "2025")+"/mcp", opts)
	}, latestVersion, false},
	{"protocol-era-2026", func(t *testing.T, ctx context.Context, opts *client.Options) (*client.Client, error) {
		return client.Connect(ctx, serveHTTP(t, "--protocol-era", "2026")+"/mcp", opts)
	}, "2026-07-28", true},
}

// TestClientMinimcp drives the client against `minimcp serve` over every transport, in the era it
// negotiates and pinned to 2025-11-25: the built-in demo's tools, resource and prompt.
func TestClientMinimcp(t *testing.T) {
	for _, mode := range minimcpModes {
		for _, version := range []string{"", latestVersion} {
			name := mode.name + "/" + version
			if version == "" {
				name = mode.name + "/negotiated"
			}
			t.Run(name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), clientTimeout)
				defer cancel()
				c, err := mode.connect(t, ctx, &client.Options{ProtocolVersion: version})
				if mode.noSessions && version != "" {
					// The server refuses initialize with -32022 (MCP 2026-07-28, Basic §
					// Versioning), naming what it supports.
					var re *rpc.Error
					require.ErrorAs(t, err, &re, "the server refuses initialize")
					assert.Equal(t, mcp.CodeUnsupportedProtocolVersion, re.Code)
					return
				}
				require.NoError(t, err)
				defer func() { assert.NoError(t, c.Close()) }()
				want := version
				if want == "" {
					want = mode.version
				}
				assert.Equal(t, want, c.ProtocolVersion())
				assert.Equal(t, "minimcp", c.ServerInfo().Name)

				assert.ElementsMatch(t, []string{"echo", "add"}, toolNames(t, ctx, c))
				res, err := c.CallTool(ctx, "echo", map[string]any{"text": "hi"})
				require.NoError(t, err)
				assert.Contains(t, resultJSON(t, res), `"hi"`)
				type sum struct {
					Sum float64 `json:"sum"`
				}
				s, err := client.CallTool[sum](ctx, c, "add", map[string]any{"a": 2, "b": 3})
				require.NoError(t, err)
				assert.Equal(t, 5.0, s.Sum)

				var uris []string
				for r, err := range c.Resources(ctx) {
					require.NoError(t, err)
					uris = append(uris, r.URI)
				}
				require.Len(t, uris, 1)
				read, err := c.ReadResource(ctx, uris[0])
				require.NoError(t, err)
				require.Len(t, read.Contents, 1)
				assert.Contains(t, read.Contents[0].Text, "echo")

				prompt, err := c.GetPrompt(ctx, "greet", map[string]string{"name": "Ada"})
				require.NoError(t, err)
				b, _ := json.Marshal(prompt)
				assert.Contains(t, string(b), "Ada")
				assert.NoError(t, c.Ping(ctx))
			})
		}
	}
}

// TestClientMinimcpConformance drives the client against `minimcp conformance` (stateful and
// stateless): its sampling and elicitation tools in a 2025 session (server-to-client requests)
// and at 2026-07-28 (input-required rounds), with progress and logging.
func TestClientMinimcpConformance(t *testing.T) {
	for _, stateless := range []bool{false, true} {
		mode := "stateful"
		var args []string
		if stateless {
			mode, args = "stateless", []string{"--stateless"}
		}
		base := runHTTP(t, "conformance", args...)
		for _, version := range []string{"2026-07-28", latestVersion} {
			if stateless && version == latestVersion {
				// A stateless server has no stream to ask the client on in a 2025 session.
				continue
			}
			t.Run(mode+"/"+version, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), clientTimeout)
				defer cancel()
				a := &asker{}
				c, err := client.Connect(ctx, base+"/mcp", a.options(version))
				require.NoError(t, err)
				defer func() { assert.NoError(t, c.Close()) }()
				require.Equal(t, version, c.ProtocolVersion())

				res, err := c.CallTool(ctx, "test_sampling", map[string]any{"prompt": "Capital of France?"})
				require.NoError(t, err)
				assert.Contains(t, resultJSON(t, res), "LLM response: Paris")
				res, err = c.CallTool(ctx, "test_elicitation", map[string]any{"message": "Your name?"})
				require.NoError(t, err)
				assert.Contains(t, resultJSON(t, res), "action=accept")
				a.mu.Lock()
				assert.Contains(t, a.sampled[0], "Capital of France?")
				assert.Equal(t, []string{"Your name?"}, a.elicited)
				a.mu.Unlock()

				if version == latestVersion {
					// SEP-1699: the server closes the call's stream after an event with an id;
					// the client resumes it with Last-Event-ID and gets the result.
					res, err = c.CallTool(ctx, "test_reconnection", nil)
					require.NoError(t, err)
					assert.False(t, res.IsError, resultJSON(t, res))
				}
				if version == "2026-07-28" {
					res, err = c.CallTool(ctx, "test_input_required_result_multiple_inputs", nil)
					require.NoError(t, err)
					assert.Contains(t, resultJSON(t, res), "name=Gopher, greeting=Paris, roots=file:///interop")
					res, err = c.CallTool(ctx, "test_input_required_result_multi_round", nil)
					require.NoError(t, err)
					assert.False(t, res.IsError, resultJSON(t, res))
				}

				var p progressRecorder
				res, err = c.CallTool(p.ctx(ctx), "test_tool_with_progress", nil)
				require.NoError(t, err)
				assert.False(t, res.IsError, resultJSON(t, res))
				assert.NotEmpty(t, p.values())

				_, err = c.CallTool(ctx, "no_such_tool", nil)
				require.Error(t, err)
				assert.False(t, errors.Is(err, client.ErrClosed))
				assert.False(t, strings.Contains(err.Error(), "panic"))
			})
		}
	}
}

// TestClientMinimcpPagination lists more tools than fit in one page of `minimcp serve` (a
// manifest of 250 tools, pages of mcp.DefaultPageSize): the client's iterator follows
// nextCursor through every page, in both eras.
func TestClientMinimcpPagination(t *testing.T) {
	const n = 250
	m := map[string]any{"name": "many-tools", "version": "1.0.0"}
	var tools []any
	var want []string
	for i := range n {
		name := "tool_" + strconv.Itoa(i)
		want = append(want, name)
		tools = append(tools, map[string]any{
			"name": name, "description": "Echoes its number.", "inputSchema": map[string]any{"type": "object"},
			"exec": map[string]any{"command": []string{"/bin/echo", strconv.Itoa(i)}},
		})
	}
	m["tools"] = tools
	b, err := json.Marshal(m)
	require.NoError(t, err)
	manifest := filepath.Join(t.TempDir(), "tools.json")
	require.NoError(t, os.WriteFile(manifest, b, 0o600))
	base := serveHTTP(t, "--manifest", manifest)

	for _, version := range []string{"", latestVersion} {
		name := version
		if name == "" {
			name = "negotiated"
		}
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), clientTimeout)
			defer cancel()
			c, err := client.Connect(ctx, base+"/mcp", &client.Options{ProtocolVersion: version})
			require.NoError(t, err)
			defer func() { assert.NoError(t, c.Close()) }()
			first, err := c.ListTools(ctx, "")
			require.NoError(t, err)
			assert.Len(t, first.Tools, mcp.DefaultPageSize)
			assert.NotEmpty(t, first.NextCursor, "more than one page")
			assert.ElementsMatch(t, want, toolNames(t, ctx, c))
			res, err := c.CallTool(ctx, "tool_249", nil)
			require.NoError(t, err)
			assert.Contains(t, resultJSON(t, res), "249")
		})
	}
}
