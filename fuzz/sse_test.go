package fuzz

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/sse"
)

// FuzzSSERoundTrip checks the encoder against its contract.
//
// For an event the encoder accepts, a Decoder reading the encoder's output
// returns the event, normalised as [sse.Event] documents: CR and CRLF in Data
// read as LF, empty Data as nil, ResetID only without an ID; and an event
// encoded after it without an id carries its ID. For an event the encoder
// refuses, it returns the error its rules predict and writes nothing.
//
// retry is taken as nanoseconds, so most values are invalid; each input is
// also tried with retry made a valid number of milliseconds.
func FuzzSSERoundTrip(f *testing.F) {
	f.Add("42", "", []byte(`{"jsonrpc":"2.0","id":1,"result":{}}`), int64(0), false)
	f.Add("s1-0", "", []byte(nil), int64(time.Second), false)
	f.Add("", "note", []byte("a\r\nb\rc\n"), int64(1500*time.Millisecond), true)
	f.Fuzz(func(t *testing.T, id, name string, data []byte, retry int64, resetID bool) {
		e := sse.Event{ID: id, Name: name, Data: data, Retry: time.Duration(retry), ResetID: resetID}
		sseCheckRoundTrip(t, e)
		ms := retry / int64(time.Millisecond)
		e.Retry = time.Duration(max(ms, -ms)) * time.Millisecond
		sseCheckRoundTrip(t, e)
	})
}

func sseCheckRoundTrip(t *testing.T, e sse.Event) {
	var w sseRecorder
	enc := sse.NewEncoder(&w)
	err := enc.Encode(&e)
	if want := sseEncodeError(e); want != nil {
		require.ErrorIs(t, err, want)
		require.Zero(t, w.writes, "an event refused must write nothing")
		appended, err := sse.AppendEvent([]byte("x"), &e)
		require.ErrorIs(t, err, want)
		require.Equal(t, "x", string(appended))
		return
	}
	require.NoError(t, err)
	require.Equal(t, 1, w.writes, "one Write per event")

	// The comment reads as nothing; the second event shows the last event ID.
	if utf8.Valid(e.Data) {
		require.NoError(t, enc.Comment(string(e.Data)))
	}
	next := sse.Event{Data: []byte("next")}
	require.NoError(t, enc.Encode(&next))

	first := sseNormalised(e, "")
	want := []sse.Event{first, sseNormalised(next, first.ID)}
	for _, r := range []io.Reader{bytes.NewReader(w.buf.Bytes()), iotest.OneByteReader(bytes.NewReader(w.buf.Bytes()))} {
		d := sse.NewDecoder(r, nil)
		var got []sse.Event
		for ev, err := range d.Events() {
			require.NoError(t, err)
			got = append(got, ev)
		}
		require.Equal(t, want, got, "wire: %q", w.buf.Bytes())
		require.Equal(t, first.ID, d.LastEventID())
		retry, ok := d.Retry()
		require.Equal(t, e.Retry, retry)
		require.Equal(t, e.Retry != 0, ok)
	}
}

// sseEncodeError is the error the encoder's documented rules give for e, or
// nil: the fields are checked in the order id, name, retry, UTF-8.
func sseEncodeError(e sse.Event) error {
	switch {
	case strings.ContainsAny(e.ID, "\r\n\x00"):
		return sse.ErrInvalidID
	case strings.ContainsAny(e.Name, "\r\n\x00"):
		return sse.ErrInvalidName
	case e.Retry < 0 || e.Retry%time.Millisecond != 0:
		return sse.ErrInvalidRetry
	case !utf8.ValidString(e.ID) || !utf8.ValidString(e.Name) || !utf8.Valid(e.Data):
		return sse.ErrInvalidUTF8
	}
	return nil
}

// sseNormalised is what a Decoder returns for an encoded e, given the last
// event ID before it.
func sseNormalised(e sse.Event, lastID string) sse.Event {
	data := strings.ReplaceAll(string(e.Data), "\r\n", "\n")
	data = strings.ReplaceAll(data, "\r", "\n")
	e.Data = nil
	if data != "" {
		e.Data = []byte(data)
	}
	e.ResetID = e.ResetID && e.ID == ""
	if e.ID == "" && !e.ResetID {
		e.ID = lastID
	}
	return e
}

// sseRecorder is an io.Writer that counts its Write calls.
type sseRecorder struct {
	buf    bytes.Buffer
	writes int
}

func (r *sseRecorder) Write(p []byte) (int, error) {
	r.writes++
	return r.buf.Write(p)
}

