package server

import "time"

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

// expired reports whether s has been idle for longer than the timeout at now.
func (h *Handler) expired(s *session, now time.Time) bool {
	return h.opts.SessionIdleTimeout > 0 && s.idleFor(now) > h.opts.SessionIdleTimeout
}

// expireIdle removes the sessions idle for longer than the timeout at now.
func (h *Handler) expireIdle(now time.Time) {
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
		h.cleanup(s)
	}
}
