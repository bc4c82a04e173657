package conformance

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"strings"
	"sync"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

/*
Design note: the conformance server.

`minimcp conformance` serves exactly what the official MCP conformance suite
(@modelcontextprotocol/conformance, server scenarios) calls, with the names, texts and shapes of
the suite's reference "everything" server, so that a run of the suite measures the library and
not this file. It is a real server, not a test double: the 50 ms pauses between log messages and
between progress steps are real time, the PNG and WAV it returns are valid files (made at start
from image/png and a RIFF header), and server-to-client requests go to the client and wait for
its answer.

Stateless mode (--stateless) serves the same registry through server.Options.Stateless. A
stateless request has no session to route a client's reply to, so the four tools that ask the
client something (test_sampling and the three elicitation tools) fail at once with an isError
result carrying mcp.ErrNoSession's text. The suite then fails exactly those four scenarios, and
fails them fast, never by waiting for a time-out.

The watched resource (test://watched-resource) accepts subscriptions but never changes, like
the reference's; the suite checks only that subscribing and unsubscribing succeed.
*/

// Pauses of the tools that work for a while.
const (
	// confStepDelay is the pause between the log messages of test_tool_with_logging and the
	// progress steps of test_tool_with_progress, as in the reference server.
	confStepDelay = 50 * time.Millisecond
	// confReconnectDelay is how long test_reconnection works before it answers.
	confReconnectDelay = 100 * time.Millisecond
)

// The reference server's texts, which some scenarios look for.
const (
	confSimpleText       = "This is a simple text response for testing."
	confErrorText        = "This tool intentionally returns an error for testing"
	confStaticText       = "This is the content of the static text resource."
	confWatchedText      = "Watched resource content"
	confEmbeddedText     = "This is an embedded resource content."
	confPromptText       = "This is a simple prompt for testing."
	confPromptEmbedText  = "Embedded resource content for testing."
	confReconnectionText = "Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure."
)

// confJSONSchema202012 is the input schema of json_schema_2020_12_tool (SEP-1613): tools/list
// must return it intact, $schema, $defs, $ref and additionalProperties included, and since
// conformance 0.2.0 (SEP-2106) $anchor, allOf/anyOf and if/then/else as well.
const confJSONSchema202012 = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",` +
	`"$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},` +
	`"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},` +
	`"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},` +
	`"allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],` +
	`"if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},` +
	`"then":{"required":["phone"]},"else":{"required":["email"]},"additionalProperties":false}`

// The requested schemas of the elicitation tools (elicitation-sep1034-defaults and
// elicitation-sep1330-enums check every property).
const (
	confElicitSchema = `{"type":"object","properties":{` +
		`"username":{"type":"string","description":"User's response"},` +
		`"email":{"type":"string","description":"User's email address"}},` +
		`"required":["username","email"]}`
	confElicitDefaultsSchema = `{"type":"object","properties":{` +
		`"name":{"type":"string","description":"User name","default":"John Doe"},` +
		`"age":{"type":"integer","description":"User age","default":30},` +
		`"score":{"type":"number","description":"User score","default":95.5},` +
		`"status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},` +
		`"verified":{"type":"boolean","description":"Verification status","default":true}},` +
		`"required":[]}`
	confElicitEnumsSchema = `{"type":"object","properties":{` +
		`"untitledSingle":{"type":"string","description":"Select one option","enum":["option1","option2","option3"]},` +
		`"titledSingle":{"type":"string","description":"Select one option with titles","oneOf":[` +
		`{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},` +
		`"legacyEnum":{"type":"string","description":"Select one option (legacy)","enum":["opt1","opt2","opt3"],` +
		`"enumNames":["Option One","Option Two","Option Three"]},` +
		`"untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,"maxItems":3,` +
		`"items":{"type":"string","enum":["option1","option2","option3"]}},` +
		`"titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,"maxItems":3,` +
		`"items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}},` +
		`"required":[]}`
)

// confTemplate is the URI template of the template resource.
const confTemplate = "test://template/{id}/data"

