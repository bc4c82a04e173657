package mcp_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
)

// rfc6570Matches are RFC 6570's examples (§ 1.2 and § 3.2), with the variables of § 3.2
// (var="value", hello="Hello World!", path="/foo/bar", list=(red,green,blue),
// keys=[(semi,";"),(dot,"."),(comma,",")], x=1024, y=768, empty=""), read back from their
// expansions: matching is expansion reversed.
var rfc6570Matches = []struct {
	template, uri string
	want          map[string]string
}{
	// Level 1.
	{"{var}", "value", map[string]string{"var": "value"}},
	{"{hello}", "Hello%20World%21", map[string]string{"hello": "Hello World!"}},
	// Level 2.
	{"{+var}", "value", map[string]string{"var": "value"}},
	{"{+hello}", "Hello%20World!", map[string]string{"hello": "Hello World!"}},
	{"{+path}/here", "/foo/bar/here", map[string]string{"path": "/foo/bar"}},
	{"here?ref={+path}", "here?ref=/foo/bar", map[string]string{"path": "/foo/bar"}},
	{"X{#var}", "X#value", map[string]string{"var": "value"}},
	{"X{#hello}", "X#Hello%20World!", map[string]string{"hello": "Hello World!"}},
	// Level 3.
	{"map?{x,y}", "map?1024,768", map[string]string{"x": "1024", "y": "768"}},
	{"{x,hello,y}", "1024,Hello%20World%21,768", map[string]string{"x": "1024", "hello": "Hello World!", "y": "768"}},
	{"{+x,hello,y}", "1024,Hello%20World!,768", map[string]string{"x": "1024", "hello": "Hello World!", "y": "768"}},
	{"{+path,x}/here", "/foo/bar,1024/here", map[string]string{"path": "/foo/bar", "x": "1024"}},
	{"{#x,hello,y}", "#1024,Hello%20World!,768", map[string]string{"x": "1024", "hello": "Hello World!", "y": "768"}},
	{"{#path,x}/here", "#/foo/bar,1024/here", map[string]string{"path": "/foo/bar", "x": "1024"}},
	{"X{.var}", "X.value", map[string]string{"var": "value"}},
	{"X{.x,y}", "X.1024.768", map[string]string{"x": "1024", "y": "768"}},
	{"{/var}", "/value", map[string]string{"var": "value"}},
	{"{/var,x}/here", "/value/1024/here", map[string]string{"var": "value", "x": "1024"}},
	{"{;x,y}", ";x=1024;y=768", map[string]string{"x": "1024", "y": "768"}},
	{"{;x,y,empty}", ";x=1024;y=768;empty", map[string]string{"x": "1024", "y": "768", "empty": ""}},
	{"{?x,y}", "?x=1024&y=768", map[string]string{"x": "1024", "y": "768"}},
	{"{?x,y,empty}", "?x=1024&y=768&empty=", map[string]string{"x": "1024", "y": "768", "empty": ""}},
	{"?fixed=yes{&x}", "?fixed=yes&x=1024", map[string]string{"x": "1024"}},
	{"{&x,y,empty}", "&x=1024&y=768&empty=", map[string]string{"x": "1024", "y": "768", "empty": ""}},
	// Level 4.
	{"{var:3}", "val", map[string]string{"var": "val"}},
	{"{var:30}", "value", map[string]string{"var": "value"}},
	{"{list}", "red,green,blue", map[string]string{"list": "red,green,blue"}},
	{"{list*}", "red,green,blue", map[string]string{"list": "red,green,blue"}},
	{"{keys}", "semi,%3B,dot,.,comma,%2C", map[string]string{"keys": "semi,;,dot,.,comma,,"}},
	{"{keys*}", "semi=%3B,dot=.,comma=%2C", map[string]string{"keys": "semi=;,dot=.,comma=,"}},
	{"{+path:6}/here", "/foo/b/here", map[string]string{"path": "/foo/b"}},
	{"{+list}", "red,green,blue", map[string]string{"list": "red,green,blue"}},
	{"{+list*}", "red,green,blue", map[string]string{"list": "red,green,blue"}},
	{"{#path:6}/here", "#/foo/b/here", map[string]string{"path": "/foo/b"}},
	{"{#list*}", "#red,green,blue", map[string]string{"list": "red,green,blue"}},
	{"X{.var:3}", "X.val", map[string]string{"var": "val"}},
	{"X{.list}", "X.red,green,blue", map[string]string{"list": "red,green,blue"}},
	{"X{.list*}", "X.red.green.blue", map[string]string{"list": "red.green.blue"}},
	{"{/var:1,var}", "/v/value", map[string]string{"var": "value"}},
	{"{/list*}", "/red/green/blue", map[string]string{"list": "red/green/blue"}},
	{"{/list*,path:4}", "/red/green/blue/%2Ffoo", map[string]string{"list": "red/green/blue", "path": "/foo"}},
	{"{;hello:5}", ";hello=Hello", map[string]string{"hello": "Hello"}},
	{"{;list}", ";list=red,green,blue", map[string]string{"list": "red,green,blue"}},
	{"{;list*}", ";list=red;list=green;list=blue", map[string]string{"list": "red,green,blue"}},
	{"{;keys*}", ";semi=%3B;dot=.;comma=%2C", map[string]string{"semi": ";", "dot": ".", "comma": ","}},
	{"{?var:3}", "?var=val", map[string]string{"var": "val"}},
	{"{?list}", "?list=red,green,blue", map[string]string{"list": "red,green,blue"}},
	{"{?list*}", "?list=red&list=green&list=blue", map[string]string{"list": "red,green,blue"}},
	{"{?keys*}", "?semi=%3B&dot=.&comma=%2C", map[string]string{"semi": ";", "dot": ".", "comma": ","}},
	{"{&var:3}", "&var=val", map[string]string{"var": "val"}},
	{"{&list*}", "&list=red&list=green&list=blue", map[string]string{"list": "red,green,blue"}},
}

