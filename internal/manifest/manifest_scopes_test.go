package manifest

import (
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
	"github.com/minimcp/minimcp/mcp"
)

// TestManifestScopes: a tool, prompt, file resource or directory resource may list the OAuth
// scopes its use needs; they reach the server's definitions, checked before the handler runs
// when requests are authenticated (and never sent in lists).
func TestManifestScopes(t *testing.T) {
	srv := manifestServer(t, `{
		"tools": [{"name": "deploy", "scopes": ["deploy", "read", "deploy"], "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}},
		          {"name": "open", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}],
		"prompts": [{"name": "review", "scopes": ["prompts:review"], "template": "Review."}],
		"resources": [{"uri": "file:///notes.txt", "file": "testdata/notes.txt", "scopes": ["notes:read"]},
		              {"uriTemplate": "file:///docs/{name}", "dir": "testdata/docs", "scopes": ["docs:read"]}]
	}`)
	for _, c := range []struct {
		method, params string
		want           []string
	}{
		{mcp.MethodToolsCall, `{"name":"deploy"}`, []string{"deploy", "read"}},
		{mcp.MethodToolsCall, `{"name":"open"}`, nil},
		{mcp.MethodPromptsGet, `{"name":"review"}`, []string{"prompts:review"}},
		{mcp.MethodResourcesRead, `{"uri":"file:///notes.txt"}`, []string{"notes:read"}},
		{mcp.MethodResourcesRead, `{"uri":"file:///docs/a.md"}`, []string{"docs:read"}},
	} {
		assert.Equal(t, c.want, srv.RequiredScopes(c.method, json.RawMessage(c.params)), c.params)
	}
	raw, rerr := mcptest.Request(t, srv, mcp.MethodToolsList, nil)
	require.Nil(t, rerr)
	assert.NotContains(t, string(raw), "scopes")
}

func TestManifestScopesErrors(t *testing.T) {
	for manifest, want := range map[string]string{
		toolManifest(`{"name": "a", "scopes": "deploy", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}`): `manifest m.json: tools[0].scopes: must be an array`,
		toolManifest(`{"name": "a", "scopes": ["ok", "two words", 3], "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}`): "manifest m.json: tools[0].scopes[1]: must be an OAuth scope: printable ASCII without spaces, '\"' or '\\'\n" +
			"manifest m.json: tools[0].scopes[2]: must be an OAuth scope: printable ASCII without spaces, '\"' or '\\'",
		`{"prompts": [{"name": "p", "scopes": [""], "template": "x"}]}`: `manifest m.json: prompts[0].scopes[0]: must be an OAuth scope: printable ASCII without spaces, '"' or '\'`,
	} {
		_, err := parseManifest("m.json", []byte(manifest), nil)
		require.Error(t, err, manifest)
		assert.Equal(t, want, err.Error())
	}
}
