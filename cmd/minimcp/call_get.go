package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// read and prompt are the client commands beside call for the two other server features:
// resources and prompts (MCP 2025-11-25, Server § Resources and § Prompts). They are
// commands of their own, not flags of call, so that "minimcp call URL TOOL ARGS" keeps one
// meaning and each command has one shape of arguments.

func init() {
	register("read", "read one resource and print its contents", runRead)
	register("prompt", "get one prompt and print its messages", runPrompt)
}

// runRead is "minimcp read URL URI": it writes the contents of the resource to stdout as they
// are, text as text and a blob decoded, so that "minimcp read URL file:///logo.png > logo.png"
// makes the file; several contents are written one after the other. With --json it prints
// the whole result instead. A JSON-RPC error (such as resource not found) exits 1.
func runRead(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("read", "read [flags] URL URI")
	fs.SetOutput(stderr)
	var cf clientFlags
	cf.register(fs, defaultCallTimeout, "time limit for the whole command")
	asJSON := fs.Bool("json", false, "print the whole result as JSON")
	pos, code := parseClientArgs(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if len(pos) != 2 {
		return usageError(fs, stderr, "read: want the endpoint URL and the resource's URI")
	}
	return withClient(ctx, pos[0], &cf, fs, stderr, func(ctx context.Context, c *client.Client) int {
		raw, err := c.ReadResourceRaw(ctx, pos[1])
		raw, code := getResult(raw, err, *asJSON, stdout, stderr)
		if code >= 0 {
			return code
		}
		var res struct {
			Contents []struct {
				Text *string `json:"text"`
				Blob []byte  `json:"blob"` // base64 on the wire
			} `json:"contents"`
		}
		if err := json.Unmarshal(raw, &res); err != nil {
			fmt.Fprintf(stderr, "minimcp: %s: malformed reply: result: %v\n", mcp.MethodResourcesRead, err)
			return codeProtocol
		}
		for _, rc := range res.Contents {
			if rc.Text != nil {
				_, _ = io.WriteString(stdout, *rc.Text)
			} else {
				_, _ = stdout.Write(rc.Blob)
			}
		}
		return codeOK
	})
}

// runPrompt is "minimcp prompt URL NAME [JSON]": it gets the prompt with the arguments (a JSON
// object of strings) and prints each message as "ROLE: TEXT", a block that is not text as one
// line of JSON. With --json it prints the whole result instead. A JSON-RPC error (an unknown
// prompt, a missing argument) exits 1.
func runPrompt(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("prompt", "prompt [flags] URL NAME [JSON-ARGUMENTS]")
	fs.SetOutput(stderr)
	var cf clientFlags
	cf.register(fs, defaultCallTimeout, "time limit for the whole command")
	asJSON := fs.Bool("json", false, "print the whole result as JSON")
	pos, code := parseClientArgs(fs, args, stderr)
	if code >= 0 {
		return code
	}
	if len(pos) < 2 || len(pos) > 3 {
		return usageError(fs, stderr, "prompt: want the endpoint URL, the prompt's name and optionally its arguments as a JSON object")
	}
	var promptArgs map[string]string
	if len(pos) == 3 {
		// MCP 2025-11-25, schema GetPromptRequestParams: arguments is { [key: string]: string }.
		if err := json.Unmarshal([]byte(pos[2]), &promptArgs); err != nil || !strings.HasPrefix(strings.TrimSpace(pos[2]), "{") {
			return usageError(fs, stderr, fmt.Sprintf("prompt: the arguments %q are not a JSON object of strings", pos[2]))
		}
	}
	return withClient(ctx, pos[0], &cf, fs, stderr, func(ctx context.Context, c *client.Client) int {
		raw, err := c.GetPromptRaw(ctx, pos[1], promptArgs)
		raw, code := getResult(raw, err, *asJSON, stdout, stderr)
		if code >= 0 {
			return code
		}
		var res struct {
			Messages []struct {
				Role    string          `json:"role"`
				Content json.RawMessage `json:"content"`
			} `json:"messages"`
		}
		if err := json.Unmarshal(raw, &res); err != nil {
			fmt.Fprintf(stderr, "minimcp: %s: malformed reply: result: %v\n", mcp.MethodPromptsGet, err)
			return codeProtocol
		}
		for _, m := range res.Messages {
			var b struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}
			if json.Unmarshal(m.Content, &b) == nil && b.Type == "text" {
				fmt.Fprintf(stdout, "%s: %s\n", m.Role, strings.TrimSuffix(b.Text, "\n"))
				continue
			}
			fmt.Fprintf(stdout, "%s: %s\n", m.Role, compactJSON(m.Content))
		}
		return codeOK
	})
}

