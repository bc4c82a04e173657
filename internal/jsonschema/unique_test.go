package jsonschema

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHashValue: values JSON Schema calls equal hash alike; a few that differ do not.
func TestHashValue(t *testing.T) {
	hash := func(s string) uint64 { return hashValue([]byte(s), 0, len(s)) }
	for _, pair := range [][2]string{
		{`1`, `1.0`},
		{`0`, `-0`},
		{`100`, `1e2`},
		{`"a"`, `"\u0061"`},
		{`"\ud83d\ude00"`, `"😀"`},
		{`[1,"a"]`, `[1.0,"\u0061"]`},
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`{"a":{"x":[1]}}`, `{"a":{"x":[1.0]}}`},
	} {
		assert.Equal(t, hash(pair[0]), hash(pair[1]), "%s and %s", pair[0], pair[1])
		assert.True(t, equalJSON([]byte(pair[0]), []byte(pair[1])))
	}
	for _, pair := range [][2]string{
		{`1`, `"1"`},
		{`[1,2]`, `[2,1]`},
		{`{"a":1}`, `{"a":2}`},
		{`{"a":1}`, `{"b":1}`},
		{`true`, `false`},
		{`null`, `false`},
		{`[]`, `{}`},
	} {
		assert.NotEqual(t, hash(pair[0]), hash(pair[1]), "%s and %s", pair[0], pair[1])
	}
}
