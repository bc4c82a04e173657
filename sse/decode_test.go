package sse_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/sse"
)

// ev builds an expected decoded event.
func ev(id, name, data string) sse.Event {
	e := sse.Event{ID: id, Name: name}
	if data != "" {
		e.Data = []byte(data)
	}
	return e
}

// decodeCases are streams and what a Decoder makes of them. The fuzz corpus
// of fuzz/testdata/fuzz/FuzzSSEDecode is seeded from them.
var decodeCases = []struct {
	name   string
	in     string
	want   []sse.Event
	lastID string // the decoder's LastEventID at the end
}{
	// The examples of WHATWG HTML §9.2.1 and §9.2.6.
	{
		name: "spec: three messages",
		in:   "data: This is the first message.\n\ndata: This is the second message, it\ndata: has two lines.\n\ndata: This is the third message.\n\n",
		want: []sse.Event{
			ev("", "", "This is the first message."),
			ev("", "", "This is the second message, it\nhas two lines."),
			ev("", "", "This is the third message."),
		},
	},
	{
		name: "spec: add and remove event types",
		in:   "event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n",
		want: []sse.Event{ev("", "add", "73857293"), ev("", "remove", "2153"), ev("", "add", "113411")},
	},
	{
		name: "spec: stock",
		in:   "data: YHOO\ndata: +2\ndata: 10\n\n",
		want: []sse.Event{ev("", "", "YHOO\n+2\n10")},
	},
	{
		// "The first block has just a comment, and will fire nothing. The
		// second block has two fields with names "data" and "id"
		// respectively; an event will be fired for this block, with the data
		// "first event", and will then set the last event ID to "1" so that if
		// the connection died between this block and the next, the server
		// would be sent a `Last-Event-ID` header with the value `1`. The third
		// block fires an event with data "second event", and also has an "id"
		// field, this time with no value, which resets the last event ID to
		// the empty string [...]. Finally, the last block just fires an event
		// with the data " third event" (with a single leading space
		// character)."
		name: "spec: first, second and third event",
		in:   ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
		want: []sse.Event{
			ev("1", "", "first event"),
			{Data: []byte("second event"), ResetID: true},
			ev("", "", " third event"),
		},
	},
	{
		// "The first block fires events with the data set to the empty
		// string, as would the last block if it was followed by a blank line.
		// The middle block fires an event with the data set to a single
		// newline character. The last block is discarded because it is not
		// followed by a blank line."
		name: "spec: empty data and a discarded last block",
		in:   "data\n\ndata\ndata\n\ndata:",
		want: []sse.Event{ev("", "", ""), ev("", "", "\n")},
	},
	{
		// "The following event stream, if parsed, would cause two identical
		// events to be fired, because a single space after the colon is
		// removed."
		name: "spec: data:test and data: test are identical",
		in:   "data:test\n\ndata: test\n\n",
		want: []sse.Event{ev("", "", "test"), ev("", "", "test")},
	},

	// MCP 2025-11-25, Transports § Streamable HTTP: "the server SHOULD
	// immediately send an SSE event consisting of an event ID and an empty
	// data field". The data field makes the data buffer "\n", not empty, so
	// the event is dispatched with empty data (§9.2.6 "dispatch the event",
	// steps 2 and 3).
	{
		name:   "MCP priming event is dispatched with empty data",
		in:     "id: s1-0\nretry: 1000\ndata:\n\ndata: {}\n\n",
		want:   []sse.Event{{ID: "s1-0", Retry: time.Second}, ev("s1-0", "", "{}")},
		lastID: "s1-0",
	},
	{
		// Without a data field the block dispatches nothing, but step 1 of
		// dispatch still sets the last event ID.
		name:   "id-only block sets the last event ID without an event",
		in:     "id: s1-0\n\n",
		lastID: "s1-0",
	},
	{
		name:   "id-only block then an event",
		in:     "id: 5\n\ndata: x\n\n",
		want:   []sse.Event{ev("5", "", "x")},
		lastID: "5",
	},

	// Byte order mark and line endings (§9.2.5).
	{name: "BOM stripped", in: "\uFEFFdata: 1\n\n", want: []sse.Event{ev("", "", "1")}},
	{
		// Only one BOM, at the very start, is stripped; a later one is part
		// of a field name ("\uFEFFdata"), which is ignored.
		name: "BOM stripped once",
		in:   "\uFEFFdata: 1\n\n\uFEFFdata: 2\n\ndata: 3\n\n",
		want: []sse.Event{ev("", "", "1"), ev("", "", "3")},
	},
	{name: "second BOM at start is a field name", in: "\uFEFF\uFEFFdata: 1\n\n"},
	{name: "partial BOM is content", in: "\xEF\xBBdata: 1\n\n"},
	{name: "BOM alone", in: "\uFEFF"},
	{name: "CRLF", in: "data: a\r\ndata: b\r\n\r\n", want: []sse.Event{ev("", "", "a\nb")}},
	{name: "CR", in: "data: a\rdata: b\r\r", want: []sse.Event{ev("", "", "a\nb")}},
	{name: "mixed endings", in: "data: a\rdata: b\r\ndata: c\n\r\n", want: []sse.Event{ev("", "", "a\nb\nc")}},
	{name: "LF CR is two line endings", in: "data: a\n\rdata: b\n\n", want: []sse.Event{ev("", "", "a"), ev("", "", "b")}},
	{name: "CR CR LF", in: "data: a\r\r\n", want: []sse.Event{ev("", "", "a")}},

	// Lines and fields (§9.2.6).
	{name: "line without colon is a field with an empty value", in: "data\n\n", want: []sse.Event{ev("", "", "")}},
	{name: "event without colon resets the type", in: "event: x\nevent\ndata: y\n\n", want: []sse.Event{ev("", "", "y")}},
	{name: "only one space removed", in: "data:  x\n\n", want: []sse.Event{ev("", "", " x")}},
	{name: "tab not removed", in: "data:\tx\n\n", want: []sse.Event{ev("", "", "\tx")}},
	{name: "space before colon is part of the name", in: "data : x\n\n"},
	{name: "field names are case-sensitive", in: "Data: x\n\nDATA: y\n\n"},
	{name: "colons after the first are value", in: "data: a:b: c\n\n", want: []sse.Event{ev("", "", "a:b: c")}},
	{name: "empty field name", in: ": not a field\n:\ndata: x\n\n", want: []sse.Event{ev("", "", "x")}},
	{name: "unknown fields ignored", in: "foo: bar\ndata: x\nbaz\n\n", want: []sse.Event{ev("", "", "x")}},
	{name: "comment lines ignored", in: ":hello\ndata: a\n: data: b\ndata: c\n\n", want: []sse.Event{ev("", "", "a\nc")}},
	{name: "comment-only block dispatches nothing", in: ": keep-alive\n\n: keep-alive\n\n"},
	{name: "blank lines alone dispatch nothing", in: "\n\n\r\n\r\r"},
	{name: "empty stream", in: ""},
	{name: "data of only empty lines", in: "data:\ndata:\ndata:\n\n", want: []sse.Event{ev("", "", "\n\n")}},
	{name: "NUL in data kept", in: "data: a\x00b\n\n", want: []sse.Event{ev("", "", "a\x00b")}},
	{name: "invalid UTF-8 replaced", in: "data: a\xffb\n\n", want: []sse.Event{ev("", "", "a\uFFFDb")}},
	{name: "truncated sequence is one U+FFFD", in: "data: \xF0\x90\x80\n\n", want: []sse.Event{ev("", "", "\uFFFD")}},

	// Event type (§9.2.6).
	{name: "type is reset after dispatch", in: "event: add\ndata: 1\n\ndata: 2\n\n", want: []sse.Event{ev("", "add", "1"), ev("", "", "2")}},
	{name: "type is reset by a block without data", in: "event: x\n\ndata: y\n\n", want: []sse.Event{ev("", "", "y")}},
	{name: "last type wins", in: "event: a\nevent: b\ndata: y\n\n", want: []sse.Event{ev("", "b", "y")}},
	{name: "type before and after data", in: "data: y\nevent: t\n\n", want: []sse.Event{ev("", "t", "y")}},

	// Last event ID (§9.2.6).
	{
		name:   "id persists to later events",
		in:     "id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n",
		want:   []sse.Event{ev("1", "", "a"), ev("1", "", "b"), ev("2", "", "c")},
		lastID: "2",
	},
	{
		name: "empty id resets",
		in:   "id: 1\ndata: a\n\nid:\ndata: b\n\ndata: c\n\n",
		want: []sse.Event{ev("1", "", "a"), {Data: []byte("b"), ResetID: true}, ev("", "", "c")},
	},
	{
		name:   "id with NUL ignored",
		in:     "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
		want:   []sse.Event{ev("1", "", "a"), ev("1", "", "b")},
		lastID: "1",
	},
	{name: "last id wins", in: "id\nid: 3\ndata: x\n\n", want: []sse.Event{ev("3", "", "x")}, lastID: "3"},
	{name: "id with spaces", in: "id:  a b \ndata: x\n\n", want: []sse.Event{ev(" a b ", "", "x")}, lastID: " a b "},
	{
		// The last event ID buffer is only copied to the last event ID
		// string when a block ends.
		name:   "id of an unfinished block is not the last event ID",
		in:     "id: 1\ndata: a\n\nid: 2\ndata: b\n",
		want:   []sse.Event{ev("1", "", "a")},
		lastID: "1",
	},

	// Retry (§9.2.6).
	{name: "retry", in: "retry: 1500\ndata: x\n\n", want: []sse.Event{{Data: []byte("x"), Retry: 1500 * time.Millisecond}}},
	{name: "retry with leading zeros", in: "retry: 0100\ndata: x\n\n", want: []sse.Event{{Data: []byte("x"), Retry: 100 * time.Millisecond}}},
	{name: "retry zero", in: "retry: 0\ndata: x\n\n", want: []sse.Event{ev("", "", "x")}},
	{name: "retry is per block", in: "retry: 5\ndata: x\n\ndata: y\n\n", want: []sse.Event{{Data: []byte("x"), Retry: 5 * time.Millisecond}, ev("", "", "y")}},
	{name: "retry with letters ignored", in: "retry: 15a\ndata: x\n\n", want: []sse.Event{ev("", "", "x")}},
	{name: "negative retry ignored", in: "retry: -1\ndata: x\n\n", want: []sse.Event{ev("", "", "x")}},
	{name: "fractional retry ignored", in: "retry: 1.5\ndata: x\n\n", want: []sse.Event{ev("", "", "x")}},
	{name: "retry with two spaces ignored", in: "retry:  10\ndata: x\n\n", want: []sse.Event{ev("", "", "x")}},
	{name: "empty retry ignored", in: "retry\nretry:\ndata: x\n\n", want: []sse.Event{ev("", "", "x")}},
	{name: "invalid retry keeps earlier one", in: "retry: 7\nretry: x\ndata: x\n\n", want: []sse.Event{{Data: []byte("x"), Retry: 7 * time.Millisecond}}},
	{
		name: "huge retry saturates",
		in:   "retry: 99999999999999999999999\ndata: x\n\n",
		want: []sse.Event{{Data: []byte("x"), Retry: time.Duration(1<<63-1) / time.Millisecond * time.Millisecond}},
	},

	// End of stream (§9.2.6: "any pending data must be discarded").
	{name: "unterminated event discarded", in: "data: a\n\ndata: b\n", want: []sse.Event{ev("", "", "a")}},
	{name: "unterminated line discarded", in: "data: a\n\ndata: b", want: []sse.Event{ev("", "", "a")}},
	{name: "CR ends the last line", in: "data: a\r\r", want: []sse.Event{ev("", "", "a")}},
	{name: "single line ending is not a blank line", in: "data: a\r\n", want: nil},
}

