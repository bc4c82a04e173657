package jsontext

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unescapeCases are string literals whose decoding is checked against encoding/json, including
// lone surrogates and bytes that are not UTF-8.
var unescapeCases = []string{
	`"plain"`,
	`""`,
	`"caf\u00e9"`,
	`"\"\\\/\b\f\n\r\t"`,
	`"\ud83d\ude00 smile"`,
	`"\ud83d alone"`,
	`"\ude00 low first"`,
	`"\ud83d\u0041"`,
	`"\ud83d\ud83d\ude00"`,
	`"end \ud83d"`,
	"\"bad \xff byte\"",
	"\"cut \xe2\x82\"",
	"\"escaped \\n and bad \xff\"",
	`"\u0000"`,
	`"é and 😀 raw"`,
}

func TestAppendUnescaped(t *testing.T) {
	for _, in := range unescapeCases {
		t.Run(in, func(t *testing.T) {
			var want string
			require.NoError(t, json.Unmarshal([]byte(in), &want))
			end, escaped, err := ScanString([]byte(in), 0)
			require.Nil(t, err)
			require.Equal(t, len(in), end)
			content := []byte(in[1 : len(in)-1])
			assert.Equal(t, want, string(AppendUnescaped(nil, content)))
			assert.Equal(t, utf8.RuneCountInString(want), RuneCount(content, escaped))
			got, ok := Unquote([]byte(in))
			assert.True(t, ok)
			assert.Equal(t, want, got)
		})
	}
}

func TestUnquoteRejects(t *testing.T) {
	for _, bad := range []string{``, `"`, `"a`, `a"`, `"a" `, `"a""b"`, `"\x"`, `1`, `null`} {
		_, ok := Unquote([]byte(bad))
		assert.False(t, ok, bad)
	}
}
