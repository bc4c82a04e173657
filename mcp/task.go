package mcp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: tasks (the io.modelcontextprotocol/tasks extension, SEP-2663).

A tool call that takes minutes is answered at once with a task handle (CreateTaskResult) and
its result is fetched later with tasks/get, from any replica. Creation is server-directed: the
client only declares the extension in the _meta of its request, and the server decides per
call. Here the decision is the handler's: a tool declares with [Tool.TaskSupport] that its
calls may (TaskOptional) or must (TaskRequired) run as tasks, and its handler calls
[Request.RunTask] where the asynchronous part begins. Before that point the handler runs in
the request, and may ask the client for input with multi round-trip requests; from that point
the work runs on a goroutine of the server, and the request is answered with the task
(SEP-2663, Composition with Multi Round-Trip Requests: servers "SHOULD resolve all MRTR
exchanges synchronously before responding with a CreateTaskResult"). [TaskHandler] wraps a
handler whose whole work is the task.

The record of a task lives in a [TaskStore] (ServerOptions.TaskStore; in memory by default),
written before the CreateTaskResult goes out, so that a tasks/get on any replica finds it. The
replica that runs the task owns two goroutines for it, both tracked by the server and stopped
by [Server.Shutdown]: the worker runs the handler, and the supervisor that started it renews
the runner's lease in the store every third of ServerOptions.TaskLease, watches for a
cancellation recorded by another replica, and writes the final state when the worker returns.

What can end a task, and the status it ends in:

  - the handler returns a result (a tool error with isError included): completed, the result
    inlined in tasks/get ("This includes tool calls that returned results with isError: true");
  - the handler returns a JSON-RPC error (*rpc.Error, a *CapabilityError) or panics: failed,
    with the error ("failed: The request failed due to a JSON-RPC error during execution");
    any other error is a tool error, completed with isError, as in a call without a task;
  - tasks/cancel: the handler's context is cancelled at once on the replica that runs it, and
    within a lease renewal on another; a handler that then returns an error ends cancelled, one
    that returns a result anyway ends completed ("MAY ultimately reach a terminal status other
    than cancelled if the work finished before cancellation could take effect");
  - the TTL passes: the context is cancelled and the task fails, then is forgotten ("servers
    MAY mark a task as failed at any point after the TTL elapses, and subsequently delete it");
  - Server.Shutdown: the context is cancelled and the task fails with "the server shut down",
    written to the store so that other replicas report it at once;
  - the runner dies (its process killed, its host lost): nothing writes, the lease lapses,
    and the next tasks/get on any replica finds a task that is not terminal past its lease
    and fails it, with an error saying so. A task is never "working" for ever. A runner that
    cannot renew its lease (the store unreachable) cancels its own handler once the lease it
    holds runs out, since its result could no longer be told.

Input inside a task uses the asks of [Request] (Elicit, CreateMessage, ListRoots, Ask): the
asks are recorded as the task's inputRequests and its status becomes input_required; the client
reads them with tasks/get and answers with tasks/update, which moves each answered key out of
inputRequests (the task is working again once none is left); the handler, waiting in its ask,
takes the answers: at once when tasks/update arrives at the replica that runs it, else within
the task's poll interval. Keys are unique over the task's life ("A server MUST NOT reuse a key").

The experimental tasks of 2025-11-25 are not served (tasks/* are unknown methods there, and a
task tool runs in the request for those clients): SEP-2663 removes them from the core and
calls them "not wire-compatible" with the extension, so they would be a second protocol
(a task parameter on the request, a blocking tasks/result, tasks/list); tasks/list needs tasks
listed by caller, which a store keyed by id does not do and which SEP-2663 drops as unsafe;
and their input_required relies on server-to-client requests on the session's stream, which
ties a task to one replica, the thing the store is there to avoid.
*/

// TasksExtension is the identifier of the tasks extension (SEP-2663), under which a client
// declares it in the extensions of its per-request capabilities, and the server in those of
// server/discover.
const TasksExtension = "io.modelcontextprotocol/tasks"

// Defaults of the task options of [ServerOptions].
const (
	// DefaultTaskTTL is how long a task is kept after its creation, its result included.
	DefaultTaskTTL = time.Hour
	// DefaultTaskPollInterval is the polling interval suggested to clients.
	DefaultTaskPollInterval = time.Second
	// DefaultTaskLease is how long a task outlives a runner that stopped renewing its lease
	// before it is reported failed.
	DefaultTaskLease = 30 * time.Second
	// DefaultMaxTasks bounds the tasks running at once on one server, each a goroutine and
	// whatever its handler holds.
	DefaultMaxTasks = 1000
	// DefaultMaxTaskResultBytes bounds the encoded result a task keeps: with the default store's
	// 10 × DefaultMaxTasks records, at most 40 GiB in the worst case, and far less in practice
	// since most results are small; lower it with many tasks and a small heap.
	DefaultMaxTaskResultBytes = 4 << 20
)

// TaskSupport says whether the calls of a tool may run as tasks (SEP-2663). It is declared
// when the tool is registered ([Tool.TaskSupport]) and is not sent to clients: the extension
// lets the server decide per call.
type TaskSupport string

// The kinds of task support.
const (
	// TaskForbidden, the zero value: the tool's calls never run as tasks; [Request.RunTask]
	// runs its function in the request.
	TaskForbidden TaskSupport = ""
	// TaskOptional: a call runs as a task where its handler calls [Request.RunTask] and the
	// client declared the extension; otherwise RunTask runs the work in the request.
	TaskOptional TaskSupport = "optional"
	// TaskRequired: as TaskOptional, but a 2026-07-28 call from a client that did not declare
	// the extension is refused before the handler runs, with -32021 naming it (SEP-2663,
	// Capability Negotiation: "If a server is unable to service a request to a client that
	// does not declare this extension capability without returning CreateTaskResult, the
	// server MUST return an error with the code -32021"). Clients of 2025 revisions, to which
	// the extension does not apply, get the call run in the request.
	TaskRequired TaskSupport = "required"
)

// TaskFunc is the work of a task: it runs on a goroutine of the server, with a context that
// ends when the task is cancelled, expires or the server shuts down, and a [Request] that
// stands for the call (same method, params and client) whose asks go to the task's
// inputRequests. Errors are reported as for [ToolHandler].
type TaskFunc func(ctx context.Context, req *Request) (*CallToolResult, error)

// ErrTaskStarted is returned by [Request.RunTask] when the call became a task: the handler
// returns it as it is (the call is then answered with the CreateTaskResult whatever the
// handler returns).
var ErrTaskStarted = errors.New("mcp: the call continues as a task: return this error; the client gets the task")

// codeServerError is JSON-RPC's first implementation-defined server error (JSON-RPC 2.0 §5.1).
const codeServerError int64 = -32000

// ErrServerShutdown is the cause of the context of a task stopped by [Server.Shutdown], and is
// returned by [Request.RunTask] once Shutdown has begun.
var ErrServerShutdown = errors.New("mcp: the server is shutting down")

// Causes with which a task's context ends.
var (
	errTaskCancelled = errors.New("mcp: task cancelled by the client (tasks/cancel)")
	errTaskExpired   = errors.New("mcp: task expired: its ttl passed before it finished")
	errLeaseLost     = errors.New("mcp: the task's lease ran out: the task store could not be reached to renew it")
)

// TaskHandler returns a handler that runs all of h as a task (see [Request.RunTask]) for the
// tools that declare [Tool.TaskSupport].
func TaskHandler(h ToolHandler) ToolHandler {
	return func(ctx context.Context, req *Request, args json.RawMessage) (*CallToolResult, error) {
		if req.task == nil && req.taskable() {
			// args point into the request's buffer, which the transport reuses once the
			// request is answered, while the task still runs.
			args = bytes.Clone(args)
		}
		return req.RunTask(ctx, func(ctx context.Context, t *Request) (*CallToolResult, error) {
			return h(ctx, t, args)
		})
	}
}

// RunTask runs fn as a task when the call may become one: a tools/call at 2026-07-28 whose
// client declared [TasksExtension], of a tool that declares [Tool.TaskSupport]. It then
// creates the task in the task store, starts fn on a goroutine of the server and returns
// [ErrTaskStarted], which the handler returns; the client gets the CreateTaskResult. Otherwise
// (and inside a task) it runs fn(ctx, req) and returns what fn returns.
//
// It fails with a JSON-RPC error -32000 whose message holds the text of [ErrTaskLimit] or
// [ErrPrincipalTaskLimit] when as many tasks run as ServerOptions.MaxTasks and
// MaxTasksPerPrincipal allow or the store is full, or that of [ErrServerShutdown] once Shutdown
// began; and with -32603 when the store fails. Call it at most once per request. fn runs after
// the request is answered, when the buffer it was read from is reused: the Request fn gets has
// its own copy of the params, but a raw argument the handler was given must be copied before
// fn uses it ([TaskHandler] does). A typed tool
// ([AddTool]) uses it with Out of type *CallToolResult, and returns what it returns.
func (r *Request) RunTask(ctx context.Context, fn TaskFunc) (*CallToolResult, error) {
	if fn == nil {
		panic("mcp: RunTask with a nil function")
	}
	if r.isDone() {
		return nil, ErrRequestDone
	}
	if r.task != nil || !r.taskable() {
		return fn(ctx, r)
	}
	if r.createdTask != nil {
		return nil, errors.New("mcp: RunTask called twice for one request")
	}
	rec, err := r.srv.startTask(ctx, r, fn)
	if err != nil {
		if errors.Is(err, ErrTaskLimit) || errors.Is(err, ErrPrincipalTaskLimit) || errors.Is(err, ErrServerShutdown) {
			// A refusal of the server, not a failure of the tool: -32000, the first code
			// of JSON-RPC's range for server errors (JSON-RPC 2.0 §5.1), as the transports
			// answer their own refusals.
			return nil, rpc.NewError(codeServerError, "Server error: "+err.Error())
		}
		return nil, rpc.Errorf(rpc.CodeInternalError, "Internal error: creating the task: %v", err)
	}
	r.createdTask = rec
	return nil, ErrTaskStarted
}

// TaskID returns the id of the task the request runs in, "" outside a task.
func (r *Request) TaskID() string {
	if r.task == nil {
		return ""
	}
	return r.task.id
}

// taskable reports whether r may become a task (see RunTask).
func (r *Request) taskable() bool {
	return r.modern() && r.Method == MethodToolsCall && r.tool != nil &&
		r.tool.tool.TaskSupport != TaskForbidden && declaresTasks(r.state)
}

// declaresTasks reports whether the client declared the tasks extension in the request's
// capabilities (SEP-2663, Capability Negotiation: "A server MUST NOT return CreateTaskResult to
// a client that did not include the extension capability on its request, regardless of prior
// declarations").
func declaresTasks(st *SessionState) bool {
	_, ok := st.ClientCapabilities.Extensions[TasksExtension]
	return ok
}

// tasksRequired is the error for a request that needs the client to declare the extension.
func tasksRequired(method string) *CapabilityError {
	return &CapabilityError{Capability: "extensions", Extension: TasksExtension, Method: method}
}

// taskHost is what a server keeps of the tasks it runs.
type taskHost struct {
	store TaskStore

	mu sync.Mutex
	// running maps the ids of the tasks this server runs to their runners; guarded by mu.
	running map[string]*taskRun
	// reserved counts the running tasks and those being created, in all and per principal;
	// guarded by mu.
	reserved  int
	principal map[string]int
	// stopping is set by Shutdown; guarded by mu.
	stopping bool
	// stop is closed by Shutdown (once, under mu) to stop every runner.
	stop chan struct{}
	// wg counts the supervisors; each waits for its worker.
	wg sync.WaitGroup
	// changed is closed by bump, under mu, at the next change this server makes to a task,
	// for FollowTasks; nil until someone waits.
	changed chan struct{}
}

// taskRun is the runner of one task on this server.
type taskRun struct {
	srv       *Server
	id        string
	principal string
	pollEvery time.Duration
	cancel    context.CancelCauseFunc

	mu sync.Mutex
	// changed is closed, and replaced, when the task's record may hold new answers; guarded
	// by mu.
	changed chan struct{}
	// keys are the inputRequests keys used so far; guarded by mu.
	keys map[string]bool
}

// notify wakes the asks waiting for answers.
func (t *taskRun) notify() {
	t.mu.Lock()
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
}

// newTaskID returns 128 random bits as a UUID (version 4), unguessable.
func newTaskID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// startTask creates r's task in the store and starts its runner.
func (s *Server) startTask(ctx context.Context, r *Request, fn TaskFunc) (*TaskRecord, error) {
	h := &s.tasks
	h.mu.Lock()
	switch {
	case h.stopping:
		h.mu.Unlock()
		return nil, ErrServerShutdown
	case r.principal != "" && s.opts.MaxTasksPerPrincipal > 0 && h.principal[r.principal] >= s.opts.MaxTasksPerPrincipal:
		h.mu.Unlock()
		return nil, ErrPrincipalTaskLimit
	case h.reserved >= s.opts.MaxTasks:
		h.mu.Unlock()
		return nil, ErrTaskLimit
	}
	h.reserved++
	h.principal[r.principal]++
	h.wg.Add(1)
	h.mu.Unlock()

	now := time.Now()
	rec := &TaskRecord{
		ID:           newTaskID(),
		Principal:    r.principal,
		Status:       TaskWorking,
		Created:      now,
		Updated:      now,
		TTL:          s.opts.TaskTTL,
		PollInterval: s.opts.TaskPollInterval,
		LeaseUntil:   now.Add(s.opts.TaskLease),
	}
	if err := h.store.Create(ctx, rec); err != nil {
		h.release(r.principal, "")
		h.wg.Done()
		return nil, err
	}
	tctx, cancel := context.WithCancelCause(context.Background())
	tctx, cancelDeadline := context.WithDeadlineCause(tctx, rec.Expires(), errTaskExpired)
	run := &taskRun{srv: s, id: rec.ID, principal: r.principal, pollEvery: rec.PollInterval,
		cancel: cancel, changed: make(chan struct{})}
	// The params are copied: the transport reuses the request's buffer once it is answered.
	tr := &Request{ID: r.ID, Method: r.Method, Params: bytes.Clone(r.Params), srv: s, state: r.state,
		principal: r.principal, in: r.in, tool: r.tool, task: run}
	h.mu.Lock()
	h.running[rec.ID] = run
	h.mu.Unlock()
	go func() {
		defer h.wg.Done()
		defer h.release(r.principal, rec.ID)
		defer cancelDeadline()
		defer cancel(context.Canceled)
		run.supervise(tctx, tr, fn)
	}()
	return rec, nil
}

// release gives back what a task held; id is "" for one never started.
func (h *taskHost) release(principal, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reserved--
	if n := h.principal[principal] - 1; n > 0 {
		h.principal[principal] = n
	} else {
		delete(h.principal, principal)
	}
	if id != "" {
		delete(h.running, id)
	}
}

// local returns the runner of task id if this server runs it.
func (h *taskHost) local(id string) *taskRun {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.running[id]
}

// taskOutcome is what the handler of a task returned.
type taskOutcome struct {
	res *CallToolResult
	err error
}

// supervise runs the task's worker and, until it returns, keeps the lease and watches for
// cancellation and shutdown; then it writes the final state.
func (t *taskRun) supervise(ctx context.Context, req *Request, fn TaskFunc) {
	s := t.srv
	out := make(chan taskOutcome, 1)
	go func() { out <- t.work(ctx, req, fn) }()
	lease := s.opts.TaskLease
	renew := time.NewTicker(max(lease/3, time.Millisecond))
	defer renew.Stop()
	stop := s.tasks.stop
	heldUntil := time.Now().Add(lease)
	for {
		select {
		case o := <-out:
			t.finish(ctx, req, o)
			return
		case <-stop:
			t.cancel(ErrServerShutdown)
			stop = nil
		case <-renew.C:
			now := time.Now()
			rec, err := t.update(func(rec *TaskRecord) error {
				rec.LeaseUntil = now.Add(lease)
				return nil
			})
			switch {
			case errors.Is(err, ErrTaskNotFound):
				t.cancel(errTaskExpired)
			case errors.Is(err, errTaskOver):
				// A reader found the lease lapsed (this process stalled past it) and failed
				// the task: whatever the handler returns now could not be told.
				t.cancel(errLeaseLost)
			case err != nil:
				s.logger().Warn("mcp: renewing a task's lease", "task", t.id, "err", err)
				if !now.Before(heldUntil) {
					t.cancel(errLeaseLost)
				}
			default:
				heldUntil = rec.LeaseUntil
				if rec.CancelRequested {
					t.cancel(errTaskCancelled)
				}
				t.notify() // answers may have come through another replica
			}
		}
	}
}

// errTaskOver stops an update of a task already terminal.
var errTaskOver = errors.New("mcp: the task is over")

// update applies fn to the task's record unless it is terminal, bounded by a lease: a write
// that takes longer could not keep the task alive anyway.
func (t *taskRun) update(fn func(*TaskRecord) error) (*TaskRecord, error) {
	ctx, cancel := context.WithTimeout(context.Background(), t.srv.opts.TaskLease)
	defer cancel()
	rec, err := t.srv.tasks.store.Update(ctx, t.id, func(rec *TaskRecord) error {
		if rec.Status.Terminal() {
			return errTaskOver
		}
		return fn(rec)
	})
	if err == nil {
		t.srv.tasks.bump()
	}
	return rec, err
}

// work runs the task's function, recovering a panic into an internal error as the dispatch
// boundary does for requests.
func (t *taskRun) work(ctx context.Context, req *Request, fn TaskFunc) (o taskOutcome) {
	defer func() {
		req.setFlag(flagDone)
		if p := recover(); p != nil {
			t.srv.logger().Error("mcp: task handler panicked", "task", t.id, "panic", p, "stack", string(debug.Stack()))
			o = taskOutcome{err: rpc.Errorf(rpc.CodeInternalError, "Internal error: the tool panicked: %v", p)}
		}
	}()
	res, err := fn(ctx, req)
	return taskOutcome{res: res, err: err}
}

// finish writes the task's final state (see the design note for which).
func (t *taskRun) finish(ctx context.Context, req *Request, o taskOutcome) {
	s := t.srv
	var (
		status  = TaskCompleted
		message string
		result  json.RawMessage
		rerr    *rpc.Error
	)
	cause := context.Cause(ctx)
	if ctx.Err() == nil {
		cause = nil
	}
	switch {
	case o.err == nil:
		res := o.res
		if res == nil {
			res = &CallToolResult{}
		}
		if e := req.tool; e != nil && e.output != nil && !res.IsError {
			if err := checkStructured(e.tool.Name, e.output, res.StructuredContent); err != nil {
				errors.As(err, &rerr)
				break
			}
		}
		raw, err := s.modernResult(req, res)
		if err != nil {
			rerr = rpc.Errorf(rpc.CodeInternalError, "Internal error: encoding the result: %v", err)
			break
		}
		result = raw
	case errors.Is(cause, errTaskCancelled):
		status, message = TaskCancelled, "The task was cancelled by the client."
	case cause != nil && !errors.Is(cause, context.Canceled):
		rerr = rpc.NewError(rpc.CodeInternalError, "Internal error: "+cause.Error())
	default:
		var ce *CapabilityError
		switch {
		case errors.As(o.err, &rerr):
		case errors.As(o.err, &ce):
			rerr = ce.rpcError()
		default:
			// A tool error, reported in the result as without a task.
			raw, err := s.modernResult(req, ErrorResult(o.err.Error()))
			if err != nil {
				rerr = rpc.Errorf(rpc.CodeInternalError, "Internal error: encoding the result: %v", err)
				break
			}
			result = raw
		}
	}
	if max := s.opts.MaxTaskResultBytes; len(result) > max {
		// Kept until the TTL passes, in a store that may be shared: bounded like a request.
		rerr = rpc.Errorf(rpc.CodeInternalError, "Internal error: the task's result is %d bytes, more than the %d a task may keep", len(result), max)
		result = nil
	}
	var errObj json.RawMessage
	if rerr != nil {
		status = TaskFailed
		if message == "" {
			message = rerr.Message
		}
		errObj, _ = json.Marshal(rerr) // an rpc.Error always encodes
	}
	now := time.Now()
	_, err := t.update(func(rec *TaskRecord) error {
		rec.Status, rec.StatusMessage, rec.Updated = status, message, now
		rec.Result, rec.Error = result, errObj
		rec.InputRequests, rec.InputResponses = nil, nil
		rec.LeaseUntil = time.Time{}
		return nil
	})
	if err != nil && !errors.Is(err, errTaskOver) && !errors.Is(err, ErrTaskNotFound) {
		s.logger().Error("mcp: recording a task's end", "task", t.id, "status", status, "err", err)
	}
}

// ask records asks as the task's inputRequests and waits for the client's answers, which
// tasks/update delivers (see the design note).
func (t *taskRun) ask(ctx context.Context, r *Request, keys, methods []string, asks map[string]InputRequest) (map[string]InputResponse, error) {
	t.mu.Lock()
	for _, k := range keys {
		if t.keys[k] {
			t.mu.Unlock()
			// SEP-2663, Task Update Requests: "A server MUST NOT reuse a key for a
			// subsequent server-to-client request after a response for that key has been
			// delivered".
			return nil, fmt.Errorf("mcp: input key %q was used before in this task; keys must be unique over a task's life", k)
		}
	}
	if t.keys == nil {
		t.keys = make(map[string]bool, len(keys))
	}
	for _, k := range keys {
		t.keys[k] = true
	}
	t.mu.Unlock()
	encoded := make(map[string]json.RawMessage, len(keys))
	for i, k := range keys {
		q := asks[k]
		b, err := encodeInputRequest(methods[i], q.params(r.state.ProtocolVersion))
		if err != nil {
			return nil, err
		}
		encoded[k] = b
	}
	now := time.Now()
	if _, err := t.update(func(rec *TaskRecord) error {
		if rec.InputRequests == nil {
			rec.InputRequests = make(map[string]json.RawMessage, len(encoded))
		}
		for k, b := range encoded {
			rec.InputRequests[k] = b
		}
		rec.Status, rec.StatusMessage, rec.Updated = TaskInputRequired, "Waiting for input from the client.", now
		return nil
	}); err != nil {
		return nil, err
	}
	poll := time.NewTicker(t.pollEvery)
	defer poll.Stop()
	store := t.srv.tasks.store
	for {
		t.mu.Lock()
		changed := t.changed
		t.mu.Unlock()
		rec, err := store.Get(ctx, t.id)
		if err != nil {
			return nil, err
		}
		answered := 0
		for _, k := range keys {
			if _, ok := rec.InputResponses[k]; ok {
				answered++
			}
		}
		if answered == len(keys) {
			out := make(map[string]InputResponse, len(keys))
			for i, k := range keys {
				q := asks[k]
				resp, err := q.decode(rec.InputResponses[k])
				if err != nil {
					return nil, rpc.InvalidParams("inputResponses[%q] is not a valid answer to %s: %v", k, methods[i], err)
				}
				out[k] = resp
			}
			if _, err := t.update(func(rec *TaskRecord) error {
				for _, k := range keys {
					delete(rec.InputResponses, k)
				}
				return nil
			}); err != nil {
				return nil, err
			}
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-changed:
		case <-poll.C:
		}
	}
}

// encodeInputRequest encodes an InputRequests value: a request object, params and all (MCP
// 2026-07-28, Basic § Multi Round-Trip Requests, InputRequests: "values are request objects").
func encodeInputRequest(method string, p any) (json.RawMessage, error) {
	params := []byte(`{}`)
	if p != nil {
		var err error
		if params, err = json.Marshal(p); err != nil {
			return nil, fmt.Errorf("mcp: encoding the params of %s: %w", method, err)
		}
	}
	b := append([]byte(`{"method":`), jsontext.AppendString(nil, method)...)
	b = append(b, `,"params":`...)
	b = append(b, params...)
	b = append(b, '}')
	return b, nil
}

// Shutdown stops the tasks this server runs: their handlers' contexts are cancelled with
// [ErrServerShutdown], and each task is recorded failed ("the server shut down") unless its
// handler finishes first; no task starts afterwards. It returns once every task goroutine has
// exited, or with ctx's error when ctx ends first (the goroutines then still exit as their
// handlers return). It is safe to call more than once. Requests are the transports' to stop.
func (s *Server) Shutdown(ctx context.Context) error {
	h := &s.tasks
	h.mu.Lock()
	if !h.stopping {
		h.stopping = true
		close(h.stop)
	}
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RunningTasks returns the number of tasks this server runs.
func (s *Server) RunningTasks() int {
	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	return len(s.tasks.running)
}

// offersTasks reports whether a registered tool declares task support, for the capability.
func (s *Server) offersTasks() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, e := range s.tools.byKey {
		if e.tool.TaskSupport != TaskForbidden {
			return true
		}
	}
	return false
}

// initTasks fills in the task options' defaults and the task store.
func (s *Server) initTasks() {
	o := &s.opts
	if o.TaskTTL <= 0 {
		o.TaskTTL = DefaultTaskTTL
	}
	if o.TaskPollInterval <= 0 {
		o.TaskPollInterval = DefaultTaskPollInterval
	}
	if o.TaskLease <= 0 {
		o.TaskLease = DefaultTaskLease
	}
	if o.MaxTasks <= 0 {
		o.MaxTasks = DefaultMaxTasks
	}
	if o.MaxTasksPerPrincipal == 0 {
		o.MaxTasksPerPrincipal = max(o.MaxTasks/10, 1)
	}
	if o.MaxTaskResultBytes <= 0 {
		o.MaxTaskResultBytes = DefaultMaxTaskResultBytes
	}
	h := &s.tasks
	h.store = o.TaskStore
	if h.store == nil {
		h.store = &MemoryTaskStore{Max: 10 * o.MaxTasks}
	}
	h.running = make(map[string]*taskRun)
	h.principal = make(map[string]int)
	h.stop = make(chan struct{})
}
