package server

import (
	"context"
	"errors"
	"time"
)

// sweepInterval is how often the sweeper looks for idle sessions: a quarter of the timeout,
// within [1s, 1m]. Lookups check expiry themselves, so the interval bounds only how long an
// expired session's memory lingers.
func sweepInterval(timeout time.Duration) time.Duration {
	return min(max(timeout/4, time.Second), time.Minute)
}

// startSweeper starts the sweeper goroutine once, unless sessions never expire or Shutdown
// has begun.
func (h *Handler) startSweeper() {
	h.sweepMu.Lock()
	defer h.sweepMu.Unlock()
	if h.sweeping || h.stopped || h.opts.SessionIdleTimeout < 0 {
		return
	}
	h.sweeping = true
	go h.sweep()
}

// sweep removes idle sessions until Shutdown; it is owned by the Handler, which waits for
// sweepDone.
func (h *Handler) sweep() {
	defer close(h.sweepDone)
	t := time.NewTicker(sweepInterval(h.opts.SessionIdleTimeout))
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case now := <-t.C:
			h.expireIdle(now)
		}
	}
}

// idleLimit is how long a session may stay idle on this replica: the timeout, plus with a
// shared store a sweep interval, that long another replica's activity may wait for its next
// sweep to be reported (publish).
func (h *Handler) idleLimit() time.Duration {
	if h.shared {
		return h.opts.SessionIdleTimeout + sweepInterval(h.opts.SessionIdleTimeout)
	}
	return h.opts.SessionIdleTimeout
}

// expired reports whether s has been idle here for longer than the limit at now.
func (h *Handler) expired(s *session, now time.Time) bool {
	return h.opts.SessionIdleTimeout > 0 && s.idleFor(now) > h.idleLimit()
}

// expireIdle removes the sessions idle for longer than the timeout at now. With a shared
// store it first reports this replica's activity there, and asks it before removing a
// session everywhere.
func (h *Handler) expireIdle(now time.Time) {
	if h.shared {
		h.publish(now)
		var idle []*session
		h.mu.RLock()
		for _, s := range h.live {
			if h.expired(s, now) {
				idle = append(idle, s)
			}
		}
		h.mu.RUnlock()
		for _, s := range idle {
			h.expire(context.Background(), s, now)
		}
		return
	}
	var expired []*session
	h.mu.Lock()
	for id, s := range h.live {
		if h.expired(s, now) {
			delete(h.live, id)
			h.deleteRecordLocked(s)
			expired = append(expired, s)
		}
	}
	h.mu.Unlock()
	for _, s := range expired {
		h.release(s, true)
	}
}

// expire removes s, found expired at now, unless a request found it first. With a shared
// store only this replica's copy goes while another replica used the session lately.
func (h *Handler) expire(ctx context.Context, s *session, now time.Time) {
	everywhere := !h.shared || h.idleEverywhere(ctx, s, now)
	h.mu.Lock()
	if h.live[s.id] != s || !h.expired(s, now) {
		h.mu.Unlock()
		return
	}
	delete(h.live, s.id)
	if everywhere {
		h.deleteRecordLocked(s)
	}
	h.mu.Unlock()
	h.release(s, everywhere)
}

// idleEverywhere reports whether the shared store's record of s shows no replica used it
// within the idle limit.
func (h *Handler) idleEverywhere(ctx context.Context, s *session, now time.Time) bool {
	rec, err := h.store.Load(ctx, s.id)
	if errors.Is(err, ErrSessionNotFound) {
		return true
	}
	if err != nil {
		h.opts.Logger.WarnContext(ctx, "server: reading the session before expiry failed; only this replica's copy goes", "session", s.id, "err", err)
		return false
	}
	last := s.lastActive.Load()
	for _, t := range [...]time.Time{rec.Created, rec.LastActive} {
		if !t.IsZero() { // a zero Time has no unix nanoseconds
			last = max(last, t.UnixNano())
		}
	}
	return now.Sub(time.Unix(0, last)) > h.idleLimit()
}

// publish reports to the shared store the sessions this replica had in use since the last
// sweep: busy ones at now, the others when they were last active. A session whose record
// is gone (deleted or expired by another replica) goes here too, streams and all.
func (h *Handler) publish(now time.Time) {
	type touch struct {
		s  *session
		at int64
	}
	var touches []touch
	h.mu.RLock()
	for _, s := range h.live {
		at := s.lastActive.Load()
		if s.busy.Load() > 0 {
			at = now.UnixNano()
		}
		if at > s.published.Load() {
			touches = append(touches, touch{s, at})
		}
	}
	h.mu.RUnlock()
	ctx := context.Background()
	for _, t := range touches {
		err := h.store.Touch(ctx, t.s.id, time.Unix(0, t.at))
		switch {
		case errors.Is(err, ErrSessionNotFound):
			h.remove(t.s)
		case err != nil:
			h.opts.Logger.WarnContext(ctx, "server: reporting session activity failed", "session", t.s.id, "err", err)
		default:
			t.s.published.Store(t.at)
		}
	}
}
