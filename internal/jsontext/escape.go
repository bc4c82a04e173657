package jsontext

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// safeASCII[c] is whether the ASCII byte c stands for itself inside a JSON string as encoding/json
// writes it with HTML escaping on.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendString appends s to b as a JSON string literal (RFC 8259 §7), escaped the way
// encoding/json escapes it: control characters, quote, backslash, the HTML-sensitive <, > and &,
// U+2028 and U+2029; invalid UTF-8 becomes U+FFFD, so the output is always valid JSON text.
func AppendString(b []byte, s string) []byte {
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
				if safeASCII[c] {
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
					b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
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
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
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
