package sse

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors returned by [AppendEvent], [AppendComment], [Encoder.Encode] and
// [Encoder.Comment] for an event that cannot be written as the caller meant
// it. When one is returned nothing has been appended or written.
var (
	// ErrInvalidID reports an [Event.ID] containing LF, CR or NUL.
	ErrInvalidID = errors.New("sse: event id contains LF, CR or NUL")
	// ErrInvalidName reports an [Event.Name] containing LF, CR or NUL.
	ErrInvalidName = errors.New("sse: event name contains LF, CR or NUL")
	// ErrInvalidRetry reports an [Event.Retry] that is negative or not a whole
	// number of milliseconds.
	ErrInvalidRetry = errors.New("sse: retry is negative or not a whole number of milliseconds")
	// ErrInvalidUTF8 reports an id, name, data or comment that is not valid
	// UTF-8. An event stream is always UTF-8 (§9.2.5), and a client replaces
	// invalid bytes with U+FFFD, so writing them would corrupt the payload.
	ErrInvalidUTF8 = errors.New("sse: event is not valid UTF-8")
)

// maxRetainedBuffer is the largest buffer an [Encoder] keeps between events.
// A larger one, grown for an unusually big event, is dropped after its Write
// so that one big event does not pin its memory for the life of a stream.
const maxRetainedBuffer = 64 << 10

// Encoder writes events to an io.Writer, one Write call per event or comment.
//
// An Encoder does no flushing: a caller writing to an http.ResponseWriter
// flushes after each event (or each batch of events) itself. An Encoder reuses
// one internal buffer, so encoding allocates nothing in steady state.
//
// An Encoder is not safe for concurrent use.
type Encoder struct {
	w   io.Writer
	buf []byte // reused between calls; only the bytes of the current call are live
}

// NewEncoder returns an Encoder that writes to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{w: w}
}

// Encode writes e to the underlying writer in a single Write call.
//
// It returns ErrInvalidID, ErrInvalidName, ErrInvalidRetry or ErrInvalidUTF8
// without writing anything if e cannot be encoded (see [AppendEvent]), and the
// writer's error if the Write fails (io.ErrShortWrite for a short write without
// an error). Encode panics if e is nil.
func (enc *Encoder) Encode(e *Event) error {
	buf, err := AppendEvent(enc.buf[:0], e)
	if err != nil {
		return err
	}
	return enc.write(buf)
}

// Comment writes text as a comment block in a single Write call: one line
// starting with ':' for each line of text (text is split at LF, CRLF and CR),
// then a blank line. A client ignores it (§9.2.6: a line starting with a colon
// is ignored), so it serves as a keep-alive for proxies that drop idle
// connections (§9.2.7 "Authoring notes"): Comment("keep-alive") writes
// ": keep-alive\n\n".
//
// It returns ErrInvalidUTF8 without writing anything if text is not valid
// UTF-8, and the writer's error if the Write fails.
func (enc *Encoder) Comment(text string) error {
	buf, err := AppendComment(enc.buf[:0], text)
	if err != nil {
		return err
	}
	return enc.write(buf)
}

func (enc *Encoder) write(buf []byte) error {
	if cap(buf) <= maxRetainedBuffer {
		enc.buf = buf[:0]
	} else {
		enc.buf = nil
	}
	n, err := enc.w.Write(buf)
	if err == nil && n < len(buf) {
		err = io.ErrShortWrite
	}
	return err
}

