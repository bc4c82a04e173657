package mcp

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Golden JSON of the wire types. testdata/spec/marshal/NAME.json holds what the value of case NAME
// encodes to (indented for reading; compared compact); testdata/spec/unmarshal/NAME.json holds what a
// client sends, and the case holds the value it must decode to.
//
// go test -run TestSpecGolden ./mcp/ -update-spec rewrites the marshal files.

var specUpdate = flag.Bool("update-spec", false, "rewrite the golden files of testdata/spec/marshal")

func specPtr[T any](v T) *T { return &v }

// specMarshalCases are the values whose encoding is pinned by testdata/spec/marshal.
func specMarshalCases() []struct {
	name string
	v    any
} {
	schema := json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)
	icons := []Icon{{Src: "https://example.com/icon.png", MimeType: "image/png", Sizes: []string{"48x48", "96x96"}, Theme: "light"}}
	ann := &Annotations{Audience: []Role{RoleUser, RoleAssistant}, Priority: specPtr(0.5), LastModified: "2025-01-12T15:00:58Z"}
	meta := Meta{"example.com/trace": "abc"}
	return []struct {
		name string
		v    any
	}{
		{"implementation_minimal", Implementation{Name: "minimcp", Version: "1.0.0"}},
		{"implementation_full", Implementation{
			Name: "minimcp", Title: "Mini MCP", Version: "1.0.0", Description: "A small MCP server",
			WebsiteURL: "https://example.com", Icons: icons,
		}},
		{"client_capabilities_empty", ClientCapabilities{}},
		{"client_capabilities_full", ClientCapabilities{
			Experimental: map[string]any{"x-feature": map[string]any{}},
			Roots:        &RootsCapability{ListChanged: true},
			Sampling:     &SamplingCapability{Context: &struct{}{}, Tools: &struct{}{}},
			Elicitation:  &ElicitationCapability{Form: &struct{}{}, URL: &struct{}{}},
		}},
		{"server_capabilities_empty", ServerCapabilities{}},
		{"server_capabilities_full", ServerCapabilities{
			Experimental: map[string]any{"x-feature": map[string]any{}},
			Logging:      &LoggingCapability{},
			Completions:  &CompletionsCapability{},
			Prompts:      &PromptsCapability{ListChanged: true},
			Resources:    &ResourcesCapability{Subscribe: true, ListChanged: true},
			Tools:        &ToolsCapability{},
		}},
		{"initialize_params", InitializeParams{
			ProtocolVersion: LatestVersion,
			Capabilities:    ClientCapabilities{Roots: &RootsCapability{}},
			ClientInfo:      Implementation{Name: "client", Version: "0.1"},
		}},
		{"initialize_result", &InitializeResult{
			ProtocolVersion: Version20250618,
			Capabilities:    ServerCapabilities{Tools: &ToolsCapability{ListChanged: true}, Logging: &LoggingCapability{}},
			ServerInfo:      Implementation{Name: "minimcp", Version: "1.0.0"},
			Instructions:    "Use the weather tool.",
		}},

		{"text_content", &TextContent{Text: "hello"}},
		{"text_content_empty", &TextContent{}},
		{"text_content_full", &TextContent{Text: "line 1\nline \"2\"", Annotations: ann, Meta: meta}},
		{"image_content", &ImageContent{Data: []byte("\x89PNG"), MimeType: "image/png"}},
		{"audio_content", &AudioContent{Data: []byte("RIFF"), MimeType: "audio/wav", Annotations: &Annotations{Priority: specPtr(1.0)}}},
		{"resource_link_minimal", &ResourceLink{URI: "file:///tmp/a.txt", Name: "a.txt"}},
		{"resource_link_full", &ResourceLink{
			URI: "file:///tmp/report.pdf", Name: "report.pdf", Title: "Report", Description: "Quarterly numbers",
			MimeType: "application/pdf", Size: specPtr(int64(2048)), Annotations: ann, Icons: icons, Meta: meta,
		}},
		{"embedded_resource_text", &EmbeddedResource{Resource: &ResourceContents{URI: "file:///a.txt", MimeType: "text/plain", Text: "hi"}}},
		{"embedded_resource_blob", &EmbeddedResource{
			Resource:    &ResourceContents{URI: "file:///a.bin", Blob: []byte{0, 1, 2, 3}, Meta: meta},
			Annotations: &Annotations{Audience: []Role{RoleUser}}, Meta: meta,
		}},
		{"resource_contents_empty_text", ResourceContents{URI: "file:///empty.txt"}},
		{"resource_contents_empty_blob", ResourceContents{URI: "file:///empty.bin", Text: "ignored", Blob: []byte{}}},

		{"tool_minimal", &Tool{Name: "ping"}},
		{"tool_full", &Tool{
			Name: "get_weather", Title: "Weather", Description: "Current weather for a city.",
			InputSchema: schema, OutputSchema: json.RawMessage(`{"type":"object","properties":{"temp":{"type":"number"}}}`),
			Annotations: &ToolAnnotations{Title: "Weather", ReadOnlyHint: specPtr(true), DestructiveHint: specPtr(false), IdempotentHint: specPtr(true), OpenWorldHint: specPtr(true)},
			Icons:       icons, Meta: meta,
		}},
		{"tool_empty_annotations", &Tool{Name: "t", InputSchema: json.RawMessage(`{"type":"object"}`), Annotations: &ToolAnnotations{}}},
		{"call_tool_params", CallToolParams{Name: "get_weather", Arguments: json.RawMessage(`{"city":"Paris"}`)}},
		{"call_tool_result_empty", &CallToolResult{}},
		{"call_tool_result_text", &CallToolResult{Content: []Content{&TextContent{Text: "Sunny, 21°C"}}}},
		{"call_tool_result_full", &CallToolResult{
			Content: []Content{
				&TextContent{Text: `{"temp":21}`},
				&ImageContent{Data: []byte{1, 2}, MimeType: "image/png"},
				&ResourceLink{URI: "file:///w.json", Name: "w.json"},
			},
			StructuredContent: json.RawMessage(`{"temp":21}`),
			IsError:           true,
			Meta:              meta,
		}},
		{"list_tools_result_empty", ListToolsResult{}},
		{"list_tools_result", &ListToolsResult{Tools: []*Tool{{Name: "a", InputSchema: schema}, {Name: "b"}}, NextCursor: "page-2"}},

		{"resource_full", &Resource{
			URI: "file:///a.txt", Name: "a.txt", Title: "A", Description: "The letter A", MimeType: "text/plain",
			Size: specPtr(int64(1)), Annotations: ann, Icons: icons, Meta: meta,
		}},
		{"resource_template", &ResourceTemplate{
			URITemplate: "file:///{path}", Name: "files", Title: "Files", Description: "Any file", MimeType: "text/plain",
			Annotations: &Annotations{Priority: specPtr(0.0)}, Icons: icons, Meta: meta,
		}},
		{"list_resources_result_empty", ListResourcesResult{}},
		{"list_resources_result", ListResourcesResult{Resources: []*Resource{{URI: "file:///a.txt", Name: "a.txt"}}, NextCursor: "n"}},
		{"list_resource_templates_result_empty", ListResourceTemplatesResult{}},
		{"list_resource_templates_result", ListResourceTemplatesResult{ResourceTemplates: []*ResourceTemplate{{URITemplate: "file:///{path}", Name: "files"}}}},
		{"read_resource_params", ReadResourceParams{URI: "file:///a.txt"}},
		{"read_resource_result_empty", ReadResourceResult{}},
		{"read_resource_result", &ReadResourceResult{Contents: []*ResourceContents{
			{URI: "file:///a.txt", MimeType: "text/plain", Text: "A"},
			{URI: "file:///b.bin", Blob: []byte("B")},
		}}},
		{"subscribe_params", SubscribeParams{URI: "file:///a.txt"}},
		{"unsubscribe_params", UnsubscribeParams{URI: "file:///a.txt"}},
		{"resource_updated_params", ResourceUpdatedNotificationParams{URI: "file:///a.txt"}},

		{"prompt_full", &Prompt{
			Name: "review", Title: "Code review", Description: "Reviews code",
			Arguments: []PromptArgument{{Name: "code", Title: "Code", Description: "The code", Required: true}, {Name: "style"}},
			Icons:     icons, Meta: meta,
		}},
		{"get_prompt_params", GetPromptParams{Name: "review", Arguments: map[string]string{"code": "x := 1"}}},
		{"get_prompt_result_empty", GetPromptResult{}},
		{"get_prompt_result", &GetPromptResult{Description: "A review", Messages: []PromptMessage{
			{Role: RoleUser, Content: &TextContent{Text: "Review this"}},
			{Role: RoleAssistant, Content: &EmbeddedResource{Resource: &ResourceContents{URI: "file:///x.go", Text: "x := 1"}}},
		}}},
		{"list_prompts_result_empty", ListPromptsResult{}},
		{"list_prompts_result", ListPromptsResult{Prompts: []*Prompt{{Name: "review"}}}},

		{"complete_params_prompt", CompleteParams{
			Ref:      CompleteReference{Type: "ref/prompt", Name: "review"},
			Argument: CompleteArgument{Name: "language", Value: "py"},
			Context:  &CompleteContext{Arguments: map[string]string{"framework": "flask"}},
		}},
		{"complete_params_resource", CompleteParams{
			Ref:      CompleteReference{Type: "ref/resource", URI: "file:///{path}"},
			Argument: CompleteArgument{Name: "path", Value: ""},
		}},
		{"complete_result_empty", CompleteResult{}},
		{"complete_result", CompleteResult{Completion: Completion{Values: []string{"python", "pytorch"}, Total: specPtr(10), HasMore: true}}},

		{"set_level_params", SetLevelParams{Level: LevelWarning}},
		{"logging_message_params", LoggingMessageParams{Level: LevelError, Logger: "db", Data: map[string]any{"error": "connection lost"}}},
		{"logging_message_params_nil_data", LoggingMessageParams{Level: LevelInfo}},
		{"progress_params", ProgressNotificationParams{ProgressToken: json.RawMessage(`12345678901234567890`), Progress: 50, Total: specPtr(100.0), Message: "Halfway"}},
		{"progress_params_minimal", ProgressNotificationParams{ProgressToken: json.RawMessage(`"tok"`), Progress: 0.25}},
		{"cancelled_params", CancelledParams{RequestID: json.RawMessage(`"req-1"`), Reason: "user abort"}},
		{"paginated_params_empty", PaginatedParams{}},
		{"paginated_params", PaginatedParams{Cursor: "page-2"}},

		{"create_message_params_minimal", CreateMessageParams{MaxTokens: 100}},
		{"create_message_params", &CreateMessageParams{
			Messages: []SamplingMessage{
				{Role: RoleUser, Content: &TextContent{Text: "What is the capital of France?"}},
				{Role: RoleAssistant, Content: &AudioContent{Data: []byte("a"), MimeType: "audio/wav"}, Meta: meta},
			},
			ModelPreferences: &ModelPreferences{
				Hints:        []ModelHint{{Name: "claude-3-sonnet"}, {Name: "claude"}},
				CostPriority: specPtr(0.3), SpeedPriority: specPtr(0.8), IntelligencePriority: specPtr(0.5),
			},
			SystemPrompt:   "You are a helpful assistant.",
			IncludeContext: "thisServer",
			Temperature:    specPtr(0.7),
			MaxTokens:      100,
			StopSequences:  []string{"\n\n"},
			Metadata:       map[string]any{"provider": "x"},
		}},
		{"create_message_params_tools", &CreateMessageParams{
			Messages: []SamplingMessage{
				{Role: RoleUser, Content: &TextContent{Text: "What's the weather like in Paris and London?"}},
				{Role: RoleAssistant, Blocks: []SamplingContent{
					&ToolUseContent{ID: "call_abc123", Name: "get_weather", Input: json.RawMessage(`{"city":"Paris"}`)},
					&ToolUseContent{ID: "call_def456", Name: "get_weather", Input: json.RawMessage(`{"city":"London"}`), Meta: Meta{"cache": "k"}},
				}},
				{Role: RoleUser, Blocks: []SamplingContent{
					&ToolResultContent{ToolUseID: "call_abc123", Content: []Content{&TextContent{Text: "Weather in Paris: 18°C, partly cloudy"}}},
					&ToolResultContent{ToolUseID: "call_def456", Content: []Content{&TextContent{Text: "no data"}},
						StructuredContent: json.RawMessage(`{"error":"unknown city"}`), IsError: true},
				}},
			},
			Tools: []*Tool{{Name: "get_weather", Description: "Get current weather for a city",
				InputSchema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}},
			ToolChoice: &ToolChoice{Mode: "required"},
			MaxTokens:  1000,
		}},
		{"sampling_message_raw_tool_use", SamplingMessage{
			Role:       RoleAssistant,
			RawContent: json.RawMessage(`[{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}}]`),
		}},
		{"create_message_result", CreateMessageResult{Role: RoleAssistant, Content: &TextContent{Text: "Paris"}, Model: "claude-3-sonnet-20240307", StopReason: "endTurn"}},
		{"elicit_params_form", ElicitParams{
			Mode: "form", Message: "Your GitHub username?",
			RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}`),
		}},
		{"elicit_params_url", ElicitParams{Mode: "url", Message: "Please authorize", URL: "https://example.com/auth", ElicitationID: "e-1"}},
		{"elicit_result", ElicitResult{Action: "accept", Content: map[string]any{"name": "octocat"}}},
		{"elicitation_complete_params", ElicitationCompleteParams{ElicitationID: "e-1"}},
		{"list_roots_result_empty", ListRootsResult{}},
		{"list_roots_result", ListRootsResult{Roots: []Root{{URI: "file:///home/user/project", Name: "project"}}}},
	}
}

func TestSpecGoldenMarshal(t *testing.T) {
	for _, tt := range specMarshalCases() {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.v)
			require.NoError(t, err)
			path := filepath.Join("testdata", "spec", "marshal", tt.name+".json")
			if *specUpdate {
				var pretty bytes.Buffer
				require.NoError(t, json.Indent(&pretty, got, "", "  "))
				pretty.WriteByte('\n')
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, pretty.Bytes(), 0o644))
			}
			golden, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update-spec to create it")
			var want bytes.Buffer
			require.NoError(t, json.Compact(&want, golden))
			assert.Equal(t, want.String(), string(got))

			// A hand-written MarshalJSON writes what goccy writes of it: compact, escaped alike.
			if m, ok := tt.v.(json.Marshaler); ok {
				direct, err := m.MarshalJSON()
				require.NoError(t, err)
				assert.Equal(t, string(got), string(direct), "MarshalJSON differs from json.Marshal")
			}

			// Decoding the golden JSON and encoding it again gives it back.
			back := reflect.New(reflect.TypeOf(tt.v))
			if content, ok := tt.v.(Content); ok {
				c, err := UnmarshalContent(golden)
				require.NoError(t, err)
				assert.Equal(t, content, c)
				return
			}
			require.NoError(t, json.Unmarshal(golden, back.Interface()))
			again, err := json.Marshal(back.Elem().Interface())
			require.NoError(t, err)
			assert.Equal(t, want.String(), string(again), "round trip")
		})
	}
}

// specUnmarshalCases are what clients send, in testdata/spec/unmarshal, and what they decode to.
func specUnmarshalCases() []struct {
	name string
	into any // pointer to a zero value
	want any // pointer to the expected value
} {
	return []struct {
		name string
		into any
		want any
	}{
		{"initialize_params_2025_11_25", new(InitializeParams), &InitializeParams{
			ProtocolVersion: "2025-11-25",
			Capabilities: ClientCapabilities{
				Experimental: map[string]any{"x-feature": map[string]any{"level": 2.0}},
				Roots:        &RootsCapability{ListChanged: true},
				Sampling:     &SamplingCapability{Tools: &struct{}{}},
				Elicitation:  &ElicitationCapability{URL: &struct{}{}},
			},
			ClientInfo: Implementation{
				Name: "client", Title: "Client", Version: "2.0", Description: "A client",
				WebsiteURL: "https://client.example", Icons: []Icon{{Src: "data:image/png;base64,AAAA", Theme: "dark"}},
			},
			Meta: Meta{"progressToken": json.Number("7")},
		}},
		{"initialize_params_2024_11_05", new(InitializeParams), &InitializeParams{
			ProtocolVersion: "2024-11-05",
			Capabilities:    ClientCapabilities{Sampling: &SamplingCapability{}},
			ClientInfo:      Implementation{Name: "old-client", Version: "0.1"},
		}},
		{"call_tool_params", new(CallToolParams), &CallToolParams{
			Name:      "get_weather",
			Arguments: json.RawMessage(`{ "city" : "Paris", "n": 1.50 }`),
			Meta:      Meta{"progressToken": json.Number("12345678901234567890")},
		}},
		{"call_tool_params_no_arguments", new(CallToolParams), &CallToolParams{Name: "ping"}},
		{"read_resource_params", new(ReadResourceParams), &ReadResourceParams{URI: "file:///a.txt"}},
		{"subscribe_params", new(SubscribeParams), &SubscribeParams{URI: "file:///a.txt"}},
		{"get_prompt_params", new(GetPromptParams), &GetPromptParams{Name: "review", Arguments: map[string]string{"code": "x"}}},
		{"complete_params", new(CompleteParams), &CompleteParams{
			Ref:      CompleteReference{Type: "ref/resource", URI: "github://repos/{owner}/{repo}"},
			Argument: CompleteArgument{Name: "repo", Value: "mcp"},
			Context:  &CompleteContext{Arguments: map[string]string{"owner": "modelcontextprotocol"}},
		}},
		{"set_level_params", new(SetLevelParams), &SetLevelParams{Level: LevelDebug}},
		{"cancelled_params", new(CancelledParams), &CancelledParams{RequestID: json.RawMessage(`1.5`), Reason: "timeout"}},
		{"paginated_params", new(PaginatedParams), &PaginatedParams{Cursor: "abc"}},
		{"progress_params", new(ProgressNotificationParams), &ProgressNotificationParams{
			ProgressToken: json.RawMessage(`"up-1"`), Progress: 3, Total: specPtr(10.0),
		}},
		{"create_message_result", new(CreateMessageResult), &CreateMessageResult{
			Role: RoleAssistant, Content: &TextContent{Text: "The capital of France is Paris."},
			Blocks: []SamplingContent{&TextContent{Text: "The capital of France is Paris."}},
			Model:  "claude-3-sonnet-20240307", StopReason: "endTurn",
		}},
		{"create_message_result_tool_use", new(CreateMessageResult), &CreateMessageResult{
			Role: RoleAssistant, Content: &TextContent{Text: "Let me check."},
			Blocks: []SamplingContent{&TextContent{Text: "Let me check."},
				&ToolUseContent{ID: "call_1", Name: "get_weather", Input: json.RawMessage(`{"city": "Paris"}`)}},
			RawContent: json.RawMessage(`[
    {"type": "text", "text": "Let me check."},
    {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}}
  ]`),
			Model: "claude-sonnet-4", StopReason: "toolUse",
		}},
		{"create_message_result_only_tool_use", new(CreateMessageResult), &CreateMessageResult{
			Role:       RoleAssistant,
			Blocks:     []SamplingContent{&ToolUseContent{ID: "call_1", Name: "get_weather", Input: json.RawMessage(`{}`)}},
			RawContent: json.RawMessage(`{"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {}}`),
			Model:      "m",
		}},
		{"elicit_result_accept", new(ElicitResult), &ElicitResult{
			Action:  "accept",
			Content: map[string]any{"name": "octocat", "age": 30.0, "subscribe": true, "tags": []any{"a", "b"}},
		}},
		{"elicit_result_decline", new(ElicitResult), &ElicitResult{Action: "decline"}},
		{"list_roots_result", new(ListRootsResult), &ListRootsResult{Roots: []Root{
			{URI: "file:///home/user/project", Name: "project"},
			{URI: "file:///tmp"},
		}}},
	}
}

func TestSpecGoldenUnmarshal(t *testing.T) {
	for _, tt := range specUnmarshalCases() {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "spec", "unmarshal", tt.name+".json"))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(data, tt.into))
			assert.Equal(t, tt.want, tt.into)
		})
	}
}
