package openapi_test

import (
	"errors"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/jsonschema"
	"github.com/minimcp/minimcp/internal/openapi"
)

// parse parses a description written in JSON or YAML and fails the test on an error.
func parse(t *testing.T, doc string) *openapi.Document {
	t.Helper()
	d, err := openapi.Parse([]byte(doc), nil)
	require.NoError(t, err)
	return d
}

// problems parses a description that must be refused and returns its problems, one per line.
func problems(t *testing.T, doc string) []string {
	t.Helper()
	_, err := openapi.Parse([]byte(doc), nil)
	var oe *openapi.Error
	require.True(t, errors.As(err, &oe), "want *openapi.Error, got %v", err)
	return strings.Split(oe.Error(), "\n")
}

func op(t *testing.T, d *openapi.Document, name string) *openapi.Operation {
	t.Helper()
	for _, o := range d.Operations {
		if o.Name == name {
			return o
		}
	}
	names := []string{}
	for _, o := range d.Operations {
		names = append(names, o.Name)
	}
	t.Fatalf("no operation %s among %v", name, names)
	return nil
}

func TestToolNames(t *testing.T) {
	long := strings.Repeat("x", 200)
	d := parse(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
		"/meta":{"get":{"operationId":"meta/root","responses":{}}},
		"/a":{"get":{"operationId":"repos/get-content","responses":{}},"post":{"operationId":"créer un élément","responses":{}}},
		"/b":{"get":{"operationId":"dup","responses":{}},"post":{"operationId":"dup","responses":{}}},
		"/c":{"get":{"operationId":"`+long+`","responses":{}},"put":{"operationId":"`+long+`","responses":{}}},
		"/pets/{petId}/toys":{"delete":{"parameters":[{"name":"petId","in":"path","required":true,"schema":{"type":"string"}}],"responses":{}}}
	}}`)
	var names []string
	for _, o := range d.Operations {
		names = append(names, o.Name)
		assert.Regexp(t, `^[A-Za-z0-9_.-]{1,128}$`, o.Name)
	}
	assert.Equal(t, []string{
		"repos_get-content", "cr_er_un_l_ment", // a character outside the alphabet is "_", runs are one
		"dup", "dup_2", // unique, in path then method order
		long[:128], long[:126] + "_2", // cut to 128, the suffix within it
		"meta_root",
		"delete_pets_petId_toys", // no operationId: method and path
	}, names)
}

// TestRefs: named schemas go in $defs, recursion included; in-place $refs are followed, and a
// cycle of them is bounded; a $ref to nowhere or elsewhere is a problem with its path.
func TestRefs(t *testing.T) {
	d := parse(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},
	"components":{
		"schemas":{
			"Node":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/components/schemas/Node"}}}},
			"Loop":{"type":"object","properties":{"self":{"$ref":"#/components/schemas/Loop/properties/self"}}},
			"Unused":{"$ref":"#/nowhere"}
		},
		"parameters":{"Id":{"$ref":"#/components/parameters/RealId"},"RealId":{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}}
	},
	"paths":{"/nodes/{id}":{"put":{"operationId":"putNode","parameters":[{"$ref":"#/components/parameters/Id"}],
		"requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Node"}}}},
		"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Node"}}}}}},
		"get":{"operationId":"getLoop","parameters":[{"$ref":"#/components/parameters/Id"}],
		"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Loop"}}}}}}}}}`)
	put := op(t, d, "putNode")
	assert.JSONEq(t, `{"type":"object","properties":{"id":{"type":"integer"},"body":{"$ref":"#/$defs/Node"}},"required":["id","body"],"additionalProperties":false,
		"$defs":{"Node":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/Node"}}}}}}`, string(put.InputSchema))
	// The root of an output schema is the named schema itself, which must say "type": "object".
	assert.JSONEq(t, `{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/Node"}}},
		"$defs":{"Node":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/Node"}}}}}}`, string(put.OutputSchema))
	s, err := jsonschema.Compile(put.InputSchema)
	require.NoError(t, err)
	assert.NoError(t, s.Validate([]byte(`{"id":1,"body":{"name":"a","children":[{"name":"b","children":[]}]}}`)))
	assert.Error(t, s.Validate([]byte(`{"id":1,"body":{"name":"a","children":[{"name":2}]}}`)))
	// A cycle of in-place $refs becomes true.
	get := op(t, d, "getLoop")
	assert.JSONEq(t, `{"properties":{"self":true},"type":"object"}`, string(get.OutputSchema))

	assert.Equal(t, []string{
		`components.parameters.B.$ref: "#/components/parameters/A": a cycle of $refs`,
		`paths["/a"].get.requestBody.content["application/json"].schema.$ref: "#/components/schemas/Missing": no such schema`,
		`paths["/b"].get.parameters[0].$ref: "other.yaml#/components/parameters/X" points outside the document; only local $refs (#/...) are followed`,
	}, problems(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},
	"components":{"parameters":{"A":{"$ref":"#/components/parameters/B"},"B":{"$ref":"#/components/parameters/A"}}},
	"paths":{
		"/a":{"get":{"parameters":[{"$ref":"#/components/parameters/A"}],"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Missing"}}}},"responses":{}}},
		"/b":{"get":{"parameters":[{"$ref":"other.yaml#/components/parameters/X"}],"responses":{}}}}}`))
}

// TestStyles checks the serialization of every style against the table of OpenAPI 3.1.1 §
// Parameter Object, Style Examples (color = "blue", ["blue","black","brown"],
// {"R":100,"G":200,"B":150}), as RFC 6570 writes label and the delimited styles.
func TestStyles(t *testing.T) {
	const str, arr, obj = `"blue"`, `["blue","black","brown"]`, `{"R":100,"G":200,"B":150}`
	for _, tc := range []struct {
		in, style string
		explode   bool
		want      [3]string // for the string, the array and the object; "-" when not applicable
	}{
		{"path", "matrix", false, [3]string{";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"}},
		{"path", "matrix", true, [3]string{";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"}},
		{"path", "label", false, [3]string{".blue", ".blue,black,brown", ".R,100,G,200,B,150"}},
		{"path", "label", true, [3]string{".blue", ".blue.black.brown", ".R=100.G=200.B=150"}},
		{"path", "simple", false, [3]string{"blue", "blue,black,brown", "R,100,G,200,B,150"}},
		{"path", "simple", true, [3]string{"blue", "blue,black,brown", "R=100,G=200,B=150"}},
		{"query", "form", false, [3]string{"color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"}},
		{"query", "form", true, [3]string{"color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"}},
		{"query", "spaceDelimited", false, [3]string{"-", "color=blue%20black%20brown", "color=R%20100%20G%20200%20B%20150"}},
		{"query", "pipeDelimited", false, [3]string{"-", "color=blue|black|brown", "color=R|100|G|200|B|150"}},
		{"query", "deepObject", true, [3]string{"-", "-", "color[R]=100&color[G]=200&color[B]=150"}},
		{"header", "simple", false, [3]string{"blue", "blue,black,brown", "R,100,G,200,B,150"}},
		{"header", "simple", true, [3]string{"blue", "blue,black,brown", "R=100,G=200,B=150"}},
		{"cookie", "form", false, [3]string{"color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"}},
	} {
		name := tc.in + "/" + tc.style
		if tc.explode {
			name += "/explode"
		}
		t.Run(name, func(t *testing.T) {
			path := "/x"
			if tc.in == "path" {
				path = "/x/{color}"
			}
			param, _ := json.Marshal(map[string]any{"name": "color", "in": tc.in, "required": tc.in == "path", "style": tc.style, "explode": tc.explode, "schema": map[string]any{}})
			d := parse(t, `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"`+path+`":{"get":{"operationId":"x","parameters":[`+string(param)+`],"responses":{}}}}}`)
			o := op(t, d, "x")
			for i, v := range []string{str, arr, obj} {
				if tc.want[i] == "-" {
					continue
				}
				r, err := o.Build(map[string]json.RawMessage{"color": json.RawMessage(v)}, nil)
				require.NoError(t, err)
				var got string
				switch tc.in {
				case "path":
					got = r.PathValues["color"]
				case "query":
					got = r.Query
				case "header":
					got = r.Header.Get("color")
				case "cookie":
					got = strings.Join(r.Cookies, "; ")
				}
				assert.Equal(t, tc.want[i], got, "value %s", v)
			}
		})
	}
}

// TestEncoding: values are percent-encoded outside the unreserved characters, so that a value
// can neither end its parameter nor add one; allowReserved keeps reserved characters but those
// that would.
func TestEncoding(t *testing.T) {
	d := parse(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/f/{name}":{"get":{"operationId":"x","parameters":[
		{"name":"name","in":"path","required":true,"schema":{"type":"string"}},
		{"name":"q","in":"query","schema":{"type":"string"}},
		{"name":"r","in":"query","allowReserved":true,"schema":{"type":"string"}},
		{"name":"h","in":"header","schema":{"type":"string"}}],"responses":{}}}}}`)
	o := op(t, d, "x")
	r, err := o.Build(map[string]json.RawMessage{
		"name": json.RawMessage(`"a/b c?d#e"`),
		"q":    json.RawMessage(`"x&api_key=evil"`),
		"r":    json.RawMessage(`"/p:q,r&s=t#u+v"`),
		"h":    json.RawMessage(`"v, w"`),
	}, nil)
	require.NoError(t, err)
	assert.Equal(t, "a%2Fb%20c%3Fd%23e", r.PathValues["name"])
	assert.Equal(t, "q=x%26api_key%3Devil&r=/p:q,r%26s%3Dt%23u%2Bv", r.Query)
	assert.Equal(t, "v, w", r.Header.Get("h"))

	_, err = o.Build(map[string]json.RawMessage{"name": json.RawMessage(`"a"`), "h": json.RawMessage(`"v\r\nX-Evil: 1"`)}, nil)
	assert.EqualError(t, err, `argument "h": must not contain a line break or NUL`)
}

