package jsonschema

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

/*
Validation walks the instance bytes and the compiled schema together, once, in document order.

Each value is read by the schema that applies to it: a string's content is compared and counted in
place, a number's literal is checked for integrality on its digits and parsed only when a bound or
an enum needs its value, an object's members are looked up by their raw key bytes. A value no
keyword covers is skipped by the scanner, which still checks its syntax. Nothing is decoded into
Go values and nothing is allocated while the instance is valid; the exceptions are strings and
keys with escape sequences that a keyword has to read, and "enum"/"const" on objects.

Errors cost more, and only when they happen: the error value, its message, and a second pass over
the whole instance to tell a broken document (reported as invalid JSON, even when a schema error
came first) from a bad value. While the alternatives of anyOf, oneOf and not are tried the
validator is quiet: a failing alternative returns the shared errQuiet without building anything,
and only when all of them fail are they run again to say why.

Every application of a schema to a value costs a step from a budget proportional to the size of
the instance (see stepsFloor), so that a schema with nested alternatives cannot be made to run in
exponential time by an instance crafted for it.

Duplicate object keys are read like encoding/json reads them: the last one wins. An error in a
member's value is dropped when the same key appears again later in the object, where the later
value is checked instead.
*/

// Validate checks instance, the raw JSON text of a value (such as the "arguments" of a tools/call
// request), against the schema. It returns nil if the instance is valid JSON that satisfies the
// schema, and otherwise a [*ValidationError] for the first problem in document order: a value's
// own keywords first ("type", "enum", "const", bounds, "multipleOf", lengths, "pattern"), then
// its members (each name against "propertyNames", then its value) or elements in order, then
// "required" in the order of the keyword, "dependentRequired", "minProperties",
// "maxProperties", "dependentSchemas", or "minItems", "maxItems", "contains", "uniqueItems", and
// finally "$ref", "allOf", "anyOf", "oneOf", "not" and "if"/"then"/"else". An instance that is not valid JSON
// (including empty input: pass {} for absent arguments) gets an error that unwraps to
// [ErrInvalidJSON] and names the offset of the first bad byte. Of duplicate object keys the last
// one counts, as encoding/json decodes them.
//
// Validate does not allocate when the instance is valid, except to decode strings and keys with
// escape sequences that a keyword needs, to compare objects with "enum" or "const", for
// "uniqueItems" on arrays and "minProperties"/"maxProperties" on objects of more than 16 values
// or members, and for "multipleOf" on literals of more than 19 digits. It is
// safe for concurrent use and does not retain instance.
//
// Its work is bounded: a schema whose alternatives (anyOf, oneOf, not) re-read nested values
// exponentially often makes it give up with an error that says so ("too complex to validate")
// rather than run for ages on a crafted instance. Inferred schemas never come near the bound.
func (s *Schema) Validate(instance []byte) error {
	v := validator{data: instance, steps: stepsFloor + stepsPerByte*len(instance)}
	i := skipSpace(instance, 0)
	var end int
	var err *ValidationError
	if s == nil {
		end, err = skipValue(instance, i, 0)
	} else {
		end, err = v.value(s, i, 0)
	}
	if v.steps < 0 {
		// The result is void: a "not" may have turned the exhausted budget into a success.
		if serr := checkSyntax(instance); serr != nil {
			return serr
		}
		return &ValidationError{Message: "too complex to validate: the schema's alternatives read the same values too many times"}
	}
	if err == nil {
		if end = skipSpace(instance, end); end == len(instance) {
			return nil
		}
		err = syntaxError(instance, end)
	}
	if !err.syntax {
		if serr := checkSyntax(instance); serr != nil {
			return serr
		}
	}
	return err.finish()
}

// validator holds the state of one Validate call.
type validator struct {
	data  []byte
	quiet bool // trying an alternative: fail with errQuiet, build no message
	steps int  // schema applications left before giving up; see stepsFloor
}