// sseFuzzMax is the MaxEventSize FuzzSSEDecode uses, small so that inputs the
// fuzzer builds reach it.
const sseFuzzMax = 64

// FuzzSSEDecode feeds arbitrary bytes to a Decoder and checks that it never
// panics, that it agrees with sseReference (a literal reading of WHATWG HTML
// §9.2.5 and §9.2.6, with the Encoding Standard's UTF-8 decoder) whether the
// input comes whole or a byte at a time, that it keeps to MaxEventSize, and
// that what it returns encodes and decodes back to itself.
func FuzzSSEDecode(f *testing.F) {
	f.Add([]byte("data: YHOO\ndata: +2\ndata: 10\n\n"))
	f.Add([]byte("\xEF\xBB\xBFid: 1\r\ndata: a\r\rretry: 10\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		want := sseReference(in, sseFuzzMax)
		readers := map[string]io.Reader{
			"whole":    bytes.NewReader(in),
			"one byte": iotest.OneByteReader(bytes.NewReader(in)),
			"data+EOF": iotest.DataErrReader(bytes.NewReader(in)),
		}
		for name, r := range readers {
			d := sse.NewDecoder(r, &sse.DecoderOptions{MaxEventSize: sseFuzzMax})
			var got []sse.Event
			var err error
			for ev, e := range d.Events() {
				if e != nil {
					err = e
					break
				}
				got = append(got, ev)
			}
			if want.tooLarge {
				require.ErrorIs(t, err, sse.ErrEventTooLarge, name)
				_, err := d.Next()
				require.ErrorIs(t, err, sse.ErrEventTooLarge, "%s: the error is sticky", name)
			} else {
				require.NoError(t, err, name)
			}
			require.Equal(t, want.events, got, name)
			for _, ev := range got {
				require.LessOrEqual(t, len(ev.Data), sseFuzzMax, name)
				require.LessOrEqual(t, len(ev.ID), sseFuzzMax, name)
				require.LessOrEqual(t, len(ev.Name), sseFuzzMax, name)
				require.True(t, utf8.Valid(ev.Data) && utf8.ValidString(ev.ID) && utf8.ValidString(ev.Name), name)
			}
			if !want.tooLarge {
				require.Equal(t, want.lastID, d.LastEventID(), name)
				retry, ok := d.Retry()
				require.Equal(t, want.retry, retry, name)
				require.Equal(t, want.retrySet, ok, name)
			}
		}
		sseCheckReencode(t, want.events)
	})
}

// sseCheckReencode checks that decoded events, written again by the encoder
// with every id explicit, decode to themselves.
func sseCheckReencode(t *testing.T, events []sse.Event) {
	var buf []byte
	var want []sse.Event
	for _, ev := range events {
		ev.ResetID = ev.ID == ""
		out, err := sse.AppendEvent(buf, &ev)
		if strings.IndexByte(ev.Name, 0) >= 0 {
			// A NUL in an event type is legal on the wire, but the encoder
			// refuses it.
			require.ErrorIs(t, err, sse.ErrInvalidName)
			continue
		}
		require.NoError(t, err)
		buf = out
		want = append(want, ev)
	}
	var got []sse.Event
	for ev, err := range sse.NewDecoder(bytes.NewReader(buf), nil).Events() {
		require.NoError(t, err)
		got = append(got, ev)
	}
	require.Equal(t, want, got)
}

// sseResult is what sseReference makes of a stream.
type sseResult struct {
	events   []sse.Event
	lastID   string
	retry    time.Duration
	retrySet bool
	tooLarge bool // the stream passed the size limit; events are those before it
}

