package jsonschema

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Compile parses a JSON Schema document, such as a tool's inputSchema as its author wrote it, and
// returns its compiled form. raw is copied: the caller may reuse it. [Schema.Raw] returns the
// copy, byte for byte.
//
// The document is read as JSON Schema draft 2020-12, the MCP default (MCP 2025-11-25, Basic §
// JSON Schema Usage: schemas without $schema are 2020-12). The keywords of the package doc are
// compiled; the annotations and keywords outside the 2020-12 vocabularies are kept and ignored;
// the few 2020-12 keywords not implemented ($dynamicRef, $recursiveRef, and unevaluatedProperties
// and unevaluatedItems beside in-place applicators) make Compile fail. A few forms of earlier drafts that MCP tools still
// publish (zod-to-json-schema emits draft-07) are read too: "definitions" like "$defs", an array
// "items" like "prefixItems" (with "additionalItems" for the rest), and a boolean
// "exclusiveMinimum"/"exclusiveMaximum" that makes "minimum"/"maximum" exclusive. "$schema" is
// not used to tell drafts apart.
//
// The error is a [*SchemaError] naming the JSON Pointer of the first offending keyword, for a
// document that is not JSON, is not an object or a boolean, has a keyword of the wrong form
// ("type": 5, "minLength": -1, "multipleOf": 0), a "pattern" that is not an RE2 regular
// expression, a "$ref" that does not resolve, references that loop back without reaching a value
// ({"$ref": "#"}), or a keyword that is refused.
func Compile(raw []byte) (*Schema, error) {
	doc := slices.Clone(raw)
	if err := checkSyntax(doc); err != nil {
		return nil, &SchemaError{Message: "not valid JSON: " + strings.TrimPrefix(err.Message, "invalid JSON: ")}
	}
	c := &compiler{
		doc:      doc,
		root:     skipSpace(doc, 0),
		byOffset: make(map[int]*Schema),
		pointers: make(map[*Schema]string),
		anchors:  make(map[string]*Schema),
	}
	root, err := c.schema(c.root, "")
	if err != nil {
		return nil, err
	}
	for len(c.refs) > 0 { // resolving may compile more of the document, with refs of its own
		r := c.refs[0]
		c.refs = c.refs[1:]
		if r.from.ref, err = c.resolve(r); err != nil {
			return nil, err
		}
	}
	if err := c.checkCycles(); err != nil {
		return nil, err
	}
	root.raw = doc
	return root, nil
}

// compiler holds the state of one Compile call.
type compiler struct {
	doc      []byte
	root     int                // offset of the root schema in doc
	rootID   string             // the root's "$id", to accept refs that spell it out
	byOffset map[int]*Schema    // every compiled schema by the offset of its first byte
	pointers map[*Schema]string // their JSON Pointers, for errors
	anchors  map[string]*Schema // "$anchor" names
	refs     []pendingRef
}

type pendingRef struct {
	from    *Schema
	ref     string
	pointer string // of the "$ref" keyword
}

func (c *compiler) errorf(pointer string, format string, args ...any) error {
	return &SchemaError{Pointer: pointer, Message: fmt.Sprintf(format, args...)}
}

