package main

import (
	"os"
	"path/filepath"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadAndPromptCommands checks the client commands for resources and prompts against
// minimcp serve itself.
func TestReadAndPromptCommands(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.md"), []byte("# Notes\nno final newline"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "logo.bin"), []byte{0x89, 'P', 0, 0xff}, 0o644))
	manifest := filepath.Join(dir, "m.json")
	require.NoError(t, os.WriteFile(manifest, []byte(`{
		"resources": [
			{"uri": "file:///notes.md", "file": "notes.md"},
			{"uri": "file:///logo.bin", "file": "logo.bin"}
		],
		"prompts": [{"name": "reply", "arguments": [{"name": "message", "required": true}, {"name": "tone"}],
			"messages": [{"role": "user", "text": "Reply in a {{tone}} tone to:\n{{message}}"}, {"role": "assistant", "text": "Sure."}]}]
	}`), 0o644))
	url := startServe(t, "--manifest", manifest).base + "/mcp"

	t.Run("read text", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, runRead, url, "file:///notes.md")
		require.Equal(t, codeOK, code, stderr)
		assert.Equal(t, "# Notes\nno final newline", stdout)
	})
	t.Run("read blob", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, runRead, url, "file:///logo.bin")
		require.Equal(t, codeOK, code, stderr)
		assert.Equal(t, "\x89P\x00\xff", stdout)
	})
	t.Run("read as JSON", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, runRead, url, "file:///notes.md", "--json", "--protocol-version", "2025-11-25")
		require.Equal(t, codeOK, code, stderr)
		assert.JSONEq(t, `{"contents": [{"uri": "file:///notes.md", "mimeType": "text/markdown", "text": "# Notes\nno final newline"}]}`, stdout)
	})
	t.Run("read as JSON, 2026-07-28", func(t *testing.T) {
		// The result as a 2026-07-28 server sends it: resultType, cache hints, serverInfo.
		code, stdout, stderr := runCmd(t, runRead, url, "file:///notes.md", "--json")
		require.Equal(t, codeOK, code, stderr)
		assert.JSONEq(t, `{"contents": [{"uri": "file:///notes.md", "mimeType": "text/markdown", "text": "# Notes\nno final newline"}],
			"resultType": "complete", "ttlMs": 0, "cacheScope": "private",
			"_meta": {"io.modelcontextprotocol/serverInfo": {"name": "minimcp", "version": "dev"}}}`, stdout)
	})
	t.Run("read missing", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, runRead, url, "file:///nope")
		assert.Equal(t, codeFailed, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "minimcp: resources/read: ")
		assert.Contains(t, stderr, "file:///nope")
	})
	t.Run("read usage", func(t *testing.T) {
		code, _, stderr := runCmd(t, runRead, url)
		assert.Equal(t, codeUsage, code)
		assert.Contains(t, stderr, "read: want the endpoint URL and the resource's URI")
	})
	t.Run("prompt", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, runPrompt, url, "reply", `{"message": "Where is my order?", "tone": "kind"}`)
		require.Equal(t, codeOK, code, stderr)
		assert.Equal(t, "user: Reply in a kind tone to:\nWhere is my order?\nassistant: Sure.\n", stdout)
	})
	t.Run("prompt as JSON", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, runPrompt, "--json", url, "reply", `{"message": "m"}`)
		require.Equal(t, codeOK, code, stderr)
		var res struct {
			Messages []json.RawMessage `json:"messages"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &res), stdout)
		assert.Len(t, res.Messages, 2)
	})
	t.Run("prompt without a required argument", func(t *testing.T) {
		code, _, stderr := runCmd(t, runPrompt, url, "reply")
		assert.Equal(t, codeFailed, code)
		assert.Contains(t, stderr, "minimcp: prompts/get: ")
	})
	t.Run("prompt arguments not strings", func(t *testing.T) {
		code, _, stderr := runCmd(t, runPrompt, url, "reply", `{"message": 3}`)
		assert.Equal(t, codeUsage, code)
		assert.Contains(t, stderr, `prompt: the arguments "{\"message\": 3}" are not a JSON object of strings`)
	})
}
