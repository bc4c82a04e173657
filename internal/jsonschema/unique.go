package jsonschema

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

/*
"uniqueItems" and the member counts of "minProperties"/"maxProperties" ask which values of a list
are equal. Comparing every pair costs n² comparisons, which a long array turns into seconds; so
each value gets a hash that equal values share (hashValue), the list is sorted by hash, and only
values of the same hash are compared, with equalJSON. Equality is JSON Schema's (Validation §
4.2.2): strings after decoding escapes, numbers by value, arrays in order, objects in any order,
the last of a name given twice winning.

An object's hash sums a hash of each member, name and value together, so that the order of the
members does not matter, leaving out the members whose name comes again later. Names whose hashes
collide without being equal (FNV is no defence against a crafted collision) would make that
unreliable; such an object gets the same hash as every other, and is compared in pairs. Every
comparison costs a step of the validator's budget, so crafted collisions cost bounded time. Lists
of up to smallList values are sorted in an array on the stack; longer ones allocate.
*/

// smallList is the length up to which hashed lists need no allocation.
const smallList = 16

// hashedValue is a value of a list, or an object member's name: its hash and where it is.
type hashedValue struct {
	hash       uint64
	start, end int // the value, or the content of the name between its quotes
	index      int // its index in the list
	value      int // for a name, where the member's value starts
}

// FNV-1a.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

func fnvUint(h, v uint64) uint64 {
	for range 8 {
		h = (h ^ (v & 0xff)) * fnvPrime
		v >>= 8
	}
	return h
}

// hashValue returns the hash of the value data[i:end], checked by the scanner; equal values have
// equal hashes.
func hashValue(data []byte, i, end int) uint64 {
	switch kind := kindAt(data, i); kind {
	case kindString:
		h := fnvUint(fnvOffset, 's')
		content := data[i+1 : end-1]
		escaped := slices.Contains(content, '\\')
		return hashString(h, content, escaped)
	case kindNumber:
		f := parseNumber(data[i:end])
		if f == 0 {
			f = 0 // -0 equals 0
		}
		return fnvUint(fnvUint(fnvOffset, 'n'), math.Float64bits(f))
	case kindArray:
		h := fnvUint(fnvOffset, 'a')
		it := newArrayIter(data, i)
		for {
			es, ee, ok := it.next()
			if !ok {
				return h
			}
			h = fnvUint(h, hashValue(data, es, ee))
		}
	case kindObject:
		return hashObject(data, i)
	default: // true, false, null
		return fnvUint(fnvOffset, uint64(data[i]))
	}
}

// hashString hashes a string's content by its decoded text, as decodeString gives it.
func hashString(h uint64, content []byte, escaped bool) uint64 {
	var buf [64]byte
	if escaped || !utf8.Valid(content) {
		content = appendUnescaped(buf[:0], content)
	}
	return fnvBytes(h, content)
}

// objectHashFallback is the hash of the objects whose names collide (see the note above).
var objectHashFallback = fnvUint(fnvOffset, 'o')

// hashObject returns the hash of the object at data[i].
func hashObject(data []byte, i int) uint64 {
	var stack [smallList]hashedValue
	list := stack[:0]
	it := newObjectIter(data, i)
	for n := 0; ; n++ {
		ks := it.i
		key, escaped, vs, _, ok := it.next()
		if !ok {
			break
		}
		list = append(list, hashedValue{hash: hashString(fnvOffset, key, escaped), start: ks + 1, end: ks + 1 + len(key), index: n, value: vs})
	}
	slices.SortFunc(list, func(a, b hashedValue) int { return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.index, b.index)) })
	sum := uint64(0)
	for j, m := range list {
		if j+1 < len(list) && list[j+1].hash == m.hash {
			if !sameKey(data, m, list[j+1]) {
				return objectHashFallback
			}
			continue // the later member of the name wins
		}
		ve, _ := skipValue(data, m.value, 0)
		sum += fnvUint(fnvUint(fnvOffset, m.hash), hashValue(data, m.value, ve))
	}
	return fnvUint(fnvUint(fnvOffset, 'O'), sum)
}

