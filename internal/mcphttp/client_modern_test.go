package mcphttp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/fakemcp"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// The protocol eras of minimcp serve's --protocol-era, as the versions a server serves.
const (
	eraAll    = "all"  // every revision
	eraLegacy = "2025" // initialize and sessions
	eraModern = "2026" // per request
)

// startEra serves an echo tool on a minimcp handler restricted to era, stateful or stateless,
// and returns its URL.
func startEra(t *testing.T, era string, stateless bool) string {
	t.Helper()
	var versions []string
	switch era {
	case eraLegacy:
		versions = mcp.SupportedVersions()
	case eraModern:
		versions = mcp.ModernVersions()
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: "era", Version: "1"}, &mcp.ServerOptions{ProtocolVersions: versions})
	type echoIn struct {
		Text string `json:"text"`
	}
	mcp.AddTool(srv, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.Request, in echoIn) (*mcp.CallToolResult, error) {
		return mcp.TextResult(in.Text), nil
	})
	h := server.New(srv, &server.Options{Stateless: stateless})
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		_ = h.Shutdown(context.Background())
	})
	return ts.URL + "/mcp"
}

// TestConnectEras: connect speaks 2026-07-28 when the endpoint serves it, falls back to
// Initialize when it does not (the endpoint's -32022 names what it serves), and keeps to a
// pinned version; a pin the endpoint does not serve fails with what it serves.
func TestConnectEras(t *testing.T) {
	tests := []struct {
		era     string
		pin     string
		want    string // the version connect picks; "" when a request fails
		wantErr string // in the error of connect, or else of the tools/call
	}{
		{eraAll, "", mcp.Version20260728, ""},
		{eraAll, mcp.Version20250618, mcp.Version20250618, ""},
		{eraAll, mcp.Version20260728, mcp.Version20260728, ""},
		{eraLegacy, "", mcp.Version20251125, ""},
		{eraLegacy, mcp.Version20251125, mcp.Version20251125, ""},
		{eraLegacy, mcp.Version20260728, "", "HTTP 400: Unsupported protocol version: 2026-07-28 (the server supports 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05)"},
		{eraModern, "", mcp.Version20260728, ""},
		{eraModern, mcp.Version20251125, "", "initialize: HTTP 400: Unsupported protocol version: 2025-11-25 (the server supports 2026-07-28)"},
	}
	for _, stateless := range []bool{false, true} {
		for _, tt := range tests {
			name := string(tt.era) + "/pin=" + tt.pin
			if stateless {
				name += "/stateless"
			}
			t.Run(name, func(t *testing.T) {
				url := startEra(t, tt.era, stateless)
				c := newTestClient(t, url, nil)
				got, err := c.Connect(t.Context(), tt.pin)
				if err == nil {
					var res *mcp.CallToolResult
					res, err = c.callTool(t.Context(), "echo", json.RawMessage(`{"text":"hi"}`))
					if err == nil {
						require.Len(t, res.Content, 1)
						assert.Equal(t, "hi", res.Content[0].(*mcp.TextContent).Text)
					}
				}
				if tt.wantErr != "" {
					require.Error(t, err)
					assert.Contains(t, err.Error(), tt.wantErr)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				assert.Equal(t, mcp.IsModernVersion(tt.want), c.modern != "", "modern")
				assert.Equal(t, !stateless && !mcp.IsModernVersion(tt.want), c.Session() != "", "session")
			})
		}
	}
}

// TestConnectLegacyServer: a server that knows nothing of 2026-07-28 (a 400 without a modern
// error, for want of a session) gets initialize.
func TestConnectLegacyServer(t *testing.T) {
	f, url := fakemcp.Start(t, fakemcp.Options{Stateful: true})
	c := newTestClient(t, url, nil)
	got, err := c.Connect(t.Context(), "")
	require.NoError(t, err)
	assert.Equal(t, mcp.LatestVersion, got)
	assert.Empty(t, c.modern)
	assert.NotEmpty(t, c.Session())
	minted, _, _ := f.Stats()
	assert.Equal(t, 1, minted)
}

// TestModernRequestWire: a 2026-07-28 request carries the per-request _meta and the standard
// headers, a name outside the header-safe set in the Base64 sentinel form, and no session.
func TestModernRequestWire(t *testing.T) {
	var (
		mu   sync.Mutex
		hdrs []http.Header
		bods []map[string]any
	)
	url := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		require.NoError(t, json.Unmarshal(body, &m))
		mu.Lock()
		hdrs, bods = append(hdrs, r.Header.Clone()), append(bods, m)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		result := `{"resultType":"complete","content":[]}`
		if m["method"] == mcp.MethodServerDiscover {
			result = `{"resultType":"complete","supportedVersions":["2026-07-28"],"capabilities":{}}`
		}
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":`+requestIDOf(m)+`,"result":`+result+`}`)
	})
	c := newTestClient(t, url, nil)
	v, err := c.Connect(t.Context(), "")
	require.NoError(t, err)
	require.Equal(t, mcp.Version20260728, v)
	_, err = c.callTool(t.Context(), " café", json.RawMessage(`{"text":"x"}`))
	require.NoError(t, err)
	_, _, err = c.Call(t.Context(), mcp.MethodResourcesRead, map[string]string{"uri": "file:///a b"})
	require.NoError(t, err)

	require.Len(t, hdrs, 3)
	wantMeta := map[string]any{
		"io.modelcontextprotocol/protocolVersion":    "2026-07-28",
		"io.modelcontextprotocol/clientInfo":         map[string]any{"name": "minimcp", "version": "dev"},
		"io.modelcontextprotocol/clientCapabilities": map[string]any{},
	}
	for i, want := range []struct{ method, name string }{
		{mcp.MethodServerDiscover, ""},
		{mcp.MethodToolsCall, "=?base64?IGNhZsOp?="},
		{mcp.MethodResourcesRead, "file:///a b"},
	} {
		h, b := hdrs[i], bods[i]
		assert.Equal(t, "2026-07-28", h.Get("MCP-Protocol-Version"), want.method)
		assert.Equal(t, want.method, h.Get("Mcp-Method"))
		assert.Equal(t, want.name, h.Get("Mcp-Name"), want.method)
		assert.Empty(t, h.Get("Mcp-Session-Id"))
		params, _ := b["params"].(map[string]any)
		require.NotNil(t, params, want.method)
		assert.Equal(t, wantMeta, params["_meta"], want.method)
	}
	assert.Equal(t, " café", bods[1]["params"].(map[string]any)["name"])
	assert.Equal(t, map[string]any{"text": "x"}, bods[1]["params"].(map[string]any)["arguments"])
}

// requestIDOf returns the id of a decoded request as JSON.
func requestIDOf(m map[string]any) string {
	b, _ := json.Marshal(m["id"])
	return string(b)
}
