package mcp

import (
	"context"
	"fmt"
	"slices"
	"sync"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: subscriptions/listen.

From 2026-07-28 on a client hears of changes by opening a stream with a subscriptions/listen
request (MCP 2026-07-28, Basic § Subscriptions), which replaces the GET stream and
resources/subscribe of the session era. The request is long-lived: its handler (listen, below)
runs until the transport cancels its context, and sends on the request's own stream (the
Sender of [Inbound.Out]: the SSE answer of the POST, stdout for stdio):

 1. notifications/subscriptions/acknowledged, first, with the subset of the filter the server
    honors: the kinds whose capability server/discover declares (tools, prompts, resources
    registered), the others left out ("Notification types the server does not support are
    omitted");
 2. then each change the filter admits, as the notification of its kind;
 3. every message tagged with _meta["io.modelcontextprotocol/subscriptionId"], the raw JSON-RPC
    id of the listen request ("The value is the JSON-RPC ID of the subscriptions/listen
    request").

When its context ends the handler returns the graceful-closure result (resultType "complete",
the subscription id in _meta: Basic § Subscriptions, Graceful Closure); the transport decides
whether anyone is left to read it: a client that went away reads nothing, a client that
cancelled on stdio gets nothing (Cancellation: the server "SHOULD ... Not send a response for
the cancelled request"), a server shutting down sends it.

Changes reach the handler through the server's [Bus]: the handler subscribes before it sends
the acknowledgment, and only its own goroutine sends, so nothing is lost between the two and
nothing overtakes the acknowledgment. The bus's deliver only records a change as pending and
wakes the handler: it never blocks a publisher. Pending changes are a set, the same change
arriving twice before the handler sent it goes out once (a list that changed twice is read
once; a resource updated twice is read once): it holds at most one entry per kind and URI of
the filter, so a client that reads slowly costs bounded memory, never an unbounded queue.

Sessions of the earlier revisions are fed directly by the registry (notifyAll), not by the bus:
both hear of the same changes, from the same calls. The exception is a session whose transport
feeds it from the bus (Session.SetChangeFeed, Session.AppendChange): replicas sharing sessions
do, so that one replica tells the client of a change made on any.
*/

// Subscription methods of 2026-07-28 (schema: SubscriptionsListenRequest,
// SubscriptionsAcknowledgedNotification).
const (
	// MethodSubscriptionsListen opens a stream of change notifications (client → server).
	MethodSubscriptionsListen = "subscriptions/listen"
	// NotificationSubscriptionsAcknowledged is the first message of a listen stream (server →
	// client).
	NotificationSubscriptionsAcknowledged = "notifications/subscriptions/acknowledged"
	// MetaSubscriptionID is the _meta key that tags every message of a listen stream.
	MetaSubscriptionID = "io.modelcontextprotocol/subscriptionId"
)

// SubscriptionFilter is the set of notifications a client opts in to on a subscriptions/listen
// stream (schema/2026-07-28: SubscriptionFilter). Every field is optional: omitted means not
// subscribed.
type SubscriptionFilter struct {
	// ToolsListChanged asks for notifications/tools/list_changed.
	ToolsListChanged bool `json:"toolsListChanged,omitempty"`
	// PromptsListChanged asks for notifications/prompts/list_changed.
	PromptsListChanged bool `json:"promptsListChanged,omitempty"`
	// ResourcesListChanged asks for notifications/resources/list_changed.
	ResourcesListChanged bool `json:"resourcesListChanged,omitempty"`
	// ResourceSubscriptions asks for notifications/resources/updated about these URIs.
	ResourceSubscriptions []string `json:"resourceSubscriptions,omitempty"`
	// TaskIDs asks for notifications/tasks about these tasks (the tasks extension, SEP-2663,
	// Task Status Notifications); the client must declare the extension.
	TaskIDs []string `json:"taskIds,omitempty"`
}

// SubscriptionsListenParams are the params of subscriptions/listen (schema/2026-07-28:
// SubscriptionsListenRequestParams).
type SubscriptionsListenParams struct {
	// Notifications is the filter; required.
	Notifications *SubscriptionFilter `json:"notifications"`
}

// listenParams reads and checks the params of a subscriptions/listen: notifications is
// required, and its URIs are non-empty, at most MaxURILength bytes each and at most
// MaxSubscriptions in all (duplicates counted once, and dropped).
func (s *Server) listenParams(r *Request) (*SubscriptionFilter, error) {
	var p SubscriptionsListenParams
	if err := unmarshalParams(r.Params, &p); err != nil {
		return nil, err
	}
	f := p.Notifications
	if f == nil {
		return nil, rpc.InvalidParams(`%s: params.notifications is required: the notifications to receive, such as {"toolsListChanged": true, "resourceSubscriptions": ["file:///a"]}`, r.Method)
	}
	if len(f.ResourceSubscriptions) > 0 {
		uris := make([]string, 0, len(f.ResourceSubscriptions))
		seen := make(map[string]struct{}, len(f.ResourceSubscriptions))
		for i, u := range f.ResourceSubscriptions {
			switch {
			case u == "":
				return nil, rpc.InvalidParams("%s: params.notifications.resourceSubscriptions[%d] is empty: each must be a resource URI", r.Method, i)
			case len(u) > s.opts.MaxURILength:
				return nil, rpc.InvalidParams("%s: params.notifications.resourceSubscriptions[%d] is %d bytes long, more than the %d allowed", r.Method, i, len(u), s.opts.MaxURILength)
			}
			if _, dup := seen[u]; dup {
				continue
			}
			seen[u] = struct{}{}
			uris = append(uris, u)
		}
		if max := s.opts.MaxSubscriptions; len(uris) > max {
			return nil, rpc.InvalidParams("%s: params.notifications.resourceSubscriptions names %d resources, more than the %d one stream may watch; open several streams or watch fewer", r.Method, len(uris), max)
		}
		// A listen watching a resource delivers its updates as resources/subscribe would,
		// which needs the resource's scopes (see the design note in auth.go).
		if err := r.checkScopes(s.resourcesScopes(uris)); err != nil {
			return nil, err
		}
		f.ResourceSubscriptions = uris
	}
	if len(f.TaskIDs) > 0 {
		if !declaresTasks(r.state) {
			// SEP-2663, Task Status Notifications: "If a client requests task status
			// notifications but does not declare the io.modelcontextprotocol/tasks extension
			// capability, the server MUST return a JSON-RPC error" (-32021).
			return nil, tasksRequired(r.Method).rpcError()
		}
		if max := s.opts.MaxSubscriptions; len(f.TaskIDs) > max {
			return nil, rpc.InvalidParams("%s: params.notifications.taskIds names %d tasks, more than the %d one stream may follow", r.Method, len(f.TaskIDs), max)
		}
	}
	return f, nil
}

// honored returns the part of f the server agrees to deliver: the kinds whose capability it
// declares in server/discover (MCP 2026-07-28, Basic § Subscriptions, Acknowledgment: "The
// notifications field in the acknowledgment reflects the subset the server agreed to honor.
// Notification types the server does not support are omitted").
func (s *Server) honored(f *SubscriptionFilter) SubscriptionFilter {
	c := s.capabilities(true)
	var h SubscriptionFilter
	h.ToolsListChanged = f.ToolsListChanged && c.Tools != nil && c.Tools.ListChanged
	h.PromptsListChanged = f.PromptsListChanged && c.Prompts != nil && c.Prompts.ListChanged
	if c.Resources != nil {
		h.ResourcesListChanged = f.ResourcesListChanged && c.Resources.ListChanged
		if c.Resources.Subscribe {
			h.ResourceSubscriptions = f.ResourceSubscriptions
		}
	}
	return h
}

// listener is the state of one listen stream between the bus and the handler's goroutine.
type listener struct {
	filter SubscriptionFilter
	mu     sync.Mutex
	// pending holds the changes not sent yet, each once, in the order they first came; at
	// most one per kind and URI of filter. Guarded by mu.
	pending []Change
	// wake has a token when pending may hold something; buffered (1), never closed.
	wake chan struct{}
	// tasks holds the notifications/tasks params FollowTasks produced and the handler has not
	// sent yet, in order. Guarded by mu.
	tasks []json.RawMessage
}

// followed is FollowTasks's send: it queues params for the handler's goroutine.
func (l *listener) followed(_ context.Context, params json.RawMessage) error {
	l.mu.Lock()
	l.tasks = append(l.tasks, params)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return nil
}

// takeTasks returns the queued task notifications and forgets them.
func (l *listener) takeTasks() []json.RawMessage {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tasks
	l.tasks = nil
	return t
}

// followable returns the ids of the tasks r's principal may follow: those it can read.
func (s *Server) followable(ctx context.Context, r *Request, ids []string) []string {
	var out []string
	for _, id := range ids {
		if _, err := s.loadTask(ctx, r, id); err == nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// deliver is the listener's side of [Bus.Subscribe]: it never blocks.
func (l *listener) deliver(c Change) {
	if !l.filter.Admits(c) { // a shared bus may be coarser than the filter
		return
	}
	l.mu.Lock()
	if !slices.Contains(l.pending, c) {
		l.pending = append(l.pending, c)
	}
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// take returns the pending changes and forgets them.
func (l *listener) take() []Change {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.pending
	l.pending = nil
	return p
}

// listen serves subscriptions/listen (see the design note above). It returns when ctx ends,
// with the graceful-closure result, or when the stream fails.
func (s *Server) listen(ctx context.Context, r *Request) (any, error) {
	f, err := s.listenParams(r)
	if err != nil {
		return nil, err
	}
	if r.out == nil {
		return nil, rpc.NewError(rpc.CodeInternalError, "Internal error: this transport has no stream to carry subscriptions/listen")
	}
	l := &listener{filter: s.honored(f), wake: make(chan struct{}, 1)}
	// The acknowledgment names the tasks the server agreed to follow (SEP-2663, Task Status
	// Notifications): those of the caller it knows.
	l.filter.TaskIDs = s.followable(ctx, r, f.TaskIDs)
	cancel, err := s.bus.Subscribe(ctx, &l.filter, l.deliver)
	if err != nil {
		return nil, fmt.Errorf("mcp: subscriptions/listen: subscribing to the bus: %w", err)
	}
	defer cancel()

	id := r.ID.String()
	buf := rpc.GetBuffer()
	defer rpc.PutBuffer(buf)
	ack, err := json.Marshal(&l.filter)
	if err != nil {
		return nil, err
	}
	// MCP 2026-07-28, Basic § Subscriptions, Acknowledgment: the server "MUST send
	// notifications/subscriptions/acknowledged as the first message carrying the
	// subscription's ID in _meta ... and MUST NOT send any notification on the subscription
	// before it".
	if err := r.out.Send(ctx, appendListenMessage((*buf)[:0], id, NotificationSubscriptionsAcknowledged, "notifications", ack)); err != nil {
		return nil, err
	}
	if len(l.filter.TaskIDs) > 0 {
		// One goroutine follows the tasks; it only queues, this one sends. It is stopped and
		// waited for before the handler returns.
		fctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = s.FollowTasks(fctx, r.principal, l.filter.TaskIDs, l.followed)
		}()
		defer func() {
			stop()
			<-done
		}()
	}
	for {
		select {
		case <-ctx.Done():
			// Graceful Closure: "The result carries no method-specific data beyond the
			// standard result fields and subscription metadata".
			return s.modernResult(r, json.RawMessage(`{"_meta":{"`+MetaSubscriptionID+`":`+id+`}}`))
		case <-l.wake:
			if ctx.Err() != nil {
				// Ended meanwhile: nothing more goes out for it (MCP 2026-07-28, Transports §
				// stdio: servers "MUST NOT send any further messages for it").
				continue
			}
		}
		for _, params := range l.takeTasks() {
			// The task as tasks/get has it, with the subscription's id in _meta.
			p := append([]byte(`{"_meta":{"`+MetaSubscriptionID+`":`+id+`},`), params[1:]...)
			*buf = rpc.AppendRequest((*buf)[:0], rpc.ID{}, NotificationTasks, p)
			if err := r.out.Send(ctx, *buf); err != nil {
				return nil, err
			}
		}
		for _, c := range l.take() {
			var msg []byte
			if c.Kind == ChangeResource {
				msg = appendListenMessage((*buf)[:0], id, string(c.Kind), "uri", jsontext.AppendString(nil, c.URI))
			} else {
				msg = appendListenMessage((*buf)[:0], id, string(c.Kind), "", nil)
			}
			*buf = msg
			if err := r.out.Send(ctx, msg); err != nil {
				return nil, err
			}
		}
	}
}

// appendListenMessage appends a notification of a listen stream to dst: method, with params
// holding the subscription id in _meta (Basic § Subscriptions, Receiving Notifications: "All
// notifications delivered on the stream carry io.modelcontextprotocol/subscriptionId in
// _meta") and, when key is not empty, key: value.
func appendListenMessage(dst []byte, id, method, key string, value []byte) []byte {
	params := make([]byte, 0, 64+len(id)+len(value))
	params = append(params, `{"_meta":{"`+MetaSubscriptionID+`":`...)
	params = append(params, id...)
	params = append(params, '}')
	if key != "" {
		params = append(params, ',')
		params = jsontext.AppendString(params, key)
		params = append(params, ':')
		params = append(params, value...)
	}
	params = append(params, '}')
	return rpc.AppendRequest(dst, rpc.ID{}, method, params)
}
