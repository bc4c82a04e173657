// Package sse reads and writes Server-Sent Events, the text/event-stream
// format of the WHATWG HTML Living Standard, §9.2 "Server-sent events"
// (https://html.spec.whatwg.org/multipage/server-sent-events.html), which MCP's
// Streamable HTTP transport uses for server-to-client messages.
//
// It does framing only: no HTTP, no JSON, no reconnection. A server writes
// events with an [Encoder] (or appends them to its own buffer with
// [AppendEvent]) and flushes; a client or test reads them with a [Decoder]:
//
//	enc := sse.NewEncoder(w)
//	err := enc.Encode(&sse.Event{ID: "1", Data: []byte(`{"jsonrpc":"2.0","method":"ping"}`)})
//
//	dec := sse.NewDecoder(resp.Body, nil)
//	for e, err := range dec.Events() {
//		...
//	}
//
// # Wire format
//
// Each [Event] is written as "id", "event", "retry" and "data" lines and a
// blank line. Data is split into one "data" line per line of text, so any
// payload survives, with its CR and CRLF line breaks turned into LF. An id or
// name that cannot be written faithfully is refused with an error rather than
// mangled; see [AppendEvent] for the exact format. Comments
// ([Encoder.Comment]) serve as keep-alives.
//
// # Decoding
//
// The [Decoder] follows §9.2.5 "Parsing an event stream" and §9.2.6
// "Interpreting an event stream" exactly: a leading BOM is dropped, lines end
// at LF, CRLF or CR (even when a CRLF is split between reads), an event is
// dispatched only at a blank line and only if it had a data field, an event
// without an id field keeps the previous id, and a trailing event not ended by
// a blank line is discarded. [Decoder.LastEventID] is the id to resume from;
// see [Decoder] for how MCP's "priming" event (an id with empty data) reads.
// [DecoderOptions.MaxEventSize] bounds the memory a stream can make it use.
//
// The stream is UTF-8. The Decoder replaces invalid UTF-8 with U+FFFD as the
// spec requires; the Encoder refuses it ([ErrInvalidUTF8]).
//
// # Concurrency
//
// Neither an [Encoder] nor a [Decoder] is safe for concurrent use; [AppendEvent]
// and [AppendComment] are.
package sse
