package client_test

import (
	"os"
	"testing"

	"github.com/minimcp/minimcp/internal/leak"
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	cleanup := buildMinimcp()
	defer cleanup()
	return leak.Check(m)
}