// schema compiles the schema at doc[i], whose JSON Pointer is ptr.
func (c *compiler) schema(i int, ptr string) (*Schema, error) {
	if s, ok := c.byOffset[i]; ok {
		return s, nil
	}
	end, _ := skipValue(c.doc, i, 0)
	s := &Schema{raw: c.doc[i:end], minLength: -1, maxLength: -1, minItems: -1, maxItems: -1,
		minContains: 1, maxContains: -1, minProperties: -1, maxProperties: -1}
	c.byOffset[i] = s
	c.pointers[s] = ptr
	switch kind := kindAt(c.doc, i); kind {
	case kindBoolean:
		s.never = c.doc[i] == 'f'
		return s, nil
	case kindObject:
	default:
		return nil, c.errorf(ptr, "a schema must be an object or a boolean, got %s", kind)
	}

	var (
		itemsArray     bool
		additionalItem *Schema
		draft4Excl     [4]bool
		required       []string
		depRequired    []pendingDependency
		depSchemas     []pendingDependency
		ifThenElse     [3]*Schema
		unevaluated    []pendingUnevaluated
		hasRef         bool
	)
	it := newObjectIter(c.doc, i)
	for {
		key, escaped, vs, ve, ok := it.next()
		if !ok {
			break
		}
		kw := decodeString(key, escaped)
		kptr := ptr + "/" + escapePointerToken(kw)
		val := c.doc[vs:ve]
		kind := kindAt(val, 0)
		var err error
		switch kw {
		case "type":
			err = c.compileType(s, val, kptr)
			s.hasOwn = true
		case "enum":
			if kind != kindArray {
				return nil, c.errorf(kptr, "must be an array, got %s", kind)
			}
			s.enum = s.enum[:0]
			var names []string
			ai := newArrayIter(val, 0)
			for {
				es, ee, ok := ai.next()
				if !ok {
					break
				}
				s.enum = append(s.enum, newConstant(val[es:ee]))
				names = append(names, renderValue(val[es:ee]))
			}
			s.enumNames = listValues(names)
			if s.enum == nil {
				s.enum = []constant{} // an empty enum matches nothing
			}
			s.hasOwn = true
		case "const":
			s.constant, s.hasConst = newConstant(val), true
			s.hasOwn = true
		case "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum":
			b := slices.Index(boundKeywords[:], kw)
			switch kind {
			case kindNumber:
				s.bounds[b], s.boundsSet[b], s.boundsText[b] = parseNumber(val), true, string(val)
				draft4Excl[b] = false
			case kindBoolean:
				if b == boundMinimum || b == boundMaximum {
					return nil, c.errorf(kptr, "must be a number, got boolean")
				}
				// Draft 4: a boolean that makes minimum or maximum exclusive.
				draft4Excl[b] = val[0] == 't'
				s.boundsSet[b] = false
			default:
				return nil, c.errorf(kptr, "must be a number, got %s", kind)
			}
			s.hasOwn = true
		case "multipleOf":
			d := parseDecimal(val)
			if kind != kindNumber || val[0] == '-' || d.mant == 0 && !d.long {
				return nil, c.errorf(kptr, "must be a number greater than 0, got %s", renderValue(val))
			}
			s.multipleOf = &d
			s.hasOwn = true
		case "minLength", "maxLength", "minItems", "maxItems", "minContains", "maxContains", "minProperties", "maxProperties":
			n, err := c.count(val, kptr)
			if err != nil {
				return nil, err
			}
			switch kw {
			case "minLength":
				s.minLength = n
			case "maxLength":
				s.maxLength = n
			case "minItems":
				s.minItems = n
			case "maxItems":
				s.maxItems = n
			case "minContains":
				s.minContains = n
			case "maxContains":
				s.maxContains = n
			case "minProperties":
				s.minProperties = n
			default:
				s.maxProperties = n
			}
			s.hasOwn = true
		case "uniqueItems":
			if kind != kindBoolean {
				return nil, c.errorf(kptr, "must be a boolean, got %s", kind)
			}
			s.uniqueItems = val[0] == 't'
			s.hasOwn = true
		case "contains":
			s.contains, err = c.schema(vs, kptr)
			s.hasOwn = true
		case "propertyNames":
			s.propertyNames, err = c.schema(vs, kptr)
			s.hasOwn = true
		case "dependentRequired":
			depRequired, err = c.dependentRequired(val, kptr, depRequired)
			s.hasOwn = true
		case "dependentSchemas":
			depSchemas, err = c.dependentSchemas(val, vs, kptr, depSchemas)
			s.hasOwn = true
		case "dependencies":
			// Draft 7: an array is dependentRequired, a schema dependentSchemas.
			if kind != kindObject {
				return nil, c.errorf(kptr, "must be an object, got %s", kind)
			}
			it := newObjectIter(val, 0)
			for {
				key, escaped, ds, de, ok := it.next()
				if !ok {
					break
				}
				name := decodeString(key, escaped)
				dptr := kptr + "/" + escapePointerToken(name)
				if kindAt(val, ds) == kindArray {
					names, err := stringArray(val[ds:de])
					if err != nil {
						return nil, c.errorf(dptr, "%v", err)
					}
					depRequired = append(depRequired, pendingDependency{name: name, names: names})
					continue
				}
				sub, err := c.schema(vs+ds, dptr)
				if err != nil {
					return nil, err
				}
				depSchemas = append(depSchemas, pendingDependency{name: name, schema: sub})
			}
			s.hasOwn = true
		case "if", "then", "else":
			ifThenElse[slices.Index([]string{"if", "then", "else"}, kw)], err = c.schema(vs, kptr)
		case "unevaluatedProperties", "unevaluatedItems":
			// Implemented where no in-place applicator can evaluate members or items, which
			// is checked below; a schema that asserts nothing is harmless anywhere.
			if assertsNothing(val) {
				break
			}
			var sub *Schema
			if sub, err = c.schema(vs, kptr); err == nil {
				unevaluated = append(unevaluated, pendingUnevaluated{keyword: kw, schema: sub, pointer: kptr})
			}
		case "$dynamicRef", "$recursiveRef":
			// Not implemented. Ignoring them would accept what the author meant to refuse, so
			// the schema is refused instead.
			return nil, c.errorf(kptr, "keyword %q is not supported by this validator; the schema is refused rather than the keyword ignored", kw)
		case "pattern":
			if kind != kindString {
				return nil, c.errorf(kptr, "must be a string, got %s", kind)
			}
			if s.pattern, err = c.regexp(decodeString(val[1:len(val)-1], true), kptr); err != nil {
				return nil, err
			}
			s.hasOwn = true
		case "items":
			s.hasOwn = true
			if kind == kindArray {
				itemsArray = true
				s.prefixItems, err = c.schemaArray(val, vs, kptr, false)
				break
			}
			itemsArray = false
			s.items, err = c.schema(vs, kptr)
		case "prefixItems":
			s.prefixItems, err = c.schemaArray(val, vs, kptr, false)
			s.hasOwn = true
		case "additionalItems":
			additionalItem, err = c.schema(vs, kptr)
		case "properties":
			err = c.compileProperties(s, val, vs, kptr)
			s.hasOwn = true
		case "patternProperties":
			err = c.compilePatternProperties(s, val, vs, kptr)
			s.hasOwn = true
		case "additionalProperties":
			s.additional, err = c.schema(vs, kptr)
			s.hasOwn = true
		case "required":
			if required, err = stringArray(val); err != nil {
				return nil, c.errorf(kptr, "%v", err)
			}
			s.hasOwn = true
		case "$ref":
			if kind != kindString {
				return nil, c.errorf(kptr, "must be a string, got %s", kind)
			}
			c.refs = append(c.refs, pendingRef{from: s, ref: decodeString(val[1:len(val)-1], true), pointer: kptr})
			hasRef = true
		case "$defs", "definitions":
			err = c.compileDefs(val, vs, kptr)
		case "allOf", "anyOf", "oneOf":
			var list []*Schema
			if list, err = c.schemaArray(val, vs, kptr, true); err != nil {
				return nil, err
			}
			switch kw {
			case "allOf":
				s.allOf = list
			case "anyOf":
				s.anyOf = list
			default:
				s.oneOf = list
			}
		case "not":
			s.not, err = c.schema(vs, kptr)
		case "$anchor", "$dynamicAnchor":
			// A $dynamicAnchor is also a plain anchor (Core § 8.2.3.2); $dynamicRef, which would
			// make it dynamic, is refused.
			if kind != kindString {
				return nil, c.errorf(kptr, "must be a string, got %s", kind)
			}
			c.anchors[decodeString(val[1:len(val)-1], true)] = s
		case "$id":
			if kind != kindString {
				return nil, c.errorf(kptr, "must be a string, got %s", kind)
			}
			if i == c.root {
				c.rootID = strings.TrimSuffix(decodeString(val[1:len(val)-1], true), "#")
			}
		case "$schema", "title", "description", "format", "$comment", "contentEncoding", "contentMediaType":
			// Annotations: kept in the document, not asserted; only their form is checked.
			if kind != kindString {
				return nil, c.errorf(kptr, "must be a string, got %s", kind)
			}
		}
		if err != nil {
			return nil, err
		}
	}

	if itemsArray && additionalItem != nil {
		s.items = additionalItem
	}
	for _, u := range unevaluated {
		// Without an in-place applicator, the members unevaluatedProperties sees are those
		// that neither properties nor patternProperties nor additionalProperties evaluated:
		// it means additionalProperties, or nothing beside one. Likewise unevaluatedItems
		// means items after prefixItems, unless contains evaluated some of the items.
		if hasRef || s.allOf != nil || s.anyOf != nil || s.oneOf != nil || s.not != nil || ifThenElse[0] != nil || depSchemas != nil {
			return nil, c.errorf(u.pointer, "keyword %q is supported only in a schema without $ref, allOf, anyOf, oneOf, not, if or dependentSchemas beside it; the schema is refused rather than the keyword ignored", u.keyword)
		}
		if u.keyword == "unevaluatedProperties" {
			if s.additional == nil {
				s.additional = u.schema
			}
		} else {
			if s.contains != nil {
				return nil, c.errorf(u.pointer, "keyword %q is not supported beside contains; the schema is refused rather than the keyword ignored", u.keyword)
			}
			if s.items == nil {
				s.items = u.schema
			}
		}
		s.hasOwn = true
	}
	for _, b := range []int{boundExclusiveMinimum, boundExclusiveMaximum} {
		if draft4Excl[b] && s.boundsSet[b-1] { // "exclusiveMinimum": true turns minimum exclusive
			s.bounds[b], s.boundsSet[b], s.boundsText[b] = s.bounds[b-1], true, s.boundsText[b-1]
			s.boundsSet[b-1] = false
		}
	}
	if required != nil {
		compileRequired(s, required)
	}
	for _, d := range depRequired {
		dep := dependency{member: trackMember(s, d.name)}
		for _, name := range d.names {
			dep.names = append(dep.names, trackMember(s, name))
		}
		s.dependentRequired = append(s.dependentRequired, dep)
	}
	for _, d := range depSchemas {
		s.dependentSchemas = append(s.dependentSchemas, dependency{member: trackMember(s, d.name), schema: d.schema})
	}
	if ifThenElse[0] != nil { // then and else without if are ignored (Core § 10.2.2.2, 10.2.2.3)
		s.ifSchema, s.thenSchema, s.elseSchema = ifThenElse[0], ifThenElse[1], ifThenElse[2]
	}
	if len(s.members) > manyMembers {
		s.memberIndex = make(map[string]int, len(s.members))
		for j, m := range s.members {
			s.memberIndex[m.name] = j
		}
	}
	return s, nil
}

