package jsontext

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syntaxCases are texts on both sides of encoding/json's grammar.
var syntaxCases = []string{
	``, ` `, `{`, `}`, `[`, `]`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{1:2}`,
	`{"a" 1}`, `{"a":1 "b":2}`, `[1 2]`, `"abc`, `"a\"`, `"\x"`, `"\u12"`, `"\u12G4"`, "\"a\x01\"",
	"\"tab\there\"", `01`, `-`, `-a`, `1.`, `1.e3`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `NaN`, `Infinity`,
	`tru`, `true1`, `nul`, `nulll`, `falsey`, `1 2`, `{} {}`, `[]]`, `"a" "b"`, "\xef\xbb\xbf{}",
	"{}\x00", `{"a":1}x`, `[1e5,-0.0,0E-0]`, `"\ud800"`, "\"\xff\xfe\"", `"\/\b\f\n\r\t\u00e9"`,
	` {"a" : [ true , false , null ] } `, "\t\r\n[]\n", `{"":""}`, `[[[[[]]]]]`, `"` + "\u2028" + `"`,
	`{"a":[1,2,{"b":null}],"c":"\ud83d\ude00"}`, `{"a":"\u12"}`, `"\`, `"\u`, `-0`, `-01`, `1E-7`,
	"\"\x7f\x80\"", `[1,{"a":[true,false,null,"x",-1.5e+3]}]`, `{"a":1}}`, `[[[]]`,
}

// TestSkipValueAgreesWithValid checks that the grammar is encoding/json's.
func TestSkipValueAgreesWithValid(t *testing.T) {
	for _, in := range syntaxCases {
		t.Run(in, func(t *testing.T) {
			data := []byte(in)
			end, err := SkipValue(data, SkipSpace(data, 0), 0)
			if err == nil {
				err = CheckEnd(data, end)
			}
			assert.Equal(t, json.Valid(data), err == nil, "%v", err)
		})
	}
}

// TestSyntaxErrors pins, for each way a text can fail, the offset of the byte at fault and
// the message, which points at the start of the number, literal or escape holding it.
func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{``, 0, "unexpected end of input at offset 0"},
		{`x`, 0, "invalid character 'x' looking for beginning of value at offset 0"},
		{`[1,]`, 3, "invalid character ']' looking for beginning of value at offset 3"},
		{`{"a":1} x`, 8, "invalid character 'x' after top-level value at offset 8"},
		{`{1:2}`, 1, "expected string for object key at offset 1"},
		{`{"a" 1}`, 5, "expected ':' after object key at offset 5"},
		{`{"a":1`, 6, "unexpected end of input in object at offset 6"},
		{`{"a":1 "b":2}`, 7, "expected ',' or '}' after object value at offset 7"},
		{`[1`, 2, "unexpected end of input in array at offset 2"},
		{`[1;2]`, 2, "expected ',' or ']' after array element at offset 2"},
		{`[tru]`, 4, "invalid literal, expected true at offset 1"},
		{`[nul`, 4, "invalid literal, expected null at offset 1"},
		{`-`, 1, "unexpected end of input in number at offset 1"},
		{`[-a]`, 2, "invalid number at offset 1"},
		{`[1.]`, 3, "invalid number: no digits after decimal point at offset 1"},
		{`[1.5e+]`, 6, "invalid number: no digits in exponent at offset 1"},
		{`"abc`, 4, "unexpected end of input in string at offset 4"},
		{"\"a\x01\"", 2, "invalid control character in string at offset 2"},
		{`"ab\`, 4, "unexpected end of input in string escape at offset 3"},
		{`"\x"`, 2, "invalid escape 'x' in string at offset 1"},
		{`"\u12G4"`, 5, "invalid \\u escape at offset 1"},
		{`"\u1`, 4, "unexpected end of input in \\u escape at offset 1"},
		{`"\uG`, 3, "unexpected end of input in \\u escape at offset 1"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			data := []byte(tc.in)
			end, err := SkipValue(data, 0, 0)
			if err == nil {
				err = CheckEnd(data, end)
			}
			require.NotNil(t, err)
			assert.Equal(t, tc.offset, err.Offset)
			assert.Equal(t, tc.msg, err.Error())
			assert.False(t, err.TooDeep)
		})
	}
}

func TestMaxDepth(t *testing.T) {
	for _, tc := range []struct{ open, close string }{{"[", "]"}, {`{"a":`, "}"}} {
		ok := strings.Repeat(tc.open, MaxDepth) + "1" + strings.Repeat(tc.close, MaxDepth)
		end, err := SkipValue([]byte(ok), 0, 0)
		require.Nil(t, err)
		assert.Equal(t, len(ok), end)

		deep := []byte(strings.Repeat(tc.open, MaxDepth+1))
		_, err = SkipValue(deep, 0, 0)
		require.NotNil(t, err)
		assert.True(t, err.TooDeep)
		assert.Equal(t, MaxDepth*len(tc.open), err.Offset)
		assert.Equal(t, "exceeded maximum nesting depth at offset "+strconv.Itoa(MaxDepth*len(tc.open)), err.Error())
	}
}

// TestMemberHelpers checks SkipColon and NextMember, which a caller walking an object or
// array member by member uses.
func TestMemberHelpers(t *testing.T) {
	data := []byte(`{"a" : 1 , "b":[2 ]}`)
	end, _, err := ScanString(data, 1)
	require.Nil(t, err)
	v, err := SkipColon(data, end)
	require.Nil(t, err)
	assert.Equal(t, 7, v)
	next, done, err := NextMember(data, v+1, '}')
	require.Nil(t, err)
	assert.False(t, done)
	assert.Equal(t, 11, next)
	next, done, err = NextMember(data, 18, ']')
	require.Nil(t, err)
	assert.True(t, done)
	assert.Equal(t, 19, next)

	_, err = SkipColon([]byte(`"a" 1`), 3)
	require.NotNil(t, err)
	assert.Equal(t, 4, err.Offset)
	for _, tc := range []struct {
		in      string
		closing byte
		msg     string
	}{
		{`1`, '}', "unexpected end of input in object at offset 1"},
		{`1 x`, '}', "expected ',' or '}' after object value at offset 2"},
		{`1`, ']', "unexpected end of input in array at offset 1"},
		{`1}`, ']', "expected ',' or ']' after array element at offset 1"},
	} {
		_, _, err := NextMember([]byte(tc.in), 1, tc.closing)
		require.NotNil(t, err)
		assert.Equal(t, tc.msg, err.Error())
	}
}
