package rrproxy_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run when a goroutine outlives the tests (a stream the proxy kept
// open, a server not closed).
func TestMain(m *testing.M) {
	code := m.Run()
	if code != 0 {
		os.Exit(code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		leaked := leakedGoroutines()
		if len(leaked) == 0 {
			os.Exit(0)
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "rrproxy: %d goroutine(s) outlived the tests:\n\n%s\n", len(leaked), strings.Join(leaked, "\n\n"))
			os.Exit(1)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// leakedGoroutines returns the stacks of the goroutines that are neither the test runner's
// nor the runtime's.
func leakedGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		switch {
		case strings.TrimSpace(g) == "",
			strings.Contains(g, "rrproxy_test.leakedGoroutines("),
			strings.Contains(g, "testing.(*M).Run("),
			strings.Contains(g, "os/signal.loop"),
			strings.Contains(g, "runtime.ensureSigM"):
			continue
		}
		out = append(out, g)
	}
	return out
}
