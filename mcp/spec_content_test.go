package mcp

import (
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// specContentSamples holds one block of each type, plain and fully populated.
func specContentSamples() map[string]Content {
	ann := &Annotations{Audience: []Role{RoleAssistant}, Priority: specPtr(0.25), LastModified: "2025-06-18T00:00:00Z"}
	meta := Meta{"k": "v", "n": json.Number("1.50")}
	return map[string]Content{
		"text":            &TextContent{Text: "hi <there> & \"you\"\n"},
		"text_full":       &TextContent{Text: "é", Annotations: ann, Meta: meta},
		"image":           &ImageContent{Data: []byte{0xff, 0xd8, 0xff}, MimeType: "image/jpeg"},
		"image_full":      &ImageContent{Data: []byte{1}, MimeType: "image/png", Annotations: ann, Meta: meta},
		"audio":           &AudioContent{Data: []byte("RIFF....WAVE"), MimeType: "audio/wav"},
		"audio_full":      &AudioContent{Data: []byte{}, MimeType: "audio/mpeg", Annotations: ann, Meta: meta},
		"link":            &ResourceLink{URI: "https://example.com/a", Name: "a"},
		"link_full":       &ResourceLink{URI: "file:///a", Name: "a", Title: "A", Description: "d", MimeType: "text/plain", Size: specPtr(int64(0)), Annotations: ann, Icons: []Icon{{Src: "https://example.com/i.svg", Sizes: []string{"any"}}}, Meta: meta},
		"embedded_text":   &EmbeddedResource{Resource: &ResourceContents{URI: "file:///a", Text: ""}},
		"embedded_blob":   &EmbeddedResource{Resource: &ResourceContents{URI: "file:///b", MimeType: "application/octet-stream", Blob: []byte{}}, Annotations: ann, Meta: meta},
		"embedded_binary": &EmbeddedResource{Resource: &ResourceContents{URI: "file:///c", Blob: []byte{0, 255, 128}, Meta: meta}},
	}
}

func TestContentRoundTrip(t *testing.T) {
	for name, c := range specContentSamples() {
		t.Run(name, func(t *testing.T) {
			data, err := json.Marshal(c)
			require.NoError(t, err)
			back, err := UnmarshalContent(data)
			require.NoError(t, err)
			assert.Equal(t, c, back)

			// The same block inside a tool result, a prompt message and a sampling message.
			res, err := json.Marshal(&CallToolResult{Content: []Content{c, c}})
			require.NoError(t, err)
			var r CallToolResult
			require.NoError(t, json.Unmarshal(res, &r))
			assert.Equal(t, []Content{c, c}, r.Content)

			msg, err := json.Marshal(PromptMessage{Role: RoleUser, Content: c})
			require.NoError(t, err)
			var m PromptMessage
			require.NoError(t, json.Unmarshal(msg, &m))
			assert.Equal(t, PromptMessage{Role: RoleUser, Content: c}, m)

			smsg, err := json.Marshal(SamplingMessage{Role: RoleUser, Content: c})
			require.NoError(t, err)
			var s SamplingMessage
			require.NoError(t, json.Unmarshal(smsg, &s))
			want := SamplingMessage{Role: RoleUser, Content: c}
			if sc, ok := c.(SamplingContent); ok {
				want.Blocks = []SamplingContent{sc}
			}
			assert.Equal(t, want, s)
		})
	}
}

func TestContentUnmarshalContents(t *testing.T) {
	got, err := UnmarshalContents([]byte(`[{"type":"text","text":"a"},{"type":"image","data":"AQ==","mimeType":"image/png"}]`))
	require.NoError(t, err)
	assert.Equal(t, []Content{&TextContent{Text: "a"}, &ImageContent{Data: []byte{1}, MimeType: "image/png"}}, got)

	got, err = UnmarshalContents([]byte(`null`))
	require.NoError(t, err)
	assert.Nil(t, got)

	got, err = UnmarshalContents([]byte(`[]`))
	require.NoError(t, err)
	assert.Equal(t, []Content{}, got)
}

func TestContentUnmarshalErrors(t *testing.T) {
	for _, tt := range []struct {
		name, data, err string
	}{
		{"unknown type", `{"type":"video","url":"x"}`, `mcp: unknown content type "video"`},
		{"unknown type with clashing fields", `{"type":"video","data":5}`, `mcp: unknown content type "video"`},
		{"sampling-only type", `{"type":"tool_use","id":"1","name":"t","input":{}}`, `mcp: unknown content type "tool_use"`},
		{"no type", `{"text":"x"}`, `mcp: content block has no "type"`},
		{"null", `null`, `mcp: content block has no "type"`},
		{"resource without resource", `{"type":"resource"}`, `mcp: embedded resource has no resource`},
		{"resource with both", `{"type":"resource","resource":{"uri":"u","text":"","blob":""}}`, `mcp: resource contents have both "text" and "blob"`},
		{"resource with neither", `{"type":"resource","resource":{"uri":"u"}}`, `mcp: resource contents have neither "text" nor "blob"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := UnmarshalContent([]byte(tt.data))
			assert.EqualError(t, err, tt.err)
		})
	}

	for _, data := range []string{`{"type":"text"`, `[]`, `{"type":"image","data":"not base64!"}`, `{"type":7}`} {
		_, err := UnmarshalContent([]byte(data))
		assert.Error(t, err, data)
	}

	_, err := UnmarshalContents([]byte(`[{"type":"text","text":"a"},{"type":"video"}]`))
	assert.EqualError(t, err, `mcp: content[1]: unknown content type "video"`)

	var r CallToolResult
	err = json.Unmarshal([]byte(`{"content":[{"type":"text","text":"ok"},{"type":"tool_result"}]}`), &r)
	assert.ErrorContains(t, err, `mcp: content[1]: unknown content type "tool_result"`)

	var m PromptMessage
	err = json.Unmarshal([]byte(`{"role":"user","content":{"type":"video"}}`), &m)
	assert.ErrorContains(t, err, `mcp: unknown content type "video"`)
}

func TestContentNil(t *testing.T) {
	for _, c := range []Content{(*TextContent)(nil), (*ImageContent)(nil), (*AudioContent)(nil), (*ResourceLink)(nil), (*EmbeddedResource)(nil)} {
		data, err := c.MarshalJSON()
		require.NoError(t, err)
		assert.Equal(t, "null", string(data))

		_, err = json.Marshal(CallToolResult{Content: []Content{c}})
		assert.ErrorIs(t, err, errSpecNilContent)
		assert.Equal(t, c, c.downgrade(Version20241105))
	}
	_, err := json.Marshal(CallToolResult{Content: []Content{nil}})
	assert.ErrorIs(t, err, errSpecNilContent)

	_, err = json.Marshal(&EmbeddedResource{})
	assert.ErrorIs(t, err, errSpecNoResource)
}

func TestContentResourceContentsTextBlob(t *testing.T) {
	t.Run("marshal", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			rc   ResourceContents
			want string
		}{
			{"text", ResourceContents{URI: "u", Text: "t"}, `{"uri":"u","text":"t"}`},
			{"empty text is written", ResourceContents{URI: "u"}, `{"uri":"u","text":""}`},
			{"blob", ResourceContents{URI: "u", MimeType: "m", Blob: []byte("b")}, `{"uri":"u","mimeType":"m","blob":"Yg=="}`},
			{"empty non-nil blob is a blob", ResourceContents{URI: "u", Blob: []byte{}}, `{"uri":"u","blob":""}`},
			{"blob wins over text", ResourceContents{URI: "u", Text: "t", Blob: []byte("b")}, `{"uri":"u","blob":"Yg=="}`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				data, err := json.Marshal(tt.rc)
				require.NoError(t, err)
				assert.Equal(t, tt.want, string(data))
				data, err = json.Marshal(&tt.rc)
				require.NoError(t, err)
				assert.Equal(t, tt.want, string(data))
			})
		}
	})
	t.Run("unmarshal", func(t *testing.T) {
		for _, tt := range []struct {
			name, data string
			want       ResourceContents
			err        string
		}{
			{"text", `{"uri":"u","text":"t"}`, ResourceContents{URI: "u", Text: "t"}, ""},
			{"empty text", `{"uri":"u","text":""}`, ResourceContents{URI: "u"}, ""},
			{"blob", `{"uri":"u","blob":"Yg=="}`, ResourceContents{URI: "u", Blob: []byte("b")}, ""},
			{"empty blob is non-nil", `{"uri":"u","blob":""}`, ResourceContents{URI: "u", Blob: []byte{}}, ""},
			{"meta", `{"uri":"u","text":"","_meta":{"a":1}}`, ResourceContents{URI: "u", Meta: Meta{"a": json.Number("1")}}, ""},
			{"both", `{"uri":"u","text":"t","blob":""}`, ResourceContents{}, `mcp: resource contents have both "text" and "blob"`},
			{"neither", `{"uri":"u"}`, ResourceContents{}, `mcp: resource contents have neither "text" nor "blob"`},
			{"null text counts as absent", `{"uri":"u","text":null}`, ResourceContents{}, `mcp: resource contents have neither "text" nor "blob"`},
			{"bad base64", `{"uri":"u","blob":"%%%"}`, ResourceContents{}, "base64"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var rc ResourceContents
				err := json.Unmarshal([]byte(tt.data), &rc)
				if tt.err != "" {
					assert.ErrorContains(t, err, tt.err)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, tt.want, rc)
				if tt.want.Blob != nil {
					assert.NotNil(t, rc.Blob)
				}
			})
		}
	})
}

func TestContentSamplingArrays(t *testing.T) {
	for _, tt := range []struct {
		name    string
		content string
		want    Content
		raw     bool   // RawContent keeps the content
		blocks  int    // len(Blocks)
		out     string // the content encoded again
	}{
		{"one block", `{"type":"text","text":"a"}`, &TextContent{Text: "a"}, false, 1, ""},
		{"array", `[{"type":"image","data":"AQ==","mimeType":"image/png"},{"type":"text","text":"a"}]`, &ImageContent{Data: []byte{1}, MimeType: "image/png"}, true, 2, ""},
		{"array of one", `[{"type":"text","text":"a"}]`, &TextContent{Text: "a"}, true, 1, `{"type":"text","text":"a"}`},
		{"tool use first", `[{"type":"tool_use","id":"1","name":"t","input":{"data":7}},{"type":"audio","data":"","mimeType":"audio/wav"}]`, &AudioContent{Data: []byte{}, MimeType: "audio/wav"}, true, 2, ""},
		{"tool result only", `{"type":"tool_result","toolUseId":"1","content":[{"type":"text","text":"r"}]}`, nil, true, 1, `[{"type":"tool_result","toolUseId":"1","content":[{"type":"text","text":"r"}]}]`},
		{"empty array", `[]`, nil, true, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := `{"role":"assistant","content":` + tt.content + `,"model":"m"}`
			var r CreateMessageResult
			require.NoError(t, json.Unmarshal([]byte(data), &r))
			assert.Equal(t, tt.want, r.Content)
			if tt.raw {
				assert.Equal(t, tt.content, string(r.RawContent))
			} else {
				assert.Nil(t, r.RawContent)
			}
			assert.Len(t, r.Blocks, tt.blocks)
			var m SamplingMessage
			require.NoError(t, json.Unmarshal([]byte(data), &m))
			assert.Equal(t, tt.want, m.Content)
			assert.Equal(t, r.RawContent, m.RawContent)
			assert.Equal(t, r.Blocks, m.Blocks)

			// Encoding writes Blocks: the content again (a text, image or audio block alone).
			out, err := json.Marshal(m)
			require.NoError(t, err)
			want := tt.out
			if want == "" {
				want = tt.content
			}
			assert.JSONEq(t, `{"role":"assistant","content":`+want+`}`, string(out))
		})
	}

	for _, data := range []string{
		`{"role":"user"}`,
		`{"role":"user","content":null}`,
		`{"role":"user","content":{"text":"no type"}}`,
		`{"role":"user","content":[{"type":"text","text":"a"},{"type":"resource"}]}`,
		`{"role":"user","content":[1]}`,
	} {
		var m SamplingMessage
		assert.Error(t, json.Unmarshal([]byte(data), &m), data)
	}
	_, err := json.Marshal(SamplingMessage{Role: RoleUser})
	assert.ErrorIs(t, err, errSpecNoSamplingContent)
	_, err = json.Marshal(CreateMessageResult{Role: RoleUser, RawContent: json.RawMessage(`{`)})
	assert.Error(t, err)
}

// FuzzContentRoundTrip checks that whatever UnmarshalContent accepts encodes to JSON that decodes to a
// block encoding the same way.
func FuzzContentRoundTrip(f *testing.F) {
	for _, c := range specContentSamples() {
		data, err := json.Marshal(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"type":"video"}`))
	f.Add([]byte(`{"type":"resource","resource":{"uri":"u","text":"t","blob":""}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := UnmarshalContent(data)
		if err != nil {
			return
		}
		first, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("%s: decoded, then failed to encode: %v", data, err)
		}
		c2, err := UnmarshalContent(first)
		if err != nil {
			t.Fatalf("%s: encoded as %s, which fails to decode: %v", data, first, err)
		}
		second, err := json.Marshal(c2)
		if err != nil {
			t.Fatal(err)
		}
		if string(first) != string(second) {
			t.Fatalf("%s: encodes as %s, then as %s", data, first, second)
		}
	})
}

// TestSamplingUsesTools: what makes a sampling request need the client's sampling.tools.
func TestSamplingUsesTools(t *testing.T) {
	text := SamplingMessage{Role: RoleUser, Content: &TextContent{Text: "q"}}
	for _, tt := range []struct {
		name string
		p    CreateMessageParams
		want bool
	}{
		{"plain", CreateMessageParams{Messages: []SamplingMessage{text}}, false},
		{"text blocks", CreateMessageParams{Messages: []SamplingMessage{{Role: RoleUser, Blocks: []SamplingContent{&TextContent{Text: "a"}, &TextContent{Text: "b"}}}}}, false},
		{"tools", CreateMessageParams{Messages: []SamplingMessage{text}, Tools: []*Tool{{Name: "t"}}}, true},
		{"tool choice", CreateMessageParams{Messages: []SamplingMessage{text}, ToolChoice: &ToolChoice{Mode: "none"}}, true},
		{"tool result block", CreateMessageParams{Messages: []SamplingMessage{{Role: RoleUser, Blocks: []SamplingContent{&ToolResultContent{ToolUseID: "1"}}}}}, true},
		{"raw tool use", CreateMessageParams{Messages: []SamplingMessage{{Role: RoleAssistant, RawContent: json.RawMessage(`[{"type":"tool_use","id":"1","name":"t","input":{}}]`)}}}, true},
	} {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, tt.p.usesTools()) })
	}
}
