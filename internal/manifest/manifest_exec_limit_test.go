package manifest

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExecAcquire checks the two limits of programs at once: a call beyond one waits for a
// slot, gets it when a run ends, and is busy when no slot comes free for it within the
// tool's timeout (one that ends may go to a call that waited longer).
func TestExecAcquire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		limit := newExecLimit(2)
		a := &execTool{arg0: "a", timeout: 30 * time.Second, slots: make(execSlots, 1), limit: limit}
		b := &execTool{arg0: "b", timeout: 10 * time.Second, slots: make(execSlots, 5), limit: limit}
		ctx := t.Context()

		releaseA, busy, err := a.acquire(ctx)
		require.NoError(t, err)
		require.Empty(t, busy)

		// The tool's own limit: a second run of a waits, and gets the slot the first gives back.
		got := make(chan string) // receives the second acquire's busy text; never closed
		go func() {
			release, busy, err := a.acquire(ctx)
			assert.NoError(t, err)
			if release != nil {
				release()
			}
			got <- busy
		}()
		synctest.Wait()
		select {
		case <-got:
			t.Fatal("a second run of a did not wait for the first")
		default:
		}
		releaseA()
		assert.Empty(t, <-got)

		// ... and is busy when none ends in time.
		releaseA, _, _ = a.acquire(ctx)
		start := time.Now()
		_, busy, err = a.acquire(ctx)
		require.NoError(t, err)
		assert.Equal(t, "a is busy: all 1 of its slots are taken (exec.maxProcesses), and none came free for this call within 30s", busy)
		assert.Equal(t, 30*time.Second, time.Since(start))

		// The server's limit: with a and b running, a second run of b waits for the total.
		releaseB, _, err := b.acquire(ctx)
		require.NoError(t, err)
		_, busy, err = b.acquire(ctx)
		require.NoError(t, err)
		assert.Equal(t, "b is busy: all 2 program slots of the server are taken (--max-processes), and none came free for this call within 10s", busy)
		assert.Len(t, b.slots, 1, "a run that found the server busy gave its tool's slot back")

		// A call cancelled while it waits returns the cancellation, not a busy result.
		cctx, cancel := context.WithCancel(ctx)
		go func() {
			_, _, err := b.acquire(cctx)
			assert.ErrorIs(t, err, context.Canceled)
			got <- ""
		}()
		synctest.Wait()
		cancel()
		<-got
		releaseA()
		releaseB()
		assert.Empty(t, limit.slots)
	})
}
