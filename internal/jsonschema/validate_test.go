package jsonschema

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validateCase is an instance checked against a schema: want is the error text, "" if valid.
type validateCase struct {
	name     string
	schema   string
	instance string
	want     string
}

var validateCases = []validateCase{
	// Boolean schemas.
	{"true accepts", `true`, `{"a":[1,2]}`, ""},
	{"empty object accepts", `{}`, `"x"`, ""},
	{"false rejects", `false`, `1`, `arguments: is not allowed`},
	{"false property", `{"properties":{"a":false}}`, `{"a":1}`, `argument "a": is not allowed`},

	// type.
	{"type string", `{"type":"string"}`, `"x"`, ""},
	{"type string got number", `{"type":"string"}`, `1`, `arguments: expected string, got number`},
	{"type object got array", `{"type":"object"}`, `[]`, `arguments: expected object, got array`},
	{"type object got null", `{"type":"object"}`, `null`, `arguments: expected object, got null`},
	{"type boolean", `{"type":"boolean"}`, `false`, ""},
	{"type boolean got string", `{"type":"boolean"}`, `"true"`, `arguments: expected boolean, got string`},
	{"type null", `{"type":"null"}`, `null`, ""},
	{"type null got boolean", `{"type":"null"}`, `true`, `arguments: expected null, got boolean`},
	{"type array", `{"type":"array"}`, `[]`, ""},
	{"type array got object", `{"type":"array"}`, `{}`, `arguments: expected array, got object`},
	{"type number", `{"type":"number"}`, `-1.5e3`, ""},
	{"type number got string", `{"type":"number"}`, `"1"`, `arguments: expected number, got string`},
	{"type integer", `{"type":"integer"}`, `42`, ""},
	{"type integer 1.0", `{"type":"integer"}`, `1.0`, ""},
	{"type integer 1e2", `{"type":"integer"}`, `1e2`, ""},
	{"type integer 100e-2", `{"type":"integer"}`, `100e-2`, ""},
	{"type integer -0", `{"type":"integer"}`, `-0`, ""},
	{"type integer 1.5", `{"type":"integer"}`, `1.5`, `arguments: expected integer, got number 1.5`},
	{"type integer 1e-2", `{"type":"integer"}`, `1e-2`, `arguments: expected integer, got number 1e-2`},
	{"type integer got string", `{"type":"integer"}`, `"1"`, `arguments: expected integer, got string`},
	{"type list", `{"type":["string","null"]}`, `null`, ""},
	{"type list got number", `{"type":["string","null"]}`, `1`, `arguments: expected string or null, got number`},
	{"type list of three", `{"type":["integer","string","boolean"]}`, `1.5`, `arguments: expected integer, string or boolean, got number 1.5`},
	{"type integer and number", `{"type":["integer","number"]}`, `1.5`, ""},

	// enum and const.
	{"enum", `{"enum":["fast","slow"]}`, `"slow"`, ""},
	{"enum miss", `{"enum":["fast","slow"]}`, `"medium"`, `arguments: must be one of "fast", "slow" (got "medium")`},
	{"enum escaped instance", `{"enum":["fast","slow"]}`, `"f\u0061st"`, ""},
	{"enum escaped value", `{"enum":["a\"b"]}`, `"a\u0022b"`, ""},
	{"enum number by value", `{"enum":[1,2]}`, `1.0`, ""},
	{"enum number miss", `{"enum":[1,2]}`, `3`, `arguments: must be one of 1, 2 (got 3)`},
	{"enum kinds differ", `{"enum":["1"]}`, `1`, `arguments: must be one of "1" (got 1)`},
	{"enum null and bool", `{"enum":[null,true]}`, `true`, ""},
	{"enum false miss", `{"enum":[null,true]}`, `false`, `arguments: must be one of null, true (got false)`},
	{"enum object any order", `{"enum":[{"a":1,"b":[1,2]}]}`, `{"b":[1,2.0],"a":1}`, ""},
	{"enum object miss", `{"enum":[{"a":1}]}`, `{"a":2}`, `arguments: must be one of {"a":1} (got {"a":2})`},
	{"enum array order matters", `{"enum":[[1,2]]}`, `[2,1]`, `arguments: must be one of [1,2] (got [2,1])`},
	{"enum empty matches nothing", `{"enum":[]}`, `1`, `arguments: must be one of  (got 1)`},
	{"enum long values shortened", `{"enum":["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]}`, `"b"`,
		`arguments: must be one of "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... (got "b")`},
	{"const", `{"const":"x"}`, `"x"`, ""},
	{"const miss", `{"const":"x"}`, `"y"`, `arguments: must be "x" (got "y")`},
	{"const number", `{"const":10}`, `1e1`, ""},
	{"const array", `{"const":[1,{"a":null}]}`, `[1, {"a": null}]`, ""},

	// Numbers.
	{"minimum", `{"minimum":1}`, `1`, ""},
	{"minimum miss", `{"minimum":1}`, `0`, `arguments: must be >= 1 (got 0)`},
	{"minimum skips strings", `{"minimum":1}`, `"0"`, ""},
	{"exclusiveMinimum", `{"exclusiveMinimum":0}`, `0.0001`, ""},
	{"exclusiveMinimum miss", `{"exclusiveMinimum":0}`, `0`, `arguments: must be > 0 (got 0)`},
	{"maximum", `{"maximum":5}`, `5`, ""},
	{"maximum miss", `{"maximum":5}`, `5.5`, `arguments: must be <= 5 (got 5.5)`},
	{"exclusiveMaximum miss", `{"exclusiveMaximum":5}`, `5`, `arguments: must be < 5 (got 5)`},
	{"bounds keep literal", `{"maximum":1e3}`, `1001`, `arguments: must be <= 1e3 (got 1001)`},
	{"draft4 exclusiveMinimum", `{"minimum":1,"exclusiveMinimum":true}`, `1`, `arguments: must be > 1 (got 1)`},
	{"draft4 exclusiveMaximum before maximum", `{"exclusiveMaximum":true,"maximum":1}`, `1`, `arguments: must be < 1 (got 1)`},
	{"draft4 exclusive false", `{"minimum":1,"exclusiveMinimum":false}`, `1`, ""},
	{"huge number", `{"maximum":10}`, `1e400`, `arguments: must be <= 10 (got 1e400)`},
	{"integer and bounds", `{"type":"integer","minimum":1,"maximum":3}`, `2.0`, ""},

	// Strings.
	{"minLength", `{"minLength":2}`, `"ab"`, ""},
	{"minLength miss", `{"minLength":3}`, `"ab"`, `arguments: must be at least 3 characters long (got 2)`},
	{"minLength one", `{"minLength":1}`, `""`, `arguments: must be at least 1 character long (got 0)`},
	{"minLength code points", `{"minLength":5,"maxLength":5}`, `"héllo"`, ""},
	{"minLength escapes", `{"maxLength":1}`, `"\ud83d\ude00"`, ""},
	{"maxLength escapes miss", `{"maxLength":1}`, `"\n\t"`, `arguments: must be at most 1 character long (got 2)`},
	{"maxLength miss", `{"maxLength":3}`, `"abcd"`, `arguments: must be at most 3 characters long (got 4)`},
	{"pattern", `{"pattern":"^[a-z]+$"}`, `"abc"`, ""},
	{"pattern miss", `{"pattern":"^[a-z]+$"}`, `"ABC"`, `arguments: must match the pattern "^[a-z]+$" (got "ABC")`},
	{"pattern unanchored", `{"pattern":"b"}`, `"abc"`, ""},
	{"pattern escaped instance", `{"pattern":"^a\n$"}`, `"a\n"`, ""},
	{"pattern escaped in schema", `{"pattern":"^\\d+$"}`, `"123"`, ""},
	{"pattern escaped in schema miss", `{"pattern":"^\\d+$"}`, `"12a"`, `arguments: must match the pattern "^\\d+$" (got "12a")`},
	{"format not asserted", `{"type":"string","format":"email"}`, `"not an email"`, ""},

	// Arrays.
	{"items", `{"items":{"type":"string"}}`, `["a","b"]`, ""},
	{"items miss", `{"items":{"type":"string"}}`, `["a",2]`, `argument "[1]": expected string, got number`},
	{"prefixItems", `{"prefixItems":[{"type":"string"},{"type":"integer"}]}`, `["a",1,null]`, ""},
	{"prefixItems miss", `{"prefixItems":[{"type":"string"},{"type":"integer"}]}`, `["a","b"]`, `argument "[1]": expected integer, got string`},
	{"prefixItems then items", `{"prefixItems":[{"type":"string"}],"items":{"type":"integer"}}`, `["a",1,"c"]`, `argument "[2]": expected integer, got string`},
	{"items false", `{"prefixItems":[{}],"items":false}`, `[1,2]`, `argument "[1]": is not allowed`},
	{"draft7 items array", `{"items":[{"type":"string"}],"additionalItems":{"type":"boolean"}}`, `["a",true,1]`, `argument "[2]": expected boolean, got number`},
	{"draft7 additionalItems ignored", `{"items":{"type":"string"},"additionalItems":false}`, `["a","b"]`, ""},
	{"minItems miss", `{"minItems":1}`, `[]`, `arguments: must have at least 1 item (got 0)`},
	{"maxItems miss", `{"maxItems":2}`, `[1,2,3]`, `arguments: must have at most 2 items (got 3)`},
	{"element error before count", `{"maxItems":1,"items":{"type":"string"}}`, `["a",1]`, `argument "[1]": expected string, got number`},

	// Objects.
	{"properties", `{"properties":{"a":{"type":"string"}}}`, `{"a":"x","b":1}`, ""},
	{"properties miss", `{"properties":{"a":{"type":"string"}}}`, `{"a":1}`, `argument "a": expected string, got number`},
	{"nested path", `{"properties":{"address":{"properties":{"street":{"type":"string"}}}}}`, `{"address":{"street":5}}`,
		`argument "address.street": expected string, got number`},
	{"path through array", `{"properties":{"items":{"items":{"properties":{"n":{"minimum":1}}}}}}`, `{"items":[{"n":1},{"n":0}]}`,
		`argument "items[1].n": must be >= 1 (got 0)`},
	{"required", `{"required":["a","b"]}`, `{"a":1,"b":2}`, ""},
	{"required miss", `{"required":["a","b"]}`, `{"a":1}`, `missing required argument "b"`},
	{"required order", `{"required":["b","a"]}`, `{}`, `missing required argument "b"`},
	{"required nested", `{"properties":{"o":{"required":["x"]}}}`, `{"o":{}}`, `missing required argument "o.x"`},
	{"member error before required", `{"properties":{"a":{"type":"string"}},"required":["b"]}`, `{"a":1}`, `argument "a": expected string, got number`},
	{"additionalProperties false", `{"properties":{"a":{}},"additionalProperties":false}`, `{"a":1}`, ""},
	{"additionalProperties false miss", `{"properties":{"a":{}},"additionalProperties":false}`, `{"a":1,"b":2}`, `unexpected argument "b"`},
	{"additionalProperties schema", `{"additionalProperties":{"type":"integer"}}`, `{"a":1,"b":"x"}`, `argument "b": expected integer, got string`},
	{"patternProperties", `{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}`, `{"x-a":"1"}`, ""},
	{"patternProperties miss", `{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}`, `{"x-a":1}`, `argument "x-a": expected string, got number`},
	{"patternProperties additional", `{"patternProperties":{"^x-":{}},"additionalProperties":false}`, `{"y":1}`, `unexpected argument "y"`},
	{"escaped key", `{"properties":{"a b":{"type":"string"}}}`, `{"a\u0020b":1}`, `argument "a b": expected string, got number`},
	{"escaped key required", `{"required":["é"]}`, `{"\u00e9":1}`, ""},
	{"duplicate key last wins", `{"properties":{"a":{"type":"string"}}}`, `{"a":1,"a":"x"}`, ""},
	{"duplicate key last checked", `{"properties":{"a":{"type":"string"}}}`, `{"a":"x","a":1}`, `argument "a": expected string, got number`},
	{"duplicate escaped key", `{"properties":{"a":{"type":"string"}}}`, `{"a":1,"\u0061":"x"}`, ""},
	{"many properties", manyPropertiesSchema, `{"p0":0,"p9":9,"p11":"x"}`, `argument "p11": expected integer, got string`},
	{"many required", manyRequiredSchema, `{}`, `missing required argument "r0"`},
	{"many required 70th", manyRequiredSchema, manyRequiredInstance(69), `missing required argument "r69"`},
	{"many required all", manyRequiredSchema, manyRequiredInstance(70), ""},

	// Applicators.
	{"allOf", `{"allOf":[{"type":"integer"},{"minimum":1}]}`, `2`, ""},
	{"allOf miss", `{"allOf":[{"type":"integer"},{"minimum":1}]}`, `0`, `arguments: must be >= 1 (got 0)`},
	{"anyOf", `{"anyOf":[{"type":"string"},{"type":"integer"}]}`, `1`, ""},
	{"anyOf types merge", `{"anyOf":[{"type":"string"},{"type":"integer"}]}`, `true`, `arguments: expected integer or string, got boolean`},
	{"anyOf mixed", `{"anyOf":[{"type":"string","minLength":3},{"type":"integer"}]}`, `"ab"`,
		`arguments: must match one of the alternatives, but: (1) must be at least 3 characters long (got 2); (2) expected integer, got string`},
	{"anyOf deepest wins", `{"anyOf":[{"type":"string"},{"properties":{"a":{"type":"integer"}}}]}`, `{"a":"x"}`, `argument "a": expected integer, got string`},
	{"anyOf nested quiet", `{"anyOf":[{"anyOf":[{"type":"null"}]},{"type":"object","required":["k"]}]}`, `{"k":1}`, ""},
	{"oneOf", `{"oneOf":[{"type":"string"},{"type":"integer"}]}`, `"x"`, ""},
	{"oneOf none", `{"oneOf":[{"type":"string"},{"type":"integer"}]}`, `null`, `arguments: expected integer or string, got null`},
	{"oneOf two", `{"oneOf":[{"type":"number"},{"type":"integer"}]}`, `1`, `arguments: must match exactly one of the alternatives, but matches alternatives 1 and 2`},
	{"not", `{"not":{"type":"string"}}`, `1`, ""},
	{"not miss", `{"not":{"type":"string"}}`, `"x"`, `arguments: must not match the schema {"type":"string"}`},
	{"tagged union", `{"oneOf":[` +
		`{"properties":{"kind":{"const":"circle"},"r":{"type":"number"}},"required":["kind","r"]},` +
		`{"properties":{"kind":{"const":"square"},"side":{"type":"number"}},"required":["kind","side"]}]}`,
		`{"kind":"square","side":"2"}`, `argument "side": expected number, got string`},

	// References.
	{"ref defs", `{"$defs":{"n":{"type":"integer"}},"properties":{"a":{"$ref":"#/$defs/n"}}}`, `{"a":"x"}`, `argument "a": expected integer, got string`},
	{"ref definitions", `{"definitions":{"n":{"type":"integer"}},"items":{"$ref":"#/definitions/n"}}`, `[1,2.5]`, `argument "[1]": expected integer, got number 2.5`},
	{"ref root recursion", `{"type":"object","properties":{"next":{"$ref":"#"},"v":{"type":"integer"}}}`, `{"next":{"next":{"v":"x"}}}`, `argument "next.next.v": expected integer, got string`},
	{"ref with siblings", `{"$defs":{"s":{"type":"string"}},"$ref":"#/$defs/s","maxLength":2}`, `"abc"`, `arguments: must be at most 2 characters long (got 3)`},
	{"ref siblings first", `{"$defs":{"s":{"minLength":5}},"$ref":"#/$defs/s","type":"string"}`, `1`, `arguments: expected string, got number`},
	{"ref pointer into properties", `{"properties":{"a":{"type":"string"},"b":{"$ref":"#/properties/a"}}}`, `{"b":1}`, `argument "b": expected string, got number`},
	{"ref percent-encoded", `{"$defs":{"a b":{"type":"string"}},"$ref":"#/$defs/a%20b"}`, `1`, `arguments: expected string, got number`},
	{"ref escaped pointer", `{"$defs":{"a/b":{"type":"string"}},"$ref":"#/$defs/a~1b"}`, `1`, `arguments: expected string, got number`},
	{"ref anchor", `{"$defs":{"x":{"$anchor":"thing","type":"string"}},"$ref":"#thing"}`, `1`, `arguments: expected string, got number`},
	{"ref via id", `{"$id":"https://example.com/s.json","$defs":{"x":{"type":"string"}},"$ref":"https://example.com/s.json#/$defs/x"}`, `1`, `arguments: expected string, got number`},

	// Keywords that do not apply to the instance's type, and unknown ones.
	{"string keywords skip numbers", `{"minLength":10,"pattern":"x"}`, `1`, ""},
	{"object keywords skip arrays", `{"required":["a"],"properties":{"a":false}}`, `[1]`, ""},
	{"unknown keywords ignored", `{"x-custom":{"type":"string"},"nullable":false,"examples":[1]}`, `null`, ""},

	// multipleOf, judged on the decimal digits.
	{"multipleOf integer", `{"multipleOf":2}`, `10`, ""},
	{"multipleOf integer fails", `{"multipleOf":2}`, `7`, `arguments: must be a multiple of 2 (got 7)`},
	{"multipleOf 1.5", `{"multipleOf":1.5}`, `4.5`, ""},
	{"multipleOf 1.5 fails", `{"multipleOf":1.5}`, `35`, `arguments: must be a multiple of 1.5 (got 35)`},
	{"multipleOf 0.1 (float division says no)", `{"multipleOf":0.1}`, `0.3`, ""},
	{"multipleOf 0.0001", `{"multipleOf":0.0001}`, `0.0075`, ""},
	{"multipleOf 0.0001 fails", `{"multipleOf":0.0001}`, `0.00751`, `arguments: must be a multiple of 0.0001 (got 0.00751)`},
	{"multipleOf exponents", `{"multipleOf":1e-8}`, `12391239123`, ""},
	{"multipleOf huge instance", `{"type":"integer","multipleOf":0.123456789}`, `1e308`, `arguments: must be a multiple of 0.123456789 (got 1e308)`},
	{"multipleOf negative and zero", `{"multipleOf":3}`, `[-9,0,-0.0]`, ""},
	{"multipleOf in items", `{"items":{"multipleOf":3}}`, `[-9,0,-0.0]`, ""},
	{"multipleOf long mantissa", `{"multipleOf":0.00000000000000000001}`, `1.00000000000000000001`, ""},
	{"multipleOf long mantissa fails", `{"multipleOf":0.00000000000000000002}`, `1.00000000000000000001`, `arguments: must be a multiple of 0.00000000000000000002 (got 1.00000000000000000001)`},
	{"multipleOf skips strings", `{"multipleOf":2}`, `"3"`, ""},

	// uniqueItems.
	{"uniqueItems", `{"uniqueItems":true}`, `[1,"1",[1],{"a":1},true,null]`, ""},
	{"uniqueItems numbers by value", `{"uniqueItems":true}`, `[1,2,1.0]`, `arguments: must not contain duplicates (items 0 and 2 are equal)`},
	{"uniqueItems strings after escapes", `{"uniqueItems":true}`, `["a","\u0061"]`, `arguments: must not contain duplicates (items 0 and 1 are equal)`},
	{"uniqueItems objects in any order", `{"uniqueItems":true}`, `[{"a":1,"b":2},{"b":2,"a":1}]`, `arguments: must not contain duplicates (items 0 and 1 are equal)`},
	{"uniqueItems objects differ", `{"uniqueItems":true}`, `[{"a":1},{"a":2},{"b":1}]`, ""},
	{"uniqueItems nested arrays", `{"uniqueItems":true}`, `[[1,[2]],[1,[2.0]]]`, `arguments: must not contain duplicates (items 0 and 1 are equal)`},
	{"uniqueItems objects with a name twice", `{"uniqueItems":true}`, `[{"a":1,"a":2},{"a":2}]`, `arguments: must not contain duplicates (items 0 and 1 are equal)`},
	{"uniqueItems objects differ in a value", `{"uniqueItems":true}`, `[{"a":1,"b":2},{"b":3,"a":1},{"a":{"x":[1]}},{"a":{"x":[2]}}]`, ""},
	{"uniqueItems first pair", `{"uniqueItems":true}`, `[3,1,2,1,3]`, `arguments: must not contain duplicates (items 1 and 3 are equal)`},
	{"uniqueItems false", `{"uniqueItems":false}`, `[1,1]`, ""},
	{"uniqueItems nested", `{"properties":{"tags":{"uniqueItems":true}}}`, `{"tags":["a","b","a"]}`, `argument "tags": must not contain duplicates (items 0 and 2 are equal)`},

	// contains, minContains, maxContains.
	{"contains", `{"contains":{"type":"integer"}}`, `["a",1]`, ""},
	{"contains fails", `{"contains":{"type":"integer"}}`, `["a","b"]`, `arguments: must contain at least 1 item matching {"type":"integer"} (got 0)`},
	{"contains empty array", `{"contains":true}`, `[]`, `arguments: must contain at least 1 item matching true (got 0)`},
	{"minContains", `{"contains":{"const":1},"minContains":2}`, `[1,2,1]`, ""},
	{"minContains fails", `{"contains":{"const":1},"minContains":2}`, `[1,2]`, `arguments: must contain at least 2 items matching {"const":1} (got 1)`},
	{"minContains 0", `{"contains":{"const":1},"minContains":0}`, `[]`, ""},
	{"maxContains fails", `{"contains":{"const":1},"maxContains":1}`, `[1,1]`, `arguments: must contain at most 1 item matching {"const":1} (got 2)`},
	{"maxContains without contains", `{"maxContains":1}`, `[1,1]`, ""},
	{"contains skips objects", `{"contains":{"const":1}}`, `{}`, ""},

	// minProperties, maxProperties.
	{"minProperties", `{"minProperties":2}`, `{"a":1,"b":2}`, ""},
	{"minProperties fails", `{"minProperties":2}`, `{"a":1}`, `arguments: must have at least 2 members (got 1)`},
	{"minProperties counts a name once", `{"minProperties":2}`, `{"a":1,"a":2}`, `arguments: must have at least 2 members (got 1)`},
	{"minProperties after escapes", `{"minProperties":2}`, `{"a":1,"\u0061":2}`, `arguments: must have at least 2 members (got 1)`},
	{"maxProperties", `{"maxProperties":1}`, `{"a":1,"a":2}`, ""},
	{"maxProperties fails", `{"maxProperties":1}`, `{"a":1,"b":2}`, `arguments: must have at most 1 member (got 2)`},
	{"maxProperties nested", `{"properties":{"o":{"maxProperties":0}}}`, `{"o":{"x":1}}`, `argument "o": must have at most 0 members (got 1)`},

	// propertyNames.
	{"propertyNames", `{"propertyNames":{"pattern":"^[a-z]+$"}}`, `{"ab":1,"c":2}`, ""},
	{"propertyNames fails", `{"propertyNames":{"pattern":"^[a-z]+$"}}`, `{"ab":1,"Cd":2}`, `argument "Cd": invalid name: must match the pattern "^[a-z]+$" (got "Cd")`},
	{"propertyNames maxLength", `{"propertyNames":{"maxLength":2}}`, `{"abc":1}`, `argument "abc": invalid name: must be at most 2 characters long (got 3)`},
	{"propertyNames false", `{"propertyNames":false}`, `{}`, ""},
	{"propertyNames false fails", `{"propertyNames":false}`, `{"a":1}`, `argument "a": invalid name: is not allowed`},

	// dependentRequired, dependentSchemas, and draft 7's dependencies.
	{"dependentRequired", `{"dependentRequired":{"card":["cvv"]}}`, `{"card":"x","cvv":"1"}`, ""},
	{"dependentRequired absent trigger", `{"dependentRequired":{"card":["cvv"]}}`, `{"name":"x"}`, ""},
	{"dependentRequired fails", `{"dependentRequired":{"card":["cvv"]}}`, `{"card":"x"}`, `argument "cvv": is required when "card" is given`},
	{"dependentRequired with properties and required", `{"properties":{"card":{"type":"string"}},"required":["name"],"dependentRequired":{"card":["cvv","name"]}}`, `{"name":"n","card":"x"}`, `argument "cvv": is required when "card" is given`},
	{"dependentSchemas", `{"dependentSchemas":{"card":{"required":["cvv"]}}}`, `{"card":1,"cvv":2}`, ""},
	{"dependentSchemas fails", `{"dependentSchemas":{"card":{"properties":{"cvv":{"type":"string"}},"required":["cvv"]}}}`, `{"card":1,"cvv":2}`, `argument "cvv": expected string, got number`},
	{"dependentSchemas absent trigger", `{"dependentSchemas":{"card":false}}`, `{"cvv":2}`, ""},
	{"dependencies array", `{"dependencies":{"card":["cvv"]}}`, `{"card":1}`, `argument "cvv": is required when "card" is given`},
	{"dependencies schema", `{"dependencies":{"card":{"maxProperties":1}}}`, `{"card":1,"x":2}`, `arguments: must have at most 1 member (got 2)`},

	// unevaluatedProperties and unevaluatedItems without in-place applicators.
	{"unevaluatedProperties false", `{"properties":{"a":{}},"patternProperties":{"^x-":{}},"unevaluatedProperties":false}`, `{"a":1,"x-b":2}`, ""},
	{"unevaluatedProperties false fails", `{"properties":{"a":{}},"patternProperties":{"^x-":{}},"unevaluatedProperties":false}`, `{"a":1,"b":2}`, `unexpected argument "b"`},
	{"unevaluatedProperties schema", `{"properties":{"a":{}},"unevaluatedProperties":{"type":"string"}}`, `{"a":1,"b":2}`, `argument "b": expected string, got number`},
	{"unevaluatedProperties beside additionalProperties", `{"additionalProperties":true,"unevaluatedProperties":false}`, `{"b":2}`, ""},
	{"unevaluatedItems false", `{"prefixItems":[{}],"unevaluatedItems":false}`, `[1]`, ""},
	{"unevaluatedItems false fails", `{"prefixItems":[{}],"unevaluatedItems":false}`, `[1,2]`, `argument "[1]": is not allowed`},
	{"unevaluatedItems beside items", `{"items":{"type":"integer"},"unevaluatedItems":false}`, `[1,2]`, ""},

	// if, then, else.
	{"if then", `{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}`, `{"kind":"a","x":1}`, ""},
	{"if then fails", `{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}`, `{"kind":"a","y":1}`, `missing required argument "x"`},
	{"if else", `{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}`, `{"kind":"b","y":1}`, ""},
	{"if else fails", `{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}`, `{"kind":"b","x":1}`, `missing required argument "y"`},
	{"if alone", `{"if":false}`, `1`, ""},
	{"then without if", `{"then":false,"else":false}`, `1`, ""},
	{"if without else", `{"if":{"type":"string"},"then":{"minLength":2}}`, `5`, ""},
	{"if in items", `{"items":{"if":{"type":"number"},"then":{"minimum":0}}}`, `["a",1,-1]`, `argument "[2]": must be >= 0 (got -1)`},

	// The conformance suite's schema.
	{"conformance valid", conformanceSchema, `{"name":"Ada","address":{"street":"1 Main St","city":"London"}}`, ""},
	{"conformance bad street", conformanceSchema, `{"name":"Ada","address":{"street":1}}`, `argument "address.street": expected string, got number`},
	{"conformance additional", conformanceSchema, `{"name":"Ada","age":3}`, `unexpected argument "age"`},
	{"conformance extra in address", conformanceSchema, `{"address":{"zip":"x"}}`, ""},
}

