package jsontext

import "strconv"

// MaxDepth is how deep arrays and objects may nest, as in encoding/json (which rejects the
// 10001st level), so hostile input cannot exhaust the stack.
const MaxDepth = 10000

// SyntaxError says where and why the input is not JSON text.
type SyntaxError struct {
	// Offset is the first byte that cannot be where it is, or len(data) when the input ends
	// too early.
	Offset int
	// TooDeep reports that the array or object at Offset nests deeper than MaxDepth.
	TooDeep bool

	msg string // what was expected, in encoding/json's words
	at  int    // the offset Error reports: the start of the number, literal or escape holding Offset
}

// Error describes the error and the offset of the token at fault: "invalid number: no digits
// after decimal point at offset 7", where 7 is the start of the number.
func (e *SyntaxError) Error() string {
	return e.msg + " at offset " + strconv.Itoa(e.at)
}

// errAt is the error for the byte at offset off.
func errAt(msg string, off int) *SyntaxError { return &SyntaxError{Offset: off, msg: msg, at: off} }

// errIn is the error for the byte at offset off inside the token that starts at token.
func errIn(msg string, token, off int) *SyntaxError {
	return &SyntaxError{Offset: off, msg: msg, at: token}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// quoteChar quotes c for a message, as encoding/json does.
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

// SkipSpace returns the offset of the first byte at or after i that is not insignificant
// whitespace (RFC 8259 §2), or len(data).
func SkipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// CheckEnd reports an error unless only whitespace follows the value that ends at data[end],
// as a JSON text holds exactly one value (RFC 8259 §2).
func CheckEnd(data []byte, end int) *SyntaxError {
	if j := SkipSpace(data, end); j != len(data) {
		return errAt("invalid character "+quoteChar(data[j])+" after top-level value", j)
	}
	return nil
}

// SkipValue checks the value starting at data[i] and returns the offset just past it. depth is
// the number of arrays and objects around it.
func SkipValue(data []byte, i, depth int) (int, *SyntaxError) {
	if i >= len(data) {
		return i, errAt("unexpected end of input", i)
	}
	switch c := data[i]; {
	case c == '"':
		end, _, err := ScanString(data, i)
		return end, err
	case c == '{':
		return SkipObject(data, i, depth+1)
	case c == '[':
		return SkipArray(data, i, depth+1)
	case c == '-' || isDigit(c):
		return ScanNumber(data, i)
	case c == 't' || c == 'f' || c == 'n':
		return ScanLiteral(data, i)
	default:
		return i, errAt("invalid character "+quoteChar(c)+" looking for beginning of value", i)
	}
}

func depthError(i int) *SyntaxError {
	return &SyntaxError{Offset: i, TooDeep: true, msg: "exceeded maximum nesting depth", at: i}
}

// SkipObject checks the object starting at data[i] (its '{'), which is at nesting level
// depth (1 for a top-level object), and returns the offset just past it.
func SkipObject(data []byte, i, depth int) (int, *SyntaxError) {
	if depth > MaxDepth {
		return i, depthError(i)
	}
	i = SkipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return i, errAt("expected string for object key", i)
		}
		var err *SyntaxError
		if i, _, err = ScanString(data, i); err != nil {
			return i, err
		}
		// SkipColon and NextMember, written out: this loop runs for every member of every message.
		if i = SkipSpace(data, i); i >= len(data) || data[i] != ':' {
			return i, errAt("expected ':' after object key", i)
		}
		if i, err = SkipValue(data, SkipSpace(data, i+1), depth); err != nil {
			return i, err
		}
		i = SkipSpace(data, i)
		if i >= len(data) {
			return i, errAt("unexpected end of input in object", i)
		}
		switch data[i] {
		case ',':
			i = SkipSpace(data, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, errAt("expected ',' or '}' after object value", i)
		}
	}
}