// decodeAll reads every event from r and returns them with the decoder and
// the final error (nil at io.EOF).
func decodeAll(r io.Reader, opts *sse.DecoderOptions) ([]sse.Event, *sse.Decoder, error) {
	d := sse.NewDecoder(r, opts)
	var events []sse.Event
	for {
		e, err := d.Next()
		if err == io.EOF {
			return events, d, nil
		}
		if err != nil {
			return events, d, err
		}
		events = append(events, e)
	}
}

func TestDecoder(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			got, d, err := decodeAll(strings.NewReader(tc.in), nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.lastID, d.LastEventID())
		})
	}
}

// chunkReader returns its chunks one per Read, then io.EOF.
type chunkReader struct {
	chunks []string
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.chunks) > 0 && r.chunks[0] == "" {
		r.chunks = r.chunks[1:]
	}
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	return n, nil
}

// TestDecoderChunking checks that how the stream is cut into reads changes
// nothing, in particular a CRLF split between two reads, a BOM split between
// reads, and reads of one byte.
func TestDecoderChunking(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("one byte per read", func(t *testing.T) {
				got, d, err := decodeAll(iotest.OneByteReader(strings.NewReader(tc.in)), nil)
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				assert.Equal(t, tc.lastID, d.LastEventID())
			})
			t.Run("data with EOF", func(t *testing.T) {
				got, _, err := decodeAll(iotest.DataErrReader(strings.NewReader(tc.in)), nil)
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
			})
			for i := 1; i < len(tc.in); i++ {
				got, d, err := decodeAll(&chunkReader{chunks: []string{tc.in[:i], tc.in[i:]}}, nil)
				require.NoError(t, err, "split at %d", i)
				assert.Equal(t, tc.want, got, "split at %d", i)
				assert.Equal(t, tc.lastID, d.LastEventID(), "split at %d", i)
			}
		})
	}
}

