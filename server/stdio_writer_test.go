package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/rpc"
)

// textLog is a logger writing text records to a buffer, for the tests of this file.
type textLog struct {
	mu  sync.Mutex
	buf bytes.Buffer // guarded by mu
}

func (l *textLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *textLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *textLog) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// failingWriter fails every write after the first n bytes.
type failingWriter struct {
	bytes.Buffer
	n int
}

var errBrokenPipe = errors.New("broken pipe")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.Len()+len(p) > w.n {
		return 0, errBrokenPipe
	}
	return w.Buffer.Write(p)
}

// TestLineWriter checks that the stdio writer never drops a message silently: a message that
// spans lines goes out compacted on one line (MCP 2025-11-25, Transports § stdio: "Messages
// are delimited by newlines, and MUST NOT contain embedded newlines"); a response that cannot
// be sent is logged and answered with -32603; a failed write is logged.
func TestLineWriter(t *testing.T) {
	ctx := context.Background()
	t.Run("spans lines", func(t *testing.T) {
		var out bytes.Buffer
		var logs textLog
		lw := &lineWriter{w: &out, logger: logs.logger}
		lw.reply(ctx, &rpc.Response{ID: rpc.Int64ID(1), Result: []byte("{\n  \"a\": [1,\n 2]\n}")})
		assert.Equal(t, `{"jsonrpc":"2.0","id":1,"result":{"a":[1,2]}}`+"\n", out.String())
		assert.Empty(t, logs.String())
	})
	t.Run("not JSON", func(t *testing.T) {
		var out bytes.Buffer
		var logs textLog
		lw := &lineWriter{w: &out, logger: logs.logger}
		lw.reply(ctx, &rpc.Response{ID: rpc.Int64ID(7), Result: []byte("{\"a\": \"two\nlines\"}")})
		assert.Equal(t, `{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"Internal error: the response could not be sent: mcp: message spans lines and is not valid JSON"}}`+"\n", out.String())
		assert.Contains(t, logs.String(), `level=ERROR msg="mcp: message not sent" id=7 err="mcp: message spans lines and is not valid JSON"`)
		require.NoError(t, lw.err(), "the stream still works")
	})
	t.Run("batch member not JSON", func(t *testing.T) {
		var out bytes.Buffer
		var logs textLog
		lw := &lineWriter{w: &out, logger: logs.logger}
		lw.replyBatch(ctx, []rpc.Response{
			{ID: rpc.Int64ID(1), Result: []byte(`{}`)},
			{ID: rpc.Int64ID(2), Result: []byte("\"a\nb\"")},
		})
		assert.Equal(t, `[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"Internal error: the response could not be sent: mcp: message spans lines and is not valid JSON"}}]`+"\n", out.String())
		assert.Contains(t, logs.String(), `level=ERROR msg="mcp: message not sent"`)
	})
	t.Run("write fails", func(t *testing.T) {
		out := &failingWriter{n: 60}
		var logs textLog
		lw := &lineWriter{w: out, logger: logs.logger}
		lw.reply(ctx, &rpc.Response{ID: rpc.Int64ID(1), Result: []byte(`{}`)})
		lw.reply(ctx, &rpc.Response{ID: rpc.Int64ID(2), Result: []byte(`{"long":"enough to fail"}`)})
		err := lw.Send(ctx, []byte(`{"jsonrpc":"2.0","method":"notifications/message"}`))
		require.ErrorIs(t, err, errBrokenPipe)
		require.ErrorIs(t, lw.err(), errBrokenPipe)
		assert.Equal(t, `{"jsonrpc":"2.0","id":1,"result":{}}`+"\n", out.String())
		log := logs.String()
		assert.Contains(t, log, `level=ERROR msg="mcp: message not sent" id=2 err="broken pipe"`)
		assert.Contains(t, log, `msg="mcp: message not sent" method=notifications/message err="broken pipe"`)
		assert.Equal(t, 2, strings.Count(log, "\n"), "one record per message lost: %s", log)
	})
}
