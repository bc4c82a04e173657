package mcp_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
)

// tasksMeta is the _meta of a 2026-07-28 client that declares the tasks extension and
// elicitation; noTasksMeta of one that declares nothing.
const (
	tasksMeta   = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{},"extensions":{"io.modelcontextprotocol/tasks":{}}}}`
	noTasksMeta = `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}`
)

// taskServer is a server whose tools run as tasks: job waits for release (or its context),
// quick answers at once, must needs a task, ask and pair ask the client inside the task, boom
// panics, fails returns a tool error, plain declares no task support.
type taskServer struct {
	*mcp.Server
	release chan struct{}
	// cause is the cause of the context of the last job that ended by it.
	cause atomic.Pointer[error]
}

func newTaskServer(opts *mcp.ServerOptions) *taskServer {
	if opts == nil {
		opts = &mcp.ServerOptions{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ts := &taskServer{Server: mcp.NewServer(nil, opts), release: make(chan struct{})}
	s := ts.Server
	s.AddRawTool(&mcp.Tool{Name: "job", TaskSupport: mcp.TaskOptional},
		mcp.TaskHandler(func(ctx context.Context, _ *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			select {
			case <-ts.release:
				return mcp.TextResult("done"), nil
			case <-ctx.Done():
				err := context.Cause(ctx)
				ts.cause.Store(&err)
				return nil, err
			}
		}))
	quick := mcp.TaskHandler(func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) {
		return mcp.TextResult("quick"), nil
	})
	s.AddRawTool(&mcp.Tool{Name: "quick", TaskSupport: mcp.TaskOptional}, quick)
	s.AddRawTool(&mcp.Tool{Name: "must", TaskSupport: mcp.TaskRequired}, quick)
	s.AddRawTool(&mcp.Tool{Name: "plain"}, quick)
	s.AddRawTool(&mcp.Tool{Name: "boom", TaskSupport: mcp.TaskOptional},
		mcp.TaskHandler(func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) {
			panic("boom")
		}))
	s.AddRawTool(&mcp.Tool{Name: "fails", TaskSupport: mcp.TaskOptional},
		mcp.TaskHandler(func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) {
			return nil, errors.New("it went wrong")
		}))
	schema := json.RawMessage(`{"type":"object","properties":{"ok":{"type":"boolean"}}}`)
	s.AddRawTool(&mcp.Tool{Name: "ask", TaskSupport: mcp.TaskOptional},
		mcp.TaskHandler(func(ctx context.Context, req *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			res, err := req.Elicit(ctx, &mcp.ElicitParams{Message: "sure?", RequestedSchema: schema})
			if err != nil {
				return nil, err
			}
			return mcp.TextResult("answer: " + res.Action), nil
		}))
	s.AddRawTool(&mcp.Tool{Name: "pair", TaskSupport: mcp.TaskOptional},
		mcp.TaskHandler(func(ctx context.Context, req *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			got, err := req.Ask(ctx, map[string]mcp.InputRequest{
				"a": {Elicit: &mcp.ElicitParams{Message: "a?", RequestedSchema: schema}},
				"b": {Elicit: &mcp.ElicitParams{Message: "b?", RequestedSchema: schema}},
			})
			if err != nil {
				return nil, err
			}
			return mcp.TextResult(got["a"].Elicit.Action + "+" + got["b"].Elicit.Action), nil
		}))
	return ts
}

// rpcReply is a decoded reply, result and error as maps.
type rpcReply struct {
	Result map[string]any `json:"result"`
	Error  *struct {
		Code    int64          `json:"code"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data"`
	} `json:"error"`
}

// send handles one request of method with params (an object's members, _meta included).
func send(t *testing.T, s *mcp.Server, principal, method, params string) rpcReply {
	t.Helper()
	got := handleOne(t, s, modernIn(principal), `{"jsonrpc":"2.0","id":7,"method":"`+method+`","params":{`+params+`}}`)
	var r rpcReply
	require.NoError(t, json.Unmarshal([]byte(got), &r), got)
	return r
}

// startTask calls tool and returns the id of the task it created.
func startTask(t *testing.T, s *mcp.Server, principal, tool string) string {
	t.Helper()
	r := send(t, s, principal, "tools/call", `"name":"`+tool+`","arguments":{},`+tasksMeta)
	require.Nil(t, r.Error)
	require.Equal(t, "task", r.Result["resultType"], r.Result)
	id, _ := r.Result["taskId"].(string)
	require.NotEmpty(t, id)
	return id
}

