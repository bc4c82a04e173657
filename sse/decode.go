package sse

import (
	"bytes"
	"errors"
	"io"
	"iter"
	"time"
	"unicode/utf8"
)

// DefaultMaxEventSize is the [DecoderOptions.MaxEventSize] used when none is
// given: 16 MiB.
const DefaultMaxEventSize = 16 << 20

// ErrEventTooLarge is returned by [Decoder.Next] (and yielded by
// [Decoder.Events]) when a line of the stream, or the data of one event, is
// longer than [DecoderOptions.MaxEventSize]. The Decoder is unusable after it.
var ErrEventTooLarge = errors.New("sse: event exceeds the maximum size")

// DecoderOptions configures a [Decoder]. The zero value gives the defaults.
type DecoderOptions struct {
	// MaxEventSize bounds, in bytes, the length of any one line of the stream
	// (after invalid UTF-8 is replaced) and the data of any one event (its data
	// lines joined by LF, with one more LF counted). A stream that passes it
	// makes the Decoder fail with [ErrEventTooLarge], so that a hostile or
	// broken server cannot make it buffer without bound: a Decoder's buffers
	// stay within a small multiple of MaxEventSize. If zero,
	// [DefaultMaxEventSize].
	MaxEventSize int
}

// initialBufferSize is the size of a Decoder's first read buffer. It grows,
// by doubling, only to hold a line that does not fit.
const initialBufferSize = 4 << 10

// maxEmptyReads is how many successive (0, nil) reads a Decoder tolerates
// before giving up with io.ErrNoProgress, as bufio does.
const maxEmptyReads = 100

// maxRetryMillis is the largest reconnection time, in milliseconds, that a
// time.Duration holds; a larger "retry" value saturates to it.
const maxRetryMillis = int64(1<<63-1) / int64(time.Millisecond)

// utf8BOM is the byte order mark that the UTF-8 decode of §9.2.5 strips from
// the start of a stream.
var utf8BOM = []byte("\xEF\xBB\xBF")

// Decoder reads events from a text/event-stream, implementing the "Parsing an
// event stream" and "Interpreting an event stream" algorithms of WHATWG HTML
// §9.2.5 and §9.2.6.
//
// A Decoder reads ahead from its reader into an internal buffer. It is not
// safe for concurrent use.
//
// # The MCP priming event
//
// An MCP server opens a resumable stream with a "priming" event: an id and an
// empty data field, "id: 7\ndata:\n\n". A "data" field appends its value and a
// LF to the data buffer, so the buffer is "\n", not empty, and the event is
// dispatched (§9.2.6 "dispatch the event", steps 2 and 3): Next returns it as
// an Event with ID "7" and nil Data. A client must skip it rather than parse
// its data as JSON-RPC, and remember its ID to resume.
//
// A block with an id and no data field at all ("id: 7\n\n") dispatches
// nothing, yet still sets the last event ID (step 1 runs before step 2's
// return). Next does not return it; [Decoder.LastEventID] reports it, and it
// is what a client sends as Last-Event-ID after the stream breaks.
type Decoder struct {
	rd  io.Reader
	max int

	// The read buffer: buf[r:w] is read but not yet consumed.
	buf  []byte
	r, w int
	// lf and cr remember where the next LF and CR in buf[r:w] are, so that a
	// window full of one of them is not rescanned for the other on each line.
	lf, cr finder
	// readErr is the error the reader returned; it is acted on once buf[r:w]
	// holds no complete line.
	readErr error

	bomPending bool // the stream's first bytes have not yet been checked for a BOM
	skipLF     bool // the last line ended with a CR at the end of buf; a LF next completes that CRLF
	utf8Buf    []byte

	// The buffers of §9.2.6. idBuf is the "last event ID buffer"; lastID is
	// the "last event ID string", set from idBuf at each blank line.
	data    []byte
	name    []byte
	idBuf   string
	lastID  string
	resetID bool          // the block's last id field was empty
	retry   time.Duration // the block's last valid retry, for Event.Retry
	// The event stream's reconnection time, set by any valid retry field.
	streamRetry    time.Duration
	streamRetrySet bool

	lastName string // the Name of the last event returned, reused to save an allocation
	err      error  // sticky: once set, Next returns it forever
}

// NewDecoder returns a Decoder reading the event stream r. A nil opts means
// the defaults.
func NewDecoder(r io.Reader, opts *DecoderOptions) *Decoder {
	d := &Decoder{
		rd:         r,
		max:        DefaultMaxEventSize,
		bomPending: true,
		lf:         finder{pos: -1},
		cr:         finder{pos: -1},
	}
	if opts != nil && opts.MaxEventSize > 0 {
		d.max = opts.MaxEventSize
	}
	return d
}

