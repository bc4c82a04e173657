package rpc_test

import (
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/minimcp/minimcp/internal/leak"
)

func TestMain(m *testing.M) {
	os.Exit(leak.Check(m))
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
