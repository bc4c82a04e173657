package clicmd

import (
	"context"
	"fmt"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/mcp"
)

// Call is "minimcp call URL TOOL [JSON]": it calls the tool with args (a JSON object) and
// prints each text block of the result on its own line and any other block as one line of
// JSON, or with out.JSON the whole result. A result with isError goes to stderr and gets
// [ExitFailed].
func Call(ctx context.Context, c *client.Client, tool string, args json.RawMessage, out *Output) int {
	raw, err := c.CallToolRaw(ctx, tool, args)
	if code, ok := reportInputRequired(err, out.JSON, out); ok {
		return code
	}
	if err != nil {
		fmt.Fprintf(out.Stderr, "minimcp: %v\n", err)
		return ExitProtocol
	}
	// Read the result loosely, so that a content type this build does not know is still
	// printed rather than refused.
	var res struct {
		Content           []json.RawMessage `json:"content"`
		StructuredContent json.RawMessage   `json:"structuredContent"`
		IsError           bool              `json:"isError"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		fmt.Fprintf(out.Stderr, "minimcp: %s: malformed reply: result: %v\n", mcp.MethodToolsCall, err)
		return ExitProtocol
	}
	done := ExitOK
	if res.IsError {
		// MCP 2025-11-25, Server § Tools, Error Handling: a tool execution error is a
		// result with isError, not a protocol error.
		done = ExitFailed
	}
	if out.JSON {
		WriteJSON(out.Stdout, raw)
		return done
	}
	w := out.Stdout
	if res.IsError {
		w = out.Stderr
	}
	for _, block := range res.Content {
		var b struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if json.Unmarshal(block, &b) == nil && b.Type == "text" {
			fmt.Fprintln(w, strings.TrimSuffix(b.Text, "\n"))
			continue
		}
		fmt.Fprintln(w, compactJSON(block))
	}
	if len(res.Content) == 0 && len(res.StructuredContent) > 0 {
		fmt.Fprintln(w, compactJSON(res.StructuredContent))
	}
	return done
}
