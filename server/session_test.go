package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

// sharedReplicas returns n handlers sharing one session store and one event store, as
// replicas behind a balancer without affinity would.
func sharedReplicas(t *testing.T, n int, timeout time.Duration) (*server.MemorySessionStore, *server.MemoryEventStore, []*server.Handler) {
	store, evs := &server.MemorySessionStore{}, &server.MemoryEventStore{}
	opts := server.Options{Sessions: store, Events: evs, SessionIdleTimeout: timeout, KeepAlive: -1}
	hs := make([]*server.Handler, n)
	for i := range hs {
		hs[i] = server.New(newTestServer().Server, &opts)
		t.Cleanup(func() { shutdown(t, hs[i]) })
	}
	return store, evs, hs
}

// A session in use on one replica does not expire on the replica that created it and no
// longer sees it: replicas report activity to the shared store, and expiry asks it. Once
// idle everywhere, it goes everywhere.
func TestSharedStoreExpiryCountsEveryReplica(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, evs, hs := sharedReplicas(t, 3, 10*time.Minute)
		a, b, c := hs[0], hs[1], hs[2]
		id := initialize(t, a)
		for range 6 { // the balancer sends the client to b from now on
			time.Sleep(3 * time.Minute)
			require.Equal(t, http.StatusOK, do(b, req(http.MethodPost, ping, id)).Code)
		}
		require.Equal(t, 1, store.Len(), "18 minutes after a last saw it, 0 after its last use")
		assert.Equal(t, http.StatusOK, do(c, req(http.MethodPost, ping, id)).Code, "a third replica adopts it")
		assert.Equal(t, http.StatusOK, do(a, req(http.MethodPost, ping, id)).Code, "and the first serves it again")
		require.Equal(t, http.StatusOK, do(b, req(http.MethodPost, call(2, "notify", `{}`), id)).Code)

		// Removed by the first sweep after the timeout plus a sweep interval (1 min here: the
		// delay a replica's activity report may take).
		time.Sleep(10*time.Minute + 2*time.Minute)
		synctest.Wait()
		assert.Zero(t, store.Len(), "idle everywhere: the record is gone")
		assert.Zero(t, server.EventSessions(evs), "and its events")
		for _, h := range hs {
			assert.Equal(t, http.StatusNotFound, do(h, req(http.MethodPost, ping, id)).Code)
		}
	})
}

// A DELETE served by one replica ends the session on every replica: the next request
// elsewhere gets 404 (MCP 2025-11-25, Transports § Session Management: "MUST respond to
// requests containing that session ID with HTTP 404 Not Found"), and an open GET stream
// there ends at its replica's next sweep.
func TestSharedStoreDeleteEndsEveryCopy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, _, hs := sharedReplicas(t, 3, 10*time.Minute)
		a, b, c := hs[0], hs[1], hs[2]
		id := initialize(t, a)
		require.Equal(t, http.StatusOK, do(c, req(http.MethodPost, ping, id)).Code)
		get := httptest.NewRecorder()
		ended := make(chan struct{})
		go func() {
			c.ServeHTTP(get, req(http.MethodGet, "", id))
			close(ended)
		}()
		synctest.Wait() // c holds the session's GET stream open

		require.Equal(t, http.StatusNoContent, do(b, req(http.MethodDelete, "", id)).Code)
		assert.Equal(t, http.StatusNotFound, do(a, req(http.MethodPost, ping, id)).Code)
		time.Sleep(3 * time.Minute) // c's next sweep
		synctest.Wait()
		select {
		case <-ended:
		default:
			t.Fatal("the GET stream on c is still open")
		}
		assert.Equal(t, http.StatusOK, get.Code)
		assert.Equal(t, http.StatusNotFound, do(c, req(http.MethodPost, ping, id)).Code)
	})
}

// Protocol state saved by one replica reaches the others' live copies: after
// logging/setLevel on b, a sends no info logs.
func TestSharedStoreStateReachesEveryCopy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, _, hs := sharedReplicas(t, 2, 10*time.Minute)
		a, b := hs[0], hs[1]
		id := initialize(t, a)
		require.Equal(t, "text/event-stream", do(a, req(http.MethodPost, call(2, "notify", `{}`), id)).Header().Get("Content-Type"))
		require.Equal(t, http.StatusOK, do(b, req(http.MethodPost, `{"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":"error"}}`, id)).Code)
		w := do(a, req(http.MethodPost, call(4, "notify", `{}`), id))
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"), "no log to send: a plain JSON answer")
	})
}

// failingDeleteStore is a shared session store whose Delete fails.
type failingDeleteStore struct{ server.MemorySessionStore }

func (*failingDeleteStore) Delete(context.Context, string) error {
	return errors.New("store unreachable")
}

// A transport without a Logger reports store failures to slog.Default(): an operator sees them
// without configuring anything.
func TestStoreFailureLoggedByDefault(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	defer slog.SetDefault(prev)

	h := server.New(newTestServer().Server, &server.Options{Sessions: &failingDeleteStore{}})
	defer shutdown(t, h)
	id := initialize(t, h)
	assert.Equal(t, http.StatusServiceUnavailable, do(h, req(http.MethodDelete, "", id)).Code, "the session lives on: no 204")
	assert.Contains(t, logs.String(), "deleting the session failed")
	assert.Contains(t, logs.String(), "store unreachable")
}
