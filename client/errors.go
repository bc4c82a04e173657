package client

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/httpwire"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// Errors returned by the client. A JSON-RPC error from the server is an *rpc.Error (match it
// with errors.As or errors.Is against the rpc and mcp codes); an HTTP answer that is not 2xx
// is an *HTTPStatusError.
var (
	// ErrClosed is returned by every call on a Client after Close, and by calls in flight when
	// the connection ends.
	ErrClosed = errors.New("client: connection closed")
	// ErrMalformedReply is wrapped by the error of a reply that breaks the protocol: a wrong
	// Content-Type, a body that is not JSON-RPC, no response with the request's id, a result
	// that does not decode.
	ErrMalformedReply = errors.New("client: malformed reply")
	// ErrNoCommonVersion is returned by the Connect functions when the server speaks no
	// protocol version this client does, or not the pinned one.
	ErrNoCommonVersion = errors.New("client: the server speaks no protocol version this client does")
	// ErrTooManyRounds is returned by a 2026-07-28 request whose server still asks for input
	// after [Options].MaxInputRounds rounds.
	ErrTooManyRounds = errors.New("client: the server kept asking for input")
	// ErrNoHandler is returned when the server asks for input (sampling, elicitation, roots)
	// the client has no handler for: it declared no such capability, so the server broke the
	// protocol by asking.
	ErrNoHandler = errors.New("client: no handler for what the server asks")
	// ErrNotInEra is returned by a method the connection's protocol version or transport does
	// not have: Subscribe and Unsubscribe at 2026-07-28 (use Listen), Listen in a 2025 session
	// without a GET stream (a stateless server).
	ErrNotInEra = errors.New("client: not available at the connection's protocol version")
	// ErrNoStructuredContent is returned by [Structured] and [CallTool] for a result without
	// structuredContent.
	ErrNoStructuredContent = errors.New("client: the tool result has no structuredContent")
)

// HTTPStatusError reports an HTTP answer whose status is not 2xx.
type HTTPStatusError struct {
	// Code is the HTTP status code.
	Code int
	// Body is a short excerpt of the answer: the message of a JSON-RPC error body (MCP
	// 2025-11-25, Transports § Sending Messages to the Server, 4: the body "MAY comprise a
	// JSON-RPC error response"), else its first line or so of text, else the status text.
	Body string
	// RPC is the JSON-RPC error the body holds, nil when it holds none: a server of a
	// per-request revision answers 400 with one (MCP 2026-07-28, Transports § Streamable
	// HTTP, Backward Compatibility: clients "SHOULD inspect the response body").
	RPC *rpc.Error
}

func (e *HTTPStatusError) Error() string {
	s := "HTTP " + strconv.Itoa(e.Code) + ": " + e.Body
	if e.RPC != nil && e.RPC.Code == mcp.CodeUnsupportedProtocolVersion {
		if v := httpwire.SupportedOf(e.RPC); len(v) > 0 {
			s += " (the server supports " + strings.Join(v, ", ") + ")"
		}
	}
	return s
}

// Unwrap returns the JSON-RPC error of the body, so that errors.As finds an *rpc.Error in
// either place a server puts it.
func (e *HTTPStatusError) Unwrap() error {
	if e.RPC == nil {
		return nil
	}
	return e.RPC
}

// ToolError is returned by [CallTool] for a result with isError set: the tool ran and failed
// (MCP 2025-11-25, Server § Tools, Error Handling). Result is the whole result.
type ToolError struct {
	Result *mcp.CallToolResult
}

func (e *ToolError) Error() string {
	var b strings.Builder
	b.WriteString("client: the tool failed")
	for _, c := range e.Result.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			b.WriteString(": ")
			b.WriteString(t.Text)
			break
		}
	}
	return b.String()
}

// InputRequiredError is returned at 2026-07-28 when the server answers a request with an
// InputRequiredResult asking for input the client has no handler for (MCP 2026-07-28, Basic §
// Multi Round-Trip Requests): a server that follows the spec asks only for what the client
// declared, but one that does not, or a client that declared capabilities through
// Options.Capabilities, ends here. It unwraps to [ErrNoHandler].
type InputRequiredError struct {
	// Method is the request's method.
	Method string
	// Result is the InputRequiredResult as the server sent it.
	Result json.RawMessage
}

func (e *InputRequiredError) Error() string {
	return e.Method + ": the server asks for input this client has no handler for (resultType input_required)"
}

func (e *InputRequiredError) Unwrap() error { return ErrNoHandler }

// newHTTPStatusError builds an *HTTPStatusError from an answer, reading a little of its body.
func newHTTPStatusError(resp *http.Response) *HTTPStatusError {
	body, rpcErr := httpwire.ReadError(resp)
	return &HTTPStatusError{Code: resp.StatusCode, Body: body, RPC: rpcErr}
}

// malformed returns an error wrapping ErrMalformedReply with the reason.
func malformed(reason string) error {
	return &malformedError{reason: reason}
}

type malformedError struct{ reason string }

func (e *malformedError) Error() string { return "malformed reply: " + e.reason }
func (e *malformedError) Unwrap() error { return ErrMalformedReply }

// rpcErrorOf returns the JSON-RPC error err carries: one answered as the result of a request,
// or one in the body of a 4xx.
func rpcErrorOf(err error) *rpc.Error {
	var re *rpc.Error
	if errors.As(err, &re) {
		return re
	}
	var se *HTTPStatusError
	if errors.As(err, &se) {
		return se.RPC
	}
	return nil
}
