package sse

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestAppendValidUTF8(t *testing.T) {
	const r = "\uFFFD"
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ASCII", "abc", "abc"},
		{"valid multi-byte", "é€😀", "é€😀"},
		{"U+FFFD itself", "\xEF\xBF\xBD", r},
		{"stray continuation", "\x80", r},
		{"invalid byte", "a\xFFb", "a" + r + "b"},
		{"not a lead byte", "\xC0\xAF", r + r},
		{"above U+10FFFF", "\xF5\x80", r + r},
		{"lead at the end", "a\xC3", "a" + r},
		{"lead then ASCII", "\xC3(", r + "("},
		{"truncated three-byte", "\xE2\x82", r},
		{"truncated four-byte then ASCII", "\xF0\x90\x80a", r + "a"},
		{"overlong three-byte", "\xE0\x80\x80", r + r + r},
		{"surrogate", "\xED\xA0\x80", r + r + r},
		{"F4 above the range", "\xF4\x90\x80\x80", r + r + r + r},
		{"valid then truncated", "\xE2\x82\xAC\xE2\x82", "€" + r},
		// The example of Unicode 15, §3.9 "U+FFFD Substitution of Maximal
		// Subparts", which the WHATWG UTF-8 decoder follows.
		{"Unicode maximal subparts example", "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", "a" + r + r + r + "b" + r + "c" + r + r + "d"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := appendValidUTF8([]byte("|"), []byte(tc.in))
			assert.Equal(t, "|"+tc.want, string(got))
			assert.True(t, utf8.Valid(got))
		})
	}
}
