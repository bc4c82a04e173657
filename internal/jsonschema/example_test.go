package jsonschema_test

import (
	"errors"
	"fmt"

	"github.com/minimcp/minimcp/internal/jsonschema"
)

func ExampleFor() {
	type Args struct {
		Text  string   `json:"text" description:"What to say."`
		Count int      `json:"count" jsonschema:"minimum=1,maximum=10"`
		Mode  string   `json:"mode,omitempty" jsonschema:"enum=fast|slow,default=fast"`
		Tags  []string `json:"tags,omitempty"`
	}
	s, err := jsonschema.For[Args](nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(s.Raw()))
	fmt.Println(s.IsObject())
	fmt.Println(s.Validate([]byte(`{"text":"hello world","count":3,"tags":["a","b"]}`)))
	fmt.Println(s.Validate([]byte(`{"text":"hello world","count":0}`)))
	fmt.Println(s.Validate([]byte(`{"count":3}`)))
	fmt.Println(s.Validate([]byte(`{"text":"hi","count":3,"mode":"medium"}`)))
	fmt.Println(s.Validate([]byte(`{"text":"hi","count":3,"tags":["a",2]}`)))
	// Output:
	// {"type":"object","properties":{"text":{"type":"string","description":"What to say."},"count":{"type":"integer","minimum":1,"maximum":10},"mode":{"type":"string","enum":["fast","slow"],"default":"fast"},"tags":{"type":"array","items":{"type":"string"}}},"required":["text","count"]}
	// true
	// <nil>
	// argument "count": must be >= 1 (got 0)
	// missing required argument "text"
	// argument "mode": must be one of "fast", "slow" (got "medium")
	// argument "tags[1]": expected string, got number
}

func ExampleCompile() {
	raw := []byte(`{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "$defs": {"address": {"type": "object", "properties": {"street": {"type": "string"}}}},
  "properties": {"address": {"$ref": "#/$defs/address"}},
  "additionalProperties": false
}`)
	s, err := jsonschema.Compile(raw)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(s.Raw()) == string(raw))
	fmt.Println(s.Validate([]byte(`{"address":{"street":"1 Main St"}}`)))
	fmt.Println(s.Validate([]byte(`{"address":{"street":1}}`)))
	fmt.Println(s.Validate([]byte(`{"name":"Ada"}`)))
	fmt.Println(s.Validate([]byte(`[]`)))

	_, err = jsonschema.Compile([]byte(`{"properties":{"a":{"$ref":"#/$defs/b"}}}`))
	fmt.Println(err)
	// Output:
	// true
	// <nil>
	// argument "address.street": expected string, got number
	// unexpected argument "name"
	// arguments: expected object, got array
	// jsonschema: schema #/properties/a/$ref: cannot resolve "#/$defs/b": no such location in the document
}

func ExampleValidationError() {
	s, err := jsonschema.Compile([]byte(`{"type":"object","properties":{"items":{"type":"array","items":{"type":"integer","minimum":1}}}}`))
	if err != nil {
		panic(err)
	}
	err = s.Validate([]byte(`{"items":[3,0]}`))
	var verr *jsonschema.ValidationError
	if errors.As(err, &verr) {
		fmt.Printf("%s | %s | %s\n", verr.Path, verr.Keyword, verr.Message)
	}
	fmt.Println(err)

	err = s.Validate([]byte(`{"items":[3,`))
	fmt.Println(errors.Is(err, jsonschema.ErrInvalidJSON), err)
	// Output:
	// /items/1 | minimum | must be >= 1 (got 0)
	// argument "items[1]": must be >= 1 (got 0)
	// true arguments: invalid JSON: unexpected end of input
}
