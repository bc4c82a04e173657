package rpc

import (
	"strconv"
	"unicode/utf8"

	"github.com/minimcp/minimcp/internal/jsontext"
)

// Default limits applied by [Decode] when a [Limits] field is zero.
const (
	DefaultMaxMessageBytes = 4 << 20
	DefaultMaxBatchLen     = 1000
)

// Limits bound what [Decode] accepts. The zero value of each field means its default.
type Limits struct {
	// MaxMessageBytes is the largest input accepted, in bytes. If zero, [DefaultMaxMessageBytes].
	MaxMessageBytes int
	// MaxBatchLen is the largest number of messages in a batch. If zero, [DefaultMaxBatchLen].
	MaxBatchLen int
}

func (l Limits) maxBytes() int {
	if l.MaxMessageBytes > 0 {
		return l.MaxMessageBytes
	}
	return DefaultMaxMessageBytes
}

func (l Limits) maxBatch() int {
	if l.MaxBatchLen > 0 {
		return l.MaxBatchLen
	}
	return DefaultMaxBatchLen
}

// Decode parses data as one JSON-RPC message or a batch (JSON-RPC 2.0 §6) and appends the
// messages to dst.
//
// If the input as a whole cannot be processed, Decode returns a non-nil error which is the
// single reply to send with [NullID] (never an array):
//   - invalid JSON anywhere, including inside one member of a batch: -32700 (JSON-RPC 2.0 §5.1);
//   - an empty batch "[]": -32600 (JSON-RPC 2.0 §6: "the response from the Server MUST be a
//     single Response object");
//   - a top-level value that is neither an object nor an array: -32600;
//   - input over Limits.MaxMessageBytes or a batch over Limits.MaxBatchLen: -32600.
//
// Otherwise each message, or each member of the batch, is appended in order; members that are
// not valid messages are appended as [KindInvalid] with the reply to send. batch reports whether
// the input was an array, which the transport needs: a batch's replies are sent as an array.
func Decode(dst []Message, data []byte, lim Limits) (msgs []Message, batch bool, err *Error) {
	if len(data) > lim.maxBytes() {
		return dst, false, &Error{Code: CodeInvalidRequest, Message: "Invalid Request: message of " +
			strconv.Itoa(len(data)) + " bytes exceeds the limit of " + strconv.Itoa(lim.maxBytes()) + " bytes"}
	}
	i := jsontext.SkipSpace(data, 0)
	if i >= len(data) {
		return dst, false, &Error{Code: CodeParseError, Message: "Parse error: empty input"}
	}
	// Validate the whole input first: a parse error anywhere means one -32700 reply and nothing
	// is dispatched (JSON-RPC 2.0 §7, "rpc call Batch, invalid JSON").
	end, serr := jsontext.SkipValue(data, i, 0)
	if serr == nil {
		serr = jsontext.CheckEnd(data, end)
	}
	if serr != nil {
		return dst, false, &Error{Code: CodeParseError, Message: "Parse error: " + serr.Error()}
	}
	switch data[i] {
	case '{':
		m, _ := decodeObject(data[i:end])
		return append(dst, m), false, nil
	case '[':
		return decodeBatch(dst, data[i:end], lim)
	default:
		return dst, false, &Error{Code: CodeInvalidRequest, Message: "Invalid Request: expected an object or an array"}
	}
}

// decodeBatch decodes the members of a validated array.
func decodeBatch(dst []Message, data []byte, lim Limits) ([]Message, bool, *Error) {
	start := len(dst)
	i := jsontext.SkipSpace(data, 1)
	if data[i] == ']' {
		return dst, true, &Error{Code: CodeInvalidRequest, Message: "Invalid Request: empty batch"}
	}
	for {
		if len(dst)-start >= lim.maxBatch() {
			return dst[:start], true, &Error{Code: CodeInvalidRequest, Message: "Invalid Request: batch exceeds the limit of " +
				strconv.Itoa(lim.maxBatch()) + " messages"}
		}
		var end int
		if data[i] == '{' {
			var m Message
			m, end = decodeObject(data[i:])
			end += i
			dst = append(dst, m)
		} else {
			end, _ = jsontext.SkipValue(data, i, 0) // validated by the caller
			dst = append(dst, invalid(NullID, "batch member must be an object"))
		}
		i = jsontext.SkipSpace(data, end)
		if data[i] == ']' {
			return dst, true, nil
		}
		i = jsontext.SkipSpace(data, i+1) // ','
	}
}

