package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

const ping = `{"jsonrpc":"2.0","id":9,"method":"ping"}`

// TestIdleSessionsExpire opens 100 sessions, lets 30 minutes of synthetic time pass, and
// checks that every one is gone: its id answers 404 and the server holds nothing for it.
func TestIdleSessionsExpire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer()
		h := server.New(ts.Server, nil) // the default: 30 minutes
		defer shutdown(t, h)
		ids := make([]string, 100)
		for i := range ids {
			ids[i] = initialize(t, h)
		}
		assert.Equal(t, 100, h.SessionCount())

		time.Sleep(29 * time.Minute)
		assert.Equal(t, 100, h.SessionCount(), "not idle long enough yet")
		assert.Equal(t, http.StatusOK, do(h, req(http.MethodPost, ping, ids[0])).Code, "a request resets the idle clock")

		time.Sleep(2 * time.Minute) // 31 minutes since the others were last used
		for _, id := range ids[1:] {
			w := do(h, req(http.MethodPost, ping, id))
			require.Equal(t, http.StatusNotFound, w.Code, "session %s (first %s) %s", id, ids[0], w.Body.String())
		}
		assert.Equal(t, http.StatusOK, do(h, req(http.MethodPost, ping, ids[0])).Code)

		time.Sleep(45 * time.Minute) // the sweeper removes the last one without any lookup
		assert.Equal(t, 0, h.SessionCount())
		assert.Equal(t, 0, ts.SessionCount(), "the protocol sessions are closed too")
		assert.Equal(t, http.StatusNotFound, do(h, req(http.MethodPost, ping, ids[0])).Code)
	})
}

// TestLongRequestKeepsSessionAlive: time with a request in flight does not count as idle.
func TestLongRequestKeepsSessionAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer()
		h := server.New(ts.Server, &server.Options{SessionIdleTimeout: 10 * time.Minute})
		defer shutdown(t, h)
		id := initialize(t, h)

		done := make(chan int)
		go func() { done <- do(h, req(http.MethodPost, call(2, "block", `{}`), id)).Code }()
		<-ts.started
		time.Sleep(45 * time.Minute)
		assert.Equal(t, 1, h.SessionCount(), "a busy session does not expire")
		close(ts.release)
		assert.Equal(t, http.StatusOK, <-done)

		time.Sleep(9 * time.Minute)
		assert.Equal(t, http.StatusOK, do(h, req(http.MethodPost, ping, id)).Code, "idle time counts from the end of the request")
		time.Sleep(11 * time.Minute)
		assert.Equal(t, http.StatusNotFound, do(h, req(http.MethodPost, ping, id)).Code)
	})
}

func TestSessionCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := server.New(newTestServer().Server, &server.Options{MaxSessions: 3, SessionIdleTimeout: time.Minute})
		defer shutdown(t, h)
		for range 3 {
			initialize(t, h)
		}
		w := do(h, req(http.MethodPost, initBody, ""))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, "1", w.Header().Get("Retry-After"))
		_, msg := errorBody(t, w.Body.Bytes())
		assert.Equal(t, "Service Unavailable: the server holds its maximum of 3 sessions", msg)

		time.Sleep(2 * time.Minute) // the three expire and make room
		initialize(t, h)
	})
}

func TestNeverExpire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := server.New(newTestServer().Server, &server.Options{SessionIdleTimeout: -1})
		defer shutdown(t, h)
		id := initialize(t, h)
		time.Sleep(1000 * time.Hour)
		assert.Equal(t, http.StatusOK, do(h, req(http.MethodPost, ping, id)).Code)
	})
}

// TestSharedStoreAdoption shows the design for replicas without affinity: a session created
// on one handler is served by another that shares its SessionStore.
func TestSharedStoreAdoption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &server.MemorySessionStore{Max: 10}
		a := server.New(newTestServer().Server, &server.Options{Sessions: store})
		b := server.New(newTestServer().Server, &server.Options{Sessions: store})
		defer shutdown(t, a)
		defer shutdown(t, b)
		id := initialize(t, a)
		w := do(b, req(http.MethodPost, call(2, "echo", `{"text":"from b"}`), id))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.JSONEq(t, `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"from b"}]}}`, w.Body.String())
		w = do(b, req(http.MethodPost, `{"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":"error"}}`, id))
		require.Equal(t, http.StatusOK, w.Code)
		rec, err := store.Load(context.Background(), id)
		require.NoError(t, err)
		assert.Equal(t, "error", fmt.Sprint(rec.State.LogLevel), "state changes reach the shared store")
		assert.Equal(t, "t", rec.State.ClientInfo.Name)
	})
}

// A replica that adopts a session names its POST streams apart from the creator's: resuming
// one replays only that stream (MCP 2025-11-25, Transports § Resumability and Redelivery:
// "The server MUST NOT replay messages that would have been delivered on a different
// stream").
func TestAdoptedStreamsKeepTheirOwnEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		opts := server.Options{Sessions: &server.MemorySessionStore{}, Events: &server.MemoryEventStore{}, KeepAlive: -1}
		a := server.New(newTestServer().Server, &opts)
		b := server.New(newTestServer().Server, &opts)
		defer shutdown(t, a)
		defer shutdown(t, b)
		id := initialize(t, a)

		first := events(t, do(a, req(http.MethodPost, call(2, "notify", `{}`), id)).Body)
		second := events(t, do(b, req(http.MethodPost, call(3, "notify", `{}`), id)).Body)
		require.Len(t, first, 4, "priming, two notifications, the reply")
		require.Len(t, second, 4)
		for i := range first {
			assert.NotEqual(t, first[i].ID, second[i].ID, "event %d", i)
		}
		// The client lost the first POST's stream after its first notification.
		data := dataOf(events(t, do(a, req(http.MethodGet, "", id, "Last-Event-ID", first[1].ID)).Body))
		require.Len(t, data, 2, "the rest of the first stream only")
		assert.Contains(t, data[1], `"id":2`)
		data = dataOf(events(t, do(a, req(http.MethodGet, "", id, "Last-Event-ID", second[1].ID)).Body))
		require.Len(t, data, 2, "the rest of the second stream only")
		assert.Contains(t, data[1], `"id":3`)
	})
}
