package openapi_test

import (
	"os"
	"testing"

	"github.com/minimcp/minimcp/internal/leak"
)

func TestMain(m *testing.M) { os.Exit(leak.Check(m)) }
