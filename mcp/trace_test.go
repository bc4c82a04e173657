package mcp

import (
	"context"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/rpc"
)

const validParent = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"

func TestValidTraceParent(t *testing.T) {
	for s, want := range map[string]bool{
		validParent: true,
		"00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-00": true,
		// A later version may be longer, what follows starting with "-".
		"01-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01":      true,
		"01-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01-what": true,
		"01-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01what":  false,
		"00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01-":     false,
		"ff-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01":      false,
		"00-0AF7651916CD43DD8448EB211C80319C-00f067aa0ba902b7-01":      false,
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01":      false,
		"00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01":      false,
		"00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-0g":      false,
		"00-0af7651916cd43dd8448eb211c80319c_00f067aa0ba902b7-01":      false,
		"00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7":         false,
		"":        false,
		"garbage": false,
	} {
		assert.Equal(t, want, validTraceParent(s), s)
	}
}

func TestValidTraceState(t *testing.T) {
	for s, want := range map[string]bool{
		"":                      true,
		"rojo=00f067aa0ba902b7": true,
		"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE": true,
		" rojo=1 ,\tcongo=2 , ,":                  true,
		"tenant@vendor=x":                         true,
		"1tenant@vendor=x":                        true,
		"a_-*/9=v v":                              true,
		"Rojo=1":                                  false,
		"1rojo=1":                                 false,
		"rojo":                                    false,
		"rojo=":                                   false,
		"rojo=a,b":                                false, // "b" alone is a member without "="
		"rojo=v ":                                 true,  // trailing space trimmed as optional whitespace
		"rojo=a=b":                                false,
		"tenant@Vendor=x":                         false,
		"tenant@vendorvendorvendor=x":             false,
		"rojo=" + strings.Repeat("v", 257):        false,
		strings.Repeat("a=1,", 33):                false,
		strings.Repeat("a=1,", 32):                true,
	} {
		assert.Equal(t, want, validTraceState(s), s)
	}
}

func TestValidBaggage(t *testing.T) {
	for s, want := range map[string]bool{
		"":             true,
		"userId=alice": true,
		"userId=alice,serverNode=DF%2028,isProduction=false":                                     true,
		"key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue": true,
		"k=":                               true,
		"k":                                false,
		"=v":                               false,
		"k=v v":                            false,
		`k="v"`:                            false,
		"k=v\\":                            false,
		"k(=v":                             false,
		"k=v,":                             false,
		strings.Repeat("a=1,", 64) + "a=1": false,
		strings.Repeat("a=1,", 63) + "a=1": true,
		"k=" + strings.Repeat("v", 8191):   false,
	} {
		assert.Equal(t, want, validBaggage(s), s)
	}
}