// A Validate call applies schemas to values at most stepsFloor + stepsPerByte*len(instance)
// times. Ordinary schemas apply a few schemas per value, well below that; but alternatives
// (anyOf, oneOf, not) that descend into the same values each re-read them, and nested recursively
// they re-read them exponentially often: {"anyOf":[{"items":{"$ref":"#"},"minItems":5},
// {"items":{"$ref":"#"}}]} reads the innermost of 30 nested arrays 2^30 times. The budget bounds
// the time a crafted instance can cost to some tens of milliseconds plus a few microseconds a
// byte.
const (
	stepsFloor   = 1 << 20
	stepsPerByte = 64
)

// errQuiet is the failure of a quiet validator. It is never returned by Validate.
var errQuiet = &ValidationError{Message: "quiet failure"}

// fail returns an error for the value at data[at]; msg is only called when the validator is
// not quiet.
func (v *validator) fail(at int, keyword string, msg func() string) *ValidationError {
	if v.quiet {
		return errQuiet
	}
	return &ValidationError{Keyword: keyword, Message: msg(), at: at}
}

// value validates the value at data[i], inside depth containers, and returns the offset past it.
func (v *validator) value(s *Schema, i, depth int) (int, *ValidationError) {
	if v.steps--; v.steps < 0 {
		return i, errQuiet
	}
	if s.never {
		return i, v.fail(i, "false", func() string { return msgNotAllowed })
	}
	end := -1
	if s.hasOwn {
		e, err := v.own(s, i, depth)
		if err != nil {
			return i, err
		}
		end = e
	}
	if s.ref != nil {
		e, err := v.value(s.ref, i, depth)
		if err != nil {
			return i, err
		}
		end = e
	}
	for _, sub := range s.allOf {
		e, err := v.value(sub, i, depth)
		if err != nil {
			return i, err
		}
		end = e
	}
	if s.anyOf != nil {
		e, err := v.anyOf(s.anyOf, i, depth)
		if err != nil {
			return i, err
		}
		end = e
	}
	if s.oneOf != nil {
		e, err := v.oneOf(s.oneOf, i, depth)
		if err != nil {
			return i, err
		}
		end = e
	}
	if s.not != nil {
		quiet := v.quiet
		v.quiet = true
		_, err := v.value(s.not, i, depth)
		v.quiet = quiet
		if err == nil {
			return i, v.fail(i, "not", func() string {
				return "must not match the schema " + renderValue(s.not.raw)
			})
		}
		// A syntax error in the value made "not" hold; it is found when the value is skipped.
	}
	if s.ifSchema != nil {
		quiet := v.quiet
		v.quiet = true
		_, err := v.value(s.ifSchema, i, depth)
		v.quiet = quiet
		branch := s.thenSchema
		if err != nil {
			branch = s.elseSchema
		}
		if branch != nil {
			e, err := v.value(branch, i, depth)
			if err != nil {
				return i, err
			}
			end = e
		}
	}
	if end < 0 {
		return skipValue(v.data, i, depth)
	}
	return end, nil
}

// own validates the value at data[i] against the keywords of s that are not applicators.
func (v *validator) own(s *Schema, i, depth int) (int, *ValidationError) {
	switch kind := kindAt(v.data, i); kind {
	case kindString:
		return v.str(s, i)
	case kindNumber:
		return v.number(s, i)
	case kindObject:
		return v.object(s, i, depth)
	case kindArray:
		return v.array(s, i, depth)
	case kindBoolean, kindNull:
		end, err := scanLiteral(v.data, i)
		if err != nil {
			return end, err
		}
		t := typeBoolean
		if kind == kindNull {
			t = typeNull
		}
		if s.types != 0 && s.types&t == 0 {
			return i, v.typeError(i, s.types, s.typeNames, kind)
		}
		return end, v.constants(s, i, end, kind, false)
	}
	return i, syntaxError(v.data, i)
}

// typeError reports a value of kind got where the types named names were expected.
func (v *validator) typeError(at int, expected typeSet, names, got string) *ValidationError {
	if v.quiet {
		return errQuiet
	}
	return &ValidationError{
		at:       at,
		Keyword:  "type",
		Message:  "expected " + names + ", got " + got,
		expected: expected,
		got:      got,
	}
}

