package openapi

import (
	"fmt"
	"slices"
	"strings"

	json "github.com/goccy/go-json"
)

/*
Design note: schemas and $refs.

A description names its reusable schemas under components.schemas (definitions in Swagger
2.0), and an operation reaches them through $refs, often many times and sometimes
recursively (a Node whose children are Nodes). Inlining them all would make recursive schemas
infinite and repeat a large schema at each use; so each named schema is converted once, to
JSON Schema 2020-12, into its bytes and the names it refers to, and a tool's schema carries in
its "$defs" the named schemas it reaches, its $refs rewritten from
"#/components/schemas/Pet" to "#/$defs/Pet". A recursive schema stays recursive, which JSON
Schema handles, and a schema used by 500 operations is converted once.

Other local $refs (to a parameter, a request body, a response, or to a part of a schema such
as #/components/schemas/Pet/properties/tag) are followed in place. Those could form a cycle
(a points to b, b to a), or a long chain: a $ref already being followed, or one beyond
maxRefDepth deep, becomes the schema true (anything) for a schema, and a problem for anything
else. They could also multiply (a schema pointing twice to one pointing twice to ...): the
schemas converted in place are counted over the document, and beyond maxSchemaNodes the
description is refused. A $ref to another document is a problem: nothing is fetched.
*/

// DefaultMaxRefDepth bounds the $refs followed in place, one inside another.
const DefaultMaxRefDepth = 32

// DefaultMaxSchemaNodes bounds the schemas converted while following $refs in place, in a
// whole document: each such $ref is a copy, and a few levels of schemas pointing several
// times to the next would otherwise expand a kilobyte into gigabytes.
const DefaultMaxSchemaNodes = 100_000

// DefaultMaxSchemaDepth bounds the nesting of a schema (subschemas inside subschemas).
const DefaultMaxSchemaDepth = 200

// component is a named schema, converted on first use.
type component struct {
	raw  json.RawMessage // the converted schema
	deps []string        // the named schemas it refers to, sorted
	done bool
	bad  bool // its conversion reported a problem
}

// schemaKeys are the keywords whose value is a schema.
var schemaKeys = map[string]bool{
	"additionalProperties": true, "not": true, "if": true, "then": true, "else": true,
	"contains": true, "propertyNames": true, "additionalItems": true,
	"unevaluatedProperties": true, "unevaluatedItems": true, "contentSchema": true,
}

// schemaMapKeys are the keywords whose value is an object of schemas.
var schemaMapKeys = map[string]bool{
	"properties": true, "patternProperties": true, "dependentSchemas": true, "$defs": true, "definitions": true,
}

// schemaListKeys are the keywords whose value is an array of schemas.
var schemaListKeys = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}

// droppedKeys are OpenAPI keywords that mean nothing to a JSON Schema validator or a model and
// would only make tools/list longer (discriminator's mapping names components by their
// OpenAPI path, which the tool's schema does not have).
var droppedKeys = map[string]bool{"xml": true, "externalDocs": true, "discriminator": true, "nullable": true, "x-nullable": true}

// schemaConv converts the schemas of one tool: deps collects the named schemas it reaches.
type schemaConv struct {
	p     *parser
	deps  map[string]bool
	stack []string // $refs being followed in place
	depth int      // of the schema being converted
}

// convert returns the JSON Schema 2020-12 form of an OpenAPI schema at path.
func (c *schemaConv) convert(v any, path string) (any, bool) {
	c.depth++
	defer func() { c.depth-- }()
	if len(c.stack) > 0 {
		// Inside an in-place $ref: what is converted here is a copy, and copies of copies
		// multiply ($ref bomb: each level pointing to the next several times).
		if c.p.inPlaceNodes++; c.p.inPlaceNodes > c.p.maxSchemaNodes {
			if c.p.inPlaceNodes == c.p.maxSchemaNodes+1 {
				c.p.ps.add(path, "the schemas' in-place $refs expand to more than %d schemas (a $ref bomb?); point them to components instead", c.p.maxSchemaNodes)
			}
			return nil, false
		}
	}
	if c.depth > c.p.maxSchemaDepth {
		c.p.ps.add(path, "the schema is nested more than %d deep", c.p.maxSchemaDepth)
		return nil, false
	}
	switch s := v.(type) {
	case bool:
		return s, true
	case map[string]any:
		return c.convertObject(s, path)
	case nil:
		return true, true
	}
	c.p.ps.add(path, "a schema must be an object")
	return nil, false
}

