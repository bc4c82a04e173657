package conformance

import (
	"context"
	"fmt"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
)

// Fixtures of the tasks extension's scenarios (io.modelcontextprotocol/tasks, SEP-2663;
// conformance 0.2.0-alpha.12, tasks-*), with the names and behaviours their descriptions
// require.

// confFailingJobDelay is how long failing_job works before it fails ("after ~1s").
const confFailingJobDelay = time.Second

// confTaskTTL is the ttl of the conformance server's tasks.
const confTaskTTL = 10 * time.Minute

// confTaskPoll is the polling interval the conformance server suggests.
const confTaskPoll = 200 * time.Millisecond

func addConformanceTasks(s *mcp.Server) {
	type greetIn struct {
		Name string `json:"name" description:"Who to greet"`
	}
	// greet: sync-only.
	mcp.AddTool(s, &mcp.Tool{Name: "greet", Description: "Greets by name, at once (never a task)"},
		func(_ context.Context, _ *mcp.Request, in greetIn) (*mcp.CallToolResult, error) {
			return mcp.TextResult("Hello, " + in.Name + "!"), nil
		})

	// slow_compute: task-supporting, sleeps `seconds` then answers; cancelled while it sleeps,
	// it ends cancelled (its sleep returns the context's cause).
	s.AddRawTool(&mcp.Tool{Name: "slow_compute", Description: "Sleeps the given seconds, then answers; runs as a task",
		TaskSupport: mcp.TaskOptional,
		InputSchema: json.RawMessage(`{"type":"object","properties":{"seconds":{"type":"number","minimum":0},"label":{"type":"string"}}}`)},
		mcp.TaskHandler(func(ctx context.Context, _ *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
			var in struct {
				Seconds float64 `json:"seconds"`
				Label   string  `json:"label"`
			}
			if err := json.Unmarshal(args, &in); err != nil {
				return nil, err
			}
			if err := confSleep(ctx, time.Duration(in.Seconds*float64(time.Second))); err != nil {
				return nil, err
			}
			return mcp.TextResult(fmt.Sprintf("computed %s after %v seconds", in.Label, in.Seconds)), nil
		}))

	// failing_job: task support required (tasks-required-task-error), a tool error after ~1s.
	s.AddRawTool(&mcp.Tool{Name: "failing_job", Description: "Fails with a tool error after about a second; needs tasks",
		TaskSupport: mcp.TaskRequired},
		mcp.TaskHandler(func(ctx context.Context, _ *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			if err := confSleep(ctx, confFailingJobDelay); err != nil {
				return nil, err
			}
			return mcp.ErrorResult("failing_job failed, as it always does"), nil
		}))

	// protocol_error_job: its handler panics, which fails the task with a JSON-RPC error.
	s.AddRawTool(&mcp.Tool{Name: "protocol_error_job", Description: "Panics inside its task: the task fails with a protocol error",
		TaskSupport: mcp.TaskOptional},
		mcp.TaskHandler(func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) {
			panic("protocol_error_job: deliberate failure")
		}))

	// confirm_delete: asks the client (elicitation, inside the task), then answers.
	type confirmIn struct {
		Filename string `json:"filename" description:"The file to delete"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "confirm_delete", Description: "Asks for confirmation inside its task, then deletes (pretends to)",
		TaskSupport: mcp.TaskOptional},
		func(ctx context.Context, req *mcp.Request, in confirmIn) (*mcp.CallToolResult, error) {
			return req.RunTask(ctx, func(ctx context.Context, t *mcp.Request) (*mcp.CallToolResult, error) {
				res, err := t.Elicit(ctx, &mcp.ElicitParams{Message: "Delete " + in.Filename + "?",
					RequestedSchema: json.RawMessage(`{"type":"object","properties":{"confirm":{"type":"boolean"}},"required":["confirm"]}`)})
				if err != nil {
					return nil, err
				}
				if res.Action != "accept" {
					return mcp.TextResult("kept " + in.Filename + ": " + res.Action), nil
				}
				return mcp.TextResult("deleted " + in.Filename), nil
			})
		})

	// multi_input: two elicitations pending at once, answered one at a time.
	s.AddRawTool(&mcp.Tool{Name: "multi_input", Description: "Asks two things at once inside its task",
		TaskSupport: mcp.TaskOptional},
		mcp.TaskHandler(func(ctx context.Context, req *mcp.Request, _ json.RawMessage) (*mcp.CallToolResult, error) {
			schema := json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"},"confirm":{"type":"boolean"}}}`)
			got, err := req.Ask(ctx, map[string]mcp.InputRequest{
				"first":  {Elicit: &mcp.ElicitParams{Message: "First input?", RequestedSchema: schema}},
				"second": {Elicit: &mcp.ElicitParams{Message: "Second input?", RequestedSchema: schema}},
			})
			if err != nil {
				return nil, err
			}
			return mcp.TextResult(fmt.Sprintf("got %s and %s", got["first"].Elicit.Action, got["second"].Elicit.Action)), nil
		}))

	// test_tool_with_task: a multi round-trip for the user's name, then a task whose result
	// names them (tasks-mrtr-composition).
	mcp.AddTool(s, &mcp.Tool{Name: "test_tool_with_task", Description: "Asks for a name (multi round-trip), then greets it from a task",
		TaskSupport: mcp.TaskRequired},
		func(ctx context.Context, req *mcp.Request, _ confNoArgs) (*mcp.CallToolResult, error) {
			res, err := req.Ask(ctx, map[string]mcp.InputRequest{"user_name": {Elicit: &mcp.ElicitParams{
				Message:         "What is your name?",
				RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}`)}}})
			if err != nil {
				return nil, err
			}
			name, ok := res["user_name"].Elicit.Content["name"].(string)
			if !ok {
				return mcp.ErrorResult("the answer carries no name"), nil
			}
			return req.RunTask(ctx, func(context.Context, *mcp.Request) (*mcp.CallToolResult, error) {
				return mcp.TextResult("Hello, " + name + "!"), nil
			})
		})
}