// Options configures [New]. The zero value of each field means its default.
type Options struct {
	// Path is the path of the MCP endpoint. If empty, [server.DefaultPath].
	Path string
	// Stateless serves every request on its own, without sessions (server.Options.Stateless):
	// the tools that ask the client something then fail at once.
	Stateless bool
	// ProtocolVersions are the protocol versions served (mcp.ServerOptions.ProtocolVersions).
	// If nil, every version minimcp speaks.
	ProtocolVersions []string
	// Logger receives the server's diagnostics. If nil, they are discarded.
	Logger *slog.Logger
	// Version is the version in serverInfo. If empty, "dev".
	Version string
	// Sessions, Events and Relay are the server.Options fields of the same names, Bus and
	// TaskStore the mcp.ServerOptions ones: replicas given shared ones (minimcp conformance
	// --redis) serve the suite together behind a balancer without affinity. Nil means this
	// process's own.
	Sessions  server.SessionStore
	Events    server.EventStore
	Relay     server.Relay
	Bus       mcp.Bus
	TaskStore mcp.TaskStore
	// ReplicaID is server.Options.ReplicaID: sent in X-Served-By.
	ReplicaID string
	// StoreTimeout is server.Options.StoreTimeout: the bound on each call to a shared store.
	// If zero, the server's default.
	StoreTimeout time.Duration
}

// New returns the HTTP handler of the conformance server and the MCP server behind it; opts
// may be nil. The caller owns both: it must call the handler's Shutdown, and then the
// server's, which stops the tasks the server runs (conformance_tasks.go).
func New(opts *Options) (*server.Handler, *mcp.Server) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	srv := newServer(&o)
	// Polling: test_reconnection closes its stream mid-call (SEP-1699).
	return server.New(srv, &server.Options{Path: o.Path, Stateless: o.Stateless, Polling: true, Logger: o.Logger,
		Sessions: o.Sessions, Events: o.Events, Relay: o.Relay, ReplicaID: o.ReplicaID, StoreTimeout: o.StoreTimeout}), srv
}

// newServer returns the MCP server with every tool, resource, prompt and completion the
// conformance suite uses.
func newServer(o *Options) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "minimcp-conformance", Title: "minimcp conformance server", Version: cmp.Or(o.Version, "dev")},
		&mcp.ServerOptions{Logger: o.Logger, TaskTTL: confTaskTTL, TaskPollInterval: confTaskPoll, ProtocolVersions: o.ProtocolVersions,
			Bus: o.Bus, TaskStore: o.TaskStore})
	png := confPNG()
	addConformanceTools(s, png, confWAV())
	addConformanceResources(s, png)
	addConformancePrompts(s, png)
	addConformanceMRTR(s)
	addConformanceTasks(s)
	addConformanceSkills(s)
	return s
}

// confNoArgs is the input of the tools that take no arguments.
type confNoArgs struct{}

