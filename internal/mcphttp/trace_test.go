package mcphttp

import (
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
)

// TestTraceMeta: the trace context goes into a 2026-07-28 request's _meta beside the
// revision's fields, and into the headers unless given.
func TestTraceMeta(t *testing.T) {
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	tc := mcp.ParseTraceContext(parent, "rojo=1", "k=v")
	meta := appendTraceMeta(modernMeta("2026-07-28", "1"), tc)
	var params struct {
		Meta map[string]any `json:"_meta"`
	}
	require.NoError(t, json.Unmarshal(append(meta, '}'), &params), string(meta))
	assert.Equal(t, parent, params.Meta["traceparent"])
	assert.Equal(t, "rojo=1", params.Meta["tracestate"])
	assert.Equal(t, "k=v", params.Meta["baggage"])
	assert.Equal(t, "2026-07-28", params.Meta["io.modelcontextprotocol/protocolVersion"])
	assert.Equal(t, string(modernMeta("2026-07-28", "1")), string(appendTraceMeta(modernMeta("2026-07-28", "1"), mcp.TraceContext{})))

	c, err := New("http://127.0.0.1:1/mcp", &Options{Trace: tc, Header: map[string][]string{"Baggage": {"mine=1"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{parent}, c.header["Traceparent"])
	assert.Equal(t, []string{"rojo=1"}, c.header["Tracestate"])
	assert.Equal(t, []string{"mine=1"}, c.header["Baggage"], "a header given wins")
}