// Next reads until the stream dispatches an event and returns it.
//
// Blocks that dispatch nothing (only comments, or fields but no data line)
// are consumed without being returned. Next returns io.EOF when the stream
// ends; an event not yet ended by a blank line at that point is discarded
// (§9.2.6: "any pending data must be discarded"). It returns
// [ErrEventTooLarge] if the stream passes the size limit, and otherwise any
// error of the reader. After an error the Decoder returns that error forever.
func (d *Decoder) Next() (Event, error) {
	if d.err != nil {
		return Event{}, d.err
	}
	for {
		line, err := d.readLine()
		if err != nil {
			d.err = err
			return Event{}, err
		}
		if len(line) == 0 {
			// §9.2.6: "If the line is empty (a blank line): Dispatch the event".
			if e, ok := d.dispatch(); ok {
				return e, nil
			}
			continue
		}
		if err := d.processLine(line); err != nil {
			d.err = err
			return Event{}, err
		}
	}
}

// Events returns an iterator over the events of the stream, as returned by
// [Decoder.Next]. It ends silently at io.EOF; any other error is yielded once,
// with a zero Event, as the last pair. Breaking out of the loop leaves the
// Decoder ready to continue with Next or another Events.
func (d *Decoder) Events() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			e, err := d.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(Event{}, err)
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// LastEventID returns the stream's last event ID string (§9.2.6): the value
// of the latest id field in a block that has ended with a blank line, whether
// or not that block dispatched an event. It is "" until a block sets it. After
// a stream breaks, a client resumes by sending it as the Last-Event-ID header
// (§9.2.4).
func (d *Decoder) LastEventID() string {
	return d.lastID
}

// Retry returns the event stream's reconnection time as last set by a valid
// "retry" field, whether or not its block dispatched an event, and whether any
// did. A value too large for a time.Duration saturates to the largest whole
// number of milliseconds one holds.
func (d *Decoder) Retry() (time.Duration, bool) {
	return d.streamRetry, d.streamRetrySet
}

// dispatch runs §9.2.6 "dispatch the event" at a blank line and reports
// whether an event was dispatched.
func (d *Decoder) dispatch() (Event, bool) {
	// Step 1: the last event ID buffer is not reset, so the last event ID
	// string keeps its value until the server sends another id.
	d.lastID = d.idBuf
	retry, resetID := d.retry, d.resetID
	d.retry, d.resetID = 0, false
	// Step 2: "If the data buffer is an empty string, set the data buffer and
	// the event type buffer to the empty string and return."
	if len(d.data) == 0 {
		d.name = d.name[:0]
		return Event{}, false
	}
	// Step 3: remove the data buffer's final LF; every data field added one.
	data := d.data[:len(d.data)-1]
	var e Event
	if len(data) > 0 {
		e.Data = bytes.Clone(data)
	}
	// Steps 5 and 6: the event's lastEventId and type.
	e.ID = d.lastID
	if string(d.name) != d.lastName {
		d.lastName = string(d.name)
	}
	e.Name = d.lastName
	e.Retry = retry
	e.ResetID = resetID
	// Step 7.
	d.data, d.name = d.data[:0], d.name[:0]
	return e, true
}

// processLine interprets one non-empty line (§9.2.6).
func (d *Decoder) processLine(line []byte) error {
	// "If the line starts with a U+003A COLON character (:) Ignore the line."
	if line[0] == ':' {
		return nil
	}
	// "If the line contains a U+003A COLON character (:)": the field is the
	// text before the first colon, the value the text after it, less one
	// leading space if there is one. "Otherwise": the whole line is the field
	// name and the value is empty.
	field, value := line, line[len(line):]
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	// "Process the field".
	switch string(field) {
	case "event":
		d.name = append(d.name[:0], value...)
	case "data":
		// "Append the field value to the data buffer, then append a single
		// U+000A LINE FEED (LF) character to the data buffer."
		if len(d.data)+len(value)+1 > d.max {
			return ErrEventTooLarge
		}
		d.data = append(d.data, value...)
		d.data = append(d.data, '\n')
	case "id":
		// "If the field value does not contain U+0000 NULL, then set the last
		// event ID buffer to the field value. Otherwise, ignore the field."
		if bytes.IndexByte(value, 0) >= 0 {
			return nil
		}
		if string(value) != d.idBuf {
			d.idBuf = string(value)
		}
		d.resetID = len(value) == 0
	case "retry":
		// "If the field value consists of only ASCII digits, then interpret
		// the field value as an integer in base ten, and set the event
		// stream's reconnection time to that integer. Otherwise, ignore the
		// field." An empty value is ignored too, as browsers do.
		if ms, ok := parseRetry(value); ok {
			d.retry = time.Duration(ms) * time.Millisecond
			d.streamRetry, d.streamRetrySet = d.retry, true
		}
	default:
		// "Otherwise: The field is ignored."
	}
	return nil
}