func (c *compiler) compileType(s *Schema, val []byte, ptr string) error {
	switch kindAt(val, 0) {
	case kindString:
		name := decodeString(val[1:len(val)-1], true)
		if s.types = typeByName(name); s.types == 0 {
			return c.errorf(ptr, "unknown type %q", name)
		}
		s.typeNames = name
		return nil
	case kindArray:
		var names []string
		s.types = 0
		ai := newArrayIter(val, 0)
		for j := 0; ; j++ {
			es, ee, ok := ai.next()
			if !ok {
				break
			}
			if kindAt(val, es) != kindString {
				return c.errorf(ptr+"/"+strconv.Itoa(j), "must be a string, got %s", kindAt(val, es))
			}
			name := decodeString(val[es+1:ee-1], true)
			t := typeByName(name)
			if t == 0 {
				return c.errorf(ptr+"/"+strconv.Itoa(j), "unknown type %q", name)
			}
			if s.types&t == 0 {
				names = append(names, name)
			}
			s.types |= t
		}
		if s.types == 0 {
			return c.errorf(ptr, "must not be empty")
		}
		s.typeNames = joinOr(names)
		return nil
	}
	return c.errorf(ptr, "must be a string or an array of strings, got %s", kindAt(val, 0))
}

// count reads a non-negative integer keyword such as minLength.
func (c *compiler) count(val []byte, ptr string) (int, error) {
	if kindAt(val, 0) != kindNumber || !isIntegral(val) || val[0] == '-' && parseNumber(val) != 0 {
		return 0, c.errorf(ptr, "must be a non-negative integer, got %s", renderValue(val))
	}
	f := parseNumber(val)
	if f > math.MaxInt32 {
		return math.MaxInt32, nil // longer than any instance this package will see
	}
	return int(f), nil
}

