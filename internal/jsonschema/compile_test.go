package jsonschema

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCompileRaw checks that a compiled document comes back byte for byte, whatever its layout.
func TestCompileRaw(t *testing.T) {
	docs := []struct{ name, doc string }{
		{"conformance", conformanceSchema},
		{"whitespace", " {\n  \"type\" : \"object\",\n\t\"properties\": {}\n}\n"},
		{"unknown keywords and order", `{"x-order":[3,1,2],"required":["b"],"type":"object","$comment":"kept"}`},
		{"escapes", `{"description":"caf\u00e9 <b>&amp;</b> \"q\"","enum":["\ud83d\ude00"]}`},
		{"boolean true", `true`},
		{"boolean false", ` false `},
		{"draft-07", `{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"a":{"type":"string"}},"items":[{"$ref":"#/definitions/a"}]}`},
	}
	for _, tc := range docs {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.doc)
			s, err := Compile(in)
			require.NoError(t, err)
			assert.Equal(t, tc.doc, string(s.Raw()))
			m, err := s.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, tc.doc, string(m))

			// The schema owns its copy: neither the input nor Raw's result reach it.
			in[0] = 'X'
			s.Raw()[0] = 'Y'
			assert.Equal(t, tc.doc, string(s.Raw()))
		})
	}
}

