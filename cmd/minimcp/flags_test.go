package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUsageErrors runs whole command lines with a usage mistake: each must exit 2 and say
// what is wrong in one line on stderr, prefixed with the command, with the way to fix it.
func TestUsageErrors(t *testing.T) {
	const url = "http://127.0.0.1:1/mcp" // never contacted
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--bogus"}, "minimcp serve: unknown flag --bogus (see minimcp serve --help)"},
		{[]string{"serve", "-bogus"}, "minimcp serve: unknown flag --bogus (see minimcp serve --help)"},
		{[]string{"serve", "--addr"}, "minimcp serve: --addr needs a value (see minimcp serve --help)"},
		{[]string{"serve", "--max-sessions", "lots"}, `minimcp serve: invalid value "lots" for --max-sessions: want a whole number (see minimcp serve --help)`},
		{[]string{"serve", "--session-idle-timeout", "soon"}, `minimcp serve: invalid value "soon" for --session-idle-timeout: want a duration such as 30s or 1m30s (see minimcp serve --help)`},
		{[]string{"serve", "--stdio=maybe"}, `minimcp serve: invalid value "maybe" for --stdio: want true or false (see minimcp serve --help)`},
		{[]string{"serve", "--response", "xml"}, `minimcp serve: --response: want auto, json or sse, got "xml" (see minimcp serve --help)`},
		{[]string{"serve", "extra"}, `minimcp serve: unexpected argument "extra": serve takes flags only (see minimcp serve --help)`},
		{[]string{"conformance", "--bogus"}, "minimcp conformance: unknown flag --bogus (see minimcp conformance --help)"},
		{[]string{"conformance", "extra"}, `minimcp conformance: unexpected argument "extra": conformance takes flags only (see minimcp conformance --help)`},
		{[]string{"tools"}, "minimcp tools: missing URL (usage: minimcp tools [flags] URL)"},
		{[]string{"tools", url, "more"}, `minimcp tools: unexpected argument "more" (usage: minimcp tools [flags] URL)`},
		{[]string{"tools", "localhost:8080/mcp"}, `minimcp tools: "localhost:8080/mcp" has no scheme; did you mean http://localhost:8080/mcp?`},
		{[]string{"tools", "--bogus", url}, "minimcp tools: unknown flag --bogus (see minimcp tools --help)"},
		{[]string{"call"}, "minimcp call: missing URL (usage: minimcp call [flags] URL TOOL [JSON-ARGUMENTS])"},
		{[]string{"call", url}, "minimcp call: missing TOOL (usage: minimcp call [flags] URL TOOL [JSON-ARGUMENTS])"},
		{[]string{"call", url, "echo", "{}", "x"}, `minimcp call: unexpected argument "x" (usage: minimcp call [flags] URL TOOL [JSON-ARGUMENTS])`},
		{[]string{"call", "127.0.0.1:8080", "echo"}, `minimcp call: "127.0.0.1:8080" has no scheme; did you mean http://127.0.0.1:8080?`},
		{[]string{"call", "ftp://example.com/mcp", "echo"}, `minimcp call: "ftp://example.com/mcp": want an http:// or https:// URL`},
		{[]string{"call", "http:///mcp", "echo"}, `minimcp call: "http:///mcp" has no host; want http://host[:port]/path`},
		{[]string{"call", url, "echo", "{text: hi}"}, `minimcp call: the arguments "{text: hi}" are not a JSON object (see minimcp call --help)`},
		{[]string{"bench"}, "minimcp bench: missing URL (usage: minimcp bench [flags] URL)"},
		{[]string{"bench", "localhost:8080/mcp"}, `minimcp bench: "localhost:8080/mcp" has no scheme; did you mean http://localhost:8080/mcp?`},
		{[]string{"bench", "--rate", "5", url}, "minimcp bench: unknown flag --rate (see minimcp bench --help)"},
		{[]string{"bench", "-c", "many", url}, `minimcp bench: invalid value "many" for -c: want a whole number (see minimcp bench --help)`},
		{[]string{"bench", "-c", "0", url}, "minimcp bench: --concurrency 0 is out of range: want 1 to 10000 (see minimcp bench --help)"},
		{[]string{"bogus"}, `minimcp: unknown command "bogus" (commands: serve, conformance, bench, tools, call, read, prompt, version; see minimcp --help)`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			assert.Equal(t, codeUsage, code)
			assert.Empty(t, stdout.String())
			assert.Equal(t, tc.want+"\n", stderr.String())
		})
	}
}

// TestUsageHelp checks that --help still prints a command's whole usage, and exits 0.
func TestUsageHelp(t *testing.T) {
	for _, cmd := range []string{"serve", "conformance", "bench", "tools", "call"} {
		for _, help := range []string{"--help", "-h"} {
			t.Run(cmd+" "+help, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run([]string{cmd, help}, &stdout, &stderr)
				assert.Equal(t, codeOK, code)
				out := stdout.String() + stderr.String()
				assert.True(t, strings.HasPrefix(out, "Usage: minimcp "+cmd), out)
				assert.Contains(t, out, "Flags (each also read from the environment variable shown):\n")
				assert.Greater(t, strings.Count(out, "\n  --"), 2, out)
			})
		}
	}
}
