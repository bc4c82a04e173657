package manifest

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
	"github.com/minimcp/minimcp/mcp"
)

// shopSpec is the description the OpenAPI tests serve: an operation with parameters in every
// place, one with a body, the security schemes minimcp sends.
const shopSpec = `
openapi: 3.0.3
info: {title: Shop, version: "1"}
servers: [{url: "{{UPSTREAM}}/api"}]
security: [{key: []}]
components:
  securitySchemes:
    key: {type: apiKey, in: query, name: api_key}
    hdr: {type: apiKey, in: header, name: X-Key}
    jar: {type: apiKey, in: cookie, name: sid}
    bearer: {type: http, scheme: bearer}
    basic: {type: http, scheme: basic}
    cc:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: "{{UPSTREAM}}/token", scopes: {read: r}}}
  schemas:
    Item:
      type: object
      required: [id]
      properties: {id: {type: integer}, name: {type: string}}
paths:
  /items/{id}:
    get:
      operationId: items/get
      tags: [items]
      summary: Get an item
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: fields, in: query, schema: {type: array, items: {type: string}}, explode: false}
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: pref, in: cookie, schema: {type: string}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}}
        "404": {description: No such item}
  /items:
    post:
      operationId: createItem
      tags: [items]
      security: [{hdr: [], jar: []}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}
      responses: {"201": {description: created}}
  /secure/bearer:
    get: {operationId: viaBearer, security: [{bearer: []}], responses: {"200": {description: ok}}}
  /secure/basic:
    get: {operationId: viaBasic, security: [{basic: []}], responses: {"200": {description: ok}}}
  /secure/oauth:
    get: {operationId: viaOAuth, security: [{cc: [read]}], responses: {"200": {description: ok}}}
  /secure/either:
    get: {operationId: either, security: [{bearer: []}, {key: []}], responses: {"200": {description: ok}}}
  /open:
    delete: {operationId: open, security: [], responses: {"204": {description: gone}}}
  /files/{name}:
    get:
      operationId: file
      security: []
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: the file, content: {application/octet-stream: {}, image/png: {}}}}
`

// writeSpec writes a description into a temporary directory and returns its path.
func writeSpec(t *testing.T, name, text string, upstream string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(strings.ReplaceAll(text, "{{UPSTREAM}}", upstream)), 0o600))
	return p
}

// shopUpstream answers the shop's operations, and the token endpoint; it records requests.
func shopUpstream(t *testing.T, tokens *atomic.Int32) *recorder {
	return newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/token":
			n := tokens.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"access_token":"tok`+string(rune('0'+n))+`","token_type":"bearer","expires_in":3600}`)
		case r.URL.Path == "/api/files/a.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write([]byte{0x89, 'P', 'N', 'G', 0, 0xff})
		case r.URL.Path == "/api/files/a.bin":
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write([]byte{0, 1, 2})
		case r.URL.Path == "/api/files/a.txt":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "plain")
		case r.URL.Path == "/api/items/404":
			w.WriteHeader(http.StatusNotFound)
		case r.URL.Path == "/api/items/401":
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.Header().Set("X-Request-Id", "r1")
			w.WriteHeader(http.StatusUnauthorized)
		case r.URL.Path == "/api/items/bad":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"not a number"}`)
		case strings.HasPrefix(r.URL.Path, "/api/items/"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":7,"name":"widget"}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
	})
}