// TestCompileMarshal checks a *Schema inside a struct encoded with encoding/json: the document
// keeps its meaning, and its bytes when it is compact.
func TestCompileMarshal(t *testing.T) {
	s := mustCompile(t, conformanceSchema)
	out, err := json.Marshal(struct {
		Name        string  `json:"name"`
		InputSchema *Schema `json:"inputSchema"`
	}{"greet", s})
	require.NoError(t, err)
	assert.Equal(t, `{"name":"greet","inputSchema":`+conformanceSchema+`}`, string(out))
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"not JSON", `{"type":`, `jsonschema: schema #: not valid JSON: unexpected end of input`},
		{"trailing data", `{} {}`, `jsonschema: schema #: not valid JSON: unexpected '{' at offset 3`},
		{"number", `5`, `jsonschema: schema #: a schema must be an object or a boolean, got number`},
		{"type number", `{"type":5}`, `jsonschema: schema #/type: must be a string or an array of strings, got number`},
		{"type unknown", `{"properties":{"a":{"type":"text"}}}`, `jsonschema: schema #/properties/a/type: unknown type "text"`},
		{"type list item", `{"type":["string",1]}`, `jsonschema: schema #/type/1: must be a string, got number`},
		{"type list empty", `{"type":[]}`, `jsonschema: schema #/type: must not be empty`},
		{"enum", `{"enum":"a"}`, `jsonschema: schema #/enum: must be an array, got string`},
		{"minimum", `{"minimum":"1"}`, `jsonschema: schema #/minimum: must be a number, got string`},
		{"minimum boolean", `{"minimum":true}`, `jsonschema: schema #/minimum: must be a number, got boolean`},
		{"minLength negative", `{"minLength":-1}`, `jsonschema: schema #/minLength: must be a non-negative integer, got -1`},
		{"maxItems fraction", `{"items":{"maxItems":1.5}}`, `jsonschema: schema #/items/maxItems: must be a non-negative integer, got 1.5`},
		{"pattern", `{"pattern":"(?=a)"}`, "jsonschema: schema #/pattern: \"(?=a)\" is not a regular expression this package supports (Go RE2 syntax): error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
		{"pattern type", `{"pattern":1}`, `jsonschema: schema #/pattern: must be a string, got number`},
		{"patternProperties", `{"patternProperties":{"[":{}}}`, "jsonschema: schema #/patternProperties/[: \"[\" is not a regular expression this package supports (Go RE2 syntax): error parsing regexp: missing closing ]: `[`"},
		{"properties", `{"properties":[]}`, `jsonschema: schema #/properties: must be an object, got array`},
		{"property schema", `{"properties":{"a/b":3}}`, `jsonschema: schema #/properties/a~1b: a schema must be an object or a boolean, got number`},
		{"required", `{"required":"a"}`, `jsonschema: schema #/required: must be an array of strings, got string`},
		{"required item", `{"required":["a",2]}`, `jsonschema: schema #/required: must be an array of strings, got 2 in it`},
		{"anyOf empty", `{"anyOf":[]}`, `jsonschema: schema #/anyOf: must not be empty`},
		{"allOf item", `{"allOf":[{},null]}`, `jsonschema: schema #/allOf/1: a schema must be an object or a boolean, got null`},
		{"defs", `{"$defs":{"a":{"type":{}}}}`, `jsonschema: schema #/$defs/a/type: must be a string or an array of strings, got object`},
		{"ref type", `{"$ref":1}`, `jsonschema: schema #/$ref: must be a string, got number`},
		{"ref missing", `{"properties":{"a":{"$ref":"#/$defs/nope"}}}`, `jsonschema: schema #/properties/a/$ref: cannot resolve "#/$defs/nope": no such location in the document`},
		{"ref remote", `{"$ref":"https://example.com/s.json"}`, `jsonschema: schema #/$ref: cannot resolve "https://example.com/s.json": only references within the document ("#...") are supported`},
		{"ref anchor missing", `{"$ref":"#nope"}`, `jsonschema: schema #/$ref: cannot resolve "#nope": no $anchor "nope"`},
		{"ref to non-schema", `{"$defs":{"n":5},"$ref":"#/$defs/n"}`, `jsonschema: schema #/$defs/n: a schema must be an object or a boolean, got number`},
		{"ref to keyword value", `{"x":{"a":5},"$ref":"#/x/a"}`, `jsonschema: schema #/$ref: cannot resolve "#/x/a": a schema must be an object or a boolean, got number`},
		{"ref cycle self", `{"$ref":"#"}`, `jsonschema: schema #: circular reference: the schema applies itself to the same value without end`},
		{"ref cycle defs", `{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"anyOf":[{"$ref":"#/$defs/a"}]}},"properties":{"x":{"$ref":"#/$defs/a"}}}`,
			`jsonschema: schema #/$defs/a: circular reference: the schema applies itself to the same value without end`},
		{"title", `{"title":1}`, `jsonschema: schema #/title: must be a string, got number`},
		{"multipleOf zero", `{"multipleOf":0}`, `jsonschema: schema #/multipleOf: must be a number greater than 0, got 0`},
		{"multipleOf negative", `{"multipleOf":-2}`, `jsonschema: schema #/multipleOf: must be a number greater than 0, got -2`},
		{"multipleOf string", `{"multipleOf":"2"}`, `jsonschema: schema #/multipleOf: must be a number greater than 0, got "2"`},
		{"uniqueItems", `{"uniqueItems":1}`, `jsonschema: schema #/uniqueItems: must be a boolean, got number`},
		{"minContains", `{"contains":{},"minContains":-1}`, `jsonschema: schema #/minContains: must be a non-negative integer, got -1`},
		{"minProperties", `{"minProperties":"1"}`, `jsonschema: schema #/minProperties: must be a non-negative integer, got "1"`},
		{"contains", `{"contains":1}`, `jsonschema: schema #/contains: a schema must be an object or a boolean, got number`},
		{"dependentRequired", `{"dependentRequired":{"a":"b"}}`, `jsonschema: schema #/dependentRequired/a: must be an array of strings, got string`},
		{"dependentSchemas", `{"dependentSchemas":{"a":1}}`, `jsonschema: schema #/dependentSchemas/a: a schema must be an object or a boolean, got number`},
		{"dependencies", `{"dependencies":{"a":1}}`, `jsonschema: schema #/dependencies/a: a schema must be an object or a boolean, got number`},
		{"if", `{"if":[]}`, `jsonschema: schema #/if: a schema must be an object or a boolean, got array`},
		{"if cycle", `{"$defs":{"a":{"if":{"$ref":"#/$defs/a"}}},"properties":{"x":{"$ref":"#/$defs/a"}}}`,
			`jsonschema: schema #/$defs/a: circular reference: the schema applies itself to the same value without end`},

		// Keywords of 2020-12 that are not implemented are refused, naming where they are.
		{"unevaluatedProperties", `{"properties":{"o":{"allOf":[{"properties":{"a":{}}}],"unevaluatedProperties":false}}}`,
			`jsonschema: schema #/properties/o/unevaluatedProperties: keyword "unevaluatedProperties" is supported only in a schema without $ref, allOf, anyOf, oneOf, not, if or dependentSchemas beside it; the schema is refused rather than the keyword ignored`},
		{"unevaluatedProperties beside $ref", `{"$defs":{"a":{}},"$ref":"#/$defs/a","unevaluatedProperties":{"type":"string"}}`,
			`jsonschema: schema #/unevaluatedProperties: keyword "unevaluatedProperties" is supported only in a schema without $ref, allOf, anyOf, oneOf, not, if or dependentSchemas beside it; the schema is refused rather than the keyword ignored`},
		{"unevaluatedItems beside if", `{"unevaluatedItems":{"type":"string"},"if":true}`,
			`jsonschema: schema #/unevaluatedItems: keyword "unevaluatedItems" is supported only in a schema without $ref, allOf, anyOf, oneOf, not, if or dependentSchemas beside it; the schema is refused rather than the keyword ignored`},
		{"unevaluatedItems beside contains", `{"contains":{},"unevaluatedItems":false}`,
			`jsonschema: schema #/unevaluatedItems: keyword "unevaluatedItems" is not supported beside contains; the schema is refused rather than the keyword ignored`},
		{"unevaluatedProperties schema", `{"unevaluatedProperties":{"type":7}}`,
			`jsonschema: schema #/unevaluatedProperties/type: must be a string or an array of strings, got number`},
		{"dynamicRef", `{"$defs":{"t":{"$dynamicAnchor":"t"}},"items":{"$dynamicRef":"#t"}}`,
			`jsonschema: schema #/items/$dynamicRef: keyword "$dynamicRef" is not supported by this validator; the schema is refused rather than the keyword ignored`},
		{"recursiveRef", `{"$recursiveRef":"#"}`,
			`jsonschema: schema #/$recursiveRef: keyword "$recursiveRef" is not supported by this validator; the schema is refused rather than the keyword ignored`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Compile([]byte(tc.doc))
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Equal(t, tc.want, err.Error())
			var serr *SchemaError
			assert.True(t, errors.As(err, &serr))
		})
	}
}

