package manifest

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
	"github.com/minimcp/minimcp/mcp"
)

// manifestServer returns a server serving the manifest data, read as if from m.json in this
// directory (so relative paths in it start here).
func manifestServer(t *testing.T, data string) *mcp.Server {
	t.Helper()
	m, err := parseManifest("m.json", []byte(data), nil)
	require.NoError(t, err)
	t.Cleanup(m.Close)
	srv := mcp.NewServer(&m.Impl, &mcp.ServerOptions{Instructions: m.Instructions})
	m.Register(srv, slog.New(slog.DiscardHandler))
	return srv
}

// tool wraps a tool declaration in a manifest.
func toolManifest(tool string) string { return `{"tools": [` + tool + `]}` }

func TestParseManifestErrors(t *testing.T) {
	here, err := filepath.Abs(".")
	require.NoError(t, err)
	t.Setenv("MINIMCP_TEST_SET_VAR", "x")
	echo := `"inputSchema": {"type": "object", "properties": {"pattern": {"type": "string"}, "id": {"type": "string"}}}`
	tests := []struct {
		name     string
		manifest string
		want     string
	}{
		{"syntax", "{\n  \"tools\": [\n    {\"name\": \"x\",}\n  ]\n}",
			`manifest m.json:3:18: invalid character '}' looking for beginning of object key string`},
		{"truncated", `{"tools": [`, `manifest m.json:1:12: unexpected end of JSON input`},
		{"not an object", `[]`, `manifest m.json: must be a JSON object`},
		{"empty", `{}`, `manifest m.json: declares no tools, resources, prompts, skills or OpenAPI descriptions`},
		{"unknown top-level field", `{"tool": []}`, `manifest m.json: tool: unknown field (did you mean "tools"?)`},
		{"tools not an array", `{"tools": {}}`, `manifest m.json: tools: must be an array`},
		{"tool not an object", `{"tools": ["grep"]}`, `manifest m.json: tools[0]: must be an object`},
		{"name missing", toolManifest(`{"inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}`),
			`manifest m.json: tools[0].name: is required`},
		{"name not a string", toolManifest(`{"name": 5, "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}`),
			`manifest m.json: tools[0].name: must be a string`},
		{"bad tool name", toolManifest(`{"name": "bad name", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}`),
			`manifest m.json: tools[0].name: must be 1 to 128 characters of A-Z, a-z, 0-9, "_", "-" and "." (MCP tool names), got "bad name"`},
		{"duplicate tool", `{"tools": [` +
			`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}},` +
			`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}]}`,
			`manifest m.json: tools[1].name: duplicate tool name "a" (also tools[0])`},
		{"schema missing", toolManifest(`{"name": "a", "exec": {"command": ["true"]}}`),
			`manifest m.json: tools[0].inputSchema: is required: a JSON Schema object such as {"type": "object", "properties": {...}}`},
		{"schema not an object type", toolManifest(`{"name": "a", "inputSchema": {"type": "string"}, "exec": {"command": ["true"]}}`),
			`manifest m.json: tools[0].inputSchema: must have "type": "object"`},
		{"schema does not compile", toolManifest(`{"name": "a", "inputSchema": {"type": "object", "properties": {"n": {"type": "strin"}}}, "exec": {"command": ["true"]}}`),
			`manifest m.json: tools[0].inputSchema: at #/properties/n/type: unknown type "strin"`},
		{"neither exec nor http", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}}`),
			`manifest m.json: tools[0]: must have exactly one of "exec" and "http"`},
		{"both exec and http", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}, "http": {"url": "http://x"}}`),
			`manifest m.json: tools[0]: must have exactly one of "exec" and "http"`},
		{"unknown tool field", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}, "descripton": "x"}`),
			`manifest m.json: tools[0].descripton: unknown field (did you mean "description"?)`},
		{"annotation not a boolean", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}, "annotations": {"readOnlyHint": "yes"}}`),
			`manifest m.json: tools[0].annotations.readOnlyHint: must be true or false`},

		{"command a string", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": "grep -n x"}}`),
			`manifest m.json: tools[0].exec.command: must be a non-empty array of strings`},
		{"command empty", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": []}}`),
			`manifest m.json: tools[0].exec.command: must be a non-empty array of strings`},
		{"program not found", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["no-such-program-xyz"]}}`),
			`manifest m.json: tools[0].exec.command[0]: program "no-such-program-xyz" not found in PATH`},
		{"program path missing", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["./bin/nope"]}}`),
			`manifest m.json: tools[0].exec.command[0]: stat ` + filepath.Join(here, "bin/nope") + `: no such file or directory`},
		{"program not executable", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["testdata/notes.txt"]}}`),
			`manifest m.json: tools[0].exec.command[0]: ` + filepath.Join(here, "testdata/notes.txt") + ` is not executable`},
		{"program a placeholder", toolManifest(`{"name": "a", ` + echo + `, "exec": {"command": ["{{pattern}}"]}}`),
			`manifest m.json: tools[0].exec.command[0]: the program must be a fixed name or path, not a placeholder`},
		{"placeholder inside an element", toolManifest(`{"name": "a", ` + echo + `, "exec": {"command": ["grep", "--regexp={{pattern}}"]}}`),
			`manifest m.json: tools[0].exec.command[1]: a placeholder must be a whole element, as in "{{pattern}}", not part of "--regexp={{pattern}}" (see optional groups in docs/manifest.md)`},
		{"placeholder not a property", toolManifest(`{"name": "a", ` + echo + `, "exec": {"command": ["grep", "{{patern}}"]}}`),
			`manifest m.json: tools[0].exec.command[1]: {{patern}} is not a property of inputSchema (did you mean {{pattern}}?)`},
		{"element a number", toolManifest(`{"name": "a", ` + echo + `, "exec": {"command": ["grep", 5]}}`),
			`manifest m.json: tools[0].exec.command[1]: must be a string, or an array of strings for an optional group`},
		{"group without placeholder", toolManifest(`{"name": "a", ` + echo + `, "exec": {"command": ["grep", ["-n"]]}}`),
			`manifest m.json: tools[0].exec.command[1]: an optional group must hold a placeholder, which decides whether the group is passed`},
		{"nested group", toolManifest(`{"name": "a", ` + echo + `, "exec": {"command": ["grep", [["-e", "{{pattern}}"]]]}}`),
			`manifest m.json: tools[0].exec.command[1][0]: must be a string (groups do not nest)`},
		{"bad timeout", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"], "timeout": 5}}`),
			`manifest m.json: tools[0].exec.timeout: must be a positive duration such as "500ms", "5s" or "1m30s"`},
		{"bad output cap", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"], "maxOutputBytes": -1}}`),
			`manifest m.json: tools[0].exec.maxOutputBytes: must be a positive integer`},
		{"bad process limit", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"], "maxProcesses": 0}}`),
			`manifest m.json: tools[0].exec.maxProcesses: must be a positive integer`},
		{"exec typo", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"], "timout": "1s"}}`),
			`manifest m.json: tools[0].exec.timout: unknown field (did you mean "timeout"?)`},
		{"dir missing", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"], "dir": "no-such-dir"}}`),
			`manifest m.json: tools[0].exec.dir: stat ` + filepath.Join(here, "no-such-dir") + `: no such file or directory`},
		{"env value not a string", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"], "env": {"N": 1}}}`),
			`manifest m.json: tools[0].exec.env.N: must be a string`},
		{"env name invalid", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": ["true"], "env": {"A=B": "1"}}}`),
			`manifest m.json: tools[0].exec.env["A=B"]: not a valid environment variable name`},

		{"http method", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "http": {"method": "FETCH", "url": "https://example.com/"}}`),
			`manifest m.json: tools[0].http.method: must be one of GET, POST, PUT, PATCH, DELETE, got "FETCH"`},
		{"http url missing", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "http": {}}`),
			`manifest m.json: tools[0].http.url: is required`},
		{"http url relative", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "http": {"url": "/items"}}`),
			`manifest m.json: tools[0].http.url: must be an absolute http or https URL`},
		{"http url scheme", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "http": {"url": "ftp://example.com/"}}`),
			`manifest m.json: tools[0].http.url: must be an absolute http or https URL`},
		{"placeholder in host", toolManifest(`{"name": "a", ` + echo + `, "http": {"url": "https://{{id}}.example.com/"}}`),
			`manifest m.json: tools[0].http.url: placeholders may appear in the path and the query, not in the host`},
		{"url placeholder not required", toolManifest(`{"name": "a", ` + echo + `, "http": {"url": "https://example.com/items/{{id}}"}}`),
			`manifest m.json: tools[0].http.url: {{id}} must be listed in inputSchema's "required": the URL cannot be built without it`},
		{"placeholder as a query name", toolManifest(`{"name": "a", "inputSchema": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}, "http": {"url": "https://example.com/?key=k&{{id}}=1"}}`),
			`manifest m.json: tools[0].http.url: placeholders may stand for query values, not for parameter names`},
		{"environment variable not set", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "http": {"url": "https://example.com/", "headers": {"Authorization": "Bearer ${MINIMCP_TEST_UNSET_VAR}"}}}`),
			`manifest m.json: tools[0].http.headers.Authorization: environment variable MINIMCP_TEST_UNSET_VAR is not set`},
		{"bad header name", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "http": {"url": "https://example.com/", "headers": {"Bad Header": "${MINIMCP_TEST_SET_VAR}"}}}`),
			`manifest m.json: tools[0].http.headers["Bad Header"]: not a valid header name`},
		{"placeholder in header", toolManifest(`{"name": "a", ` + echo + `, "http": {"url": "https://example.com/", "headers": {"X-Id": "{{id}}"}}}`),
			`manifest m.json: tools[0].http.headers.X-Id: placeholders are not supported in headers (use ${NAME} for values from the environment)`},
		{"json body with GET", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "http": {"url": "https://example.com/", "body": "json"}}`),
			`manifest m.json: tools[0].http.body: "json" cannot go with GET, which sends the arguments as query parameters`},
		{"bad body", toolManifest(`{"name": "a", "inputSchema": {"type": "object"}, "http": {"method": "POST", "url": "https://example.com/", "body": "form"}}`),
			`manifest m.json: tools[0].http.body: must be "json" or "none", got "form"`},

		{"resource neither file nor dir", `{"resources": [{"uri": "file:///x"}]}`,
			`manifest m.json: resources[0]: must have exactly one of "file" (one resource) and "dir" (a directory behind a uriTemplate)`},
		{"resource uri missing", `{"resources": [{"file": "testdata/notes.txt"}]}`,
			`manifest m.json: resources[0].uri: is required`},
		{"resource uri not absolute", `{"resources": [{"uri": "notes.txt", "file": "testdata/notes.txt"}]}`,
			`manifest m.json: resources[0].uri: must be an absolute URI such as "file:///notes.md", got "notes.txt"`},
		{"resource file missing", `{"resources": [{"uri": "file:///x", "file": "testdata/nope.txt"}]}`,
			`manifest m.json: resources[0].file: stat ` + filepath.Join(here, "testdata/nope.txt") + `: no such file or directory`},
		{"resource uriTemplate with file", `{"resources": [{"uriTemplate": "file:///{name}", "uri": "file:///x", "file": "testdata/notes.txt"}]}`,
			`manifest m.json: resources[0].uriTemplate: goes with "dir"; a "file" resource has a "uri"`},
		{"template with two variables", `{"resources": [{"uriTemplate": "file:///{a}/{b}", "dir": "testdata/docs"}]}`,
			`manifest m.json: resources[0].uriTemplate: must hold exactly one variable, as in "file:///docs/{name}", got "file:///{a}/{b}"`},
		{"template not RFC 6570", `{"resources": [{"uriTemplate": "file:///{=a}", "dir": "testdata/docs"}]}`,
			`manifest m.json: resources[0].uriTemplate: must hold exactly one variable, as in "file:///docs/{name}", got "file:///{=a}"`},
		{"template dir is a file", `{"resources": [{"uriTemplate": "file:///{a}", "dir": "testdata/notes.txt"}]}`,
			`manifest m.json: resources[0].dir: ` + filepath.Join(here, "testdata/notes.txt") + ` is not a directory`},
		{"duplicate resource", `{"resources": [{"uri": "file:///x", "file": "testdata/notes.txt"}, {"uri": "file:///x", "file": "testdata/notes.txt"}]}`,
			`manifest m.json: resources[1].uri: duplicate resource "file:///x" (also resources[0])`},
		{"bad mime type", `{"resources": [{"uri": "file:///x", "file": "testdata/notes.txt", "mimeType": "text"}]}`,
			`manifest m.json: resources[0].mimeType: must be a media type such as "text/markdown", got "text"`},

		{"prompt without text", `{"prompts": [{"name": "p"}]}`,
			`manifest m.json: prompts[0]: must have exactly one of "template" (one user message) and "messages"`},
		{"prompt placeholder undeclared", `{"prompts": [{"name": "p", "template": "About {{topic}}."}]}`,
			`manifest m.json: prompts[0].template: {{topic}} is not one of the prompt's arguments`},
		{"prompt role", `{"prompts": [{"name": "p", "messages": [{"role": "system", "text": "x"}]}]}`,
			`manifest m.json: prompts[0].messages[0].role: must be "user" or "assistant", got "system"`},
		{"prompt messages empty", `{"prompts": [{"name": "p", "messages": []}]}`,
			`manifest m.json: prompts[0].messages: must not be empty`},
		{"prompt duplicate argument", `{"prompts": [{"name": "p", "arguments": [{"name": "a"}, {"name": "a"}], "template": "x"}]}`,
			`manifest m.json: prompts[0].arguments[1].name: duplicate argument "a"`},
		{"duplicate prompt", `{"prompts": [{"name": "p", "template": "x"}, {"name": "p", "template": "y"}]}`,
			`manifest m.json: prompts[1].name: duplicate prompt name "p" (also prompts[0])`},

		{"every problem is reported", `{"name": 1, "tools": [{"name": "a", "inputSchema": {"type": "object"}, "exec": {"command": []}}], "prompts": [{"name": "p"}]}`,
			"manifest m.json: name: must be a string\n" +
				"manifest m.json: tools[0].exec.command: must be a non-empty array of strings\n" +
				`manifest m.json: prompts[0]: must have exactly one of "template" (one user message) and "messages"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseManifest("m.json", []byte(tt.manifest), nil)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestManifestErrorListIsCapped(t *testing.T) {
	var tools []string
	for range 25 {
		tools = append(tools, `{"name": "a b"}`)
	}
	_, err := parseManifest("m.json", []byte(`{"tools": [`+strings.Join(tools, ",")+`]}`), nil)
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, maxShownProblems+1)
	assert.Equal(t, "manifest m.json: and 55 more problems", lines[maxShownProblems])
}

func TestLoadManifest(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		_, err := Load("testdata/nope.json", nil)
		require.Error(t, err)
		assert.Equal(t, "manifest testdata/nope.json: open testdata/nope.json: no such file or directory", err.Error())
	})
	t.Run("defaults", func(t *testing.T) {
		m, err := parseManifest("m.json", []byte(`{"prompts": [{"name": "p", "template": "x"}]}`), nil)
		require.NoError(t, err)
		assert.Equal(t, mcp.Implementation{Name: "minimcp", Version: "dev"}, m.Impl)
		m, err = parseManifest("m.json", []byte(`{"prompts": [{"name": "p", "template": "x"}]}`), &Options{Version: "v1.2.3"})
		require.NoError(t, err)
		assert.Equal(t, mcp.Implementation{Name: "minimcp", Version: "v1.2.3"}, m.Impl)
	})
	t.Run("example manifest", func(t *testing.T) {
		m, err := Load("../../examples/manifest.json", nil)
		require.NoError(t, err)
		assert.NotEmpty(t, m.ToolNames())
		m.Close()
	})
	t.Run("example OpenAPI description", func(t *testing.T) {
		// The README's quick start serves it with --openapi-dry-run.
		m, err := Load("", &Options{OpenAPI: &OpenAPI{Spec: "../../examples/openapi/todo.yaml", DryRun: true}})
		require.NoError(t, err)
		assert.Equal(t, []string{"listTodos", "createTodo", "getTodo", "deleteTodo"}, m.ToolNames())
		m.Close()
	})
	t.Run("test manifest", func(t *testing.T) {
		t.Setenv("MINIMCP_TEST_UPSTREAM", "http://127.0.0.1:1")
		t.Setenv("MINIMCP_TEST_SECRET", "s")
		m, err := Load("testdata/tools.json", nil)
		require.NoError(t, err)
		assert.Equal(t, []string{"say", "fail", "slow", "chatty", "item"}, m.ToolNames())
		assert.Equal(t, mcp.Implementation{Name: "test-tools", Version: "0.1.0"}, m.Impl)
		assert.Equal(t, "Tools for serve_test.go.", m.Instructions)
		m.Close()
	})
}

// TestManifestDocExample checks that the complete example of docs/manifest.md loads and does
// what the text says.
func TestManifestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/manifest.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "## A complete example\n\n```json\n")
	require.True(t, ok)
	example, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)

	dir := t.TempDir()
	for _, d := range []string{"catalogue", "policies", "docs"} {
		require.NoError(t, os.Mkdir(filepath.Join(dir, d), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policies", "returns.md"), []byte("30 days.\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "catalogue", "a.txt"), []byte("desk\nlamp\nred lamp\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "catalogue", "b.txt"), []byte("lamp shade\n"), 0o644))
	file := filepath.Join(dir, "shop.json")
	require.NoError(t, os.WriteFile(file, []byte(example), 0o644))
	t.Setenv("SHOP_API_TOKEN", "t")

	m, err := Load(file, nil)
	require.NoError(t, err)
	t.Cleanup(m.Close)
	assert.Equal(t, []string{"grep", "get_order"}, m.ToolNames())
	srv := mcp.NewServer(&m.Impl, nil)
	m.Register(srv, slog.New(slog.DiscardHandler))

	res := mcptest.Tool(t, srv, "grep", `{"pattern": "lamp", "files": ["a.txt", "b.txt"]}`)
	assert.Equal(t, []string{"a.txt:2:lamp\na.txt:3:red lamp\nb.txt:1:lamp shade\n"}, mcptest.Texts(res))
	res = mcptest.Tool(t, srv, "grep", `{"pattern": "lamp", "files": ["a.txt", "b.txt"], "max": 1}`)
	assert.Equal(t, []string{"a.txt:2:lamp\nb.txt:1:lamp shade\n"}, mcptest.Texts(res))
	res = mcptest.Tool(t, srv, "grep", `{"pattern": "lamp", "files": ["../shop.json"]}`)
	assert.True(t, res.IsError, "the input schema keeps files inside the catalogue")
}
