package loadgen

import (
	"os"
	"testing"

	"github.com/minimcp/minimcp/internal/leak"
)

// TestMain fails the run if a test leaves goroutines behind (house style §5): workers, the
// progress line, connections of transports that were not closed.
func TestMain(m *testing.M) { os.Exit(leak.Check(m)) }
