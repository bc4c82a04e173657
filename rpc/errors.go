package rpc

import (
	"errors"
	"fmt"

	json "github.com/goccy/go-json"
)

// Standard error codes (JSON-RPC 2.0 §5.1).
const (
	CodeParseError     int64 = -32700
	CodeInvalidRequest int64 = -32600
	CodeMethodNotFound int64 = -32601
	CodeInvalidParams  int64 = -32602
	CodeInternalError  int64 = -32603
)

// Error is a JSON-RPC error object (JSON-RPC 2.0 §5.1). It is both the error a handler returns
// to choose the reply's code and the error carried by a reply from the peer.
//
// Errors compare by code with [errors.Is]: errors.Is(err, rpc.ErrMethodNotFound) holds for any
// *Error with code -32601, whatever its message.
type Error struct {
	Code    int64           `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Sentinels for the standard codes, for use with errors.Is. Do not return them from handlers
// when a more precise message can be given: use [NewError] or [Errorf].
var (
	ErrParse          = &Error{Code: CodeParseError, Message: "Parse error"}
	ErrInvalidRequest = &Error{Code: CodeInvalidRequest, Message: "Invalid Request"}
	ErrMethodNotFound = &Error{Code: CodeMethodNotFound, Message: "Method not found"}
	ErrInvalidParams  = &Error{Code: CodeInvalidParams, Message: "Invalid params"}
	ErrInternal       = &Error{Code: CodeInternalError, Message: "Internal error"}
)

// NewError returns an error with the given code and message.
func NewError(code int64, message string) *Error {
	return &Error{Code: code, Message: message}
}

// Errorf returns an error with the given code and a formatted message.
func Errorf(code int64, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidParams returns a -32602 error whose message says what is wrong with the params.
func InvalidParams(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidParams, Message: "Invalid params: " + fmt.Sprintf(format, args...)}
}

// WithData returns a copy of e whose data member is v encoded as JSON. If v cannot be encoded,
// the copy has no data.
func (e *Error) WithData(v any) *Error {
	c := *e
	if raw, ok := v.(json.RawMessage); ok {
		c.Data = raw
		return &c
	}
	b, err := json.Marshal(v)
	if err == nil {
		c.Data = b
	}
	return &c
}

// Error implements error.
func (e *Error) Error() string {
	if len(e.Data) > 0 {
		return fmt.Sprintf("jsonrpc error %d: %s (data: %s)", e.Code, e.Message, e.Data)
	}
	return fmt.Sprintf("jsonrpc error %d: %s", e.Code, e.Message)
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// AsError converts any error to the *Error that should go on the wire: an *Error found with
// errors.As is returned as is; any other error becomes -32603 with the error's text (never
// code 0). A nil error gives nil.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e != nil {
		if e.Code == 0 {
			c := *e
			c.Code = CodeInternalError
			return &c
		}
		return e
	}
	return &Error{Code: CodeInternalError, Message: err.Error()}
}
