package jsonschema

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// InferOptions configures [For] and [ForType]. The zero value (or nil) gives the defaults.
type InferOptions struct {
	// ForbidAdditionalProperties adds "additionalProperties": false to the schema of every
	// struct, so that members the struct has no field for fail validation ("unexpected argument
	// \"x\""). If false (the default), additionalProperties is left out and such members are
	// accepted, as encoding/json accepts and ignores them when it decodes. Maps keep their
	// "additionalProperties" schema either way.
	ForbidAdditionalProperties bool
}

// For returns the schema of the JSON that encoding/json makes of a T, generated from the type as
// [ForType] describes. For a tool's input, T is a struct and [Schema.IsObject] reports true.
func For[T any](opts *InferOptions) (*Schema, error) {
	return ForType(reflect.TypeFor[T](), opts)
}

// ForType returns the schema of the JSON that encoding/json makes of a value of type t, as a
// document ([Schema.Raw]) and compiled. A nil opts means the defaults of [InferOptions].
//
// Types map to schemas this way:
//
//   - bool: {"type":"boolean"}; string: {"type":"string"}; float32, float64: {"type":"number"}.
//   - Integers: {"type":"integer"}, with the bounds of the kind for the sized ones (int8: -128 to
//     127, uint16: 0 to 65535, ...) and "minimum": 0 for uint, uint64 and uintptr.
//   - Pointers: the schema of the element. A pointer field is optional only when tagged omitempty
//     or omitzero; null is not accepted for it.
//   - Slices: {"type":"array","items":...}; arrays add "minItems" and "maxItems" of their length;
//     []byte (any slice of a byte kind) is {"type":"string","contentEncoding":"base64"}.
//   - Maps with string, integer or encoding.TextMarshaler keys: {"type":"object",
//     "additionalProperties":...}.
//   - Structs: {"type":"object","properties":{...},"required":[...]} with the members of
//     encoding/json: json tag names, "-" skipped, unexported fields skipped, the fields of embedded
//     structs promoted. Properties come in field order. A field is required unless its json tag
//     says omitempty or omitzero. A scalar field with the "string" option is {"type":"string"}.
//     "additionalProperties" is not set unless [InferOptions.ForbidAdditionalProperties]. A struct
//     without fields is {"type":"object"}.
//   - time.Time: {"type":"string","format":"date-time"}.
//   - Interfaces (any), json.RawMessage (goccy/go-json's is the same type), and types with their
//     own JSON methods (MarshalJSON, UnmarshalJSON, MarshalJSONTo, UnmarshalJSONFrom, on the type
//     or its pointer): {}, anything. Types with MarshalText or UnmarshalText: {"type":"string"}.
//   - A named type that contains itself becomes a definition under "$defs", named after the type,
//     and "$ref": "#/$defs/Name" wherever it occurs; the type of t itself is "$ref": "#".
//   - Channels, functions, complex numbers and unsafe pointers are errors.
//
// A struct field may refine its schema with tags: description:"..." (free text, taken as is) and
// jsonschema:"..." (keyword=value items, or free text for the description as in the official Go
// SDK; see the package doc, # Struct tags). An error names the
// Go type and field of a bad tag or an unsupported type.
//
// The output is deterministic: one type gives the same bytes on every call, keywords in a fixed
// order, so golden tests can compare them. ForType is safe for concurrent use; it does not cache,
// so call it once per type and keep the Schema.
func ForType(t reflect.Type, opts *InferOptions) (*Schema, error) {
	if t == nil {
		return nil, fmt.Errorf("jsonschema: nil type")
	}
	g := &generator{recursive: map[reflect.Type]bool{}}
	if opts != nil {
		g.opts = *opts
	}
	for g.root = t; g.root.Kind() == reflect.Pointer; {
		g.root = g.root.Elem()
	}
	// A first pass finds the types that contain themselves; the second writes them as $defs.
	for _, detect := range []bool{true, false} {
		g.detect = detect
		g.active = map[reflect.Type]bool{}
		g.defs, g.defNames, g.names = nil, map[reflect.Type]string{}, map[string]bool{}
		n, err := g.top()
		if err != nil {
			return nil, err
		}
		if detect {
			continue
		}
		n.defs = g.defs
		raw := n.appendJSON(nil)
		s, err := Compile(raw)
		if err != nil {
			return nil, fmt.Errorf("jsonschema: internal error: the schema generated for %s does not compile: %w", t, err)
		}
		return s, nil
	}
	panic("unreachable")
}

// generator holds the state of one ForType call.
type generator struct {
	opts      InferOptions
	root      reflect.Type // the type asked for, without pointers
	detect    bool         // the first pass: find recursive types
	recursive map[reflect.Type]bool
	active    map[reflect.Type]bool // the named types being generated, outermost first
	defs      []namedNode
	defNames  map[reflect.Type]string
	names     map[string]bool // the names taken in $defs
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
)

// top returns the schema of the root type, written in place even when it contains itself.
func (g *generator) top() (*node, error) {
	if n := special(g.root); n != nil {
		return n, nil
	}
	return g.enter(g.root, "", g.body)
}

// special returns the schema of the types that are not mapped by their kind, or nil.
func special(t reflect.Type) *node {
	switch {
	case t == timeType:
		return &node{typ: "string", format: "date-time"}
	case t == rawMessageType, t.Kind() == reflect.Interface,
		hasMethod(t, "MarshalJSON", "UnmarshalJSON", "MarshalJSONTo", "UnmarshalJSONFrom"):
		return &node{}
	case hasMethod(t, "MarshalText", "UnmarshalText"):
		return &node{typ: "string"}
	}
	return nil
}