const conformanceSchema = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},"additionalProperties":false}`

var (
	manyPropertiesSchema = func() string {
		var b strings.Builder
		b.WriteString(`{"properties":{`)
		for i := range 12 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"p` + strconv.Itoa(i) + `":{"type":"integer"}`)
		}
		b.WriteString(`}}`)
		return b.String()
	}()
	manyRequiredSchema = func() string {
		var names []string
		for i := range 70 {
			names = append(names, `"r`+strconv.Itoa(i)+`"`)
		}
		return `{"required":[` + strings.Join(names, ",") + `]}`
	}()
)

// manyRequiredInstance has the members r0 to r(n-1).
func manyRequiredInstance(n int) string {
	var members []string
	for i := range n {
		members = append(members, `"r`+strconv.Itoa(i)+`":0`)
	}
	return `{` + strings.Join(members, ",") + `}`
}

func TestValidate(t *testing.T) {
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Compile([]byte(tc.schema))
			require.NoError(t, err)
			err = s.Validate([]byte(tc.instance))
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.NotErrorIs(t, err, ErrInvalidJSON)
		})
	}
}

func TestValidateErrorFields(t *testing.T) {
	tests := []struct {
		name, schema, instance string
		want                   ValidationError
	}{
		{"root type", `{"type":"object"}`, `[]`, ValidationError{Path: "", Keyword: "type", Message: "expected object, got array"}},
		{"nested", conformanceSchema, `{"address":{"street":1}}`, ValidationError{Path: "/address/street", Keyword: "type", Message: "expected string, got number"}},
		{"required", `{"properties":{"a":{"required":["b"]}}}`, `{"a":{}}`, ValidationError{Path: "/a/b", Keyword: "required", Message: "is required"}},
		{"additional", `{"additionalProperties":false}`, `{"x/y":1}`, ValidationError{Path: "/x~1y", Keyword: "additionalProperties", Message: "is not allowed"}},
		{"index", `{"items":{"enum":[1]}}`, `[1,1,2]`, ValidationError{Path: "/2", Keyword: "enum", Message: "must be one of 1 (got 2)"}},
		{"false", `{"properties":{"a":false}}`, `{"a":0}`, ValidationError{Path: "/a", Keyword: "false", Message: "is not allowed"}},
		{"invalid JSON", `{}`, `{"a":}`, ValidationError{Path: "", Keyword: "", Message: "invalid JSON: unexpected '}' at offset 5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Compile([]byte(tc.schema))
			require.NoError(t, err)
			var verr *ValidationError
			require.ErrorAs(t, s.Validate([]byte(tc.instance)), &verr)
			assert.Equal(t, tc.want.Path, verr.Path)
			assert.Equal(t, tc.want.Keyword, verr.Keyword)
			assert.Equal(t, tc.want.Message, verr.Message)
		})
	}
}

