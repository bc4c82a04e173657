package mcp

import (
	"reflect"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDowngrade shows, for each result whose shape changed, what a client of each revision receives.
func TestDowngrade(t *testing.T) {
	icons := []Icon{{Src: "https://e.com/i.png"}}
	ann := &Annotations{Priority: specPtr(0.5), LastModified: "2025-01-01T00:00:00Z"}
	meta := Meta{"m": "1"}

	for _, tt := range []struct {
		name string
		v    any
		want map[string]string // by version
	}{
		{
			name: "tool",
			v: &ListToolsResult{Tools: []*Tool{{
				Name: "t", Title: "T", Description: "d", InputSchema: json.RawMessage(`{"type":"object"}`),
				OutputSchema: json.RawMessage(`{"type":"object"}`), Annotations: &ToolAnnotations{ReadOnlyHint: specPtr(true)},
				Icons: icons, Meta: meta,
			}}},
			want: map[string]string{
				Version20251125: `{"tools":[{"name":"t","title":"T","description":"d","inputSchema":{"type":"object"},"outputSchema":{"type":"object"},"annotations":{"readOnlyHint":true},"icons":[{"src":"https://e.com/i.png"}],"_meta":{"m":"1"}}]}`,
				Version20250618: `{"tools":[{"name":"t","title":"T","description":"d","inputSchema":{"type":"object"},"outputSchema":{"type":"object"},"annotations":{"readOnlyHint":true},"_meta":{"m":"1"}}]}`,
				Version20250326: `{"tools":[{"name":"t","description":"d","inputSchema":{"type":"object"},"annotations":{"title":"T","readOnlyHint":true}}]}`,
				Version20241105: `{"tools":[{"name":"t","description":"d","inputSchema":{"type":"object"}}]}`,
			},
		},
		{
			name: "tool titles",
			v: &ListToolsResult{Tools: []*Tool{
				{Name: "a", Title: "A"},
				{Name: "b", Title: "B", Annotations: &ToolAnnotations{Title: "Bee"}},
			}},
			want: map[string]string{
				Version20251125: `{"tools":[{"name":"a","title":"A","inputSchema":{"type":"object"}},{"name":"b","title":"B","inputSchema":{"type":"object"},"annotations":{"title":"Bee"}}]}`,
				Version20250618: `{"tools":[{"name":"a","title":"A","inputSchema":{"type":"object"}},{"name":"b","title":"B","inputSchema":{"type":"object"},"annotations":{"title":"Bee"}}]}`,
				Version20250326: `{"tools":[{"name":"a","inputSchema":{"type":"object"},"annotations":{"title":"A"}},{"name":"b","inputSchema":{"type":"object"},"annotations":{"title":"Bee"}}]}`,
				Version20241105: `{"tools":[{"name":"a","inputSchema":{"type":"object"}},{"name":"b","inputSchema":{"type":"object"}}]}`,
			},
		},
		{
			name: "call tool result",
			v: &CallToolResult{
				Content: []Content{
					&TextContent{Text: "x", Annotations: ann, Meta: meta},
					&AudioContent{Data: []byte{1}, MimeType: "audio/wav", Meta: meta},
					&ResourceLink{URI: "file:///r", Name: "r", Title: "R", Description: "the r", Icons: icons},
					&EmbeddedResource{Resource: &ResourceContents{URI: "file:///e", Text: "e", Meta: meta}, Meta: meta},
					&ImageContent{Data: []byte{2}, MimeType: "image/png", Annotations: &Annotations{LastModified: "2025-01-01T00:00:00Z"}},
				},
				StructuredContent: json.RawMessage(`{"x":1}`),
				IsError:           true,
				Meta:              meta,
			},
			want: map[string]string{
				Version20251125: `{"content":[
					{"type":"text","text":"x","annotations":{"priority":0.5,"lastModified":"2025-01-01T00:00:00Z"},"_meta":{"m":"1"}},
					{"type":"audio","data":"AQ==","mimeType":"audio/wav","_meta":{"m":"1"}},
					{"type":"resource_link","uri":"file:///r","name":"r","title":"R","description":"the r","icons":[{"src":"https://e.com/i.png"}]},
					{"type":"resource","resource":{"uri":"file:///e","text":"e","_meta":{"m":"1"}},"_meta":{"m":"1"}},
					{"type":"image","data":"Ag==","mimeType":"image/png","annotations":{"lastModified":"2025-01-01T00:00:00Z"}}
				],"structuredContent":{"x":1},"isError":true,"_meta":{"m":"1"}}`,
				Version20250618: `{"content":[
					{"type":"text","text":"x","annotations":{"priority":0.5,"lastModified":"2025-01-01T00:00:00Z"},"_meta":{"m":"1"}},
					{"type":"audio","data":"AQ==","mimeType":"audio/wav","_meta":{"m":"1"}},
					{"type":"resource_link","uri":"file:///r","name":"r","title":"R","description":"the r"},
					{"type":"resource","resource":{"uri":"file:///e","text":"e","_meta":{"m":"1"}},"_meta":{"m":"1"}},
					{"type":"image","data":"Ag==","mimeType":"image/png","annotations":{"lastModified":"2025-01-01T00:00:00Z"}}
				],"structuredContent":{"x":1},"isError":true,"_meta":{"m":"1"}}`,
				Version20250326: `{"content":[
					{"type":"text","text":"x","annotations":{"priority":0.5}},
					{"type":"audio","data":"AQ==","mimeType":"audio/wav"},
					{"type":"text","text":"R (file:///r): the r"},
					{"type":"resource","resource":{"uri":"file:///e","text":"e"}},
					{"type":"image","data":"Ag==","mimeType":"image/png"}
				],"isError":true,"_meta":{"m":"1"}}`,
				Version20241105: `{"content":[
					{"type":"text","text":"x","annotations":{"priority":0.5}},
					{"type":"text","text":"[audio content omitted: audio/wav]"},
					{"type":"text","text":"R (file:///r): the r"},
					{"type":"resource","resource":{"uri":"file:///e","text":"e"}},
					{"type":"image","data":"Ag==","mimeType":"image/png"}
				],"isError":true,"_meta":{"m":"1"}}`,
			},
		},
		{
			name: "structured content only",
			v:    &CallToolResult{StructuredContent: json.RawMessage(`{"temp": 21}`)},
			want: map[string]string{
				Version20251125: `{"content":[],"structuredContent":{"temp":21}}`,
				Version20250618: `{"content":[],"structuredContent":{"temp":21}}`,
				Version20250326: `{"content":[{"type":"text","text":"{\"temp\": 21}"}]}`,
				Version20241105: `{"content":[{"type":"text","text":"{\"temp\": 21}"}]}`,
			},
		},
		{
			name: "initialize result",
			v: &InitializeResult{
				ProtocolVersion: "x",
				Capabilities:    ServerCapabilities{Completions: &CompletionsCapability{}, Tools: &ToolsCapability{}},
				ServerInfo:      Implementation{Name: "s", Title: "S", Version: "1", Description: "d", WebsiteURL: "https://e.com", Icons: icons},
				Instructions:    "i",
				Meta:            meta,
			},
			want: map[string]string{
				Version20251125: `{"protocolVersion":"x","capabilities":{"completions":{},"tools":{}},"serverInfo":{"name":"s","title":"S","version":"1","description":"d","websiteUrl":"https://e.com","icons":[{"src":"https://e.com/i.png"}]},"instructions":"i","_meta":{"m":"1"}}`,
				Version20250618: `{"protocolVersion":"x","capabilities":{"completions":{},"tools":{}},"serverInfo":{"name":"s","title":"S","version":"1"},"instructions":"i","_meta":{"m":"1"}}`,
				Version20250326: `{"protocolVersion":"x","capabilities":{"completions":{},"tools":{}},"serverInfo":{"name":"s","version":"1"},"instructions":"i","_meta":{"m":"1"}}`,
				Version20241105: `{"protocolVersion":"x","capabilities":{"tools":{}},"serverInfo":{"name":"s","version":"1"},"instructions":"i","_meta":{"m":"1"}}`,
			},
		},
		{
			name: "resources",
			v: &ListResourcesResult{Resources: []*Resource{{
				URI: "file:///a", Name: "a", Title: "A", Description: "d", MimeType: "text/plain", Size: specPtr(int64(3)),
				Annotations: ann, Icons: icons, Meta: meta,
			}}, NextCursor: "c"},
			want: map[string]string{
				Version20251125: `{"resources":[{"uri":"file:///a","name":"a","title":"A","description":"d","mimeType":"text/plain","size":3,"annotations":{"priority":0.5,"lastModified":"2025-01-01T00:00:00Z"},"icons":[{"src":"https://e.com/i.png"}],"_meta":{"m":"1"}}],"nextCursor":"c"}`,
				Version20250618: `{"resources":[{"uri":"file:///a","name":"a","title":"A","description":"d","mimeType":"text/plain","size":3,"annotations":{"priority":0.5,"lastModified":"2025-01-01T00:00:00Z"},"_meta":{"m":"1"}}],"nextCursor":"c"}`,
				Version20250326: `{"resources":[{"uri":"file:///a","name":"a","description":"d","mimeType":"text/plain","size":3,"annotations":{"priority":0.5}}],"nextCursor":"c"}`,
				Version20241105: `{"resources":[{"uri":"file:///a","name":"a","description":"d","mimeType":"text/plain","size":3,"annotations":{"priority":0.5}}],"nextCursor":"c"}`,
			},
		},
		{
			name: "resource templates",
			v: &ListResourceTemplatesResult{ResourceTemplates: []*ResourceTemplate{{
				URITemplate: "file:///{p}", Name: "f", Title: "F", Annotations: &Annotations{LastModified: "2025-01-01T00:00:00Z"},
				Icons: icons, Meta: meta,
			}}},
			want: map[string]string{
				Version20251125: `{"resourceTemplates":[{"uriTemplate":"file:///{p}","name":"f","title":"F","annotations":{"lastModified":"2025-01-01T00:00:00Z"},"icons":[{"src":"https://e.com/i.png"}],"_meta":{"m":"1"}}]}`,
				Version20250618: `{"resourceTemplates":[{"uriTemplate":"file:///{p}","name":"f","title":"F","annotations":{"lastModified":"2025-01-01T00:00:00Z"},"_meta":{"m":"1"}}]}`,
				Version20250326: `{"resourceTemplates":[{"uriTemplate":"file:///{p}","name":"f"}]}`,
				Version20241105: `{"resourceTemplates":[{"uriTemplate":"file:///{p}","name":"f"}]}`,
			},
		},
		{
			name: "read resource",
			v:    &ReadResourceResult{Contents: []*ResourceContents{{URI: "file:///a", Text: "a", Meta: meta}, {URI: "file:///b", Blob: []byte{}}}, Meta: meta},
			want: map[string]string{
				Version20251125: `{"contents":[{"uri":"file:///a","text":"a","_meta":{"m":"1"}},{"uri":"file:///b","blob":""}],"_meta":{"m":"1"}}`,
				Version20250618: `{"contents":[{"uri":"file:///a","text":"a","_meta":{"m":"1"}},{"uri":"file:///b","blob":""}],"_meta":{"m":"1"}}`,
				Version20250326: `{"contents":[{"uri":"file:///a","text":"a"},{"uri":"file:///b","blob":""}],"_meta":{"m":"1"}}`,
				Version20241105: `{"contents":[{"uri":"file:///a","text":"a"},{"uri":"file:///b","blob":""}],"_meta":{"m":"1"}}`,
			},
		},
		{
			name: "prompts",
			v: &ListPromptsResult{Prompts: []*Prompt{{
				Name: "p", Title: "P", Description: "d",
				Arguments: []PromptArgument{{Name: "a", Title: "A", Required: true}, {Name: "b"}},
				Icons:     icons, Meta: meta,
			}}},
			want: map[string]string{
				Version20251125: `{"prompts":[{"name":"p","title":"P","description":"d","arguments":[{"name":"a","title":"A","required":true},{"name":"b"}],"icons":[{"src":"https://e.com/i.png"}],"_meta":{"m":"1"}}]}`,
				Version20250618: `{"prompts":[{"name":"p","title":"P","description":"d","arguments":[{"name":"a","title":"A","required":true},{"name":"b"}],"_meta":{"m":"1"}}]}`,
				Version20250326: `{"prompts":[{"name":"p","description":"d","arguments":[{"name":"a","required":true},{"name":"b"}]}]}`,
				Version20241105: `{"prompts":[{"name":"p","description":"d","arguments":[{"name":"a","required":true},{"name":"b"}]}]}`,
			},
		},
		{
			name: "get prompt",
			v: &GetPromptResult{Description: "d", Messages: []PromptMessage{
				{Role: RoleUser, Content: &TextContent{Text: "t"}},
				{Role: RoleUser, Content: &ResourceLink{URI: "file:///r", Name: "file:///r"}},
				{Role: RoleAssistant, Content: &AudioContent{Data: []byte{1}, MimeType: "audio/mpeg"}},
			}},
			want: map[string]string{
				Version20251125: `{"description":"d","messages":[{"role":"user","content":{"type":"text","text":"t"}},{"role":"user","content":{"type":"resource_link","uri":"file:///r","name":"file:///r"}},{"role":"assistant","content":{"type":"audio","data":"AQ==","mimeType":"audio/mpeg"}}]}`,
				Version20250618: `{"description":"d","messages":[{"role":"user","content":{"type":"text","text":"t"}},{"role":"user","content":{"type":"resource_link","uri":"file:///r","name":"file:///r"}},{"role":"assistant","content":{"type":"audio","data":"AQ==","mimeType":"audio/mpeg"}}]}`,
				Version20250326: `{"description":"d","messages":[{"role":"user","content":{"type":"text","text":"t"}},{"role":"user","content":{"type":"text","text":"file:///r"}},{"role":"assistant","content":{"type":"audio","data":"AQ==","mimeType":"audio/mpeg"}}]}`,
				Version20241105: `{"description":"d","messages":[{"role":"user","content":{"type":"text","text":"t"}},{"role":"user","content":{"type":"text","text":"file:///r"}},{"role":"assistant","content":{"type":"text","text":"[audio content omitted: audio/mpeg]"}}]}`,
			},
		},
		{
			name: "progress",
			v:    &ProgressNotificationParams{ProgressToken: json.RawMessage(`"p"`), Progress: 1, Total: specPtr(2.0), Message: "half"},
			want: map[string]string{
				Version20251125: `{"progressToken":"p","progress":1,"total":2,"message":"half"}`,
				Version20250618: `{"progressToken":"p","progress":1,"total":2,"message":"half"}`,
				Version20250326: `{"progressToken":"p","progress":1,"total":2,"message":"half"}`,
				Version20241105: `{"progressToken":"p","progress":1,"total":2}`,
			},
		},
		{
			name: "create message",
			v: &CreateMessageParams{Messages: []SamplingMessage{
				{Role: RoleUser, Content: &TextContent{Text: "q", Meta: meta}, Meta: meta},
				{Role: RoleUser, Content: &AudioContent{Data: []byte{1}, MimeType: "audio/wav"}},
			}, MaxTokens: 5},
			want: map[string]string{
				Version20251125: `{"messages":[{"role":"user","content":{"type":"text","text":"q","_meta":{"m":"1"}},"_meta":{"m":"1"}},{"role":"user","content":{"type":"audio","data":"AQ==","mimeType":"audio/wav"}}],"maxTokens":5}`,
				Version20250618: `{"messages":[{"role":"user","content":{"type":"text","text":"q","_meta":{"m":"1"}}},{"role":"user","content":{"type":"audio","data":"AQ==","mimeType":"audio/wav"}}],"maxTokens":5}`,
				Version20250326: `{"messages":[{"role":"user","content":{"type":"text","text":"q"}},{"role":"user","content":{"type":"audio","data":"AQ==","mimeType":"audio/wav"}}],"maxTokens":5}`,
				Version20241105: `{"messages":[{"role":"user","content":{"type":"text","text":"q"}},{"role":"user","content":{"type":"text","text":"[audio content omitted: audio/wav]"}}],"maxTokens":5}`,
			},
		},
		{
			name: "create message blocks",
			v: &CreateMessageParams{Messages: []SamplingMessage{
				{Role: RoleUser, Blocks: []SamplingContent{&TextContent{Text: "q", Meta: meta}, &AudioContent{Data: []byte{1}, MimeType: "audio/wav"}}},
			}, MaxTokens: 5},
			want: map[string]string{
				Version20251125: `{"messages":[{"role":"user","content":[{"type":"text","text":"q","_meta":{"m":"1"}},{"type":"audio","data":"AQ==","mimeType":"audio/wav"}]}],"maxTokens":5}`,
				Version20250618: `{"messages":[{"role":"user","content":[{"type":"text","text":"q","_meta":{"m":"1"}},{"type":"audio","data":"AQ==","mimeType":"audio/wav"}]}],"maxTokens":5}`,
				Version20250326: `{"messages":[{"role":"user","content":[{"type":"text","text":"q"},{"type":"audio","data":"AQ==","mimeType":"audio/wav"}]}],"maxTokens":5}`,
				Version20241105: `{"messages":[{"role":"user","content":[{"type":"text","text":"q"},{"type":"text","text":"[audio content omitted: audio/wav]"}]}],"maxTokens":5}`,
			},
		},
		{
			name: "elicit form",
			v:    &ElicitParams{Mode: "form", Message: "m", RequestedSchema: json.RawMessage(`{"type":"object","properties":{}}`)},
			want: map[string]string{
				Version20251125: `{"mode":"form","message":"m","requestedSchema":{"type":"object","properties":{}}}`,
				Version20250618: `{"message":"m","requestedSchema":{"type":"object","properties":{}}}`,
				Version20250326: `{"message":"m","requestedSchema":{"type":"object","properties":{}}}`,
				Version20241105: `{"message":"m","requestedSchema":{"type":"object","properties":{}}}`,
			},
		},
		{
			name: "elicit url is not downgraded",
			v:    &ElicitParams{Mode: "url", Message: "m", URL: "https://e.com", ElicitationID: "1"},
			want: map[string]string{
				Version20251125: `{"mode":"url","message":"m","url":"https://e.com","elicitationId":"1"}`,
				Version20250618: `{"mode":"url","message":"m","url":"https://e.com","elicitationId":"1"}`,
				Version20250326: `{"mode":"url","message":"m","url":"https://e.com","elicitationId":"1"}`,
				Version20241105: `{"mode":"url","message":"m","url":"https://e.com","elicitationId":"1"}`,
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, err := json.Marshal(tt.v)
			require.NoError(t, err)
			require.Len(t, tt.want, len(SupportedVersions()))
			for _, version := range SupportedVersions() {
				got := downgradeResult(version, tt.v)
				assert.IsType(t, tt.v, got)
				data, err := json.Marshal(got)
				require.NoError(t, err)
				assert.JSONEq(t, tt.want[version], string(data), "version %s", version)

				// The value form gives the same.
				val := downgradeResult(version, reflect.ValueOf(tt.v).Elem().Interface())
				assert.IsType(t, reflect.ValueOf(tt.v).Elem().Interface(), val)
				vdata, err := json.Marshal(val)
				require.NoError(t, err)
				assert.Equal(t, string(data), string(vdata), "value form, version %s", version)
			}
			after, err := json.Marshal(tt.v)
			require.NoError(t, err)
			assert.Equal(t, string(before), string(after), "downgrade modified its receiver")
		})
	}
}

func TestDowngradeLatestIsIdentity(t *testing.T) {
	tool := &Tool{Name: "t", Title: "T", Icons: []Icon{{Src: "s"}}}
	r := &ListToolsResult{Tools: []*Tool{tool}}
	for _, version := range []string{LatestVersion, "", "2026-07-28"} {
		assert.Same(t, r, downgradeResult(version, r), "version %q", version)
	}
	allocs := testing.AllocsPerRun(100, func() {
		_ = downgradeResult(LatestVersion, r)
	})
	assert.Zero(t, allocs)

	// Results that did not change for a revision are not copied either.
	plain := &CallToolResult{Content: []Content{&TextContent{Text: "x"}}}
	for _, version := range SupportedVersions() {
		assert.Same(t, plain, downgradeResult(version, plain), "version %s", version)
	}
	progress := &ProgressNotificationParams{ProgressToken: json.RawMessage(`1`)}
	assert.Same(t, progress, downgradeResult(Version20241105, progress))

	// Types it does not know pass through.
	other := &CompleteResult{}
	assert.Same(t, other, downgradeResult(Version20241105, other))
	assert.Equal(t, 42, downgradeResult(Version20241105, 42))
	assert.Nil(t, downgradeResult(Version20241105, nil))
	var nilResult *CallToolResult
	assert.Nil(t, downgradeResult(Version20241105, nilResult))
}

func TestDowngradeSharesUnchanged(t *testing.T) {
	plain := &Tool{Name: "plain"}
	fancy := &Tool{Name: "fancy", Icons: []Icon{{Src: "s"}}}
	r := &ListToolsResult{Tools: []*Tool{plain, fancy, plain}}
	got := downgradeResult(Version20250618, r).(*ListToolsResult)
	require.NotSame(t, r, got)
	assert.Same(t, plain, got.Tools[0])
	assert.NotSame(t, fancy, got.Tools[1])
	assert.Same(t, plain, got.Tools[2])
	assert.Equal(t, []Icon{{Src: "s"}}, fancy.Icons, "the shared tool keeps its icons")
	assert.Nil(t, got.Tools[1].Icons)
}
