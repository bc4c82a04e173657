package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/internal/httptoken"
	"github.com/minimcp/minimcp/mcp"
)

// Exit codes of the client commands (tools, call, bench).
const (
	// codeOK: everything succeeded.
	codeOK = 0
	// codeFailed: the tool reported an error (call), or some requests failed (bench).
	codeFailed = 1
	// codeUsage: bad flags or arguments.
	codeUsage = 2
	// codeProtocol: the server could not be reached, or broke the protocol.
	codeProtocol = 3
)

// defaultCallTimeout bounds a whole tools or call command.
const defaultCallTimeout = 30 * time.Second

// closeTimeout bounds the DELETE that ends a command's session.
const closeTimeout = 5 * time.Second

func init() {
	register("tools", "list an endpoint's tools", runTools)
	register("call", "call one tool and print its result", runCall)
}

// runTools is "minimcp tools URL": one line per tool, its name and its description, or with
// --json the tools array as the server sent it.
func runTools(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "tools [flags] URL"
	fs := newFlagSet("tools", synopsis)
	fs.SetOutput(stderr)
	var cf clientFlags
	cf.register(fs, defaultCallTimeout, "time limit for the whole command")
	asJSON := fs.Bool("json", false, "print the raw tools array as JSON")
	pos, code := parseClientArgs(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if code := checkArgs(fs, pos, synopsis); code >= 0 {
		return code
	}
	return withClient(ctx, pos[0], &cf, fs, stderr, func(ctx context.Context, c *client.Client) int {
		tools, err := listToolsRaw(ctx, c)
		if err != nil {
			fmt.Fprintf(stderr, "minimcp: %v\n", err)
			return codeProtocol
		}
		if *asJSON {
			arr := []byte{'['}
			for i, t := range tools {
				if i > 0 {
					arr = append(arr, ',')
				}
				arr = append(arr, t...)
			}
			writeJSON(stdout, append(arr, ']'))
			return codeOK
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for i, raw := range tools {
			var t struct {
				Name        string `json:"name"`
				Description string `json:"description"`
			}
			if err := json.Unmarshal(raw, &t); err != nil {
				fmt.Fprintf(stderr, "minimcp: %s: malformed reply: tools[%d]: %v\n", mcp.MethodToolsList, i, err)
				return codeProtocol
			}
			// A description may span lines; the listing keeps one line per tool.
			fmt.Fprintf(tw, "%s\t%s\n", oneLine(t.Name), oneLine(t.Description))
		}
		tw.Flush()
		return codeOK
	})
}

// maxToolPages bounds the tools/list pages listToolsRaw follows.
const maxToolPages = 1000

// listToolsRaw returns every tool of the server as the server sent it, following nextCursor
// (MCP 2025-11-25, Server § Tools, Listing Tools; Utilities § Pagination), so that --json
// prints what the server said rather than what this build decodes of it.
func listToolsRaw(ctx context.Context, c *client.Client) ([]json.RawMessage, error) {
	all := []json.RawMessage{}
	seen := map[string]bool{}
	var params any
	for range maxToolPages {
		raw, err := c.Call(ctx, mcp.MethodToolsList, params)
		if err != nil {
			return nil, err
		}
		var page struct {
			Tools      []json.RawMessage `json:"tools"`
			NextCursor string            `json:"nextCursor"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, fmt.Errorf("%s: malformed reply: result: %v", mcp.MethodToolsList, err)
		}
		all = append(all, page.Tools...)
		if page.NextCursor == "" {
			return all, nil
		}
		// Utilities § Pagination: cursors are opaque, but one seen before means a loop.
		if seen[page.NextCursor] {
			return nil, fmt.Errorf("%s: malformed reply: nextCursor %q repeats an earlier page", mcp.MethodToolsList, page.NextCursor)
		}
		seen[page.NextCursor] = true
		params = &mcp.PaginatedParams{Cursor: page.NextCursor}
	}
	return nil, fmt.Errorf("%s: malformed reply: more than %d pages", mcp.MethodToolsList, maxToolPages)
}

// runCall is "minimcp call URL TOOL [JSON]": it prints each text block of the result on its own
// line and any other block as one line of JSON, or with --json the whole result. A result with
// isError goes to stderr and exits 1.
func runCall(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "call [flags] URL TOOL [JSON-ARGUMENTS]"
	fs := newFlagSet("call", synopsis)
	fs.SetOutput(stderr)
	var cf clientFlags
	cf.register(fs, defaultCallTimeout, "time limit for the whole command")
	asJSON := fs.Bool("json", false, "print the whole result as JSON")
	pos, code := parseClientArgs(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if code := checkArgs(fs, pos, synopsis); code >= 0 {
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
		raw, err := c.CallToolRaw(ctx, pos[1], toolArgs)
		if code, ok := reportInputRequired(stderr, err, *asJSON, stdout); ok {
			return code
		}
		if err != nil {
			fmt.Fprintf(stderr, "minimcp: %v\n", err)
			return codeProtocol
		}
		// Read the result loosely, so that a content type this build does not know is still
		// printed rather than refused.
		var res struct {
			Content           []json.RawMessage `json:"content"`
			StructuredContent json.RawMessage   `json:"structuredContent"`
			IsError           bool              `json:"isError"`
		}
		if err := json.Unmarshal(raw, &res); err != nil {
			fmt.Fprintf(stderr, "minimcp: %s: malformed reply: result: %v\n", mcp.MethodToolsCall, err)
			return codeProtocol
		}
		done := codeOK
		if res.IsError {
			// MCP 2025-11-25, Server § Tools, Error Handling: a tool execution error is a
			// result with isError, not a protocol error.
			done = codeFailed
		}
		if *asJSON {
			writeJSON(stdout, raw)
			return done
		}
		out := stdout
		if res.IsError {
			out = stderr
		}
		for _, block := range res.Content {
			var b struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}
			if json.Unmarshal(block, &b) == nil && b.Type == "text" {
				fmt.Fprintln(out, strings.TrimSuffix(b.Text, "\n"))
				continue
			}
			fmt.Fprintln(out, compactJSON(block))
		}
		if len(res.Content) == 0 && len(res.StructuredContent) > 0 {
			fmt.Fprintln(out, compactJSON(res.StructuredContent))
		}
		return done
	})
}

// parseClientArgs parses a client command's flags and environment. It returns the positional
// arguments and -1, or the exit code to return at once (0 for --help, 2 for bad flags).
func parseClientArgs(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, int) {
	pos, code := parseArgs(fs, args)
	if code >= 0 {
		return nil, code
	}
	if err := applyEnv(fs); err != nil {
		return nil, flagError(fs, err.Error())
	}
	return pos, -1
}

// usageError reports msg, which starts with the command's name ("call: ..."), in one line
// (see [flagError]) and returns the usage exit code.
func usageError(fs *flag.FlagSet, _ io.Writer, msg string) int {
	return flagError(fs, strings.TrimPrefix(msg, fs.Name()+": "))
}

// withClient connects to rawURL with the client package (per request at 2026-07-28 when the
// server offers it, else with initialize), runs f and closes the client, which ends the
// session if there is one, all within cf.timeout. It returns f's exit code, 2 for a bad URL
// or flag value, and 3 when connecting fails.
func withClient(ctx context.Context, rawURL string, cf *clientFlags, fs *flag.FlagSet, stderr io.Writer, f func(context.Context, *client.Client) int) int {
	if cf.timeout <= 0 {
		return usageError(fs, stderr, fmt.Sprintf("%s: --timeout must be positive", fs.Name()))
	}
	if err := checkURL(rawURL); err != nil {
		return usageLine(fs, err.Error())
	}
	if err := checkProtocolVersion(cf.protocolVersion); err != nil {
		return usageError(fs, stderr, fs.Name()+": "+err.Error())
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, cf.timeout)
	defer cancel()
	// The caller's trace, if it runs inside one, reaches the server with every request.
	if tc := envTrace(); tc.TraceParent != "" {
		ctx = client.WithTraceContext(ctx, tc)
	}
	c, err := client.Connect(ctx, rawURL, cf.options(&http.Client{Transport: tr}))
	if err != nil {
		fmt.Fprintf(stderr, "minimcp: %v\n", err)
		return codeProtocol
	}
	// Transports § Session Management, 5: clients that no longer need a session SHOULD end
	// it; Close does, bounded by its own timeout even if the command's time is up.
	defer c.Close()
	return f(ctx, c)
}

// writeJSON writes raw indented, with a final newline; raw that does not indent is written as
// is.
func writeJSON(w io.Writer, raw []byte) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		buf.Reset()
		buf.Write(raw)
	}
	buf.WriteByte('\n')
	_, _ = w.Write(buf.Bytes())
}

// compactJSON returns raw on one line.
func compactJSON(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return oneLine(string(raw))
	}
	return buf.String()
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// headerFlag is a repeatable --header flag of "Name: value" pairs. Unlike [stringList] it does
// not split at commas, which header values may contain; an environment variable holds one
// header per line.
type headerFlag struct {
	h http.Header
}

func (f *headerFlag) String() string {
	if f == nil || len(f.h) == 0 {
		return ""
	}
	var lines []string
	for k, vs := range f.h {
		for _, v := range vs {
			lines = append(lines, k+": "+v)
		}
	}
	return strings.Join(lines, "\n")
}

// Set adds the "Name: value" headers of v, one per line.
func (f *headerFlag) Set(v string) error {
	for line := range strings.SplitSeq(v, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || !httptoken.Valid(name) {
			return fmt.Errorf("header %q: want 'Name: value'", line)
		}
		if f.h == nil {
			f.h = http.Header{}
		}
		f.h.Add(name, strings.TrimSpace(value))
	}
	return nil
}

// clientFlags are the connection flags shared by tools, call and bench.
type clientFlags struct {
	timeout   time.Duration
	headers   headerFlag
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
		if !isTokenText(tok) {
			return errors.New("a token must be printable ASCII without spaces")
		}
		*f = tokenFlag(tok)
		return nil
	}
	return errors.New("the file holds no token")
}

// options returns the client options the flags describe, sending with hc.
func (f *clientFlags) options(hc *http.Client) *client.Options {
	o := &client.Options{
		ClientInfo:      mcp.Implementation{Name: "minimcp", Version: version},
		ProtocolVersion: f.protocolVersion,
		HTTPClient:      hc,
		Header:          f.headers.h,
	}
	if tok := f.authToken; tok != "" {
		o.TokenSource = func(context.Context) (string, error) { return tok, nil }
	}
	return o
}

// parseInterspersed parses args with fs, allowing flags after positional arguments
// ("tools URL --json") as well as before them, and returns the positional arguments. Everything
// after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// checkProtocolVersion checks a --protocol-version value: empty, or a version this client
// speaks.
func checkProtocolVersion(v string) error {
	if v == "" || slices.Contains(mcp.AllVersions(), v) {
		return nil
	}
	return fmt.Errorf("--protocol-version %q: want one of %s", v, strings.Join(mcp.AllVersions(), ", "))
}