var syntaxCases = []string{
	``, ` `, `{`, `}`, `[`, `]`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{1:2}`,
	`{"a" 1}`, `{"a":1 "b":2}`, `[1 2]`, `"abc`, `"a\"`, `"\x"`, `"\u12"`, `"\u12G4"`, "\"a\x01\"",
	"\"tab\there\"", `01`, `-`, `-a`, `1.`, `1.e3`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `NaN`, `Infinity`,
	`tru`, `true1`, `nul`, `nulll`, `falsey`, `1 2`, `{} {}`, `[]]`, `"a" "b"`, "\xef\xbb\xbf{}",
	"{}\x00", `{"a":1}x`, `[1e5,-0.0,0E-0]`, `"\ud800"`, "\"\xff\xfe\"", `"\/\b\f\n\r\t\u00e9"`,
	` {"a" : [ true , false , null ] } `, "\t\r\n[]\n", `{"":""}`, `[[[[[]]]]]`, `"` + "\u2028" + `"`,
}

// TestValidateSyntax checks that Validate's JSON grammar is encoding/json's.
func TestValidateSyntax(t *testing.T) {
	for _, schema := range []string{`true`, `{"type":"object","properties":{"a":{"type":"string"}}}`, `{"anyOf":[{"type":"integer"},{"not":{}}]}`} {
		s, err := Compile([]byte(schema))
		require.NoError(t, err)
		for _, in := range syntaxCases {
			t.Run(schema+" "+in, func(t *testing.T) {
				err := s.Validate([]byte(in))
				if json.Valid([]byte(in)) {
					if err != nil {
						assert.NotErrorIs(t, err, ErrInvalidJSON)
					}
					return
				}
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrInvalidJSON)
				assert.True(t, strings.HasPrefix(err.Error(), "arguments: invalid JSON: "), err.Error())
			})
		}
	}
}