// sseReference decodes an event stream by following the spec's prose line by
// line, as simply as possible and without the Decoder's buffering, caching
// and fast paths, applying the size limit that DecoderOptions.MaxEventSize
// documents.
func sseReference(in []byte, limit int) sseResult {
	var res sseResult
	// UTF-8 decode: strip one leading BOM.
	in = bytes.TrimPrefix(in, []byte("\xEF\xBB\xBF"))
	var data, eventType, idBuf string
	var blockRetry time.Duration
	resetID := false
	for {
		// end-of-line = ( cr lf / cr / lf ). CR and LF are ASCII, which the
		// UTF-8 decoder never takes into a sequence, so splitting the raw
		// bytes into lines and decoding each gives what decoding the whole
		// stream and splitting it would.
		i := bytes.IndexAny(in, "\r\n")
		if i < 0 {
			// An unterminated last line is dropped, but an over-long one
			// fails even so: a Decoder cannot tell it will never end.
			res.tooLarge = len(in) > limit
			return res
		}
		raw := in[:i]
		if in[i] == '\r' && i+1 < len(in) && in[i+1] == '\n' {
			in = in[i+2:]
		} else {
			in = in[i+1:]
		}
		line := sseUTF8Decode(raw)
		if len(line) > limit {
			res.tooLarge = true
			return res
		}
		switch {
		case line == "":
			// Dispatch the event.
			res.lastID = idBuf
			retry, reset := blockRetry, resetID
			blockRetry, resetID = 0, false
			if data == "" {
				eventType = ""
				continue
			}
			data = strings.TrimSuffix(data, "\n")
			ev := sse.Event{ID: res.lastID, Name: eventType, Retry: retry, ResetID: reset}
			if data != "" {
				ev.Data = []byte(data)
			}
			res.events = append(res.events, ev)
			data, eventType = "", ""
			continue
		case line[0] == ':':
			continue
		}
		field, value, found := strings.Cut(line, ":")
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		switch field {
		case "event":
			eventType = value
		case "data":
			if len(data)+len(value)+1 > limit {
				res.tooLarge = true
				return res
			}
			data += value + "\n"
		case "id":
			if !strings.Contains(value, "\x00") {
				idBuf = value
				resetID = value == ""
			}
		case "retry":
			if value == "" || strings.Trim(value, "0123456789") != "" {
				continue
			}
			const maxMillis = int64(1<<63-1) / int64(time.Millisecond)
			ms := int64(0)
			for _, c := range value {
				ms = min(ms*10+int64(c-'0'), maxMillis) // ms*10 cannot overflow
			}
			blockRetry = time.Duration(ms) * time.Millisecond
			res.retry, res.retrySet = blockRetry, true
		}
	}
}

// sseUTF8Decode is the Encoding Standard's "UTF-8 decoder", transcribed step
// by step, with errors replaced by U+FFFD.
func sseUTF8Decode(in []byte) string {
	var out strings.Builder
	codePoint, bytesSeen, bytesNeeded := rune(0), 0, 0
	lower, upper := byte(0x80), byte(0xBF)
	for i := 0; i < len(in); i++ {
		b := in[i]
		if bytesNeeded == 0 {
			switch {
			case b <= 0x7F:
				out.WriteByte(b)
			case 0xC2 <= b && b <= 0xDF:
				bytesNeeded, codePoint = 1, rune(b&0x1F)
			case 0xE0 <= b && b <= 0xEF:
				if b == 0xE0 {
					lower = 0xA0
				}
				if b == 0xED {
					upper = 0x9F
				}
				bytesNeeded, codePoint = 2, rune(b&0xF)
			case 0xF0 <= b && b <= 0xF4:
				if b == 0xF0 {
					lower = 0x90
				}
				if b == 0xF4 {
					upper = 0x8F
				}
				bytesNeeded, codePoint = 3, rune(b&0x7)
			default:
				out.WriteRune(utf8.RuneError)
			}
			continue
		}
		if b < lower || b > upper {
			// "set UTF-8 code point, UTF-8 bytes needed, and UTF-8 bytes seen
			// to 0, set UTF-8 lower boundary to 0x80, and set UTF-8 upper
			// boundary to 0xBF. Restore byte to ioQueue. Return error."
			codePoint, bytesNeeded, bytesSeen = 0, 0, 0
			lower, upper = 0x80, 0xBF
			i--
			out.WriteRune(utf8.RuneError)
			continue
		}
		lower, upper = 0x80, 0xBF
		codePoint = codePoint<<6 | rune(b&0x3F)
		bytesSeen++
		if bytesSeen == bytesNeeded {
			out.WriteRune(codePoint)
			codePoint, bytesNeeded, bytesSeen = 0, 0, 0
		}
	}
	if bytesNeeded != 0 {
		out.WriteRune(utf8.RuneError)
	}
	return out.String()
}

// TestSSEReference checks the reference decoder itself on the spec's examples,
// so that FuzzSSEDecode compares against something known to be right.
func TestSSEReference(t *testing.T) {
	got := sseReference([]byte(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\ndata"), 1<<20)
	assert.Equal(t, []sse.Event{
		{ID: "1", Data: []byte("first event")},
		{Data: []byte("second event"), ResetID: true},
		{Data: []byte(" third event")},
	}, got.events)
	assert.False(t, got.tooLarge)
	assert.Equal(t, "a\uFFFDb\uFFFD\uFFFD\uFFFD", sseUTF8Decode([]byte("a\xF0\x90\x80b\xED\xA0\x80")))
	assert.True(t, errors.Is(sseEncodeError(sse.Event{ID: "\n"}), sse.ErrInvalidID))
}
