package jsontext

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEachMember(t *testing.T) {
	var keys, vals []string
	err := EachMember([]byte(` {"name":"echo", "argu\u006dents":{"a":[1,2]},"n":null} `), func(k, v []byte) bool {
		keys, vals = append(keys, string(k)), append(vals, string(v))
		return true
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"name", "arguments", "n"}, keys)
	assert.Equal(t, []string{`"echo"`, `{"a":[1,2]}`, `null`}, vals)

	keys = nil
	require.NoError(t, EachMember([]byte(`{"a":1,"b":2,"c":3}`), func(k, v []byte) bool {
		keys = append(keys, string(k))
		return string(k) != "b"
	}))
	assert.Equal(t, []string{"a", "b"}, keys, "stops when f returns false")
	require.NoError(t, EachMember([]byte(`{ }`), func(k, v []byte) bool {
		t.Fatal("called for an empty object")
		return true
	}))

	for _, tc := range []struct{ in, want string }{
		{`[]`, "expected an object"},
		{``, "expected an object"},
		{`{"a":}`, "invalid character '}' looking for beginning of value at offset 5"},
		{`{"a":1} x`, "unexpected data after the object at offset 7"},
	} {
		err := EachMember([]byte(tc.in), func(k, v []byte) bool {
			t.Fatalf("called for %s", tc.in)
			return true
		})
		require.Error(t, err, tc.in)
		assert.Equal(t, tc.want, err.Error())
	}
	assert.ErrorIs(t, EachMember([]byte(`"x"`), nil), ErrNotObject)
}

// TestEachMemberValid: on valid objects the members of EachMember, in one pass; on invalid
// text an error, never a panic.
func TestEachMemberValid(t *testing.T) {
	var keys, vals []string
	err := EachMemberValid([]byte(` {"name":"echo", "argu\u006dents":{"a":[1,2]},"n":null} `), func(k, v []byte) bool {
		keys, vals = append(keys, string(k)), append(vals, string(v))
		return true
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"name", "arguments", "n"}, keys)
	assert.Equal(t, []string{`"echo"`, `{"a":[1,2]}`, `null`}, vals)
	require.NoError(t, EachMemberValid([]byte(`{ }`), func(k, v []byte) bool {
		t.Fatal("called for an empty object")
		return true
	}))
	for _, in := range []string{`[]`, ``, `{`, `{"a"`, `{"a":`, `{"a":}`, `{"a":1`, `{"a":1,`, `{"a":1 "b":2}`, `{1:2}`, `{"a\`} {
		assert.Error(t, EachMemberValid([]byte(in), func(k, v []byte) bool { return true }), in)
	}
}

func TestValueAt(t *testing.T) {
	obj := []byte(`{"a":{"b":{"c":7}},"d":"x"}`)
	assert.Equal(t, `7`, string(ValueAt(obj, []string{"a", "b", "c"})))
	assert.Equal(t, `"x"`, string(ValueAt(obj, []string{"d"})))
	assert.Nil(t, ValueAt(obj, []string{"a", "z"}))
	assert.Nil(t, ValueAt(obj, []string{"d", "e"}), "a string has no members")
	assert.Equal(t, string(obj), string(ValueAt(obj, nil)))
}
