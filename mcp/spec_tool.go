package mcp

import (
	"errors"

	json "github.com/goccy/go-json"
)

// Tool is a tool definition (schema/2025-11-25/schema.ts: Tool). The execution field of 2025-11-25
// (task support, experimental) is not modeled.
type Tool struct {
	// Name identifies the tool in tools/call. MCP 2025-11-25, Server § Tools, Tool Names: 1 to 128
	// characters of A-Z a-z 0-9 _ - . , unique within the server.
	Name string `json:"name"`
	// Title is the display name. Since 2025-06-18. Clients show Title, else Annotations.Title, else Name.
	Title string `json:"title,omitempty"`
	// Description tells the model what the tool does.
	Description string `json:"description,omitempty"`
	// InputSchema is the JSON Schema of the arguments, an object schema ("type": "object"), written byte
	// for byte when it fits on one line, compacted when it spans lines; nil is written as
	// {"type":"object"}, a tool without arguments.
	InputSchema json.RawMessage `json:"inputSchema"`
	// OutputSchema is the JSON Schema of CallToolResult.StructuredContent, an object schema; optional.
	// Since 2025-06-18.
	OutputSchema json.RawMessage `json:"outputSchema,omitempty"`
	// Annotations are hints about the tool's behavior. Since 2025-03-26.
	Annotations *ToolAnnotations `json:"annotations,omitempty"`
	// Icons: since 2025-11-25.
	Icons []Icon `json:"icons,omitempty"`
	// Meta: since 2025-06-18.
	Meta Meta `json:"_meta,omitempty"`
	// TaskSupport says whether the tool's calls may run as tasks (the tasks extension; see
	// [Request.RunTask]). It is the server's own: never sent, since the extension lets the
	// server decide per call (SEP-2663: "No per-tool warmup or per-request flag").
	TaskSupport TaskSupport `json:"-"`
	// Scopes are the OAuth scopes a call needs, checked before the handler runs when the
	// transport authenticates requests (see [AuthInfo]). They are the server's own: never
	// sent.
	Scopes []string `json:"-"`
}

// specEmptyInputSchema is written for a nil Tool.InputSchema.
const specEmptyInputSchema = `{"type":"object"}`

// errSpecNilTool is returned when a list of tools holds a nil tool.
var errSpecNilTool = errors.New("mcp: nil tool in list")

// MarshalJSON writes the tool; see the fields for what is left out when empty.
func (t Tool) MarshalJSON() ([]byte, error) {
	return specMarshaled(t.appendJSON(make([]byte, 0, t.sizeHint())))
}

func (t *Tool) sizeHint() int {
	return 128 + len(t.Name) + len(t.Title) + len(t.Description) + len(t.InputSchema) + len(t.OutputSchema)
}

