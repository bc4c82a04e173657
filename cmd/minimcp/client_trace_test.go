package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClientTrace: call propagates the trace context of TRACEPARENT (and TRACESTATE, BAGGAGE)
// to the server, as the W3C headers in a 2025 session and in _meta at 2026-07-28: the
// server's access log shows its trace id for both.
func TestClientTrace(t *testing.T) {
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	t.Setenv("TRACEPARENT", "00-"+traceID+"-00f067aa0ba902b7-01")
	t.Setenv("TRACESTATE", "rojo=00f067aa0ba902b7")
	for _, version := range []string{"2025-11-25", "2026-07-28"} {
		t.Run(version, func(t *testing.T) {
			r := startServe(t)
			code, out, errOut := runCmd(t, runCall, "--protocol-version", version, r.base+"/mcp", "echo", `{"text":"traced"}`)
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, "traced")
			var line string
			for l := range strings.SplitSeq(r.logs.String(), "\n") {
				if strings.Contains(l, "method=tools/call") {
					line = l
				}
			}
			assert.Contains(t, line, "protocol="+version)
			assert.Contains(t, line, "trace_id="+traceID)
		})
	}
}
