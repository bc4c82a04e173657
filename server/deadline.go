package server

import (
	"net/http"
	"time"
)

// deadliner is what a ResponseWriter implements to take deadlines (net/http's do).
type deadliner interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// setReadDeadline sets the read deadline of w's connection, if w supports it. It asks w
// itself first: http.ResponseController would answer a writer without support with an error
// it formats, two allocations on every request of a server behind such a writer.
func setReadDeadline(w http.ResponseWriter, t time.Time) bool {
	if d, ok := w.(deadliner); ok {
		return d.SetReadDeadline(t) == nil
	}
	if _, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok {
		return http.NewResponseController(w).SetReadDeadline(t) == nil
	}
	return false
}

// writeDeadline bounds the writes of an answer on w from now, within Options.WriteTimeout.
func (h *Handler) writeDeadline(w http.ResponseWriter) {
	if t := h.opts.WriteTimeout; t > 0 {
		setWriteDeadline(w, time.Now().Add(t))
	}
}

// setWriteDeadline is setReadDeadline for writes.
func setWriteDeadline(w http.ResponseWriter, t time.Time) bool {
	if d, ok := w.(deadliner); ok {
		return d.SetWriteDeadline(t) == nil
	}
	if _, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok {
		return http.NewResponseController(w).SetWriteDeadline(t) == nil
	}
	return false
}

// streamWriteTimeout is the deadline of one write to an SSE stream: Options.WriteTimeout, and
// never longer than the session idle timeout, since a blocked stream must not keep its session
// alive longer than an idle one lives. Zero or less means no deadline.
func (h *Handler) streamWriteTimeout() time.Duration {
	t := h.opts.WriteTimeout
	if idle := h.opts.SessionIdleTimeout; idle > 0 && (t <= 0 || idle < t) {
		t = idle
	}
	return t
}