// constants checks "enum" and "const" on the value data[i:end].
func (v *validator) constants(s *Schema, i, end int, kind string, escaped bool) *ValidationError {
	if s.enum != nil {
		found := false
		for j := range s.enum {
			if s.enum[j].matches(v.data, i, end, kind, escaped) {
				found = true
				break
			}
		}
		if !found {
			return v.fail(i, "enum", func() string {
				return "must be one of " + s.enumNames + " (got " + renderValue(v.data[i:end]) + ")"
			})
		}
	}
	if s.hasConst && !s.constant.matches(v.data, i, end, kind, escaped) {
		return v.fail(i, "const", func() string {
			return "must be " + renderValue(s.constant.raw) + " (got " + renderValue(v.data[i:end]) + ")"
		})
	}
	return nil
}

func (v *validator) str(s *Schema, i int) (int, *ValidationError) {
	if s.types != 0 && s.types&typeString == 0 {
		return i, v.typeError(i, s.types, s.typeNames, kindString)
	}
	end, escaped, err := scanString(v.data, i)
	if err != nil {
		return end, err
	}
	if err := v.constants(s, i, end, kindString, escaped); err != nil {
		return i, err
	}
	content := v.data[i+1 : end-1]
	if s.minLength >= 0 || s.maxLength >= 0 {
		n := stringLength(content, escaped)
		if s.minLength >= 0 && n < s.minLength {
			return i, v.fail(i, "minLength", func() string {
				return "must be at least " + plural(s.minLength, "character") + " long (got " + strconv.Itoa(n) + ")"
			})
		}
		if s.maxLength >= 0 && n > s.maxLength {
			return i, v.fail(i, "maxLength", func() string {
				return "must be at most " + plural(s.maxLength, "character") + " long (got " + strconv.Itoa(n) + ")"
			})
		}
	}
	if s.pattern != nil {
		var ok bool
		if escaped {
			ok = s.pattern.MatchString(decodeString(content, true))
		} else {
			ok = s.pattern.Match(content)
		}
		if !ok {
			return i, v.fail(i, "pattern", func() string {
				return "must match the pattern " + strconv.Quote(s.pattern.String()) + " (got " + renderValue(v.data[i:end]) + ")"
			})
		}
	}
	return end, nil
}

func (v *validator) number(s *Schema, i int) (int, *ValidationError) {
	end, err := scanNumber(v.data, i)
	if err != nil {
		return end, err
	}
	lit := v.data[i:end]
	if s.types != 0 && s.types&typeNumber == 0 {
		if s.types&typeInteger == 0 {
			return i, v.typeError(i, s.types, s.typeNames, kindNumber)
		}
		if !isIntegral(lit) {
			if v.quiet {
				return i, errQuiet
			}
			return i, v.typeError(i, s.types, s.typeNames, "number "+renderValue(lit))
		}
	}
	if err := v.constants(s, i, end, kindNumber, false); err != nil {
		return i, err
	}
	if s.boundsSet != [4]bool{} {
		f := parseNumber(lit)
		for b, set := range s.boundsSet {
			if !set {
				continue
			}
			bound := s.bounds[b]
			var ok bool
			switch b {
			case boundMinimum:
				ok = f >= bound
			case boundExclusiveMinimum:
				ok = f > bound
			case boundMaximum:
				ok = f <= bound
			default:
				ok = f < bound
			}
			if !ok {
				return i, v.fail(i, boundKeywords[b], func() string {
					return "must be " + boundOps[b] + " " + s.boundsText[b] + " (got " + renderValue(lit) + ")"
				})
			}
		}
	}
	if s.multipleOf != nil && !parseDecimal(lit).isMultipleOf(*s.multipleOf) {
		return i, v.fail(i, "multipleOf", func() string {
			return "must be a multiple of " + string(s.multipleOf.lit) + " (got " + renderValue(lit) + ")"
		})
	}
	return end, nil
}