// firstDuplicate sorts list by hash and returns the indices (in the original order) of two
// equal values, or -1, -1: of each run of values with the same hash, the first equal pair, and
// of those the one whose second value comes first. Every comparison costs a step of v's budget;
// when it runs out, the result is -1, -1 and v.steps < 0.
func (v *validator) firstDuplicate(list []hashedValue, equal func(a, b hashedValue) bool) (int, int) {
	slices.SortFunc(list, func(a, b hashedValue) int {
		return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.index, b.index))
	})
	first, second := -1, -1
	for i := 0; i < len(list); {
		j := i + 1
		for j < len(list) && list[j].hash == list[i].hash {
			j++
		}
	run:
		for a := i; a < j; a++ {
			for b := a + 1; b < j; b++ {
				if v.steps--; v.steps < 0 {
					return -1, -1
				}
				if equal(list[a], list[b]) {
					if second < 0 || list[b].index < second {
						first, second = list[a].index, list[b].index
					}
					break run
				}
			}
		}
		i = j
	}
	return first, second
}

// duplicateItems returns the indices of the first two equal elements of the array at data[i],
// or -1, -1.
func (v *validator) duplicateItems(i int) (int, int) {
	var stack [smallList]hashedValue
	list := stack[:0]
	it := newArrayIter(v.data, i)
	for n := 0; ; n++ {
		es, ee, ok := it.next()
		if !ok {
			break
		}
		list = append(list, hashedValue{hash: hashValue(v.data, es, ee), start: es, end: ee, index: n})
	}
	return v.firstDuplicate(list, func(a, b hashedValue) bool {
		return equalJSON(v.data[a.start:a.end], v.data[b.start:b.end])
	})
}

// propertyCount checks "minProperties" and "maxProperties" on the object data[start:end].
func (v *validator) propertyCount(s *Schema, start, end int) *ValidationError {
	n := v.countMembers(start)
	if v.steps < 0 {
		return errQuiet
	}
	if s.minProperties >= 0 && n < s.minProperties {
		return v.fail(start, "minProperties", func() string {
			return "must have at least " + plural(s.minProperties, "member") + " (got " + strconv.Itoa(n) + ")"
		})
	}
	if s.maxProperties >= 0 && n > s.maxProperties {
		return v.fail(start, "maxProperties", func() string {
			return "must have at most " + plural(s.maxProperties, "member") + " (got " + strconv.Itoa(n) + ")"
		})
	}
	return nil
}

// countMembers returns the number of distinct names of the object at data[i]: a name given
// twice counts once, as the last of them is the member. With the budget spent, it returns 0 and
// v.steps < 0.
func (v *validator) countMembers(i int) int {
	var stack [smallList]hashedValue
	list := stack[:0]
	it := newObjectIter(v.data, i)
	for n := 0; ; n++ {
		ks := it.i // the key's opening quote
		key, escaped, _, _, ok := it.next()
		if !ok {
			break
		}
		list = append(list, hashedValue{hash: hashString(fnvOffset, key, escaped), start: ks + 1, end: ks + 1 + len(key), index: n})
	}
	slices.SortFunc(list, func(a, b hashedValue) int { return cmp.Compare(a.hash, b.hash) })
	count := len(list)
	for i := 0; i < len(list); {
		j := i + 1
		for j < len(list) && list[j].hash == list[i].hash {
			j++
		}
		// Of the names in list[i:j], count those equal to a later one only once.
		for a := i; a < j; a++ {
			for b := a + 1; b < j; b++ {
				if v.steps--; v.steps < 0 {
					return 0
				}
				if sameKey(v.data, list[a], list[b]) {
					count--
					break
				}
			}
		}
		i = j
	}
	return count
}

// sameKey reports whether two keys in data, located by the content between their quotes, are
// the same name.
func sameKey(data []byte, a, b hashedValue) bool {
	ka, kb := data[a.start:a.end], data[b.start:b.end]
	ea, eb := slices.Contains(ka, '\\'), slices.Contains(kb, '\\')
	if !ea && !eb && utf8.Valid(ka) && utf8.Valid(kb) {
		return string(ka) == string(kb)
	}
	return decodeString(ka, ea) == decodeString(kb, eb)
}