func TestOpenAPITools(t *testing.T) {
	var tokens atomic.Int32
	up := shopUpstream(t, &tokens)
	spec := writeSpec(t, "shop.yaml", shopSpec, up.URL)
	t.Setenv("SHOP_KEY", "k&1")
	t.Setenv("SHOP_SECRET", "s3cret")
	srv := manifestServer(t, `{"openapi": [{"spec": "`+spec+`",
		"headers": {"X-Client": "minimcp-test"},
		"auth": {"key": {"value": "${SHOP_KEY}"}, "hdr": {"value": "h-${SHOP_KEY}"}, "jar": {"value": "j"},
			"bearer": {"token": "b-${SHOP_SECRET}"}, "basic": {"username": "u", "password": "${SHOP_SECRET}"},
			"cc": {"clientId": "id", "clientSecret": "${SHOP_SECRET}", "scopes": ["read"]}}}]}`)

	t.Run("tools/list", func(t *testing.T) {
		raw, rerr := mcptest.Request(t, srv, mcp.MethodToolsList, nil)
		require.Nil(t, rerr)
		var list struct{ Tools []*mcp.Tool }
		require.NoError(t, json.Unmarshal(raw, &list))
		var names []string
		for _, tl := range list.Tools {
			names = append(names, tl.Name)
		}
		assert.ElementsMatch(t, []string{"items_get", "createItem", "viaBearer", "viaBasic", "viaOAuth", "either", "open", "file"}, names)
		get := list.Tools[slicesIndex(names, "items_get")]
		assert.Equal(t, "Get an item", get.Title)
		assert.True(t, *get.Annotations.ReadOnlyHint)
		assert.JSONEq(t, `{"type":"object","required":["id"],"properties":{"id":{"type":"integer"},"name":{"type":"string"}}}`, string(get.OutputSchema))
	})

	t.Run("parameters", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "items_get", `{"id":"a b","fields":["x","y"],"X-Trace":"t1","pref":"dark"}`)
		require.False(t, res.IsError, "%v", mcptest.Texts(res))
		assert.JSONEq(t, `{"id":7,"name":"widget"}`, string(res.StructuredContent))
		got := up.requests()
		r := got[len(got)-1]
		assert.Equal(t, "/api/items/a%20b?fields=x,y&api_key=k%261", r.RequestURI)
		assert.Equal(t, "t1", r.Header.Get("X-Trace"))
		assert.Equal(t, "pref=dark", r.Header.Get("Cookie"))
		assert.Equal(t, "minimcp-test", r.Header.Get("X-Client"))
	})

	t.Run("body and two schemes", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "createItem", `{"body":{"id":1,"name":"lamp"}}`)
		require.False(t, res.IsError, "%v", mcptest.Texts(res))
		got := up.requests()
		r := got[len(got)-1]
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, "h-k&1", r.Header.Get("X-Key"))
		assert.Equal(t, "sid=j", r.Header.Get("Cookie"))
		assert.Empty(t, r.URL.RawQuery, "the document's api_key is not what this operation asks for")
	})

	t.Run("security", func(t *testing.T) {
		for _, tc := range []struct{ tool, header, query string }{
			{"viaBearer", "Bearer b-s3cret", ""},
			{"viaBasic", "Basic dTpzM2NyZXQ=", ""},
			{"either", "Bearer b-s3cret", ""},
			{"open", "", ""},
		} {
			res := mcptest.Tool(t, srv, tc.tool, `{}`)
			require.False(t, res.IsError, "%s: %v", tc.tool, mcptest.Texts(res))
			got := up.requests()
			r := got[len(got)-1]
			assert.Equal(t, tc.header, r.Header.Get("Authorization"), tc.tool)
			assert.Equal(t, tc.query, r.URL.RawQuery, tc.tool)
		}
		for range 2 {
			res := mcptest.Tool(t, srv, "viaOAuth", `{}`)
			require.False(t, res.IsError, "%v", mcptest.Texts(res))
			got := up.requests()
			assert.Equal(t, "Bearer tok1", got[len(got)-1].Header.Get("Authorization"))
		}
		assert.Equal(t, int32(1), tokens.Load(), "the token is fetched once and reused")
	})

	t.Run("refusals", func(t *testing.T) {
		before := len(up.requests())
		for args, want := range map[string]string{
			`{"id":".."}`:                      `argument "id": "." and ".." are not allowed as a path segment`,
			`{"id":"%2e%2e"}`:                  `argument "id": "." and ".." are not allowed as a path segment`,
			`{"id":"x","X-Trace":"a\r\nB: c"}`: `argument "X-Trace": must not contain a line break or NUL`,
		} {
			res := mcptest.Tool(t, srv, "items_get", args)
			assert.True(t, res.IsError, args)
			assert.Equal(t, []string{want}, mcptest.Texts(res), args)
		}
		assert.Len(t, up.requests(), before, "nothing sent")
	})

	t.Run("binary answers", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "file", `{"name":"a.png"}`)
		require.False(t, res.IsError)
		require.Len(t, res.Content, 1)
		assert.Equal(t, &mcp.ImageContent{Data: []byte{0x89, 'P', 'N', 'G', 0, 0xff}, MimeType: "image/png"}, res.Content[0])
		res = mcptest.Tool(t, srv, "file", `{"name":"a.bin"}`)
		require.Len(t, res.Content, 1)
		assert.Equal(t, &mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: up.URL + "/api/files/a.bin", MimeType: "application/octet-stream", Blob: []byte{0, 1, 2}}}, res.Content[0])
		res = mcptest.Tool(t, srv, "file", `{"name":"a.txt"}`)
		assert.Equal(t, []string{"plain"}, mcptest.Texts(res))
	})

	t.Run("answers", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "items_get", `{"id":"404"}`)
		assert.True(t, res.IsError)
		assert.Equal(t, []string{"upstream answered 404 Not Found (No such item): (no body)"}, mcptest.Texts(res))
		res = mcptest.Tool(t, srv, "items_get", `{"id":"401"}`)
		assert.True(t, res.IsError)
		assert.Equal(t, []string{`upstream answered 401 Unauthorized: (no body; Www-Authenticate: Bearer error="invalid_token")`}, mcptest.Texts(res))
		res = mcptest.Tool(t, srv, "items_get", `{"id":"bad"}`)
		assert.True(t, res.IsError)
		require.Len(t, mcptest.Texts(res), 1)
		assert.Contains(t, mcptest.Texts(res)[0], `the upstream's answer does not match the description's response schema`)
		assert.Contains(t, mcptest.Texts(res)[0], `{"id":"not a number"}`)
	})
}