// regexp compiles src as a Go (RE2) regular expression.
func (c *compiler) regexp(src string, ptr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, c.errorf(ptr, "%q is not a regular expression this package supports (Go RE2 syntax): %v", src, err)
	}
	return re, nil
}

// schemaArray compiles an array of schemas at doc[off] (val is its text).
func (c *compiler) schemaArray(val []byte, off int, ptr string, nonEmpty bool) ([]*Schema, error) {
	if kindAt(val, 0) != kindArray {
		return nil, c.errorf(ptr, "must be an array of schemas, got %s", kindAt(val, 0))
	}
	var list []*Schema
	ai := newArrayIter(val, 0)
	for j := 0; ; j++ {
		es, _, ok := ai.next()
		if !ok {
			break
		}
		sub, err := c.schema(off+es, ptr+"/"+strconv.Itoa(j))
		if err != nil {
			return nil, err
		}
		list = append(list, sub)
	}
	if nonEmpty && len(list) == 0 {
		return nil, c.errorf(ptr, "must not be empty")
	}
	return list, nil
}

// eachSchemaMember compiles the members of an object of schemas at doc[off].
func (c *compiler) eachSchemaMember(val []byte, off int, ptr string, f func(name string, s *Schema) error) error {
	if kindAt(val, 0) != kindObject {
		return c.errorf(ptr, "must be an object, got %s", kindAt(val, 0))
	}
	it := newObjectIter(val, 0)
	for {
		key, escaped, vs, _, ok := it.next()
		if !ok {
			return nil
		}
		name := decodeString(key, escaped)
		sub, err := c.schema(off+vs, ptr+"/"+escapePointerToken(name))
		if err != nil {
			return err
		}
		if err := f(name, sub); err != nil {
			return err
		}
	}
}

