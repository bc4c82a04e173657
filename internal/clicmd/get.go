package clicmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/client"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// Read and Prompt are the client commands beside Call for the two other server features:
// resources and prompts (MCP 2025-11-25, Server § Resources and § Prompts).

// Read is "minimcp read URL URI": it writes the contents of the resource to stdout as they
// are, text as text and a blob decoded, so that "minimcp read URL file:///logo.png > logo.png"
// makes the file; several contents are written one after the other. With out.JSON it prints
// the whole result instead. A JSON-RPC error (such as resource not found) gets [ExitFailed].
func Read(ctx context.Context, c *client.Client, uri string, out *Output) int {
	raw, err := c.ReadResourceRaw(ctx, uri)
	raw, code := getResult(raw, err, out)
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
		fmt.Fprintf(out.Stderr, "minimcp: %s: malformed reply: result: %v\n", mcp.MethodResourcesRead, err)
		return ExitProtocol
	}
	for _, rc := range res.Contents {
		if rc.Text != nil {
			_, _ = io.WriteString(out.Stdout, *rc.Text)
		} else {
			_, _ = out.Stdout.Write(rc.Blob)
		}
	}
	return ExitOK
}

// Prompt is "minimcp prompt URL NAME [JSON]": it gets the prompt with the arguments and prints
// each message as "ROLE: TEXT", a block that is not text as one line of JSON. With out.JSON it
// prints the whole result instead. A JSON-RPC error (an unknown prompt, a missing argument)
// gets [ExitFailed].
func Prompt(ctx context.Context, c *client.Client, name string, args map[string]string, out *Output) int {
	raw, err := c.GetPromptRaw(ctx, name, args)
	raw, code := getResult(raw, err, out)
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
		fmt.Fprintf(out.Stderr, "minimcp: %s: malformed reply: result: %v\n", mcp.MethodPromptsGet, err)
		return ExitProtocol
	}
	for _, m := range res.Messages {
		var b struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if json.Unmarshal(m.Content, &b) == nil && b.Type == "text" {
			fmt.Fprintf(out.Stdout, "%s: %s\n", m.Role, strings.TrimSuffix(b.Text, "\n"))
			continue
		}
		fmt.Fprintf(out.Stdout, "%s: %s\n", m.Role, compactJSON(m.Content))
	}
	return ExitOK
}

// requestFailed reports a request that got no result: a JSON-RPC error answered as the
// request's result, which is the server's answer to what was asked ([ExitFailed]), or a
// failure to talk to it ([ExitProtocol]), an HTTP error status included.
func requestFailed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "minimcp: %v\n", err)
	var (
		se   *client.HTTPStatusError
		rerr *rpc.Error
	)
	if !errors.As(err, &se) && errors.As(err, &rerr) {
		return ExitFailed
	}
	return ExitProtocol
}

// getResult handles what Read and Prompt both do with the answer to their request: an error
// or an input-required result is reported, and with out.JSON the result is printed as it
// came. It returns the result and -1 when the caller goes on to print it, or the exit status
// when it is done.
func getResult(raw json.RawMessage, err error, out *Output) (json.RawMessage, int) {
	if code, ok := reportInputRequired(err, false, out); ok {
		return nil, code
	}
	if err != nil {
		return nil, requestFailed(out.Stderr, err)
	}
	if out.JSON {
		WriteJSON(out.Stdout, raw)
		return nil, ExitOK
	}
	return raw, -1
}
