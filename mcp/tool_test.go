package mcp_test

import (
	"context"
	"fmt"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"

	"github.com/minimcp/minimcp/mcp"
)

// TestTypedToolDecodesWhatWasValidated: a typed tool's handler receives exactly the members the
// input schema validated. Names are matched case-sensitively, as JSON Schema matches them, so a
// member that differs from a field's name only in case cannot reach the field past the schema's
// enum or maximum; and an object with the same name twice, whose values a decoder would merge
// into a value the schema never saw, is refused.
func TestTypedToolDecodesWhatWasValidated(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	type addIn struct {
		A int `json:"a"`
		B int `json:"b"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "add"}, func(_ context.Context, _ *mcp.Request, in addIn) (string, error) {
		return fmt.Sprint(in.A + in.B), nil
	})
	type modeIn struct {
		Mode  string `json:"mode" jsonschema:"enum=safe|fast"`
		Count int    `json:"count" jsonschema:"minimum=1,maximum=10"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "mode"}, func(_ context.Context, _ *mcp.Request, in modeIn) (string, error) {
		return fmt.Sprintf("mode=%s count=%d", in.Mode, in.Count), nil
	})
	type inner struct {
		X int `json:"x,omitempty" jsonschema:"maximum=5"`
	}
	type nestedIn struct {
		O inner `json:"o"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "nested"}, func(_ context.Context, _ *mcp.Request, in nestedIn) (string, error) {
		return fmt.Sprintf("x=%d", in.O.X), nil
	})

	call := func(name, args string) string {
		return handleOne(t, s, &mcp.Inbound{}, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"`+name+`","arguments":`+args+`}}`)
	}
	tests := []struct {
		name, tool, args, want string
	}{
		{"case variant after the member", "add", `{"a":1,"b":2,"A":100}`, `"text":"3"`},
		{"case variant before the member", "add", `{"A":100,"a":1,"b":2}`, `"text":"3"`},
		{"case variants past enum and maximum", "mode", `{"mode":"safe","MODE":"evil","count":2,"Count":1000}`, `"text":"mode=safe count=2"`},
		{"case variant in a nested object", "nested", `{"o":{"x":1,"X":1000}}`, `"text":"x=1"`},
		{"case variant instead of a required member", "add", `{"A":1,"b":2}`, `missing required argument \"a\"`},
		{"duplicate names merged past maximum", "nested", `{"o":{"x":1000},"o":{}}`, `invalid arguments for tool nested: jsontext: duplicate object member name \"o\"`},
		{"duplicate names", "add", `{"a":1,"a":2,"b":3}`, `duplicate object member name \"a\"`},
		{"duplicate names in a nested object", "nested", `{"o":{"x":1,"x":2}}`, `duplicate object member name \"x\" within \"/o\"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, call(tt.tool, tt.args), tt.want)
		})
	}
}

// TestStructuredContentMatchesOutputSchema: a result whose structuredContent does not conform to
// the tool's outputSchema, or that has none, is not sent as a success (MCP 2025-11-25, Server §
// Tools, Output Schema: servers MUST provide structured results that conform); it is answered
// as an internal error. Tool errors (isError) carry no structured result and are sent as they
// are.
func TestStructuredContentMatchesOutputSchema(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	outSchema := json.RawMessage(`{"type":"object","properties":{"count":{"type":"integer","maximum":10}},"required":["count"]}`)
	s.AddRawTool(&mcp.Tool{Name: "raw", OutputSchema: outSchema},
		func(_ context.Context, _ *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			var in struct {
				Out   json.RawMessage `json:"out"`
				Error bool            `json:"error"`
			}
			if err := json.Unmarshal(args, &in); err != nil {
				return nil, err
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "x"}}, StructuredContent: in.Out, IsError: in.Error}, nil
		})
	type statusOut struct {
		Status string   `json:"status" jsonschema:"enum=ok|failed"`
		Tags   []string `json:"tags"`
		Meta   map[string]int
	}
	mcp.AddTool(s, &mcp.Tool{Name: "typed"}, func(_ context.Context, _ *mcp.Request, in struct {
		Status string `json:"status"`
	}) (statusOut, error) {
		return statusOut{Status: in.Status}, nil
	})

	type pointerOut struct {
		P *statusOut `json:"p"`
		Q *statusOut `json:"q,omitempty"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "pointer"}, func(context.Context, *mcp.Request, struct{}) (pointerOut, error) {
		return pointerOut{}, nil
	})

	call := func(name, args string) string {
		return handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.LatestVersion}, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"`+name+`","arguments":`+args+`}}`)
	}
	tests := []struct {
		name, tool, args, want string
	}{
		{"conforming", "raw", `{"out":{"count":3}}`, `"structuredContent":{"count":3}}}`},
		{"beyond the maximum", "raw", `{"out":{"count":11}}`,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"tool raw: structuredContent does not match the output schema: /count: must be \u003c= 10 (got 11)"}}`},
		{"missing member", "raw", `{"out":{}}`,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"tool raw: structuredContent does not match the output schema: /count: is required"}}`},
		{"no structured content", "raw", `{}`,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"tool raw: the tool has an output schema but returned no structuredContent"}}`},
		{"tool error without structured content", "raw", `{"error":true}`, `"isError":true`},
		{"tool error with structured content not checked", "raw", `{"error":true,"out":{"count":"x"}}`, `"isError":true`},
		{"typed conforming, nil slice and map as empty", "typed", `{"status":"ok"}`, `"structuredContent":{"status":"ok","tags":[],"Meta":{}}}`},
		{"typed past its enum", "typed", `{"status":"weird"}`,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"tool typed: structuredContent does not match the output schema: /status: must be one of \"ok\", \"failed\" (got \"weird\")"}}`},
		{"typed nil pointer without omitempty", "pointer", `{}`,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"tool pointer: structuredContent does not match the output schema: /p: expected object, got null"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, call(tt.tool, tt.args), tt.want)
		})
	}
}
