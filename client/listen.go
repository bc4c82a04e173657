package client

import (
	"context"
	"fmt"
	"slices"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/mcp"
)

// Listen delivers the server's change notifications that filter admits to f until ctx ends,
// and then returns nil. In every era the first notification f receives is
// notifications/subscriptions/acknowledged, once the client is listening; then come list
// changes (notifications/tools/list_changed, …) and notifications/resources/updated about the
// filter's resources.
//
// At 2026-07-28 it sends subscriptions/listen (MCP 2026-07-28, Basic § Subscriptions) and
// reads its stream; ending ctx closes the stream (HTTP) or sends notifications/cancelled
// (stdio). The server's acknowledgment names the part of the filter it honors. If the
// server ends the stream itself (graceful closure), Listen returns nil as well.
//
// In a 2025 session it opens the session's GET stream (MCP 2025-11-25, Transports §
// Listening for Messages from the Server; on stdio the connection itself), subscribes to each
// of filter.ResourceSubscriptions with resources/subscribe and unsubscribes when ctx ends, and
// makes up the acknowledgment itself, with the filter as sent, once both are done. A
// stateless server has no GET stream: Listen returns an error wrapping [ErrNotInEra].
//
// Close ends a Listen with [ErrClosed].
//
// f runs on the goroutine that reads the stream: it must not block for long, nor call Listen;
// a nil f panics.
// Several Listens may run at once; a notification reaches each whose filter admits it.
func (c *Client) Listen(ctx context.Context, filter *mcp.SubscriptionFilter, f func(*Notification)) error {
	if f == nil {
		panic("client: Listen with a nil callback")
	}
	if filter == nil {
		filter = &mcp.SubscriptionFilter{}
	}
	if c.modern {
		params, err := json.Marshal(&mcp.SubscriptionsListenParams{Notifications: filter})
		if err != nil {
			return fmt.Errorf("%s: encoding params: %w", mcp.MethodSubscriptionsListen, err)
		}
		_, err = c.send(ctx, mcp.MethodSubscriptionsListen, params, nil, f)
		switch {
		case ctx.Err() != nil:
			return nil
		case c.ctx.Err() != nil:
			return ErrClosed
		}
		return err
	}
	admit := func(n *Notification) {
		if admits(filter, n) {
			f(n)
		}
	}
	c.mu.Lock()
	if c.listeners == nil {
		c.listeners = map[int64]func(*Notification){}
	}
	c.nextListener++
	key := c.nextListener
	c.listeners[key] = admit
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.listeners, key)
		c.mu.Unlock()
	}()
	var subscribed []string
	defer func() {
		if len(subscribed) == 0 {
			return
		}
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
		defer cancel()
		for _, uri := range subscribed {
			_ = c.Unsubscribe(uctx, uri)
		}
	}()
	ready := func() error {
		for _, uri := range filter.ResourceSubscriptions {
			if err := c.Subscribe(ctx, uri); err != nil {
				return err
			}
			subscribed = append(subscribed, uri)
		}
		ack, _ := json.Marshal(struct {
			Notifications *mcp.SubscriptionFilter `json:"notifications"`
		}{filter})
		f(&Notification{Method: mcp.NotificationSubscriptionsAcknowledged, Params: ack})
		return nil
	}
	err := c.t.openStream(ctx, ready)
	switch {
	case ctx.Err() != nil:
		return nil
	case c.ctx.Err() != nil:
		return ErrClosed
	case err != nil:
		return fmt.Errorf("listen: %w", err)
	}
	return nil
}

// admits reports whether a 2025 session's notification n passes filter.
func admits(filter *mcp.SubscriptionFilter, n *Notification) bool {
	switch n.Method {
	case mcp.NotificationToolListChanged:
		return filter.ToolsListChanged
	case mcp.NotificationPromptListChanged:
		return filter.PromptsListChanged
	case mcp.NotificationResourceListChanged:
		return filter.ResourcesListChanged
	case mcp.NotificationResourceUpdated:
		uri, _ := jsontext.Unquote(jsontext.ValueAt(n.Params, []string{"uri"}))
		return slices.Contains(filter.ResourceSubscriptions, uri)
	}
	return false
}
