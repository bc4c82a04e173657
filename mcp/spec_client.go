package mcp

import (
	"bytes"
	"errors"
	"fmt"

	json "github.com/goccy/go-json"
)

// The requests a server sends to a client: sampling, elicitation and roots.

// CreateMessageParams are the params of sampling/createMessage
// (schema/2025-11-25/schema.ts: CreateMessageRequestParams). The task field of 2025-11-25 is not modeled.
type CreateMessageParams struct {
	// Messages is the conversation to continue; always written, as [] when empty.
	Messages []SamplingMessage `json:"messages"`
	// ModelPreferences are the server's preferences for the model; the client may ignore them.
	ModelPreferences *ModelPreferences `json:"modelPreferences,omitempty"`
	// SystemPrompt is a system prompt the client may change or leave out.
	SystemPrompt string `json:"systemPrompt,omitempty"`
	// IncludeContext is "none" (the default), "thisServer" or "allServers". Since 2025-11-25 the last two
	// are soft-deprecated: send them only to a client that declares sampling.context.
	IncludeContext string   `json:"includeContext,omitempty"`
	Temperature    *float64 `json:"temperature,omitempty"`
	// MaxTokens is the most tokens to sample; required, always written.
	MaxTokens     int      `json:"maxTokens"`
	StopSequences []string `json:"stopSequences,omitempty"`
	// Metadata is passed to the LLM provider; its format is the provider's.
	Metadata map[string]any `json:"metadata,omitempty"`
	// Tools are tools the model may call while sampling; its calls come back as
	// [ToolUseContent] blocks with stopReason "toolUse", and the server answers them with
	// [ToolResultContent] blocks in the next request. Since 2025-11-25, for clients that declare
	// sampling.tools only ([Request.CreateMessage] checks).
	Tools []*Tool `json:"tools,omitempty"`
	// ToolChoice says how the model may use Tools; nil means {"mode":"auto"}. Since 2025-11-25,
	// as Tools.
	ToolChoice *ToolChoice `json:"toolChoice,omitempty"`
	Meta       Meta        `json:"_meta,omitempty"`
}

// MarshalJSON writes the params, with messages as an array even when empty.
func (p CreateMessageParams) MarshalJSON() ([]byte, error) {
	type wire CreateMessageParams
	if p.Messages == nil {
		p.Messages = []SamplingMessage{}
	}
	return json.Marshal(wire(p))
}

// downgrade returns p with each message downgraded: without its Meta before 2025-11-25, and its content
// block downgraded (see each block type's downgrade; RawContent is sent as it is). It returns p itself when
// nothing is left out, and never modifies p.
func (p *CreateMessageParams) downgrade(version string) *CreateMessageParams {
	if p == nil || !specBefore(version, LatestVersion) {
		return p
	}
	var msgs []SamplingMessage
	for i, m := range p.Messages {
		d := m
		d.Content = specDowngradeContent(m.Content, version)
		blocksChanged := false
		for j, c := range m.Blocks {
			cc, ok := c.(Content) // text, image, audio; tool blocks exist only in 2025-11-25
			if !ok {
				continue
			}
			if dc := cc.downgrade(version); dc != cc {
				if !blocksChanged {
					d.Blocks = append([]SamplingContent(nil), m.Blocks...)
					blocksChanged = true
				}
				d.Blocks[j] = dc.(SamplingContent)
			}
		}
		d.Meta = nil
		if d.Content == m.Content && !blocksChanged && m.Meta == nil && msgs == nil {
			continue
		}
		if msgs == nil {
			msgs = make([]SamplingMessage, len(p.Messages))
			copy(msgs, p.Messages[:i])
		}
		msgs[i] = d
	}
	if msgs == nil {
		return p
	}
	c := *p
	c.Messages = msgs
	return &c
}