func (v *validator) object(s *Schema, i, depth int) (int, *ValidationError) {
	if s.types != 0 && s.types&typeObject == 0 {
		return i, v.typeError(i, s.types, s.typeNames, kindObject)
	}
	depth++
	if depth > maxDepth {
		return i, depthError(i)
	}
	if s.enum != nil || s.hasConst {
		end, err := skipObject(v.data, i, depth)
		if err != nil {
			return end, err
		}
		if err := v.constants(s, i, end, kindObject, false); err != nil {
			return i, err
		}
	}
	var seen uint64     // slots of the members seen, when there are at most 64
	var seenMany []bool // otherwise
	if s.slots > 64 {
		seenMany = make([]bool, s.slots)
	}

	data := v.data
	start := i
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			if i >= len(data) || data[i] != '"' {
				return i, syntaxError(data, i)
			}
			kend, escaped, err := scanString(data, i)
			if err != nil {
				return kend, err
			}
			key := data[i+1 : kend-1]
			if s.propertyNames != nil {
				if _, err := v.value(s.propertyNames, i, depth); err != nil {
					if err != errQuiet {
						err = &ValidationError{at: err.at, Keyword: "propertyNames", Message: "invalid name: " + err.Message}
						err.push(pathSeg{raw: key, escaped: escaped, index: -1})
					}
					return i, err
				}
			}
			vs, err := skipColon(data, kend)
			if err != nil {
				return vs, err
			}
			m := s.lookup(key, escaped)
			end, err := v.member(s, m, key, escaped, vs, depth)
			if err != nil {
				if err.syntax {
					return end, err
				}
				// The last of duplicate keys wins: if this one comes again, drop the error.
				vend, serr := skipValue(data, vs, depth)
				if serr != nil {
					return vend, serr
				}
				if !keyLater(data, vend, key, escaped) {
					if err != errQuiet {
						err.push(pathSeg{raw: key, escaped: escaped, index: -1})
					}
					return i, err
				}
				end = vend
			}
			if m >= 0 {
				if slot := s.members[m].slot; slot >= 64 {
					seenMany[slot] = true
				} else if slot >= 0 {
					seen |= 1 << slot
				}
			}
			var done bool
			if i, done, err = nextMember(data, end, '}'); err != nil {
				return i, err
			} else if done {
				break
			}
		}
	}
	has := func(j int) bool {
		slot := s.members[j].slot
		return (slot < 64 && seen&(1<<slot) != 0) || (slot >= 64 && seenMany[slot])
	}
	missing := func(j int) *ValidationError {
		if v.quiet {
			return errQuiet
		}
		err := &ValidationError{at: i, Keyword: "required", Message: "is required"}
		err.push(pathSeg{key: s.members[j].name, index: -1})
		return err
	}
	for _, j := range s.required {
		if !has(j) {
			return i, missing(j)
		}
	}
	for _, d := range s.dependentRequired {
		if !has(d.member) {
			continue
		}
		for _, j := range d.names {
			if !has(j) {
				err := missing(j)
				if err != errQuiet {
					err.Keyword = "dependentRequired"
					err.Message = "is required when " + strconv.Quote(s.members[d.member].name) + " is given"
				}
				return i, err
			}
		}
	}
	if s.minProperties >= 0 || s.maxProperties >= 0 {
		if err := v.propertyCount(s, start, i); err != nil {
			return i, err
		}
	}
	for _, d := range s.dependentSchemas {
		if has(d.member) {
			if _, err := v.value(d.schema, start, depth-1); err != nil {
				return i, err
			}
		}
	}
	return i, nil
}

// lookup returns the index of the member named by the raw key, or -1.
func (s *Schema) lookup(key []byte, escaped bool) int {
	if len(s.members) == 0 {
		return -1
	}
	if escaped || !utf8.Valid(key) {
		name := decodeString(key, escaped)
		key = []byte(name)
	}
	if s.memberIndex != nil {
		if j, ok := s.memberIndex[string(key)]; ok {
			return j
		}
		return -1
	}
	for j := range s.members {
		if s.members[j].name == string(key) {
			return j
		}
	}
	return -1
}

