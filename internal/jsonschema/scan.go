package jsonschema

import (
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is the byte scanner that Validate and Compile walk JSON with. It reads RFC 8259 JSON
// in place: no tokens, no decoded values, no allocation. Each function takes the document and
// the offset of the first byte of a value (whitespace already skipped) and returns the offset just
// past it, or a syntax error. The grammar and the limits are those of encoding/json's Valid:
// insignificant whitespace is space, tab, CR and LF; strings may hold bytes that are not UTF-8;
// containers nest at most maxDepth deep.

// maxDepth is how deep arrays and objects may nest, as in encoding/json (which rejects the
// 10001st level).
const maxDepth = 10000

// JSON value kinds, as reported in messages ("expected string, got number").
const (
	kindNull    = "null"
	kindBoolean = "boolean"
	kindObject  = "object"
	kindArray   = "array"
	kindNumber  = "number"
	kindString  = "string"
)

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the offset of the first non-whitespace byte at or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// kindAt reports the kind of the value starting at data[i], or "" when no value can start there.
func kindAt(data []byte, i int) string {
	if i >= len(data) {
		return ""
	}
	switch c := data[i]; {
	case c == '{':
		return kindObject
	case c == '[':
		return kindArray
	case c == '"':
		return kindString
	case c == 't' || c == 'f':
		return kindBoolean
	case c == 'n':
		return kindNull
	case c == '-' || (c >= '0' && c <= '9'):
		return kindNumber
	}
	return ""
}

// syntaxError reports the byte at data[i] as unexpected, or the end of input.
func syntaxError(data []byte, i int) *ValidationError {
	if i >= len(data) {
		return &ValidationError{Message: "invalid JSON: unexpected end of input", syntax: true}
	}
	c := data[i]
	var what string
	if c < utf8.RuneSelf && unicode.IsPrint(rune(c)) {
		what = strconv.QuoteRune(rune(c))
	} else {
		what = "byte 0x" + strconv.FormatUint(uint64(c), 16)
	}
	return &ValidationError{
		Message: "invalid JSON: unexpected " + what + " at offset " + strconv.Itoa(i),
		syntax:  true,
	}
}

func depthError(i int) *ValidationError {
	return &ValidationError{
		Message: "invalid JSON: nested deeper than " + strconv.Itoa(maxDepth) + " levels at offset " + strconv.Itoa(i),
		syntax:  true,
	}
}

// checkSyntax reports whether data is exactly one JSON value with optional whitespace around it.
func checkSyntax(data []byte) *ValidationError {
	i := skipSpace(data, 0)
	end, err := skipValue(data, i, 0)
	if err != nil {
		return err
	}
	if end = skipSpace(data, end); end != len(data) {
		return syntaxError(data, end)
	}
	return nil
}

// skipValue checks the value at data[i] and returns the offset just past it. depth is the number
// of containers around it.
func skipValue(data []byte, i, depth int) (int, *ValidationError) {
	switch kindAt(data, i) {
	case kindObject:
		return skipObject(data, i, depth+1)
	case kindArray:
		return skipArray(data, i, depth+1)
	case kindString:
		end, _, err := scanString(data, i)
		return end, err
	case kindNumber:
		return scanNumber(data, i)
	case kindBoolean, kindNull:
		return scanLiteral(data, i)
	}
	return i, syntaxError(data, i)
}

// skipObject checks the object at data[i], which is at nesting level depth.
func skipObject(data []byte, i, depth int) (int, *ValidationError) {
	if depth > maxDepth {
		return i, depthError(i)
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return i, syntaxError(data, i)
		}
		end, _, err := scanString(data, i)
		if err != nil {
			return end, err
		}
		if i, err = skipColon(data, end); err != nil {
			return i, err
		}
		if i, err = skipValue(data, i, depth); err != nil {
			return i, err
		}
		var done bool
		if i, done, err = nextMember(data, i, '}'); err != nil || done {
			return i, err
		}
	}
}

// skipArray checks the array at data[i], which is at nesting level depth.
func skipArray(data []byte, i, depth int) (int, *ValidationError) {
	if depth > maxDepth {
		return i, depthError(i)
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, nil
	}
	for {
		var err *ValidationError
		if i, err = skipValue(data, i, depth); err != nil {
			return i, err
		}
		var done bool
		if i, done, err = nextMember(data, i, ']'); err != nil || done {
			return i, err
		}
	}
}

// skipColon expects optional whitespace, a colon and optional whitespace after an object key
// ending at data[i], and returns the offset of the value.
func skipColon(data []byte, i int) (int, *ValidationError) {
	i = skipSpace(data, i)
	if i >= len(data) || data[i] != ':' {
		return i, syntaxError(data, i)
	}
	return skipSpace(data, i+1), nil
}

// nextMember is called after a member or element ending at data[i]. It expects a comma, reporting
// the offset of the next one, or the closing byte, reporting done and the offset past it.
func nextMember(data []byte, i int, closing byte) (next int, done bool, err *ValidationError) {
	i = skipSpace(data, i)
	if i < len(data) {
		switch data[i] {
		case ',':
			return skipSpace(data, i+1), false, nil
		case closing:
			return i + 1, true, nil
		}
	}
	return i, false, syntaxError(data, i)
}