// schema returns the schema of t; where names the field it is for, in errors.
func (g *generator) schema(t reflect.Type, where string) (*node, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n := special(t); n != nil {
		return n, nil
	}
	if t.Name() == "" {
		return g.body(t, where)
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Array, reflect.Map: // the kinds that can recurse
	default:
		return g.body(t, where)
	}
	if g.detect {
		if g.active[t] {
			g.recursive[t] = true
			return &node{}, nil
		}
		return g.enter(t, where, g.body)
	}
	if !g.recursive[t] {
		return g.enter(t, where, g.body)
	}
	if t == g.root {
		return &node{ref: "#"}, nil
	}
	name, ok := g.defNames[t]
	if !ok {
		name = g.defName(t)
		g.defNames[t] = name
		i := len(g.defs)
		g.defs = append(g.defs, namedNode{name: name})
		n, err := g.enter(t, where, g.body)
		if err != nil {
			return nil, err
		}
		g.defs[i].node = n
	}
	return &node{ref: "#/$defs/" + name}, nil
}

// enter runs f for t with t marked as being generated.
func (g *generator) enter(t reflect.Type, where string, f func(reflect.Type, string) (*node, error)) (*node, error) {
	g.active[t] = true
	defer delete(g.active, t)
	return f(t, where)
}

// defName picks the $defs name of t: its type name, with the characters that a URI fragment would
// need to escape replaced, made unique.
func (g *generator) defName(t reflect.Type) string {
	base := strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, t.Name())
	name := base
	for i := 2; g.names[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	g.names[name] = true
	return name
}

// body returns the schema of t, which is not a pointer, by its kind.
func (g *generator) body(t reflect.Type, where string) (*node, error) {
	switch t.Kind() {
	case reflect.Bool:
		return &node{typ: "boolean"}, nil
	case reflect.Int, reflect.Int64:
		return &node{typ: "integer"}, nil
	case reflect.Int8, reflect.Int16, reflect.Int32:
		bits := kindBits(t.Kind())
		n := &node{typ: "integer"}
		n.bounds[boundMinimum] = strconv.FormatInt(math.MinInt64>>(64-bits), 10)
		n.bounds[boundMaximum] = strconv.FormatInt(math.MaxInt64>>(64-bits), 10)
		return n, nil
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		n := &node{typ: "integer"}
		n.bounds[boundMinimum] = "0"
		return n, nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		n := &node{typ: "integer"}
		n.bounds[boundMinimum] = "0"
		n.bounds[boundMaximum] = strconv.FormatUint(math.MaxUint64>>(64-kindBits(t.Kind())), 10)
		return n, nil
	case reflect.Float32, reflect.Float64:
		return &node{typ: "number"}, nil
	case reflect.String:
		return &node{typ: "string"}, nil
	case reflect.Slice:
		if e := t.Elem(); e.Kind() == reflect.Uint8 && !hasMethod(e, "MarshalJSON", "MarshalText") {
			return &node{typ: "string", contentEncoding: "base64"}, nil
		}
		items, err := g.schema(t.Elem(), where)
		if err != nil {
			return nil, err
		}
		return &node{typ: "array", items: items}, nil
	case reflect.Array:
		items, err := g.schema(t.Elem(), where)
		if err != nil {
			return nil, err
		}
		n := strconv.Itoa(t.Len())
		return &node{typ: "array", items: items, minItems: n, maxItems: n}, nil
	case reflect.Map:
		switch k := t.Key(); k.Kind() {
		case reflect.String,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			if !hasMethod(k, "MarshalText") {
				return nil, g.unsupported(t, where, "map key type "+k.String())
			}
		}
		values, err := g.schema(t.Elem(), where)
		if err != nil {
			return nil, err
		}
		return &node{typ: "object", additional: values}, nil
	case reflect.Struct:
		return g.structSchema(t)
	}
	return nil, g.unsupported(t, where, "")
}

func (g *generator) unsupported(t reflect.Type, where, detail string) error {
	what := "unsupported type " + t.String()
	if detail != "" {
		what += " (" + detail + ")"
	}
	if where == "" {
		return fmt.Errorf("jsonschema: %s", what)
	}
	return fmt.Errorf("jsonschema: %s: %s", where, what)
}

func (g *generator) structSchema(t reflect.Type) (*node, error) {
	n := &node{typ: "object", noAdditional: g.opts.ForbidAdditionalProperties}
	for _, f := range structFields(t) {
		fn, err := g.schema(f.typ, f.where())
		if err != nil {
			return nil, err
		}
		kind := f.typ.Kind()
		for ft := f.typ; ft.Kind() == reflect.Pointer; ft = ft.Elem() {
			kind = ft.Elem().Kind()
		}
		if f.quoted {
			fn, kind = &node{typ: "string"}, reflect.String
		}
		if err := applyTags(fn, &f, kind); err != nil {
			return nil, err
		}
		n.properties = append(n.properties, namedNode{name: f.name, node: fn})
		if !f.omit {
			n.required = append(n.required, f.name)
		}
	}
	return n, nil
}

// hasMethod reports whether t or *t has a method of one of the names.
func hasMethod(t reflect.Type, names ...string) bool {
	for _, name := range names {
		if _, ok := t.MethodByName(name); ok {
			return true
		}
		if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
			if _, ok := reflect.PointerTo(t).MethodByName(name); ok {
				return true
			}
		}
	}
	return false
}