// TestQueryPollution: an exploded object may not write a query parameter the operation
// declares or the request carries (an API key), whatever its case.
func TestQueryPollution(t *testing.T) {
	d := parse(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/f":{"get":{"operationId":"x","parameters":[
		{"name":"filter","in":"query","schema":{"type":"object"}},
		{"name":"limit","in":"query","schema":{"type":"integer"}}],"responses":{}}}}}`)
	o := op(t, d, "x")
	opts := &openapi.BuildOptions{ReservedQuery: []string{"api_key"}}
	r, err := o.Build(map[string]json.RawMessage{"filter": json.RawMessage(`{"status":"open"}`), "limit": json.RawMessage(`5`)}, opts)
	require.NoError(t, err)
	assert.Equal(t, "status=open&limit=5", r.Query)
	_, err = o.Build(map[string]json.RawMessage{"filter": json.RawMessage(`{"API_KEY":"mine"}`)}, opts)
	assert.EqualError(t, err, `argument "filter": member "API_KEY" would repeat the query parameter "API_KEY"`)
	_, err = o.Build(map[string]json.RawMessage{"filter": json.RawMessage(`{"Limit":"1000"}`), "limit": json.RawMessage(`5`)}, opts)
	assert.EqualError(t, err, `argument "filter": member "Limit" would repeat the query parameter "Limit"`)
}

// TestClashRule: path, query, header and cookie parameters keep their names in that order of
// precedence; a later one with a taken name is "<in>_<name>"; the body is "body", or
// "requestBody" when a parameter has that name.
func TestClashRule(t *testing.T) {
	d := parse(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/items/{id}":{"post":{"operationId":"x","parameters":[
		{"name":"id","in":"cookie","schema":{"type":"string"}},
		{"name":"id","in":"query","schema":{"type":"string"}},
		{"name":"id","in":"header","schema":{"type":"string"}},
		{"name":"body","in":"query","schema":{"type":"string"}},
		{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
		"requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object"}}}},"responses":{}}}}}`)
	o := op(t, d, "x")
	var args []string
	for _, p := range o.Params {
		args = append(args, p.In+":"+p.Name+"->"+p.Arg)
	}
	assert.Equal(t, []string{"path:id->id", "query:id->query_id", "query:body->body", "header:id->header_id", "cookie:id->cookie_id"}, args)
	assert.Equal(t, "requestBody", o.Body.Arg)
	r, err := o.Build(map[string]json.RawMessage{
		"id": json.RawMessage(`"p"`), "query_id": json.RawMessage(`"q"`), "header_id": json.RawMessage(`"h"`),
		"cookie_id": json.RawMessage(`"c"`), "body": json.RawMessage(`"b"`), "requestBody": json.RawMessage(`{"a": 1}`),
	}, nil)
	require.NoError(t, err)
	assert.Equal(t, "p", r.PathValues["id"])
	assert.Equal(t, "id=q&body=b", r.Query)
	assert.Equal(t, "h", r.Header.Get("id"))
	assert.Equal(t, []string{"id=c"}, r.Cookies)
	assert.Equal(t, `{"a":1}`, string(r.Body))
	assert.Equal(t, "application/json", r.ContentType)
	assert.JSONEq(t, `["id","requestBody"]`, string(mustMember(t, o.InputSchema, "required")))
}

