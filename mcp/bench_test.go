package mcp_test

import (
	"context"
	"testing"

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