func (c *schemaConv) convertObject(s map[string]any, path string) (any, bool) {
	if ref, ok := s["$ref"].(string); ok {
		target, ok := c.ref(ref, path)
		if !ok {
			return nil, false
		}
		// OpenAPI 3.0 and Swagger 2.0 ignore a $ref's siblings; 3.1 (JSON Schema 2020-12)
		// applies them too.
		if c.p.version < 31 || len(s) == 1 {
			return c.nullable(s, target), true
		}
		rest := make(map[string]any, len(s))
		for k, v := range s {
			if k != "$ref" {
				rest[k] = v
			}
		}
		conv, ok := c.convertObject(rest, path)
		if !ok {
			return nil, false
		}
		m, _ := conv.(map[string]any)
		if m == nil {
			return target, true
		}
		if tm, isMap := target.(map[string]any); isMap && len(tm) == 1 && tm["$ref"] != nil {
			m["$ref"] = tm["$ref"]
			return m, true
		}
		return map[string]any{"allOf": []any{target, m}}, true
	}
	out := make(map[string]any, len(s))
	ok := true
	for k, v := range s {
		switch {
		case droppedKeys[k] || strings.HasPrefix(k, "x-"):
		case schemaKeys[k]:
			if cv, good := c.convert(v, field(path, k)); good {
				out[k] = cv
			} else {
				ok = false
			}
		case k == "items":
			if list, isList := v.([]any); isList {
				// Draft 4's array form of items is prefixItems in 2020-12.
				conv, good := c.list(list, field(path, k))
				ok = ok && good
				out["prefixItems"] = conv
				continue
			}
			if cv, good := c.convert(v, field(path, k)); good {
				out[k] = cv
			} else {
				ok = false
			}
		case schemaMapKeys[k]:
			m, isMap := v.(map[string]any)
			if !isMap {
				c.p.ps.add(field(path, k), "must be an object of schemas")
				ok = false
				continue
			}
			cm := make(map[string]any, len(m))
			for name, sub := range m {
				if cv, good := c.convert(sub, field(field(path, k), name)); good {
					cm[name] = cv
				} else {
					ok = false
				}
			}
			out[k] = cm
		case schemaListKeys[k]:
			list, isList := v.([]any)
			if !isList {
				c.p.ps.add(field(path, k), "must be an array of schemas")
				ok = false
				continue
			}
			conv, good := c.list(list, field(path, k))
			ok = ok && good
			out[k] = conv
		case k == "example":
			if _, has := s["examples"]; !has {
				out["examples"] = []any{v}
			}
		case k == "type" && v == "file":
			// Swagger 2.0's file type: a file upload, which has no JSON form.
		default:
			out[k] = v
		}
	}
	if !ok {
		return nil, false
	}
	// The validator refuses unevaluatedProperties and unevaluatedItems beside an in-place
	// applicator rather than ignore them (see package jsonschema); here they are dropped: the
	// upstream still enforces what they say, and the operation stays usable.
	for _, k := range []string{"$ref", "allOf", "anyOf", "oneOf", "not", "if", "dependentSchemas"} {
		if _, has := out[k]; has {
			delete(out, "unevaluatedProperties")
			delete(out, "unevaluatedItems")
			break
		}
	}
	return c.nullable(s, out), true
}

// list converts an array of schemas.
func (c *schemaConv) list(list []any, path string) ([]any, bool) {
	out := make([]any, len(list))
	ok := true
	for i, e := range list {
		cv, good := c.convert(e, index(path, i))
		ok = ok && good
		out[i] = cv
	}
	return out, ok
}

// nullable applies OpenAPI 3.0's nullable (and Swagger 2.0's x-nullable), read from the
// original schema s, to its conversion: a "null" type (and a null in its enum), or, for a
// schema without a type, anyOf the schema and null.
func (c *schemaConv) nullable(s map[string]any, conv any) any {
	if s["nullable"] != true && s["x-nullable"] != true {
		return conv
	}
	m, _ := conv.(map[string]any)
	if m == nil {
		return conv
	}
	if m["$ref"] != nil && len(m) == 1 {
		// A converted $ref must not be changed in place: it may be shared.
		return map[string]any{"anyOf": []any{m, map[string]any{"type": "null"}}}
	}
	if e, ok := m["enum"].([]any); ok && !slices.Contains(e, nil) {
		m["enum"] = append(slices.Clip(e), nil)
	}
	switch t := m["type"].(type) {
	case string:
		if t != "null" {
			m["type"] = []any{t, "null"}
		}
		return m
	case []any:
		if !slices.Contains(t, "null") {
			m["type"] = append(slices.Clip(t), "null")
		}
		return m
	}
	for _, k := range []string{"$ref", "allOf", "anyOf", "oneOf"} {
		if _, has := m[k]; has {
			return map[string]any{"anyOf": []any{m, map[string]any{"type": "null"}}}
		}
	}
	return m
}

// ref converts the schema a $ref at path points to: a $ref to "$defs" for a named schema, the
// converted target for another local one.
func (c *schemaConv) ref(ref, path string) (any, bool) {
	if name, ok := c.p.componentName(ref); ok {
		if _, exists := c.p.schemas[name]; !exists {
			c.p.ps.add(field(path, "$ref"), "%q: no such schema", ref)
			return nil, false
		}
		c.deps[name] = true
		return map[string]any{"$ref": "#/$defs/" + escapeToken(name)}, true
	}
	if slices.Contains(c.stack, ref) || len(c.stack) >= c.p.maxRefDepth {
		return true, true // a cycle of in-place $refs: bounded as "anything"
	}
	target, at, ok := c.p.resolve(ref, field(path, "$ref"))
	if !ok {
		return nil, false
	}
	c.stack = append(c.stack, ref)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()
	return c.convert(target, at)
}

