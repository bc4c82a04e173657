package mcp

import (
	"errors"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"

	"github.com/minimcp/minimcp/rpc"
)

// MCP-specific JSON-RPC error codes. The standard codes are in package rpc.
const (
	// CodeResourceNotFound is returned by resources/read for an unknown URI
	// (MCP 2025-11-25, Server § Resources, Error Handling: "Resource not found: -32002").
	CodeResourceNotFound int64 = -32002
	// CodeURLElicitationRequired tells the client a URL-mode elicitation must complete first
	// (schema/2025-11-25/schema.ts: URL_ELICITATION_REQUIRED).
	CodeURLElicitationRequired int64 = -32042

	// CodeHeaderMismatch refuses a request whose HTTP headers are missing or do not match its
	// body (MCP 2026-07-28, Transports § Streamable HTTP, Server Validation; schema:
	// HEADER_MISMATCH).
	CodeHeaderMismatch int64 = -32020
	// CodeMissingRequiredClientCapability refuses a request that needs a capability the client
	// did not declare in its _meta (schema/2026-07-28: MISSING_REQUIRED_CLIENT_CAPABILITY).
	CodeMissingRequiredClientCapability int64 = -32021
	// CodeUnsupportedProtocolVersion refuses a request naming a protocol version the server
	// does not serve per request (MCP 2026-07-28, Basic § Versioning, Protocol Version
	// Negotiation; schema: UNSUPPORTED_PROTOCOL_VERSION).
	CodeUnsupportedProtocolVersion int64 = -32022
)

// UnsupportedProtocolVersion returns the -32022 error for a request that named requested,
// listing in data the versions the server supports (schema/2026-07-28:
// UnsupportedProtocolVersionError, data.supported and data.requested).
func UnsupportedProtocolVersion(requested string) *rpc.Error {
	return unsupportedVersion(requested, AllVersions())
}

// unsupportedVersion returns the -32022 error for requested, listing supported.
func unsupportedVersion(requested string, supported []string) *rpc.Error {
	return rpc.NewError(CodeUnsupportedProtocolVersion, "Unsupported protocol version: "+requested).
		WithData(struct {
			Supported []string `json:"supported"`
			Requested string   `json:"requested"`
		}{supported, requested})
}

// ResourceNotFound returns the -32002 error for uri, with the URI in data as the spec's
// example does ({"uri": "..."}).
func ResourceNotFound(uri string) *rpc.Error {
	return rpc.NewError(CodeResourceNotFound, "Resource not found: "+uri).WithData(map[string]string{"uri": uri})
}

// UnknownTool returns the -32602 error for a tools/call naming no registered tool
// (MCP 2025-11-25, Server § Tools, Error Handling: "Unknown tools" are protocol errors).
func UnknownTool(name string) *rpc.Error {
	return rpc.InvalidParams("unknown tool %q", name)
}

// UnknownPrompt returns the -32602 error for a prompts/get naming no registered prompt
// (MCP 2025-11-25, Server § Prompts, Error Handling: "Invalid prompt name: -32602").
func UnknownPrompt(name string) *rpc.Error {
	return rpc.InvalidParams("unknown prompt %q", name)
}

// Errors returned to handlers by the methods of [Request].
var (
	// ErrNoSession is returned when a server-to-client request is made on a transport that
	// cannot route the client's reply back (stateless HTTP: any replica may get the reply).
	ErrNoSession = errors.New("mcp: this transport cannot carry server-to-client requests: it has no session to route the client's reply (stateless HTTP); use a stateful session")
	// ErrNoBackchannel is returned when the transport has no stream to the client for this
	// request (for example HTTP responses forced to plain JSON).
	ErrNoBackchannel = errors.New("mcp: no stream to the client for this request (the response is plain JSON)")
	// ErrRequestDone is returned by Progress, Log and the client requests after the handler
	// has returned: nothing may be sent for a request once its result is out.
	ErrRequestDone = errors.New("mcp: the request has already been answered")
	// ErrStreamNotClosable is returned by [Request.CloseStream] when the request's stream
	// cannot be closed early and resumed: the transport does not offer it (stdio, stateless
	// HTTP, HTTP without polling enabled) or the client's protocol version predates 2025-11-25,
	// whose clients are the first told to poll a closed stream.
	ErrStreamNotClosable = errors.New("mcp: this request's stream cannot be closed and resumed (the transport does not poll, or the client's protocol version predates 2025-11-25)")
	// ErrNotInitialized is returned when a request other than ping arrives before initialize.
	ErrNotInitialized = errors.New("mcp: session not initialized")
)

// CapabilityError reports that the client did not declare the capability a server-to-client
// request needs (MCP 2025-11-25, Client § Sampling/Elicitation/Roots: servers send these only
// to clients that declared them).
type CapabilityError struct {
	Capability string // "sampling", "sampling.tools", "elicitation", "elicitation.url", "roots", "extensions"
	// Extension is the extension's identifier when Capability is "extensions".
	Extension string
	Method    string
}

// requiredCapabilities returns the ClientCapabilities object that names e's capability,
// {"sampling":{"tools":{}}} for "sampling.tools".
func (e *CapabilityError) requiredCapabilities() json.RawMessage {
	if e.Extension != "" {
		// An extension's identifier has dots of its own: {"extensions":{"<id>":{}}}.
		b := append([]byte(`{"extensions":{`), jsontext.AppendString(nil, e.Extension)...)
		return append(b, ":{}}}"...)
	}
	parts := strings.Split(e.Capability, ".")
	var b []byte
	for _, p := range parts {
		b = append(b, '{')
		b = jsontext.AppendString(b, p)
		b = append(b, ':')
	}
	b = append(b, "{}"...)
	for range parts {
		b = append(b, '}')
	}
	return b
}

func (e *CapabilityError) Error() string {
	if e.Extension != "" {
		return "mcp: the client did not declare the extension " + e.Extension + ", which " + e.Method + " needs here"
	}
	return "mcp: the client did not declare the " + e.Capability + " capability, so the server cannot send " + e.Method
}
