package server_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

var errUnreachable = errors.New("dial tcp 10.0.0.7:6379: connection refused")

// fault makes a real in-memory store or relay fail on demand, as one across a network does:
// with an error while fail is set, or by not answering until the call's context ends while
// hang is.
type fault struct {
	fail, hang atomic.Bool
	// calls counts the calls made, failed or not.
	calls atomic.Int64
}

func (f *fault) err(ctx context.Context) error {
	f.calls.Add(1)
	if f.hang.Load() {
		<-ctx.Done()
		return ctx.Err()
	}
	if f.fail.Load() {
		return errUnreachable
	}
	return nil
}

// Ping implements server.Pinger.
func (f *fault) Ping(ctx context.Context) error { return f.err(ctx) }

// faultyStore is a MemorySessionStore behind a fault.
type faultyStore struct {
	fault
	m server.MemorySessionStore
}

func (s *faultyStore) Create(ctx context.Context, rec *server.SessionRecord) error {
	if err := s.err(ctx); err != nil {
		return err
	}
	return s.m.Create(ctx, rec)
}

func (s *faultyStore) Load(ctx context.Context, id string) (*server.SessionRecord, error) {
	if err := s.err(ctx); err != nil {
		return nil, err
	}
	return s.m.Load(ctx, id)
}

func (s *faultyStore) Save(ctx context.Context, rec *server.SessionRecord) error {
	if err := s.err(ctx); err != nil {
		return err
	}
	return s.m.Save(ctx, rec)
}

func (s *faultyStore) Delete(ctx context.Context, id string) error {
	if err := s.err(ctx); err != nil {
		return err
	}
	return s.m.Delete(ctx, id)
}

func (s *faultyStore) Touch(ctx context.Context, id string, at time.Time) (time.Time, error) {
	if err := s.err(ctx); err != nil {
		return time.Time{}, err
	}
	return s.m.Touch(ctx, id, at)
}

// faultyEvents is a MemoryEventStore behind a fault, counting its calls.
type faultyEvents struct {
	fault
	server.MemoryEventStore
}

func (e *faultyEvents) Append(ctx context.Context, session, stream string, msg []byte) (string, error) {
	if err := e.err(ctx); err != nil {
		return "", err
	}
	return e.MemoryEventStore.Append(ctx, session, stream, msg)
}

// faultyRelay is a MemoryRelay behind a fault.
type faultyRelay struct {
	fault
	server.MemoryRelay
}

func (r *faultyRelay) Publish(ctx context.Context, m server.RelayMessage) error {
	if err := r.err(ctx); err != nil {
		return err
	}
	return r.MemoryRelay.Publish(ctx, m)
}

// faultyReplicas starts n replicas sharing a faulty session store, event store and relay.
func faultyReplicas(t *testing.T, n int) (*faultyStore, *faultyEvents, *faultyRelay, []*server.Handler) {
	store, evs, relay := &faultyStore{}, &faultyEvents{}, &faultyRelay{}
	opts := server.Options{Sessions: store, Events: evs, Relay: relay, KeepAlive: -1, Logger: slog.New(slog.DiscardHandler)}
	hs := make([]*server.Handler, n)
	for i := range hs {
		hs[i] = server.New(newTestServer().Server, &opts)
		t.Cleanup(func() { shutdown(t, hs[i]) })
	}
	return store, evs, relay, hs
}

// unavailable checks a 503 with Retry-After and a JSON-RPC error that says what failed and
// keeps the store's own error (which may name internal addresses) to the log.
func unavailable(t *testing.T, w *httptest.ResponseRecorder, what string) {
	t.Helper()
	require.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
	assert.NotEmpty(t, w.Header().Get("Retry-After"))
	code, msg := errorBody(t, w.Body.Bytes())
	assert.Equal(t, server.CodeServerError, code)
	assert.Contains(t, msg, what)
	assert.NotContains(t, msg, "10.0.0.7")
}

