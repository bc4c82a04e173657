package sse

import "unicode/utf8"

// appendValidUTF8 appends src to dst with each invalid UTF-8 sequence replaced
// by U+FFFD the way the WHATWG Encoding Standard's "UTF-8 decoder" does, which
// §9.2.5 requires of an event stream ("Streams must be decoded using the UTF-8
// decode algorithm"): one U+FFFD for each maximal prefix of a valid sequence
// that is cut short, and one for each byte that cannot start a sequence.
//
// utf8.DecodeRune accepts exactly the sequences that decoder accepts (no
// overlong forms, surrogates or values above U+10FFFF), but reports every
// invalid byte on its own, so "\xF0\x90\x80a" would give three U+FFFD instead
// of one; maximalSubpart supplies the difference.
func appendValidUTF8(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		if c := src[i]; c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		if r, size := utf8.DecodeRune(src[i:]); r != utf8.RuneError || size > 1 {
			dst = append(dst, src[i:i+size]...)
			i += size
			continue
		}
		dst = append(dst, "\uFFFD"...)
		i += maximalSubpart(src[i:])
	}
	return dst
}

// maximalSubpart returns how many bytes at the start of b, which does not
// start with a valid UTF-8 sequence, the UTF-8 decoder turns into one U+FFFD:
// a lead byte and the continuation bytes that are still valid after it, or a
// single byte that is no lead byte.
func maximalSubpart(b []byte) int {
	// The bounds of the second byte depend on the lead byte (Encoding
	// Standard, "UTF-8 decoder": "UTF-8 lower boundary", "UTF-8 upper
	// boundary"); later bytes are 0x80 to 0xBF.
	lo, hi := byte(0x80), byte(0xBF)
	var need int
	switch c := b[0]; {
	case 0xC2 <= c && c <= 0xDF:
		need = 1
	case 0xE0 <= c && c <= 0xEF:
		need = 2
		if c == 0xE0 {
			lo = 0xA0
		} else if c == 0xED {
			hi = 0x9F
		}
	case 0xF0 <= c && c <= 0xF4:
		need = 3
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
	default:
		return 1
	}
	n := 1
	for n <= need && n < len(b) && lo <= b[n] && b[n] <= hi {
		lo, hi = 0x80, 0xBF
		n++
	}
	return n
}