// scriptReader returns its chunks one per Read and fails the test if read
// again, proving that a Decoder returns an event without reading ahead.
type scriptReader struct {
	t      *testing.T
	chunks []string
}

func (r *scriptReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		r.t.Error("read past the end of the script")
		return 0, errors.New("read past the end of the script")
	}
	n := copy(p, r.chunks[0])
	r.chunks = r.chunks[1:]
	return n, nil
}

func TestDecoderDoesNotWaitForMoreInput(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   sse.Event
	}{
		{"LF", []string{"data: a\n", "\n"}, ev("", "", "a")},
		{"CRLF", []string{"data: a\r\n\r\n"}, ev("", "", "a")},
		{"CR CR", []string{"data: a\r\r"}, ev("", "", "a")},
		{"CR at the end of each read", []string{"data: a\r", "\r"}, ev("", "", "a")},
		{"CRLF split", []string{"data: a\r", "\n\r", "\n"}, ev("", "", "a")},
		{"BOM", []string{"\xEF", "\xBB\xBF", "data: a\n\n"}, ev("", "", "a")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := sse.NewDecoder(&scriptReader{t: t, chunks: tc.chunks}, nil)
			got, err := d.Next()
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDecoderMaxEventSize(t *testing.T) {
	const limit = 16
	tests := []struct {
		name string
		in   string
		want []sse.Event // events before the error
		err  error
	}{
		{"line at the limit", "data: 0123456789\n\n", []sse.Event{ev("", "", "0123456789")}, nil},
		{"data at the limit", "data: 01234\ndata: 56789\n\n", []sse.Event{ev("", "", "01234\n56789")}, nil},
		{"line over the limit", "data: ok\n\ndata: 01234567890\n\n", []sse.Event{ev("", "", "ok")}, sse.ErrEventTooLarge},
		{"unterminated line over the limit", "data: 01234567890", nil, sse.ErrEventTooLarge},
		{"comment over the limit", ": 0123456789abcdef\n\ndata: x\n\n", nil, sse.ErrEventTooLarge},
		{"data lines over the limit", "data: 0123456\ndata: 01234567\n\n", nil, sse.ErrEventTooLarge},
		{"many short data lines", strings.Repeat("data\n", 17) + "\n", nil, sse.ErrEventTooLarge},
		{"invalid UTF-8 grows the line", "data:\xff\xff\xff\xff\n\n", nil, sse.ErrEventTooLarge},
		{"many events under the limit", strings.Repeat("data: 0123456789\n\n", 3), []sse.Event{ev("", "", "0123456789"), ev("", "", "0123456789"), ev("", "", "0123456789")}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in))} {
				got, d, err := decodeAll(r, &sse.DecoderOptions{MaxEventSize: limit})
				require.ErrorIs(t, err, tc.err)
				assert.Equal(t, tc.want, got)
				if tc.err != nil {
					_, err := d.Next()
					assert.ErrorIs(t, err, tc.err, "the error is sticky")
				}
			}
		})
	}
	t.Run("default", func(t *testing.T) {
		in := "data: " + strings.Repeat("x", sse.DefaultMaxEventSize) + "\n\n"
		_, _, err := decodeAll(strings.NewReader(in), nil)
		require.ErrorIs(t, err, sse.ErrEventTooLarge)
	})
	t.Run("a huge line is not buffered whole", func(t *testing.T) {
		// An endless line of 'x': the decoder must give up near the limit.
		r := &countingReader{r: infiniteReader('x')}
		_, err := sse.NewDecoder(r, &sse.DecoderOptions{MaxEventSize: 1 << 20}).Next()
		require.ErrorIs(t, err, sse.ErrEventTooLarge)
		assert.Less(t, r.n, int64(4<<20))
	})
}

