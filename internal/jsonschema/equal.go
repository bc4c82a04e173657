package jsonschema

import (
	"unicode/utf8"
)

// A constant is a value of "enum" or "const", prepared for comparing with instances.
type constant struct {
	kind string  // kindString, kindNumber, ...
	str  string  // for a string, its decoded content
	num  float64 // for a number, its value
	raw  []byte  // the JSON text, for messages and for comparing objects and arrays
}

// newConstant prepares raw, a JSON value already checked by the scanner.
func newConstant(raw []byte) constant {
	c := constant{kind: kindAt(raw, 0), raw: raw}
	switch c.kind {
	case kindString:
		end, escaped, _ := scanString(raw, 0)
		c.str = decodeString(raw[1:end-1], escaped)
	case kindNumber:
		c.num = parseNumber(raw)
	}
	return c
}

// matches reports whether the instance value data[i:end], of kind k, equals c. Strings are
// compared after decoding escapes, numbers by value (as float64: 1, 1.0 and 10e-1 are equal),
// arrays element by element and objects member by member in any order.
func (c *constant) matches(data []byte, i, end int, k string, escaped bool) bool {
	if k != c.kind {
		return false
	}
	switch k {
	case kindString:
		return stringEquals(data[i+1:end-1], escaped, c.str)
	case kindNumber:
		return parseNumber(data[i:end]) == c.num
	case kindBoolean, kindNull:
		return data[i] == c.raw[0]
	}
	return equalJSON(data[i:end], c.raw)
}

// stringEquals reports whether the JSON string content s (without quotes) decodes to want.
func stringEquals(s []byte, escaped bool, want string) bool {
	if !escaped && utf8.Valid(s) {
		return string(s) == want
	}
	var buf [64]byte
	return string(appendUnescaped(buf[:0], s)) == want
}

// decodeString returns the decoded content s (without quotes) of a JSON string.
func decodeString(s []byte, escaped bool) string {
	if !escaped && utf8.Valid(s) {
		return string(s)
	}
	return string(appendUnescaped(nil, s))
}

// equalJSON reports whether the JSON values a and b, both checked by the scanner and without
// surrounding whitespace, are equal in the sense of JSON Schema 2020-12 (Validation §4.2.2).
// Duplicate object keys count once, the last one winning. It allocates for objects only.
func equalJSON(a, b []byte) bool {
	ka, kb := kindAt(a, 0), kindAt(b, 0)
	if ka != kb {
		return false
	}
	switch ka {
	case kindString:
		ea, escA, _ := scanString(a, 0)
		eb, escB, _ := scanString(b, 0)
		return decodeString(a[1:ea-1], escA) == decodeString(b[1:eb-1], escB)
	case kindNumber:
		return parseNumber(a) == parseNumber(b)
	case kindBoolean, kindNull:
		return a[0] == b[0]
	case kindArray:
		ia, ib := newArrayIter(a, 0), newArrayIter(b, 0)
		for {
			sa, enda, okA := ia.next()
			sb, endb, okB := ib.next()
			if okA != okB {
				return false
			}
			if !okA {
				return true
			}
			if !equalJSON(a[sa:enda], b[sb:endb]) {
				return false
			}
		}
	}
	ma, mb := objectMap(a), objectMap(b)
	if len(ma) != len(mb) {
		return false
	}
	for k, va := range ma {
		vb, ok := mb[k]
		if !ok || !equalJSON(va, vb) {
			return false
		}
	}
	return true
}

// objectMap returns the members of the object data by decoded name, the last of duplicates
// winning.
func objectMap(data []byte) map[string][]byte {
	m := make(map[string][]byte)
	it := newObjectIter(data, 0)
	for {
		key, escaped, vs, ve, ok := it.next()
		if !ok {
			return m
		}
		m[decodeString(key, escaped)] = data[vs:ve]
	}
}

// objectIter walks the members of an object that the scanner has already checked.
type objectIter struct {
	data []byte
	i    int // the next key's quote, or past the end
	done bool
}

func newObjectIter(data []byte, i int) objectIter {
	i = skipSpace(data, i+1)
	return objectIter{data: data, i: i, done: data[i] == '}'}
}

// next returns the next member's key content (without quotes), whether it holds escapes, and
// the bounds of its value; ok is false past the last member.
func (it *objectIter) next() (key []byte, escaped bool, vstart, vend int, ok bool) {
	if it.done {
		return nil, false, 0, 0, false
	}
	kend, escaped, _ := scanString(it.data, it.i)
	key = it.data[it.i+1 : kend-1]
	vstart, _ = skipColon(it.data, kend)
	vend, _ = skipValue(it.data, vstart, 0)
	it.i, it.done, _ = nextMember(it.data, vend, '}')
	return key, escaped, vstart, vend, true
}

// arrayIter walks the elements of an array that the scanner has already checked.
type arrayIter struct {
	data []byte
	i    int
	done bool
}

func newArrayIter(data []byte, i int) arrayIter {
	i = skipSpace(data, i+1)
	return arrayIter{data: data, i: i, done: data[i] == ']'}
}

// next returns the bounds of the next element; ok is false past the last one.
func (it *arrayIter) next() (start, end int, ok bool) {
	if it.done {
		return 0, 0, false
	}
	start = it.i
	end, _ = skipValue(it.data, start, 0)
	it.i, it.done, _ = nextMember(it.data, end, ']')
	return start, end, true
}
