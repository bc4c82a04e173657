package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/serving"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// TestServeStateKeyShared: two replicas given the same --state-key (here through
// MINIMCP_STATE_KEY) open each other's requestState; one given none does not.
func TestServeStateKeyShared(t *testing.T) {
	t.Setenv("MINIMCP_STATE_KEY", strings.Repeat("0f", 32))
	replica := func(args ...string) *mcp.Server {
		cfg, code := parseServeFlags(args, io.Discard)
		require.NotNil(t, cfg, code)
		srv, _, closeTools, err := serving.NewServer(&cfg.Config, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		t.Cleanup(closeTools)
		mcp.AddTool(srv, &mcp.Tool{Name: "confirm"}, func(ctx context.Context, req *mcp.Request, _ struct{}) (string, error) {
			res, err := req.Elicit(ctx, &mcp.ElicitParams{Message: "sure?"})
			if err != nil {
				return "", err
			}
			return res.Action, nil
		})
		return srv
	}
	a, b := replica(), replica()
	call := func(s *mcp.Server, extra string) rpc.Response {
		line := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"confirm","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}}` + extra + `}}`
		msgs, _, derr := rpc.Decode(nil, []byte(line), rpc.Limits{})
		require.Nil(t, derr)
		resp, ok := s.Handle(context.Background(), &mcp.Inbound{ProtocolVersion: mcp.Version20260728}, &msgs[0])
		require.True(t, ok)
		return resp
	}
	var first struct{ RequestState string }
	require.NoError(t, json.Unmarshal(call(a, "").Result, &first))
	retry := `,"inputResponses":{"elicitation-1":{"action":"accept"}},"requestState":"` + first.RequestState + `"`
	resp := call(b, retry)
	require.Nil(t, resp.Error)
	assert.Contains(t, string(resp.Result), `"text":"accept"`)

	t.Setenv("MINIMCP_STATE_KEY", "")
	resp = call(replica(), retry)
	require.NotNil(t, resp.Error)
	assert.Contains(t, resp.Error.Message, "requestState failed verification")
}

// TestServeStateLimits: --state-ttl and --max-state-bytes (here MINIMCP_MAX_STATE_BYTES) reach
// the server's options.
func TestServeStateLimits(t *testing.T) {
	t.Setenv("MINIMCP_MAX_STATE_BYTES", "65536")
	cfg, code := parseServeFlags([]string{"--state-ttl", "90s"}, io.Discard)
	require.NotNil(t, cfg, code)
	srv, _, closeTools, err := serving.NewServer(&cfg.Config, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(closeTools)
	assert.Equal(t, 65536, srv.Options().MaxStateBytes)
	assert.Equal(t, 90*time.Second, srv.Options().StateTTL)
}
