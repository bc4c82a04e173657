package main

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// requireGone fails the test unless process pid ends, and is reaped if it was handed to this
// process, before a deadline. It polls the OS, the one thing a test cannot be told about.
func requireGone(t *testing.T, pid int, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for processAlive(pid) || unreapedChild(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL) // leave nothing behind for the next test
			t.Fatalf("%s (pid %d) outlived the call", what, pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// unreapedChild reports whether pid is a zombie child of this process.
func unreapedChild(pid int) bool {
	p, ok := readStat(pid)
	return ok && p.state == 'Z' && p.ppid == os.Getpid()
}

// pidOf reads the pid a test script printed on the line-th line of its output.
func pidOf(t *testing.T, out string, line int) int {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Greater(t, len(lines), line, "%q", out)
	pid, err := strconv.Atoi(strings.TrimSpace(lines[line]))
	require.NoError(t, err, "%q", out)
	return pid
}

// TestExecNothingOutlivesTheCall checks, by pid, that what a program leaves behind when it
// exits (or is killed) dies with the call: a background child, one that started a session of
// its own with setsid, one that did so from a grandchild that exited, and one that also threw
// away its environment.
func TestExecNothingOutlivesTheCall(t *testing.T) {
	tests := []struct {
		name, script string
		timeout      string
	}{
		{"background child", `sleep 1000 >/dev/null 2>&1 & echo $!`, ""},
		{"background child of a killed program", `sleep 1000 >/dev/null 2>&1 & echo $!; sleep 1000`, "100ms"},
		{"setsid", `setsid sleep 1000 >/dev/null 2>&1 & echo $!`, ""},
		{"setsid of a killed program", `setsid sleep 1000 >/dev/null 2>&1 & echo $!; wait`, "100ms"},
		{"setsid from an orphan", `setsid sh -c 'sleep 1000 >/dev/null 2>&1 & echo $!'`, ""},
		{"setsid with an empty environment", `setsid env -i /bin/sleep 1000 >/dev/null 2>&1 & echo $!`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			timeout := ""
			if tt.timeout != "" {
				timeout = `, "timeout": "` + tt.timeout + `"`
			}
			script, err := json.Marshal(tt.script)
			require.NoError(t, err)
			srv := manifestServer(t, `{"tools": [{"name": "t", "inputSchema": {"type": "object"},
				"exec": {"command": ["/bin/sh", "-c", `+string(script)+`]`+timeout+`}}]}`)
			res := inProcTool(t, srv, "t", `{}`)
			out := texts(res)
			require.NotEmpty(t, out)
			requireGone(t, pidOf(t, out[len(out)-1], 0), "the program's descendant")
		})
	}
}

// TestExecKillAll checks what minimcp does when it must exit at once (a second SIGTERM): it
// kills the programs still running and everything they started.
func TestExecKillAll(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "started")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	script, err := json.Marshal(`setsid sleep 1000 >/dev/null 2>&1 & echo $$ $! > ` + fifo + `; wait`)
	require.NoError(t, err)
	srv := manifestServer(t, `{"tools": [{"name": "t", "inputSchema": {"type": "object"},
		"exec": {"command": ["/bin/sh", "-c", `+string(script)+`]}}]}`)
	done := make(chan *mcp.CallToolResult) // receives the call's result; never closed
	go func() { done <- inProcTool(t, srv, "t", `{}`) }()
	started, err := os.ReadFile(fifo) // until the script has written its pids
	require.NoError(t, err)
	pids := strings.Fields(string(started))
	require.Len(t, pids, 2)

	killExecProcesses()
	<-done
	for _, p := range pids {
		pid, err := strconv.Atoi(p)
		require.NoError(t, err)
		requireGone(t, pid, "a process of the running call")
	}
}

// TestExecMaxProcesses checks the server's limit with real programs: while one runs, a call
// of another tool waits, and is busy at its timeout.
func TestExecMaxProcesses(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "started")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	script, err := json.Marshal(`echo > ` + fifo + `; exec sleep 1000`)
	require.NoError(t, err)
	m, err := parseManifest("m.json", []byte(`{"tools": [
		{"name": "hold", "inputSchema": {"type": "object"}, "exec": {"command": ["/bin/sh", "-c", `+string(script)+`]}},
		{"name": "quick", "inputSchema": {"type": "object"}, "exec": {"command": ["true"], "timeout": "100ms"}}]}`))
	require.NoError(t, err)
	m.setMaxProcesses(1)
	srv := mcp.NewServer(&m.impl, nil)
	m.register(srv, slog.New(slog.DiscardHandler))

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{}) // closed when the holding call has returned
	go func() {
		defer close(done)
		msgs, _, derr := rpc.Decode(nil, rpc.AppendRequest(nil, rpc.Int64ID(1), mcp.MethodToolsCall,
			json.RawMessage(`{"name": "hold", "arguments": {}}`)), rpc.Limits{})
		assert.Nil(t, derr)
		_, _ = srv.Handle(ctx, &mcp.Inbound{ProtocolVersion: mcp.LatestVersion}, &msgs[0])
	}()
	_, err = os.ReadFile(fifo) // until the program runs
	require.NoError(t, err)

	res := inProcTool(t, srv, "quick", `{}`)
	assert.True(t, res.IsError)
	assert.Equal(t, []string{"true is busy: all 1 program slots of the server are taken (--max-processes), and none ended within 100ms"}, texts(res))
	cancel()
	<-done
	res = inProcTool(t, srv, "quick", `{}`)
	assert.False(t, res.IsError, "%q", texts(res))
}

// TestExecMinimcpKilled checks that a program dies when minimcp is killed (SIGKILL, or a
// crash) while it runs: this test runs TestExecKilledHelper in a process of its own, which
// starts a program and waits; the test kills that process and watches the program.
func TestExecMinimcpKilled(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "started")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	helper := exec.Command(os.Args[0], "-test.run=^TestExecKilledHelper$")
	helper.Env = append(os.Environ(), "GO_TEST_EXEC_KILLED_FIFO="+fifo)
	require.NoError(t, helper.Start())
	started, err := os.ReadFile(fifo) // until the helper's program runs
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(started)))
	require.NoError(t, err)
	require.NoError(t, helper.Process.Kill())
	_ = helper.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the program (pid %d) outlived minimcp", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestExecKilledHelper is the minimcp that TestExecMinimcpKilled kills: it runs a program
// that tells its pid and sleeps. It does nothing when run on its own.
func TestExecKilledHelper(t *testing.T) {
	fifo := os.Getenv("GO_TEST_EXEC_KILLED_FIFO")
	if fifo == "" {
		t.Skip("a helper of TestExecMinimcpKilled")
	}
	script, err := json.Marshal(`echo $$ > ` + fifo + `; exec sleep 1000`)
	require.NoError(t, err)
	srv := manifestServer(t, `{"tools": [{"name": "t", "inputSchema": {"type": "object"},
		"exec": {"command": ["/bin/sh", "-c", `+string(script)+`]}}]}`)
	inProcTool(t, srv, "t", `{}`) // until killed
}
