package manifest

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

	"github.com/minimcp/minimcp/internal/mcptest"
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

// startCall calls tool name of srv on a goroutine, with a context the returned cancel
// cancels; done is closed when the call has returned.
func startCall(t *testing.T, srv *mcp.Server, name string) (cancel func(), done <-chan struct{}) {
	ctx, cancel := context.WithCancel(t.Context())
	params, err := json.Marshal(map[string]any{"name": name, "arguments": map[string]any{}})
	require.NoError(t, err)
	msgs, _, derr := rpc.Decode(nil, rpc.AppendRequest(nil, rpc.Int64ID(1), mcp.MethodToolsCall, params), rpc.Limits{})
	require.Nil(t, derr)
	ch := make(chan struct{}) // closed when the call has returned
	go func() {
		defer close(ch)
		_, _ = srv.Handle(ctx, &mcp.Inbound{ProtocolVersion: mcp.LatestVersion}, &msgs[0])
	}()
	return cancel, ch
}

// fifoIn makes a named pipe in a temporary directory: a test reads it to wait until a
// program has written to it.
func fifoIn(t *testing.T) string {
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	return fifo
}

// readPids reads the pids a program wrote to fifo, blocking until it has.
func readPids(t *testing.T, fifo string) []int {
	data, err := os.ReadFile(fifo)
	require.NoError(t, err)
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(f)
		require.NoError(t, err, "%q", data)
		pids = append(pids, pid)
	}
	require.NotEmpty(t, pids)
	return pids
}

// TestExecNothingOutlivesTheCall checks, by pid, that what a program leaves behind when it
// exits dies with the call: a background child, one that started a session of its own with
// setsid, one that did so from a grandchild that exited, and one that also threw away its
// environment.
func TestExecNothingOutlivesTheCall(t *testing.T) {
	tests := []struct {
		name, script string
	}{
		{"background child", `sleep 1000 >/dev/null 2>&1 & echo $!`},
		{"setsid", `setsid sleep 1000 >/dev/null 2>&1 & echo $!`},
		{"setsid from an orphan", `setsid sh -c 'sleep 1000 >/dev/null 2>&1 & echo $!'`},
		{"setsid with an empty environment", `setsid env -i /bin/sleep 1000 >/dev/null 2>&1 & echo $!`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script, err := json.Marshal(tt.script)
			require.NoError(t, err)
			srv := manifestServer(t, `{"tools": [{"name": "t", "inputSchema": {"type": "object"},
				"exec": {"command": ["/bin/sh", "-c", `+string(script)+`]}}]}`)
			res := mcptest.Tool(t, srv, "t", `{}`)
			require.False(t, res.IsError, "%q", mcptest.Texts(res))
			requireGone(t, pidOf(t, mcptest.Texts(res)[0], 0), "the program's descendant")
		})
	}
}

// TestExecNothingOutlivesACancelledCall checks the same when the client cancels the call
// while the program runs.
func TestExecNothingOutlivesACancelledCall(t *testing.T) {
	tests := []struct {
		name, script string
	}{
		{"background child", `sleep 1000 >/dev/null 2>&1 & echo $$ $! > FIFO; sleep 1000`},
		{"setsid", `setsid sleep 1000 >/dev/null 2>&1 & echo $$ $! > FIFO; wait`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fifo := fifoIn(t)
			script, err := json.Marshal(strings.ReplaceAll(tt.script, "FIFO", fifo))
			require.NoError(t, err)
			srv := manifestServer(t, `{"tools": [{"name": "t", "inputSchema": {"type": "object"},
				"exec": {"command": ["/bin/sh", "-c", `+string(script)+`]}}]}`)
			cancel, done := startCall(t, srv, "t")
			pids := readPids(t, fifo)
			cancel()
			<-done
			for _, pid := range pids {
				requireGone(t, pid, "a process of the call")
			}
		})
	}
}

// TestExecKillAll checks what minimcp does when it must exit at once (a second SIGTERM): it
// kills the programs still running and everything they started.
func TestExecKillAll(t *testing.T) {
	fifo := fifoIn(t)
	script, err := json.Marshal(`setsid sleep 1000 >/dev/null 2>&1 & echo $$ $! > ` + fifo + `; wait`)
	require.NoError(t, err)
	srv := manifestServer(t, `{"tools": [{"name": "t", "inputSchema": {"type": "object"},
		"exec": {"command": ["/bin/sh", "-c", `+string(script)+`]}}]}`)
	cancel, done := startCall(t, srv, "t")
	defer cancel()
	pids := readPids(t, fifo)
	require.Len(t, pids, 2)

	KillProcesses()
	<-done
	for _, pid := range pids {
		requireGone(t, pid, "a process of the running call")
	}
}

// TestExecMaxProcesses checks the server's limit with real programs: while one runs, a call
// of another tool waits, and is busy at its timeout; once the first has ended, it runs.
func TestExecMaxProcesses(t *testing.T) {
	fifo := fifoIn(t)
	script, err := json.Marshal(`echo $$ > ` + fifo + `; exec sleep 1000`)
	require.NoError(t, err)
	m, err := parseManifest("m.json", []byte(`{"tools": [
		{"name": "hold", "inputSchema": {"type": "object"}, "exec": {"command": ["/bin/sh", "-c", `+string(script)+`]}},
		{"name": "quick", "inputSchema": {"type": "object"}, "exec": {"command": ["true"], "timeout": "100ms"}},
		{"name": "patient", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}]}`), nil)
	require.NoError(t, err)
	m.SetMaxProcesses(1)
	srv := mcp.NewServer(&m.Impl, nil)
	m.Register(srv, slog.New(slog.DiscardHandler))

	cancel, done := startCall(t, srv, "hold")
	readPids(t, fifo) // until the program runs
	res := mcptest.Tool(t, srv, "quick", `{}`)
	assert.True(t, res.IsError)
	assert.Equal(t, []string{"true is busy: all 1 program slots of the server are taken (--max-processes), and none came free for this call within 100ms"}, mcptest.Texts(res))
	cancel()
	<-done
	res = mcptest.Tool(t, srv, "patient", `{}`)
	assert.False(t, res.IsError, "%q", mcptest.Texts(res))
}

// TestExecMinimcpKilled checks that a program dies when minimcp is killed (SIGKILL, or a
// crash) while it runs: this test runs TestExecKilledHelper in a process of its own, which
// starts a program and waits; the test kills that process and watches the program. It must
// not run in parallel with exec calls: a call that ends while no other runs kills every child
// of this process it cannot trace to a call, the helper included.
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
	mcptest.Tool(t, srv, "t", `{}`) // until killed
}
