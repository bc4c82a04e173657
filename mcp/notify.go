package mcp

import (
	"context"
	"fmt"

	"github.com/minimcp/minimcp/rpc"
)

// Server-initiated messages sent outside any request: to every session (Broadcast,
// BroadcastLog, as list_changed notifications are) or to one (Session.Notify,
// Session.ElicitationComplete). They travel on each session's stream for server-initiated
// messages (the GET stream of Streamable HTTP, stdout for stdio); a session without one misses
// them, as the transport spec allows (MCP 2025-11-25, Transports § Listening for Messages from
// the Server).

// Broadcast sends a notification to every live, initialized session, on its stream for
// server-initiated messages. params is any JSON-encodable value, nil for none. It returns an
// error only when params cannot be encoded; a session without such a stream is skipped, and
// one whose stream fails (a broken connection) too, the failure logged as a warning to
// [ServerOptions.Logger]. Sessionless requests (stateless HTTP) have nothing to receive it.
func (s *Server) Broadcast(ctx context.Context, method string, params any) error {
	return s.broadcast(ctx, method, params, nil)
}

// BroadcastLog sends a notifications/message at level to every live, initialized session
// whose log level admits it: the level the client set with logging/setLevel, else
// [ServerOptions.DefaultLogLevel] (MCP 2025-11-25, Server § Utilities, Logging: the server
// sends messages at the set level and above). logger may be empty; data is any
// JSON-encodable value. Errors as for [Server.Broadcast]; an unknown level is an error.
func (s *Server) BroadcastLog(ctx context.Context, level LoggingLevel, logger string, data any) error {
	if level.Severity() < 0 {
		return fmt.Errorf("mcp: unknown logging level %q", level)
	}
	return s.broadcast(ctx, NotificationLoggingMessage, &LoggingMessageParams{Level: level, Logger: logger, Data: data},
		func(ss *Session) bool { return level.Severity() >= ss.logLevel().Severity() })
}

// logLevel returns the least severe level the session's client wants.
func (ss *Session) logLevel() LoggingLevel {
	if st := ss.state.Load(); st != nil && st.LogLevel != "" {
		return st.LogLevel
	}
	return ss.srv.opts.DefaultLogLevel
}

// Session returns the session the request arrived in, or nil when there is none (stateless
// HTTP). A handler keeps it to reach the client after the request ended, as
// [Session.ElicitationComplete] does.
func (r *Request) Session() *Session { return r.sess }

// Notify sends a notification to this session's client on its stream for server-initiated
// messages. params is any JSON-encodable value, nil for none. It fails with
// [ErrNoBackchannel] when the client opened no such stream, and with an error once the
// session is closed.
func (ss *Session) Notify(ctx context.Context, method string, params any) error {
	raw, err := encodeParams(params)
	if err != nil {
		return fmt.Errorf("mcp: encoding %s params: %w", method, err)
	}
	ss.mu.Lock()
	out, closed := ss.push, ss.closed
	ss.mu.Unlock()
	switch {
	case closed:
		return errSessionClosed
	case out == nil:
		return ErrNoBackchannel
	}
	buf := rpc.GetBuffer()
	defer rpc.PutBuffer(buf)
	*buf = rpc.AppendRequest(*buf, rpc.ID{}, method, raw)
	return out.Send(ctx, *buf)
}

// ElicitationComplete tells the client that the out-of-band interaction of a URL-mode
// elicitation has completed, after the elicitation/create request that started it was
// answered (MCP 2025-11-25, Client § Elicitation, Completion Notifications for URL Mode
// Elicitation: servers "MUST only send the notification to the client that initiated the
// elicitation request" and "MUST include the elicitationId established in the original
// elicitation/create request"). Keep the session of the request that elicited with
// [Request.Session] and call this on it. It fails with a [*CapabilityError] if the client did
// not declare URL-mode elicitation, and as [Session.Notify] does otherwise.
func (ss *Session) ElicitationComplete(ctx context.Context, elicitationID string) error {
	if elicitationID == "" {
		return fmt.Errorf("mcp: %s needs an elicitationId", NotificationElicitationComplete)
	}
	st := ss.state.Load()
	if st == nil || !st.ClientCapabilities.SupportsElicitationMode("url") {
		return &CapabilityError{Capability: "elicitation.url", Method: NotificationElicitationComplete}
	}
	return ss.Notify(ctx, NotificationElicitationComplete, &ElicitationCompleteParams{ElicitationID: elicitationID})
}