func (c *compiler) compileDefs(val []byte, off int, ptr string) error {
	return c.eachSchemaMember(val, off, ptr, func(string, *Schema) error { return nil })
}

func (c *compiler) compileProperties(s *Schema, val []byte, off int, ptr string) error {
	return c.eachSchemaMember(val, off, ptr, func(name string, sub *Schema) error {
		for j := range s.members {
			if s.members[j].name == name { // a duplicate name: the last one wins
				s.members[j].schema = sub
				return nil
			}
		}
		s.members = append(s.members, member{name: name, schema: sub, slot: -1})
		return nil
	})
}

func (c *compiler) compilePatternProperties(s *Schema, val []byte, off int, ptr string) error {
	if kindAt(val, 0) != kindObject {
		return c.errorf(ptr, "must be an object, got %s", kindAt(val, 0))
	}
	it := newObjectIter(val, 0)
	for {
		key, escaped, vs, _, ok := it.next()
		if !ok {
			return nil
		}
		src := decodeString(key, escaped)
		kptr := ptr + "/" + escapePointerToken(src)
		re, err := c.regexp(src, kptr)
		if err != nil {
			return err
		}
		sub, err := c.schema(off+vs, kptr)
		if err != nil {
			return err
		}
		s.patternProperties = append(s.patternProperties, patternProperty{re: re, schema: sub})
	}
}

