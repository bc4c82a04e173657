package mcp_test

import (
	"context"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// BenchmarkToolsCall measures tools/call through the registry: decode the envelope and the
// arguments, validate them, run a typed handler, encode the result (no transport).
func BenchmarkToolsCall(b *testing.B) {
	s := mcp.NewServer(&mcp.Implementation{Name: "bench", Version: "1"}, nil)
	type In struct {
		Text string `json:"text"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "echo", Description: "Echoes."},
		func(_ context.Context, _ *mcp.Request, in In) (*mcp.CallToolResult, error) {
			return mcp.TextResult(in.Text), nil
		})
	type Out struct {
		Sum float64 `json:"sum"`
	}
	type AddIn struct {
		A float64 `json:"a"`
		B float64 `json:"b"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "add", Description: "Adds."},
		func(_ context.Context, _ *mcp.Request, in AddIn) (Out, error) { return Out{Sum: in.A + in.B}, nil })
	ctx := context.Background()
	for _, tc := range []struct{ name, body string }{
		{"echo_text", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello world"}}}`},
		{"add_structured", `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add","arguments":{"a":1.5,"b":2}}}`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			in := &mcp.Inbound{ProtocolVersion: mcp.LatestVersion}
			body := []byte(tc.body)
			msgs := make([]rpc.Message, 0, 1)
			b.ReportAllocs()
			for b.Loop() {
				m, _, derr := rpc.Decode(msgs[:0], body, rpc.Limits{})
				if derr != nil {
					b.Fatal(derr)
				}
				resp, ok := s.Handle(ctx, in, &m[0])
				if !ok || resp.Error != nil {
					b.Fatal("no result")
				}
				buf := rpc.GetBuffer()
				*buf = rpc.AppendResponse(*buf, &resp)
				rpc.PutBuffer(buf)
			}
		})
	}
}

// BenchmarkTaskGet measures tasks/get of a running task: the read every polling client makes.
func BenchmarkTaskGet(b *testing.B) {
	s := mcp.NewServer(nil, nil)
	defer s.Shutdown(context.Background())
	release := make(chan struct{})
	defer close(release)
	s.AddRawTool(&mcp.Tool{Name: "job", TaskSupport: mcp.TaskOptional},
		mcp.TaskHandler(func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) {
			<-release
			return mcp.TextResult("done"), nil
		}))
	meta := `"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}}`
	in := &mcp.Inbound{ProtocolVersion: mcp.Version20260728}
	msgs, _, derr := rpc.Decode(nil, []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"job",`+meta+`}}`), rpc.Limits{})
	if derr != nil {
		b.Fatal(derr)
	}
	resp, _ := s.Handle(context.Background(), in, &msgs[0])
	var created struct {
		TaskID string `json:"taskId"`
	}
	if err := json.Unmarshal(resp.Result, &created); err != nil || created.TaskID == "" {
		b.Fatalf("no task: %s", resp.Result)
	}
	msgs, _, derr = rpc.Decode(nil, []byte(`{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"taskId":"`+created.TaskID+`",`+meta+`}}`), rpc.Limits{})
	if derr != nil {
		b.Fatal(derr)
	}
	b.ReportAllocs()
	for b.Loop() {
		if resp, _ := s.Handle(context.Background(), in, &msgs[0]); resp.Error != nil {
			b.Fatal(resp.Error)
		}
	}
}
