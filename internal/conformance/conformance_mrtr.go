package conformance

import (
	"context"
	"fmt"
	json "github.com/goccy/go-json"
	"strings"

	"github.com/minimcp/minimcp/mcp"
)

// The fixtures of the input-required-result scenarios of the conformance suite's 2026-07-28
// line (0.2.0; MCP 2026-07-28, Basic § Multi Round-Trip Requests). Each asks the client with
// the keys and params the scenario names; at 2026-07-28 the ask ends the round with an
// InputRequiredResult, and in a 2025 session the same handler sends the requests to the
// client (mcp/mrtr.go).

// confAskName is the elicitation the scenarios ask by the key "user_name".
func confAskName(message string) mcp.InputRequest {
	return mcp.InputRequest{Elicit: &mcp.ElicitParams{Message: message,
		RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}`)}}
}

// confAskText is a sampling of one user message.
func confAskText(text string, maxTokens int) mcp.InputRequest {
	return mcp.InputRequest{Sample: &mcp.CreateMessageParams{MaxTokens: maxTokens,
		Messages: []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: &mcp.TextContent{Text: text}}}}}
}

// confAsk is a tool handler that asks for asks and reports the answers with report.
func confAsk(asks func(*mcp.Request) map[string]mcp.InputRequest,
	report func(*mcp.Request, map[string]mcp.InputResponse) string) func(context.Context, *mcp.Request, confNoArgs) (*mcp.CallToolResult, error) {
	return func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
		res, err := req.Ask(ctx, asks(req))
		if err != nil {
			return nil, err
		}
		return mcp.TextResult(report(req, res)), nil
	}
}

// confElicited returns the content field of an elicitation answer, "" when there is none.
func confElicited(r mcp.InputResponse, field string) string {
	if r.Elicit == nil || r.Elicit.Content == nil {
		return ""
	}
	return fmt.Sprint(r.Elicit.Content[field])
}

// confSampled returns the text an answered sampling carried.
func confSampled(r mcp.InputResponse) string {
	if r.Sample != nil {
		if t, ok := r.Sample.Content.(*mcp.TextContent); ok {
			return t.Text
		}
	}
	return ""
}

// confRoots lists the URIs of an answered roots/list.
func confRoots(r mcp.InputResponse) string {
	if r.Roots == nil {
		return ""
	}
	uris := make([]string, len(r.Roots.Roots))
	for i, root := range r.Roots.Roots {
		uris[i] = root.URI
	}
	return strings.Join(uris, ", ")
}

func addConformanceMRTR(s *mcp.Server) {
	one := func(key string, q mcp.InputRequest) func(*mcp.Request) map[string]mcp.InputRequest {
		return func(*mcp.Request) map[string]mcp.InputRequest { return map[string]mcp.InputRequest{key: q} }
	}
	mcp.AddTool(s, &mcp.Tool{Name: "test_input_required_result_elicitation", Description: "Asks the user's name by elicitation (key user_name)"},
		confAsk(one("user_name", confAskName("What is your name?")), func(_ *mcp.Request, a map[string]mcp.InputResponse) string {
			return "Hello, " + confElicited(a["user_name"], "name") + "!"
		}))
	mcp.AddTool(s, &mcp.Tool{Name: "test_input_required_result_sampling", Description: "Asks the client's model the capital of France (key capital_question)"},
		confAsk(one("capital_question", confAskText("What is the capital of France?", 100)), func(_ *mcp.Request, a map[string]mcp.InputResponse) string {
			return "The model said: " + confSampled(a["capital_question"])
		}))
	mcp.AddTool(s, &mcp.Tool{Name: "test_input_required_result_list_roots", Description: "Asks the client's roots (key client_roots)"},
		confAsk(one("client_roots", mcp.InputRequest{Roots: true}), func(_ *mcp.Request, a map[string]mcp.InputResponse) string {
			return "Roots: " + confRoots(a["client_roots"])
		}))
	confirm := mcp.InputRequest{Elicit: &mcp.ElicitParams{Message: "Please confirm",
		RequestedSchema: json.RawMessage(`{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}`)}}
	stateReport := func(req *mcp.Request, a map[string]mcp.InputResponse) string {
		// The state verified (mcp.Request.Resumed): sealed here, for this principal and this
		// request, within its expiry; a tampered one never reaches the handler.
		if req.Resumed() {
			return "state-ok: confirmed " + confElicited(a["confirm"], "ok")
		}
		return "confirmed " + confElicited(a["confirm"], "ok") + " (no requestState came back)"
	}
	mcp.AddTool(s, &mcp.Tool{Name: "test_input_required_result_request_state", Description: "Asks for a confirmation; the retry's requestState is verified"},
		confAsk(one("confirm", confirm), stateReport))
	mcp.AddTool(s, &mcp.Tool{Name: "test_input_required_result_tampered_state", Description: "Asks for a confirmation; a tampered requestState is refused"},
		confAsk(one("confirm", confirm), stateReport))
	mcp.AddTool(s, &mcp.Tool{Name: "test_input_required_result_multiple_inputs", Description: "Asks an elicitation, a sampling and the roots at once"},
		confAsk(func(*mcp.Request) map[string]mcp.InputRequest {
			return map[string]mcp.InputRequest{
				"user_name":    confAskName("What is your name?"),
				"greeting":     confAskText("Generate a greeting", 50),
				"client_roots": {Roots: true},
			}
		}, func(_ *mcp.Request, a map[string]mcp.InputResponse) string {
			return fmt.Sprintf("name=%s, greeting=%s, roots=%s", confElicited(a["user_name"], "name"),
				confSampled(a["greeting"]), confRoots(a["client_roots"]))
		}))
	mcp.AddTool(s, &mcp.Tool{Name: "test_input_required_result_multi_round", Description: "Asks two questions, one round each"},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			// The second ask is reached only once the first is answered, so each round asks
			// one thing; on the third round the first answer comes from the requestState.
			first, err := req.Ask(ctx, map[string]mcp.InputRequest{"step1": confAskName("Step 1: What is your name?")})
			if err != nil {
				return nil, err
			}
			second, err := req.Ask(ctx, map[string]mcp.InputRequest{"step2": {Elicit: &mcp.ElicitParams{
				Message:         "Step 2: What is your favorite color?",
				RequestedSchema: json.RawMessage(`{"type":"object","properties":{"color":{"type":"string"}},"required":["color"]}`)}}})
			if err != nil {
				return nil, err
			}
			return mcp.TextResult(fmt.Sprintf("%s likes %s", confElicited(first["step1"], "name"), confElicited(second["step2"], "color"))), nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "test_input_required_result_capabilities", Description: "Asks only for the input kinds the client declared"},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			caps := req.ClientCapabilities()
			asks := map[string]mcp.InputRequest{}
			if caps.Elicitation != nil {
				asks["user_name"] = confAskName("What is your name?")
			}
			if caps.Sampling != nil {
				asks["greeting"] = confAskText("Generate a greeting", 50)
			}
			if caps.Roots != nil {
				asks["client_roots"] = mcp.InputRequest{Roots: true}
			}
			if len(asks) == 0 {
				return mcp.TextResult("the client declared no input kind, so nothing was asked"), nil
			}
			res, err := req.Ask(ctx, asks)
			if err != nil {
				return nil, err
			}
			return mcp.TextResult(fmt.Sprintf("answered %d input requests", len(res))), nil
		})
	// server-stateless calls test_streaming_elicitation and checks that the answer's stream
	// carries notifications and the result, never a request of the server's own (MCP
	// 2026-07-28: server-to-client requests travel as inputRequests).
	mcp.AddTool(s, &mcp.Tool{Name: "test_streaming_elicitation", Description: "Reports progress, then asks the user's name"},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			if err := req.Progress(ctx, 1, 2, "asking for a name"); err != nil {
				return nil, err
			}
			res, err := req.Elicit(ctx, &mcp.ElicitParams{Message: "What is your name?",
				RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}`)})
			if err != nil {
				return nil, err
			}
			return mcp.TextResult(fmt.Sprintf("Hello, %v!", res.Content["name"])), nil
		})
	s.AddPrompt(&mcp.Prompt{Name: "test_input_required_result_prompt", Title: "Prompt Needing Input",
		Description: "Asks what context to use (key user_context), then returns the prompt"},
		func(ctx context.Context, req *mcp.Request, _ map[string]string) (*mcp.GetPromptResult, error) {
			res, err := req.Ask(ctx, map[string]mcp.InputRequest{"user_context": {Elicit: &mcp.ElicitParams{
				Message:         "What context should the prompt use?",
				RequestedSchema: json.RawMessage(`{"type":"object","properties":{"context":{"type":"string"}},"required":["context"]}`)}}})
			if err != nil {
				return nil, err
			}
			return &mcp.GetPromptResult{Messages: []mcp.PromptMessage{{Role: mcp.RoleUser,
				Content: &mcp.TextContent{Text: "Use this context: " + confElicited(res["user_context"], "context")}}}}, nil
		})
}
