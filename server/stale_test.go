package server_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

// An open GET stream that delivers nothing for the idle timeout (keep-alives off, so nothing
// shows a reader is there) ends, with a retry hint, and stops keeping its session alive: the
// session is then idle since the stream's last delivery and expires at the next sweep.
func TestSilentGetStreamEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := server.New(newTestServer().Server, &server.Options{SessionIdleTimeout: 10 * time.Minute, KeepAlive: -1})
		defer shutdown(t, h)
		id := initialize(t, h)
		get := httptest.NewRecorder()
		ended := make(chan struct{})
		go func() {
			h.ServeHTTP(get, req(http.MethodGet, "", id))
			close(ended)
		}()
		synctest.Wait()

		time.Sleep(9 * time.Minute)
		synctest.Wait()
		select {
		case <-ended:
			t.Fatal("the stream ended before the idle timeout")
		default:
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		select {
		case <-ended:
		default:
			t.Fatal("a GET stream with no delivery for the idle timeout is still open")
		}
		assert.Equal(t, "retry: 1000\n\nretry: 1000\n\n", get.Body.String(), "opened, then closed with a retry hint")
		time.Sleep(3 * time.Minute) // the next sweep
		assert.Zero(t, h.SessionCount())
		assert.Equal(t, http.StatusNotFound, do(h, req(http.MethodPost, ping, id)).Code)
	})
}

// stuckWriter is the answer to a client that stopped reading: it takes the first room bytes
// (what socket buffers hold), then each write blocks until the write deadline.
type stuckWriter struct {
	hdr http.Header

	mu       sync.Mutex
	room     int       // guarded by mu
	deadline time.Time // guarded by mu
}

func (w *stuckWriter) Header() http.Header { return w.hdr }
func (w *stuckWriter) WriteHeader(int)     {}
func (w *stuckWriter) Flush()              {}

func (w *stuckWriter) SetWriteDeadline(t time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.deadline = t
	return nil
}

func (w *stuckWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	if len(b) <= w.room {
		w.room -= len(b)
		w.mu.Unlock()
		return len(b), nil
	}
	d := w.deadline
	w.mu.Unlock()
	if d.IsZero() {
		return 0, errors.New("stuckWriter: a write without a deadline would block for ever")
	}
	time.Sleep(time.Until(d))
	return 0, os.ErrDeadlineExceeded
}

// A GET stream whose client stopped reading ends once a write has been blocked for the idle
// timeout (less than the usual write deadline here), and its session expires.
func TestUnreadGetStreamEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := server.New(newTestServer().Server, &server.Options{SessionIdleTimeout: 10 * time.Second, KeepAlive: time.Second})
		defer shutdown(t, h)
		id := initialize(t, h)
		w := &stuckWriter{hdr: http.Header{}, room: len("retry: 1000\n\n")}
		ended := make(chan struct{})
		go func() {
			h.ServeHTTP(w, req(http.MethodGet, "", id))
			close(ended)
		}()
		synctest.Wait()
		time.Sleep(12 * time.Second) // the first keep-alive blocks from 1s; nothing went out since 0s
		synctest.Wait()
		select {
		case <-ended:
		default:
			t.Fatal("a GET stream blocked for longer than the idle timeout is still open")
		}
		time.Sleep(3 * time.Second) // the next sweep
		assert.Zero(t, h.SessionCount())
		require.Equal(t, http.StatusNotFound, do(h, req(http.MethodPost, ping, id)).Code)
	})
}
