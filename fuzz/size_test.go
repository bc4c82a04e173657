package fuzz

import (
	"bytes"
	"context"
	"testing"

	"github.com/minimcp/minimcp/rpc"
)

// TestOversizedInput runs the fuzz targets' check on inputs just over the size limit, which
// the fuzzer rarely builds: one error, id null, whatever the input holds.
func TestOversizedInput(t *testing.T) {
	pad := bytes.Repeat([]byte{' '}, rpc.DefaultMaxMessageBytes)
	for name, in := range map[string][]byte{
		"request":            append([]byte(`{"jsonrpc":"2.0","id":1,"method":"x"}`), pad...),
		"notifications only": append(append([]byte(`[{"jsonrpc":"2.0","method":"x"}`), pad...), ']'),
		"not JSON":           append([]byte(`{"x`), pad...),
	} {
		t.Run(name, func(t *testing.T) {
			checkReply(t, in, rpc.Serve(context.Background(), fuzzHandler, in, quiet))
		})
	}
}
