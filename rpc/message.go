package rpc

import (
	"strconv"
	"unicode/utf8"

	"github.com/minimcp/minimcp/internal/jsontext"

	json "github.com/goccy/go-json"
)

// ID is a request identifier kept as its raw JSON text (a string literal with its quotes, or a
// number exactly as written), so that replies echo it byte for byte (JSON-RPC 2.0 §4: the
// response id "MUST be the same as the value of the id member in the Request Object").
//
// The zero ID is "absent" (a notification). [NullID] is the JSON null used in error replies to
// messages whose id could not be read. IDs are comparable and usable as map keys.
type ID struct {
	raw string
}

// NullID is the id of an error reply to a message whose id could not be determined
// (JSON-RPC 2.0 §5: "If there was an error in detecting the id in the Request object (e.g.
// Parse error/Invalid Request), it MUST be Null").
var NullID = ID{raw: "null"}

// Int64ID returns the numeric ID n.
func Int64ID(n int64) ID { return ID{raw: strconv.FormatInt(n, 10)} }

// StringID returns the string ID s, quoted as JSON.
func StringID(s string) ID { return ID{raw: string(jsontext.AppendString(nil, s))} }

// RawID returns the ID whose JSON text is raw. It reports false if raw is not a JSON string,
// a JSON number, or null, or is a string that is not UTF-8 (an ID is written byte for byte, and
// JSON text must be UTF-8: RFC 8259 §8.1). The bytes are copied.
func RawID(raw []byte) (ID, bool) {
	if len(raw) == 0 {
		return ID{}, false
	}
	end, err := jsontext.SkipValue(raw, 0, 0)
	if err != nil || end != len(raw) {
		return ID{}, false
	}
	switch c := raw[0]; {
	case c == '"' && !utf8.Valid(raw):
		return ID{}, false
	case c == '"', c == '-', c >= '0' && c <= '9':
		return ID{raw: string(raw)}, true
	case c == 'n':
		return NullID, true
	}
	return ID{}, false
}

// IsZero reports whether the ID is absent.
func (id ID) IsZero() bool { return id.raw == "" }

// IsNull reports whether the ID is JSON null.
func (id ID) IsNull() bool { return id.raw == "null" }

// String returns the ID's raw JSON text ("" when absent).
func (id ID) String() string { return id.raw }

// MarshalJSON writes the raw text; an absent ID is written as null.
func (id ID) MarshalJSON() ([]byte, error) {
	if id.raw == "" {
		return []byte("null"), nil
	}
	return []byte(id.raw), nil
}

// UnmarshalJSON keeps the raw text of a string, number or null.
func (id *ID) UnmarshalJSON(b []byte) error {
	v, ok := RawID(b)
	if !ok {
		return &Error{Code: CodeInvalidRequest, Message: "Invalid Request: id must be a string or a number"}
	}
	*id = v
	return nil
}

// Kind classifies a decoded message.
type Kind uint8

// The kinds of message (JSON-RPC 2.0 §4, §4.1, §5).
const (
	// KindInvalid is well-formed JSON that is not a valid message; Error holds the reply.
	KindInvalid Kind = iota
	// KindRequest is a call that expects a reply (it has an id).
	KindRequest
	// KindNotification is a request without an id: it gets no reply (JSON-RPC 2.0 §4.1).
	KindNotification
	// KindResponse is a reply sent by the peer to one of our own requests.
	KindResponse
)

func (k Kind) String() string {
	switch k {
	case KindRequest:
		return "request"
	case KindNotification:
		return "notification"
	case KindResponse:
		return "response"
	}
	return "invalid"
}

// Message is one decoded JSON-RPC message of any kind.
//
// For a request or notification, Method and Params are set. For a response, Result or Error
// is set. For an invalid message, Error is the -32600 reply to send and ID the id to send it
// with (the message's own id when it could be read, else [NullID]).
//
// Params, Result and Error.Data alias the decoded input.
type Message struct {
	Kind   Kind
	ID     ID
	Method string
	Params json.RawMessage
	Result json.RawMessage
	Error  *Error
}

// IsCall reports whether m is a request that expects a reply.
func (m *Message) IsCall() bool { return m.Kind == KindRequest }

// Response is a reply to one request (JSON-RPC 2.0 §5): exactly one of Result and Error is set.
type Response struct {
	ID     ID
	Result json.RawMessage
	Error  *Error
}
