package server_test

import (
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

// principalAuth authenticates by an X-Principal header, for tests.
func principalAuth(r *http.Request) (string, error) {
	p := r.Header.Get("X-Principal")
	if p == "" {
		return "", errors.New("no principal")
	}
	return p, nil
}

// initializeAs opens a session as principal and returns the answer.
func initializeAs(h http.Handler, principal string) *http.Response {
	return do(h, req(http.MethodPost, initBody, "", "X-Principal", principal)).Result()
}

// One principal cannot take every session: beyond its quota initialize gets 429 with
// Retry-After and an error naming the quota, while others still get sessions; a session
// that ends (DELETE or expiry) gives its slot back.
func TestSessionQuotaPerPrincipal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := server.New(newTestServer().Server, &server.Options{MaxSessions: 10, MaxSessionsPerPrincipal: 2,
			Authenticate: principalAuth, SessionIdleTimeout: 10 * time.Minute})
		defer shutdown(t, h)
		var ids []string
		for range 2 {
			resp := initializeAs(h, "mallory")
			require.Equal(t, http.StatusOK, resp.StatusCode)
			ids = append(ids, resp.Header.Get("Mcp-Session-Id"))
		}
		w := do(h, req(http.MethodPost, initBody, "", "X-Principal", "mallory"))
		require.Equal(t, http.StatusTooManyRequests, w.Code, w.Body.String())
		assert.Equal(t, "60", w.Header().Get("Retry-After"), "the sweep interval: no idle session goes sooner")
		_, msg := errorBody(t, w.Body.Bytes())
		assert.Equal(t, `Too Many Requests: principal "mallory" holds its maximum of 2 sessions (the per-principal quota); end one with DELETE or let one expire`, msg)
		assert.Equal(t, http.StatusOK, initializeAs(h, "alice").StatusCode, "another principal is not affected")

		require.Equal(t, http.StatusNoContent, do(h, req(http.MethodDelete, "", ids[0], "X-Principal", "mallory")).Code)
		assert.Equal(t, http.StatusOK, initializeAs(h, "mallory").StatusCode, "a deleted session frees its slot")
		assert.Equal(t, http.StatusTooManyRequests, initializeAs(h, "mallory").StatusCode)
		time.Sleep(15 * time.Minute)
		assert.Equal(t, http.StatusOK, initializeAs(h, "mallory").StatusCode, "expired sessions free theirs")
	})
}

// The default quota is a tenth of MaxSessions; without authentication every client is the
// principal "" and no quota applies (it would only lower MaxSessions).
func TestSessionQuotaDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := server.New(newTestServer().Server, &server.Options{MaxSessions: 20, Authenticate: principalAuth})
		defer shutdown(t, h)
		for range 2 {
			require.Equal(t, http.StatusOK, initializeAs(h, "mallory").StatusCode)
		}
		assert.Equal(t, http.StatusTooManyRequests, initializeAs(h, "mallory").StatusCode)

		open := server.New(newTestServer().Server, &server.Options{MaxSessions: 20})
		defer shutdown(t, open)
		for range 20 {
			initialize(t, open)
		}
		assert.Equal(t, http.StatusServiceUnavailable, do(open, req(http.MethodPost, initBody, "")).Code, "the server-wide cap still holds")
	})
}

func TestMemorySessionStorePerPrincipal(t *testing.T) {
	ctx := t.Context()
	m := &server.MemorySessionStore{Max: 3, MaxPerPrincipal: 1}
	require.NoError(t, m.Create(ctx, &server.SessionRecord{ID: "a", Principal: "p"}))
	assert.ErrorIs(t, m.Create(ctx, &server.SessionRecord{ID: "b", Principal: "p"}), server.ErrPrincipalSessionLimit)
	require.NoError(t, m.Create(ctx, &server.SessionRecord{ID: "c", Principal: "q"}))
	require.NoError(t, m.Delete(ctx, "a"))
	require.NoError(t, m.Delete(ctx, "a"), "deleting twice frees one slot only")
	require.NoError(t, m.Create(ctx, &server.SessionRecord{ID: "b", Principal: "p"}))
	assert.ErrorIs(t, m.Create(ctx, &server.SessionRecord{ID: "x", Principal: "p"}), server.ErrPrincipalSessionLimit)
	require.NoError(t, m.Create(ctx, &server.SessionRecord{ID: "d", Principal: "r"}))
	assert.ErrorIs(t, m.Create(ctx, &server.SessionRecord{ID: "e", Principal: "s"}), server.ErrSessionLimit)
}

// A request of another principal naming a session gets 404 and does not keep that session
// alive: only its owner's use does.
func TestOtherPrincipalDoesNotKeepSessionAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := server.New(newTestServer().Server, &server.Options{Authenticate: principalAuth, SessionIdleTimeout: 10 * time.Minute})
		defer shutdown(t, h)
		resp := initializeAs(h, "alice")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		sid := resp.Header.Get("Mcp-Session-Id")
		ping := `{"jsonrpc":"2.0","id":2,"method":"ping"}`
		time.Sleep(9 * time.Minute)
		require.Equal(t, http.StatusNotFound, do(h, req(http.MethodPost, ping, sid, "X-Principal", "mallory")).Code)
		time.Sleep(2 * time.Minute)
		assert.Equal(t, http.StatusNotFound, do(h, req(http.MethodPost, ping, sid, "X-Principal", "alice")).Code,
			"idle for 11 minutes by its owner's account: expired")
	})
}
