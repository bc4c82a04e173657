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

// startHandler serves h on 127.0.0.1 for the test and returns its URL.
func startHandler(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// hang answers nothing until the client gives up. It reads the body first: the server notices
// a closed connection (and cancels r's context) only once the body has been read.
func hang(_ http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

// requestIDOf returns the id of a decoded JSON-RPC request, as JSON.
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
