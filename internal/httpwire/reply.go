package httpwire

import (
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// ExcerptBytes is how much of an error reply's body [ReadError] keeps.
const ExcerptBytes = 200

// MediaType returns the media type of a Content-Type value, lower-cased, without parameters.
func MediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// CloseBody reads a little of what is left of a body, so that a short unread tail does not
// cost the connection, and closes it.
func CloseBody(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10))
	_ = body.Close()
}

// PickResponse finds the response with id among msgs. An error response with a null id (the
// server could not read ours, JSON-RPC 2.0 §5) counts as it when no exact match is present.
func PickResponse(msgs []rpc.Message, id rpc.ID) (json.RawMessage, bool, error) {
	var nullErr *rpc.Error
	for i := range msgs {
		m := &msgs[i]
		if m.Kind != rpc.KindResponse {
			continue
		}
		if m.ID == id {
			if m.Error != nil {
				return nil, true, m.Error
			}
			return m.Result, true, nil
		}
		if m.ID.IsNull() && m.Error != nil && nullErr == nil {
			nullErr = m.Error
		}
	}
	if nullErr != nil {
		return nil, true, nullErr
	}
	return nil, false, nil
}

// ReadError reads a little of an error reply's body and returns what it says in one short
// line, and the JSON-RPC error it holds, nil when it holds none: a server of a per-request
// revision answers 400 with one (MCP 2026-07-28, Transports § Streamable HTTP, Backward
// Compatibility: clients "SHOULD inspect the response body").
func ReadError(resp *http.Response) (string, *rpc.Error) {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	var rpcErr *rpc.Error
	if msgs, _, derr := rpc.Decode(nil, b, rpc.Limits{MaxMessageBytes: 4 << 10}); derr == nil {
		for i := range msgs {
			if msgs[i].Kind == rpc.KindResponse && msgs[i].Error != nil {
				rpcErr = msgs[i].Error
				break
			}
		}
	}
	return Excerpt(resp.StatusCode, b), rpcErr
}

// Excerpt returns what an error reply with status code and body b says, in one short line.
func Excerpt(code int, b []byte) string {
	var rpcErr struct {
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &rpcErr) == nil && rpcErr.Error != nil && rpcErr.Error.Message != "" {
		b = []byte(rpcErr.Error.Message)
	}
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > ExcerptBytes {
		cut := ExcerptBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if s == "" {
		s = http.StatusText(code)
	}
	if s == "" {
		s = "(no body)"
	}
	return s
}

// IsModernCode reports whether code is a JSON-RPC error only a server of a per-request
// revision answers with, which identifies it as modern (MCP 2026-07-28, Transports §
// Streamable HTTP, Backward Compatibility: "If the body contains a recognized modern JSON-RPC
// error, the server speaks a modern version").
func IsModernCode(code int64) bool {
	switch code {
	case mcp.CodeHeaderMismatch, mcp.CodeMissingRequiredClientCapability, mcp.CodeUnsupportedProtocolVersion:
		return true
	}
	return false
}

// SupportedOf returns data.supported of an UnsupportedProtocolVersionError.
func SupportedOf(e *rpc.Error) []string {
	var d struct {
		Supported []string `json:"supported"`
	}
	_ = json.Unmarshal(e.Data, &d)
	return d.Supported
}