// ModelPreferences are a server's preferences for the model a client samples
// (schema/2025-11-25/schema.ts: ModelPreferences). All are advisory.
type ModelPreferences struct {
	// Hints name models, in order of preference; the client matches each as a substring of a model name.
	Hints []ModelHint `json:"hints,omitempty"`
	// CostPriority is how much low cost matters, from 0 to 1.
	CostPriority *float64 `json:"costPriority,omitempty"`
	// SpeedPriority is how much low latency matters, from 0 to 1.
	SpeedPriority *float64 `json:"speedPriority,omitempty"`
	// IntelligencePriority is how much capability matters, from 0 to 1.
	IntelligencePriority *float64 `json:"intelligencePriority,omitempty"`
}

// ModelHint names a model, or a family of models, a server would like sampled
// (schema/2025-11-25/schema.ts: ModelHint).
type ModelHint struct {
	// Name is matched as a substring of model names, e.g. "sonnet".
	Name string `json:"name,omitempty"`
}

// SamplingMessage is a message of a sampling conversation (schema/2025-11-25/schema.ts: SamplingMessage).
//
// Since 2025-11-25 the content may be one block or an array of blocks, and the blocks include tool_use
// ([ToolUseContent]) and tool_result ([ToolResultContent]). The content is one of three fields:
//
//   - Blocks, every block: encoding writes it first when it is not empty (one text, image or audio block
//     alone, as every revision has it, anything else as an array); decoding fills it whenever every block is of a sampling
//     type, which is always the case for a client that follows the spec.
//   - Content, for the common message of one text, image or audio block: written when Blocks is empty;
//     decoding sets it to the block, or, for an array, to its first text, image or audio block.
//   - RawContent, the content as received when Content does not hold all of it; written when both
//     others are empty.
type SamplingMessage struct {
	Role Role `json:"role"`
	// Content is a text, image or audio block (2025-11-25 sampling does not allow the others).
	Content Content `json:"-"`
	// Blocks are the content's blocks, in order (see above). Since 2025-11-25 when there are several
	// or one is a tool use or result.
	Blocks []SamplingContent `json:"-"`
	// RawContent is the content as received when Content does not hold all of it (see above).
	RawContent json.RawMessage `json:"-"`
	// Meta: since 2025-11-25.
	Meta Meta `json:"_meta,omitempty"`
}

// MarshalJSON writes the message.
func (m SamplingMessage) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 32+len(m.RawContent))
	b = append(b, `{"role":`...)
	b = specAppendString(b, string(m.Role))
	b, err := specAppendSamplingContent(b, m.Blocks, m.Content, m.RawContent)
	if err != nil {
		return nil, err
	}
	return specMarshaled(specAppendTail(b, nil, m.Meta))
}

// specSamplingMessageWire is SamplingMessage as decoded.
type specSamplingMessageWire struct {
	Role    Role            `json:"role"`
	Content json.RawMessage `json:"content"`
	Meta    Meta            `json:"_meta"`
}

// UnmarshalJSON decodes the message (see [SamplingMessage] for how the content is kept).
func (m *SamplingMessage) UnmarshalJSON(data []byte) error {
	var w specSamplingMessageWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	c, raw, blocks, err := specDecodeSamplingContent(w.Content)
	if err != nil {
		return err
	}
	*m = SamplingMessage{Role: w.Role, Content: c, Blocks: blocks, RawContent: raw, Meta: w.Meta}
	return nil
}

// errSpecNoSamplingContent is returned when a sampling message has no Blocks, Content or RawContent.
var errSpecNoSamplingContent = errors.New("mcp: sampling message has no content")

// specAppendSamplingContent appends `,"content":...`: blocks if there are any, else c if it is not
// nil, else raw.
func specAppendSamplingContent(b []byte, blocks []SamplingContent, c Content, raw json.RawMessage) ([]byte, error) {
	b = specAppendKey(b, "content")
	if len(blocks) > 0 {
		return specAppendSamplingBlocks(b, blocks)
	}
	if c != nil {
		return c.appendJSON(b)
	}
	if len(raw) == 0 {
		return b, errSpecNoSamplingContent
	}
	return specAppendRaw(b, raw)
}