func TestValidateSyntaxMessages(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, `arguments: invalid JSON: unexpected end of input`},
		{`{"a":1`, `arguments: invalid JSON: unexpected end of input`},
		{`{"a":1]`, `arguments: invalid JSON: unexpected ']' at offset 6`},
		{"[\x01]", `arguments: invalid JSON: unexpected byte 0x1 at offset 1`},
		{`{} x`, `arguments: invalid JSON: unexpected 'x' at offset 3`},
		// A schema error comes first in the document, but a broken document is reported as such.
		{`{"a":1,"b":}`, `arguments: invalid JSON: unexpected '}' at offset 11`},
	}
	s, err := Compile([]byte(`{"properties":{"a":{"type":"string"}}}`))
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			err := s.Validate([]byte(tc.in))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			assert.ErrorIs(t, err, ErrInvalidJSON)
		})
	}
}

func TestValidateDepth(t *testing.T) {
	for _, schema := range []string{`true`, `{"items":{"$ref":"#"}}`} {
		s, err := Compile([]byte(schema))
		require.NoError(t, err)
		for _, depth := range []int{maxDepth, maxDepth + 1} {
			t.Run(schema+" "+strconv.Itoa(depth), func(t *testing.T) {
				in := []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
				err := s.Validate(in)
				if json.Valid(in) {
					assert.NoError(t, err)
				} else {
					assert.ErrorIs(t, err, ErrInvalidJSON)
				}
			})
		}
	}
}

