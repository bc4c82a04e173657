package jsonschema

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidationErrorText(t *testing.T) {
	tests := []struct {
		err  ValidationError
		want string
	}{
		{ValidationError{Path: "", Keyword: "type", Message: "expected object, got array"}, `arguments: expected object, got array`},
		{ValidationError{Path: "/a/b", Keyword: "required", Message: "is required"}, `missing required argument "a.b"`},
		{ValidationError{Path: "/x", Keyword: "additionalProperties", Message: "is not allowed"}, `unexpected argument "x"`},
		{ValidationError{Path: "/x", Keyword: "additionalProperties", Message: "expected string, got number"}, `argument "x": expected string, got number`},
		{ValidationError{Path: "/tags/2", Keyword: "maxLength", Message: "must be at most 1 character long (got 2)"}, `argument "tags[2]": must be at most 1 character long (got 2)`},
		{ValidationError{Path: "/0/a~1b~0c", Keyword: "type", Message: "m"}, `argument "[0].a/b~c": m`},
		{ValidationError{Path: "/say \"hi\"", Keyword: "type", Message: "m"}, `argument "say \"hi\"": m`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
		})
	}
}

// TestValidateMemberNamedLikeIndex checks that an error path keeps an object member named "0"
// apart from an array index in the message.
func TestValidateMemberNamedLikeIndex(t *testing.T) {
	s, err := Compile([]byte(`{"properties":{"0":{"type":"string"}}}`))
	require.NoError(t, err)
	err = s.Validate([]byte(`{"0":1}`))
	require.Error(t, err)
	assert.Equal(t, `argument "0": expected string, got number`, err.Error())
}

func TestSchemaErrorText(t *testing.T) {
	assert.Equal(t, `jsonschema: schema #: m`, (&SchemaError{Message: "m"}).Error())
	assert.Equal(t, `jsonschema: schema #/properties/a~1b/type: m`, (&SchemaError{Pointer: "/properties/a~1b/type", Message: "m"}).Error())
}

func TestValidationErrorUnwrap(t *testing.T) {
	assert.NoError(t, (&ValidationError{Keyword: "type"}).Unwrap())
	err := checkSyntax([]byte("{"))
	require.NotNil(t, err)
	assert.True(t, errors.Is(err, ErrInvalidJSON))
}

func TestDisplayPath(t *testing.T) {
	tests := []struct{ ptr, want string }{
		{"", ""},
		{"/a", "a"},
		{"/a/b", "a.b"},
		{"/a/0/b", "a[0].b"},
		{"/0", "[0]"},
		{"/a~1b/c~0d", "a/b.c~d"},
		{"/01", "01"},
	}
	for _, tc := range tests {
		t.Run(tc.ptr, func(t *testing.T) {
			assert.Equal(t, tc.want, displayPath(tc.ptr))
		})
	}
}
