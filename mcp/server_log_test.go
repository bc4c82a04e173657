package mcp_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
)

// logRecord is one record a recordingHandler kept: its level, message and attributes as text.
type logRecord struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

// recordingHandler is a slog.Handler that keeps every record, for tests to look at.
type recordingHandler struct {
	mu      sync.Mutex
	records []logRecord // guarded by mu
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{level: r.Level, msg: r.Message, attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value.String()
		return true
	})
	h.mu.Lock()
	h.records = append(h.records, rec)
	h.mu.Unlock()
	return nil
}

func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler      { return h }

// find returns the records whose message contains msg.
func (h *recordingHandler) find(msg string) []logRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []logRecord
	for _, r := range h.records {
		if strings.Contains(r.msg, msg) {
			out = append(out, r)
		}
	}
	return out
}

// useDefaultLogger makes slog.Default() record into a new handler until the test ends. Tests
// that call it must not run in parallel.
func useDefaultLogger(t *testing.T) *recordingHandler {
	h := &recordingHandler{}
	old := slog.Default()
	slog.SetDefault(slog.New(h))
	t.Cleanup(func() { slog.SetDefault(old) })
	return h
}

// TestHandlerPanicLogged checks that a panicking handler is logged, with its stack, by a server
// given no Logger (slog.Default() then), while the client gets -32603 without the stack.
func TestHandlerPanicLogged(t *testing.T) {
	logs := useDefaultLogger(t)
	srv := mcp.NewServer(&mcp.Implementation{Name: "panics", Version: "1"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "boom"}, func(context.Context, *mcp.Request, struct{}) (string, error) {
		panic("the tool blew up")
	})
	lines := streamLines(t, srv,
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"boom"}}`)
	require.Len(t, lines, 2)
	var reply struct {
		Error struct {
			Code    int64           `json:"code"`
			Message string          `json:"message"`
			Data    json.RawMessage `json:"data"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &reply))
	assert.Equal(t, int64(-32603), reply.Error.Code)
	assert.NotContains(t, lines[1], "goroutine", "no stack on the wire")
	assert.NotContains(t, lines[1], "blew up", "no panic value on the wire")

	recs := logs.find("panicked")
	require.Len(t, recs, 1)
	assert.Equal(t, slog.LevelError, recs[0].level)
	assert.Equal(t, "the tool blew up", recs[0].attrs["panic"])
	assert.Equal(t, "tools/call", recs[0].attrs["method"])
	assert.Contains(t, recs[0].attrs["stack"], "goroutine")
	assert.Contains(t, recs[0].attrs["stack"], "server_log_test.go", "the stack reaches the handler")
}
