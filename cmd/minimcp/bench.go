package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/cliflag"
	"github.com/minimcp/minimcp/internal/loadgen"
	"github.com/minimcp/minimcp/internal/mcphttp"
	"github.com/minimcp/minimcp/mcp"
)

// `minimcp bench URL` runs internal/loadgen's closed-loop load generator: this file holds its
// flags; loadgen prints the report.

// Limits of the bench flags.
const (
	maxBenchConcurrency = 10_000
	maxBenchRequests    = 100_000_000
	maxBenchDuration    = time.Hour
)

func init() {
	register("bench", "load-test an MCP endpoint", runBench)
}

// benchConfig is what a bench command line asks for: the run, and how to print its report.
type benchConfig struct {
	loadgen.Config
	json bool // --json
}

// runBench is "minimcp bench URL".
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := parseBenchArgs(args, stderr)
	if cfg == nil {
		return code
	}
	rep, err := loadgen.Run(ctx, &cfg.Config, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "minimcp: bench: %v\n", err)
		return codeProtocol
	}
	if cfg.json {
		loadgen.WriteJSON(stdout, rep)
	} else {
		loadgen.WriteText(stdout, rep)
	}
	if rep.Errors > 0 {
		return codeFailed
	}
	return codeOK
}

// parseBenchArgs parses and checks a bench command line. It returns nil and the exit code when
// the command should stop: 0 after --help, 2 after a usage error (already reported).
func parseBenchArgs(args []string, stderr io.Writer) (*benchConfig, int) {
	const synopsis = "bench [flags] URL"
	fs := cliflag.NewFlagSet("bench", synopsis)
	fs.SetOutput(stderr)
	cfg := &benchConfig{}
	var cf clientFlags
	cf.register(fs, loadgen.DefaultTimeout, "time limit for each request")
	fs.IntVar(&cfg.Concurrency, "c", loadgen.DefaultConcurrency, "short for --concurrency")
	fs.IntVar(&cfg.Concurrency, "concurrency", loadgen.DefaultConcurrency, "number of workers, each sending requests back to back (at most 10000)")
	fs.Int64Var(&cfg.Requests, "n", 0, "short for --requests")
	fs.Int64Var(&cfg.Requests, "requests", 0, "measure this many requests in all (at most 100000000), instead of --duration")
	fs.DurationVar(&cfg.Duration, "d", 0, "short for --duration")
	fs.DurationVar(&cfg.Duration, "duration", 0, "measure for this long (at most 1h); 10s when neither --requests nor --duration is given")
	fs.StringVar(&cfg.Mode, "mode", "auto", "auto (modern if server/discover offers 2026-07-28, else stateful if initialize gets a session id, else stateless), modern (2026-07-28 requests, each on its own), stateless (2025 tools/call without a session) or stateful (a session per worker)")
	fs.StringVar(&cfg.Tool, "tool", "echo", "the tool to call")
	args0 := fs.String("args", `{"text":"hello"}`, "the tool's arguments, a JSON object")
	fs.DurationVar(&cfg.Warmup, "warmup", 0, "send requests for this long before measuring (at most 1h)")
	fs.BoolVar(&cfg.json, "json", false, "print the report as one JSON object")
	fs.BoolVar(&cfg.NetHTTP, "net-http", false, "send with net/http's client instead of bench's own HTTP/1.1 connections (https and proxies always use net/http)")

	pos, code := cliflag.Parse(fs, args)
	if code >= 0 {
		return nil, code
	}
	aliases := [][2]string{{"c", "concurrency"}, {"n", "requests"}, {"d", "duration"}}
	cliflag.SyncAliases(fs, aliases)
	onCommandLine := cliflag.Visited(fs)
	if err := cliflag.ApplyEnv(fs); err != nil {
		return nil, cliflag.UsageError(fs, err.Error())
	}
	cliflag.SyncAliases(fs, aliases)
	given := cliflag.Visited(fs)
	if given["requests"] && given["duration"] {
		// A flag on the command line beats the other one's environment variable.
		switch {
		case onCommandLine["requests"] && !onCommandLine["duration"]:
			cfg.Duration = 0
		case onCommandLine["duration"] && !onCommandLine["requests"]:
			cfg.Requests = 0
		default:
			return nil, cliflag.UsageError(fs, "give --requests (-n) or --duration (-d), not both")
		}
	}

	fail := func(format string, a ...any) (*benchConfig, int) {
		return nil, cliflag.UsageError(fs, fmt.Sprintf(format, a...))
	}
	if code := cliflag.CheckArgs(fs, pos, synopsis); code >= 0 {
		return nil, code
	}
	if err := cliflag.CheckURL(pos[0]); err != nil {
		return nil, cliflag.UsageLine(fs, err.Error())
	}
	if _, err := mcphttp.New(pos[0], nil); err != nil {
		return fail("%v", err)
	}
	cfg.URL = pos[0]
	switch {
	case cfg.Concurrency < 1 || cfg.Concurrency > maxBenchConcurrency:
		return fail("--concurrency %d is out of range: want 1 to %d", cfg.Concurrency, maxBenchConcurrency)
	case cfg.Requests < 0 || cfg.Requests > maxBenchRequests:
		return fail("--requests %d is out of range: want 1 to %d", cfg.Requests, maxBenchRequests)
	case given["requests"] && cfg.Requests == 0 && cfg.Duration == 0:
		return fail("--requests must be at least 1")
	case cfg.Duration < 0 || cfg.Duration > maxBenchDuration:
		return fail("--duration %v is out of range: want up to %v", cfg.Duration, maxBenchDuration)
	case given["duration"] && cfg.Duration == 0 && cfg.Requests == 0:
		return fail("--duration must be positive")
	case cfg.Warmup < 0 || cfg.Warmup > maxBenchDuration:
		return fail("--warmup %v is out of range: want 0 to %v", cfg.Warmup, maxBenchDuration)
	case cf.timeout <= 0 || cf.timeout > maxBenchDuration:
		return fail("--timeout %v is out of range: want more than 0 and up to %v", cf.timeout, maxBenchDuration)
	case cfg.Mode != "auto" && cfg.Mode != "modern" && cfg.Mode != "stateless" && cfg.Mode != "stateful":
		return fail("--mode %q: want auto, modern, stateless or stateful", cfg.Mode)
	case cfg.Tool == "":
		return fail("--tool must not be empty")
	}
	a := bytes.TrimSpace([]byte(*args0))
	if !json.Valid(a) || len(a) == 0 || a[0] != '{' {
		return fail("--args %q is not a JSON object", *args0)
	}
	if cfg.Requests == 0 && cfg.Duration == 0 {
		cfg.Duration = loadgen.DefaultDuration
	}
	if err := checkProtocolVersion(cf.protocolVersion); err != nil {
		return fail("%v", err)
	}
	if v := cf.protocolVersion; v != "" {
		switch modern := mcp.IsModernVersion(v); {
		case cfg.Mode == "auto" && modern:
			cfg.Mode = "modern"
		case cfg.Mode == "modern" && !modern:
			return fail("--mode modern sends per-request versions (%s); %s is negotiated by initialize", strings.Join(mcp.ModernVersions(), ", "), v)
		case (cfg.Mode == "stateless" || cfg.Mode == "stateful") && modern:
			return fail("--mode %s sends the versions initialize negotiates; %s is per request (--mode modern)", cfg.Mode, v)
		}
	}
	cfg.ProtocolVersion = cf.protocolVersion
	cfg.Args = a
	cfg.Timeout = cf.timeout
	cfg.Header = cf.headers.Header
	cfg.Version = version
	cfg.AuthToken = cf.authToken
	return cfg, 0
}
