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
	if everywhere {
		h.ended(s)
	}
}

// idleEverywhere reports whether no replica used s within the idle limit, by the shared
// store's account (this replica's own last use reported with the question).
func (h *Handler) idleEverywhere(ctx context.Context, s *session, now time.Time) bool {
	sctx, cancel := h.storeCtx(ctx)
	last, err := h.store.Touch(sctx, s.id, time.Unix(0, s.lastActive.Load()))
	cancel()
	if errors.Is(err, ErrSessionNotFound) {
		return true
	}
	if err != nil {
		h.opts.Metrics.storeError(storeSessions)
		h.opts.Logger.WarnContext(ctx, "server: reading the session before expiry failed; only this replica's copy goes", "session", s.id, "err", err)
		return false
	}
	return now.Sub(last) > h.idleLimit()
}

// publish reports to the shared store the sessions this replica had in use since the last
// sweep: busy ones at now, the others when they were last active (a failed report is not
// retried; the session's next use is reported). A session whose record is gone (deleted or
// expired by another replica) goes here too, streams and all.
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
		if at > h.lastReport {
			touches = append(touches, touch{s, at})
		}
	}
	h.mu.RUnlock()
	ctx := context.Background()
	for _, t := range touches {
		sctx, cancel := h.storeCtx(ctx)
		_, err := h.store.Touch(sctx, t.s.id, time.Unix(0, t.at))
		cancel()
		switch {
		case errors.Is(err, ErrSessionNotFound):
			h.remove(t.s)
		case err != nil:
			h.opts.Metrics.storeError(storeSessions)
			h.opts.Logger.WarnContext(ctx, "server: reporting session activity failed", "session", t.s.id, "err", err)
		}
	}
	h.lastReport = now.UnixNano()
}
