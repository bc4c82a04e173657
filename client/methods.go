package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/httpwire"
	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/mcp"
)

// The typed requests of MCP 2025-11-25, Server § Tools, Resources, Prompts and Utilities, the
// same in every era.

// Ping checks that the server answers (MCP 2025-11-25, Basic § Utilities, Ping). At
// 2026-07-28, which removed ping, it sends server/discover instead.
func (c *Client) Ping(ctx context.Context) error {
	method := mcp.MethodPing
	if c.modern {
		method = mcp.MethodServerDiscover
	}
	_, err := c.call(ctx, method, nil, nil)
	return err
}

// page fetches one page of a list method and decodes it into res, which has a nextCursor.
func (c *Client) page(ctx context.Context, method, cursor string, res any) error {
	var params any
	if cursor != "" {
		params = &mcp.PaginatedParams{Cursor: cursor}
	}
	raw, err := c.call(ctx, method, params, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, res); err != nil {
		return fmt.Errorf("%s: %w", method, malformed("result: "+err.Error()))
	}
	return nil
}

// paginate yields the items of every page of a list method, following nextCursor (MCP
// 2025-11-25, Basic § Utilities, Pagination). A cursor seen before ends it with an error
// (cursors are opaque, but one that repeats means a loop). fetch gets one page: its items and
// the next cursor.
func paginate[T any](ctx context.Context, method string, fetch func(ctx context.Context, cursor string) ([]*T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seen := map[string]bool{}
		cursor := ""
		for range maxPages {
			items, next, err := fetch(ctx, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if it == nil {
					continue
				}
				if !yield(*it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			if seen[next] {
				yield(zero, fmt.Errorf("%s: %w", method, malformed(fmt.Sprintf("nextCursor %q repeats an earlier page", next))))
				return
			}
			seen[next] = true
			cursor = next
		}
		yield(zero, fmt.Errorf("%s: %w", method, malformed(fmt.Sprintf("more than %d pages", maxPages))))
	}
}

// ListTools returns one page of tools (MCP 2025-11-25, Server § Tools, Listing Tools);
// cursor "" asks for the first. [Client.Tools] follows every page.
func (c *Client) ListTools(ctx context.Context, cursor string) (*mcp.ListToolsResult, error) {
	var res mcp.ListToolsResult
	return &res, c.page(ctx, mcp.MethodToolsList, cursor, &res)
}

// Tools yields every tool of the server, fetching pages as the loop goes on. An error ends
// the iteration: it is yielded with a zero Tool.
//
//	for tool, err := range c.Tools(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(tool.Name)
//	}
func (c *Client) Tools(ctx context.Context) iter.Seq2[mcp.Tool, error] {
	return paginate(ctx, mcp.MethodToolsList, func(ctx context.Context, cursor string) ([]*mcp.Tool, string, error) {
		res, err := c.ListTools(ctx, cursor)
		if err != nil {
			return nil, "", err
		}
		return res.Tools, res.NextCursor, nil
	})
}

// ListResources returns one page of resources (Server § Resources, Listing Resources).
func (c *Client) ListResources(ctx context.Context, cursor string) (*mcp.ListResourcesResult, error) {
	var res mcp.ListResourcesResult
	return &res, c.page(ctx, mcp.MethodResourcesList, cursor, &res)
}

// Resources yields every resource of the server, as [Client.Tools] does tools.
func (c *Client) Resources(ctx context.Context) iter.Seq2[mcp.Resource, error] {
	return paginate(ctx, mcp.MethodResourcesList, func(ctx context.Context, cursor string) ([]*mcp.Resource, string, error) {
		res, err := c.ListResources(ctx, cursor)
		if err != nil {
			return nil, "", err
		}
		return res.Resources, res.NextCursor, nil
	})
}

// ListResourceTemplates returns one page of resource templates (Server § Resources, Resource
// Templates).
func (c *Client) ListResourceTemplates(ctx context.Context, cursor string) (*mcp.ListResourceTemplatesResult, error) {
	var res mcp.ListResourceTemplatesResult
	return &res, c.page(ctx, mcp.MethodResourcesTemplatesList, cursor, &res)
}

// ResourceTemplates yields every resource template of the server.
func (c *Client) ResourceTemplates(ctx context.Context) iter.Seq2[mcp.ResourceTemplate, error] {
	return paginate(ctx, mcp.MethodResourcesTemplatesList, func(ctx context.Context, cursor string) ([]*mcp.ResourceTemplate, string, error) {
		res, err := c.ListResourceTemplates(ctx, cursor)
		if err != nil {
			return nil, "", err
		}
		return res.ResourceTemplates, res.NextCursor, nil
	})
}

// ListPrompts returns one page of prompts (Server § Prompts, Listing Prompts).
func (c *Client) ListPrompts(ctx context.Context, cursor string) (*mcp.ListPromptsResult, error) {
	var res mcp.ListPromptsResult
	return &res, c.page(ctx, mcp.MethodPromptsList, cursor, &res)
}

// Prompts yields every prompt of the server.
func (c *Client) Prompts(ctx context.Context) iter.Seq2[mcp.Prompt, error] {
	return paginate(ctx, mcp.MethodPromptsList, func(ctx context.Context, cursor string) ([]*mcp.Prompt, string, error) {
		res, err := c.ListPrompts(ctx, cursor)
		if err != nil {
			return nil, "", err
		}
		return res.Prompts, res.NextCursor, nil
	})
}

// CallToolRaw calls the named tool with args, a JSON object (empty means {}), and returns the
// result as the server sent it. An input-required result never reaches the caller: the
// client answers its rounds (see the design note in client.go).
func (c *Client) CallToolRaw(ctx context.Context, name string, args json.RawMessage) (json.RawMessage, error) {
	params := httpwire.ToolCallParams(name, args)
	if !c.modern {
		return c.call(ctx, mcp.MethodToolsCall, params, nil)
	}
	// MCP 2026-07-28, Transports § Streamable HTTP, Custom Headers from Tool Parameters: the
	// Mcp-Param-* headers depend on the tool's input schema, which the client learns from
	// tools/list. A tool whose headers are known gets them; an unknown one is called without
	// and, when the server refuses for a missing header (-32020), looked up and called again.
	c.mu.Lock()
	ths, known := c.paramHeaders[name]
	c.mu.Unlock()
	if known {
		return c.call(ctx, mcp.MethodToolsCall, params, toolHeaders(ths, args))
	}
	raw, err := c.call(ctx, mcp.MethodToolsCall, params, nil)
	e := rpcErrorOf(err)
	if e == nil || e.Code != mcp.CodeHeaderMismatch || !strings.Contains(e.Message, "Mcp-Param-") {
		return raw, err
	}
	ths, herr := c.lookupToolHeaders(ctx, name)
	if herr != nil || len(ths) == 0 {
		return nil, err
	}
	return c.call(ctx, mcp.MethodToolsCall, params, toolHeaders(ths, args))
}

// lookupToolHeaders finds the tool in tools/list and caches the headers its schema asks for.
func (c *Client) lookupToolHeaders(ctx context.Context, name string) ([]mcp.ToolHeader, error) {
	for t, err := range c.Tools(ctx) {
		if err != nil {
			return nil, err
		}
		if t.Name != name {
			continue
		}
		ths, err := mcp.ParseToolHeaders(t.InputSchema)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.paramHeaders == nil {
			c.paramHeaders = map[string][]mcp.ToolHeader{}
		}
		c.paramHeaders[name] = ths
		c.mu.Unlock()
		return ths, nil
	}
	return nil, fmt.Errorf("%s: no tool %q", mcp.MethodToolsList, name)
}

// toolHeaders returns the Mcp-Param-* headers of a call with args: each parameter the schema
// annotates with x-mcp-header that args give a value other than null, as a string, a number
// or true/false (Transports § Streamable HTTP, Value Encoding).
func toolHeaders(ths []mcp.ToolHeader, args json.RawMessage) http.Header {
	hdr := http.Header{}
	for _, th := range ths {
		v := jsontext.ValueAt(args, th.Path)
		if v == nil || string(v) == "null" {
			continue
		}
		s, ok := jsontext.Unquote(v)
		if !ok {
			s = string(v) // a number or a boolean, as JSON writes it
		}
		hdr["Mcp-Param-"+th.Name] = []string{httpwire.HeaderSafe(s)}
	}
	return hdr
}

// CallTool calls the named tool (MCP 2025-11-25, Server § Tools, Calling Tools). args are
// encoded as the tool's arguments: a struct, a map, a json.RawMessage, or nil for none. A tool
// that fails is a result with IsError set, not an error (§ Error Handling); errors are the
// protocol's and the transport's.
func (c *Client) CallTool(ctx context.Context, name string, args any) (*mcp.CallToolResult, error) {
	a, err := httpwire.EncodeParams(args)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding arguments: %w", mcp.MethodToolsCall, err)
	}
	raw, err := c.CallToolRaw(ctx, name, a)
	if err != nil {
		return nil, err
	}
	var res mcp.CallToolResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", mcp.MethodToolsCall, malformed("result: "+err.Error()))
	}
	return &res, nil
}