// TestValidateBudget checks that alternatives that re-read nested values exponentially often
// give up instead of running for ages, and that ordinary large instances are not affected.
func TestValidateBudget(t *testing.T) {
	const exponential = `{"anyOf":[{"items":{"$ref":"#"},"minItems":5},{"items":{"$ref":"#"}}]}`
	deep := []byte(strings.Repeat("[", 40) + strings.Repeat("]", 40))
	for _, schema := range []string{exponential, `{"not":` + exponential + `}`} {
		t.Run(schema, func(t *testing.T) {
			err := mustCompile(t, schema).Validate(deep)
			require.Error(t, err)
			assert.Equal(t, `arguments: too complex to validate: the schema's alternatives read the same values too many times`, err.Error())
			assert.NotErrorIs(t, err, ErrInvalidJSON)
		})
	}
	t.Run("shallow", func(t *testing.T) {
		assert.NoError(t, mustCompile(t, exponential).Validate([]byte(`[[[[]]]]`)))
	})
	t.Run("large ordinary instance", func(t *testing.T) {
		s := mustCompile(t, `{"type":"array","items":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/item"}]},"$defs":{"item":{"type":"object","properties":{"text":{"type":"string"},"count":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}}},"required":["text"]}}}`)
		in := "[" + strings.Repeat(string(typicalValid)+",null,", 20000) + "null]"
		assert.NoError(t, s.Validate([]byte(in)))
	})
}

