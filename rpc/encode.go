package rpc

import (
	"strconv"
	"sync"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
)

// AppendResponse appends the JSON encoding of r to dst (JSON-RPC 2.0 §5). The id is written
// byte for byte; an absent id is written as null.
func AppendResponse(dst []byte, r *Response) []byte {
	dst = append(dst, `{"jsonrpc":"2.0","id":`...)
	dst = appendID(dst, r.ID)
	if r.Error != nil {
		dst = append(dst, `,"error":`...)
		dst = AppendError(dst, r.Error)
	} else {
		dst = append(dst, `,"result":`...)
		if len(r.Result) == 0 {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, r.Result...)
		}
	}
	return append(dst, '}')
}

// AppendBatch appends the responses as a JSON array (JSON-RPC 2.0 §6). An empty list appends
// nothing: a batch of notifications gets no reply at all.
func AppendBatch(dst []byte, rs []Response) []byte {
	if len(rs) == 0 {
		return dst
	}
	dst = append(dst, '[')
	for i := range rs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendResponse(dst, &rs[i])
	}
	return append(dst, ']')
}

// AppendRequest appends a request (id set) or a notification (id zero) with already encoded
// params (JSON-RPC 2.0 §4). Empty params are left out.
func AppendRequest(dst []byte, id ID, method string, params json.RawMessage) []byte {
	dst = append(dst, `{"jsonrpc":"2.0",`...)
	if !id.IsZero() {
		dst = append(dst, `"id":`...)
		dst = append(dst, id.raw...)
		dst = append(dst, ',')
	}
	dst = append(dst, `"method":`...)
	dst = jsontext.AppendString(dst, method)
	if len(params) > 0 {
		dst = append(dst, `,"params":`...)
		dst = append(dst, params...)
	}
	return append(dst, '}')
}

// AppendError appends the error object e (JSON-RPC 2.0 §5.1). Code 0 is written as -32603:
// an error without a code is an internal error, never code 0 on the wire.
func AppendError(dst []byte, e *Error) []byte {
	code := e.Code
	if code == 0 {
		code = CodeInternalError
	}
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendInt(dst, code, 10)
	dst = append(dst, `,"message":`...)
	dst = jsontext.AppendString(dst, e.Message)
	if len(e.Data) > 0 && json.Valid(e.Data) {
		dst = append(dst, `,"data":`...)
		dst = append(dst, e.Data...)
	}
	return append(dst, '}')
}

func appendID(dst []byte, id ID) []byte {
	if id.IsZero() {
		return append(dst, "null"...)
	}
	return append(dst, id.raw...)
}

// bufPool recycles encoding buffers. Buffers that grew past maxPooledBuf are dropped so one
// large reply does not pin memory.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledBuf = 64 << 10

// GetBuffer returns an empty buffer from a shared pool. Return it with [PutBuffer] once its
// contents are no longer referenced.
func GetBuffer() *[]byte {
	b := bufPool.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

// PutBuffer returns a buffer obtained from [GetBuffer] to the pool.
func PutBuffer(b *[]byte) {
	if cap(*b) > maxPooledBuf {
		return
	}
	bufPool.Put(b)
}

// EncodeResult encodes a handler's result for a response. A json.RawMessage is used as is; a
// json.Marshaler's output is used as is; nil becomes null; anything else is marshalled with
// goccy/go-json.
func EncodeResult(v any) (json.RawMessage, error) {
	switch r := v.(type) {
	case nil:
		return json.RawMessage("null"), nil
	case json.RawMessage:
		if len(r) == 0 {
			return json.RawMessage("null"), nil
		}
		return r, nil
	case json.Marshaler:
		// A type that encodes itself is trusted to produce valid JSON: calling it directly
		// saves the copy and validation pass json.Marshal makes of its output.
		return r.MarshalJSON()
	}
	return json.Marshal(v)
}
