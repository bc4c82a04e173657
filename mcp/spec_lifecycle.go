package mcp

import json "github.com/goccy/go-json"

// Implementation names and describes a client or a server (schema/2025-11-25/schema.ts: Implementation).
type Implementation struct {
	// Name identifies the implementation to programs; also the display name when Title is empty.
	Name string `json:"name"`
	// Title is the display name. Since 2025-06-18.
	Title   string `json:"title,omitempty"`
	Version string `json:"version"`
	// Description says what the implementation does. Since 2025-11-25.
	Description string `json:"description,omitempty"`
	// WebsiteURL is the implementation's website. Since 2025-11-25.
	WebsiteURL string `json:"websiteUrl,omitempty"`
	// Icons a client may show for the implementation. Since 2025-11-25.
	Icons []Icon `json:"icons,omitempty"`
}

// downgrade returns i as a client of version knows it: without Description, WebsiteURL and Icons before
// 2025-11-25, without Title before 2025-06-18. It never modifies i.
func (i Implementation) downgrade(version string) Implementation {
	if specBefore(version, Version20251125) {
		i.Description, i.WebsiteURL, i.Icons = "", "", nil
	}
	if specBefore(version, Version20250618) {
		i.Title = ""
	}
	return i
}

// Icon is an image a client may show for an implementation, tool, resource, resource template or prompt
// (schema/2025-11-25/schema.ts: Icon). Since 2025-11-25.
type Icon struct {
	// Src is an http(s) URL or a data: URI with base64 image data. Clients must support image/png and
	// image/jpeg, and should support image/svg+xml and image/webp.
	Src string `json:"src"`
	// MimeType overrides a missing or generic MIME type of Src.
	MimeType string `json:"mimeType,omitempty"`
	// Sizes lists the sizes the icon suits, each "WxH" (e.g. "48x48") or "any"; empty means any size.
	Sizes []string `json:"sizes,omitempty"`
	// Theme is "light" (for a light background) or "dark"; empty means any.
	Theme string `json:"theme,omitempty"`
}

// ClientCapabilities are what a client declares it supports in initialize
// (schema/2025-11-25/schema.ts: ClientCapabilities). A nil field means the capability is absent. The
// tasks capability of 2025-11-25 (experimental) is not kept.
type ClientCapabilities struct {
	// Experimental holds non-standard capabilities, by name.
	Experimental map[string]any `json:"experimental,omitempty"`
	// Roots is present if the client answers roots/list.
	Roots *RootsCapability `json:"roots,omitempty"`
	// Sampling is present if the client answers sampling/createMessage.
	Sampling *SamplingCapability `json:"sampling,omitempty"`
	// Elicitation is present if the client answers elicitation/create. Since 2025-06-18.
	Elicitation *ElicitationCapability `json:"elicitation,omitempty"`
	// Extensions are the extensions the client supports, by identifier, each with its
	// settings object (schema/2026-07-28: ClientCapabilities.extensions).
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
}

// SupportsElicitationMode reports whether a server may send the client an elicitation/create of mode
// "form" or "url" ("" counts as "form", the default). MCP 2025-11-25, Client § Elicitation, Capabilities:
// "For backwards compatibility, an empty capabilities object is equivalent to declaring support for form
// mode only", which also covers every client of 2025-06-18; "Servers MUST NOT send elicitation requests
// with modes that are not supported by the client." A nil c supports nothing.
func (c *ClientCapabilities) SupportsElicitationMode(mode string) bool {
	if c == nil || c.Elicitation == nil {
		return false
	}
	e := c.Elicitation
	switch mode {
	case "", "form":
		return e.Form != nil || e.URL == nil
	case "url":
		return e.URL != nil
	}
	return false
}

// RootsCapability is the client's roots capability (schema/2025-11-25/schema.ts: ClientCapabilities.roots).
type RootsCapability struct {
	// ListChanged is whether the client sends notifications/roots/list_changed.
	ListChanged bool `json:"listChanged,omitempty"`
}

// SamplingCapability is the client's sampling capability
// (schema/2025-11-25/schema.ts: ClientCapabilities.sampling). An empty one encodes as {}.
type SamplingCapability struct {
	// Context is present if the client honors includeContext other than "none". Since 2025-11-25.
	Context *struct{} `json:"context,omitempty"`
	// Tools is present if the client accepts tools and toolChoice in sampling/createMessage.
	// Since 2025-11-25.
	Tools *struct{} `json:"tools,omitempty"`
}