func mustMember(t *testing.T, obj []byte, key string) json.RawMessage {
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(obj, &m))
	return m[key]
}

// TestSecurity: an operation's security overrides the document's, an empty list means none,
// and the schemes are read with what a request needs of them.
func TestSecurity(t *testing.T) {
	d := parse(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
security:
  - api_key: []
components:
  securitySchemes:
    api_key: {type: apiKey, name: X-API-Key, in: header}
    q_key: {type: apiKey, name: key, in: query}
    bearer: {type: http, scheme: Bearer}
    oauth:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: "https://auth.example/token", scopes: {"read:pets": read}}
paths:
  /a:
    get: {operationId: inherits, responses: {}}
  /b:
    get: {operationId: none, security: [], responses: {}}
  /c:
    get:
      operationId: either
      security: [{oauth: ["read:pets"]}, {q_key: [], bearer: []}, {}]
      responses: {}
`)
	assert.Equal(t, []openapi.Requirement{{{Scheme: "api_key"}}}, op(t, d, "inherits").Security)
	assert.Nil(t, op(t, d, "none").Security)
	assert.Equal(t, []openapi.Requirement{
		{{Scheme: "oauth", Scopes: []string{"read:pets"}}},
		{{Scheme: "bearer"}, {Scheme: "q_key"}},
		{},
	}, op(t, d, "either").Security)
	assert.Equal(t, &openapi.SecurityScheme{Type: "apiKey", In: "header", ParamName: "X-API-Key"}, d.SecuritySchemes["api_key"])
	assert.Equal(t, &openapi.SecurityScheme{Type: "http", Scheme: "bearer"}, d.SecuritySchemes["bearer"])
	assert.Equal(t, &openapi.SecurityScheme{Type: "oauth2", TokenURL: "https://auth.example/token"}, d.SecuritySchemes["oauth"])

	assert.Equal(t, []string{
		`components.securitySchemes.k.in: must be "header", "query" or "cookie"`,
		`paths["/a"].get.security[0].nope: no such security scheme`,
	}, problems(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},
		"components":{"securitySchemes":{"k":{"type":"apiKey","name":"k","in":"body"}}},
		"paths":{"/a":{"get":{"security":[{"nope":[]}],"responses":{}}}}}`))
}