// parseRetry parses a retry value of ASCII digits as milliseconds, saturating
// at maxRetryMillis. It reports false for an empty value or any other byte.
func parseRetry(value []byte) (int64, bool) {
	if len(value) == 0 {
		return 0, false
	}
	var ms int64
	for _, c := range value {
		if c < '0' || c > '9' {
			return 0, false
		}
		if ms <= (maxRetryMillis-int64(c-'0'))/10 {
			ms = ms*10 + int64(c-'0')
		} else {
			ms = maxRetryMillis
		}
	}
	return ms, true
}

// readLine returns the next line of the stream without its line ending
// (§9.2.5: "end-of-line = ( cr lf / cr / lf )"), with invalid UTF-8 replaced.
// The line is valid until the next call. At the end of the stream it returns
// io.EOF, dropping an unterminated last line, or the reader's error.
func (d *Decoder) readLine() ([]byte, error) {
	for {
		if d.bomPending {
			// §9.2.5: streams are decoded with "UTF-8 decode", which strips
			// one leading BOM. Wait until three bytes, a non-BOM byte or the
			// end of the stream decides whether there is one.
			window := d.buf[d.r:d.w]
			if len(window) < len(utf8BOM) && bytes.HasPrefix(utf8BOM, window) && d.readErr == nil {
				if err := d.fill(); err != nil {
					return nil, err
				}
				continue
			}
			if bytes.HasPrefix(window, utf8BOM) {
				d.r += len(utf8BOM)
			}
			d.bomPending = false
		}
		if d.skipLF {
			// The previous line ended with a CR that was the last byte read;
			// a LF after it belongs to the same CRLF line ending.
			if d.r < d.w {
				if d.buf[d.r] == '\n' {
					d.r++
				}
				d.skipLF = false
			} else if d.readErr != nil {
				d.skipLF = false
			} else {
				if err := d.fill(); err != nil {
					return nil, err
				}
				continue
			}
		}
		lf := d.lf.next(d.buf, d.r, d.w, '\n')
		cr := d.cr.next(d.buf, d.r, d.w, '\r')
		if lf < 0 && cr < 0 {
			// No complete line yet.
			if d.w-d.r > d.max {
				return nil, ErrEventTooLarge
			}
			if d.readErr != nil {
				return nil, d.readErr
			}
			if err := d.fill(); err != nil {
				return nil, err
			}
			continue
		}
		end, next := lf, lf+1
		if cr >= 0 && (lf < 0 || cr < lf) {
			end, next = cr, cr+1
			switch {
			case lf == cr+1:
				next++
			case next == d.w && d.readErr == nil:
				d.skipLF = true
			}
		}
		line := d.buf[d.r:end]
		d.r = next
		if !utf8.Valid(line) {
			d.utf8Buf = appendValidUTF8(d.utf8Buf[:0], line)
			line = d.utf8Buf
		}
		if len(line) > d.max {
			return nil, ErrEventTooLarge
		}
		return line, nil
	}
}

// fill reads more of the stream into buf, compacting or growing it to make
// room. A read error is kept in d.readErr and acted on by readLine once the
// buffered bytes are used up; fill itself fails only when the reader makes no
// progress.
func (d *Decoder) fill() error {
	if d.r == d.w {
		d.r, d.w = 0, 0
		d.lf, d.cr = finder{pos: -1}, finder{pos: -1}
	}
	if d.w == len(d.buf) {
		if d.r > 0 {
			n := copy(d.buf, d.buf[d.r:d.w])
			d.lf.shift(d.r)
			d.cr.shift(d.r)
			d.r, d.w = 0, n
		} else {
			size := max(2*len(d.buf), initialBufferSize)
			buf := make([]byte, size)
			copy(buf, d.buf[:d.w])
			d.buf = buf
		}
	}
	for range maxEmptyReads {
		n, err := d.rd.Read(d.buf[d.w:])
		d.w += n
		if err != nil {
			d.readErr = err
			return nil
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}

// finder caches the position of the next occurrence of one byte in a
// Decoder's buffer, so that each buffered byte is scanned for it at most once.
type finder struct {
	pos     int // index of the next occurrence at or after the read position, or -1 if unknown
	scanned int // buf[:scanned] is known not to hold an occurrence at or after the read position
}

// next returns the index of the first c in buf[r:w], or -1.
func (f *finder) next(buf []byte, r, w int, c byte) int {
	// pos was the first occurrence at or after an earlier read position, and
	// the read position only grows, so pos >= r means it is still the first.
	if f.pos >= r {
		return f.pos
	}
	from := max(r, f.scanned)
	if i := bytes.IndexByte(buf[from:w], c); i >= 0 {
		f.pos = from + i
		return f.pos
	}
	f.pos, f.scanned = -1, w
	return -1
}

// shift adjusts f for the buffer's contents moving n bytes to the left.
func (f *finder) shift(n int) {
	if f.pos >= n {
		f.pos -= n
	} else {
		f.pos = -1
	}
	f.scanned = max(f.scanned-n, 0)
}
