package mcp

import (
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestModernResultHints: an interim result gets no cache hints ("Interim results with
// resultType: "input_required" ... are not cacheable and carry no caching hints"); a complete
// one keeps the hints its handler set, but not on a retried request.
func TestModernResultHints(t *testing.T) {
	s := NewServer(&Implementation{Name: "s", Version: "1"}, nil)
	r := &Request{Method: MethodResourcesRead, Params: json.RawMessage(`{"uri":"x"}`), srv: s,
		cache: CacheHint{TTL: 5000e6, Scope: CachePublic}}

	got, err := s.modernResult(r, json.RawMessage(`{"resultType":"input_required","inputRequests":{}}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"resultType":"input_required","inputRequests":{},"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"}}}`, string(got))

	got, err = s.modernResult(r, json.RawMessage(`{"contents":[]}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"contents":[],"resultType":"complete","ttlMs":5000,"cacheScope":"public","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"}}}`, string(got))

	got, err = s.modernResult(r, json.RawMessage(`{"contents":[],"ttlMs":7}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"contents":[],"ttlMs":7,"resultType":"complete","cacheScope":"public","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"}}}`, string(got))

	r.Params = json.RawMessage(`{"uri":"x","requestState":"s1"}`)
	got, err = s.modernResult(r, json.RawMessage(`{"contents":[],"ttlMs":7,"cacheScope":"public"}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"contents":[],"resultType":"complete","ttlMs":0,"cacheScope":"private","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"}}}`, string(got))

	// "requestState" as a value or nested deeper is no retry.
	r.Params = json.RawMessage(`{"uri":"requestState","x":{"requestState":1}}`)
	got, err = s.modernResult(r, json.RawMessage(`{"contents":[]}`))
	require.NoError(t, err)
	assert.Contains(t, string(got), `"ttlMs":5000`)
}