// getTask answers tasks/get of id.
func getTask(t *testing.T, s *mcp.Server, principal, id string) rpcReply {
	t.Helper()
	return send(t, s, principal, "tasks/get", `"taskId":"`+id+`",`+tasksMeta)
}

func shutdownTasks(t *testing.T, s *mcp.Server) {
	t.Helper()
	require.NoError(t, s.Shutdown(context.Background()))
	assert.Zero(t, s.RunningTasks())
}

// TestTaskLifecycle: a task-augmented tools/call answers a flat CreateTaskResult at once
// (SEP-2663, Task Creation), durably created (tasks/get finds it at once), working until its
// handler returns; then tasks/get inlines the tool's result, resultType "complete" on the
// DetailedTask and on the result.
func TestTaskLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTaskServer(nil)
		defer shutdownTasks(t, ts.Server)
		r := send(t, ts.Server, "", "tools/call", `"name":"job","arguments":{},`+tasksMeta)
		require.Nil(t, r.Error)
		res := r.Result
		assert.Equal(t, "task", res["resultType"])
		assert.Equal(t, "working", res["status"])
		assert.EqualValues(t, mcp.DefaultTaskTTL.Milliseconds(), res["ttlMs"])
		assert.EqualValues(t, mcp.DefaultTaskPollInterval.Milliseconds(), res["pollIntervalMs"])
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, res["createdAt"])
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, res["lastUpdatedAt"])
		for _, k := range []string{"task", "result", "error", "inputRequests", "requestState", "ttl", "pollInterval"} {
			assert.NotContains(t, res, k)
		}
		id := res["taskId"].(string)
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)

		g := getTask(t, ts.Server, "", id)
		require.Nil(t, g.Error)
		assert.Equal(t, "complete", g.Result["resultType"])
		assert.Equal(t, "working", g.Result["status"])
		assert.Equal(t, id, g.Result["taskId"])
		assert.NotContains(t, g.Result, "result")

		close(ts.release)
		synctest.Wait()
		g = getTask(t, ts.Server, "", id)
		require.Nil(t, g.Error)
		assert.Equal(t, "completed", g.Result["status"])
		inline, _ := g.Result["result"].(map[string]any)
		require.NotNil(t, inline, g.Result)
		assert.Equal(t, "complete", inline["resultType"])
		assert.Equal(t, []any{map[string]any{"type": "text", "text": "done"}}, inline["content"])
		assert.NotContains(t, g.Result, "error")
		assert.Zero(t, ts.RunningTasks())
	})
}

// TestTaskOutcomes: a tool error completes the task with isError; a panic fails it with a
// JSON-RPC error and no result (SEP-2663, Task Execution Errors).
func TestTaskOutcomes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTaskServer(nil)
		defer shutdownTasks(t, ts.Server)
		fails, boom := startTask(t, ts.Server, "", "fails"), startTask(t, ts.Server, "", "boom")
		synctest.Wait()
		g := getTask(t, ts.Server, "", fails)
		assert.Equal(t, "completed", g.Result["status"])
		assert.Equal(t, true, g.Result["result"].(map[string]any)["isError"])
		g = getTask(t, ts.Server, "", boom)
		assert.Equal(t, "failed", g.Result["status"])
		assert.NotContains(t, g.Result, "result")
		e, _ := g.Result["error"].(map[string]any)
		require.NotNil(t, e, g.Result)
		assert.EqualValues(t, -32603, e["code"])
		assert.Contains(t, e["message"], "boom")
		assert.NotEmpty(t, g.Result["statusMessage"])
	})
}

