package manifest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

func TestFileResources(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.md"), []byte("# A\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "blob.bin"), []byte{0, 1, 2, 0xff}, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plain"), []byte("text without an extension"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "b.txt"), []byte("b"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".hidden"), []byte("secret"), 0o644))
	outside := filepath.Join(t.TempDir(), "outside.txt")
	require.NoError(t, os.WriteFile(outside, []byte("outside"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "escape.txt")))
	notes, err := filepath.Abs("testdata/notes.txt")
	require.NoError(t, err)

	srv := manifestServer(t, `{"resources": [
		{"uri": "file:///notes.txt", "file": "testdata/notes.txt", "description": "Notes."},
		{"uri": "memo://typed", "name": "typed", "file": "`+notes+`", "mimeType": "text/x-notes"},
		{"uriTemplate": "file:///docs/{name}", "name": "docs", "dir": "`+dir+`"}
	]}`)

	raw, rerr := mcptest.Request(t, srv, mcp.MethodResourcesList, nil)
	require.Nil(t, rerr)
	assert.JSONEq(t, `{"resources": [
		{"uri": "file:///notes.txt", "name": "notes.txt", "description": "Notes.", "mimeType": "text/plain"},
		{"uri": "memo://typed", "name": "typed", "mimeType": "text/x-notes"}]}`, string(raw))

	tests := []struct {
		uri  string
		want string // the contents, or "" for resource not found
	}{
		{"file:///notes.txt", `{"uri": "file:///notes.txt", "mimeType": "text/plain", "text": "Some notes.\n"}`},
		{"memo://typed", `{"uri": "memo://typed", "mimeType": "text/x-notes", "text": "Some notes.\n"}`},
		{"file:///docs/a.md", `{"uri": "file:///docs/a.md", "mimeType": "text/markdown", "text": "# A\n"}`},
		{"file:///docs/blob.bin", `{"uri": "file:///docs/blob.bin", "mimeType": "application/octet-stream", "blob": "AAEC/w=="}`},
		{"file:///docs/plain", `{"uri": "file:///docs/plain", "mimeType": "text/plain", "text": "text without an extension"}`},
		{"file:///docs/sub%2Fb.txt", `{"uri": "file:///docs/sub%2Fb.txt", "mimeType": "text/plain", "text": "b"}`},
		{"file:///docs/..%2Foutside.txt", ""},
		{"file:///docs/sub%2F..%2F..%2Fx", ""},
		{"file:///docs/%2Fetc%2Fpasswd", ""},
		{"file:///docs/.hidden", ""},
		{"file:///docs/escape.txt", ""}, // a symbolic link out of the directory
		{"file:///docs/sub", ""},        // a directory
		{"file:///docs/missing.md", ""},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			raw, rerr := mcptest.Request(t, srv, mcp.MethodResourcesRead, map[string]string{"uri": tt.uri})
			if tt.want == "" {
				require.NotNil(t, rerr)
				assert.Equal(t, mcp.CodeResourceNotFound, rerr.Code)
				return
			}
			require.Nil(t, rerr)
			assert.JSONEq(t, `{"contents": [`+tt.want+`]}`, string(raw))
		})
	}

	t.Run("completion", func(t *testing.T) {
		raw, rerr := mcptest.Request(t, srv, mcp.MethodCompletionComplete, map[string]any{
			"ref":      map[string]string{"type": "ref/resource", "uri": "file:///docs/{name}"},
			"argument": map[string]string{"name": "name", "value": ""},
		})
		require.Nil(t, rerr)
		assert.JSONEq(t, `{"completion": {"values": ["a.md", "blob.bin", "plain"]}}`, string(raw))
	})
}

// TestDirResourceReservedTemplate: a directory behind a reserved expansion {+name} serves
// subdirectories through a plain slash, confined to the directory all the same.
func TestDirResourceReservedTemplate(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "b.txt"), []byte("b"), 0o644))
	srv := manifestServer(t, `{"resources": [{"uriTemplate": "file:///docs/{+name}", "name": "docs", "dir": "`+dir+`"}]}`)

	raw, rerr := mcptest.Request(t, srv, mcp.MethodResourcesRead, map[string]string{"uri": "file:///docs/sub/b.txt"})
	require.Nil(t, rerr)
	assert.JSONEq(t, `{"contents": [{"uri": "file:///docs/sub/b.txt", "mimeType": "text/plain", "text": "b"}]}`, string(raw))
	for _, uri := range []string{"file:///docs/../x", "file:///docs/sub/../../x", "file:///docs//etc/passwd"} {
		_, rerr = mcptest.Request(t, srv, mcp.MethodResourcesRead, map[string]string{"uri": uri})
		require.NotNil(t, rerr, uri)
		assert.Equal(t, mcp.CodeResourceNotFound, rerr.Code, uri)
	}
}

// TestResourceSizeCap checks that a resource larger than its cap is refused with a JSON-RPC
// error, for a file resource and a directory one, and that the caps can be set in the manifest.
func TestResourceSizeCap(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte("x"), 2000), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "small.txt"), []byte("small"), 0o644))
	srv := manifestServer(t, `{"maxResourceBytes": 1000, "resources": [
		{"uri": "file:///big", "file": "`+big+`"},
		{"uri": "file:///big-allowed", "file": "`+big+`", "maxBytes": 2000},
		{"uriTemplate": "file:///dir/{name}", "dir": "`+dir+`"}
	]}`)
	for _, uri := range []string{"file:///big", "file:///dir/big.txt"} {
		t.Run(uri, func(t *testing.T) {
			raw, rerr := mcptest.Request(t, srv, mcp.MethodResourcesRead, map[string]string{"uri": uri})
			require.NotNil(t, rerr, "%s", raw)
			assert.Equal(t, rpc.CodeInternalError, rerr.Code)
			assert.Equal(t, "resource "+uri+" is larger than its limit of 1000 bytes (maxBytes in the manifest)", rerr.Message)
		})
	}
	for _, uri := range []string{"file:///big-allowed", "file:///dir/small.txt"} {
		t.Run(uri, func(t *testing.T) {
			_, rerr := mcptest.Request(t, srv, mcp.MethodResourcesRead, map[string]string{"uri": uri})
			require.Nil(t, rerr)
		})
	}
}

// TestResourceLimitedRead checks that a file read is bounded even when its size says nothing
// (a file that grows, or a special file): only max+1 bytes are read.
func TestResourceLimitedRead(t *testing.T) {
	data, err := readLimited(io.NopCloser(strings.NewReader(strings.Repeat("y", 5000))), 0, 10)
	assert.ErrorIs(t, err, errResourceTooLarge)
	assert.Empty(t, len(data))
	data, err = readLimited(io.NopCloser(strings.NewReader("0123456789")), 0, 10)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(data))
}
