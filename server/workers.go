package server

import "time"

// workerIdle is how long a worker waits for its next request before it exits.
const workerIdle = 10 * time.Second

/*
Design note: handler goroutines for polling.

With Options.Polling a handler may end its POST's connection and go on working, so it cannot
run on the goroutine of the HTTP request, which must return. It runs on a worker instead, a
goroutine that serves one request after another. A goroutine started per request would do
too, but it starts with a small stack and grows it by copying as the handler's frames need
(JSON decoding, schema validation): 6-9 µs more for a 2.5 µs tools/call, measured with
BenchmarkPostToolsCall/stateful-polling. A worker keeps its grown stack; what remains is the
hand-off between two goroutines, 1.6-2.8 µs.

The Handler owns the workers. One starts when a request finds none idle; an idle one exits
after workerIdle, or at once when Shutdown begins; each counts as active, so Shutdown waits
for it. There are never more workers than polling requests were in flight at once.
*/

// runWorker runs f on an idle worker, or on a new one if none waits.
func (h *Handler) runWorker(f func()) {
	select {
	case h.tasks <- f:
		return
	default:
	}
	h.enterActive()
	go h.work(f)
}

// work runs f, then the tasks handed to it, until it has been idle for workerIdle or
// Shutdown begins.
func (h *Handler) work(f func()) {
	defer h.leaveActive()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		f()
		idle.Reset(workerIdle)
		select {
		case f = <-h.tasks:
		case <-idle.C:
			return
		case <-h.stop:
			return
		}
	}
}
