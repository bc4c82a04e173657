package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"

	"github.com/minimcp/minimcp/internal/jsontext"
	"github.com/minimcp/minimcp/rpc"
)

// lineWriter writes newline-delimited messages, one at a time. It never drops a message
// silently: one that cannot be sent is logged, and a response that cannot be sent is answered
// with -32603 instead while the stream works. It remembers the first write error; later writes
// fail with it (and are logged too).
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
	// logger returns where lost messages are reported.
	logger func() *slog.Logger
	// failed is the first write error; guarded by mu.
	failed error
}

// errMultiLine is the error of a message that spans lines and cannot be compacted onto one.
// Its text reaches the client inside the -32603 reply that replaces such a response, so it
// keeps the words it had when this writer lived in package mcp.
var errMultiLine = errors.New("mcp: message spans lines and is not valid JSON")

// Send implements [mcp.Sender]. A message that spans lines (raw JSON from a handler, written as
// indented) is compacted onto one line: MCP 2025-11-25, Transports § stdio: "Messages are
// delimited by newlines, and MUST NOT contain embedded newlines". Our encoders already write
// one line; this is the last guard of the framing.
func (lw *lineWriter) Send(ctx context.Context, msg []byte) error { return lw.send(ctx, msg, nil) }

// send is Send; id, if not nil, names the message in the log when it is lost (otherwise the
// message is read for its id or method).
func (lw *lineWriter) send(ctx context.Context, msg []byte, id *rpc.ID) error {
	if hasNewline(msg) {
		// Rare (our encoders write one line): only raw JSON from a handler gets here.
		buf := rpc.GetBuffer()
		defer rpc.PutBuffer(buf)
		compact := bytes.NewBuffer((*buf)[:0])
		if json.Compact(compact, msg) != nil {
			lw.lost(ctx, msg, id, errMultiLine)
			return errMultiLine
		}
		*buf = compact.Bytes()
		msg = *buf
	}
	lw.mu.Lock()
	err := lw.failed
	if err == nil {
		buf := rpc.GetBuffer()
		*buf = append(append(*buf, msg...), '\n')
		_, err = lw.w.Write(*buf)
		rpc.PutBuffer(buf)
		lw.failed = err
	}
	lw.mu.Unlock()
	if err != nil {
		lw.lost(ctx, msg, id, err)
	}
	return err
}

// lost logs a message that was not sent, naming it by its id or method.
func (lw *lineWriter) lost(ctx context.Context, msg []byte, id *rpc.ID, err error) {
	attrs := make([]any, 0, 6)
	if id != nil {
		attrs = append(attrs, "id", id.String())
	} else {
		_ = jsontext.EachMember(msg, func(k, v []byte) bool {
			switch string(k) {
			case "id":
				attrs = append(attrs, "id", string(v))
			case "method":
				if m, ok := jsontext.Unquote(v); ok {
					attrs = append(attrs, "method", m)
				}
			}
			return true
		})
	}
	if len(msg) > 0 && msg[0] == '[' {
		attrs = append(attrs, "batch", true)
	}
	lw.logger().ErrorContext(ctx, "mcp: message not sent", append(attrs, "err", err)...)
}

// reply sends a response. If it cannot be sent while the stream works (its result is not
// valid JSON), the request is answered with -32603 all the same: a client must not wait
// forever for an answer that was lost.
func (lw *lineWriter) reply(ctx context.Context, r *rpc.Response) {
	buf := rpc.GetBuffer()
	*buf = rpc.AppendResponse(*buf, r)
	err := lw.send(ctx, *buf, &r.ID)
	rpc.PutBuffer(buf)
	if err != nil && r.Error == nil && lw.err() == nil {
		lw.reply(ctx, &rpc.Response{ID: r.ID, Error: unsent(err)})
	}
}

// replyBatch sends the replies to a batch as one message; as for reply, a member that cannot be
// sent is replaced by -32603.
func (lw *lineWriter) replyBatch(ctx context.Context, replies []rpc.Response) {
	buf := rpc.GetBuffer()
	*buf = rpc.AppendBatch(*buf, replies)
	err := lw.Send(ctx, *buf)
	rpc.PutBuffer(buf)
	if err == nil || lw.err() != nil {
		return
	}
	fixed := make([]rpc.Response, len(replies))
	for i, r := range replies {
		if r.Error == nil && len(r.Result) > 0 && !json.Valid(r.Result) {
			r = rpc.Response{ID: r.ID, Error: unsent(errMultiLine)}
		}
		fixed[i] = r
	}
	buf = rpc.GetBuffer()
	*buf = rpc.AppendBatch(*buf, fixed)
	_ = lw.Send(ctx, *buf)
	rpc.PutBuffer(buf)
}

// unsent is the error that answers a request whose response could not be sent.
func unsent(err error) *rpc.Error {
	return rpc.NewError(rpc.CodeInternalError, "Internal error: the response could not be sent: "+err.Error())
}

func (lw *lineWriter) err() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.failed
}

// hasNewline reports whether data holds a line break. In valid JSON a raw CR or LF can only be
// whitespace between tokens: inside a string it must be escaped (RFC 8259 §7). It runs on
// every message written, hence IndexByte, which is vectorized.
func hasNewline(data []byte) bool {
	return bytes.IndexByte(data, '\n') >= 0 || bytes.IndexByte(data, '\r') >= 0
}