// TestRequestTraceContext: a handler finds the trace context of its request's _meta, at
// 2026-07-28 as in a 2025 session; malformed values are ignored, and a tracestate goes with
// the traceparent it belongs to.
func TestRequestTraceContext(t *testing.T) {
	s := NewServer(nil, nil)
	var got TraceContext
	s.AddRawTool(&Tool{Name: "trace"}, func(_ context.Context, r *Request, _ json.RawMessage) (*CallToolResult, error) {
		got = r.TraceContext()
		return TextResult("ok"), nil
	})
	const modern = `"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}`
	sess := s.NewSession("s")
	defer sess.Close()
	sess.SetState(&SessionState{ProtocolVersion: Version20251125, Initialized: true})
	ins := map[string]*Inbound{
		"modern":  {ProtocolVersion: Version20260728},
		"session": {Session: sess},
	}
	for _, tt := range []struct {
		name, meta string
		want       TraceContext
	}{
		{"all", `"traceparent":"` + validParent + `","tracestate":"rojo=1","baggage":"k=v"`,
			TraceContext{TraceParent: validParent, TraceState: "rojo=1", Baggage: "k=v"}},
		{"none", ``, TraceContext{}},
		{"bad traceparent drops tracestate", `"traceparent":"00-xyz","tracestate":"rojo=1","baggage":"k=v"`,
			TraceContext{Baggage: "k=v"}},
		{"bad tracestate and baggage", `"traceparent":"` + validParent + `","tracestate":"Rojo","baggage":"k v"`,
			TraceContext{TraceParent: validParent}},
		{"not strings", `"traceparent":7,"tracestate":{},"baggage":null`, TraceContext{}},
		{"escaped", `"traceparent":"00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-\u00301"`,
			TraceContext{TraceParent: validParent}},
	} {
		for name, in := range ins {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				meta := tt.meta
				if name == "modern" {
					meta = strings.TrimPrefix(meta+","+modern, ",")
				}
				line := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"trace","arguments":{},"_meta":{` + meta + `}}}`
				msgs, _, derr := rpc.Decode(nil, []byte(line), rpc.Limits{})
				require.Nil(t, derr)
				got = TraceContext{TraceParent: "unset"}
				resp, ok := s.Handle(context.Background(), in, &msgs[0])
				require.True(t, ok)
				require.Nil(t, resp.Error)
				assert.Equal(t, tt.want, got)
			})
		}
	}
}

// TestTraceContextHeader: the trace context a transport carried (Inbound.Trace, from HTTP
// headers) reaches a handler when the request's _meta has none, through the request and
// through the context alike; a _meta traceparent wins over it; baggage alone in _meta goes
// with the header's traceparent.
func TestTraceContextHeader(t *testing.T) {
	s := NewServer(nil, nil)
	var got, fromCtx TraceContext
	s.AddRawTool(&Tool{Name: "trace"}, func(ctx context.Context, r *Request, _ json.RawMessage) (*CallToolResult, error) {
		got, fromCtx = r.TraceContext(), TraceContextFrom(ctx)
		return TextResult("ok"), nil
	})
	const other = "00-11111111111111111111111111111111-2222222222222222-00"
	hdr := ParseTraceContext(other, "congo=2", "h=1")
	require.Equal(t, TraceContext{TraceParent: other, TraceState: "congo=2", Baggage: "h=1"}, hdr)
	assert.Equal(t, TraceContext{}, ParseTraceContext("00-bad", "congo=2", "k v"), "malformed values are dropped")
	for _, tt := range []struct {
		name, meta string
		in         *Inbound
		want       TraceContext
	}{
		{"header only, 2025", ``, &Inbound{ProtocolVersion: Version20251125, Trace: &hdr}, hdr},
		{"meta wins", `"traceparent":"` + validParent + `"`, &Inbound{ProtocolVersion: Version20251125, Trace: &hdr},
			TraceContext{TraceParent: validParent}},
		{"meta baggage with header traceparent", `"baggage":"m=1"`, &Inbound{ProtocolVersion: Version20251125, Trace: &hdr},
			TraceContext{TraceParent: other, TraceState: "congo=2", Baggage: "m=1"}},
		{"2026-07-28 meta", `"traceparent":"` + validParent + `","io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}`,
			&Inbound{ProtocolVersion: Version20260728}, TraceContext{TraceParent: validParent}},
		{"none", ``, &Inbound{}, TraceContext{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			line := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"trace","arguments":{},"_meta":{` + tt.meta + `}}}`
			msgs, _, derr := rpc.Decode(nil, []byte(line), rpc.Limits{})
			require.Nil(t, derr)
			resp, ok := s.Handle(context.Background(), tt.in, &msgs[0])
			require.True(t, ok)
			require.Nil(t, resp.Error)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want, fromCtx)
		})
	}
}

func TestTraceContextParts(t *testing.T) {
	tc := TraceContext{TraceParent: validParent}
	assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", tc.TraceID())
	assert.Equal(t, "00f067aa0ba902b7", tc.ParentID())
	assert.True(t, tc.Sampled())
	assert.False(t, TraceContext{TraceParent: "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-02"}.Sampled())
	assert.Equal(t, "", TraceContext{}.TraceID())
	assert.Equal(t, "", TraceContext{}.ParentID())
	assert.False(t, TraceContext{}.Sampled())
}
