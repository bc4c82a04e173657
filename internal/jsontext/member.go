package jsontext

import "errors"

// ErrNotObject is returned by [EachMember] for JSON text that is valid but not an object. Its
// text is meant to follow a prefix such as "Invalid params: ".
var ErrNotObject = errors.New("expected an object")

// EachMember calls f with the key and raw value of each member of the JSON object obj, in
// order, until f returns false. Keys are unescaped as [AppendUnescaped] does (allocating only
// when they contain escapes); values alias obj. It returns a [*SyntaxError] if obj is not
// JSON text and [ErrNotObject] if it is not an object, before calling f.
//
// It lets a caller read a few members of an object without decoding the whole object.
func EachMember(obj []byte, f func(key, value []byte) bool) error {
	i := SkipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return ErrNotObject
	}
	end, err := SkipValue(obj, i, 0)
	if err == nil && SkipSpace(obj, end) != len(obj) {
		err = errAt("unexpected data after the object", end)
	}
	if err != nil {
		return err
	}
	i = SkipSpace(obj, i+1)
	for obj[i] != '}' {
		kend, escaped, _ := ScanString(obj, i)
		key := obj[i+1 : kend-1]
		if escaped {
			key = AppendUnescaped(nil, key)
		}
		i, _ = SkipColon(obj, kend)
		vend, _ := SkipValue(obj, i, 0)
		if !f(key, obj[i:vend]) {
			return nil
		}
		if i = SkipSpace(obj, vend); obj[i] == ',' {
			i = SkipSpace(obj, i+1)
		}
	}
	return nil
}

// EachMemberValid is [EachMember] for obj already known to be valid JSON text, such as the
// params of a message rpc.Decode accepted or what an encoder wrote: it reads obj once, where
// EachMember reads it once to validate and again to iterate. On text that is not a valid
// object it never panics: it returns the first error it meets, having called f for the members
// before it.
func EachMemberValid(obj []byte, f func(key, value []byte) bool) error {
	i := SkipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return ErrNotObject
	}
	i = SkipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return nil
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return errAt("expected a string as object key", i)
		}
		kend, escaped, err := ScanString(obj, i)
		if err != nil {
			return err
		}
		key := obj[i+1 : kend-1]
		if escaped {
			key = AppendUnescaped(nil, key)
		}
		if i, err = SkipColon(obj, kend); err != nil {
			return err
		}
		vend, err := SkipValue(obj, i, 0)
		if err != nil {
			return err
		}
		if !f(key, obj[i:vend]) {
			return nil
		}
		next, done, err := NextMember(obj, vend, '}')
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		i = next
	}
}

// ValueAt returns the raw value at path in the valid JSON object obj (each element a member
// name, one object deeper each), nil when there is none.
func ValueAt(obj []byte, path []string) []byte {
	for _, key := range path {
		var next []byte
		_ = EachMemberValid(obj, func(k, v []byte) bool {
			if string(k) == key {
				next = v
				return false
			}
			return true
		})
		if next == nil {
			return nil
		}
		obj = next
	}
	return obj
}
