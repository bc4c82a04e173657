package manifest

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
)

func TestExecArgv(t *testing.T) {
	// printf '[%s]' prints each of its arguments in brackets, so the output shows argv exactly.
	srv := manifestServer(t, `{"tools": [{
		"name": "argv",
		"inputSchema": {"type": "object", "properties": {
			"s": {"type": ["string", "null"]}, "n": {"type": "number"}, "b": {"type": "boolean"},
			"o": {"type": "object"}, "list": {"type": "array"}, "max": {"type": ["integer", "null"]}
		}},
		"exec": {"command": ["printf", "[%s]", "lit", "{{s}}", "{{ n }}", "{{b}}", "{{o}}", "{{list}}", ["-m", "{{max}}"], "end"]}
	}]}`)
	tests := []struct {
		name, args, want string
	}{
		{"nothing", `{}`, `[lit][end]`},
		{"string kept whole", `{"s": "a b; rm -rf / $(x) 'q'"}`, `[lit][a b; rm -rf / $(x) 'q'][end]`},
		{"flag-like string", `{"s": "--help"}`, `[lit][--help][end]`},
		{"number as JSON", `{"n": 2.50}`, `[lit][2.50][end]`},
		{"boolean as JSON", `{"b": false}`, `[lit][false][end]`},
		{"object as compact JSON", `{"o": {"a": [1, 2]}}`, `[lit][{"a":[1,2]}][end]`},
		{"array, one element each", `{"list": ["x y", 3, null, true]}`, `[lit][x y][3][true][end]`},
		{"empty array drops the element", `{"list": []}`, `[lit][end]`},
		{"null drops the element", `{"s": null}`, `[lit][end]`},
		{"group kept", `{"max": 3}`, `[lit][-m][3][end]`},
		{"group dropped", `{"max": null}`, `[lit][end]`},
		{"empty string is an element", `{"s": ""}`, `[lit][][end]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mcptest.Tool(t, srv, "argv", tt.args)
			require.False(t, res.IsError, "%v", mcptest.Texts(res))
			assert.Equal(t, []string{tt.want}, mcptest.Texts(res))
		})
	}
	t.Run("NUL", func(t *testing.T) {
		res := mcptest.Tool(t, srv, "argv", `{"s": "a\u0000b"}`)
		assert.True(t, res.IsError)
		assert.Equal(t, []string{`argument "s": a NUL character cannot be passed to a program`}, mcptest.Texts(res))
	})
}

func TestExecResults(t *testing.T) {
	dir := t.TempDir()
	srv := manifestServer(t, `{"tools": [
		{"name": "ok", "inputSchema": {"type": "object"}, "exec": {"command": ["/bin/echo", "hello"]}},
		{"name": "fail", "inputSchema": {"type": "object"},
		 "exec": {"command": ["/bin/sh", "-c", "echo partial; echo oops >&2; exit 3"]}},
		{"name": "quiet-fail", "inputSchema": {"type": "object"}, "exec": {"command": ["/bin/sh", "-c", "exit 1"]}},
		{"name": "cap", "inputSchema": {"type": "object"}, "exec": {"command": ["/bin/echo", "0123456789abcdef"], "maxOutputBytes": 10}},
		{"name": "cap-utf8", "inputSchema": {"type": "object"}, "exec": {"command": ["printf", "aaééé"], "maxOutputBytes": 5}},
		{"name": "pwd", "inputSchema": {"type": "object"}, "exec": {"command": ["pwd"], "dir": "`+dir+`"}},
		{"name": "default-dir", "inputSchema": {"type": "object"}, "exec": {"command": ["pwd"]}},
		{"name": "slow", "inputSchema": {"type": "object"}, "exec": {"command": ["sleep", "10"], "timeout": "50ms"}}
	]}`)
	wd, err := os.Getwd()
	require.NoError(t, err)

	tests := []struct {
		tool    string
		isError bool
		want    []string
	}{
		{"ok", false, []string{"hello\n"}},
		{"fail", true, []string{"/bin/sh failed: exit status 3\noops", "partial\n"}},
		{"quiet-fail", true, []string{"/bin/sh failed: exit status 1"}},
		{"cap", false, []string{"0123456789\n[truncated: showing the first 10 of 17 bytes]"}},
		{"cap-utf8", false, []string{"aaé\n[truncated: showing the first 5 of 8 bytes]"}},
		{"pwd", false, []string{dir + "\n"}},
		{"default-dir", false, []string{wd + "\n"}}, // the manifest's directory
		{"slow", true, []string{"sleep timed out after 50ms and was killed"}},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			res := mcptest.Tool(t, srv, tt.tool, `{}`)
			assert.Equal(t, tt.isError, res.IsError)
			assert.Equal(t, tt.want, mcptest.Texts(res))
		})
	}
}

func TestExecEnv(t *testing.T) {
	t.Setenv("EXEC_TEST_NAME", "ada")
	t.Setenv("EXEC_TEST_INHERITED", "inherited")
	t.Setenv("EXEC_TEST_OVERRIDDEN", "server")
	t.Setenv("MINIMCP_AUTH_TOKEN", "secret")
	srv := manifestServer(t, `{"tools": [{"name": "env", "inputSchema": {"type": "object"},
		"exec": {"command": ["/bin/sh", "-c", "echo $GREETING-$EXEC_TEST_INHERITED-$EXEC_TEST_OVERRIDDEN-${MINIMCP_AUTH_TOKEN:-unset}"],
		         "env": {"GREETING": "hi ${EXEC_TEST_NAME}", "EXEC_TEST_OVERRIDDEN": "tool"}}}]}`)
	res := mcptest.Tool(t, srv, "env", `{}`)
	assert.Equal(t, []string{"hi ada-inherited-tool-unset\n"}, mcptest.Texts(res))
}

// TestExecKillsProcessGroup checks that a timeout kills the program's children too: the
// script starts a background sleep, prints its pid and waits.
func TestExecKillsProcessGroup(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	srv := manifestServer(t, `{"tools": [{"name": "tree", "inputSchema": {"type": "object"},
		"exec": {"command": ["/bin/sh", "-c", "sleep 30 & echo $!; wait"], "timeout": "200ms"}}]}`)
	res := mcptest.Tool(t, srv, "tree", `{}`)
	require.True(t, res.IsError)
	out := mcptest.Texts(res)
	require.Len(t, out, 2, "%q", out)
	assert.Equal(t, "/bin/sh timed out after 200ms and was killed", out[0])
	pid, err := strconv.Atoi(strings.TrimSpace(out[1]))
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return !processAlive(pid) }, 5*time.Second, 10*time.Millisecond,
		"the background sleep (pid %d) outlived the call", pid)
}

// TestExecDescendantHoldingOutput checks that a call whose program exits while a descendant
// keeps its output open returns after the wait delay, and ends the descendant.
func TestExecDescendantHoldingOutput(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	defer func(d time.Duration) { execWaitDelay = d }(execWaitDelay)
	execWaitDelay = 100 * time.Millisecond
	srv := manifestServer(t, `{"tools": [{"name": "bg", "inputSchema": {"type": "object"},
		"exec": {"command": ["/bin/sh", "-c", "sleep 30 & echo $!"]}}]}`)
	res := mcptest.Tool(t, srv, "bg", `{}`)
	require.False(t, res.IsError, "%q", mcptest.Texts(res))
	pid, err := strconv.Atoi(strings.TrimSpace(mcptest.Texts(res)[0]))
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return !processAlive(pid) }, 5*time.Second, 10*time.Millisecond,
		"the background sleep (pid %d) outlived the call", pid)
}

// processAlive reports whether pid is a process that has not exited (a zombie has).
func processAlive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) STATE ...; comm may hold spaces, so look after the last ')'.
	s := string(stat)
	rest := s[strings.LastIndexByte(s, ')')+1:]
	return !strings.HasPrefix(strings.TrimSpace(rest), "Z")
}

func TestCappedBuffer(t *testing.T) {
	b := &cappedBuffer{max: 4}
	for _, p := range []string{"ab", "cdef", "gh"} {
		n, err := b.Write([]byte(p))
		require.NoError(t, err)
		assert.Equal(t, len(p), n)
	}
	assert.Equal(t, "abcd\n[truncated: showing the first 4 of 8 bytes]", b.text())
	assert.Equal(t, "x\uFFFDy", (&cappedBuffer{buf: []byte("x\xffy"), max: 3, total: 3}).text())
}