func slicesIndex(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// TestOpenAPIDryRun: a dry run answers with the request, credentials hidden, and sends nothing.
func TestOpenAPIDryRun(t *testing.T) {
	up := newRecorder(t, nil)
	spec := writeSpec(t, "shop.yaml", shopSpec, up.URL)
	t.Setenv("SHOP_KEY", "k1")
	srv := manifestServer(t, `{"openapi": [{"spec": "`+spec+`", "dryRun": true, "headers": {"X-Client": "${SHOP_KEY}"},
		"auth": {"key": {"value": "${SHOP_KEY}"}, "hdr": {"value": "${SHOP_KEY}"}, "jar": {"value": "${SHOP_KEY}"}}}]}`)
	res := mcptest.Tool(t, srv, "items_get", `{"id":"7","fields":["a"]}`)
	require.False(t, res.IsError)
	assert.Equal(t, []string{"GET " + up.URL + "/api/items/7?fields=a&api_key=(secret)\nX-Client: (set by the manifest)\n(dry run: nothing was sent)"}, mcptest.Texts(res))
	res = mcptest.Tool(t, srv, "createItem", `{"body":{"id":1}}`)
	assert.Equal(t, []string{"POST " + up.URL + "/api/items\nContent-Type: application/json\nCookie: sid=(secret)\nX-Client: (set by the manifest)\nX-Key: (secret)\n\n{\"id\":1}\n(dry run: nothing was sent)"}, mcptest.Texts(res))
	assert.Empty(t, up.requests())
	assert.NotContains(t, strings.Join(mcptest.Texts(res), ""), "k1")

	srv = manifestServer(t, `{"openapi": [{"spec": "`+spec+`", "dryRun": true, "baseUrl": "https://api.example/v1?client=${SHOP_KEY}"}]}`)
	res = mcptest.Tool(t, srv, "open", `{}`)
	assert.Equal(t, []string{"DELETE https://api.example/v1/open?client=(set by the manifest)\n(dry run: nothing was sent)"}, mcptest.Texts(res))
}

// TestOpenAPISelect: include and exclude by tag, operationId and method; names they give that
// the description lacks are problems.
func TestOpenAPISelect(t *testing.T) {
	spec := writeSpec(t, "shop.yaml", shopSpec, "http://127.0.0.1:1")
	m, err := parseManifest("m.json", []byte(`{"openapi": [{"spec": "`+spec+`", "include": {"tags": ["items"], "operations": ["viaBasic"]}, "exclude": {"methods": ["post"]}, "namePrefix": "shop."}]}`), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"shop.items_get", "shop.viaBasic"}, m.ToolNames())

	_, err = parseManifest("m.json", []byte(`{"openapi": [{"spec": "`+spec+`", "include": {"tags": ["item"], "operations": ["viaBasik", "viaBearer"], "methods": ["FETCH"]}, "auth": {"kee": {"value": "x"}}, "timout": "1s"}]}`), nil)
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		`manifest m.json: openapi[0].include.methods[0]: "FETCH" is not an HTTP method`,
		`manifest m.json: openapi[0].timout: unknown field (did you mean "timeout"?)`,
		`manifest m.json: openapi[0].include.tags[0]: no operation has the tag "item" (did you mean "items"?)`,
		`manifest m.json: openapi[0].include.operations[0]: no operation has the operationId "viaBasik" (did you mean "viaBasic"?)`,
		`manifest m.json: openapi[0].auth.kee: the description has no security scheme "kee" (did you mean "key"?)`,
	}, "\n"), err.Error())
}

