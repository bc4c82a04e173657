package manifest

import (
	"context"
	"errors"
	"fmt"
)

// Defaults of the exec concurrency limits. A call beyond a limit waits for a slot rather than
// failing at once: a model that gets "busy" retries at once, and a short burst is better
// queued than refused. The wait is bounded by the tool's timeout.
const (
	// DefaultMaxProcesses bounds the programs of all exec tools running at once: a few per
	// core of a typical server, so that a flood of calls queues instead of forking without
	// end (each program costs a process, its memory, two pipes and three goroutines).
	DefaultMaxProcesses = 32
	// defaultToolMaxProcesses bounds the programs of one exec tool running at once, so that
	// one busy (or slow) tool leaves room for the others.
	defaultToolMaxProcesses = 8
)

// errExecBusy is the cause of the context of a wait for a slot that took longer than the
// tool's timeout.
var errExecBusy = errors.New("manifest: exec tool busy")

// execSlots is a counting semaphore: a buffered channel holding one token per program
// running. Tokens are sent to take a slot and received to give it back; it is never closed.
type execSlots chan struct{}

// execLimit is the limit shared by all exec tools of a manifest (--max-processes). Its slots
// are made once the limit is known, before the first call.
type execLimit struct {
	slots execSlots
}

// newExecLimit returns a limit of n programs at once.
func newExecLimit(n int) *execLimit { return &execLimit{slots: make(execSlots, n)} }

// acquire takes a slot of the tool and one of the server, waiting for at most the tool's
// timeout, and returns the function that gives both back. A wait that times out is a busy
// error (for the caller); one ended by ctx returns ctx's cause.
func (x *execTool) acquire(ctx context.Context) (release func(), busy string, err error) {
	wait, cancel := context.WithTimeoutCause(ctx, x.timeout, errExecBusy)
	defer cancel()
	take := func(s execSlots) bool {
		select {
		case s <- struct{}{}:
			return true
		default:
		}
		select {
		case s <- struct{}{}:
			return true
		case <-wait.Done():
			return false
		}
	}
	why := func(what string) (func(), string, error) {
		if ctx.Err() != nil {
			return nil, "", context.Cause(ctx)
		}
		return nil, fmt.Sprintf("%s is busy: %s, and none came free for this call within %v", x.arg0, what, x.timeout), nil
	}
	if !take(x.slots) {
		return why(fmt.Sprintf("all %d of its slots are taken (exec.maxProcesses)", cap(x.slots)))
	}
	total := x.limit.slots
	if !take(total) {
		<-x.slots
		return why(fmt.Sprintf("all %d program slots of the server are taken (--max-processes)", cap(total)))
	}
	return func() { <-total; <-x.slots }, "", nil
}
