package mcp

/*
Downgrading: one set of definitions, four revisions of the wire.

A server keeps one copy of its tools, resources and prompts, shared by every session, and each session
speaks the revision it negotiated. Fields a revision does not know are left out when talking to a client of
that revision: what is sent to a client of revision v is result.downgrade(v), computed per message.

Rules:
  - downgrade never modifies its receiver, nor anything the receiver points to. It returns the receiver
    itself when nothing is left out (always for LatestVersion, and for an empty version), and otherwise a
    shallow copy in which only what changed is new: a list result whose third tool lost its icons is a new
    result with a new slice, in which the other tools are the shared ones.
  - A field is dropped (set to its zero value, which omitempty leaves out) for a revision older than the one
    that added it. Revision names compare as strings (see specBefore).
  - A content block a revision does not know becomes a text block that the revision knows, so that the
    model still learns that something was there: a resource_link (2025-06-18) becomes its name and URI, an
    audio block (2025-03-26) becomes "[audio content omitted: <MIME type>]".
  - A result of tools/call that loses its structuredContent (2025-06-18) and has no content blocks gets one
    text block holding the structured content's JSON, as the spec asks tools to do for older clients
    (MCP 2025-06-18, Server § Tools, Structured Content).
  - What cannot be downgraded is sent as it is, and must not be sent at all: elicitation to a client older
    than 2025-06-18, URL elicitation to one older than 2025-11-25. The server checks capabilities first.

By revision, what a client of that revision does not get:

	older than 2025-11-25: icons (Implementation, Tool, Resource, ResourceTemplate, Prompt, ResourceLink);
	                       Implementation.description and websiteUrl; _meta of sampling messages;
	                       elicitation mode "form"
	older than 2025-06-18: title (Implementation, Tool, Resource, ResourceTemplate, Prompt, PromptArgument;
	                       a tool's title becomes its annotations.title for 2025-03-26 if that is empty);
	                       Tool.outputSchema; CallToolResult.structuredContent; Annotations.lastModified;
	                       _meta of Tool, Resource, ResourceTemplate, Prompt, content blocks and resource
	                       contents; resource_link blocks (become text)
	older than 2025-03-26: Tool.annotations; ServerCapabilities.completions; progress message; audio
	                       blocks (become text)
*/

// downgradeResult returns result as a client that negotiated version knows it, for every outgoing result
// and params type whose shape changed across revisions: the results of initialize, tools/list, tools/call,
// resources/list, resources/templates/list, resources/read, prompts/list and prompts/get, the params of
// notifications/progress, sampling/createMessage and elicitation/create. Pointers and values are both
// accepted, and the result has the same form. Any other value, and any value for the latest revision, is
// returned unchanged. It never modifies result.
func downgradeResult(version string, result any) any {
	if !specBefore(version, LatestVersion) {
		return result
	}
	switch r := result.(type) {
	case *InitializeResult:
		return r.downgrade(version)
	case InitializeResult:
		return *r.downgrade(version)
	case *ListToolsResult:
		return r.downgrade(version)
	case ListToolsResult:
		return *r.downgrade(version)
	case *CallToolResult:
		return r.downgrade(version)
	case CallToolResult:
		return *r.downgrade(version)
	case *ListResourcesResult:
		return r.downgrade(version)
	case ListResourcesResult:
		return *r.downgrade(version)
	case *ListResourceTemplatesResult:
		return r.downgrade(version)
	case ListResourceTemplatesResult:
		return *r.downgrade(version)
	case *ReadResourceResult:
		return r.downgrade(version)
	case ReadResourceResult:
		return *r.downgrade(version)
	case *ListPromptsResult:
		return r.downgrade(version)
	case ListPromptsResult:
		return *r.downgrade(version)
	case *GetPromptResult:
		return r.downgrade(version)
	case GetPromptResult:
		return *r.downgrade(version)
	case *ProgressNotificationParams:
		return r.downgrade(version)
	case ProgressNotificationParams:
		return *r.downgrade(version)
	case *CreateMessageParams:
		return r.downgrade(version)
	case CreateMessageParams:
		return *r.downgrade(version)
	case *ElicitParams:
		return r.downgrade(version)
	case ElicitParams:
		return *r.downgrade(version)
	}
	return result
}
