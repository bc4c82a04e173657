package mcp

import (
	"testing"
	"unicode/utf8"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// specStringSeeds are strings that exercise every escape of specAppendString.
var specStringSeeds = []string{
	"",
	"plain ascii",
	"quote \" backslash \\ slash /",
	"html <b>&amp;</b>",
	"control \x00\x01\x1f \b\f\n\r\t \x7f",
	"unicode é 日本 🎉",
	"separators \u2028 \u2029",
	"invalid \xff\xfe utf-8 \xc3",
	"truncated \xe2\x82",
}

func TestSpecAppendString(t *testing.T) {
	for _, s := range specStringSeeds {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		got := specAppendString(nil, s)
		// goccy writes U+FFFD raw or escaped depending on the Go version; compare decoded values, and bytes
		// where no replacement is needed.
		var back string
		require.NoError(t, json.Unmarshal(got, &back), "%q", got)
		var wantBack string
		require.NoError(t, json.Unmarshal(want, &wantBack))
		assert.Equal(t, wantBack, back, "%q", s)
		if utf8.ValidString(s) {
			assert.Equal(t, string(want), string(got), "%q", s)
		}
	}
	assert.Equal(t, `"a\u003cb\u003e\u0026\u2028\n\u0001\ufffd"`, string(specAppendString(nil, "a<b>&\u2028\n\x01\xff")))

	// Every ASCII byte at every position of the eight-byte words, next to safe bytes.
	for c := 0; c < utf8.RuneSelf; c++ {
		for pos := 0; pos < 17; pos++ {
			buf := []byte("abcdefghijklmnopq")
			buf[pos] = byte(c)
			want, err := json.Marshal(string(buf))
			require.NoError(t, err)
			require.Equal(t, string(want), string(specAppendString(nil, string(buf))), "byte %#x at %d", c, pos)
		}
	}
}

// FuzzSpecAppendString checks that specAppendString writes valid JSON that decodes to the string goccy
// decodes from its own encoding.
func FuzzSpecAppendString(f *testing.F) {
	for _, s := range specStringSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := specAppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("specAppendString(%q) = %q: %v", s, got, err)
		}
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var wantBack string
		if err := json.Unmarshal(want, &wantBack); err != nil {
			t.Fatal(err)
		}
		if back != wantBack {
			t.Fatalf("specAppendString(%q) decodes to %q, goccy's encoding to %q", s, back, wantBack)
		}
		if utf8.ValidString(s) && string(got) != string(want) {
			t.Fatalf("specAppendString(%q) = %s, goccy writes %s", s, got, want)
		}
	})
}

func TestSpecAppendRaw(t *testing.T) {
	b, err := specAppendRaw(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
	b, err = specAppendRaw([]byte("x"), json.RawMessage(`{"a": 1}`))
	require.NoError(t, err)
	assert.Equal(t, `x{"a": 1}`, string(b))
	_, err = specAppendRaw(nil, json.RawMessage(`{"a":`))
	assert.ErrorIs(t, err, errSpecInvalidRaw)
}

// TestSpecAppendRawCompacts checks that raw JSON spanning lines is written on one line, with
// the same value, and that one-line raw JSON is written byte for byte.
func TestSpecAppendRawCompacts(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{`{"a": 1}`, `{"a": 1}`}, // one line: as written
		{"{\n  \"a\": [1,\r\n 2 ],\n\t\"b\": \"x y\\n \\\" }\"\n}", `{"a":[1,2],"b":"x y\n \" }"}`},
		{"[\n]", `[]`},
		{"\"s\"\n", `"s"`},
		{"{\"k\\\\\": \n true}", `{"k\\":true}`},
	} {
		got, err := specAppendRaw([]byte("x"), json.RawMessage(tc.raw))
		require.NoError(t, err, "%q", tc.raw)
		assert.Equal(t, "x"+tc.want, string(got), "%q", tc.raw)
	}
}
