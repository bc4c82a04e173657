package mcp_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
)

// pendingElicitations maps the id of a URL-mode elicitation the elicit_url tool started to the
// session to notify when it completes.
var pendingElicitations sync.Map

// newFixture returns the server every golden exchange runs against: one tool, resource and
// prompt per behaviour under test.
func newFixture(opts *mcp.ServerOptions) *mcp.Server {
	var o mcp.ServerOptions
	if opts != nil {
		o = *opts
	}
	if o.RootsListChanged == nil {
		// Ask for the new roots and report them as a log message.
		o.RootsListChanged = func(ctx context.Context, req *mcp.Request) {
			res, err := req.ListRoots(ctx)
			if err != nil {
				_ = req.Log(ctx, mcp.LevelError, "roots", err.Error())
				return
			}
			_ = req.Log(ctx, mcp.LevelInfo, "roots", fmt.Sprintf("%d roots", len(res.Roots)))
		}
	}
	opts = &o
	s := mcp.NewServer(&mcp.Implementation{Name: "fixture", Title: "Fixture Server", Version: "1.0.0"}, opts)

	type echoIn struct {
		Text string `json:"text" description:"the text to send back"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "echo", Title: "Echo", Description: "Returns its text."},
		func(_ context.Context, _ *mcp.Request, in echoIn) (*mcp.CallToolResult, error) {
			return mcp.TextResult(in.Text), nil
		})

	type addIn struct {
		A float64 `json:"a"`
		B float64 `json:"b"`
	}
	type addOut struct {
		Sum float64 `json:"sum"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "add", Description: "Adds two numbers."},
		func(_ context.Context, _ *mcp.Request, in addIn) (addOut, error) {
			return addOut{Sum: in.A + in.B}, nil
		})

	type modeIn struct {
		Mode  string `json:"mode" jsonschema:"enum=fast|slow"`
		Count int    `json:"count,omitempty" jsonschema:"minimum=1,maximum=10"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "mode", Description: "Validates enum and range arguments."},
		func(_ context.Context, _ *mcp.Request, in modeIn) (string, error) {
			return fmt.Sprintf("%s x%d", in.Mode, in.Count), nil
		})

	mcp.AddTool(s, &mcp.Tool{Name: "fail", Description: "Always fails."},
		func(context.Context, *mcp.Request, struct{}) (*mcp.CallToolResult, error) {
			return nil, errors.New("the disk is full")
		})

	mcp.AddTool(s, &mcp.Tool{Name: "media", Description: "Returns every kind of content block."},
		func(context.Context, *mcp.Request, struct{}) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{
				&mcp.TextContent{Text: "several blocks"},
				&mcp.ImageContent{Data: []byte{0x89, 'P', 'N', 'G'}, MimeType: "image/png"},
				&mcp.AudioContent{Data: []byte("RIFF"), MimeType: "audio/wav"},
				&mcp.ResourceLink{URI: "test://static-text", Name: "static-text", MimeType: "text/plain"},
				&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "test://embedded", MimeType: "text/plain", Text: "embedded"}},
			}}, nil
		})

	mcp.AddTool(s, &mcp.Tool{Name: "slow", Description: "Works for ten seconds unless cancelled."},
		func(ctx context.Context, _ *mcp.Request, _ struct{}) (string, error) {
			select {
			case <-time.After(10 * time.Second):
				return "finished", nil
			case <-ctx.Done():
				return "", context.Cause(ctx)
			}
		})

	mcp.AddTool(s, &mcp.Tool{Name: "progress", Description: "Reports progress 0, 50, 100."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			for _, p := range []float64{0, 50, 100} {
				if err := req.Progress(ctx, p, 100, fmt.Sprintf("step %v", p)); err != nil {
					return "", err
				}
				time.Sleep(50 * time.Millisecond)
			}
			if err := req.Progress(ctx, 100, 100, "again"); err == nil && req.ProgressToken() != nil {
				return "", errors.New("progress that does not increase was accepted")
			}
			return "done", nil
		})

	mcp.AddTool(s, &mcp.Tool{Name: "log", Description: "Logs at debug, info and warning."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			_ = req.Log(ctx, mcp.LevelDebug, "fixture", "debug detail")
			_ = req.Log(ctx, mcp.LevelInfo, "fixture", "started")
			req.Logger().Warn("disk almost full", "free_mb", 12)
			return "logged", nil
		})

	type sampleIn struct {
		Prompt string `json:"prompt"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "sample", Description: "Asks the client's LLM."},
		func(ctx context.Context, req *mcp.Request, in sampleIn) (string, error) {
			res, err := req.CreateMessage(ctx, &mcp.CreateMessageParams{
				Messages:  []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: in.Prompt}}},
				MaxTokens: 100,
			})
			if err != nil {
				return "", err
			}
			text, _ := res.Content.(*mcp.TextContent)
			if text == nil {
				return "", errors.New("no text in the sampling result")
			}
			return "LLM response: " + text.Text, nil
		})

	mcp.AddTool(s, &mcp.Tool{Name: "sample_tools", Description: "Asks the client's LLM, lending it a weather tool."},
		func(ctx context.Context, req *mcp.Request, in sampleIn) (string, error) {
			weather := &mcp.Tool{Name: "get_weather", Description: "Get current weather for a city",
				InputSchema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}
			p := &mcp.CreateMessageParams{
				Messages:   []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: in.Prompt}}},
				Tools:      []*mcp.Tool{weather},
				ToolChoice: &mcp.ToolChoice{Mode: "auto"},
				MaxTokens:  1000,
			}
			for range 3 {
				res, err := req.CreateMessage(ctx, p)
				if err != nil {
					return "", err
				}
				if res.StopReason != "toolUse" {
					text, _ := res.Content.(*mcp.TextContent)
					if text == nil {
						return "", errors.New("no text in the sampling result")
					}
					return text.Text, nil
				}
				// Answer every tool use, in one user message of tool results only.
				var results []mcp.SamplingContent
				for _, b := range res.Blocks {
					use, ok := b.(*mcp.ToolUseContent)
					if !ok {
						continue
					}
					var args struct {
						City string `json:"city"`
					}
					_ = json.Unmarshal(use.Input, &args)
					results = append(results, &mcp.ToolResultContent{ToolUseID: use.ID,
						Content: []mcp.Content{&mcp.TextContent{Text: "Weather in " + args.City + ": 18°C"}}})
				}
				p.Messages = append(p.Messages,
					mcp.SamplingMessage{Role: mcp.RoleAssistant, Blocks: res.Blocks},
					mcp.SamplingMessage{Role: mcp.RoleUser, Blocks: results})
				p.ToolChoice = nil
			}
			return "", errors.New("too many tool rounds")
		})

	mcp.AddTool(s, &mcp.Tool{Name: "elicit", Description: "Asks the user for a name."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			res, err := req.Elicit(ctx, &mcp.ElicitParams{
				Message:         "Your name?",
				RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}`),
			})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s %v", res.Action, res.Content["name"]), nil
		})

	type elicitURLIn struct {
		ID string `json:"id"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "elicit_url", Description: "Sends the user to a URL; the interaction completes later."},
		func(ctx context.Context, req *mcp.Request, in elicitURLIn) (string, error) {
			res, err := req.Elicit(ctx, &mcp.ElicitParams{Mode: "url", Message: "Sign in to continue",
				URL: "https://example.com/connect?elicitation=" + in.ID, ElicitationID: in.ID})
			if err != nil {
				return "", err
			}
			// The interaction goes on out of band; whoever sees it finish (the
			// #elicitation-complete directive here) tells the client through the session.
			pendingElicitations.Store(in.ID, req.Session())
			return res.Action, nil
		})

	mcp.AddTool(s, &mcp.Tool{Name: "roots", Description: "Lists the client's roots."},
		func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			res, err := req.ListRoots(ctx)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d roots, first %s", len(res.Roots), res.Roots[0].URI), nil
		})

	mcp.AddTool(s, &mcp.Tool{Name: "whoami", Description: "Reports the per-request context."},
		func(_ context.Context, req *mcp.Request, _ struct{}) (string, error) {
			return fmt.Sprintf("version=%s client=%s session=%t level=%s", req.ProtocolVersion(),
				req.ClientInfo().Name, req.SessionID() == "", req.LogLevel()), nil
		})

	s.AddRawTool(&mcp.Tool{Name: "json_schema_2020_12_tool", Description: "Keeps a 2020-12 schema intact.",
		InputSchema: json.RawMessage(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},"additionalProperties":false}`)},
		func(_ context.Context, _ *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.TextResult(string(args)), nil
		})

	s.AddResource(&mcp.Resource{URI: "test://static-text", Name: "static-text", MimeType: "text/plain"},
		func(_ context.Context, _ *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MimeType: "text/plain", Text: "static text"}}}, nil
		})
	s.AddResourceTemplate(&mcp.ResourceTemplate{URITemplate: "test://template/{id}/data", Name: "template-data", MimeType: "application/json"},
		func(_ context.Context, _ *mcp.Request, uri string, vars map[string]string) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MimeType: "application/json",
				Text: fmt.Sprintf(`{"id":%q}`, vars["id"])}}}, nil
		})
	s.AddTemplateCompletion("test://template/{id}/data", func(_ context.Context, _ *mcp.Request, _, value string, _ map[string]string) ([]string, error) {
		var out []string
		for i := range 150 {
			if v := fmt.Sprint(i); len(v) >= len(value) && v[:len(value)] == value {
				out = append(out, v)
			}
		}
		return out, nil
	})

	s.AddPrompt(&mcp.Prompt{Name: "greet", Description: "Greets someone.", Arguments: []mcp.PromptArgument{
		{Name: "name", Description: "who to greet", Required: true},
		{Name: "style", Description: "formal or casual"},
	}}, func(_ context.Context, _ *mcp.Request, args map[string]string) (*mcp.GetPromptResult, error) {
		return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{{Role: mcp.RoleUser,
			Content: &mcp.TextContent{Text: fmt.Sprintf("Greet %s (%s).", args["name"], args["style"])}}}}, nil
	})
	s.AddPromptCompletion("greet", func(_ context.Context, _ *mcp.Request, arg, value string, _ map[string]string) ([]string, error) {
		if arg != "style" {
			return nil, nil
		}
		var out []string
		for _, v := range []string{"formal", "casual", "friendly"} {
			if len(v) >= len(value) && v[:len(value)] == value {
				out = append(out, v)
			}
		}
		return out, nil
	})
	return s
}
