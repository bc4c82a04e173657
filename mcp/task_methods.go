package mcp

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

// MethodTasksUpdate delivers the client's answers to a task's inputRequests (SEP-2663, Task
// Update Requests).
const MethodTasksUpdate = "tasks/update"

// taskMethod reports whether method is one of the extension's methods this server serves:
// tasks/result and tasks/list are not (SEP-2663, Backward Compatibility: "tasks/result is
// removed; clients calling it MUST receive -32601"; there is no tasks/list).
func taskMethod(method string) bool {
	return method == MethodTasksGet || method == MethodTasksUpdate || method == MethodTasksCancel
}

// serveTask answers tasks/get, tasks/update and tasks/cancel at 2026-07-28.
func (s *Server) serveTask(ctx context.Context, r *Request) (any, error) {
	// SEP-2663, Error Handling: "Servers MUST return this error [-32021] for non-declaring
	// clients issuing tasks/get, tasks/update, and tasks/cancel requests" — before anything
	// else about the request is looked at.
	if !declaresTasks(r.state) {
		return nil, tasksRequired(r.Method)
	}
	var p struct {
		TaskID         *string                    `json:"taskId"`
		InputResponses map[string]json.RawMessage `json:"inputResponses"`
	}
	// The Mcp-Name header mirrors taskId (SEP-2663, Streamable HTTP: Routing Headers): it must
	// name one member, spelt exactly, as the transport reads it (see onceMembers).
	if err := onceMembers(r.Method, r.Params, "taskId"); err != nil {
		return nil, err
	}
	if err := unmarshalParams(r.Params, &p); err != nil {
		return nil, err
	}
	if p.TaskID == nil {
		return nil, rpc.InvalidParams("%s: taskId is required", r.Method)
	}
	id := *p.TaskID
	switch r.Method {
	case MethodTasksGet:
		rec, err := s.loadTask(ctx, r, id)
		if err != nil {
			return nil, err
		}
		return appendTask(nil, rec, false, true), nil
	case MethodTasksUpdate:
		return s.updateTask(ctx, r, id, p.InputResponses)
	}
	return s.cancelTask(ctx, r, id)
}

// errNoTask is the answer for a task that is unknown, expired or another principal's (SEP-2663,
// Error Handling: "Invalid or nonexistent taskId: -32602"; an unknown id and another
// principal's are not told apart, so that ids cannot be probed).
func errNoTask(id string) *rpc.Error {
	return rpc.InvalidParams("Failed to retrieve task: Task not found (or expired): %q", id)
}

// loadTask reads task id for r's principal. A task that is not terminal past its lease has
// lost its runner: it is failed now (see the design note in task.go).
func (s *Server) loadTask(ctx context.Context, r *Request, id string) (*TaskRecord, error) {
	rec, err := s.tasks.store.Get(ctx, id)
	if errors.Is(err, ErrTaskNotFound) || err == nil && rec.Principal != r.principal {
		return nil, errNoTask(id)
	}
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if rec.Status.Terminal() || now.Before(rec.LeaseUntil) {
		return rec, nil
	}
	lapsed := rpc.Errorf(rpc.CodeInternalError, "Internal error: the server running the task stopped: its lease lapsed at %s",
		rec.LeaseUntil.UTC().Format(time.RFC3339Nano))
	errObj, _ := json.Marshal(lapsed) // an rpc.Error always encodes
	rec, err = s.tasks.store.Update(ctx, id, func(rec *TaskRecord) error {
		if !rec.Status.Terminal() && !now.Before(rec.LeaseUntil) {
			rec.Status, rec.StatusMessage, rec.Updated = TaskFailed, lapsed.Message, now
			rec.Error, rec.Result = errObj, nil
			rec.InputRequests, rec.InputResponses = nil, nil
		}
		return nil
	})
	if errors.Is(err, ErrTaskNotFound) {
		return nil, errNoTask(id)
	}
	if err == nil {
		s.tasks.bump()
	}
	return rec, err
}

