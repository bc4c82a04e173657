package jsonschema

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/minimcp/minimcp/internal/jsontext"
)

// This file is the validator's view of the JSON text scanner (package jsontext), which reads
// RFC 8259 JSON in place: no tokens, no decoded values, no allocation. Each function takes the
// document and the offset of the first byte of a value (whitespace already skipped) and returns
// the offset just past it, or the syntax error as a *ValidationError. The grammar and the limits
// are those of encoding/json's Valid: strings may hold bytes that are not UTF-8; containers nest
// at most maxDepth deep.

// maxDepth is how deep arrays and objects may nest, as in encoding/json (which rejects the
// 10001st level).
const maxDepth = jsontext.MaxDepth

// JSON value kinds, as reported in messages ("expected string, got number").
const (
	kindNull    = "null"
	kindBoolean = "boolean"
	kindObject  = "object"
	kindArray   = "array"
	kindNumber  = "number"
	kindString  = "string"
)

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

// fromScan turns the scanner's error into the validator's: the byte it stopped at, or the depth.
func fromScan(data []byte, err *jsontext.SyntaxError) *ValidationError {
	if err.TooDeep {
		return depthError(err.Offset)
	}
	return syntaxError(data, err.Offset)
}

// checkSyntax reports whether data is exactly one JSON value with optional whitespace around it.
func checkSyntax(data []byte) *ValidationError {
	end, err := jsontext.SkipValue(data, skipSpace(data, 0), 0)
	if err == nil {
		err = jsontext.CheckEnd(data, end)
	}
	if err != nil {
		return fromScan(data, err)
	}
	return nil
}

// The scanner's functions, with errors as *ValidationError; see package jsontext for each.

func skipSpace(data []byte, i int) int { return jsontext.SkipSpace(data, i) }

func skipValue(data []byte, i, depth int) (int, *ValidationError) {
	end, err := jsontext.SkipValue(data, i, depth)
	if err != nil {
		return end, fromScan(data, err)
	}
	return end, nil
}

func skipObject(data []byte, i, depth int) (int, *ValidationError) {
	end, err := jsontext.SkipObject(data, i, depth)
	if err != nil {
		return end, fromScan(data, err)
	}
	return end, nil
}

func skipArray(data []byte, i, depth int) (int, *ValidationError) {
	end, err := jsontext.SkipArray(data, i, depth)
	if err != nil {
		return end, fromScan(data, err)
	}
	return end, nil
}

func skipColon(data []byte, i int) (int, *ValidationError) {
	next, err := jsontext.SkipColon(data, i)
	if err != nil {
		return next, fromScan(data, err)
	}
	return next, nil
}

func nextMember(data []byte, i int, closing byte) (next int, done bool, err *ValidationError) {
	next, done, serr := jsontext.NextMember(data, i, closing)
	if serr != nil {
		return next, done, fromScan(data, serr)
	}
	return next, done, nil
}

func scanLiteral(data []byte, i int) (int, *ValidationError) {
	end, err := jsontext.ScanLiteral(data, i)
	if err != nil {
		return end, fromScan(data, err)
	}
	return end, nil
}

func scanString(data []byte, i int) (end int, escaped bool, err *ValidationError) {
	end, escaped, serr := jsontext.ScanString(data, i)
	if serr != nil {
		return end, escaped, fromScan(data, serr)
	}
	return end, escaped, nil
}

func scanNumber(data []byte, i int) (int, *ValidationError) {
	end, err := jsontext.ScanNumber(data, i)
	if err != nil {
		return end, fromScan(data, err)
	}
	return end, nil
}

func appendUnescaped(dst, s []byte) []byte { return jsontext.AppendUnescaped(dst, s) }

// stringLength returns the number of Unicode code points in the decoded JSON string whose
// content (without quotes) is s, without decoding it into memory.
func stringLength(s []byte, escaped bool) int { return jsontext.RuneCount(s, escaped) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

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
