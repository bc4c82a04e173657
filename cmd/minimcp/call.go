package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/internal/bearer"
	"github.com/minimcp/minimcp/internal/clicmd"
	"github.com/minimcp/minimcp/internal/cliflag"
	"github.com/minimcp/minimcp/mcp"
)

// Exit codes of the commands: see internal/clicmd.
const (
	codeOK       = clicmd.ExitOK
	codeFailed   = clicmd.ExitFailed
	codeUsage    = clicmd.ExitUsage
	codeProtocol = clicmd.ExitProtocol
)

// defaultCallTimeout bounds a whole tools or call command.
const defaultCallTimeout = 30 * time.Second

func init() {
	register("tools", "list an endpoint's tools", runTools)
	register("call", "call one tool and print its result", runCall)
}

// runTools is "minimcp tools URL" (clicmd.Tools).
func runTools(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "tools [flags] URL"
	fs := cliflag.NewFlagSet("tools", synopsis)
	fs.SetOutput(stderr)
	var cf clientFlags
	cf.register(fs, defaultCallTimeout, "time limit for the whole command")
	asJSON := fs.Bool("json", false, "print the raw tools array as JSON")
	pos, code := parseClientArgs(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if code := cliflag.CheckArgs(fs, pos, synopsis); code >= 0 {
		return code
	}
	return withClient(ctx, pos[0], &cf, fs, stderr, func(ctx context.Context, c *client.Client) int {
		return clicmd.Tools(ctx, c, &clicmd.Output{Stdout: stdout, Stderr: stderr, JSON: *asJSON})
	})
}

// runCall is "minimcp call URL TOOL [JSON]" (clicmd.Call).
func runCall(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "call [flags] URL TOOL [JSON-ARGUMENTS]"
	fs := cliflag.NewFlagSet("call", synopsis)
	fs.SetOutput(stderr)
	var cf clientFlags
	cf.register(fs, defaultCallTimeout, "time limit for the whole command")
	asJSON := fs.Bool("json", false, "print the whole result as JSON")
	pos, code := parseClientArgs(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if code := cliflag.CheckArgs(fs, pos, synopsis); code >= 0 {
		return code
	}
	toolArgs := json.RawMessage(`{}`)
	if len(pos) == 3 {
		toolArgs = json.RawMessage(strings.TrimSpace(pos[2]))
		if !json.Valid(toolArgs) || len(toolArgs) == 0 || toolArgs[0] != '{' {
			return usageError(fs, stderr, fmt.Sprintf("call: the arguments %q are not a JSON object", pos[2]))
		}
	}
	return withClient(ctx, pos[0], &cf, fs, stderr, func(ctx context.Context, c *client.Client) int {
		return clicmd.Call(ctx, c, pos[1], toolArgs, &clicmd.Output{Stdout: stdout, Stderr: stderr, JSON: *asJSON})
	})
}

// parseClientArgs parses a client command's flags and environment. It returns the positional
// arguments and -1, or the exit code to return at once (0 for --help, 2 for bad flags).
func parseClientArgs(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, int) {
	pos, code := cliflag.Parse(fs, args)
	if code >= 0 {
		return nil, code
	}
	if err := cliflag.ApplyEnv(fs); err != nil {
		return nil, cliflag.UsageError(fs, err.Error())
	}
	return pos, -1
}

// usageError reports msg, which starts with the command's name ("call: ..."), in one line
// (see [cliflag.UsageError]) and returns the usage exit code.
func usageError(fs *flag.FlagSet, _ io.Writer, msg string) int {
	return cliflag.UsageError(fs, strings.TrimPrefix(msg, fs.Name()+": "))
}

// withClient checks the connection flags and URL (a bad one is a usage error, exit 2), then
// runs f with a client connected to rawURL (clicmd.Run): f's exit code, or 3 when connecting
// fails.
func withClient(ctx context.Context, rawURL string, cf *clientFlags, fs *flag.FlagSet, stderr io.Writer, f func(context.Context, *client.Client) int) int {
	if cf.timeout <= 0 {
		return usageError(fs, stderr, fmt.Sprintf("%s: --timeout must be positive", fs.Name()))
	}
	if err := cliflag.CheckURL(rawURL); err != nil {
		return cliflag.UsageLine(fs, err.Error())
	}
	if err := checkProtocolVersion(cf.protocolVersion); err != nil {
		return usageError(fs, stderr, fs.Name()+": "+err.Error())
	}
	return clicmd.Run(ctx, &clicmd.Conn{URL: rawURL, Timeout: cf.timeout, Header: cf.headers.Header,
		AuthToken: cf.authToken, ProtocolVersion: cf.protocolVersion, Version: version}, stderr, f)
}

// clientFlags are the connection flags shared by tools, call and bench.
type clientFlags struct {
	timeout   time.Duration
	headers   cliflag.Headers
	authToken string
	// protocolVersion pins the protocol version (--protocol-version); "" lets connect pick.
	protocolVersion string
}

// register adds --timeout (with the given default and meaning), --header, --protocol-version
// and --auth-token.
func (f *clientFlags) register(fs *flag.FlagSet, timeout time.Duration, timeoutUsage string) {
	fs.DurationVar(&f.timeout, "timeout", timeout, timeoutUsage)
	fs.Var(&f.headers, "header", "extra request header 'Name: value' (repeatable; one per line in the environment variable)")
	fs.StringVar(&f.protocolVersion, "protocol-version", "", "protocol version to speak: "+strings.Join(mcp.AllVersions(), ", ")+
		" (default: 2026-07-28 when server/discover offers it, else initialize's latest)")
	fs.Var((*tokenFlag)(&f.authToken), "auth-token", "bearer token sent as 'Authorization: Bearer TOKEN'; @FILE reads the first token of a file (as serve's --auth-token files)")
}

// tokenFlag is the --auth-token of the client commands: a token, or @FILE for the first
// token of a file written as for serve's --auth-token (one token per line, optionally
// followed by a principal; blank lines and lines starting with # skipped), so that a token
// need not appear in the command line or the environment.
type tokenFlag string

// String returns "": a token is not shown in usage texts.
func (f *tokenFlag) String() string { return "" }

func (f *tokenFlag) Set(v string) error {
	file, isFile := strings.CutPrefix(v, "@")
	if !isFile {
		*f = tokenFlag(v)
		return nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tok := strings.Fields(line)[0]
		if !bearer.ValidText(tok) {
			return errors.New("a token must be printable ASCII without spaces")
		}
		*f = tokenFlag(tok)
		return nil
	}
	return errors.New("the file holds no token")
}

// checkProtocolVersion checks a --protocol-version value: empty, or a version this client
// speaks.
func checkProtocolVersion(v string) error {
	if v == "" || slices.Contains(mcp.AllVersions(), v) {
		return nil
	}
	return fmt.Errorf("--protocol-version %q: want one of %s", v, strings.Join(mcp.AllVersions(), ", "))
}