// TestTaskCancel: tasks/cancel is acknowledged with an empty result, cancels the handler's
// context, and the task ends cancelled; a second cancel, on a terminal task, gets the same ack
// (SEP-2663, Task Cancellation); an unknown id gets -32602.
func TestTaskCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTaskServer(nil)
		defer shutdownTasks(t, ts.Server)
		id := startTask(t, ts.Server, "", "job")
		for range 2 {
			c := send(t, ts.Server, "", "tasks/cancel", `"taskId":"`+id+`",`+tasksMeta)
			require.Nil(t, c.Error)
			assert.Equal(t, "complete", c.Result["resultType"])
			for _, k := range []string{"taskId", "status", "result", "error", "inputRequests"} {
				assert.NotContains(t, c.Result, k)
			}
			synctest.Wait()
			assert.Equal(t, "cancelled", getTask(t, ts.Server, "", id).Result["status"])
		}
		cause := ts.cause.Load()
		require.NotNil(t, cause)
		assert.ErrorContains(t, *cause, "tasks/cancel")

		for _, method := range []string{"tasks/get", "tasks/cancel", "tasks/update"} {
			r := send(t, ts.Server, "", method, `"taskId":"nope","inputResponses":{},`+tasksMeta)
			require.NotNil(t, r.Error, method)
			assert.EqualValues(t, -32602, r.Error.Code, method)
		}
	})
}

// TestTaskPrincipal: a task is visible to the principal that created it only; another gets
// the answer of an unknown id.
func TestTaskPrincipal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTaskServer(nil)
		defer shutdownTasks(t, ts.Server)
		id := startTask(t, ts.Server, "alice", "job")
		require.Nil(t, getTask(t, ts.Server, "alice", id).Error)
		r := getTask(t, ts.Server, "mallory", id)
		require.NotNil(t, r.Error)
		assert.EqualValues(t, -32602, r.Error.Code)
		r = send(t, ts.Server, "mallory", "tasks/cancel", `"taskId":"`+id+`",`+tasksMeta)
		require.NotNil(t, r.Error)
		synctest.Wait()
		assert.Equal(t, "working", getTask(t, ts.Server, "alice", id).Result["status"])
	})
}

