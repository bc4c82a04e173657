package mcp

import json "github.com/goccy/go-json"

// CompleteParams are the params of completion/complete (schema/2025-11-25/schema.ts: CompleteRequestParams).
type CompleteParams struct {
	// Ref is the prompt or resource template whose argument is being completed.
	Ref CompleteReference `json:"ref"`
	// Argument is the argument being completed and what the user typed so far.
	Argument CompleteArgument `json:"argument"`
	// Context holds arguments resolved before; optional. Since 2025-06-18.
	Context *CompleteContext `json:"context,omitempty"`
	Meta    Meta             `json:"_meta,omitempty"`
}

// CompleteReference names what is being completed (schema/2025-11-25/schema.ts: PromptReference |
// ResourceTemplateReference; in 2024-11-05 and 2025-03-26 the latter was ResourceReference).
type CompleteReference struct {
	// Type is "ref/prompt" (Name is set) or "ref/resource" (URI is set).
	Type string `json:"type"`
	// Name is the prompt's name, for "ref/prompt".
	Name string `json:"name,omitempty"`
	// Title is the prompt's display name, for "ref/prompt"; optional. Since 2025-06-18.
	Title string `json:"title,omitempty"`
	// URI is the resource's URI or URI template, for "ref/resource".
	URI string `json:"uri,omitempty"`
}

// CompleteArgument is the argument being completed (schema/2025-11-25/schema.ts:
// CompleteRequestParams.argument).
type CompleteArgument struct {
	Name string `json:"name"`
	// Value is what the user has typed so far.
	Value string `json:"value"`
}

// CompleteContext holds arguments resolved before the one being completed
// (schema/2025-11-25/schema.ts: CompleteRequestParams.context). Since 2025-06-18.
type CompleteContext struct {
	// Arguments are the values already given, by argument name.
	Arguments map[string]string `json:"arguments,omitempty"`
}

// CompleteResult is the result of completion/complete (schema/2025-11-25/schema.ts: CompleteResult).
type CompleteResult struct {
	Completion Completion `json:"completion"`
	Meta       Meta       `json:"_meta,omitempty"`
}

// Completion holds the suggestions for an argument (schema/2025-11-25/schema.ts: CompleteResult.completion).
type Completion struct {
	// Values are the suggestions, at most 100; always written, as [] when empty.
	Values []string `json:"values"`
	// Total is the number of suggestions there are, which may exceed len(Values); nil if unknown.
	Total *int `json:"total,omitempty"`
	// HasMore is whether there are suggestions beyond Values, even if Total is unknown; false is left out.
	HasMore bool `json:"hasMore,omitempty"`
}

// MarshalJSON writes the completion, with values as an array even when empty.
func (c Completion) MarshalJSON() ([]byte, error) {
	type wire Completion
	if c.Values == nil {
		c.Values = []string{}
	}
	return json.Marshal(wire(c))
}