// CallTool calls the named tool and decodes its structuredContent into a T (MCP 2025-11-25,
// Server § Tools, Structured Content). A result with isError is returned as a *ToolError; one
// without structuredContent as [ErrNoStructuredContent].
func CallTool[T any](ctx context.Context, c *Client, name string, args any) (T, error) {
	res, err := c.CallTool(ctx, name, args)
	if err != nil {
		var zero T
		return zero, err
	}
	return Structured[T](res)
}

// Structured decodes a tool result's structuredContent into a T. A result with isError is
// returned as a *ToolError; one without structuredContent as [ErrNoStructuredContent].
func Structured[T any](res *mcp.CallToolResult) (T, error) {
	var v T
	if res.IsError {
		return v, &ToolError{Result: res}
	}
	if len(res.StructuredContent) == 0 {
		return v, ErrNoStructuredContent
	}
	if err := json.Unmarshal(res.StructuredContent, &v); err != nil {
		return v, fmt.Errorf("client: decoding structuredContent: %w", err)
	}
	return v, nil
}

// ReadResourceRaw reads the resource at uri and returns the result as the server sent it.
func (c *Client) ReadResourceRaw(ctx context.Context, uri string) (json.RawMessage, error) {
	return c.call(ctx, mcp.MethodResourcesRead, &mcp.ReadResourceParams{URI: uri}, nil)
}