func addConformanceTools(s *mcp.Server, png, wav []byte) {
	mcp.AddTool(s, &mcp.Tool{Name: "test_simple_text", Description: "Tests simple text content response"},
		func(context.Context, *mcp.Request, confNoArgs) (*mcp.CallToolResult, error) {
			return mcp.TextResult(confSimpleText), nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_image_content", Description: "Tests image content response"},
		func(context.Context, *mcp.Request, confNoArgs) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.ImageContent{Data: png, MimeType: "image/png"}}}, nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_audio_content", Description: "Tests audio content response"},
		func(context.Context, *mcp.Request, confNoArgs) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.AudioContent{Data: wav, MimeType: "audio/wav"}}}, nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_embedded_resource", Description: "Tests embedded resource content response"},
		func(context.Context, *mcp.Request, confNoArgs) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{
				URI: "test://embedded-resource", MimeType: "text/plain", Text: confEmbeddedText}}}}, nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_multiple_content_types", Description: "Tests response with multiple content types (text, image, resource)"},
		func(context.Context, *mcp.Request, confNoArgs) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{
				&mcp.TextContent{Text: "Multiple content types test:"},
				&mcp.ImageContent{Data: png, MimeType: "image/png"},
				&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "test://mixed-content-resource",
					MimeType: "application/json", Text: `{"test":"data","value":123}`}},
			}}, nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_tool_with_logging", Description: "Tests tool that emits log messages during execution"},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			steps := []string{"Tool execution started", "Tool processing data", "Tool execution completed"}
			for i, msg := range steps {
				if i > 0 {
					if err := confSleep(ctx, confStepDelay); err != nil {
						return nil, err
					}
				}
				// MCP 2025-11-25, Server § Logging: notifications/message, sent on the request's
				// stream before its result.
				if err := req.Log(ctx, mcp.LevelInfo, "", msg); err != nil {
					return nil, fmt.Errorf("sending log message %d: %w", i+1, err)
				}
			}
			return mcp.TextResult("Tool with logging executed successfully"), nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_tool_with_progress", Description: "Tests tool that reports progress notifications"},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			for i, p := range []float64{0, 50, 100} {
				if i > 0 {
					if err := confSleep(ctx, confStepDelay); err != nil {
						return nil, err
					}
				}
				if err := req.Progress(ctx, p, 100, fmt.Sprintf("Completed step %v of 100", p)); err != nil {
					return nil, fmt.Errorf("sending progress %v: %w", p, err)
				}
			}
			token := "none"
			if t := req.ProgressToken(); t != nil {
				token = strings.Trim(string(t), `"`)
			}
			return mcp.TextResult(token), nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_error_handling", Description: "Tests error response handling"},
		func(context.Context, *mcp.Request, confNoArgs) (*mcp.CallToolResult, error) {
			// A plain error becomes an isError result (MCP 2025-11-25, Server § Tools, Error
			// Handling), not a JSON-RPC error.
			return nil, errors.New(confErrorText)
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_reconnection",
		Description: "Tests SSE stream disconnection and client reconnection (SEP-1699): closes its stream, works briefly, answers on the resumed stream"},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			// The server closes the connection mid-call; the client resumes with GET and
			// Last-Event-ID and gets the result there. Where that cannot be done (stateless,
			// a client before 2025-11-25) the stream just stays open.
			if err := req.CloseStream(ctx); err != nil && !errors.Is(err, mcp.ErrStreamNotClosable) {
				return nil, err
			}
			if err := confSleep(ctx, confReconnectDelay); err != nil {
				return nil, err
			}
			return mcp.TextResult(confReconnectionText), nil
		})

	type samplingIn struct {
		Prompt string `json:"prompt" description:"The prompt to send to the LLM"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "test_sampling", Description: "Tests server-initiated sampling (LLM completion request)"},
		func(ctx context.Context, req *mcp.Request, in samplingIn) (*mcp.CallToolResult, error) {
			res, err := req.CreateMessage(ctx, &mcp.CreateMessageParams{
				Messages:  []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: in.Prompt}}},
				MaxTokens: 100,
			})
			if err != nil {
				return nil, fmt.Errorf("sampling/createMessage failed: %w", err)
			}
			reply := "No response"
			if t, ok := res.Content.(*mcp.TextContent); ok && t.Text != "" {
				reply = t.Text
			}
			return mcp.TextResult("LLM response: " + reply), nil
		})

	type elicitIn struct {
		Message string `json:"message" description:"The message to show the user"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "test_elicitation", Description: "Tests server-initiated elicitation (user input request)"},
		func(ctx context.Context, req *mcp.Request, in elicitIn) (*mcp.CallToolResult, error) {
			return confElicit(ctx, req, in.Message, confElicitSchema, "User response")
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_elicitation_sep1034_defaults", Description: "Tests elicitation with default values per SEP-1034"},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			return confElicit(ctx, req, "Please review and update the form fields with defaults",
				confElicitDefaultsSchema, "Elicitation completed")
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_elicitation_sep1330_enums", Description: "Tests elicitation with enum schema improvements per SEP-1330"},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			return confElicit(ctx, req, "Please select options from the enum fields",
				confElicitEnumsSchema, "Elicitation completed")
		})

	s.AddRawTool(&mcp.Tool{Name: "json_schema_2020_12_tool",
		Description: "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
		InputSchema: json.RawMessage(confJSONSchema202012)},
		func(_ context.Context, _ *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.TextResult("JSON Schema 2020-12 tool called with: " + string(args)), nil
		})

	// Fixtures of the 2026-07-28 scenarios (conformance 0.2.0). server-stateless calls
	// test_logging_tool without a log level and expects no notifications/message (MCP
	// 2026-07-28, schema RequestMetaObject); http-custom-header-server-validation looks for a
	// tool with a string parameter marked x-mcp-header and checks its Mcp-Param header.
	mcp.AddTool(s, &mcp.Tool{Name: "test_logging_tool", Description: "Logs one message at info level, then answers"},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			if err := req.Log(ctx, mcp.LevelInfo, "", "test_logging_tool called"); err != nil {
				return nil, fmt.Errorf("sending the log message: %w", err)
			}
			return mcp.TextResult("Logging tool executed"), nil
		})
	// server-stateless calls test_missing_capability without declaring sampling and expects
	// -32021 naming it (MCP 2026-07-28, Basic § _meta).
	mcp.AddTool(s, &mcp.Tool{Name: "test_missing_capability", Description: "Needs the client's sampling capability"},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			res, err := req.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 10,
				Messages: []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: "hi"}}}})
			if err != nil {
				return nil, err
			}
			return mcp.TextResult("sampled by " + res.Model), nil
		})
	s.AddRawTool(&mcp.Tool{Name: "test_header_tool",
		Description: "Echoes its region, a parameter mirrored into the Mcp-Param-Region header",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"region":{"type":"string","description":"Region","x-mcp-header":"Region"}},"required":["region"]}`)},
		func(_ context.Context, _ *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.TextResult("region: " + string(args)), nil
		})
	addConformanceTriggers(s)
}

// addConformanceTriggers adds the tools server-stateless calls to make a list change while a
// subscriptions/listen stream is open (sep-2575-server-sends-subscription-ack and the
// list-changed checks): each registers a tool or prompt and removes it again, so the list
// changes (twice, which a listen stream delivers as one notification) and ends as it was,
// whatever other scenarios list afterwards. mu keeps concurrent calls from registering the
// same name twice.
func addConformanceTriggers(s *mcp.Server) {
	var mu sync.Mutex
	mcp.AddTool(s, &mcp.Tool{Name: "test_trigger_tool_change", Description: "Adds and removes a tool, so the tool list changes"},
		func(context.Context, *mcp.Request, confNoArgs) (*mcp.CallToolResult, error) {
			mu.Lock()
			defer mu.Unlock()
			mcp.AddTool(s, &mcp.Tool{Name: "test_dynamic_tool", Description: "Registered for a moment by test_trigger_tool_change"},
				func(context.Context, *mcp.Request, confNoArgs) (*mcp.CallToolResult, error) {
					return mcp.TextResult("dynamic"), nil
				})
			s.RemoveTools("test_dynamic_tool")
			return mcp.TextResult("Tool list changed"), nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_trigger_prompt_change", Description: "Adds and removes a prompt, so the prompt list changes"},
		func(context.Context, *mcp.Request, confNoArgs) (*mcp.CallToolResult, error) {
			mu.Lock()
			defer mu.Unlock()
			s.AddPrompt(&mcp.Prompt{Name: "test_dynamic_prompt", Description: "Registered for a moment by test_trigger_prompt_change"},
				func(context.Context, *mcp.Request, map[string]string) (*mcp.GetPromptResult, error) {
					return &mcp.GetPromptResult{}, nil
				})
			s.RemovePrompts("test_dynamic_prompt")
			return mcp.TextResult("Prompt list changed"), nil
		})
}

// confElicit asks the client to fill in schema (MCP 2025-11-25, Client § Elicitation, form
// mode) and reports the answer as "<label>: action=..., content=...".
func confElicit(ctx context.Context, req *mcp.Request, message, schema, label string) (*mcp.CallToolResult, error) {
	res, err := req.Elicit(ctx, &mcp.ElicitParams{Message: message, RequestedSchema: json.RawMessage(schema)})
	if err != nil {
		return nil, fmt.Errorf("elicitation/create failed: %w", err)
	}
	content, err := json.Marshal(res.Content)
	if err != nil {
		return nil, fmt.Errorf("encoding the elicited content: %w", err)
	}
	if res.Content == nil {
		content = []byte("{}")
	}
	return mcp.TextResult(fmt.Sprintf("%s: action=%s, content=%s", label, res.Action, content)), nil
}

func addConformanceResources(s *mcp.Server, png []byte) {
	text := func(uri, mimeType, body string) *mcp.ReadResourceResult {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MimeType: mimeType, Text: body}}}
	}
	s.AddResource(&mcp.Resource{URI: "test://static-text", Name: "static-text", Title: "Static Text Resource",
		Description: "A static text resource for testing", MimeType: "text/plain"},
		func(_ context.Context, _ *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
			return text(uri, "text/plain", confStaticText), nil
		})
	s.AddResource(&mcp.Resource{URI: "test://static-binary", Name: "static-binary", Title: "Static Binary Resource",
		Description: "A static binary resource (image) for testing", MimeType: "image/png"},
		func(_ context.Context, _ *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MimeType: "image/png", Blob: png}}}, nil
		})
	s.AddResource(&mcp.Resource{URI: "test://watched-resource", Name: "watched-resource", Title: "Watched Resource",
		Description: "A resource clients can subscribe to", MimeType: "text/plain"},
		func(_ context.Context, _ *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
			return text(uri, "text/plain", confWatchedText), nil
		})
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: confTemplate, Name: "template", Title: "Resource Template",
		Description: "A resource template with parameter substitution", MimeType: "application/json"},
		func(_ context.Context, _ *mcp.Request, uri string, vars map[string]string) (*mcp.ReadResourceResult, error) {
			body, err := json.Marshal(struct {
				ID           string `json:"id"`
				TemplateTest bool   `json:"templateTest"`
				Data         string `json:"data"`
			}{vars["id"], true, "Data for ID: " + vars["id"]})
			if err != nil {
				return nil, err
			}
			return text(uri, "application/json", string(body)), nil
		})
	s.AddTemplateCompletion(confTemplate, func(_ context.Context, _ *mcp.Request, _, value string, _ map[string]string) ([]string, error) {
		return confPrefixed([]string{"1", "2", "3", "123"}, value), nil
	})
}

func addConformancePrompts(s *mcp.Server, png []byte) {
	user := func(c mcp.Content) mcp.PromptMessage { return mcp.PromptMessage{Role: mcp.RoleUser, Content: c} }
	s.AddPrompt(&mcp.Prompt{Name: "test_simple_prompt", Title: "Simple Test Prompt", Description: "A simple prompt without arguments"},
		func(context.Context, *mcp.Request, map[string]string) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{user(&mcp.TextContent{Text: confPromptText})}}, nil
		})
	s.AddPrompt(&mcp.Prompt{Name: "test_prompt_with_arguments", Title: "Prompt With Arguments",
		Description: "A prompt with required arguments", Arguments: []mcp.PromptArgument{
			{Name: "arg1", Description: "First test argument", Required: true},
			{Name: "arg2", Description: "Second test argument", Required: true},
		}},
		func(_ context.Context, _ *mcp.Request, args map[string]string) (*mcp.GetPromptResult, error) {
			text := fmt.Sprintf("Prompt with arguments: arg1='%s', arg2='%s'", args["arg1"], args["arg2"])
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{user(&mcp.TextContent{Text: text})}}, nil
		})
	s.AddPromptCompletion("test_prompt_with_arguments", func(_ context.Context, _ *mcp.Request, arg, value string, _ map[string]string) ([]string, error) {
		switch arg {
		case "arg1":
			return confPrefixed([]string{"testValue1", "test", "sample"}, value), nil
		case "arg2":
			return confPrefixed([]string{"testValue2", "test", "example"}, value), nil
		}
		return nil, nil
	})
	s.AddPrompt(&mcp.Prompt{Name: "test_prompt_with_embedded_resource", Title: "Prompt With Embedded Resource",
		Description: "A prompt that includes an embedded resource", Arguments: []mcp.PromptArgument{
			{Name: "resourceUri", Description: "URI of the resource to embed", Required: true},
		}},
		func(_ context.Context, _ *mcp.Request, args map[string]string) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{
				user(&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: args["resourceUri"], MimeType: "text/plain", Text: confPromptEmbedText}}),
				user(&mcp.TextContent{Text: "Please process the embedded resource above."}),
			}}, nil
		})
	s.AddPrompt(&mcp.Prompt{Name: "test_prompt_with_image", Title: "Prompt With Image", Description: "A prompt that includes image content"},
		func(context.Context, *mcp.Request, map[string]string) (*mcp.GetPromptResult, error) {
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{
				user(&mcp.ImageContent{Data: png, MimeType: "image/png"}),
				user(&mcp.TextContent{Text: "Please analyze the image above."}),
			}}, nil
		})
}

// confPrefixed returns the candidates that start with prefix, in order.
func confPrefixed(candidates []string, prefix string) []string {
	out := []string{}
	for _, c := range candidates {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// confSleep waits d, or returns the context's cause if the request ends first (cancelled by the
// client, or the session closed).
func confSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// confPNG returns a valid 1x1 PNG of one red pixel.
func confPNG() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	img.SetNRGBA(0, 0, color.NRGBA{R: 0xff, A: 0xff})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("minimcp conformance: encoding the test PNG: " + err.Error()) // an in-memory write cannot fail
	}
	return buf.Bytes()
}

// confWAV returns a valid WAV file: RIFF/WAVE, PCM, mono, 16-bit, 8 kHz, 16 samples (2 ms) of
// silence.
func confWAV() []byte {
	const (
		rate     = 8000
		channels = 1
		bits     = 16
		samples  = 16
		dataLen  = samples * channels * bits / 8
	)
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) } // bytes.Buffer writes cannot fail
	b.WriteString("RIFF")
	w(uint32(36 + dataLen)) // the size of everything after this field
	b.WriteString("WAVE")
	b.WriteString("fmt ")
	w(uint32(16)) // fmt chunk size for PCM
	w(uint16(1))  // format: PCM
	w(uint16(channels))
	w(uint32(rate))
	w(uint32(rate * channels * bits / 8)) // byte rate
	w(uint16(channels * bits / 8))        // block align
	w(uint16(bits))
	b.WriteString("data")
	w(uint32(dataLen))
	b.Write(make([]byte, dataLen))
	return b.Bytes()
}
