package jsonschema

import (
	"regexp"
	"slices"
	"strings"
)

// A Schema is a compiled JSON Schema (draft 2020-12) together with the document it was compiled
// from. Make one with [Compile] from a user's document or with [For] and [ForType] from a Go type.
//
// A Schema is immutable: every method is safe to call from many goroutines at once. A nil
// *Schema accepts every valid JSON instance, has no document and is not an object schema.
type Schema struct {
	raw []byte // the document (for the root) or this subschema's slice of it

	never bool // the false schema, or a schema that can match nothing the compiler could tell

	// Assertions on the value itself.
	types     typeSet
	typeNames string // the "type" keyword as a message: "string or null"
	enum      []constant
	enumNames string // the "enum" keyword as a message: `"fast", "slow"`
	hasConst  bool
	constant  constant

	// Numbers.
	bounds     [4]float64 // minimum, exclusiveMinimum, maximum, exclusiveMaximum
	boundsSet  [4]bool
	boundsText [4]string // the literals, for messages
	multipleOf *decimal  // nil: absent

	// Strings.
	minLength, maxLength int // -1: absent
	pattern              *regexp.Regexp

	// Arrays.
	prefixItems        []*Schema
	items              *Schema // nil: anything
	minItems, maxItems int     // -1: absent
	uniqueItems        bool
	contains           *Schema // nil: absent
	minContains        int     // 1 unless given
	maxContains        int     // -1: absent

	// Objects.
	members           []member          // properties, then required names that are not properties
	memberIndex       map[string]int    // members by name, when there are many
	patternProperties []patternProperty // in document order
	additional        *Schema           // nil: anything
	required          []int             // indices into members, in the order of "required"
	slots             int               // members whose presence is tracked (see member.slot)
	minProperties     int               // -1: absent
	maxProperties     int               // -1: absent
	propertyNames     *Schema           // nil: anything
	dependentRequired []dependency      // in document order
	dependentSchemas  []dependency      // in document order

	// Applicators on the same value.
	ref   *Schema
	allOf []*Schema
	anyOf []*Schema
	oneOf []*Schema
	not   *Schema
	// "if", "then" and "else"; then and else are nil without an if.
	ifSchema, thenSchema, elseSchema *Schema

	// hasOwn tells whether any keyword above other than the applicators is present; if not, the
	// value is only read by the applicators, or skipped.
	hasOwn bool
}

// member is a name the object keywords know: a property, a required name, or both.
type member struct {
	name   string
	schema *Schema // nil when the name is only required
	slot   int     // its bit among the names whose presence is tracked, or -1
}

// A dependency applies when the object has the member members[member]: then it must also have
// the members of names ("dependentRequired"), or match schema ("dependentSchemas").
type dependency struct {
	member int
	names  []int   // indices into members
	schema *Schema // for dependentSchemas
}

type patternProperty struct {
	re     *regexp.Regexp
	schema *Schema
}

// Bounds, indices into Schema.bounds.
const (
	boundMinimum = iota
	boundExclusiveMinimum
	boundMaximum
	boundExclusiveMaximum
)

// boundKeywords are the keywords of the bounds, and boundOps their relation as a message.
var (
	boundKeywords = [4]string{"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}
	boundOps      = [4]string{">=", ">", "<=", "<"}
)

// manyMembers is the member count from which lookups go through a map rather than a scan.
const manyMembers = 8

// Raw returns a copy of the schema document: for a Schema from [Compile], the bytes it was given,
// byte for byte (whitespace, key order, unknown keywords and all); for one from [For] or
// [ForType], the generated document. It returns nil for a nil Schema.
func (s *Schema) Raw() []byte {
	if s == nil {
		return nil
	}
	return slices.Clone(s.raw)
}

// MarshalJSON returns the same bytes as [Schema.Raw], so a *Schema can stand in a struct that is
// encoded as a tools/list result. Encoders re-format what MarshalJSON returns (encoding/json and
// goccy/go-json drop insignificant whitespace and, unless told otherwise, escape <, > and & in
// strings), so write Raw directly where the exact bytes matter.
func (s *Schema) MarshalJSON() ([]byte, error) {
	if s == nil {
		return []byte("null"), nil
	}
	return s.Raw(), nil
}

// IsObject reports whether the schema's own "type" keyword admits JSON objects and nothing else,
// as MCP requires of a tool's inputSchema and outputSchema ("type": "object", or ["object"]). It
// looks at the keyword only: a schema that reaches "object" through $ref or allOf does not count.
func (s *Schema) IsObject() bool {
	return s != nil && s.types == typeObject
}

// typeSet is a set of the JSON Schema types.
type typeSet uint8

const (
	typeNull typeSet = 1 << iota
	typeBoolean
	typeObject
	typeArray
	typeNumber
	typeInteger
	typeString
)

var typeNameList = []struct {
	name string
	t    typeSet
}{
	{"null", typeNull},
	{"boolean", typeBoolean},
	{"object", typeObject},
	{"array", typeArray},
	{"number", typeNumber},
	{"integer", typeInteger},
	{"string", typeString},
}

func typeByName(name string) typeSet {
	for _, n := range typeNameList {
		if n.name == name {
			return n.t
		}
	}
	return 0
}

// String renders the set as a message: "string", "string or null", "integer, string or null".
func (t typeSet) String() string {
	var names []string
	for _, n := range typeNameList {
		if t&n.t != 0 && (n.t != typeInteger || t&typeNumber == 0) {
			names = append(names, n.name)
		}
	}
	return joinOr(names)
}

// joinOr joins names as "a", "a or b", "a, b or c".
func joinOr(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
