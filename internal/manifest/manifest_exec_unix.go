//go:build unix

package manifest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
)

// execMarkEnv is the environment variable that marks the processes of one exec call, so that
// the ones that leave the call's session can still be told apart (see the design note in
// manifest_exec_linux.go).
const execMarkEnv = "MINIMCP_EXEC_CALL"

// execCall is one run of an exec tool's program, from its start until os/exec has reaped it.
type execCall struct {
	pid  int    // the program's pid, which is also its session and process group id
	mark string // the value of execMarkEnv in its environment
	// done is set, under execCalls' lock, once the program has exited and its process group
	// has been killed: what is left of the call is to be killed too.
	done bool
}

// execCalls is every exec call of the process whose program has not been reaped yet.
var execCalls struct {
	// mu guards byPid and killed, and is held while a program starts, so that a sweep never
	// sees a program that is not in byPid yet.
	sync.Mutex
	byPid  map[int]*execCall // by the program's pid
	killed map[int]uint64    // processes a sweep killed: pid to start time, until reaped
	seq    atomic.Uint64     // numbers the calls' marks
}

// setProcessGroup starts cmd's program as the leader of a session and a process group of its
// own, so that its descendants can be found (and killed) by their session or group, and makes
// the cancellation of cmd's context kill the whole group.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	setDeathSignal(cmd.SysProcAttr)
	cmd.Cancel = func() error { return killProcessGroup(cmd) }
}

// killProcessGroup kills the process group cmd's program leads. It returns os.ErrProcessDone
// when the group is gone, which exec.Cmd does not report as an error.
func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// runContained runs cmd (set up by setProcessGroup) like cmd.Run, and leaves nothing of it
// running when it returns: once the program has exited, for whatever reason, its process
// group is killed and, where the system allows, its other descendants too.
func runContained(cmd *exec.Cmd) error {
	c := &execCall{mark: fmt.Sprintf("%d-%d", os.Getpid(), execCalls.seq.Add(1))}
	cmd.Env = append(cmd.Env, execMarkEnv+"="+c.mark)
	enableSubreaper()
	execCalls.Lock()
	err := cmd.Start()
	if err == nil {
		c.pid = cmd.Process.Pid
		if execCalls.byPid == nil {
			execCalls.byPid, execCalls.killed = map[int]*execCall{}, map[int]uint64{}
		}
		execCalls.byPid[c.pid] = c
	}
	execCalls.Unlock()
	if err != nil {
		return err
	}
	peeked := waitExited(c.pid)
	if peeked {
		// The program is a zombie, not reaped: its pid, hence its group id, cannot be reused
		// yet, so the group kill cannot reach a stranger.
		finishCall(c)
	}
	err = cmd.Wait()
	if !peeked {
		// Without a way to wait for the exit without reaping, the group is killed after: a
		// group with members keeps its id, so only an empty one could have been reused, in
		// the moment since Wait.
		finishCall(c)
	}
	execCalls.Lock()
	delete(execCalls.byPid, c.pid)
	execCalls.Unlock()
	return err
}

// finishCall kills what is left of a call whose program has exited.
func finishCall(c *execCall) {
	execCalls.Lock()
	c.done = true
	_ = syscall.Kill(-c.pid, syscall.SIGKILL)
	execCalls.Unlock()
	sweep()
}

// KillProcesses kills every program still running and, where the system allows,
// everything the process started: what minimcp does before it exits at once (a second
// SIGTERM) and when it ends, so that nothing outlives it.
func KillProcesses() {
	execCalls.Lock()
	defer execCalls.Unlock()
	for _, c := range execCalls.byPid {
		if !c.done {
			_ = syscall.Kill(-c.pid, syscall.SIGKILL)
		}
	}
	killDescendantsLocked()
}
