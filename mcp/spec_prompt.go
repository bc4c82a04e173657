package mcp

import json "github.com/goccy/go-json"

// Prompt is a prompt or prompt template the server offers, as listed by prompts/list
// (schema/2025-11-25/schema.ts: Prompt).
type Prompt struct {
	// Name identifies the prompt in prompts/get; also the display name when Title is empty.
	Name string `json:"name"`
	// Title is the display name. Since 2025-06-18.
	Title string `json:"title,omitempty"`
	// Description says what the prompt provides.
	Description string `json:"description,omitempty"`
	// Arguments are the arguments the prompt's template takes.
	Arguments []PromptArgument `json:"arguments,omitempty"`
	// Icons: since 2025-11-25.
	Icons []Icon `json:"icons,omitempty"`
	// Meta: since 2025-06-18.
	Meta Meta `json:"_meta,omitempty"`
	// Scopes are the OAuth scopes prompts/get needs, checked before the handler runs when
	// the transport authenticates requests (see [AuthInfo]). Never sent.
	Scopes []string `json:"-"`
}

// downgrade returns p as a client of version knows it: without Icons before 2025-11-25; without Title,
// Meta and the arguments' Title before 2025-06-18. It returns p itself when nothing is left out, and never
// modifies p.
func (p *Prompt) downgrade(version string) *Prompt {
	if p == nil || !specBefore(version, Version20251125) {
		return p
	}
	before0618 := specBefore(version, Version20250618)
	argTitles := false
	if before0618 {
		for _, a := range p.Arguments {
			argTitles = argTitles || a.Title != ""
		}
	}
	if p.Icons == nil && (!before0618 || p.Title == "" && p.Meta == nil && !argTitles) {
		return p
	}
	c := *p
	c.Icons = nil
	if before0618 {
		c.Title, c.Meta = "", nil
	}
	if argTitles {
		c.Arguments = make([]PromptArgument, len(p.Arguments))
		for i, a := range p.Arguments {
			a.Title = ""
			c.Arguments[i] = a
		}
	}
	return &c
}

// PromptArgument is an argument a prompt template takes (schema/2025-11-25/schema.ts: PromptArgument).
type PromptArgument struct {
	Name string `json:"name"`
	// Title is the display name. Since 2025-06-18.
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Required is whether prompts/get must give the argument; false is left out.
	Required bool `json:"required,omitempty"`
}

// GetPromptParams are the params of prompts/get (schema/2025-11-25/schema.ts: GetPromptRequestParams).
type GetPromptParams struct {
	Name string `json:"name"`
	// Arguments fill the template, by argument name.
	Arguments map[string]string `json:"arguments,omitempty"`
	Meta      Meta              `json:"_meta,omitempty"`
}

// GetPromptResult is the result of prompts/get (schema/2025-11-25/schema.ts: GetPromptResult).
type GetPromptResult struct {
	// Description of the prompt; optional.
	Description string `json:"description,omitempty"`
	// Messages is always written, as [] when empty.
	Messages []PromptMessage `json:"messages"`
	Meta     Meta            `json:"_meta,omitempty"`
}

// MarshalJSON writes the result, with messages as an array even when empty.
func (r GetPromptResult) MarshalJSON() ([]byte, error) {
	type wire GetPromptResult
	if r.Messages == nil {
		r.Messages = []PromptMessage{}
	}
	return json.Marshal(wire(r))
}

// downgrade returns r with the content block of each message downgraded (see each block type's
// downgrade). It returns r itself when nothing is left out, and never modifies r.
func (r *GetPromptResult) downgrade(version string) *GetPromptResult {
	if r == nil || !specBefore(version, LatestVersion) {
		return r
	}
	var msgs []PromptMessage
	for i, m := range r.Messages {
		d := specDowngradeContent(m.Content, version)
		if d == m.Content && msgs == nil {
			continue
		}
		if msgs == nil {
			msgs = make([]PromptMessage, len(r.Messages))
			copy(msgs, r.Messages[:i])
		}
		msgs[i] = PromptMessage{Role: m.Role, Content: d}
	}
	if msgs == nil {
		return r
	}
	c := *r
	c.Messages = msgs
	return &c
}

// PromptMessage is a message of a rendered prompt (schema/2025-11-25/schema.ts: PromptMessage). Unlike a
// sampling message, its content may be any content block, embedded resources and resource links too.
type PromptMessage struct {
	Role Role `json:"role"`
	// Content must not be nil.
	Content Content `json:"content"`
}

// specPromptMessageWire is PromptMessage as decoded.
type specPromptMessageWire struct {
	Role    Role            `json:"role"`
	Content json.RawMessage `json:"content"`
}

// UnmarshalJSON decodes the message, its content as [UnmarshalContent] does.
func (m *PromptMessage) UnmarshalJSON(data []byte) error {
	var w specPromptMessageWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	c, err := UnmarshalContent(w.Content)
	if err != nil {
		return err
	}
	*m = PromptMessage{Role: w.Role, Content: c}
	return nil
}

// ListPromptsResult is the result of prompts/list (schema/2025-11-25/schema.ts: ListPromptsResult).
type ListPromptsResult struct {
	// Prompts is always written, as [] when empty.
	Prompts []*Prompt `json:"prompts"`
	// NextCursor is the cursor of the next page; empty on the last page.
	NextCursor string `json:"nextCursor,omitempty"`
	Meta       Meta   `json:"_meta,omitempty"`
}

// MarshalJSON writes the result, with prompts as an array even when empty.
func (r ListPromptsResult) MarshalJSON() ([]byte, error) {
	type wire ListPromptsResult
	if r.Prompts == nil {
		r.Prompts = []*Prompt{}
	}
	return json.Marshal(wire(r))
}

// downgrade returns r with each prompt downgraded (see [Prompt]). It returns r itself when nothing is
// left out, and never modifies r or its prompts.
func (r *ListPromptsResult) downgrade(version string) *ListPromptsResult {
	if r == nil || !specBefore(version, LatestVersion) {
		return r
	}
	list, changed := specDowngradeList(version, r.Prompts, (*Prompt).downgrade)
	if !changed {
		return r
	}
	c := *r
	c.Prompts = list
	return &c
}