// AppendEvent appends the wire form of e to dst and returns the extended
// buffer. It allocates only when dst lacks the capacity, and is safe for
// concurrent use (on distinct dst).
//
// The wire form is, in this order and each line ended by LF: "id: <ID>" if
// ID is not empty, or "id:" if ID is empty and ResetID is set; "event: <Name>"
// if Name is not empty; "retry: <milliseconds>" if Retry is not zero; one
// "data: <line>" for each line of Data (split at LF, CRLF and CR), written as
// "data:" when the line is empty, and at least one of them; then a blank line.
// A single space follows each colon because a client removes exactly one
// (§9.2.6), so values that themselves start with a space survive.
//
// If e cannot be encoded, AppendEvent returns dst unchanged and
// [ErrInvalidID], [ErrInvalidName], [ErrInvalidRetry] or [ErrInvalidUTF8].
// It panics if e is nil.
func AppendEvent(dst []byte, e *Event) ([]byte, error) {
	if err := validate(e); err != nil {
		return dst, err
	}
	// Make room for the usual single-line event at once, so that a large
	// payload costs one allocation rather than a series of doublings.
	dst = slices.Grow(dst, len("id: \nevent: \nretry: 9223372036854\ndata: \n\n")+len(e.ID)+len(e.Name)+len(e.Data))
	if e.ID != "" {
		dst = appendField(dst, "id", e.ID)
	} else if e.ResetID {
		dst = append(dst, "id:\n"...)
	}
	if e.Name != "" {
		dst = appendField(dst, "event", e.Name)
	}
	if e.Retry != 0 {
		dst = append(dst, "retry: "...)
		dst = strconv.AppendInt(dst, int64(e.Retry/time.Millisecond), 10)
		dst = append(dst, '\n')
	}
	for line := range lines(e.Data) {
		dst = appendField(dst, "data", line)
	}
	return append(dst, '\n'), nil
}

// AppendComment appends text as a comment block to dst, in the form written by
// [Encoder.Comment], and returns the extended buffer. If text is not valid
// UTF-8 it returns dst unchanged and [ErrInvalidUTF8].
func AppendComment(dst []byte, text string) ([]byte, error) {
	if !utf8.ValidString(text) {
		return dst, ErrInvalidUTF8
	}
	for line := range lines(text) {
		if line == "" {
			dst = append(dst, ":\n"...)
			continue
		}
		dst = append(dst, ": "...)
		dst = append(dst, line...)
		dst = append(dst, '\n')
	}
	return append(dst, '\n'), nil
}

// validate reports why e cannot be encoded, or nil.
func validate(e *Event) error {
	// A NUL makes a client ignore the id field altogether (§9.2.6, "id"), and
	// a line break would end the field early; either way the client would not
	// see the id that was sent.
	if strings.ContainsAny(e.ID, "\n\r\x00") {
		return ErrInvalidID
	}
	if strings.ContainsAny(e.Name, "\n\r\x00") {
		return ErrInvalidName
	}
	if e.Retry < 0 || e.Retry%time.Millisecond != 0 {
		return ErrInvalidRetry
	}
	if !utf8.ValidString(e.ID) || !utf8.ValidString(e.Name) || !utf8.Valid(e.Data) {
		return ErrInvalidUTF8
	}
	return nil
}

// appendField appends "name: value\n", or "name:\n" for an empty value.
func appendField[T string | []byte](dst []byte, name string, value T) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':')
	if len(value) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, value...)
	}
	return append(dst, '\n')
}

// lines yields the lines of s split at LF, CRLF and lone CR, the three line
// endings of §9.2.5 ("end-of-line"). An empty s, and a trailing line break,
// yield an empty last line, so "" gives one line and "a\n" gives "a" and "".
//
// It scans s for LF and for CR at most once each, with bytes.IndexByte, so
// that a long payload costs two vectorised passes whatever its line breaks.
func lines[T string | []byte](s T) func(yield func(T) bool) {
	return func(yield func(T) bool) {
		lf, cr := indexFrom(s, 0, '\n'), indexFrom(s, 0, '\r')
		start := 0
		for {
			end, next := len(s), -1
			switch {
			case cr >= 0 && (lf < 0 || cr < lf):
				end, next = cr, cr+1
				if lf == cr+1 { // CRLF is one line ending
					next++
				}
			case lf >= 0:
				end, next = lf, lf+1
			}
			if !yield(s[start:end]) || next < 0 {
				return
			}
			start = next
			if lf >= 0 && lf < start {
				lf = indexFrom(s, start, '\n')
			}
			if cr >= 0 && cr < start {
				cr = indexFrom(s, start, '\r')
			}
		}
	}
}

// indexFrom returns the index in s of the first c at or after from, or -1.
func indexFrom[T string | []byte](s T, from int, c byte) int {
	var i int
	switch s := any(s).(type) {
	case string:
		i = strings.IndexByte(s[from:], c)
	case []byte:
		i = bytes.IndexByte(s[from:], c)
	}
	if i < 0 {
		return -1
	}
	return from + i
}
