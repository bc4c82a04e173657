package sse

import "time"

// Event is one server-sent event: the fields of one block of a
// text/event-stream, ended by a blank line (WHATWG HTML §9.2.5 "Parsing an
// event stream").
//
// The same type is written by [AppendEvent] and [Encoder.Encode] and returned
// by [Decoder.Next]. For every Event e that the encoder accepts, a fresh
// Decoder reading the encoder's output returns one Event equal to e, except
// that CR and CRLF line breaks in e.Data come back as LF, an empty Data comes
// back nil, and ResetID comes back false when ID is set. Later events without
// an ID come back with e's ID (see [Event.ID]).
//
// An Event is a plain value; the package keeps no reference to one passed to
// it, and the Data of a decoded Event belongs to the caller.
type Event struct {
	// ID is the event's id.
	//
	// Encoding writes an "id" line when ID is not empty. ID must not contain
	// LF, CR or NUL ([ErrInvalidID]): a line break would end the field, and the
	// spec makes a client ignore an id containing NUL (§9.2.6).
	//
	// On a decoded event ID is the stream's last event ID at the time the event
	// was dispatched, that is the MessageEvent's lastEventId of §9.2.6: an event
	// without an id field carries the id of the latest earlier event that had
	// one. A client sends it back as the Last-Event-ID header to resume.
	ID string

	// Name is the event type (the "event" field). Empty means the default type,
	// "message": encoding writes no "event" line and decoding an event without
	// an "event" field (or with an empty one) gives "". Name must not contain
	// LF, CR or NUL ([ErrInvalidName]).
	Name string

	// Data is the event's payload, usually one JSON-RPC message.
	//
	// Encoding splits Data at every LF, CRLF and lone CR and writes each piece
	// as a "data" line, so a client sees the line breaks as LF. Empty (or nil)
	// Data is written as one empty "data:" line, so that every encoded event is
	// dispatched by a client (§9.2.6: a block with no data line dispatches
	// nothing). The encoder does not retain Data.
	//
	// On a decoded event Data is the event's data lines joined by LF. It is a
	// fresh slice that the caller owns, or nil when the data is empty.
	Data []byte

	// Retry is the reconnection time the server asks the client to use,
	// written as a "retry" line in whole milliseconds. Zero means none: no
	// "retry" line is written. Encoding rejects a negative Retry and one that
	// is not a whole number of milliseconds ([ErrInvalidRetry]), so that the
	// value a client reads is the value the server meant.
	//
	// On a decoded event Retry is the value of the last valid "retry" field in
	// the event's block, or zero if there was none (a "retry: 0" field also
	// reads as zero; [Decoder.Retry] tells the two apart).
	Retry time.Duration

	// ResetID, when ID is empty, makes encoding write an empty "id:" line,
	// which sets the client's last event ID back to the empty string
	// (§9.2.6, the "id" field). It is ignored when ID is not empty.
	//
	// On a decoded event ResetID reports that the event's block ended its id
	// fields with an empty one; ID is then "".
	ResetID bool
}
