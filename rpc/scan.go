package rpc

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects the scanner accepts, so hostile input
// cannot exhaust the stack. encoding/json uses 10000; MCP messages never come close.
const maxDepth = 10000

// syntaxError describes where and why the input is not JSON (RFC 8259).
type syntaxError struct {
	msg    string
	offset int
}

func (e *syntaxError) Error() string {
	return e.msg + " at offset " + strconv.Itoa(e.offset)
}

func errAt(msg string, off int) *syntaxError { return &syntaxError{msg: msg, offset: off} }

// isSpace reports JSON insignificant whitespace (RFC 8259 §2).
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// skipValue validates the JSON value starting at data[i] (no leading whitespace) and returns
// the index just past it.
func skipValue(data []byte, i int, depth int) (int, *syntaxError) {
	if i >= len(data) {
		return i, errAt("unexpected end of input", i)
	}
	switch c := data[i]; {
	case c == '"':
		end, _, err := scanString(data, i)
		return end, err
	case c == '{':
		return skipObject(data, i, depth+1)
	case c == '[':
		return skipArray(data, i, depth+1)
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(data, i)
	case c == 't':
		return scanLiteral(data, i, "true")
	case c == 'f':
		return scanLiteral(data, i, "false")
	case c == 'n':
		return scanLiteral(data, i, "null")
	default:
		return i, errAt("invalid character "+quoteChar(c)+" looking for beginning of value", i)
	}
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

func scanLiteral(data []byte, i int, lit string) (int, *syntaxError) {
	if len(data)-i < len(lit) || string(data[i:i+len(lit)]) != lit {
		return i, errAt("invalid literal, expected "+lit, i)
	}
	return i + len(lit), nil
}

// scanNumber validates a JSON number (RFC 8259 §6) starting at data[i].
func scanNumber(data []byte, i int) (int, *syntaxError) {
	start := i
	if data[i] == '-' {
		i++
	}
	if i >= len(data) {
		return i, errAt("unexpected end of input in number", i)
	}
	switch {
	case data[i] == '0':
		i++
	case data[i] >= '1' && data[i] <= '9':
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	default:
		return i, errAt("invalid number", start)
	}
	if i < len(data) && data[i] == '.' {
		i++
		d := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		if i == d {
			return i, errAt("invalid number: no digits after decimal point", start)
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		d := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		if i == d {
			return i, errAt("invalid number: no digits in exponent", start)
		}
	}
	return i, nil
}

// scanString validates the string starting at data[i] (the opening quote) and returns the
// index past the closing quote and whether the string contains escapes.
func scanString(data []byte, i int) (end int, escaped bool, err *syntaxError) {
	start := i
	i++
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				return i, escaped, errAt("unexpected end of input in string escape", i)
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) {
					return i, escaped, errAt("unexpected end of input in \\u escape", i)
				}
				for _, h := range data[i+2 : i+6] {
					if !isHex(h) {
						return i, escaped, errAt("invalid \\u escape", i)
					}
				}
				i += 6
			default:
				return i, escaped, errAt("invalid escape "+quoteChar(data[i+1])+" in string", i)
			}
		case c < 0x20:
			return i, escaped, errAt("invalid control character in string", i)
		default:
			i++
		}
	}
	return start, escaped, errAt("unexpected end of input in string", len(data))
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func skipObject(data []byte, i int, depth int) (int, *syntaxError) {
	if depth > maxDepth {
		return i, errAt("exceeded maximum nesting depth", i)
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return i, errAt("expected string for object key", i)
		}
		var err *syntaxError
		if i, _, err = scanString(data, i); err != nil {
			return i, err
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ':' {
			return i, errAt("expected ':' after object key", i)
		}
		i = skipSpace(data, i+1)
		if i, err = skipValue(data, i, depth); err != nil {
			return i, err
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return i, errAt("unexpected end of input in object", i)
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, errAt("expected ',' or '}' after object value", i)
		}
	}
}

func skipArray(data []byte, i int, depth int) (int, *syntaxError) {
	if depth > maxDepth {
		return i, errAt("exceeded maximum nesting depth", i)
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, nil
	}
	for {
		var err *syntaxError
		if i, err = skipValue(data, i, depth); err != nil {
			return i, err
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return i, errAt("unexpected end of input in array", i)
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, errAt("expected ',' or ']' after array element", i)
		}
	}
}

// unquote returns the contents of a validated JSON string literal (with its quotes).
// Strings without escapes avoid the decoding loop; invalid UTF-8 and lone surrogates become
// U+FFFD, as encoding/json does.
func unquote(lit []byte, escaped bool) string {
	body := lit[1 : len(lit)-1]
	if !escaped {
		return internString(body)
	}
	b := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		switch body[i+1] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(body[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 <= len(body) && body[i] == '\\' && body[i+1] == 'u' {
					r2 = hex4(body[i+2 : i+6])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					i += 6
					r = dec
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
			continue
		default: // '"', '\\', '/'
			b = append(b, body[i+1])
		}
		i += 2
	}
	return string(b)
}

func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// internString converts b to a string, returning a shared constant for the method names and
// values that arrive on every message so that decoding them does not allocate.
func internString(b []byte) string {
	switch string(b) { // the compiler does not allocate for a switch on string(b)
	case "2.0":
		return "2.0"
	case "tools/call":
		return "tools/call"
	case "tools/list":
		return "tools/list"
	case "initialize":
		return "initialize"
	case "notifications/initialized":
		return "notifications/initialized"
	case "ping":
		return "ping"
	case "resources/read":
		return "resources/read"
	case "resources/list":
		return "resources/list"
	case "prompts/get":
		return "prompts/get"
	case "prompts/list":
		return "prompts/list"
	case "notifications/cancelled":
		return "notifications/cancelled"
	case "notifications/progress":
		return "notifications/progress"
	case "completion/complete":
		return "completion/complete"
	case "logging/setLevel":
		return "logging/setLevel"
	}
	return string(b)
}

// EachMember calls f with the key and raw value of each member of the JSON object obj, in
// order, until f returns false. Keys are unescaped (allocating only when they contain
// escapes); values alias obj. It returns an error if obj is not a valid JSON object.
//
// It lets a handler read a few members of its params without decoding the whole object.
func EachMember(obj []byte, f func(key, value []byte) bool) error {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return &Error{Code: CodeInvalidParams, Message: "Invalid params: expected an object"}
	}
	end, serr := skipValue(obj, i, 0)
	if serr == nil && skipSpace(obj, end) != len(obj) {
		serr = errAt("unexpected data after the object", end)
	}
	if serr != nil {
		return &Error{Code: CodeInvalidParams, Message: "Invalid params: " + serr.Error()}
	}
	i = skipSpace(obj, i+1)
	for obj[i] != '}' {
		kend, kesc, _ := scanString(obj, i)
		key := obj[i+1 : kend-1]
		if kesc {
			key = []byte(unquote(obj[i:kend], true))
		}
		i = skipSpace(obj, kend)
		i = skipSpace(obj, i+1)
		vend, _ := skipValue(obj, i, 0)
		if !f(key, obj[i:vend]) {
			return nil
		}
		i = skipSpace(obj, vend)
		if obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	return nil
}

// Unquote returns the value of the JSON string literal lit (with its quotes). It reports false
// if lit is not a valid string literal.
func Unquote(lit []byte) (string, bool) {
	if len(lit) < 2 || lit[0] != '"' {
		return "", false
	}
	end, esc, err := scanString(lit, 0)
	if err != nil || end != len(lit) {
		return "", false
	}
	return unquote(lit, esc), true
}
