// Package leak fails a test binary whose tests leave goroutines running.
//
// Every package that starts goroutines calls it from TestMain (house style §5):
//
//	func TestMain(m *testing.M) { os.Exit(leak.Check(m)) }
package leak

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Check runs the tests and then waits up to a few seconds for goroutines started by them to
// exit. If some remain, it prints their stacks and returns a non-zero exit code.
//
// The wait is for goroutines that are already finishing (an http.Server's connection
// goroutines after Close, say); it does not make a test pass that leaks one for good.
func Check(m *testing.M) int {
	code := m.Run()
	if code != 0 {
		return code
	}
	var leaked []string
	deadline := time.Now().Add(5 * time.Second)
	for {
		leaked = interesting()
		if len(leaked) == 0 {
			return 0
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "leak: %d goroutine(s) outlived the tests:\n\n%s\n", len(leaked), strings.Join(leaked, "\n\n"))
	return 1
}

// interesting returns the stacks of goroutines that are not part of the runtime or the test
// framework.
func interesting() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		switch {
		case strings.Contains(g, "leak.interesting("),
			strings.Contains(g, "testing.(*M).Run("),
			strings.Contains(g, "testing.tRunner("),
			strings.Contains(g, "testing.runFuzzing("),
			strings.Contains(g, "signal.signal_recv"),
			strings.Contains(g, "runtime.goexit") && strings.Contains(g, "created by runtime.gc"),
			strings.Contains(g, "runtime.ensureSigM"),
			strings.Contains(g, "os/signal.loop"),
			strings.Contains(g, "internal/poll.runtime_pollWait") && strings.Contains(g, "testing.(*M)"):
			continue
		}
		if strings.TrimSpace(g) == "" {
			continue
		}
		out = append(out, g)
	}
	return out
}