// componentName returns the name of the named schema a $ref points to, if it does.
func (p *parser) componentName(ref string) (string, bool) {
	rest, ok := strings.CutPrefix(ref, p.schemasPrefix)
	if !ok || strings.Contains(rest, "/") {
		return "", false
	}
	return unescapeToken(rest), true
}

// component returns the converted named schema name, converting it on first use.
func (p *parser) component(name string) *component {
	comp := p.comps[name]
	if comp == nil {
		comp = &component{}
		p.comps[name] = comp
	}
	if comp.done {
		return comp
	}
	comp.done = true
	c := &schemaConv{p: p, deps: map[string]bool{}}
	conv, ok := c.convert(p.schemas[name], field(p.schemasPath, name))
	if !ok {
		comp.bad = true
		return comp
	}
	raw, err := json.Marshal(conv)
	if err != nil {
		p.ps.add(field(p.schemasPath, name), "%v", err)
		comp.bad = true
		return comp
	}
	comp.raw = raw
	for d := range c.deps {
		comp.deps = append(comp.deps, d)
	}
	slices.Sort(comp.deps)
	return comp
}

// defs returns the "$defs" of a tool whose schemas refer directly to the named schemas in
// deps: those and every named schema they reach, sorted by name. ok is false when one of
// them could not be converted (a problem has been reported).
func (p *parser) defs(deps map[string]bool) (map[string]json.RawMessage, bool) {
	if len(deps) == 0 {
		return nil, true
	}
	out := map[string]json.RawMessage{}
	queue := make([]string, 0, len(deps))
	for d := range deps {
		queue = append(queue, d)
	}
	ok := true
	for len(queue) > 0 {
		name := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if _, seen := out[name]; seen {
			continue
		}
		comp := p.component(name)
		if comp.bad {
			ok = false
			out[name] = nil
			continue
		}
		out[name] = comp.raw
		for _, d := range comp.deps {
			if _, seen := out[d]; !seen {
				queue = append(queue, d)
			}
		}
	}
	return out, ok
}

// resolve returns the value a local $ref points to and its path. Refs are JSON Pointers
// into the document (RFC 6901), the fragment percent-decoded.
func (p *parser) resolve(ref, path string) (any, string, bool) {
	if !strings.HasPrefix(ref, "#") {
		p.ps.add(path, "%q points outside the document; only local $refs (#/...) are followed", ref)
		return nil, "", false
	}
	ptr := ref[1:]
	if dec, err := percentDecode(ptr); err == nil {
		ptr = dec
	}
	if ptr != "" && !strings.HasPrefix(ptr, "/") {
		p.ps.add(path, "%q is not a JSON Pointer ($anchors are not followed)", ref)
		return nil, "", false
	}
	var v any = p.root
	at := ""
	if ptr != "" {
		for tok := range strings.SplitSeq(ptr[1:], "/") {
			tok = unescapeToken(tok)
			switch x := v.(type) {
			case map[string]any:
				next, ok := x[tok]
				if !ok {
					p.ps.add(path, "%q points nowhere", ref)
					return nil, "", false
				}
				v, at = next, field(at, tok)
			case []any:
				i, err := parseIndex(tok, len(x))
				if err != nil {
					p.ps.add(path, "%q points nowhere", ref)
					return nil, "", false
				}
				v, at = x[i], index(at, i)
			default:
				p.ps.add(path, "%q points nowhere", ref)
				return nil, "", false
			}
		}
	}
	return v, at, true
}

// deref follows $refs (of a parameter, a request body, a response, a security scheme) until
// an object that is not one. The path returned is the object's own.
func (p *parser) deref(v any, path string) (map[string]any, string, bool) {
	var seen []string
	for {
		m, ok := v.(map[string]any)
		if !ok {
			p.ps.add(path, "must be an object")
			return nil, "", false
		}
		ref, isRef := m["$ref"].(string)
		if !isRef {
			return m, path, true
		}
		if slices.Contains(seen, ref) || len(seen) >= p.maxRefDepth {
			p.ps.add(field(path, "$ref"), "%q: a cycle of $refs", ref)
			return nil, "", false
		}
		seen = append(seen, ref)
		target, at, ok := p.resolve(ref, field(path, "$ref"))
		if !ok {
			return nil, "", false
		}
		v, path = target, at
	}
}

func parseIndex(tok string, n int) (int, error) {
	i := 0
	if tok == "" || len(tok) > 1 && tok[0] == '0' {
		return 0, fmt.Errorf("bad index")
	}
	for _, c := range []byte(tok) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad index")
		}
		i = i*10 + int(c-'0')
		if i >= n {
			return 0, fmt.Errorf("out of range")
		}
	}
	return i, nil
}

// escapeToken and unescapeToken write and read a JSON Pointer reference token (RFC 6901 § 3).
func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// percentDecode decodes %XX escapes (a URI fragment's), refusing a malformed one.
func percentDecode(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
			return "", fmt.Errorf("bad escape")
		}
		b.WriteByte(byte(unhex(s[i+1])<<4 | unhex(s[i+2])))
		i += 2
	}
	return b.String(), nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
