package jsonschema

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckSyntax(t *testing.T) {
	for _, in := range syntaxCases {
		t.Run(in, func(t *testing.T) {
			err := checkSyntax([]byte(in))
			assert.Equal(t, json.Valid([]byte(in)), err == nil, "%v", err)
		})
	}
}

func TestIsIntegral(t *testing.T) {
	tests := []struct {
		lit  string
		want bool
	}{
		{"0", true},
		{"-0", true},
		{"42", true},
		{"-42", true},
		{"1.0", true},
		{"1.000", true},
		{"1.5", false},
		{"0.5", false},
		{"1e2", true},
		{"1E+2", true},
		{"1.5e1", true},
		{"1.25e1", false},
		{"1.25e2", true},
		{"100e-2", true},
		{"100e-3", false},
		{"120e-1", true},
		{"0e-5", true},
		{"0.0e-5", true},
		{"1e-400", false},
		{"1e400", true},
		{"1.0000000000000001", false},
		{"12345678901234567890123", true},
		{"1e99999999999999999999", true},
		{"5e-99999999999999999999", false},
	}
	for _, tc := range tests {
		t.Run(tc.lit, func(t *testing.T) {
			end, err := scanNumber([]byte(tc.lit), 0)
			require.Nil(t, err)
			require.Equal(t, len(tc.lit), end)
			assert.Equal(t, tc.want, isIntegral([]byte(tc.lit)))
		})
	}
}

// TestDecodeString checks string decoding against encoding/json, including lone surrogates and
// bytes that are not UTF-8, and the code point count against the decoded string.
func TestDecodeString(t *testing.T) {
	tests := []string{
		`"plain"`,
		`"caf\u00e9"`,
		`"\ud83d\ude00 smile"`,
		`"\ud83d alone"`,
		"\"bad \xff byte\"",
		`"é and 😀 raw"`,
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			var want string
			require.NoError(t, json.Unmarshal([]byte(in), &want))
			end, escaped, err := scanString([]byte(in), 0)
			require.Nil(t, err)
			require.Equal(t, len(in), end)
			content := []byte(in[1 : len(in)-1])
			assert.Equal(t, want, decodeString(content, escaped))
			assert.Equal(t, utf8.RuneCountInString(want), stringLength(content, escaped))
		})
	}
}

func TestSyntaxErrorOffsets(t *testing.T) {
	tests := []struct{ in, want string }{
		{`[1,2`, "invalid JSON: unexpected end of input"},
		{`[1;2]`, "invalid JSON: unexpected ';' at offset 2"},
		{"\"\x7f\x80\"x", "invalid JSON: unexpected 'x' at offset 4"},
		{"[\xff]", "invalid JSON: unexpected byte 0xff at offset 1"},
		{`[tru]`, "invalid JSON: unexpected ']' at offset 4"},
		{`[-a]`, "invalid JSON: unexpected 'a' at offset 2"},
		{`[1.5e+]`, "invalid JSON: unexpected ']' at offset 6"},
		{`"\x"`, "invalid JSON: unexpected 'x' at offset 2"},
		{`"\u12G4"`, "invalid JSON: unexpected 'G' at offset 5"},
		{`"ab\`, "invalid JSON: unexpected end of input"},
		{`{"a" 1}`, "invalid JSON: unexpected '1' at offset 5"},
		{`{"a":1} x`, "invalid JSON: unexpected 'x' at offset 8"},
		{strings.Repeat("[", maxDepth+1), "invalid JSON: nested deeper than 10000 levels at offset 10000"},
	}
	for _, tc := range tests {
		t.Run(tc.in[:min(len(tc.in), 10)], func(t *testing.T) {
			err := checkSyntax([]byte(tc.in))
			require.NotNil(t, err)
			assert.Equal(t, tc.want, err.Message)
		})
	}
}
