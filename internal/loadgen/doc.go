// Package loadgen is the closed-loop load generator behind `minimcp bench`: a number of
// workers call one tool back to back against an MCP endpoint (a session each, stateless, or
// 2026-07-28 requests that stand alone, learnt from the server when asked), and the run ends
// in a [Report] of throughput, latency percentiles, errors by kind and the share of each
// replica that answered (X-Served-By).
//
//	rep, err := loadgen.Run(ctx, &loadgen.Config{URL: "http://127.0.0.1:8080/mcp", Requests: 10000}, os.Stderr)
//	if err != nil {
//		return err // errors.Is(err, loadgen.ErrUnreachable): nothing was measured
//	}
//	loadgen.WriteText(os.Stdout, rep)
//
// The session set-up goes through internal/mcphttp; the hot loop sends each request on a
// connection of the worker's own (conn.go).
package loadgen
