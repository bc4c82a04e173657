package httpwire

import (
	"os"
	"testing"

	"github.com/minimcp/minimcp/internal/leak"
)

// TestMain fails the run if a test leaves goroutines behind (house style §5): connections of
// transports that were not closed, streams left open.
func TestMain(m *testing.M) { os.Exit(leak.Check(m)) }
