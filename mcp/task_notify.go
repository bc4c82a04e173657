package mcp

import (
	"context"
	"time"

	json "github.com/goccy/go-json"
)

// NotificationTasks carries a task's state to a client that listens for it (SEP-2663, Task
// Status Notifications; params: the task as tasks/get returns it).
const NotificationTasks = "notifications/tasks"

// FollowTasks sends the state of the tasks ids of principal, as tasks/get returns it (the
// params of notifications/tasks), through send: each task's state when it starts following
// it, then each change, until the task is terminal (its last state sent) or forgotten; it
// returns when no task is left to follow, with ctx's cause when ctx ends first, or with the
// first error of send. A task that is another principal's or unknown is skipped.
//
// It is the source of task status notifications for a subscriptions/listen stream (SEP-2663:
// "clients send a subscriptions/listen request to the server including a list of task IDs";
// "Each notification carries a complete DetailedTask for the current status, identical to
// what tasks/get would have returned at that moment"). Changes made on this server are seen
// at once; those made on another replica sharing the store, within the poll interval.
func (s *Server) FollowTasks(ctx context.Context, principal string, ids []string, send func(ctx context.Context, params json.RawMessage) error) error {
	last := make(map[string]time.Time, len(ids)) // the Updated of the state sent last
	status := make(map[string]TaskStatus, len(ids))
	left := make(map[string]bool, len(ids))
	for _, id := range ids {
		left[id] = true
	}
	poll := time.NewTicker(s.opts.TaskPollInterval)
	defer poll.Stop()
	r := &Request{srv: s, principal: principal}
	for {
		changed := s.tasks.changes()
		for id := range left {
			rec, err := s.loadTask(ctx, r, id)
			if err != nil {
				if ctx.Err() != nil {
					return context.Cause(ctx)
				}
				delete(left, id) // unknown, another principal's, or forgotten
				continue
			}
			if st, ok := status[id]; ok && st == rec.Status && last[id].Equal(rec.Updated) {
				continue
			}
			last[id], status[id] = rec.Updated, rec.Status
			if err := send(ctx, appendTask(nil, rec, false, true)); err != nil {
				return err
			}
			if rec.Status.Terminal() {
				delete(left, id)
			}
		}
		if len(left) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-changed:
		case <-poll.C:
		}
	}
}

// changes returns a channel closed at the next change this server makes to a task.
func (h *taskHost) changes() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.changed == nil {
		h.changed = make(chan struct{})
	}
	return h.changed
}

// bump tells FollowTasks that a task changed.
func (h *taskHost) bump() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.changed != nil {
		close(h.changed)
		h.changed = nil
	}
}
