package server_test

import (
	"bufio"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// stdioConn is a ServeStdio run on pipes: the test writes lines to it and reads its lines.
type stdioConn struct {
	t     *testing.T
	in    *io.PipeWriter
	lines chan string // the server's lines; closed when its output ends
	done  chan error  // receives ServeStdio's result
}

func newStdioConn(t *testing.T, ctx context.Context, srv *mcp.Server, opts *server.StdioOptions) *stdioConn {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &stdioConn{t: t, in: inW, lines: make(chan string, 64), done: make(chan error, 1)}
	go func() {
		err := server.ServeStdio(ctx, srv, inR, outW, opts)
		outW.Close()
		c.done <- err
	}()
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		inW.Close()
		<-c.done
		for range c.lines {
		}
	})
	return c
}

func (c *stdioConn) send(line string) {
	c.t.Helper()
	_, err := io.WriteString(c.in, line+"\n")
	require.NoError(c.t, err)
}

func (c *stdioConn) next() listenMsg {
	c.t.Helper()
	l, ok := <-c.lines
	require.True(c.t, ok, "the server's output ended")
	return decodeListenMsg(c.t, []byte(l))
}

// TestListenStdio: on stdio, listen streams share stdout, each message tagged with its
// listen's id; they run outside the request slots; the client's notifications/cancelled ends
// one with nothing more sent for it; a server shutting down ends the others with the
// graceful-closure result, then notifications/cancelled naming them (MCP 2026-07-28, Basic §
// Subscriptions and § Cancellation).
func TestListenStdio(t *testing.T) {
	ts := newTestServer()
	ctx, shutdown := context.WithCancel(t.Context())
	defer shutdown()
	c := newStdioConn(t, ctx, ts.Server, &server.StdioOptions{Concurrency: 1})

	c.send(listenBody("7", `{"toolsListChanged":true}`))
	m := c.next()
	assert.Equal(t, mcp.NotificationSubscriptionsAcknowledged, m.Method)
	assert.Equal(t, "7", m.subID())
	c.send(listenBody(`"b"`, `{"resourceSubscriptions":["test://r"],"promptsListChanged":true}`))
	m = c.next()
	assert.Equal(t, mcp.NotificationSubscriptionsAcknowledged, m.Method)
	assert.Equal(t, `"b"`, m.subID())
	assert.JSONEq(t, `{"resourceSubscriptions":["test://r"]}`, string(m.Params.Notifications), "no prompts registered")

	// Two listens open, Concurrency 1: a request is still served.
	c.send(modernCall(10, "echo", `{"text":"hi"}`, ""))
	m = c.next()
	assert.Equal(t, "10", string(m.ID))
	assert.Nil(t, m.Error)

	mcp.AddTool(ts.Server, &mcp.Tool{Name: "late"}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
	m = c.next()
	assert.Equal(t, mcp.NotificationToolListChanged, m.Method)
	assert.Equal(t, "7", m.subID())

	// The client cancels 7 (a notification without the revision's _meta names it all the
	// same); discover's answer shows the line was read.
	c.send(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}`)
	c.send(`{"jsonrpc":"2.0","id":9,"method":"server/discover","params":{` + modernMeta + `}}`)
	assert.Equal(t, "9", string(c.next().ID))
	mcp.AddTool(ts.Server, &mcp.Tool{Name: "later"}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
	ts.ResourceUpdated(t.Context(), "test://r")
	m = c.next()
	assert.Equal(t, mcp.NotificationResourceUpdated, m.Method, "nothing more for the cancelled 7, not even its response")
	assert.Equal(t, `"b"`, m.subID())
	assert.Equal(t, "test://r", m.Params.URI)

	shutdown()
	m = c.next()
	require.NotNil(t, m.Result, "the graceful-closure result")
	assert.Equal(t, `"b"`, string(m.ID))
	assert.Equal(t, "complete", m.Result.ResultType)
	assert.Equal(t, `"b"`, m.subID())
	m = c.next()
	assert.Equal(t, mcp.NotificationCancelled, m.Method)
	assert.Equal(t, `"b"`, string(m.Params.RequestID))
	assert.Equal(t, `"b"`, m.subID())
	c.in.Close()
	require.NoError(t, <-c.done)
	c.done <- nil // for the cleanup
	_, more := <-c.lines
	assert.False(t, more, "nothing after the cancellation")
}

// TestListenStdioEOF: a client that closes stdin ends its listens: ServeStdio returns, and
// nothing is written for them.
func TestListenStdioEOF(t *testing.T) {
	ts := newTestServer()
	c := newStdioConn(t, t.Context(), ts.Server, nil)
	c.send(listenBody("1", `{"toolsListChanged":true}`))
	assert.Equal(t, mcp.NotificationSubscriptionsAcknowledged, c.next().Method)
	c.in.Close()
	require.NoError(t, <-c.done)
	c.done <- nil
	_, more := <-c.lines
	assert.False(t, more)
}

// TestListenStdioLimits: StdioOptions.MaxListens bounds the listens of a stream, and an id
// already open is refused; both answer at once with the request's id.
func TestListenStdioLimits(t *testing.T) {
	ts := newTestServer()
	c := newStdioConn(t, t.Context(), ts.Server, &server.StdioOptions{MaxListens: 1})
	c.send(listenBody("1", `{}`))
	assert.Equal(t, mcp.NotificationSubscriptionsAcknowledged, c.next().Method)
	c.send(listenBody("1", `{}`))
	m := c.next()
	assert.Equal(t, "1", string(m.ID))
	require.NotNil(t, m.Error)
	assert.EqualValues(t, -32600, m.Error.Code)
	assert.Contains(t, m.Error.Message, "open already")
	c.send(listenBody("2", `{}`))
	m = c.next()
	assert.Equal(t, "2", string(m.ID))
	require.NotNil(t, m.Error)
	assert.Equal(t, server.CodeServerError, m.Error.Code)
	assert.Contains(t, m.Error.Message, "the most allowed")
	// A refused listen leaves the open one alone; cancelling it frees its place and id at once.
	c.send(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}`)
	c.send(`{"jsonrpc":"2.0","id":9,"method":"server/discover","params":{` + modernMeta + `}}`)
	assert.Equal(t, "9", string(c.next().ID))
	c.send(listenBody("1", `{}`))
	m = c.next()
	assert.Equal(t, mcp.NotificationSubscriptionsAcknowledged, m.Method, "the id and the place are free again")
	assert.Equal(t, "1", m.subID())
}