// compileRequired gives each required name a slot among the members, adding the names that are
// not properties.
func compileRequired(s *Schema, names []string) {
	for _, name := range names {
		j := slices.IndexFunc(s.members, func(m member) bool { return m.name == name })
		if j >= 0 && s.members[j].slot >= 0 {
			continue // listed twice
		}
		s.required = append(s.required, trackMember(s, name))
	}
}

// trackMember returns the index of the member name, added if it is not a property, with a slot
// so that validation tracks its presence.
func trackMember(s *Schema, name string) int {
	j := slices.IndexFunc(s.members, func(m member) bool { return m.name == name })
	if j < 0 {
		s.members = append(s.members, member{name: name, slot: -1})
		j = len(s.members) - 1
	}
	if s.members[j].slot < 0 {
		s.members[j].slot = s.slots
		s.slots++
	}
	return j
}

// pendingUnevaluated is an unevaluatedProperties or unevaluatedItems keyword, which compiles
// once the schema's other keywords are known.
type pendingUnevaluated struct {
	keyword string
	schema  *Schema
	pointer string
}

// pendingDependency is an item of "dependentRequired" or "dependentSchemas" (or of draft 7's
// "dependencies") before its names are members.
type pendingDependency struct {
	name   string
	names  []string // dependentRequired
	schema *Schema  // dependentSchemas
}

func (c *compiler) dependentRequired(val []byte, ptr string, list []pendingDependency) ([]pendingDependency, error) {
	if kindAt(val, 0) != kindObject {
		return nil, c.errorf(ptr, "must be an object, got %s", kindAt(val, 0))
	}
	it := newObjectIter(val, 0)
	for {
		key, escaped, vs, ve, ok := it.next()
		if !ok {
			return list, nil
		}
		name := decodeString(key, escaped)
		names, err := stringArray(val[vs:ve])
		if err != nil {
			return nil, c.errorf(ptr+"/"+escapePointerToken(name), "%v", err)
		}
		list = append(list, pendingDependency{name: name, names: names})
	}
}

func (c *compiler) dependentSchemas(val []byte, off int, ptr string, list []pendingDependency) ([]pendingDependency, error) {
	err := c.eachSchemaMember(val, off, ptr, func(name string, sub *Schema) error {
		list = append(list, pendingDependency{name: name, schema: sub})
		return nil
	})
	return list, err
}

// assertsNothing reports whether the schema text val is true or {}.
func assertsNothing(val []byte) bool {
	switch kindAt(val, 0) {
	case kindBoolean:
		return val[0] == 't'
	case kindObject:
		return skipSpace(val, 1) < len(val) && val[skipSpace(val, 1)] == '}'
	}
	return false
}