// TestOpenAPIBadSpec: a description's problems are manifest problems, one per line, each with
// the description's JSON path.
func TestOpenAPIBadSpec(t *testing.T) {
	spec := writeSpec(t, "bad.json", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
		"/a/{id}":{"get":{"parameters":[{"name":"id","in":"body"}],"responses":{}}},
		"/b":{"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Nope"}}}},"responses":{}}}}}`, "")
	_, err := parseManifest("m.json", []byte(`{"openapi": [{"spec": "`+spec+`"}]}`), nil)
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		`manifest m.json: openapi[0].spec: ` + spec + `: paths["/a/{id}"].get.parameters[0].in: must be "path", "query", "header" or "cookie", got "body"`,
		`manifest m.json: openapi[0].spec: ` + spec + `: paths["/b"].post.requestBody.content["application/json"].schema.$ref: "#/components/schemas/Nope": no such schema`,
	}, "\n"), err.Error())

	_, err = parseManifest("m.json", []byte(`{"openapi": [{"spec": "`+spec+`", "maxSpecBytes": 10}]}`), nil)
	assert.EqualError(t, err, `manifest m.json: openapi[0].spec: `+spec+` is larger than 10 bytes (maxSpecBytes)`)

	relative := writeSpec(t, "rel.json", `{"openapi":"3.0.3","servers":[{"url":"/v2"}],"paths":{"/a":{"get":{"responses":{}}}}}`, "")
	_, err = parseManifest("m.json", []byte(`{"openapi": [{"spec": "`+relative+`"}]}`), nil)
	assert.EqualError(t, err, `manifest m.json: openapi[0].spec: the server URL "/v2" is relative: set "baseUrl" (or --openapi-base)`)
}

// envDir returns what an environment variable names, or skips the test, unless
// MINIMCP_OPENAPI_REQUIRE is set, as .ci/openapi.sh sets it: then the test fails rather than
// pass without having run.
func envDir(t *testing.T, env, what string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		if os.Getenv("MINIMCP_OPENAPI_REQUIRE") != "" {
			t.Fatalf("%s is not set: .ci/openapi.sh sets it to %s", env, what)
		}
		t.Skipf("%s is not set (bash .ci/openapi.sh sets it to %s)", env, what)
	}
	return v
}

// TestOpenAPIPrism calls Stoplight Prism's mock of the Petstore description (prism mock
// validates every request against the description and refuses what does not conform): calls
// with path, query and body parameters, each of the two security schemes (an API key header,
// OAuth2 bearer) succeed, and a call Prism refuses comes back as a tool error that says why.
func TestOpenAPIPrism(t *testing.T) {
	prism := envDir(t, "MINIMCP_PRISM_URL", "the URL of prism mock serving 3.0/json/petstore.json")
	examples := envDir(t, "MINIMCP_OAS_EXAMPLES", "node_modules/@readme/oas-examples")
	spec := filepath.Join(examples, "3.0", "json", "petstore.json")
	t.Setenv("PETSTORE_KEY", "special-key")
	t.Setenv("PETSTORE_TOKEN", "a-token")
	manifest := func(auth string) *mcp.Server {
		return manifestServer(t, `{"openapi": [{"spec": "`+spec+`", "baseUrl": "`+prism+`", "auth": {`+auth+`}}]}`)
	}
	srv := manifest(`"api_key": {"value": "${PETSTORE_KEY}"}, "petstore_auth": {"token": "${PETSTORE_TOKEN}"}`)

	for _, tc := range []struct{ name, tool, args string }{
		{"path parameter, api_key", "getPetById", `{"petId": 12}`},
		{"query parameter, petstore_auth", "findPetsByStatus", `{"status": ["available", "sold"]}`},
		{"body", "placeOrder", `{"body": {"id": 1, "petId": 12, "quantity": 2, "shipDate": "2026-12-05T21:00:00Z", "status": "placed", "complete": false}}`},
		{"query parameters", "loginUser", `{"username": "ada", "password": "lovelace"}`},
		{"path parameter and body", "updateUser", `{"username": "ada", "body": {"id": 1, "username": "ada", "email": "ada@example.com"}}`},
		{"path parameter, header parameter, petstore_auth", "deletePet", `{"petId": 12, "api_key": "special-key"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mcptest.Tool(t, srv, tc.tool, tc.args)
			if tc.tool == "updateUser" || tc.tool == "deletePet" {
				// The description declares no 2xx answer for these: Prism answers with the
				// first it has, 400, after validating the request.
				require.True(t, res.IsError)
				assert.Contains(t, mcptest.Texts(res)[0], "upstream answered 400 Bad Request (Invalid")
				return
			}
			require.False(t, res.IsError, "%v", mcptest.Texts(res))
			assert.NotEmpty(t, mcptest.Texts(res))
		})
	}
	t.Run("structured content", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "getPetById", `{"petId": 12}`)
		require.False(t, res.IsError, "%v", mcptest.Texts(res))
		var pet struct {
			Name      string   `json:"name"`
			PhotoUrls []string `json:"photoUrls"`
		}
		require.NoError(t, json.Unmarshal(res.StructuredContent, &pet))
		assert.NotEmpty(t, pet.Name)
	})
	t.Run("refused: no credentials", func(t *testing.T) {
		res := mcptest.Tool(t, manifest(``), "getPetById", `{"petId": 12}`)
		require.True(t, res.IsError)
		assert.Contains(t, mcptest.Texts(res)[0], "upstream answered 401 Unauthorized")
		assert.Contains(t, mcptest.Texts(res)[0], "Invalid security scheme used")
	})
	t.Run("refused: a value the description does not allow", func(t *testing.T) {
		// shipDate is a date-time: minimcp's validator does not check formats, Prism does.
		res := mcptest.Tool(t, srv, "placeOrder", `{"body": {"id": 1, "petId": 12, "quantity": 2, "shipDate": "tomorrow"}}`)
		require.True(t, res.IsError)
		assert.Contains(t, mcptest.Texts(res)[0], "upstream answered 400 Bad Request (Invalid Order)")
		assert.Contains(t, mcptest.Texts(res)[0], "shipDate")
	})
}

