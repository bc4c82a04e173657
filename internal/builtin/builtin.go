package builtin

import (
	"context"
	"fmt"
	"strings"

	"github.com/minimcp/minimcp/mcp"
)

// AboutURI is the URI of the built-in resource that describes the server.
const AboutURI = "minimcp://about"

// builtinInstructions are the built-in server's instructions to clients.
const builtinInstructions = "A minimcp demo server. Tools: echo returns its text; add returns the sum of two numbers. " +
	"Read " + AboutURI + " for how to serve your own tools."

// echoArgs are the arguments of the echo tool.
type echoArgs struct {
	Text string `json:"text" description:"The text to echo back."`
}

// addArgs are the arguments of the add tool.
type addArgs struct {
	A float64 `json:"a" description:"The first number."`
	B float64 `json:"b" description:"The second number."`
}

// addResult is the structured result of the add tool.
type addResult struct {
	Sum float64 `json:"sum" description:"a + b"`
}

// New returns a server offering the built-in set, and the names of its tools. opts are the
// server's options (nil means defaults); their Instructions are replaced by the set's own.
// version is the server's version in serverInfo and in the about text.
func New(opts *mcp.ServerOptions, version string) (*mcp.Server, []string) {
	var o mcp.ServerOptions
	if opts != nil {
		o = *opts
	}
	o.Instructions = builtinInstructions
	srv := mcp.NewServer(&mcp.Implementation{Name: "minimcp", Title: "minimcp demo", Version: version}, &o)
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "echo",
		Title:       "Echo",
		Description: "Returns the text it is given.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: hint(true), OpenWorldHint: hint(false)},
	}, func(_ context.Context, _ *mcp.Request, in echoArgs) (string, error) {
		return in.Text, nil
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "add",
		Title:       "Add",
		Description: "Adds two numbers and returns {\"sum\": a + b}.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: hint(true), OpenWorldHint: hint(false)},
	}, func(_ context.Context, _ *mcp.Request, in addArgs) (addResult, error) {
		return addResult{Sum: in.A + in.B}, nil
	})
	tools := []string{"echo", "add"}

	srv.AddResource(&mcp.Resource{
		URI:         AboutURI,
		Name:        "about",
		Title:       "About this server",
		Description: "What this server is and how to serve your own tools.",
		MimeType:    "text/markdown",
	}, func(_ context.Context, _ *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{
			URI: uri, MimeType: "text/markdown", Text: aboutText(version, tools),
		}}}, nil
	})

	srv.AddPrompt(&mcp.Prompt{
		Name:        "greet",
		Title:       "Greet someone",
		Description: "Asks for a short, friendly greeting for someone.",
		Arguments:   []mcp.PromptArgument{{Name: "name", Description: "Who to greet.", Required: true}},
	}, func(_ context.Context, _ *mcp.Request, args map[string]string) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{
			Description: "A greeting for " + args["name"],
			Messages: []mcp.PromptMessage{{
				Role:    mcp.RoleUser,
				Content: &mcp.TextContent{Text: "Write a short, friendly greeting for " + args["name"] + "."},
			}},
		}, nil
	})
	return srv, tools
}

// aboutText is the text of the built-in resource.
func aboutText(version string, tools []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# minimcp %s\n\n", version)
	b.WriteString("This server was started with `minimcp serve` and no `--manifest`, so it serves the built-in demo set:\n\n")
	fmt.Fprintf(&b, "- tools: %s\n", strings.Join(tools, ", "))
	fmt.Fprintf(&b, "- resources: %s (this text)\n", AboutURI)
	b.WriteString("- prompts: greet (argument: name)\n\n")
	b.WriteString("To serve your own tools without writing Go, describe them in a JSON manifest (programs to run, " +
		"HTTP APIs to call, files to expose, prompt templates) and run `minimcp serve --manifest FILE`; " +
		"see docs/manifest.md. To embed an MCP server in a Go program, see examples/embed.\n")
	return b.String()
}

// hint returns a tool annotation hint.
func hint(b bool) *bool { return &b }