func invalid(id ID, why string) Message {
	return Message{Kind: KindInvalid, ID: id, Error: &Error{Code: CodeInvalidRequest, Message: "Invalid Request: " + why}}
}

// decodeObject classifies the validated JSON object at the start of data (JSON-RPC 2.0 §4,
// §5) and returns the index just past it.
func decodeObject(data []byte) (Message, int) {
	var (
		m                          Message
		version                    string
		hasVersion, hasID, hasMeth bool
		hasResult, hasError, dupID bool
		why                        string // first reason the message is invalid
		seen                       uint8  // bit per member already read
	)
	fail := func(reason string) {
		if why == "" {
			why = reason
		}
	}
	i := jsontext.SkipSpace(data, 1)
	for data[i] != '}' {
		kend, kesc, _ := jsontext.ScanString(data, i)
		key := data[i:kend]
		i = jsontext.SkipSpace(data, kend)
		i = jsontext.SkipSpace(data, i+1) // ':'
		vstart := i
		vend, _ := jsontext.SkipValue(data, i, 0)
		val := data[vstart:vend]
		mem := memberOf(key, kesc)
		if mem != memberOther {
			// RFC 8259 §4: with duplicate names "the behavior of software that receives such an
			// object is unpredictable". Refusing them keeps every reader of this message (this
			// decoder, a proxy, the handler's own decoder) agreeing on what it says.
			if seen&(1<<mem) != 0 {
				fail("duplicate member " + strconv.Quote(mem.String()))
				dupID = dupID || mem == memberID
				mem = memberOther // the first value stands; the message is refused anyway
			}
			seen |= 1 << mem
		}
		switch mem {
		case memberVersion:
			hasVersion = true
			if val[0] == '"' {
				_, esc, _ := jsontext.ScanString(val, 0)
				version = unquote(val, esc)
			} else {
				version = ""
			}
		case memberID:
			hasID = true
			switch c := val[0]; {
			case c == '"' && !utf8.Valid(val):
				// The id is echoed byte for byte, and a reply must be UTF-8 (RFC 8259 §8.1;
				// MCP 2025-11-25, Transports: "JSON-RPC messages MUST be UTF-8 encoded"), so an
				// id that is not cannot be answered with: refuse the message, with id null.
				m.ID = ID{}
				fail("id is not valid UTF-8")
			case c == '"' || c == '-' || (c >= '0' && c <= '9'):
				m.ID = ID{raw: string(val)}
			case c == 'n':
				m.ID = NullID // valid in a response only; checked below
			default:
				m.ID = ID{}
				fail("id must be a string or a number")
			}
		case memberMethod:
			hasMeth = true
			if val[0] == '"' {
				_, esc, _ := jsontext.ScanString(val, 0)
				m.Method = unquote(val, esc)
			} else {
				fail("method must be a string")
			}
		case memberParams:
			// JSON-RPC 2.0 §4.2: "If present, parameters for the rpc call MUST be provided as a
			// Structured value. Either by-position through an Array or by-name through an Object."
			if val[0] == '{' || val[0] == '[' {
				m.Params = val
			} else {
				fail("params must be an object or an array")
			}
		case memberResult:
			hasResult = true
			m.Result = val
		case memberError:
			hasError = true
			if e, ok := decodeErrorObject(val); ok {
				m.Error = e
			} else {
				fail("error must be an object with an integer code and a string message")
			}
		}
		i = jsontext.SkipSpace(data, vend)
		if data[i] == ',' {
			i = jsontext.SkipSpace(data, i+1)
		}
	}
	end := i + 1
	if !hasVersion || version != "2.0" {
		fail(`jsonrpc must be "2.0"`)
	}
	switch {
	case hasMeth:
		if hasResult || hasError {
			fail("a message cannot have both method and result or error")
		}
		if m.ID.IsNull() {
			// MCP 2025-11-25, Basic § Requests: "Unlike base JSON-RPC, the ID MUST NOT be null."
			fail("id must not be null")
		}
		if why == "" {
			if hasID {
				m.Kind = KindRequest
			} else {
				m.Kind = KindNotification
			}
		}
	case hasResult || hasError:
		// JSON-RPC 2.0 §5: a Response has exactly one of result and error, and an id (null
		// when the peer could not read ours).
		if hasResult && hasError {
			fail("a response cannot have both result and error")
		}
		if !hasID {
			fail("a response must have an id")
		}
		if why == "" {
			m.Kind = KindResponse
			if m.ID.IsZero() {
				m.ID = NullID
			}
		}
	default:
		fail("missing method")
	}
	if why != "" {
		id := m.ID
		if id.IsZero() || dupID {
			id = NullID
		}
		return invalid(id, why), end
	}
	if m.Kind != KindResponse {
		m.Result, m.Error = nil, nil
	}
	return m, end
}