// TestOpenAPIGitHubToolsList loads GitHub's REST API description through a manifest and pages
// through tools/list: every operation a tool, no name twice.
func TestOpenAPIGitHubToolsList(t *testing.T) {
	dir := envDir(t, "MINIMCP_OCTOKIT_OPENAPI", "node_modules/@octokit/openapi")
	spec := filepath.Join(dir, "generated", "api.github.com.json")
	srv := manifestServer(t, `{"openapi": [{"spec": "`+spec+`"}]}`)
	seen := map[string]bool{}
	pages := 0
	cursor := ""
	for {
		var params any
		if cursor != "" {
			params = map[string]string{"cursor": cursor}
		}
		raw, rerr := mcptest.Request(t, srv, mcp.MethodToolsList, params)
		require.Nil(t, rerr)
		var page struct {
			Tools      []*mcp.Tool `json:"tools"`
			NextCursor string      `json:"nextCursor"`
		}
		require.NoError(t, json.Unmarshal(raw, &page))
		pages++
		for _, tl := range page.Tools {
			require.False(t, seen[tl.Name], "tool %s listed twice", tl.Name)
			seen[tl.Name] = true
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	t.Logf("%d tools in %d pages", len(seen), pages)
	assert.Greater(t, len(seen), 1000)
	assert.Greater(t, pages, 1)
	assert.True(t, seen["meta_root"])
}

// TestLoadOpenAPIOption: Options.OpenAPI (the --openapi flags) serves a description alone, or
// beside a manifest's tools; its problems are named after the flags.
func TestLoadOpenAPIOption(t *testing.T) {
	up := newRecorder(t, nil)
	spec := writeSpec(t, "shop.yaml", shopSpec, "http://127.0.0.1:1")
	t.Setenv("SHOP_TOKEN", "t0k")
	m, err := Load("", &Options{OpenAPI: &OpenAPI{Spec: spec, BaseURL: up.URL + "/v9", Headers: []string{"Authorization: Bearer ${SHOP_TOKEN}", "X-A: b: c"}}})
	require.NoError(t, err)
	t.Cleanup(m.Close)
	assert.Len(t, m.ToolNames(), 8)
	srv := mcp.NewServer(&m.Impl, nil)
	m.Register(srv, slog.New(slog.DiscardHandler))
	res := mcptest.Tool(t, srv, "open", `{}`)
	require.False(t, res.IsError, "%v", mcptest.Texts(res))
	r := up.requests()[0]
	assert.Equal(t, "/v9/open", r.URL.Path)
	assert.Equal(t, "Bearer t0k", r.Header.Get("Authorization"))
	assert.Equal(t, "b: c", r.Header.Get("X-A"))

	file := filepath.Join(t.TempDir(), "m.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"tools": [{"name": "open", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}]}`), 0o600))
	_, err = Load(file, &Options{OpenAPI: &OpenAPI{Spec: spec}})
	assert.EqualError(t, err, "manifest "+file+`: openapi[0].spec: `+spec+`: the tool name "open" of DELETE /open is taken (tools[0]); set "namePrefix" or exclude one`)

	_, err = Load("", &Options{OpenAPI: &OpenAPI{Spec: filepath.Join(t.TempDir(), "none.yaml")}})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "manifest (--openapi): openapi[0].spec: open "), err.Error())
}

// BenchmarkLoadGitHub measures serving GitHub's REST API description: reading it, making its
// tools, and registering them on a server (which compiles their schemas).
func BenchmarkLoadGitHub(b *testing.B) {
	dir := os.Getenv("MINIMCP_OCTOKIT_OPENAPI")
	if dir == "" {
		b.Skip("MINIMCP_OCTOKIT_OPENAPI is not set (bash .ci/openapi.sh sets it to node_modules/@octokit/openapi)")
	}
	data := []byte(`{"openapi": [{"spec": "` + filepath.Join(dir, "generated", "api.github.com.json") + `"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		m, err := parseManifest("m.json", data, nil)
		if err != nil {
			b.Fatal(err)
		}
		m.Register(mcp.NewServer(&m.Impl, nil), slog.New(slog.DiscardHandler))
		m.Close()
	}
}

// TestOpenAPIOAuthRefusedToken: a token the API refuses (401) is dropped, and the next call
// fetches another; a token endpoint that refuses the client is a tool error without the secret.
func TestOpenAPIOAuthRefusedToken(t *testing.T) {
	var tokens atomic.Int32
	up := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/token":
			n := tokens.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"access_token":"tok`+string(rune('0'+n))+`","expires_in":3600}`)
		case r.URL.Path == "/bad/token":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		case r.Header.Get("Authorization") == "Bearer tok1":
			w.WriteHeader(http.StatusUnauthorized)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
	})
	spec := writeSpec(t, "shop.yaml", shopSpec, up.URL)
	t.Setenv("SHOP_SECRET", "s3cret")
	srv := manifestServer(t, `{"openapi": [{"spec": "`+spec+`", "auth": {"cc": {"clientId": "id", "clientSecret": "${SHOP_SECRET}"}}}]}`)
	res := mcptest.Tool(t, srv, "viaOAuth", `{}`)
	assert.True(t, res.IsError)
	res = mcptest.Tool(t, srv, "viaOAuth", `{}`)
	require.False(t, res.IsError, "%v", mcptest.Texts(res))
	assert.Equal(t, int32(2), tokens.Load())

	srv = manifestServer(t, `{"openapi": [{"spec": "`+spec+`", "auth": {"cc": {"clientId": "id", "clientSecret": "${SHOP_SECRET}", "tokenUrl": "`+up.URL+`/bad/token"}}}]}`)
	res = mcptest.Tool(t, srv, "viaOAuth", `{}`)
	assert.True(t, res.IsError)
	assert.Equal(t, []string{"getting a token for cc: openapi: token endpoint refused the client credentials (401 Unauthorized): invalid_client"}, mcptest.Texts(res))
}
