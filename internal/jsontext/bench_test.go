package jsontext

import "testing"

// message is a typical tools/call request as MCP clients send it.
var message = []byte(`{"jsonrpc":"2.0","id":1042,"method":"tools/call","params":{"name":"search_documents","arguments":{"query":"quarterly revenue by region","limit":10,"filters":{"year":2025,"tags":["finance","report"]}},"_meta":{"progressToken":"tok-7f3a9c21"}}}`)

func BenchmarkSkipValue(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(message)))
	for b.Loop() {
		if end, err := SkipValue(message, 0, 0); err != nil || end != len(message) {
			b.Fatal("scan failed")
		}
	}
}
