package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: request bodies.

A POST's body is read in full before anything is decoded (a JSON-RPC message is parsed in one
piece), so a peer decides how much memory a request holds and for how long. Three bounds keep
that in hand, for Streamable HTTP POSTs and legacy /message POSTs alike:

  - Size: MaxBodyBytes, at once when Content-Length declares more, else when the bytes read
    cross it (413).
  - Time: BodyReadTimeout, from the end of the headers to the end of the body, as a read
    deadline on the connection (http.ResponseController.SetReadDeadline); a body not complete
    by then gets 408. It spans the whole body, not each read: a peer trickling a byte now and
    then is cut as surely as one that stopped. Once the body is in, the deadline must not
    outlive it: net/http keeps reading an HTTP/1 connection in the background to notice a
    client leaving, and a failed read there cancels the request, however long its handler
    runs. net/http clears the deadline itself when it starts that read, at the body's end
    (and HTTP/2 ignores a read deadline once the body is complete), so there is nothing to
    undo; TestBodyReadDeadlineCleared holds it to that.
  - Memory: the buffer grows as bytes arrive (doubling, never past Content-Length or the
    limit), not at the declared Content-Length: a peer that declares 4 MiB and sends ten
    bytes holds a pooled buffer of a few KiB. Buffers grown past bodyFree are counted, while
    their body is still arriving, against MaxBodyBytesInFlight; a body that would take the
    count past it gets 503 with Retry-After. A body within bodyFree costs about what its
    connection's own buffers cost and is not counted: the hot path does no accounting.

So N stalled peers hold at most MaxBodyBytesInFlight, plus bodyFree (or a pooled buffer of
at most 64 KiB) each, for at most BodyReadTimeout. Once read, a body belongs to its request
(its messages' params alias it) and no longer counts: what it costs from then on is bounded
by the requests in flight, not by how slowly a peer sends.

Every early answer to a body not read to its end (413, 408, 503, a read error) carries
Connection: close on HTTP/1: the rest of the body is unread, and without it net/http would
read up to 256 KiB more of it, with no deadline, looking for the next request.
*/

// bodyFree is the capacity of a body buffer taken from the pool: bodies that fit count against
// no budget.
const bodyFree = 4 << 10

// readBody reads the body of r into a pooled buffer, within the bounds of the design note
// above, and returns it (release it with rpc.PutBuffer when nothing refers to the body any
// more). When it cannot, it answers with the status that says why and returns nil.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) *[]byte {
	limit := h.opts.MaxBodyBytes
	if r.ContentLength > limit {
		h.bodyError(w, r, http.StatusRequestEntityTooLarge, tooLarge(limit))
		return nil
	}
	if t := h.opts.BodyReadTimeout; t > 0 && r.ContentLength != 0 {
		// Without support (a ResponseWriter that hides it), the server's ReadTimeout, if any,
		// is the bound.
		setReadDeadline(w, time.Now().Add(t))
	}
	buf := rpc.GetBuffer()
	b := (*buf)[:0:min(cap(*buf), bodyFree)]
	grown := false     // b is not the pooled buffer any more
	var reserved int64 // counted against MaxBodyBytesInFlight
	defer func() {
		if reserved > 0 {
			h.bodyBytes.Add(-reserved)
		}
	}()
	fail := func(status int, msg string) *[]byte {
		if grown {
			*buf = b // dropped by PutBuffer if too large to pool
		}
		rpc.PutBuffer(buf)
		h.bodyError(w, r, status, msg)
		return nil
	}
	for {
		if len(b) == cap(b) {
			n := h.growTo(len(b), r.ContentLength)
			if n > bodyFree && h.opts.MaxBodyBytesInFlight > 0 {
				if !h.reserveBody(int64(n) - reserved) {
					return fail(http.StatusServiceUnavailable, "Service Unavailable: request bodies being received hold their limit of "+
						strconv.FormatInt(h.opts.MaxBodyBytesInFlight, 10)+" bytes; retry later")
				}
				reserved = int64(n)
			}
			b = append(make([]byte, 0, n), b...)
			grown = true
		}
		m, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if int64(len(b)) > limit {
			return fail(http.StatusRequestEntityTooLarge, tooLarge(limit))
		}
		if err == io.EOF {
			break
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// RFC 9110 §15.5.9: "The 408 (Request Timeout) status code indicates that the
			// server did not receive a complete request message within the time that it was
			// prepared to wait."
			return fail(http.StatusRequestTimeout, "Request Timeout: the body was not received within "+h.opts.BodyReadTimeout.String())
		}
		if err != nil {
			return fail(http.StatusBadRequest, "Bad Request: reading the body: "+err.Error())
		}
	}
	if grown {
		*buf = b
	} else {
		*buf = (*buf)[:len(b)] // the pooled buffer keeps its whole capacity
	}
	return buf
}

// growTo returns the capacity of the next buffer of a body of which have bytes are in: twice
// as much, but never more than Content-Length or the limit need. One byte more than those
// lets a reader that returns io.EOF on its own (not with the last bytes) say so, and a body
// over the limit show it.
func (h *Handler) growTo(have int, contentLength int64) int {
	n := max(2*have, 512)
	if contentLength > int64(have) && int64(n)-1 > contentLength {
		n = int(contentLength + 1)
	}
	if int64(n)-1 > h.opts.MaxBodyBytes {
		n = int(h.opts.MaxBodyBytes + 1)
	}
	return max(n, have+1)
}

// reserveBody counts n more bytes of bodies being received, unless that would pass
// MaxBodyBytesInFlight (positive).
func (h *Handler) reserveBody(n int64) bool {
	if h.bodyBytes.Add(n) > h.opts.MaxBodyBytesInFlight {
		h.bodyBytes.Add(-n)
		return false
	}
	return true
}

// bodyError answers a request whose body was not read to its end.
func (h *Handler) bodyError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	switch status {
	case http.StatusRequestEntityTooLarge:
		h.opts.Metrics.reject(reasonSize, "")
	case http.StatusRequestTimeout:
		h.opts.Metrics.reject(reasonBodyTimeout, "")
	case http.StatusServiceUnavailable:
		h.opts.Metrics.reject(reasonBodyMemory, "")
	default:
		h.opts.Metrics.reject(reasonProtocol, "")
	}
	hd := w.Header()
	if r.ProtoMajor == 1 {
		// An HTTP/2 stream's unread body does not stand in the way of the next request, and
		// net/http would take Connection: close as a GOAWAY for every stream.
		hd.Set("Connection", "close")
	}
	if status == http.StatusServiceUnavailable {
		// Come back later (RFC 9110 §15.6.4): the bodies in the way are done by then, one way
		// or another.
		hd.Set("Retry-After", retryAfter(h.opts.Retry))
	}
	writeError(w, status, CodeServerError, msg)
}

func tooLarge(limit int64) string {
	return "Payload Too Large: the body exceeds the limit of " + strconv.FormatInt(limit, 10) + " bytes"
}