// infiniteReader reads as an endless run of one byte.
type infiniteReader byte

func (r infiniteReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	return n, err
}

func TestDecoderReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("data: a\n\ndata: b\n"), iotest.ErrReader(boom))
	d := sse.NewDecoder(r, nil)
	e, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, ev("", "", "a"), e)
	_, err = d.Next()
	require.ErrorIs(t, err, boom)
	_, err = d.Next()
	require.ErrorIs(t, err, boom, "the error is sticky")
}

func TestDecoderDataAndError(t *testing.T) {
	// A reader that returns its last bytes together with an error.
	boom := errors.New("boom")
	r := &dataErrReader{data: "data: a\n\n", err: boom}
	d := sse.NewDecoder(r, nil)
	e, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, ev("", "", "a"), e)
	_, err = d.Next()
	require.ErrorIs(t, err, boom)
}

type dataErrReader struct {
	data string
	err  error
}

func (r *dataErrReader) Read(p []byte) (int, error) {
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, r.err
}

// emptyReader always reads (0, nil).
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestDecoderNoProgress(t *testing.T) {
	_, err := sse.NewDecoder(emptyReader{}, nil).Next()
	require.ErrorIs(t, err, io.ErrNoProgress)
}

func TestDecoderEvents(t *testing.T) {
	t.Run("all", func(t *testing.T) {
		d := sse.NewDecoder(strings.NewReader("data: a\n\ndata: b\n\n"), nil)
		var got []string
		for e, err := range d.Events() {
			require.NoError(t, err)
			got = append(got, string(e.Data))
		}
		assert.Equal(t, []string{"a", "b"}, got)
	})
	t.Run("break then continue", func(t *testing.T) {
		d := sse.NewDecoder(strings.NewReader("data: a\n\ndata: b\n\ndata: c\n\n"), nil)
		for e, err := range d.Events() {
			require.NoError(t, err)
			assert.Equal(t, "a", string(e.Data))
			break
		}
		e, err := d.Next()
		require.NoError(t, err)
		assert.Equal(t, "b", string(e.Data))
		var rest []string
		for e, err := range d.Events() {
			require.NoError(t, err)
			rest = append(rest, string(e.Data))
		}
		assert.Equal(t, []string{"c"}, rest)
	})
	t.Run("error yielded once", func(t *testing.T) {
		d := sse.NewDecoder(strings.NewReader("data: a\n\ndata: 0123456789\n\n"), &sse.DecoderOptions{MaxEventSize: 8})
		var errs []error
		n := 0
		for _, err := range d.Events() {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		}
		assert.Equal(t, 1, n)
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], sse.ErrEventTooLarge)
	})
}

