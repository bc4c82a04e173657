// Package serving runs what `minimcp serve` configures: it builds the mcp.Server (the built-in
// demo set of internal/builtin, or what internal/manifest loads from --manifest and
// --openapi), carries it over Streamable HTTP ([HTTP], server.Handler behind server.Serve) or
// stdio ([Stdio]), serves /metrics and pprof on a listener of their own ([Metrics]), and
// shuts down within the configured time.
//
//	logger := serving.NewLogger(os.Stderr, cfg)
//	srv, tools, closeTools, err := serving.NewServer(cfg, logger)
//	if err != nil {
//		return err
//	}
//	defer closeTools()
//	code := serving.HTTP(ctx, cfg, srv, tools, logger, &serving.IO{Stdout: os.Stdout, Stderr: os.Stderr})
//
// [Config] is what the serve flags say, parsed and checked by cmd/minimcp, which keeps the
// flags, their environment variables and their help.
package serving