func TestValidateNilSchema(t *testing.T) {
	var s *Schema
	assert.NoError(t, s.Validate([]byte(`{"a":1}`)))
	assert.ErrorIs(t, s.Validate([]byte(`{"a":}`)), ErrInvalidJSON)
	assert.Nil(t, s.Raw())
	assert.False(t, s.IsObject())
}

type typicalArgs struct {
	Text  string   `json:"text"`
	Count int      `json:"count"`
	Tags  []string `json:"tags"`
}

var (
	typicalValid   = []byte(`{"text":"hello world","count":3,"tags":["a","b"]}`)
	typicalInvalid = []byte(`{"text":"hello world","count":"3","tags":["a","b"]}`)
)

// TestValidateAllocs pins the cost of validating a typical tool call's arguments.
func TestValidateAllocs(t *testing.T) {
	s, err := For[typicalArgs](nil)
	require.NoError(t, err)
	conformance, err := Compile([]byte(conformanceSchema))
	require.NoError(t, err)
	tests := []struct {
		name     string
		s        *Schema
		instance []byte
		max      float64
	}{
		{"typical valid", s, typicalValid, 0},
		{"conformance valid", conformance, []byte(`{"name":"Ada","address":{"street":"1 Main St","city":"London"}}`), 0},
		{"anyOf valid", mustCompile(t, `{"anyOf":[{"type":"null"},{"type":"string","enum":["x"]}]}`), []byte(`"x"`), 0},
		{"multipleOf valid", mustCompile(t, `{"items":{"multipleOf":0.01}}`), []byte(`[1.25,3,0.5e1]`), 0},
		{"uniqueItems valid", mustCompile(t, `{"uniqueItems":true}`), []byte(`["a","b","\u0063",1,[2],true]`), 0},
		{"contains valid", mustCompile(t, `{"contains":{"type":"string"},"maxContains":2}`), []byte(`[1,"a",2]`), 0},
		{"properties counted", mustCompile(t, `{"minProperties":1,"maxProperties":3,"propertyNames":{"maxLength":3}}`), []byte(`{"a":1,"b":2,"c":3}`), 0},
		{"dependents", mustCompile(t, `{"dependentRequired":{"a":["b"]},"dependentSchemas":{"b":{"required":["a"]}}}`), []byte(`{"a":1,"b":2}`), 0},
		{"if then else", mustCompile(t, `{"if":{"required":["a"]},"then":{"required":["b"]},"else":{"maxProperties":0}}`), []byte(`{"a":1,"b":2}`), 0},
		{"typical invalid", s, typicalInvalid, 4},
		{"nested invalid", conformance, []byte(`{"address":{"street":1}}`), 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(100, func() { _ = tc.s.Validate(tc.instance) })
			assert.LessOrEqual(t, allocs, tc.max)
		})
	}
}

