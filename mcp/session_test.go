package mcp_test

import (
	"context"
	"sync"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// pushRecorder is a Sender keeping what it is sent.
type pushRecorder struct {
	mu  sync.Mutex
	got []string // guarded by mu
}

func (r *pushRecorder) Send(_ context.Context, msg []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, string(msg))
	return nil
}

func (r *pushRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// handle hands one request to srv in sess and returns its reply.
func handle(t *testing.T, srv *mcp.Server, sess *mcp.Session, line string) rpc.Response {
	t.Helper()
	msgs, _, err := rpc.Decode(nil, []byte(line), rpc.Limits{})
	require.Nil(t, err)
	require.Len(t, msgs, 1)
	resp, _ := srv.Handle(context.Background(), &mcp.Inbound{Session: sess}, &msgs[0])
	return resp
}

// TestSubscriptionsInState: resources/subscribe and unsubscribe are kept in the session's
// state, sorted and each once, so that a session store shares them, and a session given
// that state elsewhere (another replica's copy) is subscribed as the first was.
func TestSubscriptionsInState(t *testing.T) {
	srv := subscribeServer(&mcp.ServerOptions{MaxSubscriptions: 2})
	sess := srv.NewSession("s")
	defer sess.Close()
	require.Nil(t, handle(t, srv, sess, initLine(`{}`)).Error)
	sub := func(method, uri string) *rpc.Error {
		return handle(t, srv, sess, `{"jsonrpc":"2.0","id":2,"method":"`+method+`","params":{"uri":"`+uri+`"}}`).Error
	}
	require.Nil(t, sub(mcp.MethodResourcesSubscribe, "notes://b"))
	before := sess.State()
	require.Nil(t, sub(mcp.MethodResourcesSubscribe, "notes://a"))
	require.Nil(t, sub(mcp.MethodResourcesSubscribe, "notes://a"))
	assert.Equal(t, []string{"notes://a", "notes://b"}, sess.State().Subscriptions)
	assert.Equal(t, []string{"notes://b"}, before.Subscriptions, "a published state never changes")
	assert.NotNil(t, sub(mcp.MethodResourcesSubscribe, "notes://c"), "at most MaxSubscriptions")

	raw, err := json.Marshal(sess.State())
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"subscriptions":["notes://a","notes://b"]`)
	var copied mcp.SessionState
	require.NoError(t, json.Unmarshal(raw, &copied))
	other := srv.NewSession("s")
	defer other.Close()
	other.SetState(&copied)
	out := &pushRecorder{}
	other.SetPush(out)
	srv.ResourceUpdated(context.Background(), "notes://a")
	assert.Equal(t, []string{`{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"notes://a"}}`}, out.take())

	require.Nil(t, sub(mcp.MethodResourcesUnsubscribe, "notes://a"))
	require.Nil(t, sub(mcp.MethodResourcesUnsubscribe, "notes://x"))
	assert.Equal(t, []string{"notes://b"}, sess.State().Subscriptions)
	require.Nil(t, sub(mcp.MethodResourcesUnsubscribe, "notes://b"))
	assert.Nil(t, sess.State().Subscriptions)
}

// TestChangeFeed: a session fed by its transport is skipped by the server's own list and
// resource notifications (not by Notify or Broadcast), and AppendChange gives the
// notification the client is to get of a change from the bus, or none.
func TestChangeFeed(t *testing.T) {
	bus := &mcp.MemoryBus{}
	srv := subscribeServer(&mcp.ServerOptions{Bus: bus})
	var changes []mcp.Change
	cancel, err := bus.Subscribe(context.Background(), nil, func(c mcp.Change) { changes = append(changes, c) })
	require.NoError(t, err)
	defer cancel()
	sess := srv.NewSession("s")
	defer sess.Close()
	out := &pushRecorder{}
	sess.SetPush(out)
	sess.SetChangeFeed(true)

	dst, ok := sess.AppendChange([]byte("x"), mcp.Change{Kind: mcp.ChangeToolsList})
	assert.False(t, ok, "not initialized")
	assert.Equal(t, "x", string(dst))
	require.Nil(t, handle(t, srv, sess, initLine(`{}`)).Error)
	require.Nil(t, handle(t, srv, sess, `{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"notes://a"}}`).Error)

	srv.ResourceUpdated(context.Background(), "notes://a")
	mcp.AddTool(srv, &mcp.Tool{Name: "t", Description: "T."}, func(context.Context, *mcp.Request, struct{}) (string, error) { return "", nil })
	assert.Empty(t, out.take(), "fed from the bus, not by the server directly")
	assert.Equal(t, []mcp.Change{{Kind: mcp.ChangeResource, URI: "notes://a"}, {Kind: mcp.ChangeToolsList}}, changes, "every change on the bus")
	require.NoError(t, srv.Broadcast(context.Background(), "notifications/x", nil))
	assert.Equal(t, []string{`{"jsonrpc":"2.0","method":"notifications/x"}`}, out.take(), "broadcasts are not changes")

	for _, tc := range []struct {
		c    mcp.Change
		want string
	}{
		{mcp.Change{Kind: mcp.ChangeToolsList}, `{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}`},
		{mcp.Change{Kind: mcp.ChangePromptsList}, `{"jsonrpc":"2.0","method":"notifications/prompts/list_changed"}`},
		{mcp.Change{Kind: mcp.ChangeResourcesList}, `{"jsonrpc":"2.0","method":"notifications/resources/list_changed"}`},
		{mcp.Change{Kind: mcp.ChangeResource, URI: "notes://a"}, `{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"notes://a"}}`},
		{mcp.Change{Kind: mcp.ChangeResource, URI: "notes://b"}, ""},
		{mcp.Change{Kind: "notifications/other"}, ""},
	} {
		got, ok := sess.AppendChange(nil, tc.c)
		assert.Equal(t, tc.want != "", ok, "%+v", tc.c)
		assert.Equal(t, tc.want, string(got), "%+v", tc.c)
	}

	sess.SetChangeFeed(false)
	srv.ResourceUpdated(context.Background(), "notes://a")
	assert.Len(t, out.take(), 1, "fed by the server again")
}