// specDecodeSamplingContent decodes the content of a sampling message: one block or, since 2025-11-25, an
// array of blocks. It returns the block that is a [Content] (for an array, the first such block), the raw
// content if that block does not stand for all of it, and every block if all are of sampling types.
func specDecodeSamplingContent(raw json.RawMessage) (Content, json.RawMessage, []SamplingContent, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil, nil, errors.New("mcp: sampling message has no content")
	}
	if raw[0] != '[' {
		c, typ, err := specDecodeContent(raw)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("mcp: %w", err)
		}
		sc, err := specDecodeSamplingBlock(raw, c, typ)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("mcp: %s block: %w", typ, err)
		}
		var blocks []SamplingContent
		if sc != nil {
			blocks = []SamplingContent{sc}
		}
		if _, ok := sc.(Content); ok {
			return c, nil, blocks, nil
		}
		if c != nil {
			// A resource link or embedded resource, which sampling does not allow: kept as before.
			return c, nil, nil, nil
		}
		return nil, bytes.Clone(raw), blocks, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, nil, nil, err
	}
	var first Content
	blocks := make([]SamplingContent, 0, len(elems))
	for i, elem := range elems {
		c, typ, err := specDecodeContent(elem)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("mcp: content[%d]: %w", i, err)
		}
		if first == nil {
			first = c
		}
		sc, err := specDecodeSamplingBlock(elem, c, typ)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("mcp: content[%d]: %s block: %w", i, typ, err)
		}
		if sc == nil {
			blocks = nil // a block sampling does not allow: RawContent alone keeps it
		} else if blocks != nil {
			blocks = append(blocks, sc)
		}
	}
	return first, bytes.Clone(raw), blocks, nil
}

// CreateMessageResult is the client's answer to sampling/createMessage
// (schema/2025-11-25/schema.ts: CreateMessageResult). Content, Blocks and RawContent are kept as in
// [SamplingMessage]: a 2025-11-25 client whose model used tools answers with stopReason "toolUse" and
// [ToolUseContent] blocks in Blocks.
type CreateMessageResult struct {
	Role Role `json:"role"`
	// Content is the sampled text, image or audio block (see [SamplingMessage]).
	Content Content `json:"-"`
	// Blocks are the content's blocks, in order (see [SamplingMessage]).
	Blocks []SamplingContent `json:"-"`
	// RawContent is the content as received when Content does not hold all of it.
	RawContent json.RawMessage `json:"-"`
	// Model is the name of the model that sampled.
	Model string `json:"model"`
	// StopReason is "endTurn", "stopSequence", "maxTokens", "toolUse" (since 2025-11-25) or the
	// provider's own reason; optional.
	StopReason string `json:"stopReason,omitempty"`
	Meta       Meta   `json:"_meta,omitempty"`
}

// MarshalJSON writes the result.
func (r CreateMessageResult) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64+len(r.Model)+len(r.RawContent))
	b = append(b, `{"role":`...)
	b = specAppendString(b, string(r.Role))
	b, err := specAppendSamplingContent(b, r.Blocks, r.Content, r.RawContent)
	if err != nil {
		return nil, err
	}
	b = specAppendString(specAppendKey(b, "model"), r.Model)
	b = specAppendStringField(b, "stopReason", r.StopReason)
	return specMarshaled(specAppendTail(b, nil, r.Meta))
}

// specCreateMessageResultWire is CreateMessageResult as decoded.
type specCreateMessageResultWire struct {
	Role       Role            `json:"role"`
	Content    json.RawMessage `json:"content"`
	Model      string          `json:"model"`
	StopReason string          `json:"stopReason"`
	Meta       Meta            `json:"_meta"`
}