func (t *Tool) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"name":`...)
	b = specAppendString(b, t.Name)
	b = specAppendStringField(b, "title", t.Title)
	b = specAppendStringField(b, "description", t.Description)
	b = specAppendKey(b, "inputSchema")
	var err error
	if len(t.InputSchema) == 0 {
		b = append(b, specEmptyInputSchema...)
	} else if b, err = specAppendRaw(b, t.InputSchema); err != nil {
		return b, err
	}
	if len(t.OutputSchema) > 0 {
		if b, err = specAppendRaw(specAppendKey(b, "outputSchema"), t.OutputSchema); err != nil {
			return b, err
		}
	}
	if t.Annotations != nil {
		b = t.Annotations.appendJSON(specAppendKey(b, "annotations"))
	}
	if len(t.Icons) > 0 {
		if b, err = specAppendValue(specAppendKey(b, "icons"), t.Icons); err != nil {
			return b, err
		}
	}
	return specAppendTail(b, nil, t.Meta)
}

// downgrade returns t as a client of version knows it: without Icons before 2025-11-25; without Title,
// OutputSchema and Meta before 2025-06-18, but for a client of 2025-03-26 a Title moves to
// Annotations.Title if that is empty (the display name a client shows after Title); without Annotations
// before 2025-03-26. It returns t itself when nothing is left out, and never modifies t.
func (t *Tool) downgrade(version string) *Tool {
	if t == nil || !specBefore(version, Version20251125) {
		return t
	}
	before0618, before0326 := specBefore(version, Version20250618), specBefore(version, Version20250326)
	if t.Icons == nil &&
		(!before0618 || t.Title == "" && t.OutputSchema == nil && t.Meta == nil) &&
		(!before0326 || t.Annotations == nil) {
		return t
	}
	c := *t
	c.Icons = nil
	if before0618 {
		if t.Title != "" && !before0326 && (t.Annotations == nil || t.Annotations.Title == "") {
			a := ToolAnnotations{}
			if t.Annotations != nil {
				a = *t.Annotations
			}
			a.Title = t.Title
			c.Annotations = &a
		}
		c.Title, c.OutputSchema, c.Meta = "", nil, nil
	}
	if before0326 {
		c.Annotations = nil
	}
	return &c
}

// ToolAnnotations are hints about a tool's behavior (schema/2025-11-25/schema.ts: ToolAnnotations). Since
// 2025-03-26. They are hints only: a client must not trust them from an untrusted server. A nil field is
// left out, and the client assumes its default.
type ToolAnnotations struct {
	// Title is a display name.
	Title string `json:"title,omitempty"`
	// ReadOnlyHint: the tool does not modify its environment. Default false.
	ReadOnlyHint *bool `json:"readOnlyHint,omitempty"`
	// DestructiveHint: the tool may destroy, not only add (meaningful when not read-only). Default true.
	DestructiveHint *bool `json:"destructiveHint,omitempty"`
	// IdempotentHint: repeating a call with the same arguments has no further effect (meaningful when not
	// read-only). Default false.
	IdempotentHint *bool `json:"idempotentHint,omitempty"`
	// OpenWorldHint: the tool interacts with an open world of external entities. Default true.
	OpenWorldHint *bool `json:"openWorldHint,omitempty"`
}

func (a *ToolAnnotations) appendJSON(b []byte) []byte {
	start := len(b)
	b = specAppendStringField(b, "title", a.Title)
	for _, f := range [...]struct {
		key string
		v   *bool
	}{
		{"readOnlyHint", a.ReadOnlyHint},
		{"destructiveHint", a.DestructiveHint},
		{"idempotentHint", a.IdempotentHint},
		{"openWorldHint", a.OpenWorldHint},
	} {
		if f.v != nil {
			b = specAppendBool(specAppendKey(b, f.key), *f.v)
		}
	}
	if len(b) == start {
		return append(b, '{', '}')
	}
	b[start] = '{' // the comma before the first member
	return append(b, '}')
}

// CallToolParams are the params of tools/call (schema/2025-11-25/schema.ts: CallToolRequestParams). The
// task field of 2025-11-25 (experimental) is not kept.
type CallToolParams struct {
	Name string `json:"name"`
	// Arguments are the arguments as sent, an object, or nil if absent.
	Arguments json.RawMessage `json:"arguments,omitempty"`
	Meta      Meta            `json:"_meta,omitempty"`
}

// CallToolResult is the result of tools/call (schema/2025-11-25/schema.ts: CallToolResult).
//
// A tool that fails reports it here with IsError set, not as a JSON-RPC error, so that the model sees the
// failure and can correct itself (MCP 2025-11-25, Server § Tools, Error Handling).
type CallToolResult struct {
	// Content is the unstructured result; always written, as [] when empty.
	Content []Content `json:"content"`
	// StructuredContent is the structured result, a JSON object conforming to the tool's OutputSchema,
	// written byte for byte; optional. Since 2025-06-18. A tool that returns it should also return its
	// JSON as a text block for older clients.
	StructuredContent json.RawMessage `json:"structuredContent,omitempty"`
	// IsError is whether the call failed; false is left out.
	IsError bool `json:"isError,omitempty"`
	Meta    Meta `json:"_meta,omitempty"`
}

// MarshalJSON writes the result, with content as an array even when empty.
func (r CallToolResult) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 32+specContentsSize(r.Content)+len(r.StructuredContent))
	b = append(b, `{"content":`...)
	b, err := specAppendContents(b, r.Content)
	if err != nil {
		return nil, err
	}
	if len(r.StructuredContent) > 0 {
		if b, err = specAppendRaw(specAppendKey(b, "structuredContent"), r.StructuredContent); err != nil {
			return nil, err
		}
	}
	if r.IsError {
		b = append(b, `,"isError":true`...)
	}
	return specMarshaled(specAppendTail(b, nil, r.Meta))
}

// specCallToolResultWire is CallToolResult as decoded.
type specCallToolResultWire struct {
	Content           []json.RawMessage `json:"content"`
	StructuredContent json.RawMessage   `json:"structuredContent"`
	IsError           bool              `json:"isError"`
	Meta              Meta              `json:"_meta"`
}

// UnmarshalJSON decodes the result, each content block as [UnmarshalContent] does.
func (r *CallToolResult) UnmarshalJSON(data []byte) error {
	var w specCallToolResultWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	content, err := specDecodeContents(w.Content)
	if err != nil {
		return err
	}
	*r = CallToolResult{Content: content, StructuredContent: w.StructuredContent, IsError: w.IsError, Meta: w.Meta}
	return nil
}

// downgrade returns r as a client of version knows it: its content blocks downgraded (see each block
// type's downgrade), and without StructuredContent before 2025-06-18; a result that had structured content
// and no content blocks then gets one text block holding the structured content's JSON. It returns r itself
// when nothing is left out, and never modifies r.
func (r *CallToolResult) downgrade(version string) *CallToolResult {
	if r == nil || !specBefore(version, LatestVersion) {
		return r
	}
	content, changed := specDowngradeContents(version, r.Content)
	dropStructured := r.StructuredContent != nil && specBefore(version, Version20250618)
	if !changed && !dropStructured {
		return r
	}
	c := *r
	c.Content = content
	if dropStructured {
		c.StructuredContent = nil
		if len(c.Content) == 0 {
			c.Content = []Content{&TextContent{Text: string(r.StructuredContent)}}
		}
	}
	return &c
}

// ListToolsResult is the result of tools/list (schema/2025-11-25/schema.ts: ListToolsResult).
type ListToolsResult struct {
	// Tools is always written, as [] when empty; it must not hold nil.
	Tools []*Tool `json:"tools"`
	// NextCursor is the cursor of the next page; empty on the last page.
	NextCursor string `json:"nextCursor,omitempty"`
	Meta       Meta   `json:"_meta,omitempty"`
}

// MarshalJSON writes the result, with tools as an array even when empty.
func (r ListToolsResult) MarshalJSON() ([]byte, error) {
	n := 64
	for _, t := range r.Tools {
		if t != nil {
			n += t.sizeHint()
		}
	}
	b := make([]byte, 0, n)
	b = append(b, `{"tools":[`...)
	for i, t := range r.Tools {
		if i > 0 {
			b = append(b, ',')
		}
		if t == nil {
			return nil, errSpecNilTool
		}
		var err error
		if b, err = t.appendJSON(b); err != nil {
			return nil, err
		}
	}
	b = append(b, ']')
	b = specAppendStringField(b, "nextCursor", r.NextCursor)
	return specMarshaled(specAppendTail(b, nil, r.Meta))
}

// downgrade returns r with each tool downgraded (see [Tool]). It returns r itself when nothing is left
// out, and never modifies r or its tools.
func (r *ListToolsResult) downgrade(version string) *ListToolsResult {
	if r == nil || !specBefore(version, LatestVersion) {
		return r
	}
	tools, changed := specDowngradeList(version, r.Tools, (*Tool).downgrade)
	if !changed {
		return r
	}
	c := *r
	c.Tools = tools
	return &c
}

// specDowngradeList returns in with f applied to each element: a new slice if any element changed
// (changed is then true), in itself otherwise.
func specDowngradeList[T comparable](version string, in []T, f func(T, string) T) (out []T, changed bool) {
	for i, v := range in {
		d := f(v, version)
		if d == v && out == nil {
			continue
		}
		if out == nil {
			out = make([]T, len(in))
			copy(out, in[:i])
		}
		out[i] = d
	}
	if out == nil {
		return in, false
	}
	return out, true
}