func mustCompile(t testing.TB, schema string) *Schema {
	t.Helper()
	s, err := Compile([]byte(schema))
	require.NoError(t, err)
	return s
}

// TestValidateUniqueItemsLong: uniqueItems on long arrays of distinct values, scalars and
// objects, completes within the budget of an ordinary instance (it does not compare every pair).
func TestValidateUniqueItemsLong(t *testing.T) {
	s := mustCompile(t, `{"uniqueItems":true}`)
	for _, elem := range []func(int) string{
		func(i int) string { return strconv.Itoa(i) },
		func(i int) string { return `"s` + strconv.Itoa(i) + `"` },
		func(i int) string { return `{"id":` + strconv.Itoa(i) + `,"tag":"t"}` },
		func(i int) string { return `[` + strconv.Itoa(i) + `]` },
	} {
		items := make([]string, 20000)
		for i := range items {
			items[i] = elem(i)
		}
		assert.NoError(t, s.Validate([]byte(`[`+strings.Join(items, ",")+`]`)), elem(0))
		items[len(items)-1] = elem(7)
		assert.EqualError(t, s.Validate([]byte(`[`+strings.Join(items, ",")+`]`)), `arguments: must not contain duplicates (items 7 and 19999 are equal)`, elem(0))
	}
}

// TestValidateConcurrent runs one Schema from many goroutines, for the race detector.
func TestValidateConcurrent(t *testing.T) {
	s := mustCompile(t, conformanceSchema)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				assert.NoError(t, s.Validate([]byte(`{"name":"a","address":{}}`)))
				assert.Error(t, s.Validate([]byte(`{"name":1}`)))
			}
		})
	}
	wg.Wait()
}

