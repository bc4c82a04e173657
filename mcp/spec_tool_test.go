package mcp

import (
	"fmt"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpecToolMarshalErrors(t *testing.T) {
	_, err := json.Marshal(&Tool{Name: "t", InputSchema: json.RawMessage(`{"type":`)})
	assert.Error(t, err)
	_, err = json.Marshal(&Tool{Name: "t", OutputSchema: json.RawMessage(`nope`)})
	assert.Error(t, err)
	_, err = json.Marshal(ListToolsResult{Tools: []*Tool{{Name: "a"}, nil}})
	assert.ErrorIs(t, err, errSpecNilTool)
	_, err = json.Marshal(CallToolResult{StructuredContent: json.RawMessage(`{`)})
	assert.Error(t, err)
}

func TestSpecToolInputSchemaKept(t *testing.T) {
	// Schemas and arguments are raw: bytes a client sent, or a registry made, go out unchanged (modulo the
	// whitespace goccy compacts when it encodes a whole result).
	schema := json.RawMessage(`{"type":"object","properties":{"n":{"type":"number","default":1.50}}}`)
	data, err := (Tool{Name: "t", InputSchema: schema}).MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, `{"name":"t","inputSchema":`+string(schema)+`}`, string(data))

	var tool Tool
	require.NoError(t, json.Unmarshal(data, &tool))
	assert.Equal(t, string(schema), string(tool.InputSchema))
}

func TestSpecCallToolResultDecode(t *testing.T) {
	var r CallToolResult
	require.NoError(t, json.Unmarshal([]byte(`{"content":[{"type":"text","text":"a"}],"structuredContent":{"a": 1},"isError":true,"_meta":{"k":2}}`), &r))
	assert.Equal(t, CallToolResult{
		Content:           []Content{&TextContent{Text: "a"}},
		StructuredContent: json.RawMessage(`{"a": 1}`),
		IsError:           true,
		Meta:              Meta{"k": json.Number("2")},
	}, r)

	require.NoError(t, json.Unmarshal([]byte(`{}`), &r))
	assert.Equal(t, CallToolResult{}, r, "decoding resets the result")
}

// specBenchTools returns n tools like a typical server lists: a schema with a few properties, a
// description, read-only annotations.
func specBenchTools(n int) []*Tool {
	tools := make([]*Tool, n)
	for i := range tools {
		tools[i] = &Tool{
			Name:        fmt.Sprintf("tool_%d", i),
			Description: "Looks up the current weather for a city and returns temperature, wind and humidity.",
			InputSchema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string","description":"City name"},"units":{"type":"string","enum":["metric","imperial"]},"days":{"type":"integer","minimum":1,"maximum":7}},"required":["city"]}`),
			Annotations: &ToolAnnotations{ReadOnlyHint: specPtr(true), OpenWorldHint: specPtr(true)},
		}
	}
	return tools
}

func BenchmarkSpecCallToolResult(b *testing.B) {
	r := &CallToolResult{Content: []Content{&TextContent{Text: strings.Repeat("Sunny, 21°C, wind 3 m/s from the west. ", 6)}}}
	b.Run("MarshalJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSpecListToolsResult(b *testing.B) {
	r := &ListToolsResult{Tools: specBenchTools(10)}
	b.Run("MarshalJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, version := range []string{Version20251125, Version20241105} {
		b.Run("downgrade/"+version, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = downgradeResult(version, r)
			}
		})
	}
}