// member validates the value at data[vs] of the member with the raw key, which is s.members[m]
// (m >= 0) or not a named member at all: properties, then patternProperties, then
// additionalProperties if neither applied.
func (v *validator) member(s *Schema, m int, key []byte, escaped bool, vs, depth int) (int, *ValidationError) {
	end := -1
	matched := false
	if m >= 0 && s.members[m].schema != nil {
		matched = true
		e, err := v.value(s.members[m].schema, vs, depth)
		if err != nil {
			return e, err
		}
		end = e
	}
	if len(s.patternProperties) > 0 {
		name := key
		if escaped {
			name = []byte(decodeString(key, true))
		}
		for _, pp := range s.patternProperties {
			if !pp.re.Match(name) {
				continue
			}
			matched = true
			e, err := v.value(pp.schema, vs, depth)
			if err != nil {
				return e, err
			}
			end = e
		}
	}
	if !matched && s.additional != nil {
		if s.additional.never {
			return vs, v.fail(vs, "additionalProperties", func() string { return msgNotAllowed })
		}
		return v.value(s.additional, vs, depth)
	}
	if end < 0 {
		return skipValue(v.data, vs, depth)
	}
	return end, nil
}

// keyLater reports whether the object member ending at data[i] is followed, in the same object,
// by a member with the same key.
func keyLater(data []byte, i int, key []byte, escaped bool) bool {
	var name string
	decoded := false
	for {
		next, done, err := nextMember(data, i, '}')
		if err != nil || done || next >= len(data) || data[next] != '"' {
			return false
		}
		kend, esc, err := scanString(data, next)
		if err != nil {
			return false
		}
		k := data[next+1 : kend-1]
		if !escaped && !esc {
			if string(k) == string(key) {
				return true
			}
		} else {
			if !decoded {
				name, decoded = decodeString(key, escaped), true
			}
			if decodeString(k, esc) == name {
				return true
			}
		}
		vs, err := skipColon(data, kend)
		if err != nil {
			return false
		}
		if i, err = skipValue(data, vs, 0); err != nil {
			return false
		}
	}
}

func (v *validator) array(s *Schema, i, depth int) (int, *ValidationError) {
	if s.types != 0 && s.types&typeArray == 0 {
		return i, v.typeError(i, s.types, s.typeNames, kindArray)
	}
	depth++
	if depth > maxDepth {
		return i, depthError(i)
	}
	if s.enum != nil || s.hasConst {
		end, err := skipArray(v.data, i, depth)
		if err != nil {
			return end, err
		}
		if err := v.constants(s, i, end, kindArray, false); err != nil {
			return i, err
		}
	}
	data := v.data
	n := 0
	contained := 0 // the elements that match "contains"
	start := i
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		i++
	} else {
		for {
			sub := s.items
			if n < len(s.prefixItems) {
				sub = s.prefixItems[n]
			}
			var end int
			var err *ValidationError
			if sub != nil {
				end, err = v.value(sub, i, depth)
			} else {
				end, err = skipValue(data, i, depth)
			}
			if err != nil {
				if !err.syntax && err != errQuiet {
					err.push(pathSeg{index: n})
				}
				return end, err
			}
			if s.contains != nil {
				quiet := v.quiet
				v.quiet = true
				if _, cerr := v.value(s.contains, i, depth); cerr == nil {
					contained++
				}
				v.quiet = quiet
			}
			n++
			var done bool
			if i, done, err = nextMember(data, end, ']'); err != nil {
				return i, err
			} else if done {
				break
			}
		}
	}
	if s.minItems >= 0 && n < s.minItems {
		return i, v.fail(i, "minItems", func() string {
			return "must have at least " + plural(s.minItems, "item") + " (got " + strconv.Itoa(n) + ")"
		})
	}
	if s.maxItems >= 0 && n > s.maxItems {
		return i, v.fail(i, "maxItems", func() string {
			return "must have at most " + plural(s.maxItems, "item") + " (got " + strconv.Itoa(n) + ")"
		})
	}
	if s.contains != nil {
		if contained < s.minContains {
			return i, v.fail(i, "contains", func() string {
				return "must contain at least " + plural(s.minContains, "item") + " matching " + renderValue(s.contains.raw) +
					" (got " + strconv.Itoa(contained) + ")"
			})
		}
		if s.maxContains >= 0 && contained > s.maxContains {
			return i, v.fail(i, "maxContains", func() string {
				return "must contain at most " + plural(s.maxContains, "item") + " matching " + renderValue(s.contains.raw) +
					" (got " + strconv.Itoa(contained) + ")"
			})
		}
	}
	if s.uniqueItems && n > 1 {
		a, b := v.duplicateItems(start)
		if v.steps < 0 {
			return i, errQuiet
		}
		if a >= 0 {
			return i, v.fail(i, "uniqueItems", func() string {
				return "must not contain duplicates (items " + strconv.Itoa(a) + " and " + strconv.Itoa(b) + " are equal)"
			})
		}
	}
	return i, nil
}

