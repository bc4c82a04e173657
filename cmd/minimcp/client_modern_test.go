package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/server"
)

// startEra serves the builtin tools on a minimcp handler restricted to era, stateful or
// stateless, and returns its URL.
func startEra(t *testing.T, era eraFlag, stateless bool) string {
	t.Helper()
	srv, _ := newBuiltinServer(&mcp.ServerOptions{ProtocolVersions: era.versions()})
	h := server.New(srv, &server.Options{Stateless: stateless})
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		_ = h.Shutdown(context.Background())
	})
	return ts.URL + "/mcp"
}

// TestConnectEras: connect speaks 2026-07-28 when the endpoint serves it, falls back to
// initialize when it does not (the endpoint's -32022 names what it serves), and keeps to a
// pinned version; a pin the endpoint does not serve fails with what it serves.
func TestConnectEras(t *testing.T) {
	tests := []struct {
		era     eraFlag
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
				got, err := c.connect(t.Context(), tt.pin)
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
				assert.Equal(t, !stateless && !mcp.IsModernVersion(tt.want), c.session() != "", "session")
			})
		}
	}
}

// TestConnectLegacyServer: a server that knows nothing of 2026-07-28 (a 400 without a modern
// error, for want of a session) gets initialize.
func TestConnectLegacyServer(t *testing.T) {
	f, url := startFake(t, fakeOptions{Stateful: true})
	c := newTestClient(t, url, nil)
	got, err := c.connect(t.Context(), "")
	require.NoError(t, err)
	assert.Equal(t, mcp.LatestVersion, got)
	assert.Empty(t, c.modern)
	assert.NotEmpty(t, c.session())
	minted, _, _ := f.stats()
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
	v, err := c.connect(t.Context(), "")
	require.NoError(t, err)
	require.Equal(t, mcp.Version20260728, v)
	_, err = c.callTool(t.Context(), " café", json.RawMessage(`{"text":"x"}`))
	require.NoError(t, err)
	_, _, err = c.call(t.Context(), mcp.MethodResourcesRead, map[string]string{"uri": "file:///a b"})
	require.NoError(t, err)

	require.Len(t, hdrs, 3)
	wantMeta := map[string]any{
		"io.modelcontextprotocol/protocolVersion":    "2026-07-28",
		"io.modelcontextprotocol/clientInfo":         map[string]any{"name": "minimcp", "version": version},
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

// TestCallInputRequired: call reports what an input_required result asks for, and exits 1.
func TestCallInputRequired(t *testing.T) {
	url := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		require.NoError(t, json.NewDecoder(r.Body).Decode(&m))
		w.Header().Set("Content-Type", "application/json")
		result := `{"resultType":"input_required","requestState":"opaque","inputRequests":{
			"who":{"method":"elicitation/create","params":{"mode":"form","message":"Which repository?","requestedSchema":{"type":"object"}}},
			"llm":{"method":"sampling/createMessage","params":{"messages":[],"maxTokens":5}}}}`
		if m["method"] == mcp.MethodServerDiscover {
			result = `{"resultType":"complete","supportedVersions":["2026-07-28"],"capabilities":{"tools":{}}}`
		}
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":`+requestIDOf(m)+`,"result":`+result+`}`)
	})
	code, stdout, stderr := runCmd(t, runCall, url, "deploy")
	assert.Equal(t, codeFailed, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "minimcp: tools/call: the server needs input before it can answer (resultType input_required); minimcp does not provide it:\n"+
		"  llm: sampling/createMessage\n"+
		"  who: elicitation/create (Which repository?)\n"+
		"  requestState: sent, to be passed back on a retry\n", stderr)

	code, stdout, _ = runCmd(t, runCall, url, "deploy", "--json")
	assert.Equal(t, codeFailed, code)
	assert.Contains(t, stdout, `"input_required"`)
}

// TestProtocolVersionFlag: --protocol-version takes the versions the client speaks.
func TestProtocolVersionFlag(t *testing.T) {
	code, _, stderr := runCmd(t, runCall, "http://127.0.0.1:1/mcp", "echo", "--protocol-version", "2027-01-01")
	assert.Equal(t, codeUsage, code)
	assert.Contains(t, stderr, `--protocol-version "2027-01-01": want one of 2026-07-28, 2025-11-25`)
	assert.True(t, strings.HasPrefix(stderr, "minimcp call: "), stderr)
}

// TestCallParamHeaders: call of a tool whose schema mirrors parameters into Mcp-Param-*
// headers is refused without them (-32020), looks the tool up, and succeeds with them, a
// value a header cannot carry as it is in the Base64 form.
func TestCallParamHeaders(t *testing.T) {
	srv := mcp.NewServer(&mcp.Implementation{Name: "p", Version: "1"}, nil)
	srv.AddRawTool(&mcp.Tool{Name: "sql", InputSchema: json.RawMessage(`{"type":"object","properties":{` +
		`"region":{"type":"string","x-mcp-header":"Region"},"n":{"type":"integer","x-mcp-header":"N"},` +
		`"opts":{"type":"object","properties":{"flag":{"type":"boolean","x-mcp-header":"Flag"}}},"query":{"type":"string"}}}`)},
		func(context.Context, *mcp.Request, json.RawMessage) (*mcp.CallToolResult, error) {
			return mcp.TextResult("ok"), nil
		})
	h := server.New(srv, &server.Options{Stateless: true})
	var (
		mu      sync.Mutex
		regions []string
	)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		regions = append(regions, r.Header.Get("Mcp-Param-Region"))
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		ts.Close()
		_ = h.Shutdown(context.Background())
	})
	code, stdout, stderr := runCmd(t, runCall, ts.URL+"/mcp", "sql", `{"region":" zürich","n":42,"opts":{"flag":true},"query":"q"}`)
	require.Equal(t, codeOK, code, stderr)
	assert.Equal(t, "ok\n", stdout)
	// discover, the call without headers, tools/list, the call with them.
	assert.Equal(t, []string{"", "", "", "=?base64?IHrDvHJpY2g=?="}, regions)
}
