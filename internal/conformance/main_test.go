package conformance

import (
	"os"
	"testing"

	"github.com/minimcp/minimcp/internal/leak"
)

// TestMain fails the run if a test leaves goroutines behind (house style §5): tasks,
// streams and sessions of the server that were not shut down.
func TestMain(m *testing.M) { os.Exit(leak.Check(m)) }
