package rpc_test

import (
	"context"
	stdjson "encoding/json"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/rpc"
)

// toolsCall is a typical 300-byte tools/call request as MCP clients send it.
var toolsCall = []byte(`{"jsonrpc":"2.0","id":1042,"method":"tools/call","params":{"name":"search_documents","arguments":{"query":"quarterly revenue by region","limit":10,"filters":{"year":2025,"tags":["finance","report"]}},"_meta":{"progressToken":"tok-7f3a9c21"}}}` +
	`                                                     `)

func batchOf(n int) []byte {
	b := []byte{'['}
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, toolsCall[:len(toolsCall)-53]...)
	}
	return append(b, ']')
}

// stdMessage is what a decoder built on encoding/json needs to classify a message.
type stdMessage struct {
	JSONRPC string              `json:"jsonrpc"`
	ID      stdjson.RawMessage  `json:"id"`
	Method  *string             `json:"method"`
	Params  stdjson.RawMessage  `json:"params"`
	Result  stdjson.RawMessage  `json:"result"`
	Error   *stdjson.RawMessage `json:"error"`
}

// BenchmarkDecode compares rpc.Decode with the same decode done by encoding/json (the
// baseline: unmarshal into a struct with raw members, then check jsonrpc and the kinds of id
// and params, which is the minimum a correct decoder does).
func BenchmarkDecode(b *testing.B) {
	b.Run("minimcp/tools_call", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(toolsCall)))
		buf := make([]rpc.Message, 0, 1)
		for b.Loop() {
			msgs, _, err := rpc.Decode(buf[:0], toolsCall, rpc.Limits{})
			if err != nil || msgs[0].Kind != rpc.KindRequest {
				b.Fatal("decode failed")
			}
		}
	})
	b.Run("encoding_json/tools_call", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(toolsCall)))
		for b.Loop() {
			var m stdMessage
			if err := stdjson.Unmarshal(toolsCall, &m); err != nil || !stdValid(&m) {
				b.Fatal("decode failed")
			}
		}
	})
	batch := batchOf(10)
	b.Run("minimcp/batch10", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(batch)))
		buf := make([]rpc.Message, 0, 10)
		for b.Loop() {
			msgs, _, err := rpc.Decode(buf[:0], batch, rpc.Limits{})
			if err != nil || len(msgs) != 10 {
				b.Fatal("decode failed")
			}
		}
	})
	b.Run("encoding_json/batch10", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(batch)))
		for b.Loop() {
			var ms []stdMessage
			if err := stdjson.Unmarshal(batch, &ms); err != nil || len(ms) != 10 {
				b.Fatal("decode failed")
			}
			for i := range ms {
				if !stdValid(&ms[i]) {
					b.Fatal("invalid")
				}
			}
		}
	})
}

func stdValid(m *stdMessage) bool {
	if m.JSONRPC != "2.0" || m.Method == nil {
		return false
	}
	if len(m.ID) > 0 && m.ID[0] != '"' && (m.ID[0] < '0' || m.ID[0] > '9') && m.ID[0] != '-' {
		return false
	}
	return len(m.Params) == 0 || m.Params[0] == '{' || m.Params[0] == '['
}

func BenchmarkDispatch(b *testing.B) {
	mux := rpc.NewMux()
	result := json.RawMessage(`{"content":[{"type":"text","text":"ok"}]}`)
	mux.HandleFunc("tools/call", func(context.Context, *rpc.Message) (any, error) { return result, nil })
	msgs, _, _ := rpc.Decode(nil, toolsCall, rpc.Limits{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := rpc.Dispatch(ctx, mux, &msgs[0], nil); !ok {
			b.Fatal("no reply")
		}
	}
}

func BenchmarkEncodeResponse(b *testing.B) {
	r := &rpc.Response{ID: rpc.Int64ID(1042), Result: json.RawMessage(`{"content":[{"type":"text","text":"quarterly revenue by region: 10 documents found"}],"isError":false}`)}
	b.Run("minimcp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf := rpc.GetBuffer()
			*buf = rpc.AppendResponse(*buf, r)
			rpc.PutBuffer(buf)
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		type wire struct {
			JSONRPC string             `json:"jsonrpc"`
			ID      stdjson.RawMessage `json:"id"`
			Result  stdjson.RawMessage `json:"result"`
		}
		w := wire{JSONRPC: "2.0", ID: stdjson.RawMessage("1042"), Result: stdjson.RawMessage(r.Result)}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := stdjson.Marshal(&w); err != nil {
				b.Fatal(err)
			}
		}
	})
}
