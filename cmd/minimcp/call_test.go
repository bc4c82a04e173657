package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/fakemcp"
)

// runCmd runs a command function and returns its exit code, stdout and stderr.
func runCmd(t *testing.T, cmd func(context.Context, []string, io.Writer, io.Writer) int, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cmd(t.Context(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestToolsCommand(t *testing.T) {
	f, url := fakemcp.Start(t, fakemcp.Options{Stateful: true, SSE: true})

	code, stdout, stderr := runCmd(t, runTools, url)
	require.Equal(t, codeOK, code, stderr)
	assert.Empty(t, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	assert.ElementsMatch(t, []string{
		"echo   Returns its text.",
		"fail   Always fails, with a message.",
		"image  Returns a text and an image.",
	}, lines)

	code, stdout, stderr = runCmd(t, runTools, url, "--json")
	require.Equal(t, codeOK, code, stderr)
	var tools []struct {
		Name        string          `json:"name"`
		InputSchema json.RawMessage `json:"inputSchema"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &tools), stdout)
	require.Len(t, tools, 3)
	for _, tool := range tools {
		assert.NotEmpty(t, tool.InputSchema, tool.Name)
	}

	minted, deleted, open := f.Stats()
	assert.Equal(t, [3]int{2, 2, 0}, [3]int{minted, deleted, open}, "each command ends its session")
}

func TestCallCommand(t *testing.T) {
	_, url := fakemcp.Start(t, fakemcp.Options{Stateful: true})
	_, sseURL := fakemcp.Start(t, fakemcp.Options{SSE: true})
	_, expiring := fakemcp.Start(t, fakemcp.Options{Stateful: true, ExpireOn: "tools/call"})
	hanging := startHandler(t, hang)

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // exact, unless it is empty and wantJSON is set
		stderr string // contained
		// wantJSON, if set, is compared with stdout as JSON.
		wantJSON string
	}{
		{
			name:   "text",
			args:   []string{url, "echo", `{"text":"hello"}`},
			code:   codeOK,
			stdout: "hello\n",
		},
		{
			name:   "over SSE, flags after the arguments",
			args:   []string{sseURL, "echo", `{"text":"hi"}`, "--timeout", "5s"},
			code:   codeOK,
			stdout: "hi\n",
		},
		{
			name:   "default arguments",
			args:   []string{url, "image"},
			code:   codeOK,
			stdout: "a picture:\n" + `{"type":"image","data":"UE5H","mimeType":"image/png"}` + "\n",
		},
		{
			name:     "json",
			args:     []string{"--json", url, "echo", `{"text":"hello"}`},
			code:     codeOK,
			wantJSON: `{"content":[{"type":"text","text":"hello"}]}`,
		},
		{
			name:   "tool error",
			args:   []string{url, "fail"},
			code:   codeFailed,
			stdout: "",
			stderr: "the disk is full\n",
		},
		{
			name:     "tool error as json",
			args:     []string{url, "fail", "--json"},
			code:     codeFailed,
			wantJSON: `{"content":[{"type":"text","text":"the disk is full"}],"isError":true}`,
		},
		{
			name:   "arguments not JSON",
			args:   []string{url, "echo", `{text: hello}`},
			code:   codeUsage,
			stderr: "minimcp call: the arguments \"{text: hello}\" are not a JSON object (see minimcp call --help)\n",
		},
		{
			name:   "arguments not an object",
			args:   []string{url, "echo", `["hello"]`},
			code:   codeUsage,
			stderr: "not a JSON object",
		},
		{
			name:   "missing URL",
			args:   nil,
			code:   codeUsage,
			stderr: "minimcp call: missing URL (usage: minimcp call [flags] URL TOOL [JSON-ARGUMENTS])\n",
		},
		{
			name:   "too many arguments",
			args:   []string{url, "echo", "{}", "extra"},
			code:   codeUsage,
			stderr: "minimcp call: unexpected argument \"extra\" (usage: minimcp call [flags] URL TOOL [JSON-ARGUMENTS])\n",
		},
		{
			name:   "bad URL",
			args:   []string{"localhost:1234", "echo"},
			code:   codeUsage,
			stderr: "minimcp call: \"localhost:1234\" has no scheme; did you mean http://localhost:1234?\n",
		},
		{
			name:   "bad flag",
			args:   []string{"--nope", url, "echo"},
			code:   codeUsage,
			stderr: "minimcp call: unknown flag --nope (see minimcp call --help)\n",
		},
		{
			name:   "bad header",
			args:   []string{"--header", "nocolon", url, "echo"},
			code:   codeUsage,
			stderr: `header "nocolon": want 'Name: value'`,
		},
		{
			name:   "zero timeout",
			args:   []string{"--timeout", "0s", url, "echo"},
			code:   codeUsage,
			stderr: "--timeout must be positive",
		},
		{
			name:   "help",
			args:   []string{"--help"},
			code:   codeOK,
			stderr: "--auth-token  [MINIMCP_AUTH_TOKEN]",
		},
		{
			name:   "unknown tool",
			args:   []string{url, "nope"},
			code:   codeProtocol,
			stderr: `minimcp: tools/call: jsonrpc error -32602: Invalid params: unknown tool "nope"`,
		},
		{
			name:   "session lost",
			args:   []string{expiring, "echo"},
			code:   codeProtocol,
			stderr: "minimcp: tools/call: HTTP 404: session not found\n",
		},
		{
			name:   "unreachable",
			args:   []string{fakemcp.ClosedURL(t), "echo"},
			code:   codeProtocol,
			stderr: "minimcp: server/discover: Post",
		},
		{
			name:   "timeout",
			args:   []string{"--timeout", "100ms", hanging, "echo"},
			code:   codeProtocol,
			stderr: "minimcp: server/discover: ",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, runCall, tc.args...)
			assert.Equal(t, tc.code, code, "stderr: %s", stderr)
			if tc.wantJSON != "" {
				assert.JSONEq(t, tc.wantJSON, stdout)
			} else {
				assert.Equal(t, tc.stdout, stdout)
			}
			if tc.stderr != "" {
				assert.Contains(t, stderr, tc.stderr)
			} else {
				assert.Empty(t, stderr)
			}
		})
	}
}

func TestCallCommandEnvironment(t *testing.T) {
	f, url := fakemcp.Start(t, fakemcp.Options{})
	t.Setenv("MINIMCP_AUTH_TOKEN", "from-env")
	t.Setenv("MINIMCP_HEADER", "X-One: 1\nX-Two: 2, 3")

	code, stdout, stderr := runCmd(t, runCall, url, "echo", `{"text":"x"}`)
	require.Equal(t, codeOK, code, stderr)
	assert.Equal(t, "x\n", stdout)
	h := f.LastHeaders()
	assert.Equal(t, "Bearer from-env", h.Get("Authorization"))
	assert.Equal(t, "1", h.Get("X-One"))
	assert.Equal(t, "2, 3", h.Get("X-Two"))

	// The command line beats the environment.
	code, _, stderr = runCmd(t, runCall, "--auth-token", "from-flag", url, "echo", `{"text":"x"}`)
	require.Equal(t, codeOK, code, stderr)
	assert.Equal(t, "Bearer from-flag", f.LastHeaders().Get("Authorization"))
}

// TestClientAuthTokenFile checks that the client commands read --auth-token @FILE (and
// MINIMCP_AUTH_TOKEN=@FILE) as serve does: the first token of the file, not "@FILE" itself.
func TestClientAuthTokenFile(t *testing.T) {
	f, url := fakemcp.Start(t, fakemcp.Options{})
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(file, []byte("# the bench token\n\nfile-token principal\nsecond-token\n"), 0o600))

	t.Setenv("MINIMCP_AUTH_TOKEN", "@"+file)
	code, _, stderr := runCmd(t, runCall, url, "echo", `{"text":"x"}`)
	require.Equal(t, codeOK, code, stderr)
	assert.Equal(t, "Bearer file-token", f.LastHeaders().Get("Authorization"))

	code, _, stderr = runCmd(t, runTools, "--auth-token", "@"+file, url)
	require.Equal(t, codeOK, code, stderr)
	assert.Equal(t, "Bearer file-token", f.LastHeaders().Get("Authorization"))

	missing := filepath.Join(dir, "missing")
	code, _, stderr = runCmd(t, runCall, "--auth-token", "@"+missing, url, "echo")
	assert.Equal(t, codeUsage, code)
	assert.Contains(t, stderr, "open "+missing+": no such file or directory")

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("# nothing\n"), 0o600))
	t.Setenv("MINIMCP_AUTH_TOKEN", "@"+empty)
	code, _, stderr = runCmd(t, runCall, url, "echo")
	assert.Equal(t, codeUsage, code)
	assert.Contains(t, stderr, "MINIMCP_AUTH_TOKEN=\"@"+empty+"\": the file holds no token")
}
