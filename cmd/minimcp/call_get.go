package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/mcphttp"
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
	params := map[string]string{"uri": pos[1]}
	return withSession(ctx, pos[0], &cf, fs, stderr, func(ctx context.Context, c *mcphttp.Client) int {
		raw, code := getResult(ctx, c, mcp.MethodResourcesRead, params, *asJSON, stdout, stderr)
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
			fmt.Fprintf(stderr, "minimcp: %s: %v\n", mcp.MethodResourcesRead, &mcphttp.MalformedReplyError{Reason: "result: " + err.Error()})
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
	params := struct {
		Name      string            `json:"name"`
		Arguments map[string]string `json:"arguments,omitempty"`
	}{Name: pos[1]}
	if len(pos) == 3 {
		// MCP 2025-11-25, schema GetPromptRequestParams: arguments is { [key: string]: string }.
		if err := json.Unmarshal([]byte(pos[2]), &params.Arguments); err != nil || !strings.HasPrefix(strings.TrimSpace(pos[2]), "{") {
			return usageError(fs, stderr, fmt.Sprintf("prompt: the arguments %q are not a JSON object of strings", pos[2]))
		}
	}
	return withSession(ctx, pos[0], &cf, fs, stderr, func(ctx context.Context, c *mcphttp.Client) int {
		raw, code := getResult(ctx, c, mcp.MethodPromptsGet, params, *asJSON, stdout, stderr)
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
			fmt.Fprintf(stderr, "minimcp: %s: %v\n", mcp.MethodPromptsGet, &mcphttp.MalformedReplyError{Reason: "result: " + err.Error()})
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

// requestFailed reports a request that got no result: a JSON-RPC error, which is the
// server's answer to what was asked (exit 1), or a failure to talk to it (exit 3).
func requestFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "minimcp: %v\n", err)
	var rerr *rpc.Error
	if errors.As(err, &rerr) {
		return codeFailed
	}
	return codeProtocol
}

// getResult sends the request of read and prompt and handles what both do with its answer:
// an error or an input-required result is reported, and with --json (asJSON) the result is
// printed as it came. It returns the result and -1 when the caller goes on to print it, or the
// exit code when it is done.
func getResult(ctx context.Context, c *mcphttp.Client, method string, params any, asJSON bool, stdout, stderr io.Writer) (json.RawMessage, int) {
	raw, _, err := c.Call(ctx, method, params)
	if err != nil {
		return nil, requestFailed(stderr, err)
	}
	if code, ok := reportInputRequired(stderr, method, raw); ok {
		return nil, code
	}
	if asJSON {
		writeJSON(stdout, raw)
		return nil, codeOK
	}
	return raw, -1
}

// reportInputRequired reports on stderr a result of method that asks for input
// ([mcphttp.InputRequired]) and returns codeFailed, or returns ok false for any other result. The
// commands declare no client capabilities and do not answer such requests (MCP 2026-07-28,
// schema: InputRequiredResult, the client retries "with inputResponses"): they say what the
// server asked for.
func reportInputRequired(stderr io.Writer, method string, raw json.RawMessage) (code int, ok bool) {
	desc, ok := mcphttp.InputRequired(raw)
	if !ok {
		return 0, false
	}
	fmt.Fprintf(stderr, "minimcp: %s: the server needs input before it can answer (resultType input_required); minimcp does not provide it:\n", method)
	for _, d := range desc {
		fmt.Fprintf(stderr, "  %s\n", d)
	}
	return codeFailed, true
}
