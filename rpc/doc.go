// Package rpc is a transport-agnostic JSON-RPC 2.0 engine: message model, decoding of single
// messages and batches with the exact error semantics of the specification, dispatch with a
// method mux, and allocation-light encoding of replies.
//
// Specification: https://www.jsonrpc.org/specification (cited below as "JSON-RPC 2.0 §N").
//
//	mux := rpc.NewMux()
//	mux.HandleFunc("echo", func(ctx context.Context, m *rpc.Message) (any, error) {
//		return m.Params, nil // json.RawMessage is written as is
//	})
//	out := rpc.Serve(ctx, mux, []byte(`{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}`), nil)
//	// out: {"jsonrpc":"2.0","id":1,"result":[1]}
//
// # Identifiers
//
// Request IDs are kept as their raw JSON text ([ID]) and echoed byte for byte: 1, "1" and 1.0
// are three different IDs. null is written only in error replies to messages whose ID could
// not be read. A string ID that is not UTF-8 is refused (-32600, id null): echoed, it would make
// the reply something other than JSON text, which must be UTF-8 (RFC 8259 §8.1). Other strings
// decode as encoding/json decodes them, bytes that are not UTF-8 becoming U+FFFD.
//
// # Decoding
//
// [Decode] validates the whole input before anything is dispatched: invalid JSON anywhere is
// one -32700 reply with id null; a well-formed message that is not a valid request becomes a
// [KindInvalid] message whose Error is the -32600 reply to send. Responses sent by the peer
// (replies to our own requests) decode as [KindResponse] so a transport can route them to a
// waiting [Calls] table.
//
// Decoded messages alias the input: Params, Result and error Data are sub-slices of it, so the
// input must not be modified while they are in use.
//
// # Dispatch
//
// A [Handler] answers one request; [Mux] routes by method; [Dispatch] turns a handler's return
// into a [Response], converting panics into -32603 replies (never code 0). [DispatchBatch] runs
// a batch with bounded concurrency and keeps replies in request order.
package rpc
