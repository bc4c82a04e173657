package jsonschema

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitTag(t *testing.T) {
	tests := []struct {
		name string
		tag  string // as reflect.StructTag.Get returns it
		want []tagItem
	}{
		{"empty", ``, nil},
		{"one", `minimum=1`, []tagItem{{"minimum", "1"}}},
		{"several", `enum=a|b,default=a`, []tagItem{{"enum", "a|b"}, {"default", "a"}}},
		{"spaces around keys", ` title=A b , format=uri`, []tagItem{{"title", "A b "}, {"format", "uri"}}},
		{"empty items", `,title=a,,`, []tagItem{{"title", "a"}}},
		{"escaped comma", `title=a\, b`, []tagItem{{"title", "a, b"}}},
		{"other escapes kept", `pattern=^\d{1\,3}\|x$`, []tagItem{{"pattern", `^\d{1,3}\|x$`}}},
		{"escaped backslash then comma", `pattern=a\\,title=t`, []tagItem{{"pattern", `a\\`}, {"title", "t"}}},
		{"equals in value", `default=a=b`, []tagItem{{"default", "a=b"}}},
		{"trailing backslash", `title=a\`, []tagItem{{"title", `a\`}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := splitTag(tc.tag)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := splitTag(`minimum=1,oops`)
	assert.EqualError(t, err, `"oops" is not keyword=value`)
}

func TestSplitEnum(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{`a|b|c`, []string{"a", "b", "c"}},
		{`a`, []string{"a"}},
		{``, []string{""}},
		{`|`, []string{"", ""}},
		{`a\|b|c`, []string{"a|b", "c"}},
		{`a\\|b`, []string{`a\`, "b"}},
		{`x\y`, []string{"xy"}},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			assert.Equal(t, tc.want, splitEnum(tc.value))
		})
	}
}

func TestUnescapeTagValue(t *testing.T) {
	assert.Equal(t, "plain", unescapeTagValue("plain"))
	assert.Equal(t, `a\b|c`, unescapeTagValue(`a\\b\|c`))
	assert.Equal(t, `end\`, unescapeTagValue(`end\`))
}

// TestTagInStructLiteral checks the escapes as written in Go source, where the struct tag's
// quoted value doubles every backslash.
func TestTagInStructLiteral(t *testing.T) {
	type args struct {
		Code string `json:"code" jsonschema:"pattern=^\\d{1\\,3}$"`
		Sep  string `json:"sep" jsonschema:"enum=\\,|\\|"`
	}
	s, err := For[args](nil)
	require.NoError(t, err)
	assert.Equal(t, `{"type":"object","properties":{"code":{"type":"string","pattern":"^\\d{1,3}$"},"sep":{"type":"string","enum":[",","|"]}},"required":["code","sep"]}`, string(s.Raw()))
	assert.NoError(t, s.Validate([]byte(`{"code":"123","sep":"|"}`)))
	assert.EqualError(t, s.Validate([]byte(`{"code":"1234","sep":","}`)), `argument "code": must match the pattern "^\\d{1,3}$" (got "1234")`)
}

func TestTagLiteral(t *testing.T) {
	tests := []struct {
		typ     string
		kind    reflect.Kind
		in      string
		want    string
		wantErr string
	}{
		{"string", reflect.String, `say "hi"`, `"say \"hi\""`, ""},
		{"integer", reflect.Int, "+42", "42", ""},
		{"integer", reflect.Int8, "-129", "", "not an integer in the range of int8"},
		{"integer", reflect.Uint, "-1", "", "not an integer in the range of uint"},
		{"integer", reflect.Int, "1.5", "", "not an integer in the range of int"},
		{"number", reflect.Float64, "1e3", "1000", ""},
		{"number", reflect.Float64, "0.1", "0.1", ""},
		{"number", reflect.Float64, "1e-7", "1e-07", ""},
		{"number", reflect.Float64, "1e300", "1e+300", ""},
		{"number", reflect.Float64, "NaN", "", "not a finite number"},
		{"number", reflect.Float64, "Inf", "", "not a finite number"},
		{"boolean", reflect.Bool, "true", "true", ""},
		{"boolean", reflect.Bool, "1", "", "not a boolean (true or false)"},
	}
	for _, tc := range tests {
		t.Run(tc.typ+" "+tc.in, func(t *testing.T) {
			got, err := tagLiteral(tc.typ, tc.kind, tc.in)
			if tc.wantErr != "" {
				assert.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
