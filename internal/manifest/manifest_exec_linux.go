package manifest

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

/*
Design note: nothing an exec call starts outlives it (Linux).

A program may leave processes behind in three ways: a background child of a program that
exits normally ("sleep 1000 &"), a child that leaves the program's process group or session
(setsid, a daemon's double fork), and a program still running when minimcp itself exits. The
first is handled on every Unix, the others need Linux.

  - Each program starts as the leader of a session and a process group of its own (Setsid).
    When it exits, for whatever reason (it ended, it timed out, the client cancelled), the
    whole group is killed with SIGKILL. The exit is seen with waitid(WNOWAIT), which leaves the
    program a zombie: its pid, and so its group id, stays reserved until os/exec's Wait reaps
    it, after the kill, so the kill cannot reach an unrelated group that reused the number.
  - minimcp makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER): a process whose
    parent dies is adopted by minimcp instead of init, so every descendant of every call
    stays in minimcp's process tree, whatever sessions it started. After the group kill, a
    sweep walks that tree (/proc/PID/task/TID/children) and kills what belongs to the call: a
    process in its session or group, or whose environment holds the call's mark
    (MINIMCP_EXEC_CALL=minimcp's pid-call number, set in the program's environment and
    inherited by its descendants). A descendant that both leaves the session and drops its
    environment cannot be traced to a call: it is killed by the first sweep that runs while no
    call is running, when nothing can still need it. This counts on exec tools being the only
    thing in minimcp that starts processes: any other child would count as such a leftover. The sweep repeats, pausing between rounds,
    until no process of the call is left alive or unreaped, for at most sweepTimeout.
  - Reaping is where a subreaper can break os/exec: Wait must get its own child's exit
    status. The sweep never calls wait for "any child": it reaps, by pid (wait4 WNOHANG),
    only zombies that are minimcp's children and either belong to a finished call or were
    killed by a sweep, and never a program os/exec waits for (execCalls.byPid). A program
    starts under execCalls' lock, and the sweep runs under it, so a sweep never meets a
    program before it is registered.
  - A process is killed through a pidfd opened after the walk, after checking that the pid
    still names the process the walk saw (its start time), so a pid reused in between is not
    killed.
  - Exiting: KillProcesses kills every program's group and every descendant of minimcp,
    on a second SIGTERM (before os.Exit) and when minimcp ends. Each program also gets
    PR_SET_PDEATHSIG SIGKILL, so it dies if minimcp is killed (SIGKILL) or crashes.

What is not covered: if minimcp is killed or crashes, the program dies (parent-death signal)
but its descendants are adopted by init and live on; run minimcp under something that
kills a whole cgroup (systemd's default KillMode, a container) for that. A descendant that
makes itself a subreaper, or starts a PID namespace, keeps its own descendants out of the
walk until it is killed. The parent-death signal follows the thread that started the
program; Go ends a thread only when a goroutine locked to it exits, which minimcp's code
does not do. Without PR_SET_CHILD_SUBREAPER (a kernel older than 3.4, or a sandbox that
refuses it) only the group kill remains.
*/

// Linux interfaces syscall does not name.
const (
	prSetChildSubreaper = 36        // prctl(2)
	pPID                = 1         // waitid(2) idtype P_PID
	wNoWait             = 0x1000000 // waitid(2) WNOWAIT
	sysPidfdOpen        = 434       // pidfd_open(2), the same number on every architecture
	sysPidfdSendSignal  = 424       // pidfd_send_signal(2)
)

// sweepTimeout bounds how long a call's end waits for the processes it killed to die.
const sweepTimeout = 2 * time.Second

var (
	subreaperOnce sync.Once
	// subreaper reports whether minimcp is a child subreaper; set once by enableSubreaper, and
	// read by KillProcesses, which may run before (or while) a first call sets it.
	subreaper atomic.Bool
)

// setDeathSignal makes the program die when minimcp does.
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

// enableSubreaper makes minimcp the child subreaper of its descendants, once.
func enableSubreaper() {
	subreaperOnce.Do(func() {
		_, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0, 0, 0, 0)
		subreaper.Store(e == 0)
	})
}

// waitExited waits until the child pid has exited, without reaping it. It reports false if
// it could not wait.
func waitExited(pid int) bool {
	var info [128]byte // siginfo_t
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid), uintptr(unsafe.Pointer(&info[0])),
			syscall.WEXITED|wNoWait, 0, 0)
		if e != syscall.EINTR {
			return e == 0
		}
	}
}

