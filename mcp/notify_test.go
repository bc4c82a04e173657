package mcp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// memClient is one in-memory session of a test server, recording the lines it receives.
type memClient struct {
	conn io.ReadWriteCloser
	wait func() error
	mu   sync.Mutex
	got  []string // guarded by mu
	read chan struct{}
}

func connect(t *testing.T, srv *mcp.Server, lines ...string) *memClient {
	t.Helper()
	c := &memClient{read: make(chan struct{})}
	c.conn, c.wait = server.InMemory(t.Context(), srv, nil)
	go func() {
		defer close(c.read)
		sc := bufio.NewScanner(c.conn)
		for sc.Scan() {
			c.mu.Lock()
			c.got = append(c.got, sc.Text())
			c.mu.Unlock()
		}
	}()
	for _, l := range lines {
		c.send(t, l)
	}
	return c
}

func (c *memClient) send(t *testing.T, line string) {
	t.Helper()
	_, err := c.conn.Write([]byte(line + "\n"))
	require.NoError(t, err)
	synctest.Wait()
}

// take returns the lines received since the last call.
func (c *memClient) take() []string {
	synctest.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.got
	c.got = nil
	return got
}

func (c *memClient) close(t *testing.T) {
	t.Helper()
	require.NoError(t, c.conn.Close())
	require.NoError(t, c.wait())
	<-c.read
}

func initLine(caps string) string {
	return `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":` + caps + `,"clientInfo":{"name":"c","version":"1"}}}`
}

const initializedLine = `{"jsonrpc":"2.0","method":"notifications/initialized"}`

// TestBroadcastLogLevels: BroadcastLog reaches every session at or above the level each set.
func TestBroadcastLogLevels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := mcp.NewServer(nil, &mcp.ServerOptions{DefaultLogLevel: mcp.LevelNotice})
		quiet := connect(t, srv, initLine(`{}`), initializedLine,
			`{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"error"}}`)
		chatty := connect(t, srv, initLine(`{}`), initializedLine,
			`{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"debug"}}`)
		plain := connect(t, srv, initLine(`{}`), initializedLine)
		uninitialized := connect(t, srv)
		for _, c := range []*memClient{quiet, chatty, plain, uninitialized} {
			c.take()
		}

		ctx := context.Background()
		require.NoError(t, srv.BroadcastLog(ctx, mcp.LevelDebug, "", "d"))
		require.NoError(t, srv.BroadcastLog(ctx, mcp.LevelNotice, "app", "n"))
		require.NoError(t, srv.BroadcastLog(ctx, mcp.LevelError, "", map[string]int{"code": 7}))
		err := srv.BroadcastLog(ctx, "loud", "", "x")
		assert.ErrorContains(t, err, `unknown logging level "loud"`)
		err = srv.Broadcast(ctx, "notifications/x", func() {})
		assert.ErrorContains(t, err, "encoding notifications/x params")

		d := `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"debug","data":"d"}}`
		n := `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"notice","logger":"app","data":"n"}}`
		e := `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"error","data":{"code":7}}}`
		assert.Equal(t, []string{e}, quiet.take())
		assert.Equal(t, []string{d, n, e}, chatty.take())
		assert.Equal(t, []string{n, e}, plain.take(), "the server's default level")
		assert.Empty(t, uninitialized.take(), "nothing before initialize")

		plain.close(t)
		require.NoError(t, srv.Broadcast(ctx, "notifications/custom", map[string]string{"k": "v"}))
		assert.Equal(t, []string{`{"jsonrpc":"2.0","method":"notifications/custom","params":{"k":"v"}}`}, quiet.take())
		for _, c := range []*memClient{quiet, chatty, uninitialized} {
			c.close(t)
		}
	})
}

// TestElicitationCompleteErrors: only a client that declared URL-mode elicitation gets the
// notification, and only while its session lives and has a stream.
func TestElicitationCompleteErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newFixture(nil)
		ctx := context.Background()
		form := connect(t, srv, initLine(`{"elicitation":{"form":{}}}`), initializedLine,
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"elicit_url","arguments":{"id":"form-only"}}}`)
		got := form.take()
		require.Len(t, got, 2)
		assert.Contains(t, got[1], "did not declare the elicitation.url capability")

		url := connect(t, srv, initLine(`{"elicitation":{"url":{}}}`), initializedLine,
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"elicit_url","arguments":{"id":"e1"}}}`,
			`{"jsonrpc":"2.0","id":1,"result":{"action":"accept"}}`)
		v, ok := pendingElicitations.LoadAndDelete("e1")
		require.True(t, ok)
		sess := v.(*mcp.Session)
		assert.ErrorContains(t, sess.ElicitationComplete(ctx, ""), "needs an elicitationId")

		url.close(t)
		form.close(t)
		assert.Error(t, sess.ElicitationComplete(ctx, "e1"), "the session is closed")

		// A session with no stream for server-initiated messages cannot be told.
		s2 := srv.NewSession("s2")
		defer s2.Close()
		s2.SetState(&mcp.SessionState{ProtocolVersion: mcp.LatestVersion, Initialized: true,
			ClientCapabilities: mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapability{URL: &struct{}{}}}})
		assert.True(t, errors.Is(s2.ElicitationComplete(ctx, "e2"), mcp.ErrNoBackchannel))
		var ce *mcp.CapabilityError
		s2.SetState(&mcp.SessionState{ProtocolVersion: mcp.Version20250618})
		assert.True(t, errors.As(s2.ElicitationComplete(ctx, "e2"), &ce))
		assert.Equal(t, "elicitation.url", ce.Capability)
		assert.True(t, strings.HasPrefix(ce.Method, "notifications/elicitation"))
	})
}