// SkipArray checks the array starting at data[i] (its '['), which is at nesting level depth
// (1 for a top-level array), and returns the offset just past it.
func SkipArray(data []byte, i, depth int) (int, *SyntaxError) {
	if depth > MaxDepth {
		return i, depthError(i)
	}
	i = SkipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, nil
	}
	for {
		var err *SyntaxError
		if i, err = SkipValue(data, i, depth); err != nil {
			return i, err
		}
		i = SkipSpace(data, i)
		if i >= len(data) {
			return i, errAt("unexpected end of input in array", i)
		}
		switch data[i] {
		case ',':
			i = SkipSpace(data, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, errAt("expected ',' or ']' after array element", i)
		}
	}
}

// SkipColon expects optional whitespace, a colon and optional whitespace after the object key
// that ends at data[i], and returns the offset of the member's value.
func SkipColon(data []byte, i int) (int, *SyntaxError) {
	i = SkipSpace(data, i)
	if i >= len(data) || data[i] != ':' {
		return i, errAt("expected ':' after object key", i)
	}
	return SkipSpace(data, i+1), nil
}

// NextMember is called after an object member or array element that ends at data[i]; closing
// is '}' or ']'. It expects a comma, and returns the offset of the next member after it, or the
// closing byte, and returns done and the offset just past it.
func NextMember(data []byte, i int, closing byte) (next int, done bool, err *SyntaxError) {
	i = SkipSpace(data, i)
	if i < len(data) {
		switch data[i] {
		case ',':
			return SkipSpace(data, i+1), false, nil
		case closing:
			return i + 1, true, nil
		}
	}
	var msg string
	switch {
	case closing == '}' && i >= len(data):
		msg = "unexpected end of input in object"
	case closing == '}':
		msg = "expected ',' or '}' after object value"
	case i >= len(data):
		msg = "unexpected end of input in array"
	default:
		msg = "expected ',' or ']' after array element"
	}
	return i, false, errAt(msg, i)
}

// ScanLiteral checks the literal true, false or null that starts at data[i] (its first
// letter) and returns the offset just past it.
func ScanLiteral(data []byte, i int) (int, *SyntaxError) {
	var lit string
	switch data[i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	default:
		lit = "null"
	}
	for j := 0; j < len(lit); j++ {
		if i+j >= len(data) || data[i+j] != lit[j] {
			return i + j, errIn("invalid literal, expected "+lit, i, i+j)
		}
	}
	return i + len(lit), nil
}

// ScanNumber checks the number that starts at data[i] (its '-' or first digit) and returns the
// offset just past it (RFC 8259 §6): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func ScanNumber(data []byte, i int) (int, *SyntaxError) {
	start := i
	if data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		return i, errAt("unexpected end of input in number", i)
	case data[i] == '0':
		i++
	case isDigit(data[i]):
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	default:
		return i, errIn("invalid number", start, i)
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !isDigit(data[i]) {
			return i, errIn("invalid number: no digits after decimal point", start, i)
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return i, errIn("invalid number: no digits in exponent", start, i)
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	return i, nil
}

// ScanString checks the string that starts at data[i] (its opening quote) and returns the
// offset just past its closing quote and whether it holds an escape sequence (RFC 8259 §7).
// Bytes that are not UTF-8 are accepted, as encoding/json accepts them.
func ScanString(data []byte, i int) (end int, escaped bool, err *SyntaxError) {
	i++
	for {
		// The common run of plain bytes.
		for i < len(data) && plain[data[i]] {
			i++
		}
		if i >= len(data) {
			return i, escaped, errAt("unexpected end of input in string", i)
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c < 0x20:
			return i, escaped, errAt("invalid control character in string", i)
		}
		// A backslash.
		escaped = true
		if i+1 >= len(data) {
			return i + 1, escaped, errIn("unexpected end of input in string escape", i, i+1)
		}
		switch data[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			for j := i + 2; j < i+6; j++ {
				if j >= len(data) || !isHex(data[j]) {
					msg := "invalid \\u escape"
					if i+6 > len(data) {
						msg = "unexpected end of input in \\u escape"
					}
					return j, escaped, errIn(msg, i, j)
				}
			}
			i += 6
		default:
			return i + 1, escaped, errIn("invalid escape "+quoteChar(data[i+1])+" in string", i, i+1)
		}
	}
}

// plain[c] is whether the byte c stands for itself inside a string: not a quote, a backslash
// or a control character.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