// A shared store that fails answers 503 with a JSON-RPC error, never 404 (the session is not
// known to be gone) and never a copy serving on; /readyz fails; service resumes by itself
// when the store is back.
func TestStoreFailureAnswers503(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, _, relay, hs := faultyReplicas(t, 2)
		a, b := hs[0], hs[1]
		id := initialize(t, a)
		require.NoError(t, a.Ready(t.Context()))

		store.fail.Store(true)
		unavailable(t, do(a, req(http.MethodPost, ping, id)), "looking up the session")
		unavailable(t, do(b, req(http.MethodPost, ping, id)), "looking up the session")
		unavailable(t, do(a, req(http.MethodDelete, "", id)), "looking up the session")
		unavailable(t, do(a, req(http.MethodGet, "", id)), "looking up the session")
		w := do(a, req(http.MethodPost, initBody, ""))
		unavailable(t, w, "creating the session")
		assert.Empty(t, w.Header().Get("Mcp-Session-Id"))
		assert.ErrorIs(t, a.Ready(t.Context()), errUnreachable)
		w = do(a, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code)

		store.fail.Store(false)
		assert.NoError(t, a.Ready(t.Context()))
		assert.Equal(t, http.StatusOK, do(a, req(http.MethodPost, ping, id)).Code)
		assert.Equal(t, http.StatusOK, do(b, req(http.MethodPost, ping, id)).Code)

		relay.fail.Store(true)
		assert.ErrorIs(t, a.Ready(t.Context()), errUnreachable)
		unavailable(t, do(b, req(http.MethodPost, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5}}`, id)), "relaying")
		relay.fail.Store(false)
		assert.Equal(t, http.StatusNoContent, do(b, req(http.MethodDelete, "", id)).Code)
	})
}

// A store that does not answer costs a request StoreTimeout, then 503: never a hang.
func TestStoreTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, _, _, hs := faultyReplicas(t, 1)
		id := initialize(t, hs[0])
		store.hang.Store(true)
		start := time.Now()
		unavailable(t, do(hs[0], req(http.MethodPost, ping, id)), "looking up the session")
		assert.Equal(t, server.DefaultStoreTimeout, time.Since(start))
		store.hang.Store(false)
		assert.Equal(t, http.StatusOK, do(hs[0], req(http.MethodPost, ping, id)).Code)
	})
}

// A tools/call in an existing session costs one round trip to a shared session store (the
// Load that confirms it), none to the relay, and none to the event store when answered
// with JSON: the hot path the design note in relay.go counts.
func TestSharedHotPathRoundTrips(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, evs, relay, hs := faultyReplicas(t, 2)
		id := initialize(t, hs[0])
		require.Equal(t, http.StatusOK, do(hs[1], req(http.MethodPost, ping, id)).Code) // adopted there
		for _, h := range hs {
			s0, e0, r0 := store.calls.Load(), evs.calls.Load(), relay.calls.Load()
			w := do(h, req(http.MethodPost, call(3, "echo", `{"text":"hi"}`), id))
			require.Equal(t, http.StatusOK, w.Code)
			require.Equal(t, "application/json", w.Header().Get("Content-Type"))
			assert.Equal(t, int64(1), store.calls.Load()-s0, "one session store round trip")
			assert.Equal(t, int64(0), evs.calls.Load()-e0)
			assert.Equal(t, int64(0), relay.calls.Load()-r0)
		}
	})
}

// With a relay, DELETE on one replica ends the session's GET stream on another at once, not
// at that replica's next sweep.
func TestRelayDeleteEndsStreamsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, _, _, hs := faultyReplicas(t, 3)
		a, b, c := hs[0], hs[1], hs[2]
		id := initialize(t, a)
		get := httptest.NewRecorder()
		ended := make(chan struct{})
		go func() {
			c.ServeHTTP(get, req(http.MethodGet, "", id))
			close(ended)
		}()
		synctest.Wait() // c holds the session's GET stream open
		require.Equal(t, http.StatusNoContent, do(b, req(http.MethodDelete, "", id)).Code)
		synctest.Wait()
		select {
		case <-ended:
		default:
			t.Fatal("the GET stream on c is still open")
		}
		assert.Equal(t, 0, c.SessionCount())
		assert.Equal(t, 0, a.SessionCount())
	})
}

// A stream whose replica died (written, never ended) is followed on another replica until
// it has been silent for the session idle timeout; then the GET ends with a retry hint, and
// the session lives on.
func TestFollowEndsWhenTheWriterFallsSilent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, evs, _, hs := faultyReplicas(t, 1)
		b := hs[0]
		id := initialize(t, b)
		ctx := context.Background()
		first, err := evs.Append(ctx, id, "p1.dead", []byte(`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"one"}}`))
		require.NoError(t, err)
		_, err = evs.Append(ctx, id, "p1.dead", []byte(`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"two"}}`))
		require.NoError(t, err)

		get := httptest.NewRecorder()
		ended := make(chan struct{})
		start := time.Now()
		go func() {
			b.ServeHTTP(get, req(http.MethodGet, "", id, "Last-Event-ID", first))
			close(ended)
		}()
		synctest.Wait()
		select {
		case <-ended:
			t.Fatal("the stream ended while its writer may still be running")
		default:
		}
		<-ended
		assert.Equal(t, server.DefaultSessionIdleTimeout, time.Since(start), "silent for the idle timeout")
		body := get.Body.String()
		assert.Equal(t, []string{`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"two"}}`}, dataOf(events(t, strings.NewReader(body))))
		assert.Equal(t, 2, strings.Count(body, "retry:"), "a retry hint first, and another as it ends")
		assert.Equal(t, http.StatusOK, do(b, req(http.MethodPost, ping, id)).Code, "the session lives on")
	})
}

// With a relay, a session that expires (idle everywhere, removed by one replica's sweep)
// leaves no copy on another replica whose own sweep would keep it much longer.
func TestRelayExpiryDropsEveryCopy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, evs, relay := &server.MemorySessionStore{}, &server.MemoryEventStore{}, &server.MemoryRelay{}
		opts := server.Options{Sessions: store, Events: evs, Relay: relay, KeepAlive: -1, SessionIdleTimeout: 10 * time.Minute}
		a := server.New(newTestServer().Server, &opts)
		defer shutdown(t, a)
		opts.SessionIdleTimeout = 10 * time.Hour // b keeps idle copies far longer
		b := server.New(newTestServer().Server, &opts)
		defer shutdown(t, b)
		id := initialize(t, a)
		require.Equal(t, http.StatusOK, do(b, req(http.MethodPost, ping, id)).Code)
		require.Equal(t, 1, b.SessionCount())
		time.Sleep(20 * time.Minute) // past a's limit and its sweeps
		synctest.Wait()
		assert.Equal(t, 0, store.Len(), "expired everywhere")
		assert.Equal(t, 0, a.SessionCount())
		assert.Equal(t, 0, b.SessionCount(), "b's copy went with it")
	})
}
