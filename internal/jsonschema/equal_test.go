package jsonschema

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEqualJSON(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`1`, `1.0`, true},
		{`1`, `1e0`, true},
		{`-0`, `0`, true},
		{`1`, `2`, false},
		{`1`, `"1"`, false},
		{`"a"`, `"\u0061"`, true},
		{`"a"`, `"b"`, false},
		{`true`, `true`, true},
		{`true`, `false`, false},
		{`null`, `null`, true},
		{`null`, `false`, false},
		{`[]`, `[ ]`, true},
		{`[1,[2]]`, `[1.0, [2e0]]`, true},
		{`[1,2]`, `[2,1]`, false},
		{`[1]`, `[1,1]`, false},
		{`{}`, `{ }`, true},
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`{"a":1,"a":2}`, `{"a":2}`, true},
		{`{"a":{"b":[1]}}`, `{"\u0061":{"b":[1.0]}}`, true},
		{`{"a":1}`, `{"b":1}`, false},
		{`{"a":1}`, `[1]`, false},
	}
	for _, tc := range tests {
		t.Run(tc.a+" "+tc.b, func(t *testing.T) {
			assert.Equal(t, tc.want, equalJSON([]byte(tc.a), []byte(tc.b)))
			assert.Equal(t, tc.want, equalJSON([]byte(tc.b), []byte(tc.a)), "not symmetric")
		})
	}
}