// ElicitationCapability is the client's elicitation capability
// (schema/2025-11-25/schema.ts: ClientCapabilities.elicitation). Since 2025-06-18, when it was an empty
// object; both fields are nil for such a client, which means form mode only (see
// [ClientCapabilities.SupportsElicitationMode]).
type ElicitationCapability struct {
	// Form is present if the client supports form mode. Since 2025-11-25.
	Form *struct{} `json:"form,omitempty"`
	// URL is present if the client supports URL mode. Since 2025-11-25.
	URL *struct{} `json:"url,omitempty"`
}

// ServerCapabilities are what a server declares it offers in its initialize result
// (schema/2025-11-25/schema.ts: ServerCapabilities). A nil field means the capability is absent; an empty
// capability struct encodes as {}. The tasks capability of 2025-11-25 (experimental) is not modeled.
type ServerCapabilities struct {
	// Experimental holds non-standard capabilities, by name.
	Experimental map[string]any `json:"experimental,omitempty"`
	// Logging is present if the server sends notifications/message and answers logging/setLevel.
	Logging *LoggingCapability `json:"logging,omitempty"`
	// Completions is present if the server answers completion/complete. Since 2025-03-26.
	Completions *CompletionsCapability `json:"completions,omitempty"`
	// Prompts is present if the server offers prompts.
	Prompts *PromptsCapability `json:"prompts,omitempty"`
	// Resources is present if the server offers resources.
	Resources *ResourcesCapability `json:"resources,omitempty"`
	// Tools is present if the server offers tools.
	Tools *ToolsCapability `json:"tools,omitempty"`
	// Extensions are the extensions the server supports, by identifier, each with its
	// settings object (schema/2026-07-28: ServerCapabilities.extensions).
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
}

// downgrade returns c as a client of version knows it: without Completions before 2025-03-26. It never
// modifies c.
func (c ServerCapabilities) downgrade(version string) ServerCapabilities {
	if specBefore(version, Version20250326) {
		c.Completions = nil
	}
	return c
}

// LoggingCapability is the server's logging capability, which has no fields
// (schema/2025-11-25/schema.ts: ServerCapabilities.logging).
type LoggingCapability struct{}

// CompletionsCapability is the server's completions capability, which has no fields
// (schema/2025-11-25/schema.ts: ServerCapabilities.completions). Since 2025-03-26.
type CompletionsCapability struct{}

// PromptsCapability is the server's prompts capability
// (schema/2025-11-25/schema.ts: ServerCapabilities.prompts).
type PromptsCapability struct {
	// ListChanged is whether the server sends notifications/prompts/list_changed.
	ListChanged bool `json:"listChanged,omitempty"`
}

// ResourcesCapability is the server's resources capability
// (schema/2025-11-25/schema.ts: ServerCapabilities.resources).
type ResourcesCapability struct {
	// Subscribe is whether the server answers resources/subscribe.
	Subscribe bool `json:"subscribe,omitempty"`
	// ListChanged is whether the server sends notifications/resources/list_changed.
	ListChanged bool `json:"listChanged,omitempty"`
}

// ToolsCapability is the server's tools capability (schema/2025-11-25/schema.ts: ServerCapabilities.tools).
type ToolsCapability struct {
	// ListChanged is whether the server sends notifications/tools/list_changed.
	ListChanged bool `json:"listChanged,omitempty"`
}

// InitializeParams are the params of initialize (schema/2025-11-25/schema.ts: InitializeRequestParams).
type InitializeParams struct {
	// ProtocolVersion is the latest revision the client supports; it may support older ones too.
	ProtocolVersion string             `json:"protocolVersion"`
	Capabilities    ClientCapabilities `json:"capabilities"`
	ClientInfo      Implementation     `json:"clientInfo"`
	Meta            Meta               `json:"_meta,omitempty"`
}

// InitializeResult is the result of initialize (schema/2025-11-25/schema.ts: InitializeResult).
type InitializeResult struct {
	// ProtocolVersion is the revision the server chose; a client that does not support it disconnects.
	ProtocolVersion string             `json:"protocolVersion"`
	Capabilities    ServerCapabilities `json:"capabilities"`
	ServerInfo      Implementation     `json:"serverInfo"`
	// Instructions tell the client, and perhaps its model, how to use the server; optional.
	Instructions string `json:"instructions,omitempty"`
	Meta         Meta   `json:"_meta,omitempty"`
}

// downgrade returns r as a client of version knows it (see [Implementation] and [ServerCapabilities]). It
// returns r itself for the latest revision and never modifies r.
func (r *InitializeResult) downgrade(version string) *InitializeResult {
	if r == nil || !specBefore(version, LatestVersion) {
		return r
	}
	c := *r
	c.Capabilities = r.Capabilities.downgrade(version)
	c.ServerInfo = r.ServerInfo.downgrade(version)
	return &c
}