// sweep kills and reaps what is left of finished calls, in rounds, until nothing of them is
// left or sweepTimeout has passed.
func sweep() {
	if !subreaper.Load() {
		return
	}
	deadline := time.Now().Add(sweepTimeout)
	pause := time.Millisecond
	for {
		execCalls.Lock()
		pending := sweepLocked()
		execCalls.Unlock()
		if !pending || time.Now().After(deadline) {
			return
		}
		// The processes killed need a moment to die and be handed to minimcp: the OS says
		// nothing when, so poll.
		time.Sleep(pause)
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// sweepLocked makes one round of sweep. It reports whether some process of a finished call
// is still alive or not reaped.
func sweepLocked() (pending bool) {
	self := os.Getpid()
	running := false
	byMark := map[string]*execCall{}
	for _, c := range execCalls.byPid {
		running = running || !c.done
		byMark[c.mark] = c
	}
	walkDescendants(self, func(p procStat) {
		if execCalls.byPid[p.pid] != nil {
			return // a program: os/exec waits for it
		}
		owner := execCalls.byPid[p.session]
		if owner == nil {
			owner = execCalls.byPid[p.pgrp]
		}
		if owner == nil && p.state != 'Z' {
			owner = byMark[markOf(p.pid)]
		}
		killedBefore := execCalls.killed[p.pid] == p.start
		switch {
		case owner != nil && owner.done, owner == nil && (!running || killedBefore):
		default:
			return // it belongs to a running call, or may
		}
		if p.state != 'Z' {
			signalProc(p, syscall.SIGKILL)
			execCalls.killed[p.pid] = p.start
			pending = true
			return
		}
		if p.ppid != self {
			pending = true // its parent reaps it, or dies and hands it over
			return
		}
		var ws syscall.WaitStatus
		if n, err := syscall.Wait4(p.pid, &ws, syscall.WNOHANG, nil); n == p.pid || errors.Is(err, syscall.ECHILD) {
			delete(execCalls.killed, p.pid)
		}
	})
	return pending
}

// killDescendantsLocked kills every descendant of minimcp, programs included, at once.
func killDescendantsLocked() {
	if !subreaper.Load() {
		return
	}
	walkDescendants(os.Getpid(), func(p procStat) {
		if p.state != 'Z' {
			signalProc(p, syscall.SIGKILL)
		}
	})
}

// procStat is what a sweep reads of a process in /proc/PID/stat.
type procStat struct {
	pid, ppid, pgrp, session int
	state                    byte
	start                    uint64 // start time, in clock ticks after boot: with pid, an identity
}

// readStat reads /proc/PID/stat; ok is false for a process that is gone.
func readStat(pid int) (p procStat, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return p, false
	}
	// "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
	// utime stime cutime cstime priority nice num_threads itrealvalue starttime ...": comm may
	// hold anything, so the fields are counted from its closing parenthesis.
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return p, false
	}
	f := strings.Fields(string(data[end+1:]))
	if len(f) < 20 || len(f[0]) != 1 {
		return p, false
	}
	p.pid, p.state = pid, f[0][0]
	p.ppid, _ = strconv.Atoi(f[1])
	p.pgrp, _ = strconv.Atoi(f[2])
	p.session, _ = strconv.Atoi(f[3])
	p.start, _ = strconv.ParseUint(f[19], 10, 64)
	return p, true
}

// walkDescendants calls f for every descendant of process root, parents before children.
// Children are listed per thread, so every thread of every process is read.
func walkDescendants(root int, f func(procStat)) {
	seen := map[int]bool{root: true}
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		dir := "/proc/" + strconv.Itoa(pid) + "/task/"
		tasks, _ := os.ReadDir(dir)
		for _, t := range tasks {
			data, _ := os.ReadFile(dir + t.Name() + "/children")
			for _, s := range strings.Fields(string(data)) {
				child, err := strconv.Atoi(s)
				if err != nil || seen[child] {
					continue
				}
				seen[child] = true
				if p, ok := readStat(child); ok {
					f(p)
					queue = append(queue, child)
				}
			}
		}
	}
}

// markOf returns the value of execMarkEnv in the environment process pid started with, or "".
func markOf(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return ""
	}
	key := []byte(execMarkEnv + "=")
	for kv := range bytes.SplitSeq(data, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, key); ok {
			return string(v)
		}
	}
	return ""
}

// signalProc sends sig to the process p describes, through a pidfd opened after checking that
// p.pid still names that process, so that a pid reused since the walk is left alone. Without
// pidfds (Linux before 5.3) it falls back to kill after the same check.
func signalProc(p procStat, sig syscall.Signal) {
	fd, _, e := syscall.Syscall(sysPidfdOpen, uintptr(p.pid), 0, 0)
	if e == 0 {
		defer syscall.Close(int(fd))
	}
	if now, ok := readStat(p.pid); !ok || now.start != p.start {
		return
	}
	if e == 0 {
		_, _, _ = syscall.Syscall6(sysPidfdSendSignal, fd, uintptr(sig), 0, 0, 0, 0)
		return
	}
	_ = syscall.Kill(p.pid, sig)
}