// anyOf validates the value at data[i] against alternatives until one holds.
func (v *validator) anyOf(alts []*Schema, i, depth int) (int, *ValidationError) {
	quiet := v.quiet
	v.quiet = true
	for _, alt := range alts {
		if end, err := v.value(alt, i, depth); err == nil {
			v.quiet = quiet
			return end, nil
		}
	}
	v.quiet = quiet
	if quiet {
		return i, errQuiet
	}
	return i, v.explain("anyOf", alts, i, depth)
}

// oneOf validates the value at data[i] against all alternatives; exactly one must hold.
func (v *validator) oneOf(alts []*Schema, i, depth int) (int, *ValidationError) {
	quiet := v.quiet
	v.quiet = true
	matched := [2]int{-1, -1}
	end := i
	for j, alt := range alts {
		e, err := v.value(alt, i, depth)
		if err != nil {
			continue
		}
		if matched[0] >= 0 {
			matched[1] = j
			break
		}
		matched[0], end = j, e
	}
	v.quiet = quiet
	switch {
	case matched[0] >= 0 && matched[1] < 0:
		return end, nil
	case quiet:
		return i, errQuiet
	case matched[0] < 0:
		return i, v.explain("oneOf", alts, i, depth)
	}
	return i, &ValidationError{
		at:      i,
		Keyword: "oneOf",
		Message: "must match exactly one of the alternatives, but matches alternatives " +
			strconv.Itoa(matched[0]+1) + " and " + strconv.Itoa(matched[1]+1),
	}
}

// explain builds the error for a value that no alternative accepts, running them again loudly.
// The error of the alternative that got furthest into the value wins, being the most specific:
// for a tagged union, the alternative whose tag matched. When all fail on the value itself, type
// mismatches merge ("expected integer or string, got boolean") and other errors are listed.
func (v *validator) explain(keyword string, alts []*Schema, i, depth int) *ValidationError {
	errs := make([]*ValidationError, 0, len(alts))
	for _, alt := range alts {
		if _, err := v.value(alt, i, depth); err != nil {
			if err.syntax {
				return err
			}
			errs = append(errs, err)
		}
	}
	best := errs[0]
	for _, err := range errs[1:] {
		if err.at > best.at || (err.at == best.at && len(err.segs) > len(best.segs)) {
			best = err
		}
	}
	if len(best.segs) > 0 {
		return best
	}
	var expected typeSet
	for _, err := range errs {
		if err.Keyword != "type" {
			expected = 0
			break
		}
		expected |= err.expected
	}
	if expected != 0 {
		return v.typeError(i, expected, expected.String(), errs[0].got)
	}
	var b strings.Builder
	b.WriteString("must match one of the alternatives, but: ")
	for j, err := range errs {
		if j > 0 {
			b.WriteString("; ")
		}
		b.WriteString("(" + strconv.Itoa(j+1) + ") " + err.Message)
	}
	return &ValidationError{Keyword: keyword, Message: b.String(), at: i}
}

// plural renders a count with its noun: "1 item", "2 items".
func plural(n int, noun string) string {
	s := strconv.Itoa(n) + " " + noun
	if n != 1 {
		s += "s"
	}
	return s
}