// ReadResource reads the resource at uri (Server § Resources, Reading Resources). An unknown
// resource is an *rpc.Error with mcp.CodeResourceNotFound.
func (c *Client) ReadResource(ctx context.Context, uri string) (*mcp.ReadResourceResult, error) {
	raw, err := c.ReadResourceRaw(ctx, uri)
	if err != nil {
		return nil, err
	}
	var res mcp.ReadResourceResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", mcp.MethodResourcesRead, malformed("result: "+err.Error()))
	}
	return &res, nil
}

// GetPromptRaw gets the named prompt with args and returns the result as the server sent it.
func (c *Client) GetPromptRaw(ctx context.Context, name string, args map[string]string) (json.RawMessage, error) {
	return c.call(ctx, mcp.MethodPromptsGet, &mcp.GetPromptParams{Name: name, Arguments: args}, nil)
}

// GetPrompt gets the named prompt filled in with args (Server § Prompts, Getting a Prompt).
func (c *Client) GetPrompt(ctx context.Context, name string, args map[string]string) (*mcp.GetPromptResult, error) {
	raw, err := c.GetPromptRaw(ctx, name, args)
	if err != nil {
		return nil, err
	}
	var res mcp.GetPromptResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", mcp.MethodPromptsGet, malformed("result: "+err.Error()))
	}
	return &res, nil
}

// Complete asks for completions of a prompt's or a resource template's argument (Server §
// Utilities, Completion).
func (c *Client) Complete(ctx context.Context, p *mcp.CompleteParams) (*mcp.CompleteResult, error) {
	raw, err := c.call(ctx, mcp.MethodCompletionComplete, p, nil)
	if err != nil {
		return nil, err
	}
	var res mcp.CompleteResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", mcp.MethodCompletionComplete, malformed("result: "+err.Error()))
	}
	return &res, nil
}

// SetLogLevel asks the server for log messages at level and above, which reach
// Options.LogHandler (Server § Utilities, Logging). In a 2025 session it sends
// logging/setLevel; at 2026-07-28, which removed it, every later request carries the level in
// _meta (schema/2026-07-28 RequestMetaObject: io.modelcontextprotocol/logLevel).
func (c *Client) SetLogLevel(ctx context.Context, level mcp.LoggingLevel) error {
	if c.modern {
		c.logLevel.Store(&level)
		return nil
	}
	_, err := c.call(ctx, mcp.MethodLoggingSetLevel, &mcp.SetLevelParams{Level: level}, nil)
	return err
}

// Subscribe asks for notifications/resources/updated about uri in a 2025 session (Server §
// Resources, Subscriptions); they reach the Listens and Options.NotificationHandler. At
// 2026-07-28 it returns [ErrNotInEra]: a Listen's filter names the resources instead.
func (c *Client) Subscribe(ctx context.Context, uri string) error {
	if c.modern {
		return fmt.Errorf("%s: %w", mcp.MethodResourcesSubscribe, ErrNotInEra)
	}
	_, err := c.call(ctx, mcp.MethodResourcesSubscribe, &mcp.SubscribeParams{URI: uri}, nil)
	return err
}

// Unsubscribe undoes Subscribe.
func (c *Client) Unsubscribe(ctx context.Context, uri string) error {
	if c.modern {
		return fmt.Errorf("%s: %w", mcp.MethodResourcesUnsubscribe, ErrNotInEra)
	}
	_, err := c.call(ctx, mcp.MethodResourcesUnsubscribe, &mcp.UnsubscribeParams{URI: uri}, nil)
	return err
}