// TestSwagger2: a Swagger 2.0 description: servers from schemes, host and basePath, body and
// formData parameters, collectionFormat, x-nullable.
func TestSwagger2(t *testing.T) {
	d := parse(t, `
swagger: "2.0"
info: {title: t, version: "1"}
host: api.example.com
basePath: /v1
schemes: [https]
definitions:
  Pet:
    type: object
    properties:
      name: {type: string, x-nullable: true}
paths:
  /pets:
    get:
      operationId: list
      parameters:
        - {name: tags, in: query, type: array, items: {type: string}, collectionFormat: pipes}
        - {name: ids, in: query, type: array, items: {type: integer}, collectionFormat: multi}
      responses:
        200: {description: ok, schema: {$ref: "#/definitions/Pet"}}
    post:
      operationId: add
      parameters:
        - {name: pet, in: body, required: true, schema: {$ref: "#/definitions/Pet"}}
      responses: {}
  /pets/{id}:
    patch:
      operationId: rename
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: id, in: path, required: true, type: integer}
        - {name: name, in: formData, required: true, type: string}
      responses: {}
`)
	assert.Equal(t, []string{"https://api.example.com/v1"}, d.Servers)
	r, err := op(t, d, "list").Build(map[string]json.RawMessage{"tags": json.RawMessage(`["a","b"]`), "ids": json.RawMessage(`[1,2]`)}, nil)
	require.NoError(t, err)
	assert.Equal(t, "tags=a|b&ids=1&ids=2", r.Query)
	assert.JSONEq(t, `{"type":"object","properties":{"name":{"type":["string","null"]}}}`, string(op(t, d, "list").OutputSchema))
	add := op(t, d, "add")
	assert.Equal(t, "body", add.Body.Arg)
	assert.Equal(t, "application/json", add.Body.MediaType)
	rename := op(t, d, "rename")
	r, err = rename.Build(map[string]json.RawMessage{"id": json.RawMessage(`7`), "body": json.RawMessage(`{"name":"Rex & co"}`)}, nil)
	require.NoError(t, err)
	assert.Equal(t, "7", r.PathValues["id"])
	assert.Equal(t, "name=Rex+%26+co", string(r.Body))
	assert.Equal(t, "application/x-www-form-urlencoded", r.ContentType)
}

