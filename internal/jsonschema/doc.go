// Package jsonschema compiles, infers and validates the JSON Schemas of MCP tools: the
// inputSchema a tools/call's arguments must satisfy and the optional outputSchema of its
// structured result.
//
// A [Schema] comes from a document a user wrote ([Compile]) or from a Go type ([For], [ForType]).
// Either way it keeps its document, which [Schema.Raw] returns for tools/list, and validates raw
// JSON bytes with [Schema.Validate], cheaply enough for every call:
//
//	type Args struct {
//		Text  string   `json:"text" description:"What to say."`
//		Count int      `json:"count" jsonschema:"minimum=1,maximum=10"`
//		Tags  []string `json:"tags,omitempty"`
//	}
//
//	s, err := jsonschema.For[Args](nil)
//	// s.Raw(): {"type":"object","properties":{...},"required":["text","count"]}
//	err = s.Validate([]byte(`{"text":"hi","count":0}`))
//	// err.Error(): argument "count": must be >= 1 (got 0)
//
// Schemas are immutable once made and safe for concurrent use.
//
// # Keywords
//
// The assertions and applicators of JSON Schema draft 2020-12 (the MCP default: MCP 2025-11-25,
// Basic § JSON Schema Usage) are compiled and asserted, except the few listed at the end, which
// make [Compile] fail rather than be ignored:
//
//   - type: a type name or an array of them; "integer" is any number without a fractional part,
//     judged on the literal's digits, so 1.0, 1e2 and 100e-2 are integers and 1.5 and 1e-400 are
//     not.
//   - enum, const: equality as JSON Schema defines it; strings after decoding escapes, numbers by
//     value as float64 (1 equals 1.0), arrays in order, objects in any order.
//   - minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers; a boolean exclusiveMinimum
//     or exclusiveMaximum of draft 4 makes minimum or maximum exclusive). Instances are compared
//     as the nearest float64.
//   - multipleOf: judged exactly on the decimal digits, so 0.3 is a multiple of 0.1 (float64
//     division says it is not). Literals of more than 19 significant digits are compared with
//     math/big, and fail when their exponent is beyond ±4000.
//   - minLength, maxLength: in Unicode code points of the decoded string.
//   - pattern: see Regular expressions below.
//   - items, prefixItems, minItems, maxItems (an array items of earlier drafts is prefixItems,
//     with additionalItems for the rest), uniqueItems, contains, minContains, maxContains.
//   - properties, patternProperties, additionalProperties, required, propertyNames,
//     minProperties, maxProperties (a name given twice counts once), dependentRequired,
//     dependentSchemas (and draft 7's dependencies, read as either).
//   - unevaluatedProperties and unevaluatedItems in a schema without in-place applicators
//     ($ref, allOf, anyOf, oneOf, not, if, dependentSchemas) beside them, where they mean
//     additionalProperties and the items after prefixItems (and, for unevaluatedItems, without
//     contains).
//   - allOf, anyOf, oneOf, not, if/then/else.
//   - $ref to a location in the same document: "#" (the root, for recursion), "#/$defs/Name",
//     "#/definitions/Name", any other JSON Pointer to a schema ("#/properties/a"), or "#name" for
//     a "$anchor" (or a "$dynamicAnchor", read as a plain anchor). $defs and definitions are
//     compiled too, so their errors surface at once. A reference may spell out the root's "$id";
//     other URIs are not fetched and are errors. "$id" in a subschema does not change the base of
//     references.
//   - true and false as schemas.
//
// title, description, format, default, examples, deprecated, readOnly, writeOnly, $schema,
// $comment, $vocabulary, contentEncoding, contentMediaType and contentSchema are annotations: kept
// in the document and not asserted ("format" in particular is not checked). So is any keyword
// outside the 2020-12 vocabularies ("x-...", OpenAPI's "nullable" and "discriminator", ...).
//
// Refused, with a [*SchemaError] naming the keyword and its JSON Pointer: unevaluatedProperties
// and unevaluatedItems beside an in-place applicator (unless true or {}, which assert nothing),
// $dynamicRef, and draft 2019-09's $recursiveRef. Ignoring them would accept instances the
// author meant to refuse.
//
// # Regular expressions
//
// JSON Schema's "pattern" and "patternProperties" are ECMA-262 regular expressions; this package
// compiles them with Go's regexp package, RE2 syntax. Most patterns in tool schemas mean the same
// in both ("^[a-z0-9_-]{3,16}$", "^\\d+$", "^[^@]+@[^@]+$"). The differences:
//
//   - RE2 has no lookahead or lookbehind ((?=...), (?!...), (?<=...)), no backreferences (\1)
//     and no \uXXXX escape (write \x{XXXX}): such a pattern makes [Compile] fail, naming it.
//   - \d, \w, \s and \b are ASCII-only in RE2; ECMA-262's \s also matches Unicode spaces.
//   - Matching is a search, unanchored, as JSON Schema requires: anchor with ^ and $ as usual.
//
// # Struct tags
//
// [For] and [ForType] read two tags on struct fields, beside json:
//
//	description:"Free text, commas and all."
//	jsonschema:"enum=fast|slow,default=fast"
//	jsonschema:"minimum=1,maximum=5,title=Retries"
//	jsonschema:"minLength=1,maxLength=64,pattern=^[a-z]+$"
//	jsonschema:"exclusiveMinimum=0,exclusiveMaximum=1"
//	jsonschema:"minItems=1,maxItems=3,format=uri"
//
// The jsonschema tag is a comma-separated list of keyword=value items. The keywords are title,
// format, enum, default, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength,
// maxLength, pattern, minItems and maxItems; each must fit the field's schema type (enum on
// strings, integers and numbers; default on those and booleans; bounds on numbers; lengths and
// pattern on strings; item counts on arrays). enum values are separated by "|", and are strings,
// integers within the range of the field's Go type, or numbers, as the field's type says.
//
// Escapes: "\," is a comma inside any value; in enum values "\|" is a bar and "\\" a backslash; in
// title, format and default "\" makes the next character literal. A pattern keeps its backslashes
// for the regular expression (only "\," becomes ","; RE2 reads "\," and "," alike). The tag is
// itself a Go string literal inside the struct tag, so each backslash is written twice there:
//
//	Code string `json:"code" jsonschema:"pattern=^\\d{1\\,3}$"`  // pattern ^\d{1,3}$
//	Sep  string `json:"sep" jsonschema:"enum=\\,|\\|"`           // enum [",", "|"]
//
// A jsonschema tag that does not start with a keyword and "=" is free text, the field's
// description, as the official Go SDK reads that tag: jsonschema:"the user's name, as written"
// (giving a description in both tags is an error).
//
// A malformed tag (an unknown keyword, minimum=abc, enum on a bool, a pattern that does not
// compile, minimum above maximum) is an error that names the struct type and field.
//
// # Errors
//
// [Compile] returns a [*SchemaError] locating the bad keyword by JSON Pointer. [Schema.Validate]
// returns a [*ValidationError] for the first problem in the instance, in document order, worded
// for whoever sent the tool call; see its doc for the formats. An instance that is not JSON at all
// gets one that wraps [ErrInvalidJSON].
package jsonschema
