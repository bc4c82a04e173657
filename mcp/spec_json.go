package mcp

import (
	"encoding/base64"
	"errors"
	"strconv"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// Hand-written encoders for the wire types on hot paths (content blocks, tool results, tool lists). They
// append to a caller's buffer and write what goccy/go-json's Marshal writes for the same struct tags: keys
// in the order of the struct, strings escaped as encoding/json escapes them (HTML characters, U+2028 and
// U+2029 too), invalid UTF-8 replaced by U+FFFD. They differ in two ways: a required field is written even
// when it is nil (a nil []byte as "", a nil slice as []), because the schema requires it; and a
// json.RawMessage is checked and written as it is, where goccy compacts it (as goccy also compacts what a
// MarshalJSON returns, json.Marshal of a whole result gives the same bytes either way).

// specHex holds the hexadecimal digits for \u00XX escapes.
const specHex = "0123456789abcdef"

// specSafeASCII[c] is whether the ASCII byte c stands for itself inside a JSON string as encoding/json
// writes it with HTML escaping on.
var specSafeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// specAppendString appends s to b as a JSON string.
func specAppendString(b []byte, s string) []byte {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// Skip eight bytes at once when none may need escaping or start a multi-byte rune. Each term
			// has the high bit of a byte set if that byte is (or, past a borrow, may be): below 0x20; from
			// 0x80; '"' or '&' (0x22 and 0x26 differ by bit 0x04); '<' or '>' (0x3c and 0x3e, by 0x02);
			// backslash.
			p := s[i : i+8]
			w := uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
				uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
			q := w | lo*0x04 ^ lo*0x26
			a := w | lo*0x02 ^ lo*0x3e
			k := w ^ lo*'\\'
			if ((w-lo*0x20)&^w|w|(q-lo)&^q|(a-lo)&^a|(k-lo)&^k)&hi == 0 {
				i += 8
				continue
			}
		}
		// Look at the next eight bytes one by one.
		for end := min(i+8, len(s)); i < end; {
			c := s[i]
			if c < utf8.RuneSelf {
				if specSafeASCII[c] {
					i++
					continue
				}
				b = append(b, s[start:i]...)
				switch c {
				case '"', '\\':
					b = append(b, '\\', c)
				case '\n':
					b = append(b, '\\', 'n')
				case '\r':
					b = append(b, '\\', 'r')
				case '\t':
					b = append(b, '\\', 't')
				case '\b':
					b = append(b, '\\', 'b')
				case '\f':
					b = append(b, '\\', 'f')
				default:
					b = append(b, '\\', 'u', '0', '0', specHex[c>>4], specHex[c&0xf])
				}
				i++
				start = i
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
			case r == '\u2028' || r == '\u2029':
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', specHex[r&0xf])
			default:
				i += size
				continue
			}
			i += size
			start = i
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

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

// specAppendRaw appends raw, which must be one valid JSON value. Empty raw appends null, as
// encoding/json writes a nil json.RawMessage.
func specAppendRaw(b []byte, raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return append(b, "null"...), nil
	}
	if !json.Valid(raw) {
		return b, errSpecInvalidRaw
	}
	return append(b, raw...), nil
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
