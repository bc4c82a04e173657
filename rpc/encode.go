package rpc

import (
	"strconv"
	"sync"
	"unicode/utf8"

	json "github.com/goccy/go-json"
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
	dst = appendString(dst, method)
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
	dst = appendString(dst, e.Message)
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

const hexDigits = "0123456789abcdef"

// safeASCII[c] is whether the ASCII byte c stands for itself inside a JSON string as encoding/json
// writes it with HTML escaping on.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s to b as a JSON string.
func appendString(b []byte, s string) []byte {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// Skip eight bytes at once when none may need escaping or start a multi-byte rune. Each term
			// has the high bit of a byte set if that byte is (or, past a borrow, may be): below 0x20; from
			// 0x80; '"' or '&' (0x22 and 0x26 differ by bit 0x04); '<' or '>' (0x3c and 0x3e, by 0x02);
			// backslash.
			p := s[i : i+8]
			w := uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
				uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
			q := w | lo*0x04 ^ lo*0x26
			a := w | lo*0x02 ^ lo*0x3e
			k := w ^ lo*'\\'
			if ((w-lo*0x20)&^w|w|(q-lo)&^q|(a-lo)&^a|(k-lo)&^k)&hi == 0 {
				i += 8
				continue
			}
		}
		// Look at the next eight bytes one by one.
		for end := min(i+8, len(s)); i < end; {
			c := s[i]
			if c < utf8.RuneSelf {
				if safeASCII[c] {
					i++
					continue
				}
				b = append(b, s[start:i]...)
				switch c {
				case '"', '\\':
					b = append(b, '\\', c)
				case '\n':
					b = append(b, '\\', 'n')
				case '\r':
					b = append(b, '\\', 'r')
				case '\t':
					b = append(b, '\\', 't')
				case '\b':
					b = append(b, '\\', 'b')
				case '\f':
					b = append(b, '\\', 'f')
				default:
					b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
				}
				i++
				start = i
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
			case r == '\u2028' || r == '\u2029':
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			default:
				i += size
				continue
			}
			i += size
			start = i
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendString appends s as a JSON string literal (RFC 8259 §7), escaped the way encoding/json
// escapes it: control characters, quote, backslash, the HTML-sensitive <, > and &, U+2028 and
// U+2029; invalid UTF-8 becomes U+FFFD, so the output is always valid JSON.
func AppendString(dst []byte, s string) []byte { return appendString(dst, s) }

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