// UnmarshalJSON decodes the result (see [SamplingMessage] for how the content is kept).
func (r *CreateMessageResult) UnmarshalJSON(data []byte) error {
	var w specCreateMessageResultWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	c, raw, blocks, err := specDecodeSamplingContent(w.Content)
	if err != nil {
		return err
	}
	*r = CreateMessageResult{Role: w.Role, Content: c, Blocks: blocks, RawContent: raw, Model: w.Model, StopReason: w.StopReason, Meta: w.Meta}
	return nil
}

// ElicitParams are the params of elicitation/create (schema/2025-11-25/schema.ts: ElicitRequestFormParams |
// ElicitRequestURLParams). Since 2025-06-18. Send a mode only to a client that supports it
// ([ClientCapabilities.SupportsElicitationMode]).
type ElicitParams struct {
	// Mode is "form" (the default, also when empty) or "url". Since 2025-11-25.
	Mode string `json:"mode,omitempty"`
	// Message tells the user what is asked and why.
	Message string `json:"message"`
	// RequestedSchema is the form, for form mode: a JSON Schema object whose properties are all of
	// primitive types, written byte for byte.
	RequestedSchema json.RawMessage `json:"requestedSchema,omitempty"`
	// URL is where the user goes, for URL mode. Since 2025-11-25.
	URL string `json:"url,omitempty"`
	// ElicitationID identifies the elicitation within the server, for URL mode; see
	// notifications/elicitation/complete. Since 2025-11-25.
	ElicitationID string `json:"elicitationId,omitempty"`
	Meta          Meta   `json:"_meta,omitempty"`
}

// downgrade returns p without Mode "form" before 2025-11-25, which had only that mode and no field for it.
// URL mode cannot be downgraded: p is returned as it is. It never modifies p.
func (p *ElicitParams) downgrade(version string) *ElicitParams {
	if p == nil || p.Mode != "form" || !specBefore(version, Version20251125) {
		return p
	}
	c := *p
	c.Mode = ""
	return &c
}

// ElicitResult is the client's answer to elicitation/create (schema/2025-11-25/schema.ts: ElicitResult).
// Since 2025-06-18.
type ElicitResult struct {
	// Action is "accept" (the user submitted or agreed), "decline" (the user refused) or "cancel" (the user
	// dismissed the request).
	Action string `json:"action"`
	// Content holds the submitted values by property name, for "accept" in form mode: strings, numbers
	// (float64), booleans and, since 2025-11-25, arrays of strings.
	Content map[string]any `json:"content,omitempty"`
	Meta    Meta           `json:"_meta,omitempty"`
}

// ElicitationCompleteParams are the params of notifications/elicitation/complete
// (schema/2025-11-25/schema.ts: ElicitationCompleteNotification.params). Since 2025-11-25.
type ElicitationCompleteParams struct {
	// ElicitationID is the ElicitParams.ElicitationID of the URL elicitation that completed.
	ElicitationID string `json:"elicitationId"`
}

// ListRootsResult is the client's answer to roots/list (schema/2025-11-25/schema.ts: ListRootsResult).
type ListRootsResult struct {
	// Roots is always written, as [] when empty.
	Roots []Root `json:"roots"`
	Meta  Meta   `json:"_meta,omitempty"`
}

// MarshalJSON writes the result, with roots as an array even when empty.
func (r ListRootsResult) MarshalJSON() ([]byte, error) {
	type wire ListRootsResult
	if r.Roots == nil {
		r.Roots = []Root{}
	}
	return json.Marshal(wire(r))
}

// Root is a directory or file a server may work on (schema/2025-11-25/schema.ts: Root).
type Root struct {
	// URI is a file:// URI.
	URI string `json:"uri"`
	// Name is a display name; optional.
	Name string `json:"name,omitempty"`
	// Meta: since 2025-06-18.
	Meta Meta `json:"_meta,omitempty"`
}