func TestDecoderRetry(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		ok   bool
	}{
		{"none", "data: x\n\n", 0, false},
		{"set", "retry: 3000\ndata: x\n\n", 3 * time.Second, true},
		{"zero", "retry: 0\ndata: x\n\n", 0, true},
		{"in a block without data", "retry: 10\n\n", 10 * time.Millisecond, true},
		{"in an unfinished block", "retry: 10\n", 10 * time.Millisecond, true},
		{"last valid wins across blocks", "retry: 10\n\nretry: 20\ndata: x\n\nretry: bad\n\n", 20 * time.Millisecond, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, d, err := decodeAll(strings.NewReader(tc.in), nil)
			require.NoError(t, err)
			got, ok := d.Retry()
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.ok, ok)
		})
	}
}

func TestDecoderDataIsOwned(t *testing.T) {
	d := sse.NewDecoder(strings.NewReader("data: first\n\ndata: other\n\n"), nil)
	first, err := d.Next()
	require.NoError(t, err)
	_, err = d.Next()
	require.NoError(t, err)
	assert.Equal(t, "first", string(first.Data), "a later event does not overwrite an earlier one's data")
}

// stream returns n typical MCP events as one text/event-stream.
func stream(n int) []byte {
	var buf []byte
	for i := range n {
		var err error
		buf, err = sse.AppendEvent(buf, &sse.Event{ID: fmt.Sprintf("0123456789abcdef-%d", i), Data: typicalData})
		if err != nil {
			panic(err)
		}
	}
	return buf
}

func BenchmarkDecode(b *testing.B) {
	benchmarks := []struct {
		name string
		in   []byte
	}{
		{"100 events", stream(100)},
		{"100 multiline events", bytes.Repeat([]byte("data: "+strings.ReplaceAll(string(multilineData), "\n", "\ndata: ")+"\n\n"), 100)},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.in)))
			b.ReportAllocs()
			r := bytes.NewReader(bm.in)
			for b.Loop() {
				r.Reset(bm.in)
				n := 0
				for _, err := range sse.NewDecoder(r, nil).Events() {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 100 {
					b.Fatalf("decoded %d events, want 100", n)
				}
			}
		})
	}
}