// TestCompileAccepts checks documents that use annotations, unknown keywords, and the keywords
// that are refused in a form that asserts nothing.
func TestCompileAccepts(t *testing.T) {
	for _, doc := range []string{
		`{"title":"t","description":"d","$comment":"c","examples":[1],"default":{},"deprecated":true,"readOnly":true,"writeOnly":false}`,
		`{"format":"email","contentEncoding":"base64","contentMediaType":"image/png","contentSchema":{"type":"string"}}`,
		`{"x-anything":{"unevaluatedProperties":false},"nullable":true,"enumNames":["a"],"discriminator":{"propertyName":"k"}}`,
		`{"unevaluatedProperties":true,"unevaluatedItems":{}}`,
		`{"$dynamicAnchor":"node","$vocabulary":{},"$recursiveAnchor":true,"properties":{"a":{"$ref":"#node"}}}`,
	} {
		t.Run(doc, func(t *testing.T) {
			_, err := Compile([]byte(doc))
			assert.NoError(t, err)
		})
	}
}

// TestCompileRecursionThroughInstance checks that a schema may refer to itself below a keyword
// that descends into the instance: that recursion ends with the instance.
func TestCompileRecursionThroughInstance(t *testing.T) {
	for _, doc := range []string{
		`{"properties":{"next":{"$ref":"#"}}}`,
		`{"items":{"$ref":"#"}}`,
		`{"additionalProperties":{"$ref":"#/$defs/a"},"$defs":{"a":{"anyOf":[{"type":"string"},{"$ref":"#"}]}}}`,
	} {
		t.Run(doc, func(t *testing.T) {
			_, err := Compile([]byte(doc))
			assert.NoError(t, err)
		})
	}
}

func TestIsObject(t *testing.T) {
	tests := []struct {
		doc  string
		want bool
	}{
		{`{"type":"object"}`, true},
		{`{"type":["object"]}`, true},
		{conformanceSchema, true},
		{`{"type":["object","null"]}`, false},
		{`{"properties":{}}`, false},
		{`{"$ref":"#/$defs/o","$defs":{"o":{"type":"object"}}}`, false},
		{`true`, false},
		{`{"type":"string"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Equal(t, tc.want, mustCompile(t, tc.doc).IsObject())
		})
	}
}

// FuzzCompile checks that Compile never panics, and that what it accepts it gives back intact and
// can validate with.
func FuzzCompile(f *testing.F) {
	for _, tc := range validateCases {
		f.Add([]byte(tc.schema))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := Compile(doc)
		if err != nil {
			return
		}
		if string(s.Raw()) != string(doc) {
			t.Fatalf("Raw() = %q, want %q", s.Raw(), doc)
		}
		for _, in := range []string{`{}`, `[1,"a",{"b":null}]`, `"x"`, `1.5`} {
			_ = s.Validate([]byte(in))
		}
	})
}