// TestTaskCapability: the extension gates everything (SEP-2663, Capability Negotiation): a
// required-task tool without it is -32021 naming the extension, before its handler runs; so
// are the tasks methods; an optional one runs in the request; and a 2025 client, to which the
// extension does not apply, gets even a required one run in the request. server/discover
// advertises the extension, and only at 2026-07-28 are the tasks methods known.
func TestTaskCapability(t *testing.T) {
	ts := newTaskServer(nil)
	defer shutdownTasks(t, ts.Server)
	want := map[string]any{"requiredCapabilities": map[string]any{"extensions": map[string]any{mcp.TasksExtension: map[string]any{}}}}
	r := send(t, ts.Server, "", "tools/call", `"name":"must","arguments":{},`+noTasksMeta)
	require.NotNil(t, r.Error)
	assert.EqualValues(t, mcp.CodeMissingRequiredClientCapability, r.Error.Code)
	assert.Equal(t, want, r.Error.Data)
	for _, method := range []string{"tasks/get", "tasks/update", "tasks/cancel"} {
		r := send(t, ts.Server, "", method, `"taskId":"x","inputResponses":{},`+noTasksMeta)
		require.NotNil(t, r.Error, method)
		assert.EqualValues(t, mcp.CodeMissingRequiredClientCapability, r.Error.Code, method)
		assert.Equal(t, want, r.Error.Data, method)
	}
	for _, tool := range []string{"quick", "plain"} {
		r = send(t, ts.Server, "", "tools/call", `"name":"`+tool+`","arguments":{},`+noTasksMeta)
		require.Nil(t, r.Error)
		assert.Equal(t, "complete", r.Result["resultType"], tool)
		assert.NotContains(t, r.Result, "taskId", tool)
	}
	r = send(t, ts.Server, "", "tools/call", `"name":"plain","arguments":{},`+tasksMeta)
	assert.Equal(t, "complete", r.Result["resultType"], "a tool without task support never becomes a task")

	got := handleOne(t, ts.Server, &mcp.Inbound{ProtocolVersion: mcp.Version20251125},
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"must","arguments":{}}}`)
	assert.JSONEq(t, `{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"quick"}]}}`, got)
	got = handleOne(t, ts.Server, &mcp.Inbound{ProtocolVersion: mcp.Version20251125},
		`{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"taskId":"x"}}`)
	assert.Contains(t, got, `"code":-32601`)
	for _, method := range []string{"tasks/result", "tasks/list"} {
		r := send(t, ts.Server, "", method, `"taskId":"x",`+tasksMeta)
		require.NotNil(t, r.Error, method)
		assert.EqualValues(t, -32601, r.Error.Code, method)
	}

	d := send(t, ts.Server, "", "server/discover", tasksMeta)
	caps, _ := d.Result["capabilities"].(map[string]any)
	assert.Equal(t, map[string]any{mcp.TasksExtension: map[string]any{}}, caps["extensions"])
	bare := mcp.NewServer(nil, nil)
	d = send(t, bare, "", "server/discover", tasksMeta)
	assert.NotContains(t, d.Result["capabilities"], "extensions", "no tool declares task support")
}

// TestTaskInput: asks inside a task become its inputRequests (status input_required);
// tasks/update acks, ignores keys not outstanding, takes answers one at a time (the answered
// key leaves inputRequests, the task stays input_required until none is left), and the handler
// resumes with them (SEP-2663, Task Update Requests).
func TestTaskInput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTaskServer(nil)
		defer shutdownTasks(t, ts.Server)
		update := func(id, responses string) {
			t.Helper()
			r := send(t, ts.Server, "", "tasks/update", `"taskId":"`+id+`","inputResponses":`+responses+`,`+tasksMeta)
			require.Nil(t, r.Error)
			assert.Equal(t, "complete", r.Result["resultType"])
			assert.NotContains(t, r.Result, "status")
			synctest.Wait()
		}
		accept := `{"action":"accept","content":{"ok":true}}`

		id := startTask(t, ts.Server, "", "ask")
		synctest.Wait()
		g := getTask(t, ts.Server, "", id)
		assert.Equal(t, "input_required", g.Result["status"])
		reqs, _ := g.Result["inputRequests"].(map[string]any)
		require.Len(t, reqs, 1, g.Result)
		q, _ := reqs["elicitation-1"].(map[string]any)
		require.NotNil(t, q, reqs)
		assert.Equal(t, "elicitation/create", q["method"])
		assert.Equal(t, "sure?", q["params"].(map[string]any)["message"])

		update(id, `{"unknown":{"ignored":true}}`)
		assert.Equal(t, "input_required", getTask(t, ts.Server, "", id).Result["status"])
		r := send(t, ts.Server, "", "tasks/update", `"taskId":"`+id+`","inputResponses":{"elicitation-1":12},`+tasksMeta)
		require.NotNil(t, r.Error, "an answer that is not a result")
		assert.EqualValues(t, -32602, r.Error.Code)
		update(id, `{"elicitation-1":`+accept+`}`)
		g = getTask(t, ts.Server, "", id)
		assert.Equal(t, "completed", g.Result["status"])
		assert.Equal(t, "answer: accept", g.Result["result"].(map[string]any)["content"].([]any)[0].(map[string]any)["text"])

		id = startTask(t, ts.Server, "", "pair")
		synctest.Wait()
		g = getTask(t, ts.Server, "", id)
		assert.Len(t, g.Result["inputRequests"], 2)
		update(id, `{"a":`+accept+`}`)
		g = getTask(t, ts.Server, "", id)
		assert.Equal(t, "input_required", g.Result["status"])
		assert.Equal(t, []string{"b"}, keysOf(g.Result["inputRequests"]))
		update(id, `{"a":`+accept+`}`) // already answered: ignored
		update(id, `{"b":{"action":"decline"}}`)
		g = getTask(t, ts.Server, "", id)
		assert.Equal(t, "completed", g.Result["status"])
		assert.Equal(t, "accept+decline", g.Result["result"].(map[string]any)["content"].([]any)[0].(map[string]any)["text"])
	})
}

func keysOf(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestTaskTTL: a task stays readable for its whole ttl; then its handler is stopped and it is
// forgotten (SEP-2663: "servers MAY mark a task as failed at any point after the TTL elapses,
// and subsequently delete it").
func TestTaskTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTaskServer(&mcp.ServerOptions{TaskTTL: time.Minute})
		defer shutdownTasks(t, ts.Server)
		id := startTask(t, ts.Server, "", "job")
		time.Sleep(time.Minute - time.Millisecond)
		synctest.Wait()
		g := getTask(t, ts.Server, "", id)
		require.Nil(t, g.Error, "not a millisecond early")
		assert.Equal(t, "working", g.Result["status"])
		assert.EqualValues(t, 60000, g.Result["ttlMs"])
		time.Sleep(time.Millisecond)
		synctest.Wait()
		g = getTask(t, ts.Server, "", id)
		require.NotNil(t, g.Error)
		assert.EqualValues(t, -32602, g.Error.Code)
		cause := ts.cause.Load()
		require.NotNil(t, cause)
		assert.ErrorContains(t, *cause, "ttl")
		assert.Zero(t, ts.RunningTasks())
	})
}

// TestTaskBounds: MaxTasks and MaxTasksPerPrincipal bound the running tasks (an authenticated
// principal has its own share; anonymous calls share MaxTasks); beyond them a call that would
// start one gets -32000; a task that ends frees its place. The memory store's own cap refuses
// the same way.
func TestTaskBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTaskServer(&mcp.ServerOptions{MaxTasks: 3, MaxTasksPerPrincipal: 1})
		defer shutdownTasks(t, ts.Server)
		refused := func(principal, msg string) {
			t.Helper()
			r := send(t, ts.Server, principal, "tools/call", `"name":"job","arguments":{},`+tasksMeta)
			require.NotNil(t, r.Error)
			assert.EqualValues(t, -32000, r.Error.Code)
			assert.Contains(t, r.Error.Message, msg)
		}
		startTask(t, ts.Server, "alice", "job")
		refused("alice", mcp.ErrPrincipalTaskLimit.Error())
		startTask(t, ts.Server, "", "job")
		startTask(t, ts.Server, "", "job")
		refused("", mcp.ErrTaskLimit.Error())
		refused("bob", mcp.ErrTaskLimit.Error())
		close(ts.release)
		synctest.Wait()
		assert.Zero(t, ts.RunningTasks())
		startTask(t, ts.Server, "bob", "quick")

		small := newTaskServer(&mcp.ServerOptions{TaskStore: &mcp.MemoryTaskStore{Max: 1}})
		defer shutdownTasks(t, small.Server)
		startTask(t, small.Server, "", "quick")
		r := send(t, small.Server, "", "tools/call", `"name":"quick","arguments":{},`+tasksMeta)
		require.NotNil(t, r.Error, "the store holds one record until its ttl passes")
		assert.EqualValues(t, -32000, r.Error.Code)
	})
}

// TestTaskShutdown: Shutdown stops the running tasks, records them failed (so that other
// replicas report it at once), returns once their goroutines are gone, and refuses new ones.
func TestTaskShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &mcp.MemoryTaskStore{}
		ts := newTaskServer(&mcp.ServerOptions{TaskStore: store})
		id := startTask(t, ts.Server, "", "job")
		require.NoError(t, ts.Shutdown(context.Background()))
		assert.Zero(t, ts.RunningTasks())
		other := newTaskServer(&mcp.ServerOptions{TaskStore: store})
		defer shutdownTasks(t, other.Server)
		g := getTask(t, other.Server, "", id)
		assert.Equal(t, "failed", g.Result["status"])
		assert.Contains(t, g.Result["error"].(map[string]any)["message"], "shutting down")
		r := send(t, ts.Server, "", "tools/call", `"name":"job","arguments":{},`+tasksMeta)
		require.NotNil(t, r.Error)
		assert.EqualValues(t, -32000, r.Error.Code)
	})
}

// cutStore is a replica's view of a shared store that can be cut off, as when the replica
// dies or loses the network: every write fails.
type cutStore struct {
	mcp.TaskStore
	cut atomic.Bool
}

var errCut = errors.New("replica cut off")

func (c *cutStore) Create(ctx context.Context, rec *mcp.TaskRecord) error {
	if c.cut.Load() {
		return errCut
	}
	return c.TaskStore.Create(ctx, rec)
}

func (c *cutStore) Update(ctx context.Context, id string, fn func(*mcp.TaskRecord) error) (*mcp.TaskRecord, error) {
	if c.cut.Load() {
		return nil, errCut
	}
	return c.TaskStore.Update(ctx, id, fn)
}

// TestTaskReplicas: with a shared store, a task started on one replica is polled, answered
// and cancelled from another; and when the replica that runs a task is lost, the task turns
// failed once its lease lapses instead of working for ever.
func TestTaskReplicas(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shared := &mcp.MemoryTaskStore{}
		view := &cutStore{TaskStore: shared}
		a := newTaskServer(&mcp.ServerOptions{TaskStore: view})
		defer shutdownTasks(t, a.Server)
		b := newTaskServer(&mcp.ServerOptions{TaskStore: shared})
		defer shutdownTasks(t, b.Server)

		// Polled and answered on b: the runner on a takes the answer within a poll interval.
		id := startTask(t, a.Server, "", "ask")
		synctest.Wait()
		assert.Equal(t, "input_required", getTask(t, b.Server, "", id).Result["status"])
		r := send(t, b.Server, "", "tasks/update", `"taskId":"`+id+`","inputResponses":{"elicitation-1":{"action":"accept"}},`+tasksMeta)
		require.Nil(t, r.Error)
		time.Sleep(mcp.DefaultTaskPollInterval)
		synctest.Wait()
		assert.Equal(t, "completed", getTask(t, b.Server, "", id).Result["status"])

		// Cancelled on b: the runner on a sees it at its next lease renewal.
		id = startTask(t, a.Server, "", "job")
		require.Nil(t, send(t, b.Server, "", "tasks/cancel", `"taskId":"`+id+`",`+tasksMeta).Error)
		time.Sleep(mcp.DefaultTaskLease / 3)
		synctest.Wait()
		assert.Equal(t, "cancelled", getTask(t, b.Server, "", id).Result["status"])

		// a is lost: nothing it does reaches the store any more.
		id = startTask(t, a.Server, "", "job")
		view.cut.Store(true)
		time.Sleep(mcp.DefaultTaskLease - time.Millisecond)
		synctest.Wait()
		assert.Equal(t, "working", getTask(t, b.Server, "", id).Result["status"], "within the lease")
		time.Sleep(time.Millisecond)
		synctest.Wait()
		g := getTask(t, b.Server, "", id)
		assert.Equal(t, "failed", g.Result["status"])
		e, _ := g.Result["error"].(map[string]any)
		require.NotNil(t, e, g.Result)
		assert.EqualValues(t, -32603, e["code"])
		assert.Contains(t, e["message"], "lease lapsed")
		assert.Equal(t, "failed", getTask(t, b.Server, "", id).Result["status"], "and stays so")
		cause := a.cause.Load()
		require.NotNil(t, cause, "the cut-off runner stopped its handler, which could no longer report")
		assert.ErrorContains(t, *cause, "lease")
	})
}

// TestTaskAfterInputRounds: a handler may ask with multi round-trip requests first and become
// a task afterwards (SEP-2663, Composition with Multi Round-Trip Requests): the first round is
// an InputRequiredResult without taskId, the retry a CreateTaskResult without requestState,
// and the task's result carries what the rounds gathered.
func TestTaskAfterInputRounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mcp.NewServer(nil, nil)
		defer shutdownTasks(t, s)
		mcp.AddTool(s, &mcp.Tool{Name: "greet", TaskSupport: mcp.TaskRequired},
			func(ctx context.Context, req *mcp.Request, _ struct{}) (*mcp.CallToolResult, error) {
				res, err := req.Elicit(ctx, &mcp.ElicitParams{Message: "name?",
					RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)})
				if err != nil {
					return nil, err
				}
				name, _ := res.Content["name"].(string)
				return req.RunTask(ctx, func(context.Context, *mcp.Request) (*mcp.CallToolResult, error) {
					return mcp.TextResult("Hello, " + name), nil
				})
			})
		r1 := send(t, s, "", "tools/call", `"name":"greet","arguments":{},`+tasksMeta)
		require.Nil(t, r1.Error)
		assert.Equal(t, "input_required", r1.Result["resultType"])
		assert.NotContains(t, r1.Result, "taskId")
		state, _ := r1.Result["requestState"].(string)
		require.NotEmpty(t, state)

		r2 := send(t, s, "", "tools/call", `"name":"greet","arguments":{},"inputResponses":{"elicitation-1":{"action":"accept","content":{"name":"Alice"}}},"requestState":"`+state+`",`+tasksMeta)
		require.Nil(t, r2.Error)
		assert.Equal(t, "task", r2.Result["resultType"])
		assert.NotContains(t, r2.Result, "requestState")
		assert.NotContains(t, r2.Result, "inputRequests")
		synctest.Wait()
		g := getTask(t, s, "", r2.Result["taskId"].(string))
		assert.Equal(t, "Hello, Alice", g.Result["result"].(map[string]any)["content"].([]any)[0].(map[string]any)["text"])
	})
}

// TestMemoryTaskStore: records are copies (a caller's changes do not reach the store), Update
// applies its function atomically and stores nothing when it fails, records past their TTL
// are gone, and the caps count live records only.
func TestMemoryTaskStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 7, 28, 0, 0, 0, 0, time.UTC)
	m := &mcp.MemoryTaskStore{Max: 2, MaxPerPrincipal: 1, Now: func() time.Time { return now }}
	rec := &mcp.TaskRecord{ID: "a", Principal: "p", Status: mcp.TaskWorking, Created: now, TTL: time.Minute,
		InputRequests: map[string]json.RawMessage{"k": json.RawMessage(`{}`)}}
	require.NoError(t, m.Create(ctx, rec))
	rec.InputRequests["x"] = nil
	got, err := m.Get(ctx, "a")
	require.NoError(t, err)
	assert.Len(t, got.InputRequests, 1, "Create kept a copy")
	got.Status = mcp.TaskFailed
	got, _ = m.Get(ctx, "a")
	assert.Equal(t, mcp.TaskWorking, got.Status, "Get returned a copy")

	_, err = m.Update(ctx, "a", func(r *mcp.TaskRecord) error {
		r.Status = mcp.TaskCompleted
		return errors.New("no")
	})
	assert.EqualError(t, err, "no")
	got, _ = m.Get(ctx, "a")
	assert.Equal(t, mcp.TaskWorking, got.Status, "a failed update stores nothing")
	got, err = m.Update(ctx, "a", func(r *mcp.TaskRecord) error {
		r.Status, r.ID, r.Principal = mcp.TaskCompleted, "b", "q"
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, mcp.TaskCompleted, got.Status)
	assert.Equal(t, "a", got.ID, "id and principal are the store's")
	assert.Equal(t, "p", got.Principal)
	_, err = m.Update(ctx, "zz", func(*mcp.TaskRecord) error { return nil })
	assert.ErrorIs(t, err, mcp.ErrTaskNotFound)

	assert.ErrorIs(t, m.Create(ctx, &mcp.TaskRecord{ID: "c", Principal: "p", Created: now, TTL: time.Minute}), mcp.ErrPrincipalTaskLimit)
	require.NoError(t, m.Create(ctx, &mcp.TaskRecord{ID: "d", Principal: "q", Created: now, TTL: time.Hour}))
	assert.ErrorIs(t, m.Create(ctx, &mcp.TaskRecord{ID: "e", Principal: "r", Created: now, TTL: time.Minute}), mcp.ErrTaskLimit)

	now = now.Add(time.Minute)
	_, err = m.Get(ctx, "a")
	assert.ErrorIs(t, err, mcp.ErrTaskNotFound, "expired")
	require.NoError(t, m.Create(ctx, &mcp.TaskRecord{ID: "c", Principal: "p", Created: now, TTL: time.Minute}), "the expired record no longer counts")
	assert.Equal(t, 2, m.Len())
}

// TestFollowTasks: FollowTasks sends a followed task's state as tasks/get has it, at once and
// on each change, until the task is terminal; unknown tasks and other principals' are
// skipped. Changes made on another replica sharing the store arrive within the poll interval.
func TestFollowTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shared := &mcp.MemoryTaskStore{}
		a := newTaskServer(&mcp.ServerOptions{TaskStore: shared})
		defer shutdownTasks(t, a.Server)
		b := newTaskServer(&mcp.ServerOptions{TaskStore: shared})
		defer shutdownTasks(t, b.Server)
		ask := startTask(t, a.Server, "alice", "ask")
		job := startTask(t, a.Server, "alice", "job")
		other := startTask(t, a.Server, "bob", "job")
		synctest.Wait()

		follow := func(s *mcp.Server) (<-chan map[string]any, <-chan error) {
			got := make(chan map[string]any, 16)
			done := make(chan error, 1)
			go func() {
				done <- s.FollowTasks(context.Background(), "alice", []string{ask, job, other, "nope"},
					func(_ context.Context, params json.RawMessage) error {
						var m map[string]any
						require.NoError(t, json.Unmarshal(params, &m))
						got <- m
						return nil
					})
			}()
			synctest.Wait()
			return got, done
		}
		drain := func(got <-chan map[string]any) map[string][]string {
			seen := map[string][]string{}
			for {
				select {
				case m := <-got:
					seen[m["taskId"].(string)] = append(seen[m["taskId"].(string)], m["status"].(string))
				default:
					return seen
				}
			}
		}

		local, localDone := follow(a.Server)
		remote, remoteDone := follow(b.Server)
		for _, got := range []<-chan map[string]any{local, remote} {
			seen := drain(got)
			assert.Equal(t, map[string][]string{ask: {"input_required"}, job: {"working"}}, seen)
		}

		r := send(t, a.Server, "alice", "tasks/update", `"taskId":"`+ask+`","inputResponses":{"elicitation-1":{"action":"accept"}},`+tasksMeta)
		require.Nil(t, r.Error)
		synctest.Wait()
		seen := drain(local)
		require.NotEmpty(t, seen[ask])
		assert.Equal(t, "completed", seen[ask][len(seen[ask])-1], "seen at once on the replica that made the change")
		time.Sleep(mcp.DefaultTaskPollInterval)
		synctest.Wait()
		seen = drain(remote)
		require.NotEmpty(t, seen[ask])
		assert.Equal(t, "completed", seen[ask][len(seen[ask])-1], "and within a poll interval on another")

		close(a.release)
		close(b.release)
		time.Sleep(mcp.DefaultTaskPollInterval)
		synctest.Wait()
		assert.Equal(t, map[string][]string{job: {"completed"}}, drain(local))
		assert.Equal(t, map[string][]string{job: {"completed"}}, drain(remote))
		require.NoError(t, <-localDone, "every followed task is terminal")
		require.NoError(t, <-remoteDone)
	})
}

// stallStore is a replica's view of a shared store whose writes can hang, as when the replica
// stalls (a long pause, a hung connection) without dying.
type stallStore struct {
	mcp.TaskStore
	gate atomic.Pointer[chan struct{}]
}

func (s *stallStore) Update(ctx context.Context, id string, fn func(*mcp.TaskRecord) error) (*mcp.TaskRecord, error) {
	if g := s.gate.Load(); g != nil {
		select {
		case <-*g:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.TaskStore.Update(ctx, id, fn)
}

// TestTaskStalledRunner: a runner that stalls past its lease finds, once it resumes, that
// another replica failed its task; it stops its handler at once, and the failed status stays.
func TestTaskStalledRunner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shared := &mcp.MemoryTaskStore{}
		view := &stallStore{TaskStore: shared}
		a := newTaskServer(&mcp.ServerOptions{TaskStore: view})
		defer shutdownTasks(t, a.Server)
		b := newTaskServer(&mcp.ServerOptions{TaskStore: shared})
		defer shutdownTasks(t, b.Server)
		id := startTask(t, a.Server, "", "job")
		gate := make(chan struct{})
		view.gate.Store(&gate)
		time.Sleep(mcp.DefaultTaskLease)
		synctest.Wait()
		assert.Equal(t, "failed", getTask(t, b.Server, "", id).Result["status"])
		assert.Nil(t, a.cause.Load())
		view.gate.Store(nil)
		close(gate)
		synctest.Wait()
		cause := a.cause.Load()
		require.NotNil(t, cause, "the runner stopped its handler as soon as it saw the task failed")
		assert.ErrorContains(t, *cause, "lease")
		g := getTask(t, b.Server, "", id)
		assert.Equal(t, "failed", g.Result["status"])
		assert.Contains(t, g.Result["error"].(map[string]any)["message"], "lease lapsed")
	})
}

// TestTaskResultBound: a task whose result is larger than MaxTaskResultBytes fails, saying
// so, instead of being kept until its ttl passes.
func TestTaskResultBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTaskServer(&mcp.ServerOptions{MaxTaskResultBytes: 300})
		defer shutdownTasks(t, ts.Server)
		ts.AddRawTool(&mcp.Tool{Name: "big", TaskSupport: mcp.TaskOptional},
			mcp.TaskHandler(func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) {
				return mcp.TextResult(strings.Repeat("x", 400)), nil
			}))
		big, quick := startTask(t, ts.Server, "", "big"), startTask(t, ts.Server, "", "quick")
		synctest.Wait()
		g := getTask(t, ts.Server, "", big)
		assert.Equal(t, "failed", g.Result["status"])
		assert.Contains(t, g.Result["error"].(map[string]any)["message"], "more than the 300 a task may keep")
		assert.NotContains(t, g.Result, "result")
		assert.Equal(t, "completed", getTask(t, ts.Server, "", quick).Result["status"])
	})
}
