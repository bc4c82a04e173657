package sse_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/sse"
)

// encodeCases are events and their exact wire form. The fuzz corpus of
// fuzz/testdata/fuzz/FuzzSSERoundTrip is seeded from them.
var encodeCases = []struct {
	name  string
	event sse.Event
	want  string
}{
	{"data only", sse.Event{Data: []byte("hello")}, "data: hello\n\n"},
	{"id and data", sse.Event{ID: "42", Data: []byte(`{"jsonrpc":"2.0"}`)}, "id: 42\ndata: {\"jsonrpc\":\"2.0\"}\n\n"},
	{
		"every field in order",
		sse.Event{ID: "a-1", Name: "message", Data: []byte("x"), Retry: 2500 * time.Millisecond},
		"id: a-1\nevent: message\nretry: 2500\ndata: x\n\n",
	},
	// MCP 2025-11-25, Transports § Streamable HTTP: a server primes a
	// resumable stream with an event ID and an empty data field.
	{"MCP priming event", sse.Event{ID: "s1-0", Retry: time.Second}, "id: s1-0\nretry: 1000\ndata:\n\n"},
	{"zero event", sse.Event{}, "data:\n\n"},
	{"empty non-nil data", sse.Event{Data: []byte{}}, "data:\n\n"},
	{"LF lines", sse.Event{Data: []byte("YHOO\n+2\n10")}, "data: YHOO\ndata: +2\ndata: 10\n\n"},
	{"CRLF lines", sse.Event{Data: []byte("a\r\nb")}, "data: a\ndata: b\n\n"},
	{"CR lines", sse.Event{Data: []byte("a\rb")}, "data: a\ndata: b\n\n"},
	{"mixed line endings", sse.Event{Data: []byte("a\r\n\rb\n\nc")}, "data: a\ndata:\ndata: b\ndata:\ndata: c\n\n"},
	{"LF CR is two line endings", sse.Event{Data: []byte("a\n\rb")}, "data: a\ndata:\ndata: b\n\n"},
	{"trailing LF", sse.Event{Data: []byte("a\n")}, "data: a\ndata:\n\n"},
	{"only CRLF", sse.Event{Data: []byte("\r\n")}, "data:\ndata:\n\n"},
	{"leading space kept", sse.Event{ID: " 1", Name: " n", Data: []byte(" x")}, "id:  1\nevent:  n\ndata:  x\n\n"},
	{"colon in values", sse.Event{ID: "a:b", Data: []byte("k: v")}, "id: a:b\ndata: k: v\n\n"},
	{"reset id", sse.Event{ResetID: true, Data: []byte("x")}, "id:\ndata: x\n\n"},
	{"reset id ignored with an id", sse.Event{ID: "9", ResetID: true, Data: []byte("x")}, "id: 9\ndata: x\n\n"},
	{"NUL in data", sse.Event{Data: []byte("a\x00b")}, "data: a\x00b\n\n"},
	{"unicode", sse.Event{ID: "é", Name: "ünï", Data: []byte("日本\n語")}, "id: é\nevent: ünï\ndata: 日本\ndata: 語\n\n"},
}

// encodeErrorCases are events the encoder must refuse.
var encodeErrorCases = []struct {
	name  string
	event sse.Event
	want  error
}{
	{"LF in id", sse.Event{ID: "a\nb"}, sse.ErrInvalidID},
	{"CR in id", sse.Event{ID: "a\rb"}, sse.ErrInvalidID},
	{"NUL in id", sse.Event{ID: "a\x00b"}, sse.ErrInvalidID},
	{"LF in name", sse.Event{Name: "a\n"}, sse.ErrInvalidName},
	{"CR in name", sse.Event{Name: "\ra"}, sse.ErrInvalidName},
	{"NUL in name", sse.Event{Name: "\x00"}, sse.ErrInvalidName},
	{"negative retry", sse.Event{Retry: -time.Millisecond}, sse.ErrInvalidRetry},
	{"sub-millisecond retry", sse.Event{Retry: 1500 * time.Microsecond}, sse.ErrInvalidRetry},
	{"retry of 1ns", sse.Event{Retry: 1}, sse.ErrInvalidRetry},
	{"invalid UTF-8 in id", sse.Event{ID: "\xff"}, sse.ErrInvalidUTF8},
	{"invalid UTF-8 in name", sse.Event{Name: "\xc3"}, sse.ErrInvalidUTF8},
	{"invalid UTF-8 in data", sse.Event{Data: []byte("ok\n\xed\xa0\x80")}, sse.ErrInvalidUTF8},
}

func TestAppendEvent(t *testing.T) {
	for _, tc := range encodeCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sse.AppendEvent([]byte("prefix|"), &tc.event)
			require.NoError(t, err)
			assert.Equal(t, "prefix|"+tc.want, string(got))
		})
	}
}

func TestAppendEventErrors(t *testing.T) {
	for _, tc := range encodeErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sse.AppendEvent([]byte("prefix|"), &tc.event)
			require.ErrorIs(t, err, tc.want)
			assert.Equal(t, "prefix|", string(got), "nothing is appended on error")
		})
	}
}

// recorder is an io.Writer that keeps each Write separately.
type recorder struct {
	writes []string
}

