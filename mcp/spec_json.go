package mcp

import (
	"github.com/minimcp/minimcp/internal/jsontext"

	"bytes"
	"encoding/base64"
	"errors"
	"strconv"

	json "github.com/goccy/go-json"
)

// Hand-written encoders for the wire types on hot paths (content blocks, tool results, tool lists). They
// append to a caller's buffer and write what goccy/go-json's Marshal writes for the same struct tags: keys
// in the order of the struct, strings escaped as encoding/json escapes them (HTML characters, U+2028 and
// U+2029 too), invalid UTF-8 replaced by U+FFFD. They differ in two ways: a required field is written even
// when it is nil (a nil []byte as "", a nil slice as []), because the schema requires it; and a
// json.RawMessage is checked and written as it is when it fits on one line, where goccy always compacts it
// (as goccy also compacts what a MarshalJSON returns, json.Marshal of a whole result gives the same bytes
// either way). A json.RawMessage that spans lines (a schema read from an indented file) is compacted:
// a message on the stdio transport is one line (MCP 2025-11-25, Transports § stdio: "Messages are
// delimited by newlines, and MUST NOT contain embedded newlines"), whatever its source.

// specAppendString appends s to b as a JSON string (jsontext.AppendString: escaped as
// encoding/json does, HTML-safe).
func specAppendString(b []byte, s string) []byte { return jsontext.AppendString(b, s) }

// specAppendKey appends `,"key":` (key must need no escaping).
func specAppendKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// specAppendStringField appends `,"key":"value"`, or nothing if value is empty (omitempty).
func specAppendStringField(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	return specAppendString(specAppendKey(b, key), value)
}

// specAppendBytes appends data as a base64 JSON string, as encoding/json writes a []byte; nil data
// appends "".
func specAppendBytes(b []byte, data []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, data)
	return append(b, '"')
}

// specAppendBool appends true or false.
func specAppendBool(b []byte, v bool) []byte {
	return strconv.AppendBool(b, v)
}

// errSpecInvalidRaw is returned when a json.RawMessage field does not hold one JSON value.
var errSpecInvalidRaw = errors.New("mcp: raw JSON field is not valid JSON")

// specAppendRaw appends raw, which must be one valid JSON value, compacted if it spans lines.
// Empty raw appends null, as encoding/json writes a nil json.RawMessage.
func specAppendRaw(b []byte, raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return append(b, "null"...), nil
	}
	if !json.Valid(raw) {
		return b, errSpecInvalidRaw
	}
	if hasNewline(raw) {
		return appendCompact(b, raw), nil
	}
	return append(b, raw...), nil
}

// hasNewline reports whether data holds a line break. In valid JSON a raw CR or LF can only be
// whitespace between tokens: inside a string it must be escaped (RFC 8259 §7). It runs on
// every message written, hence IndexByte, which is vectorized.
func hasNewline(data []byte) bool {
	return bytes.IndexByte(data, '\n') >= 0 || bytes.IndexByte(data, '\r') >= 0
}

// appendCompact appends the valid JSON text src to dst without the whitespace between its
// tokens (RFC 8259 §2: insignificant whitespace), so that it fits on one line. Strings are
// copied as they are. src must be valid JSON (json.Valid); appendCompact does not check.
func appendCompact(dst, src []byte) []byte {
	inString, escaped := false, false
	for _, c := range src {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ', c == '\t', c == '\n', c == '\r':
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// specMarshaled is what a MarshalJSON returns for an encoder's result: no bytes with an error.
func specMarshaled(b []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return b, nil
}

// specAppendValue appends v encoded by goccy/go-json: the slow path for rarely set fields.
func specAppendValue(b []byte, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, data...), nil
}

// specAppendMeta appends `,"_meta":{...}` unless m is empty (omitempty).
func specAppendMeta(b []byte, m Meta) ([]byte, error) {
	if len(m) == 0 {
		return b, nil
	}
	return specAppendValue(specAppendKey(b, "_meta"), map[string]any(m))
}