// member names the members of a message object that decoding looks at.
type member uint8

const (
	memberOther member = iota
	memberVersion
	memberID
	memberMethod
	memberParams
	memberResult
	memberError
)

// String is the member's name in the message.
func (m member) String() string {
	return [...]string{"", "jsonrpc", "id", "method", "params", "result", "error"}[m]
}

// memberOf identifies a validated object key without allocating in the common unescaped case
// (a switch on string(b) does not allocate).
func memberOf(key []byte, escaped bool) member {
	k := key[1 : len(key)-1]
	if escaped {
		k = []byte(unquote(key, true))
	}
	switch string(k) {
	case "jsonrpc":
		return memberVersion
	case "id":
		return memberID
	case "method":
		return memberMethod
	case "params":
		return memberParams
	case "result":
		return memberResult
	case "error":
		return memberError
	}
	return memberOther
}

// decodeErrorObject reads a validated error object (JSON-RPC 2.0 §5.1).
func decodeErrorObject(val []byte) (*Error, bool) {
	if val[0] != '{' {
		return nil, false
	}
	e := &Error{}
	var hasCode, hasMsg bool
	i := jsontext.SkipSpace(val, 1)
	for val[i] != '}' {
		kend, kesc, _ := jsontext.ScanString(val, i)
		name := unquote(val[i:kend], kesc)
		i = jsontext.SkipSpace(val, kend)
		i = jsontext.SkipSpace(val, i+1)
		vend, _ := jsontext.SkipValue(val, i, 0)
		v := val[i:vend]
		switch name {
		case "code":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || hasCode { // a second code is as ambiguous as a duplicate id
				return nil, false
			}
			e.Code, hasCode = n, true
		case "message":
			if v[0] != '"' || hasMsg {
				return nil, false
			}
			_, esc, _ := jsontext.ScanString(v, 0)
			e.Message, hasMsg = unquote(v, esc), true
		case "data":
			e.Data = v
		}
		i = jsontext.SkipSpace(val, vend)
		if val[i] == ',' {
			i = jsontext.SkipSpace(val, i+1)
		}
	}
	return e, hasCode && hasMsg
}

// unquote returns the value of a string literal (with its quotes) checked by
// jsontext.ScanString, decoded as jsontext.AppendUnescaped does: invalid UTF-8 and lone
// surrogates become U+FFFD, as encoding/json does. The version and the method names that
// arrive on every message are returned without allocating.
func unquote(lit []byte, escaped bool) string {
	body := lit[1 : len(lit)-1]
	if !escaped {
		if s, ok := interned(body); ok {
			return s
		}
		if utf8.Valid(body) {
			return string(body)
		}
	}
	return string(jsontext.AppendUnescaped(make([]byte, 0, len(body)), body))
}

// interned returns a shared constant equal to b for the version and the method names that
// arrive on every message, so that decoding them does not allocate.
func interned(b []byte) (string, bool) {
	switch string(b) { // the compiler does not allocate for a switch on string(b)
	case "2.0":
		return "2.0", true
	case "tools/call":
		return "tools/call", true
	case "tools/list":
		return "tools/list", true
	case "initialize":
		return "initialize", true
	case "notifications/initialized":
		return "notifications/initialized", true
	case "ping":
		return "ping", true
	case "resources/read":
		return "resources/read", true
	case "resources/list":
		return "resources/list", true
	case "prompts/get":
		return "prompts/get", true
	case "prompts/list":
		return "prompts/list", true
	case "notifications/cancelled":
		return "notifications/cancelled", true
	case "notifications/progress":
		return "notifications/progress", true
	case "completion/complete":
		return "completion/complete", true
	case "logging/setLevel":
		return "logging/setLevel", true
	}
	return "", false
}
