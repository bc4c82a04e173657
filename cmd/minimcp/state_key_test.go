package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// TestParseStateKeys: --state-key takes keys in hex or base64, inline or from a file, first
// key first, and says what is wrong with a bad one.
func TestParseStateKeys(t *testing.T) {
	hexKey := strings.Repeat("ab", 32)
	b64Key := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" // bytes 0..31
	keys, err := parseStateKeys(hexKey + ", " + b64Key)
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, byte(0xab), keys[0][0])
	assert.Equal(t, byte(31), keys[1][31])

	file := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(file, []byte("# newest first\n"+b64Key+"\n\n"+hexKey+"\n"), 0o600))
	keys, err = parseStateKeys("@" + file)
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, byte(0), keys[0][0])

	keys, err = parseStateKeys("")
	assert.NoError(t, err)
	assert.Nil(t, keys)

	for spec, want := range map[string]string{
		"abcd":                  "key 1: it is 3 bytes; a key is 32",
		"not a key!":            "key 1: not 32 bytes in hex or base64",
		hexKey + ",AAECAwQ=":    "key 2: it is 5 bytes; a key is 32",
		"@" + file + ".missing": "reading the state keys",
		" , ":                   "holds no key",
	} {
		_, err := parseStateKeys(spec)
		require.Error(t, err, spec)
		assert.Contains(t, err.Error(), want, spec)
	}
}

// TestServeStateKeyShared: two replicas given the same --state-key (here through
// MINIMCP_STATE_KEY) open each other's requestState; one given none does not.
func TestServeStateKeyShared(t *testing.T) {
	t.Setenv("MINIMCP_STATE_KEY", strings.Repeat("0f", 32))
	replica := func(args ...string) *mcp.Server {
		cfg, code := parseServeFlags(args, io.Discard)
		require.NotNil(t, cfg, code)
		srv, _, closeTools, err := newServeServer(cfg, slog.New(slog.DiscardHandler), nil)
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
	srv, _, closeTools, err := newServeServer(cfg, slog.New(slog.DiscardHandler), nil)
	require.NoError(t, err)
	t.Cleanup(closeTools)
	assert.Equal(t, 65536, srv.Options().MaxStateBytes)
	assert.Equal(t, 90*time.Second, srv.Options().StateTTL)
}