// updateTask serves tasks/update: each answer to an outstanding inputRequests key moves it out
// of inputRequests, for the runner to take; answers to other keys are ignored (SEP-2663, Task
// Update Requests: "A server SHOULD ignore any inputResponses responses mapped to a key that is
// not currently outstanding"; "MAY accept a partial set of responses"). The task is working
// again once no request is left. The ack is empty.
func (s *Server) updateTask(ctx context.Context, r *Request, id string, responses map[string]json.RawMessage) (any, error) {
	if _, err := s.loadTask(ctx, r, id); err != nil {
		return nil, err
	}
	now := time.Now()
	_, err := s.tasks.store.Update(ctx, id, func(rec *TaskRecord) error {
		if rec.Status.Terminal() {
			return nil
		}
		moved := false
		for k, v := range responses {
			if _, ok := rec.InputRequests[k]; !ok {
				continue
			}
			if len(v) == 0 || v[0] != '{' {
				// Basic § Multi Round-Trip Requests, Error Handling: "Servers SHOULD
				// validate that the data provided by the client is a valid InputResponses
				// object".
				return rpc.InvalidParams("inputResponses[%q] must be an object, the client's result", k)
			}
			delete(rec.InputRequests, k)
			if rec.InputResponses == nil {
				rec.InputResponses = make(map[string]json.RawMessage)
			}
			rec.InputResponses[k] = v
			moved = true
		}
		if moved && len(rec.InputRequests) == 0 && rec.Status == TaskInputRequired {
			rec.Status, rec.StatusMessage = TaskWorking, ""
		}
		if moved {
			rec.Updated = now
		}
		return nil
	})
	if errors.Is(err, ErrTaskNotFound) {
		return nil, errNoTask(id)
	}
	if err != nil {
		return nil, err
	}
	s.tasks.bump()
	if run := s.tasks.local(id); run != nil {
		run.notify()
	}
	return emptyObject, nil
}

// cancelTask serves tasks/cancel: the cancellation is recorded for the runner, wherever it
// runs, and the handler's context is cancelled at once when it runs here. The ack is empty,
// also for a task already terminal (SEP-2663, Task Cancellation: "The server MUST acknowledge
// the request with an empty result").
func (s *Server) cancelTask(ctx context.Context, r *Request, id string) (any, error) {
	if _, err := s.loadTask(ctx, r, id); err != nil {
		return nil, err
	}
	_, err := s.tasks.store.Update(ctx, id, func(rec *TaskRecord) error {
		if !rec.Status.Terminal() {
			rec.CancelRequested = true
		}
		return nil
	})
	if errors.Is(err, ErrTaskNotFound) {
		return nil, errNoTask(id)
	}
	if err != nil {
		return nil, err
	}
	if run := s.tasks.local(id); run != nil {
		run.cancel(errTaskCancelled)
	}
	return emptyObject, nil
}

// createTaskResult returns the CreateTaskResult of a task just created (SEP-2663, Task
// Creation): the task's fields at the top level, resultType "task", and nothing of tasks/get's
// (no result, error, inputRequests) nor of a multi round-trip (no requestState).
func createTaskResult(rec *TaskRecord) json.RawMessage {
	return appendTask(nil, rec, true, false)
}

// taskTime formats t as tasks carry times (ISO 8601, UTC, milliseconds).
func taskTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	return append(b, '"')
}

// appendTask appends rec as a Task object (SEP-2663, Tasks): with resultType "task" for a
// CreateTaskResult, and with the status's payload (inputRequests, result or error) for the
// DetailedTask of tasks/get. Durations are integer milliseconds (ttlMs, pollIntervalMs).
func appendTask(b []byte, rec *TaskRecord, created, detailed bool) json.RawMessage {
	b = append(b, '{')
	if created {
		b = append(b, `"resultType":"task",`...)
	}
	b = append(b, `"taskId":`...)
	b = jsontext.AppendString(b, rec.ID)
	b = append(b, `,"status":`...)
	b = jsontext.AppendString(b, string(rec.Status))
	if rec.StatusMessage != "" {
		b = append(b, `,"statusMessage":`...)
		b = jsontext.AppendString(b, rec.StatusMessage)
	}
	b = append(b, `,"createdAt":`...)
	b = taskTime(b, rec.Created)
	b = append(b, `,"lastUpdatedAt":`...)
	b = taskTime(b, rec.Updated)
	b = append(b, `,"ttlMs":`...)
	b = strconv.AppendInt(b, rec.TTL.Milliseconds(), 10)
	if rec.PollInterval > 0 {
		b = append(b, `,"pollIntervalMs":`...)
		b = strconv.AppendInt(b, max(rec.PollInterval.Milliseconds(), 1), 10)
	}
	if detailed {
		switch rec.Status {
		case TaskInputRequired:
			keys := make([]string, 0, len(rec.InputRequests))
			for k := range rec.InputRequests {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			b = append(b, `,"inputRequests":{`...)
			for i, k := range keys {
				if i > 0 {
					b = append(b, ',')
				}
				b = jsontext.AppendString(b, k)
				b = append(b, ':')
				b = append(b, rec.InputRequests[k]...)
			}
			b = append(b, '}')
		case TaskCompleted:
			if len(rec.Result) > 0 {
				b = append(b, `,"result":`...)
				b = append(b, rec.Result...)
			}
		case TaskFailed:
			if len(rec.Error) > 0 {
				b = append(b, `,"error":`...)
				b = append(b, rec.Error...)
			}
		}
	}
	return append(b, '}')
}
