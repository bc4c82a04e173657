package mcp

import (
	"bytes"

	json "github.com/goccy/go-json"
)

// Sampling with tools (MCP 2025-11-25, Client § Sampling, Tools in Sampling): the blocks a
// sampling message may hold, and how a server offers tools to the client's model.

// SamplingContent is a content block of a sampling message (schema/2025-11-25/schema.ts:
// SamplingMessageContentBlock): [*TextContent], [*ImageContent], [*AudioContent] and, since
// 2025-11-25, [*ToolUseContent] and [*ToolResultContent]. No other type can implement it.
type SamplingContent interface {
	json.Marshaler
	appendJSON(b []byte) ([]byte, error)
	// samplingContent marks the block types a sampling message may hold.
	samplingContent()
}

func (*TextContent) samplingContent()       {}
func (*ImageContent) samplingContent()      {}
func (*AudioContent) samplingContent()      {}
func (*ToolUseContent) samplingContent()    {}
func (*ToolResultContent) samplingContent() {}

// ToolChoice says how the client's model may use the tools of a sampling request
// (schema/2025-11-25/schema.ts: ToolChoice). Since 2025-11-25.
type ToolChoice struct {
	// Mode is "auto" (the model decides; the default, also when empty), "required" (the model
	// must use at least one tool) or "none" (the model must not use tools).
	Mode string `json:"mode,omitempty"`
}

// ToolUseContent is the model's request to call a tool, in a sampling result or in an
// assistant message of the conversation sent back (schema/2025-11-25/schema.ts:
// ToolUseContent). Since 2025-11-25.
type ToolUseContent struct {
	// ID identifies this tool use; the [ToolResultContent] that answers it carries it.
	ID string `json:"id"`
	// Name is the tool's name.
	Name string `json:"name"`
	// Input are the arguments, a JSON object, written byte for byte; nil writes {}.
	Input json.RawMessage `json:"input"`
	// Meta: clients "SHOULD preserve this field when including tool uses in subsequent
	// sampling requests"; send it back as received.
	Meta Meta `json:"_meta,omitempty"`
}

// MarshalJSON writes {"type":"tool_use","id":...,"name":...,"input":{...}}. A nil c writes null.
func (c *ToolUseContent) MarshalJSON() ([]byte, error) {
	if c == nil {
		return []byte("null"), nil
	}
	return specMarshaled(c.appendJSON(make([]byte, 0, 64+len(c.ID)+len(c.Name)+len(c.Input))))
}

func (c *ToolUseContent) appendJSON(b []byte) ([]byte, error) {
	if c == nil {
		return b, errSpecNilContent
	}
	b = append(b, `{"type":"tool_use","id":`...)
	b = specAppendString(b, c.ID)
	b = specAppendString(specAppendKey(b, "name"), c.Name)
	b = specAppendKey(b, "input")
	if len(c.Input) == 0 {
		b = append(b, "{}"...)
	} else {
		var err error
		if b, err = specAppendRaw(b, c.Input); err != nil {
			return b, err
		}
	}
	return specAppendTail(b, nil, c.Meta)
}

// ToolResultContent is the result of a tool use, in the user message that answers an
// assistant's [ToolUseContent] (schema/2025-11-25/schema.ts: ToolResultContent). Since
// 2025-11-25. MCP 2025-11-25, Client § Sampling: a user message holding tool results "MUST
// contain ONLY tool results".
type ToolResultContent struct {
	// ToolUseID is the ID of the [ToolUseContent] answered.
	ToolUseID string `json:"toolUseId"`
	// Content is the result as content blocks, as in [CallToolResult]; always written, as []
	// when empty.
	Content []Content `json:"content"`
	// StructuredContent is an optional JSON object, written byte for byte.
	StructuredContent json.RawMessage `json:"structuredContent,omitempty"`
	// IsError is whether the tool use failed; Content then says why.
	IsError bool `json:"isError,omitempty"`
	Meta    Meta `json:"_meta,omitempty"`
}