func TestURITemplateRFC6570Examples(t *testing.T) {
	for _, tt := range rfc6570Matches {
		t.Run(tt.template+" "+tt.uri, func(t *testing.T) {
			tmpl, err := mcp.ParseURITemplate(tt.template)
			require.NoError(t, err)
			got, ok := tmpl.Match(tt.uri)
			require.True(t, ok, "no match")
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestURITemplateResourceURIs covers templates as MCP servers write them.
func TestURITemplateResourceURIs(t *testing.T) {
	tests := []struct {
		name, template, uri string
		want                map[string]string // nil: no match
	}{
		{"level 1", "file:///logs/{date}.txt", "file:///logs/2025-01-12.txt", map[string]string{"date": "2025-01-12"}},
		{"level 1 decodes", "test://template/{id}/data", "test://template/a%2Fb/data", map[string]string{"id": "a/b"}},
		{"level 1 stops at a slash", "test://template/{id}/data", "test://template/a/b/data", nil},
		{"level 1 needs a value", "test://template/{id}/data", "test://template//data", nil},
		{"level 1 literal must match", "test://template/{id}/data", "test://template/1/date", nil},
		{"bad percent-encoding is kept", "test://t/{id}", "test://t/%zz", map[string]string{"id": "%zz"}},
		{"reserved path", "file:///{+path}", "file:///src/main.go", map[string]string{"path": "src/main.go"}},
		{"reserved path then query", "file:///{+path}{?rev}", "file:///src/main.go?rev=3", map[string]string{"path": "src/main.go", "rev": "3"}},
		{"reserved path without the query", "file:///{+path}{?rev}", "file:///src/main.go", map[string]string{"path": "src/main.go"}},
		{"exploded segments", "repo://{owner}{/path*}", "repo://ada/docs/a%20b.md", map[string]string{"owner": "ada", "path": "docs/a b.md"}},
		{"no segments", "repo://{owner}{/path*}", "repo://ada", map[string]string{"owner": "ada"}},
		{"one segment each", "api://x{/a,b}", "api://x/1/2/3", nil},
		{"query in any order", "search://{index}{?q,limit}", "search://docs?limit=10&q=go%20fuzz", map[string]string{"index": "docs", "q": "go fuzz", "limit": "10"}},
		{"query with an unknown name", "search://{index}{?q,limit}", "search://docs?q=a&page=2", nil},
		{"query with a repeated name", "search://{index}{?q}", "search://docs?q=a&q=b", nil},
		{"query then continuation", "search://s{?q}{&page}", "search://s?q=a&page=2", map[string]string{"q": "a", "page": "2"}},
		{"exploded query takes any name", "api://q{?params*}", "api://q?a=1&b=2", map[string]string{"a": "1", "b": "2"}},
		{"prefix too long", "id://{x:3}", "id://abcd", nil},
		{"prefix counts characters", "id://{x:2}", "id://%C3%A9%C3%A9", map[string]string{"x": "éé"}},
		{"a variable used twice must agree", "x://{a}/{a}", "x://1/2", nil},
		{"a variable used twice", "x://{a}/{a}", "x://1/1", map[string]string{"a": "1"}},
		{"label", "file:///report{.ext}", "file:///report.tar.gz", map[string]string{"ext": "tar.gz"}},
		{"name then label", "file:///{name}{.ext}", "file:///report.tar.gz", map[string]string{"name": "report", "ext": "tar.gz"}},
		{"name without label", "file:///{name}{.ext}", "file:///README", map[string]string{"name": "README"}},
		{"fragment", "doc://page{#section}", "doc://page#intro", map[string]string{"section": "intro"}},
		{"path parameters", "map://m{;lat,long}", "map://m;long=2;lat=1", map[string]string{"lat": "1", "long": "2"}},
		{"nothing like it", "file:///{+path}", "https://example.com/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := mcp.ParseURITemplate(tt.template)
			require.NoError(t, err)
			got, ok := tmpl.Match(tt.uri)
			if tt.want == nil {
				assert.False(t, ok, "matched %v", got)
				return
			}
			require.True(t, ok, "no match")
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseURITemplateErrors(t *testing.T) {
	tests := []struct {
		template string
		want     error
	}{
		{"file:///{path", mcp.ErrURITemplateSyntax},
		{"file:///path}", mcp.ErrURITemplateSyntax},
		{"file:///{a{b}}", mcp.ErrURITemplateSyntax},
		{"file:///{}", mcp.ErrURITemplateSyntax},
		{"file:///{+}", mcp.ErrURITemplateSyntax},
		{"file:///{a,}", mcp.ErrURITemplateSyntax},
		{"file:///{a b}", mcp.ErrURITemplateSyntax},
		{"file:///{.a}", nil},
		{"file:///{a.}", mcp.ErrURITemplateSyntax},
		{"file:///{a:0}", mcp.ErrURITemplateSyntax},
		{"file:///{a:10000}", mcp.ErrURITemplateSyntax},
		{"file:///{a:3*}", mcp.ErrURITemplateSyntax},
		{"file:///{a*:3}", mcp.ErrURITemplateSyntax},
		{"file:///{=a}", mcp.ErrURITemplateOperator},
		{"file:///{!a}", mcp.ErrURITemplateOperator},
		{"file:///{|a}", mcp.ErrURITemplateOperator},
		{"file:///{a%2Fb}", nil},
		{"file:///{a%2}", mcp.ErrURITemplateSyntax},
		{"no variables", nil},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			_, err := mcp.ParseURITemplate(tt.template)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestURITemplateVars(t *testing.T) {
	tmpl, err := mcp.ParseURITemplate("x://{a}{/b*,a}{?c}")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c"}, tmpl.Vars())
	assert.Equal(t, "x://{a}{/b*,a}{?c}", tmpl.String())
	var zero mcp.URITemplate
	_, ok := zero.Match("x://")
	assert.False(t, ok)
}

// TestResourceTemplateLevels registers templates of levels 2 to 4, which used to panic, and
// reads resources through them; completion still finds the template by its text.
func TestResourceTemplateLevels(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	read := func(_ context.Context, _ *mcp.Request, uri string, vars map[string]string) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, Text: vars["path"] + "|" + vars["rev"]}}}, nil
	}
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "file:///{+path}{?rev}", Name: "files"}, read)
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "repo://r{/path*}", Name: "repo"}, read)
	s.AddTemplateCompletion("file:///{+path}{?rev}", func(context.Context, *mcp.Request, string, string, map[string]string) ([]string, error) {
		return []string{"src/main.go"}, nil
	})

	call := func(t *testing.T, s *mcp.Server, line string) string {
		t.Helper()
		resp := handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.LatestVersion}, line)
		var env struct {
			Result json.RawMessage `json:"result"`
		}
		require.NoError(t, json.Unmarshal([]byte(resp), &env), resp)
		require.NotEmpty(t, env.Result, resp)
		return string(env.Result)
	}
	got := call(t, s, `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///src/main.go?rev=7"}}`)
	assert.JSONEq(t, `{"contents":[{"uri":"file:///src/main.go?rev=7","text":"src/main.go|7"}]}`, got)
	got = call(t, s, `{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"repo://r/a/b"}}`)
	assert.JSONEq(t, `{"contents":[{"uri":"repo://r/a/b","text":"a/b|"}]}`, got)
	got = call(t, s, `{"jsonrpc":"2.0","id":3,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":"file:///{+path}{?rev}"},"argument":{"name":"path","value":"s"}}}`)
	assert.JSONEq(t, `{"completion":{"values":["src/main.go"]}}`, got)

	assert.PanicsWithValue(t, `mcp: URI template "file:///{path": unclosed '{'`, func() {
		s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "file:///{path", Name: "bad"}, read)
	})
}

// FuzzURITemplate checks that parsing any template and matching any URI never panics, and
// that a match only reports the template's variables or, with an exploded named variable,
// the names the URI gave.
func FuzzURITemplate(f *testing.F) {
	for _, tt := range rfc6570Matches {
		f.Add(tt.template, tt.uri)
	}
	f.Add("file:///{+path}{?rev}", "file:///a?rev=1&rev=2")
	f.Add("x://{a}{/b*,a}{?c}", "x://1/2/3/1?c=%")
	f.Fuzz(func(t *testing.T, template, uri string) {
		tmpl, err := mcp.ParseURITemplate(template)
		if err != nil {
			return
		}
		vars, ok := tmpl.Match(uri)
		if !ok && vars != nil {
			t.Fatalf("no match but vars %v", vars)
		}
		if strings.Contains(template, "*") {
			return // an exploded named variable brings names of its own
		}
		for name := range vars {
			if !slices.Contains(tmpl.Vars(), name) {
				t.Fatalf("%q matched %q with variable %q, not one of %v", template, uri, name, tmpl.Vars())
			}
		}
	})
}