// scanLiteral checks true, false or null at data[i].
func scanLiteral(data []byte, i int) (int, *ValidationError) {
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
			return i + j, syntaxError(data, i+j)
		}
	}
	return i + len(lit), nil
}

// scanString checks the string at data[i] (its opening quote) and returns the offset past its
// closing quote and whether it holds an escape sequence.
func scanString(data []byte, i int) (end int, escaped bool, err *ValidationError) {
	i++
	for {
		// The common run of plain bytes.
		for i < len(data) {
			c := data[i]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			i++
		}
		if i >= len(data) {
			return i, escaped, syntaxError(data, i)
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c < 0x20:
			return i, escaped, syntaxError(data, i)
		}
		// A backslash.
		escaped = true
		if i+1 >= len(data) {
			return i + 1, escaped, syntaxError(data, i+1)
		}
		switch data[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			for j := i + 2; j < i+6; j++ {
				if j >= len(data) || !isHex(data[j]) {
					return j, escaped, syntaxError(data, j)
				}
			}
			i += 6
		default:
			return i + 1, escaped, syntaxError(data, i+1)
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanNumber checks the number at data[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(data []byte, i int) (int, *ValidationError) {
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && isDigit(data[i]):
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	default:
		return i, syntaxError(data, i)
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !isDigit(data[i]) {
			return i, syntaxError(data, i)
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
			return i, syntaxError(data, i)
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	return i, nil
}

// isIntegral reports whether the number literal lit (already checked by scanNumber) denotes an
// integer. It decides on the digits, not on a float64, so 1.0, 1e2 and 100e-2 are integers while
// 1.0000000000000001 and 1e-400 are not, exactly as the mathematical values are.
func isIntegral(lit []byte) bool {
	i := 0
	if lit[i] == '-' {
		i++
	}
	intStart := i
	for i < len(lit) && isDigit(lit[i]) {
		i++
	}
	intDigits := lit[intStart:i]
	var frac []byte
	if i < len(lit) && lit[i] == '.' {
		i++
		start := i
		for i < len(lit) && isDigit(lit[i]) {
			i++
		}
		frac = lit[start:i]
	}
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) == 0 && i == len(lit) {
		return true // a plain integer literal, the common case
	}
	exp := 0
	if i < len(lit) { // an exponent
		i++
		neg := false
		if lit[i] == '+' || lit[i] == '-' {
			neg = lit[i] == '-'
			i++
		}
		for ; i < len(lit); i++ {
			if exp < 1<<30 { // saturate: beyond this, only the sign matters
				exp = exp*10 + int(lit[i]-'0')
			}
		}
		if neg {
			exp = -exp
		}
	}
	zero := len(frac) == 0
	for _, c := range intDigits {
		if c != '0' {
			zero = false
		}
	}
	switch {
	case zero:
		return true
	case len(frac) > 0:
		// The last fractional digit is not zero: the exponent must shift it left of the point.
		return exp >= len(frac)
	case exp >= 0:
		return true
	}
	// No fraction and a negative exponent: as many trailing zeros in the integer part are needed.
	zeros := 0
	for j := len(intDigits) - 1; j >= 0 && intDigits[j] == '0'; j-- {
		zeros++
	}
	return zeros >= -exp
}

// parseNumber returns the float64 nearest to the number literal lit (already checked by
// scanNumber); literals beyond the float64 range become ±Inf, those below it ±0.
func parseNumber(lit []byte) float64 {
	f, _ := strconv.ParseFloat(string(lit), 64)
	return f
}

// appendUnescaped appends the content of the JSON string s (without its quotes, already checked
// by scanString) to dst, decoding escapes the way encoding/json does: a \u escape of a lone
// surrogate, and every byte that is not part of valid UTF-8, become U+FFFD.
func appendUnescaped(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' {
			switch s[i+1] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := hex4(s[i+2:])
				i += 6
				if utf16.IsSurrogate(r) {
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if dec := utf16.DecodeRune(r, hex4(s[i+2:])); dec != unicode.ReplacementChar {
							r = dec
							i += 6
						} else {
							r = unicode.ReplacementChar
						}
					} else {
						r = unicode.ReplacementChar
					}
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, s[i+1])
			}
			i += 2
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

func hex4(s []byte) rune {
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// stringLength returns the number of Unicode code points in the decoded JSON string whose
// content (without quotes) is s, without decoding it into memory.
func stringLength(s []byte, escaped bool) int {
	if !escaped {
		return utf8.RuneCount(s)
	}
	n := 0
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			_, size := utf8.DecodeRune(s[i:])
			i += size
			n++
			continue
		}
		if s[i+1] != 'u' {
			i += 2
			n++
			continue
		}
		r := hex4(s[i+2:])
		i += 6
		if utf16.IsSurrogate(r) && i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' &&
			utf16.DecodeRune(r, hex4(s[i+2:])) != unicode.ReplacementChar {
			i += 6
		}
		n++
	}
	return n
}