// TestNullable: OpenAPI 3.0's nullable becomes a null type, in an enum too, and anyOf null
// beside a $ref or a composition.
func TestNullable(t *testing.T) {
	d := parse(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},
	"components":{"schemas":{"S":{"type":"string"}}},
	"paths":{"/a":{"post":{"operationId":"x","requestBody":{"content":{"application/json":{"schema":{"type":"object","properties":{
		"a":{"type":"string","nullable":true,"enum":["x","y"]},
		"b":{"allOf":[{"$ref":"#/components/schemas/S"}],"nullable":true},
		"c":{"type":"integer","example":3}}}}}},"responses":{}}}}}`)
	var in struct {
		Properties struct {
			Body json.RawMessage `json:"body"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(op(t, d, "x").InputSchema, &in))
	assert.JSONEq(t, `{"type":"object","properties":{
		"a":{"type":["string","null"],"enum":["x","y",null]},
		"b":{"anyOf":[{"allOf":[{"$ref":"#/$defs/S"}]},{"type":"null"}]},
		"c":{"type":"integer","examples":[3]}}}`, string(in.Properties.Body))
}

// TestYAML: YAML's integer keys (response codes), anchors and merge keys read as JSON would
// have them; aliases that would expand beyond the bound are refused.
func TestYAML(t *testing.T) {
	d := parse(t, `
openapi: 3.1.0
info: {title: t, version: 1.0}
x-common: &common
  type: object
  properties: {n: {type: integer}}
paths:
  /a:
    get:
      operationId: a
      responses:
        200:
          description: ok
          content:
            application/json:
              schema:
                <<: *common
                required: [n]
`)
	assert.JSONEq(t, `{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}`, string(op(t, d, "a").OutputSchema))

	bomb := "openapi: 3.1.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'k'; i++ {
		prev := string(i - 1)
		bomb += string(i) + ": &" + string(i) + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
	}
	_, err := openapi.Parse([]byte(bomb), &openapi.Options{MaxYAMLNodes: 1_000_000})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too many nodes")
}

// TestNotOpenAPI: what is not a description is refused with ErrNotOpenAPI and a message.
func TestNotOpenAPI(t *testing.T) {
	for doc, want := range map[string]string{
		`{"openapi": "2.5"}`:             `openapi: version "2.5" is not supported (3.0, 3.1 and 3.2 are, and Swagger 2.0)`,
		`{"swagger": "1.2"}`:             `swagger: must be "2.0" (the only Swagger version supported), got "1.2"`,
		`{"asyncapi": "2.0"}`:            `is not an OpenAPI description: it has neither "openapi" (3.x) nor "swagger" (2.0)`,
		`[1, 2]`:                         `must be an object (an OpenAPI or Swagger description)`,
		"openapi: [3\n":                  `YAML: yaml: line 1: did not find expected ',' or ']'`,
		`{"openapi": "3.0.0", "paths": `: `JSON: `,
	} {
		_, err := openapi.Parse([]byte(doc), nil)
		require.ErrorIs(t, err, openapi.ErrNotOpenAPI, doc)
		assert.True(t, strings.HasPrefix(err.Error(), want), "%s: got %v", doc, err)
	}
}

