package fuzz

import (
	"regexp"
	"strings"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsonschema"
	"github.com/minimcp/minimcp/internal/openapi"
)

// toolNameRE is MCP's tool-name rule (MCP 2025-11-25, Server § Tools, Tool Names).
var toolNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

// pathDelimRE matches what a path value must never hold once encoded.
var pathDelimRE = regexp.MustCompile(`[/?#]`)

// FuzzOpenAPI checks the OpenAPI loader on any document, JSON or YAML: it never panics, a
// refusal lists at least one problem, and a description it accepts gives tools with valid,
// unique names and schemas the server compiles; building a request from any argument object
// never panics, and a path value never holds a "/" or a query a "#".
func FuzzOpenAPI(f *testing.F) {
	for _, s := range []struct{ doc, args string }{
		{`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/p/{id}":{"get":{"operationId":"a/b","parameters":[{"name":"id","in":"path","required":true,"style":"label","explode":true,"schema":{"type":"array"}},{"name":"f","in":"query","schema":{"type":"object"}}],"responses":{"200":{"description":"","content":{"application/json":{"schema":{"$ref":"#/components/schemas/N"}}}}}}}},"components":{"schemas":{"N":{"type":"object","nullable":true,"properties":{"n":{"$ref":"#/components/schemas/N"}}}}}}`, `{"id":["a/b","..",1],"f":{"x":"1#2"}}`},
		{"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      parameters:\n        - {name: b, in: body, schema: {$ref: '#/definitions/B'}}\n        - {name: q, in: query, type: array, items: {type: string}, collectionFormat: tsv}\n      responses: {200: {description: ok}}\ndefinitions:\n  B: &b {type: object, properties: {x: {type: string}}}\n  C: *b\n", `{"body":{"x":"y"},"q":["a","b"]}`},
		{`{"openapi":"3.1.0","paths":{"/c":{"delete":{"parameters":[{"$ref":"#/components/parameters/P"}]}}},"components":{"parameters":{"P":{"$ref":"#/components/parameters/P"}}}}`, `{}`},
		{`{"openapi":"3.0.0","paths":{"/d":{"get":{"parameters":[{"name":"c","in":"cookie","explode":true,"schema":{}},{"name":"h","in":"header","schema":{}}],"responses":{}}}}}`, `{"c":{"c":1},"h":"x\r\ny"}`},
	} {
		f.Add([]byte(s.doc), []byte(s.args))
	}
	f.Fuzz(func(t *testing.T, doc, args []byte) {
		d, err := openapi.Parse(doc, &openapi.Options{MaxYAMLNodes: 100_000})
		if err != nil {
			oe, ok := err.(*openapi.Error)
			if !ok || len(oe.Problems) == 0 {
				t.Fatalf("a refusal without problems: %v", err)
			}
			return
		}
		var values map[string]json.RawMessage
		if json.Unmarshal(args, &values) != nil {
			values = nil
		}
		names := map[string]bool{}
		for _, op := range d.Operations {
			if !toolNameRE.MatchString(op.Name) || names[op.Name] {
				t.Fatalf("tool name %q: invalid or repeated", op.Name)
			}
			names[op.Name] = true
			in, err := jsonschema.Compile(op.InputSchema)
			if err != nil || !in.IsObject() {
				t.Fatalf("%s: input schema %s: %v", op.Name, op.InputSchema, err)
			}
			if op.OutputSchema != nil {
				if out, err := jsonschema.Compile(op.OutputSchema); err != nil || !out.IsObject() {
					t.Fatalf("%s: output schema %s: %v", op.Name, op.OutputSchema, err)
				}
			}
			r, err := op.Build(values, nil)
			if err != nil {
				continue
			}
			for name, v := range r.PathValues {
				if pathDelimRE.MatchString(v) {
					t.Fatalf("path value %s=%q holds a delimiter", name, v)
				}
			}
			if strings.Contains(r.Query, "#") {
				t.Fatalf("query %q holds a #", r.Query)
			}
		}
	})
}
