package fuzz

import (
	"os"
	"testing"

	"github.com/minimcp/minimcp/internal/leak"
)

// TestMain fails the run if a target leaves goroutines behind: the servers FuzzStreamablePost
// starts are shut down when it ends.
func TestMain(m *testing.M) { os.Exit(leak.Check(m)) }
