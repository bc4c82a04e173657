package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// The batch rule of every transport: batches at 2025-03-26 only, refused with -32600 naming
// the version the way the transport knows it.
func TestBatchError(t *testing.T) {
	for _, tc := range []struct {
		version   string
		ofSession bool
		want      string // "" for allowed
	}{
		{mcp.Version20250326, false, ""},
		{mcp.Version20250326, true, ""},
		{mcp.Version20241105, true, "Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26 (this session: 2024-11-05)"},
		{"", true, "Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26 (this session: none negotiated yet)"},
		{mcp.Version20251125, false, "Invalid Request: JSON-RPC batches are only allowed in protocol version 2025-03-26, not 2025-11-25"},
	} {
		e := batchError(tc.version, tc.ofSession)
		if tc.want == "" {
			assert.Nil(t, e, "%s", tc.version)
			continue
		}
		require.NotNil(t, e, "%s", tc.version)
		assert.Equal(t, rpc.CodeInvalidRequest, e.Code)
		assert.Equal(t, tc.want, e.Message)
	}
}

// A batch's replies keep the order of its requests, skip its notifications, and refuse an
// initialize inside it; a single message's reply goes where the caller has room for it.
func TestExchangeDispatch(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "x", Version: "1"}, &mcp.ServerOptions{BatchConcurrency: 4})
	x := newExchange(srv, rpc.Limits{})
	in := &mcp.Inbound{ProtocolVersion: mcp.Version20250326}

	f, derr := x.decode(nil, []byte(`[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},`+
		`{"jsonrpc":"2.0","id":"b","method":"initialize","params":{}},{"jsonrpc":"2.0","id":3,"method":"nope"},{"jsonrpc":"2.0","id":4,"method":"ping"}]`))
	require.Nil(t, derr)
	require.True(t, f.batch)
	assert.Equal(t, eraSession, f.era)
	assert.Equal(t, `[{"jsonrpc":"2.0","id":1,"result":{}},`+
		`{"jsonrpc":"2.0","id":"b","error":{"code":-32600,"message":"Invalid Request: initialize must not be part of a JSON-RPC batch"}},`+
		`{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found: nope"}},`+
		`{"jsonrpc":"2.0","id":4,"result":{}}]`,
		string(encode(nil, x.dispatch(t.Context(), in, f, nil), f.batch)))

	var one [1]rpc.Response
	f, derr = x.decode(nil, []byte(`{"jsonrpc":"2.0","id":7,"method":"ping"}`))
	require.Nil(t, derr)
	assert.False(t, f.isInitialize())
	replies := x.dispatch(t.Context(), in, f, one[:0])
	require.Len(t, replies, 1)
	assert.Same(t, &one[0], &replies[0], "a single reply takes the room it is given")
	assert.Equal(t, `{"jsonrpc":"2.0","id":7,"result":{}}`, string(encode(nil, replies, f.batch)))

	f, derr = x.decode(nil, []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
	require.Nil(t, derr)
	assert.False(t, f.hasCalls())
	assert.Empty(t, x.dispatch(t.Context(), in, f, one[:0]))
}