// requestFailed reports a request that got no result: a JSON-RPC error answered as the
// request's result, which is the server's answer to what was asked (exit 1), or a failure to
// talk to it (exit 3), an HTTP error status included.
func requestFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "minimcp: %v\n", err)
	var (
		se   *client.HTTPStatusError
		rerr *rpc.Error
	)
	if !errors.As(err, &se) && errors.As(err, &rerr) {
		return codeFailed
	}
	return codeProtocol
}

// getResult handles what read and prompt both do with the answer to their request: an error
// or an input-required result is reported, and with --json (asJSON) the result is printed as
// it came. It returns the result and -1 when the caller goes on to print it, or the exit code
// when it is done.
func getResult(raw json.RawMessage, err error, asJSON bool, stdout, stderr io.Writer) (json.RawMessage, int) {
	if code, ok := reportInputRequired(stderr, err, false, stdout); ok {
		return nil, code
	}
	if err != nil {
		return nil, requestFailed(stderr, err)
	}
	if asJSON {
		writeJSON(stdout, raw)
		return nil, codeOK
	}
	return raw, -1
}

// reportInputRequired reports on stderr an input-required result the client could not answer
// (a *client.InputRequiredError: the commands declare no client capabilities, so they answer
// none) and returns codeFailed, or returns ok false for any other error. It says what the
// server asked for (MCP 2026-07-28, schema: InputRequiredResult) and, with asJSON, prints the
// result as it came.
func reportInputRequired(stderr io.Writer, err error, asJSON bool, stdout io.Writer) (code int, ok bool) {
	var ire *client.InputRequiredError
	if !errors.As(err, &ire) {
		return 0, false
	}
	if asJSON {
		writeJSON(stdout, ire.Result)
	}
	fmt.Fprintf(stderr, "minimcp: %s: the server needs input before it can answer (resultType input_required); minimcp does not provide it:\n", ire.Method)
	for _, d := range describeInputRequired(ire.Result) {
		fmt.Fprintf(stderr, "  %s\n", d)
	}
	return codeFailed, true
}

// describeInputRequired describes an InputRequiredResult (MCP 2026-07-28, schema:
// InputRequiredResult): what the server asks the client for, one line per input request in
// the order of their keys, and whether it sent a requestState to retry with.
func describeInputRequired(raw json.RawMessage) []string {
	var res struct {
		InputRequests map[string]struct {
			Method string `json:"method"`
			Params struct {
				Message string `json:"message"`
				URL     string `json:"url"`
			} `json:"params"`
		} `json:"inputRequests"`
		RequestState *string `json:"requestState"`
	}
	_ = json.Unmarshal(raw, &res)
	var desc []string
	for _, k := range slices.Sorted(maps.Keys(res.InputRequests)) {
		ir := res.InputRequests[k]
		line := fmt.Sprintf("%s: %s", k, ir.Method)
		switch {
		case ir.Params.URL != "":
			line += fmt.Sprintf(" (%s, %s)", ir.Params.Message, ir.Params.URL)
		case ir.Params.Message != "":
			line += fmt.Sprintf(" (%s)", ir.Params.Message)
		}
		desc = append(desc, line)
	}
	if res.RequestState != nil {
		desc = append(desc, "requestState: sent, to be passed back on a retry")
	}
	return desc
}