// TestAnnotations: from the method.
func TestAnnotations(t *testing.T) {
	d := parse(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{
		"get":{"operationId":"g","responses":{}},"put":{"operationId":"p","responses":{}},
		"delete":{"operationId":"d","responses":{}},"post":{"operationId":"c","responses":{}}}}}`)
	for name, want := range map[string][3]bool{"g": {true, false, true}, "p": {false, false, true}, "d": {false, true, true}, "c": {false, false, false}} {
		o := op(t, d, name)
		assert.Equal(t, want, [3]bool{o.ReadOnly, o.Destructive, o.Idempotent}, name)
	}
}

// TestSelect: operations Select leaves out are not read, so their problems do not count.
func TestSelect(t *testing.T) {
	doc := []byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
		"/a":{"get":{"operationId":"a","tags":["keep"],"responses":{}}},
		"/b":{"get":{"operationId":"b","parameters":[{"in":"query"}],"responses":{}}}}}`)
	_, err := openapi.Parse(doc, nil)
	require.EqualError(t, err, `paths["/b"].get.parameters[0].name: is required`)
	d, err := openapi.Parse(doc, &openapi.Options{Select: func(o openapi.OperationInfo) bool { return o.ID != "b" }})
	require.NoError(t, err)
	require.Len(t, d.Operations, 1)
	_, err = openapi.Parse(doc, &openapi.Options{Select: func(openapi.OperationInfo) bool { return false }})
	assert.EqualError(t, err, `paths: has no operations that the include and exclude rules select`)
}

// TestDeepSchema: a schema nested beyond the bound is a problem, not a stack overflow.
func TestDeepSchema(t *testing.T) {
	deep := strings.Repeat(`{"not":`, 1000) + `{}` + strings.Repeat(`}`, 1000)
	got := problems(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"post":{"requestBody":{"content":{"application/json":{"schema":`+deep+`}}},"responses":{}}}}}`)
	require.Len(t, got, 1)
	assert.Contains(t, got[0], "the schema is nested more than 200 deep")
}

// TestResponseDescription: the status's own description, else its class's; not default's.
func TestResponseDescription(t *testing.T) {
	d := parse(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"operationId":"a","responses":{
		"400":{"description":"Invalid status value"},"5XX":{"description":"Server trouble"},"default":{"description":"Something else"}}}}}}`)
	o := op(t, d, "a")
	assert.Equal(t, "Invalid status value", o.ResponseDescription(400))
	assert.Equal(t, "Server trouble", o.ResponseDescription(503))
	assert.Empty(t, o.ResponseDescription(404))
}

// TestUncompilableSchema: an operation whose input schema the server would refuse is left
// out, with why; an output schema it would refuse is dropped; the others are served.
func TestUncompilableSchema(t *testing.T) {
	d := parse(t, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
		"/a":{"get":{"operationId":"a","parameters":[{"name":"q","in":"query","schema":{"type":"string","pattern":"^(?!admin)"}}],"responses":{}}},
		"/b":{"get":{"operationId":"b","responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","properties":{"s":{"type":"string","pattern":"(?<=x)y"}}}}}}}}},
		"/c":{"get":{"operationId":"c","responses":{}}}}}`)
	var names []string
	for _, o := range d.Operations {
		names = append(names, o.Name)
	}
	assert.Equal(t, []string{"b", "c"}, names)
	assert.Nil(t, op(t, d, "b").OutputSchema)
	require.Len(t, d.Skipped, 1)
	assert.Equal(t, `paths["/a"].get`, d.Skipped[0].Path)
	assert.Contains(t, d.Skipped[0].Message, "skipped: its input schema: ")
	assert.Contains(t, d.Skipped[0].Message, "pattern")
}
