package clicmd

import (
	"context"
	"fmt"
	"text/tabwriter"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/mcp"
)

// Tools is "minimcp tools URL": one line per tool, its name and its description, or with
// out.JSON the tools array as the server sent it, every page of it.
func Tools(ctx context.Context, c *client.Client, out *Output) int {
	tools, err := listToolsRaw(ctx, c)
	if err != nil {
		fmt.Fprintf(out.Stderr, "minimcp: %v\n", err)
		return ExitProtocol
	}
	if out.JSON {
		arr := []byte{'['}
		for i, t := range tools {
			if i > 0 {
				arr = append(arr, ',')
			}
			arr = append(arr, t...)
		}
		WriteJSON(out.Stdout, append(arr, ']'))
		return ExitOK
	}
	tw := tabwriter.NewWriter(out.Stdout, 0, 4, 2, ' ', 0)
	for i, raw := range tools {
		var t struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			fmt.Fprintf(out.Stderr, "minimcp: %s: malformed reply: tools[%d]: %v\n", mcp.MethodToolsList, i, err)
			return ExitProtocol
		}
		// A description may span lines; the listing keeps one line per tool.
		fmt.Fprintf(tw, "%s\t%s\n", oneLine(t.Name), oneLine(t.Description))
	}
	tw.Flush()
	return ExitOK
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
