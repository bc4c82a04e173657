//go:build unix

package main

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// taskManifest declares two exec tools that run as tasks: build answers at once, hang writes
// its pid to a file and sleeps for ten minutes.
const taskManifest = `{"tools": [
	{"name": "build", "task": "required",
	 "inputSchema": {"type": "object", "properties": {"n": {"type": "string"}}, "required": ["n"]},
	 "exec": {"command": ["/bin/sh", "-c", "echo built $1", "sh", "{{n}}"]}},
	{"name": "hang", "task": "optional",
	 "inputSchema": {"type": "object", "properties": {"pidfile": {"type": "string"}}, "required": ["pidfile"]},
	 "exec": {"command": ["/bin/sh", "-c", "echo $$ > \"$1\"; exec sleep 600", "sh", "{{pidfile}}"], "timeout": "20m"}}
]}`

// modernPost sends one 2026-07-28 request whose client declares the tasks extension (or not)
// and returns its decoded answer.
func modernPost(t *testing.T, url, method, name, params string, tasks bool) map[string]any {
	t.Helper()
	caps := `{}`
	if tasks {
		caps = `{"extensions":{"io.modelcontextprotocol/tasks":{}}}`
	}
	body := `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":{` + params + `,"_meta":{` +
		`"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":` + caps + `}}}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", method)
	req.Header.Set("Mcp-Name", name)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var reply map[string]any
	require.NoError(t, json.Unmarshal(b, &reply), string(b))
	return reply
}

// startTask calls tool and returns the id of the task it became.
func startTask(t *testing.T, url, tool, args string) string {
	t.Helper()
	reply := modernPost(t, url, "tools/call", tool, `"name":"`+tool+`","arguments":`+args, true)
	res, _ := reply["result"].(map[string]any)
	require.Equal(t, "task", res["resultType"], "%v", reply)
	id, _ := res["taskId"].(string)
	require.NotEmpty(t, id)
	return id
}

// pollTask polls tasks/get, as a client does, until the task's status is not working, and
// returns the last result.
func pollTask(t *testing.T, url, id string) map[string]any {
	t.Helper()
	for {
		reply := modernPost(t, url, "tasks/get", id, `"taskId":"`+id+`"`, true)
		res, _ := reply["result"].(map[string]any)
		require.NotNil(t, res, "%v", reply)
		if res["status"] != "working" {
			return res
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("task %s still working", id)
		case <-time.After(10 * time.Millisecond): // a client's polling interval, not a timing
		}
	}
}

// TestServeManifestTask: an exec tool marked "task" in the manifest runs as a task over HTTP
// for a 2026-07-28 client that declares the tasks extension: tasks/get follows it to its
// result, and tasks/cancel kills its program. A client without the extension gets -32021
// for a "required" tool.
func TestServeManifestTask(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.json")
	require.NoError(t, os.WriteFile(file, []byte(taskManifest), 0o644))
	r := startServe(t, "--manifest", file)
	url := r.base + "/mcp"

	id := startTask(t, url, "build", `{"n":"v1"}`)
	res := pollTask(t, url, id)
	assert.Equal(t, "completed", res["status"])
	inline, _ := res["result"].(map[string]any)
	assert.Equal(t, []any{map[string]any{"type": "text", "text": "built v1\n"}}, inline["content"])

	reply := modernPost(t, url, "tools/call", "build", `"name":"build","arguments":{"n":"x"}`, false)
	e, _ := reply["error"].(map[string]any)
	assert.EqualValues(t, -32021, e["code"], "%v", reply)

	pidfile := filepath.Join(dir, "pid")
	id = startTask(t, url, "hang", `{"pidfile":`+strconv.Quote(pidfile)+`}`)
	var pid int
	for pid == 0 {
		b, _ := os.ReadFile(pidfile)
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			pid = n
			break
		}
		select {
		case <-t.Context().Done():
			t.Fatal("the program never started")
		case <-time.After(10 * time.Millisecond):
		}
	}
	require.NoError(t, syscall.Kill(pid, 0), "the program runs")
	reply = modernPost(t, url, "tasks/cancel", id, `"taskId":"`+id+`"`, true)
	require.Nil(t, reply["error"], "%v", reply)
	res = pollTask(t, url, id)
	assert.Equal(t, "cancelled", res["status"])
	// The task ends once the call has returned, and the call returns once its program is
	// killed and reaped.
	assert.True(t, errors.Is(syscall.Kill(pid, 0), syscall.ESRCH), "the program was killed")
}
