package httpwire

import (
	"bytes"
	"encoding/base64"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/mcp"
)

// EncodeParams encodes a request's params: a json.RawMessage is used as is, nil means none.
func EncodeParams(params any) (json.RawMessage, error) {
	switch p := params.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		return p, nil
	}
	return json.Marshal(params)
}

// ToolCallParams returns the params of tools/call: {"name":...,"arguments":...}. Empty args
// are sent as {}.
func ToolCallParams(name string, args json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(args)) == 0 {
		args = json.RawMessage(`{}`)
	}
	b := make([]byte, 0, 32+len(name)+len(args))
	b = append(b, `{"name":`...)
	b = jsontext.AppendString(b, name)
	b = append(b, `,"arguments":`...)
	b = append(b, args...)
	return append(b, '}')
}

// NameOf returns the value the Mcp-Name header mirrors for method, "" when it has none (MCP
// 2026-07-28, Transports § Streamable HTTP, Standard Request Headers: params.name of
// tools/call and prompts/get, params.uri of resources/read).
func NameOf(method string, params json.RawMessage) string {
	var member string
	switch method {
	case mcp.MethodToolsCall, mcp.MethodPromptsGet:
		member = "name"
	case mcp.MethodResourcesRead:
		member = "uri"
	default:
		return ""
	}
	s, _ := jsontext.Unquote(jsontext.ValueAt(params, []string{member}))
	return s
}

// HeaderSafe returns v as a header value: as it is when it is visible ASCII, spaces and tabs
// inside, and in the Base64 sentinel form otherwise (MCP 2026-07-28, Transports § Streamable
// HTTP, Value Encoding: "When a value cannot be safely represented as a plain ASCII header
// value (e.g., it contains non-ASCII characters, control characters, or has leading/trailing
// whitespace), clients MUST use Base64 encoding of the UTF-8 representation").
func HeaderSafe(v string) string {
	safe := v == strings.Trim(v, " \t")
	for i := 0; safe && i < len(v); i++ {
		c := v[i]
		safe = (c >= 0x20 && c <= 0x7e) || c == '\t'
	}
	if safe {
		return v
	}
	return "=?base64?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
}

// VisibleASCII reports whether s is non-empty and all of 0x21-0x7E.
func VisibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7E {
			return false
		}
	}
	return s != ""
}