// MarshalJSON writes {"type":"tool_result","toolUseId":...,"content":[...]}. A nil c writes null.
func (c *ToolResultContent) MarshalJSON() ([]byte, error) {
	if c == nil {
		return []byte("null"), nil
	}
	return specMarshaled(c.appendJSON(make([]byte, 0, 64+len(c.ToolUseID)+specContentsSize(c.Content)+len(c.StructuredContent))))
}

func (c *ToolResultContent) appendJSON(b []byte) ([]byte, error) {
	if c == nil {
		return b, errSpecNilContent
	}
	b = append(b, `{"type":"tool_result","toolUseId":`...)
	b = specAppendString(b, c.ToolUseID)
	b, err := specAppendContents(specAppendKey(b, "content"), c.Content)
	if err != nil {
		return b, err
	}
	if len(c.StructuredContent) > 0 {
		if b, err = specAppendRaw(specAppendKey(b, "structuredContent"), c.StructuredContent); err != nil {
			return b, err
		}
	}
	if c.IsError {
		b = specAppendBool(specAppendKey(b, "isError"), true)
	}
	return specAppendTail(b, nil, c.Meta)
}

// specToolUseWire and specToolResultWire are the sampling-only blocks as decoded.
type specToolUseWire struct {
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
	Meta  Meta            `json:"_meta"`
}

type specToolResultWire struct {
	ToolUseID         string            `json:"toolUseId"`
	Content           []json.RawMessage `json:"content"`
	StructuredContent json.RawMessage   `json:"structuredContent"`
	IsError           bool              `json:"isError"`
	Meta              Meta              `json:"_meta"`
}

// specDecodeSamplingBlock decodes one block of a sampling message; a nil block and no error
// for a type a sampling message may not hold.
func specDecodeSamplingBlock(raw json.RawMessage, c Content, typ string) (SamplingContent, error) {
	switch typ {
	case "text", "image", "audio":
		return c.(SamplingContent), nil
	case "tool_use":
		var w specToolUseWire
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, err
		}
		return &ToolUseContent{ID: w.ID, Name: w.Name, Input: bytes.Clone(w.Input), Meta: w.Meta}, nil
	case "tool_result":
		var w specToolResultWire
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, err
		}
		blocks, err := specDecodeContents(w.Content)
		if err != nil {
			return nil, err
		}
		return &ToolResultContent{ToolUseID: w.ToolUseID, Content: blocks,
			StructuredContent: bytes.Clone(w.StructuredContent), IsError: w.IsError, Meta: w.Meta}, nil
	}
	return nil, nil
}

// specAppendSamplingBlocks appends blocks as a sampling message's content: one text, image or
// audio block alone, as every revision has it, anything else as an array (since 2025-11-25).
func specAppendSamplingBlocks(b []byte, blocks []SamplingContent) ([]byte, error) {
	if len(blocks) == 1 {
		if c, ok := blocks[0].(Content); ok {
			return c.appendJSON(b)
		}
	}
	return specAppendBlocks(b, blocks)
}

// usesTools reports whether the request needs the client's sampling.tools capability: it
// offers tools, says how to use them, or carries tool uses or results (MCP 2025-11-25, Client §
// Sampling, Tools in Sampling: "Servers MUST NOT send tool-enabled sampling requests to Clients
// that have not declared support for tool use via the sampling.tools capability").
func (p *CreateMessageParams) usesTools() bool {
	if len(p.Tools) > 0 || p.ToolChoice != nil {
		return true
	}
	for _, m := range p.Messages {
		for _, c := range m.Blocks {
			switch c.(type) {
			case *ToolUseContent, *ToolResultContent:
				return true
			}
		}
		if m.Content == nil && len(m.Blocks) == 0 && specRawHasToolBlock(m.RawContent) {
			return true
		}
	}
	return false
}

// specRawHasToolBlock reports whether raw sampling content holds a tool_use or tool_result.
func specRawHasToolBlock(raw json.RawMessage) bool {
	return bytes.Contains(raw, []byte(`"tool_use"`)) || bytes.Contains(raw, []byte(`"tool_result"`))
}