// FuzzValidate checks that Validate never panics, that it reads JSON exactly as encoding/json
// does, and that it decides the same way twice.
func FuzzValidate(f *testing.F) {
	schemas := []*Schema{
		mustCompile(f, `true`),
		mustCompile(f, conformanceSchema),
		mustCompile(f, `{"type":"object","properties":{"text":{"type":"string","minLength":1,"pattern":"^[a-z ]+$"},"count":{"type":"integer","minimum":1},"tags":{"type":"array","items":{"enum":["a","b"]}}},"required":["text"]}`),
		mustCompile(f, `{"anyOf":[{"type":["null","boolean"]},{"items":{"$ref":"#"}},{"oneOf":[{"const":{"a":[1]}},{"not":{"type":"number"}}]}],"additionalProperties":{"$ref":"#"}}`),
		mustCompile(f, `{"uniqueItems":true,"contains":{"multipleOf":0.5},"maxContains":3,"items":{"$ref":"#"},"minProperties":1,"maxProperties":4,`+
			`"propertyNames":{"maxLength":3},"dependentRequired":{"a":["b"]},"dependentSchemas":{"c":{"additionalProperties":{"$ref":"#"}}},`+
			`"if":{"type":"object"},"then":{"properties":{"d":{"multipleOf":3}}},"else":{"not":{"type":"string"}}}`),
	}
	for _, tc := range validateCases {
		f.Add([]byte(tc.instance))
	}
	for _, in := range syntaxCases {
		f.Add([]byte(in))
	}
	f.Add(typicalValid)
	f.Add(typicalInvalid)
	f.Fuzz(func(t *testing.T, instance []byte) {
		valid := json.Valid(instance)
		for i, s := range schemas {
			err := s.Validate(instance)
			if i == 0 && valid != (err == nil) {
				t.Fatalf("Validate(%q) against true = %v, json.Valid = %v", instance, err, valid)
			}
			if !valid && !errors.Is(err, ErrInvalidJSON) {
				t.Fatalf("Validate(%q) = %v, want invalid JSON", instance, err)
			}
			if valid && errors.Is(err, ErrInvalidJSON) {
				t.Fatalf("Validate(%q) = %v on valid JSON", instance, err)
			}
			if again := s.Validate(instance); (err == nil) != (again == nil) || (err != nil && err.Error() != again.Error()) {
				t.Fatalf("Validate(%q) = %v, then %v", instance, err, again)
			}
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	s, err := For[typicalArgs](nil)
	require.NoError(b, err)
	conformance := mustCompile(b, conformanceSchema)
	benchmarks := []struct {
		name     string
		s        *Schema
		instance []byte
	}{
		{"typical/valid", s, typicalValid},
		{"typical/invalid", s, typicalInvalid},
		{"conformance/valid", conformance, []byte(`{"name":"Ada","address":{"street":"1 Main St","city":"London"}}`)},
		{"conformance/invalid", conformance, []byte(`{"name":"Ada","address":{"street":1,"city":"London"}}`)},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bm.instance)))
			for b.Loop() {
				_ = bm.s.Validate(bm.instance)
			}
		})
	}
}
