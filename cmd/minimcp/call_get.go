package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/internal/clicmd"
	"github.com/minimcp/minimcp/internal/cliflag"
)

// read and prompt are the client commands beside call for the two other server features:
// resources and prompts (MCP 2025-11-25, Server § Resources and § Prompts). They are
// commands of their own, not flags of call, so that "minimcp call URL TOOL ARGS" keeps one
// meaning and each command has one shape of arguments.

func init() {
	register("read", "read one resource and print its contents", runRead)
	register("prompt", "get one prompt and print its messages", runPrompt)
}

// runRead is "minimcp read URL URI" (clicmd.Read).
func runRead(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cliflag.NewFlagSet("read", "read [flags] URL URI")
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
		return clicmd.Read(ctx, c, pos[1], &clicmd.Output{Stdout: stdout, Stderr: stderr, JSON: *asJSON})
	})
}

// runPrompt is "minimcp prompt URL NAME [JSON]" (clicmd.Prompt): the arguments are a JSON
// object of strings.
func runPrompt(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cliflag.NewFlagSet("prompt", "prompt [flags] URL NAME [JSON-ARGUMENTS]")
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
		return clicmd.Prompt(ctx, c, pos[1], promptArgs, &clicmd.Output{Stdout: stdout, Stderr: stderr, JSON: *asJSON})
	})
}
