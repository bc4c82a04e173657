package clicmd

import (
	"bytes"
	"context"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/internal/builtin"
	"github.com/minimcp/minimcp/mcp"
)

// runInMemory runs a command against the built-in demo server, in memory, and returns its
// exit status, stdout and stderr.
func runInMemory(t *testing.T, asJSON bool, f func(context.Context, *client.Client, *Output) int) (int, string, string) {
	t.Helper()
	srv, _ := builtin.New(&mcp.ServerOptions{}, "test")
	c, err := client.ConnectInMemory(t.Context(), srv, nil)
	require.NoError(t, err)
	defer c.Close()
	var stdout, stderr bytes.Buffer
	code := f(t.Context(), c, &Output{Stdout: &stdout, Stderr: &stderr, JSON: asJSON})
	return code, stdout.String(), stderr.String()
}

// TestCommands: each command prints the answer for a person, or as JSON, and exits by its
// outcome; the transport does not matter to them (here in memory).
func TestCommands(t *testing.T) {
	code, out, _ := runInMemory(t, false, func(ctx context.Context, c *client.Client, o *Output) int { return Tools(ctx, c, o) })
	assert.Equal(t, ExitOK, code)
	assert.Equal(t, "echo  Returns the text it is given.\nadd   Adds two numbers and returns {\"sum\": a + b}.\n", out)

	code, out, _ = runInMemory(t, true, func(ctx context.Context, c *client.Client, o *Output) int { return Tools(ctx, c, o) })
	assert.Equal(t, ExitOK, code)
	var tools []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &tools))
	assert.Len(t, tools, 2)

	code, out, _ = runInMemory(t, false, func(ctx context.Context, c *client.Client, o *Output) int {
		return Call(ctx, c, "add", json.RawMessage(`{"a":1,"b":2}`), o)
	})
	assert.Equal(t, ExitOK, code)
	assert.Equal(t, "{\"sum\":3}\n", out)

	code, out, errOut := runInMemory(t, false, func(ctx context.Context, c *client.Client, o *Output) int {
		return Call(ctx, c, "add", json.RawMessage(`{"a":"one"}`), o)
	})
	assert.Equal(t, ExitFailed, code, "isError")
	assert.Empty(t, out)
	assert.NotEmpty(t, errOut)

	code, out, _ = runInMemory(t, false, func(ctx context.Context, c *client.Client, o *Output) int {
		return Read(ctx, c, builtin.AboutURI, o)
	})
	assert.Equal(t, ExitOK, code)
	assert.Contains(t, out, "# minimcp test")

	code, _, errOut = runInMemory(t, false, func(ctx context.Context, c *client.Client, o *Output) int {
		return Read(ctx, c, "minimcp://nothing", o)
	})
	assert.Equal(t, ExitFailed, code, "a JSON-RPC error answers what was asked")
	assert.Contains(t, errOut, "minimcp: ")

	code, out, _ = runInMemory(t, false, func(ctx context.Context, c *client.Client, o *Output) int {
		return Prompt(ctx, c, "greet", map[string]string{"name": "Ada"}, o)
	})
	assert.Equal(t, ExitOK, code)
	assert.Equal(t, "user: Write a short, friendly greeting for Ada.\n", out)
}

// TestDescribeInputRequired: one line per input request in key order, then the state.
func TestDescribeInputRequired(t *testing.T) {
	got := describeInputRequired(json.RawMessage(`{"resultType":"input_required","requestState":"s","inputRequests":{
		"b":{"method":"elicitation/create","params":{"mode":"url","message":"Sign in","url":"https://example.com/x"}},
		"a":{"method":"roots/list"}}}`))
	assert.Equal(t, []string{"a: roots/list", "b: elicitation/create (Sign in, https://example.com/x)",
		"requestState: sent, to be passed back on a retry"}, got)
}