func (r *recorder) Write(p []byte) (int, error) {
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func TestEncoderEncode(t *testing.T) {
	for _, tc := range encodeCases {
		t.Run(tc.name, func(t *testing.T) {
			var w recorder
			enc := sse.NewEncoder(&w)
			require.NoError(t, enc.Encode(&tc.event))
			require.NoError(t, enc.Encode(&tc.event))
			assert.Equal(t, []string{tc.want, tc.want}, w.writes, "one Write per event")
		})
	}
	for _, tc := range encodeErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			var w recorder
			err := sse.NewEncoder(&w).Encode(&tc.event)
			require.ErrorIs(t, err, tc.want)
			assert.Empty(t, w.writes, "nothing is written on error")
		})
	}
}

func TestEncoderComment(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"keep-alive", "keep-alive", ": keep-alive\n\n"},
		{"empty", "", ":\n\n"},
		{"leading space kept", " x", ":  x\n\n"},
		{"LF split", "a\nb", ": a\n: b\n\n"},
		{"CRLF and CR split", "a\r\nb\rc", ": a\n: b\n: c\n\n"},
		{"trailing LF", "a\n", ": a\n:\n\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w recorder
			require.NoError(t, sse.NewEncoder(&w).Comment(tc.text))
			assert.Equal(t, []string{tc.want}, w.writes)

			got, err := sse.AppendComment(nil, tc.text)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
	t.Run("invalid UTF-8", func(t *testing.T) {
		var w recorder
		require.ErrorIs(t, sse.NewEncoder(&w).Comment("a\xffb"), sse.ErrInvalidUTF8)
		assert.Empty(t, w.writes)
		got, err := sse.AppendComment([]byte("x"), "\xff")
		require.ErrorIs(t, err, sse.ErrInvalidUTF8)
		assert.Equal(t, "x", string(got))
	})
}

// failWriter fails every Write, or writes short when short is set.
type failWriter struct {
	short bool
	err   error
}

func (w failWriter) Write(p []byte) (int, error) {
	if w.short {
		return len(p) - 1, nil
	}
	return 0, w.err
}

func TestEncoderWriteErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		w    io.Writer
		want error
	}{
		{"writer error", failWriter{err: boom}, boom},
		{"short write", failWriter{short: true}, io.ErrShortWrite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc := sse.NewEncoder(tc.w)
			require.ErrorIs(t, enc.Encode(&sse.Event{Data: []byte("x")}), tc.want)
			require.ErrorIs(t, enc.Comment("x"), tc.want)
		})
	}
}

func TestEncoderLargeEventThenSmall(t *testing.T) {
	var w recorder
	enc := sse.NewEncoder(&w)
	big := bytes.Repeat([]byte("x"), 1<<20)
	require.NoError(t, enc.Encode(&sse.Event{Data: big}))
	require.NoError(t, enc.Encode(&sse.Event{Data: []byte("small")}))
	require.Len(t, w.writes, 2)
	assert.Equal(t, "data: "+string(big)+"\n\n", w.writes[0])
	assert.Equal(t, "data: small\n\n", w.writes[1])
}

// typicalData is a JSON-RPC response of about 300 bytes, the usual payload of
// an MCP event.
var typicalData = []byte(`{"jsonrpc":"2.0","id":17,"result":{"content":[{"type":"text","text":"The weather in Paris is 18°C with light rain expected in the afternoon; wind from the west at 12 km/h, humidity 72%."}],"structuredContent":{"city":"Paris","temperatureC":18,"conditions":"light rain"},"isError":false}}`)

// multilineData is a payload of ten lines with mixed line endings.
var multilineData = []byte(strings.Repeat("line of pretty-printed JSON text\n", 5) + strings.Repeat("another line\r\n", 5))

func TestEncodeZeroAllocs(t *testing.T) {
	tests := []struct {
		name  string
		event sse.Event
	}{
		{"typical", sse.Event{ID: "0123456789abcdef-42", Data: typicalData}},
		{"multiline", sse.Event{ID: "7", Name: "message", Retry: time.Second, Data: multilineData}},
		{"priming", sse.Event{ID: "7", Retry: time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc := sse.NewEncoder(io.Discard)
			allocs := testing.AllocsPerRun(100, func() {
				if err := enc.Encode(&tc.event); err != nil {
					t.Fatal(err)
				}
			})
			assert.Zero(t, allocs)
		})
	}
	t.Run("comment", func(t *testing.T) {
		enc := sse.NewEncoder(io.Discard)
		allocs := testing.AllocsPerRun(100, func() {
			if err := enc.Comment("keep-alive"); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs)
	})
	t.Run("AppendEvent", func(t *testing.T) {
		buf := make([]byte, 0, 1024)
		e := sse.Event{ID: "1", Data: typicalData}
		allocs := testing.AllocsPerRun(100, func() {
			var err error
			if buf, err = sse.AppendEvent(buf[:0], &e); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs)
	})
}

func BenchmarkEncode(b *testing.B) {
	benchmarks := []struct {
		name  string
		event sse.Event
	}{
		{"typical", sse.Event{ID: "0123456789abcdef-42", Data: typicalData}},
		{"multiline", sse.Event{ID: "0123456789abcdef-42", Data: multilineData}},
		{"64KiB", sse.Event{ID: "0123456789abcdef-42", Data: bytes.Repeat([]byte("x"), 64<<10)}},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			enc := sse.NewEncoder(io.Discard)
			b.SetBytes(int64(len(bm.event.Data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := enc.Encode(&bm.event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
