package jsontext

import (
	"unicode/utf16"
	"unicode/utf8"
)

// AppendUnescaped appends the content of a JSON string to dst and returns the extended buffer.
// s is the string without its quotes, already checked by [ScanString]. Escapes are decoded the
// way encoding/json decodes them: a \u escape of a lone surrogate, and every byte that is not
// part of valid UTF-8, become U+FFFD, so the result is always valid UTF-8.
func AppendUnescaped(dst, s []byte) []byte {
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
				var r rune
				r, i = escapedRune(s, i)
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

// RuneCount returns the number of code points of the string that [AppendUnescaped] would
// decode from s, without decoding it. escaped is what [ScanString] reported; without escapes
// it is the number of runes of s, each invalid byte counting as one.
func RuneCount(s []byte, escaped bool) int {
	if !escaped {
		return utf8.RuneCount(s)
	}
	n := 0
	for i := 0; i < len(s); n++ {
		switch {
		case s[i] != '\\':
			_, size := utf8.DecodeRune(s[i:])
			i += size
		case s[i+1] != 'u':
			i += 2
		default:
			_, i = escapedRune(s, i)
		}
	}
	return n
}

// escapedRune decodes the \u escape at s[i], with the low surrogate escape that follows it when
// it starts a surrogate pair, and returns the rune (U+FFFD for a lone surrogate) and the offset
// past what it read.
func escapedRune(s []byte, i int) (rune, int) {
	r := hex4(s[i+2:])
	i += 6
	if !utf16.IsSurrogate(r) {
		return r, i
	}
	if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
		if dec := utf16.DecodeRune(r, hex4(s[i+2:])); dec != utf8.RuneError {
			return dec, i + 6
		}
	}
	return utf8.RuneError, i
}

// hex4 returns the value of the four hexadecimal digits that start s (checked by ScanString).
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

// Unquote returns the value of the JSON string literal lit (with its quotes), decoded as
// [AppendUnescaped] does. It reports false if lit is not exactly one string literal.
func Unquote(lit []byte) (string, bool) {
	if len(lit) < 2 || lit[0] != '"' {
		return "", false
	}
	end, escaped, err := ScanString(lit, 0)
	if err != nil || end != len(lit) {
		return "", false
	}
	body := lit[1 : len(lit)-1]
	if !escaped && utf8.Valid(body) {
		return string(body), true
	}
	return string(AppendUnescaped(make([]byte, 0, len(body)), body)), true
}
