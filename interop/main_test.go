// Package interop checks that minimcp works with the official MCP Go SDK client
// (github.com/modelcontextprotocol/go-sdk) over every transport minimcp serves. It is a
// separate module so the main module never depends on the SDK; it requires the main module
// through a replace of the parent directory. The SDK tests drive the built `minimcp` binary the
// way a user would, not its packages; client_test.go drives minimcp's public client package
// against that binary and against foreign servers (the SDK's conformance everything-server, a
// TypeScript SDK v2 server) that .ci/interop.sh starts and names in environment variables.
//
//	cd interop && go test -count=1 ./...
//
// TestMain builds the binary from the parent module into a temporary directory, unless
// MINIMCP_BIN names one already built (as .ci/interop.sh does, to build once for every
// client).
package interop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// minimcpBin is the path of the minimcp binary under test, set by TestMain.
var minimcpBin string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain is TestMain's body, in a function so deferred cleanups run before os.Exit.
func runMain(m *testing.M) int {
	if bin := os.Getenv("MINIMCP_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			fmt.Fprintf(os.Stderr, "interop: MINIMCP_BIN=%q: %v\n", bin, err)
			return 2
		}
		minimcpBin = abs
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "minimcp-interop-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop: %v\n", err)
		return 2
	}
	defer os.RemoveAll(dir)
	minimcpBin = filepath.Join(dir, "minimcp")
	build := exec.Command("go", "build", "-o", minimcpBin, "./cmd/minimcp")
	build.Dir = ".." // the main module, whose go.mod is the parent directory's
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "interop: building minimcp: %v\n", err)
		return 2
	}
	return m.Run()
}