// stringArray reads an array of strings such as "required".
func stringArray(val []byte) ([]string, error) {
	if kindAt(val, 0) != kindArray {
		return nil, errorString("must be an array of strings, got " + kindAt(val, 0))
	}
	names := []string{}
	ai := newArrayIter(val, 0)
	for {
		es, ee, ok := ai.next()
		if !ok {
			return names, nil
		}
		if kindAt(val, es) != kindString {
			return nil, errorString("must be an array of strings, got " + renderValue(val[es:ee]) + " in it")
		}
		names = append(names, decodeString(val[es+1:ee-1], true))
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// resolve finds the schema a "$ref" points at: "#" (the root), "#/json/pointer" (any schema in
// the document, compiled now if no keyword reached it before), or "#name" (a "$anchor"). A
// reference may spell out the root's "$id" before the "#".
func (c *compiler) resolve(r pendingRef) (*Schema, error) {
	base, frag, found := strings.Cut(r.ref, "#")
	if !found || (base != "" && base != c.rootID) {
		return nil, c.errorf(r.pointer, "cannot resolve %q: only references within the document (\"#...\") are supported", r.ref)
	}
	frag, err := url.PathUnescape(frag)
	if err != nil {
		return nil, c.errorf(r.pointer, "cannot resolve %q: %v", r.ref, err)
	}
	if frag != "" && frag[0] != '/' {
		if s, ok := c.anchors[frag]; ok {
			return s, nil
		}
		return nil, c.errorf(r.pointer, "cannot resolve %q: no $anchor %q", r.ref, frag)
	}
	off := c.root
	if frag != "" {
		for tok := range strings.SplitSeq(frag[1:], "/") {
			tok = unescapePointerToken(tok)
			next := -1
			switch kindAt(c.doc, off) {
			case kindObject:
				it := newObjectIter(c.doc, off)
				for {
					key, escaped, vs, _, ok := it.next()
					if !ok {
						break
					}
					if decodeString(key, escaped) == tok {
						next = vs // no break: the last of duplicate keys wins
					}
				}
			case kindArray:
				if isIndexToken(tok) {
					ai := newArrayIter(c.doc, off)
					for j := 0; ; j++ {
						es, _, ok := ai.next()
						if !ok {
							break
						}
						if strconv.Itoa(j) == tok {
							next = es
							break
						}
					}
				}
			}
			if next < 0 {
				return nil, c.errorf(r.pointer, "cannot resolve %q: no such location in the document", r.ref)
			}
			off = next
		}
	}
	target, err := c.schema(off, frag)
	if err != nil {
		if se, ok := err.(*SchemaError); ok && se.Pointer == frag {
			return nil, c.errorf(r.pointer, "cannot resolve %q: %s", r.ref, se.Message)
		}
		return nil, err
	}
	return target, nil
}

// checkCycles rejects schemas whose applicators ($ref, allOf, anyOf, oneOf, not, if, then, else,
// dependentSchemas) lead back to
// themselves without going through a keyword that descends into the instance: validating them
// would never end.
func (c *compiler) checkCycles() error {
	const (
		unseen = iota
		active
		done
	)
	state := make(map[*Schema]int, len(c.byOffset))
	var visit func(s *Schema) *Schema
	visit = func(s *Schema) *Schema {
		switch state[s] {
		case active:
			return s
		case done:
			return nil
		}
		state[s] = active
		next := slices.Concat(s.allOf, s.anyOf, s.oneOf)
		if s.ref != nil {
			next = append(next, s.ref)
		}
		for _, sub := range []*Schema{s.not, s.ifSchema, s.thenSchema, s.elseSchema} {
			if sub != nil {
				next = append(next, sub)
			}
		}
		for _, d := range s.dependentSchemas {
			next = append(next, d.schema)
		}
		for _, n := range next {
			if loop := visit(n); loop != nil {
				return loop
			}
		}
		state[s] = done
		return nil
	}
	// Visit in document order, for a deterministic error.
	offsets := make([]int, 0, len(c.byOffset))
	for off := range c.byOffset {
		offsets = append(offsets, off)
	}
	slices.Sort(offsets)
	for _, off := range offsets {
		if loop := visit(c.byOffset[off]); loop != nil {
			return c.errorf(c.pointers[loop], "circular reference: the schema applies itself to the same value without end")
		}
	}
	return nil
}

// renderValue returns a JSON value's text for a message, shortened when long.
func renderValue(raw []byte) string {
	const max = 40
	if len(raw) <= max {
		return string(raw)
	}
	return string(raw[:max-3]) + "..."
}

// listValues joins rendered values as `"a", "b", "c"`, shortened when there are many.
func listValues(values []string) string {
	const max = 10
	if len(values) > max {
		return strings.Join(values[:max], ", ") + ", ... (" + strconv.Itoa(len(values)-max) + " more)"
	}
	return strings.Join(values, ", ")
}
