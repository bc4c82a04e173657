package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/rpc"
)

// specMux implements the methods used by the examples of JSON-RPC 2.0 §7.
func specMux() *rpc.Mux {
	mux := rpc.NewMux()
	mux.HandleFunc("subtract", func(_ context.Context, m *rpc.Message) (any, error) {
		var pos []float64
		if err := json.Unmarshal(m.Params, &pos); err == nil && len(pos) == 2 {
			return pos[0] - pos[1], nil
		}
		var named struct{ Minuend, Subtrahend float64 }
		if err := json.Unmarshal(m.Params, &named); err != nil {
			return nil, rpc.InvalidParams("want [minuend, subtrahend] or {minuend, subtrahend}")
		}
		return named.Minuend - named.Subtrahend, nil
	})
	mux.HandleFunc("sum", func(_ context.Context, m *rpc.Message) (any, error) {
		var xs []float64
		if err := json.Unmarshal(m.Params, &xs); err != nil {
			return nil, rpc.InvalidParams("want an array of numbers")
		}
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s, nil
	})
	for _, n := range []string{"update", "notify_hello", "notify_sum"} {
		mux.HandleFunc(n, func(context.Context, *rpc.Message) (any, error) { return nil, nil })
	}
	mux.HandleFunc("get_data", func(context.Context, *rpc.Message) (any, error) {
		return []any{"hello", 5}, nil
	})
	mux.HandleFunc("echo", func(_ context.Context, m *rpc.Message) (any, error) { return m.Params, nil })
	mux.HandleFunc("panic", func(context.Context, *rpc.Message) (any, error) { panic("boom") })
	mux.HandleFunc("plain_error", func(context.Context, *rpc.Message) (any, error) { return nil, errors.New("disk full") })
	mux.HandleFunc("zero_code", func(context.Context, *rpc.Message) (any, error) { return nil, &rpc.Error{Message: "no code"} })
	return mux
}

// TestServeSpecExamples runs every example of JSON-RPC 2.0 §7 and checks the exact reply.
func TestServeSpecExamples(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"positional params", `{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}`,
			`{"jsonrpc":"2.0","id":1,"result":19}`},
		{"positional params reversed", `{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}`,
			`{"jsonrpc":"2.0","id":2,"result":-19}`},
		{"named params", `{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}`,
			`{"jsonrpc":"2.0","id":3,"result":19}`},
		{"named params reordered", `{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}`,
			`{"jsonrpc":"2.0","id":4,"result":19}`},
		{"notification", `{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}`, ``},
		{"notification of unknown method", `{"jsonrpc": "2.0", "method": "foobar"}`, ``},
		{"non-existent method", `{"jsonrpc": "2.0", "method": "foobar", "id": "1"}`,
			`{"jsonrpc":"2.0","id":"1","error":{"code":-32601,"message":"Method not found: foobar"}}`},
		{"invalid JSON", `{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: expected ',' or '}' after object value at offset 39"}}`},
		{"invalid request object", `{"jsonrpc": "2.0", "method": 1, "params": "bar"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: method must be a string"}}`},
		{"batch, invalid JSON", `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`, `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: expected ':' after object key at offset 101"}}`},
		{"empty array", `[]`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: empty batch"}}`},
		{"invalid batch [1]", `[1]`,
			`[{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: batch member must be an object"}}]`},
		{"invalid batch [1,2,3]", `[1,2,3]`,
			`[{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: batch member must be an object"}},` +
				`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: batch member must be an object"}},` +
				`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: batch member must be an object"}}]`},
		{"mixed batch", `[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`, `[{"jsonrpc":"2.0","id":"1","result":7},` +
			`{"jsonrpc":"2.0","id":"2","result":19},` +
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: jsonrpc must be \"2.0\""}},` +
			`{"jsonrpc":"2.0","id":"5","error":{"code":-32601,"message":"Method not found: foo.get"}},` +
			`{"jsonrpc":"2.0","id":"9","result":["hello",5]}]`},
		{"all notifications batch", `[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]`, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := rpc.Serve(context.Background(), specMux(), []byte(tt.in), nil)
			assert.Equal(t, tt.want, string(out))
			if tt.want != "" {
				assert.True(t, json.Valid(out), "reply is not valid JSON")
			}
		})
	}
}

func TestServeRules(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"integer id echoed", `{"jsonrpc":"2.0","id":1,"method":"echo","params":[]}`, `{"jsonrpc":"2.0","id":1,"result":[]}`},
		{"string id echoed", `{"jsonrpc":"2.0","id":"1","method":"echo","params":[]}`, `{"jsonrpc":"2.0","id":"1","result":[]}`},
		{"float id echoed byte for byte", `{"jsonrpc":"2.0","id":1.0,"method":"echo","params":[]}`, `{"jsonrpc":"2.0","id":1.0,"result":[]}`},
		{"exponent id echoed", `{"jsonrpc":"2.0","id":-2e3,"method":"echo","params":[]}`, `{"jsonrpc":"2.0","id":-2e3,"result":[]}`},
		{"escaped string id echoed", `{"jsonrpc":"2.0","id":"a\"b\u00e9","method":"echo","params":{}}`, `{"jsonrpc":"2.0","id":"a\"b\u00e9","result":{}}`},
		{"large id echoed", `{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"echo","params":[]}`, `{"jsonrpc":"2.0","id":123456789012345678901234567890,"result":[]}`},
		{"no params", `{"jsonrpc":"2.0","id":7,"method":"echo"}`, `{"jsonrpc":"2.0","id":7,"result":null}`},
		{"escaped member names", `{"\u006asonrpc":"2.0","i\u0064":7,"method":"ech\u006f","params":[1]}`, `{"jsonrpc":"2.0","id":7,"result":[1]}`},
		{"unknown members ignored", `{"jsonrpc":"2.0","id":7,"method":"echo","params":[1],"extra":{"a":[1,2]}}`, `{"jsonrpc":"2.0","id":7,"result":[1]}`},
		{"whitespace around", " \n\t{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"echo\",\"params\":[1]}\r\n ", `{"jsonrpc":"2.0","id":7,"result":[1]}`},
		{"null id rejected", `{"jsonrpc":"2.0","id":null,"method":"echo"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: id must not be null"}}`},
		{"string id not UTF-8 rejected", "{\"jsonrpc\":\"2.0\",\"id\":\"a\xffb\",\"method\":\"echo\"}",
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: id is not valid UTF-8"}}`},
		{"string id cut in a rune rejected", "{\"jsonrpc\":\"2.0\",\"id\":\"\xe2\x82\",\"method\":\"echo\",\"params\":[]}",
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: id is not valid UTF-8"}}`},
		{"peer response with an id not UTF-8 is answered", "{\"jsonrpc\":\"2.0\",\"id\":\"\xff\",\"result\":1}",
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: id is not valid UTF-8"}}`},
		{"string id in UTF-8 echoed", `{"jsonrpc":"2.0","id":"é😀","method":"echo","params":[]}`, `{"jsonrpc":"2.0","id":"é😀","result":[]}`},
		{"object id rejected", `{"jsonrpc":"2.0","id":{"a":1},"method":"echo"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: id must be a string or a number"}}`},
		{"bool id rejected", `{"jsonrpc":"2.0","id":true,"method":"echo"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: id must be a string or a number"}}`},
		{"wrong version keeps id", `{"jsonrpc":"1.0","id":5,"method":"echo"}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: jsonrpc must be \"2.0\""}}`},
		{"missing version", `{"id":5,"method":"echo"}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: jsonrpc must be \"2.0\""}}`},
		{"numeric version", `{"jsonrpc":2.0,"id":5,"method":"echo"}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: jsonrpc must be \"2.0\""}}`},
		{"string params", `{"jsonrpc":"2.0","id":5,"method":"echo","params":"x"}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: params must be an object or an array"}}`},
		{"null params", `{"jsonrpc":"2.0","id":5,"method":"echo","params":null}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: params must be an object or an array"}}`},
		{"missing method", `{"jsonrpc":"2.0","id":5}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: missing method"}}`},
		{"method and result", `{"jsonrpc":"2.0","id":5,"method":"echo","result":1}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: a message cannot have both method and result or error"}}`},
		{"response with both result and error", `{"jsonrpc":"2.0","id":5,"result":1,"error":{"code":1,"message":"x"}}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: a response cannot have both result and error"}}`},
		{"response without id", `{"jsonrpc":"2.0","result":1}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: a response must have an id"}}`},
		{"response with bad error object", `{"jsonrpc":"2.0","id":5,"error":{"code":"x","message":"m"}}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: error must be an object with an integer code and a string message"}}`},
		{"error object names are case-sensitive", `{"jsonrpc":"2.0","id":5,"error":{"Code":1,"Message":"m"}}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: error must be an object with an integer code and a string message"}}`},
		{"error object with two codes", `{"jsonrpc":"2.0","id":5,"error":{"code":1,"message":"m","code":2}}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: error must be an object with an integer code and a string message"}}`},
		{"error object with two messages", `{"jsonrpc":"2.0","id":5,"error":{"code":1,"message":"m","message":"n"}}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: error must be an object with an integer code and a string message"}}`},
		{"duplicate params rejected", `{"jsonrpc":"2.0","id":5,"method":"echo","params":1,"params":{}}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: params must be an object or an array"}}`},
		{"duplicate method rejected", `{"jsonrpc":"2.0","id":5,"method":"echo","m\u0065thod":"other"}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: duplicate member \"method\""}}`},
		{"duplicate id answered with null", `{"jsonrpc":"2.0","id":5,"id":6,"method":"echo"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: duplicate member \"id\""}}`},
		{"duplicate notification member is answered", `{"jsonrpc":"2.0","method":"echo","params":{},"params":[]}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: duplicate member \"params\""}}`},
		{"duplicate result in a peer response", `{"jsonrpc":"2.0","id":5,"result":1,"result":2}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: duplicate member \"result\""}}`},
		{"duplicate unknown members are fine", `{"jsonrpc":"2.0","id":7,"method":"echo","x":1,"x":2}`, `{"jsonrpc":"2.0","id":7,"result":null}`},
		{"peer response is not answered", `{"jsonrpc":"2.0","id":5,"result":{"ok":true}}`, ``},
		{"peer error response is not answered", `{"jsonrpc":"2.0","id":5,"error":{"code":-1,"message":"no"}}`, ``},
		{"top-level string", `"hello"`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: expected an object or an array"}}`},
		{"empty input", ``, `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: empty input"}}`},
		{"trailing garbage", `{"jsonrpc":"2.0","id":1,"method":"echo"} x`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: invalid character 'x' after top-level value at offset 41"}}`},
		{"two objects", `{"jsonrpc":"2.0","id":1,"method":"echo"}{"jsonrpc":"2.0","id":2,"method":"echo"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: invalid character '{' after top-level value at offset 40"}}`},
		{"control character in string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ec\x01ho\"}",
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: invalid control character in string at offset 36"}}`},
		{"bad number", `{"jsonrpc":"2.0","id":01,"method":"echo"}`,
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: expected ',' or '}' after object value at offset 23"}}`},
		{"handler panic is -32603", `{"jsonrpc":"2.0","id":1,"method":"panic"}`,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"Internal error: handler for panic panicked"}}`},
		{"plain error is -32603", `{"jsonrpc":"2.0","id":1,"method":"plain_error"}`,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"disk full"}}`},
		{"code 0 never on the wire", `{"jsonrpc":"2.0","id":1,"method":"zero_code"}`,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"no code"}}`},
		{"invalid params helper", `{"jsonrpc":"2.0","id":1,"method":"sum","params":{"a":1}}`,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params: want an array of numbers"}}`},
		{"batch member response is not answered", `[{"jsonrpc":"2.0","id":9,"result":1},{"jsonrpc":"2.0","id":1,"method":"echo","params":[2]}]`,
			`[{"jsonrpc":"2.0","id":1,"result":[2]}]`},
		{"nested batch member", `[[{"jsonrpc":"2.0","id":1,"method":"echo"}]]`,
			`[{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: batch member must be an object"}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := rpc.Serve(context.Background(), specMux(), []byte(tt.in), &rpc.ServeOptions{Logger: discardLogger()})
			assert.Equal(t, tt.want, string(out))
		})
	}
}

func TestDecodeKinds(t *testing.T) {
	msgs, batch, err := rpc.Decode(nil, []byte(`[
		{"jsonrpc":"2.0","id":1,"method":"a","params":{"x":1}},
		{"jsonrpc":"2.0","method":"b"},
		{"jsonrpc":"2.0","id":"r","result":{"ok":true}},
		{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error","data":[1]}},
		{"jsonrpc":"2.0","method":7}
	]`), rpc.Limits{})
	require.Nil(t, err)
	require.True(t, batch)
	require.Len(t, msgs, 5)
	assert.Equal(t, rpc.KindRequest, msgs[0].Kind)
	assert.Equal(t, "1", msgs[0].ID.String())
	assert.Equal(t, "a", msgs[0].Method)
	assert.JSONEq(t, `{"x":1}`, string(msgs[0].Params))
	assert.Equal(t, rpc.KindNotification, msgs[1].Kind)
	assert.True(t, msgs[1].ID.IsZero())
	assert.Equal(t, rpc.KindResponse, msgs[2].Kind)
	assert.Equal(t, `"r"`, msgs[2].ID.String())
	assert.Equal(t, `{"ok":true}`, string(msgs[2].Result))
	assert.Equal(t, rpc.KindResponse, msgs[3].Kind)
	assert.True(t, msgs[3].ID.IsNull())
	require.NotNil(t, msgs[3].Error)
	assert.Equal(t, int64(-32700), msgs[3].Error.Code)
	assert.Equal(t, `[1]`, string(msgs[3].Error.Data))
	assert.Equal(t, rpc.KindInvalid, msgs[4].Kind)
	assert.ErrorIs(t, msgs[4].Error, rpc.ErrInvalidRequest)
}

// TestDecodeStringsAreUTF8 checks that decoded strings hold no invalid UTF-8: bytes that are
// not UTF-8 become U+FFFD, with or without escapes in the string, as encoding/json decodes them.
func TestDecodeStringsAreUTF8(t *testing.T) {
	for _, in := range []string{
		"{\"jsonrpc\":\"2.0\",\"method\":\"a\xffb\"}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"a\xff\\u0062\"}",
	} {
		msgs, _, err := rpc.Decode(nil, []byte(in), rpc.Limits{})
		require.Nil(t, err)
		require.Equal(t, rpc.KindNotification, msgs[0].Kind, in)
		assert.Equal(t, "a\uFFFDb", msgs[0].Method, in)
	}
}

func TestDecodeLimits(t *testing.T) {
	big := `{"jsonrpc":"2.0","id":1,"method":"echo","params":["` + strings.Repeat("x", 100) + `"]}`
	_, _, err := rpc.Decode(nil, []byte(big), rpc.Limits{MaxMessageBytes: 50})
	require.NotNil(t, err)
	assert.Equal(t, rpc.CodeInvalidRequest, err.Code)
	assert.Contains(t, err.Message, "exceeds the limit of 50 bytes")

	batch := `[` + strings.Repeat(`{"jsonrpc":"2.0","method":"n"},`, 3) + `{"jsonrpc":"2.0","method":"n"}]`
	_, _, err = rpc.Decode(nil, []byte(batch), rpc.Limits{MaxBatchLen: 3})
	require.NotNil(t, err)
	assert.Equal(t, "Invalid Request: batch exceeds the limit of 3 messages", err.Message)
	msgs, _, err := rpc.Decode(nil, []byte(batch), rpc.Limits{MaxBatchLen: 4})
	require.Nil(t, err)
	assert.Len(t, msgs, 4)

	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	_, _, err = rpc.Decode(nil, []byte(deep), rpc.Limits{})
	require.NotNil(t, err)
	assert.Equal(t, rpc.CodeParseError, err.Code)
	assert.Contains(t, err.Message, "nesting depth")
}

func TestDecodeAgreesWithValid(t *testing.T) {
	for _, in := range []string{`{"a":[1,2,{"b":null}],"c":"\ud83d\ude00"}`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `-`, `1.`, `1e`, `"\x"`, `tru`, `{"a":"\u12"}`, `[1 2]`} {
		_, _, err := rpc.Decode(nil, []byte(in), rpc.Limits{})
		parseErr := err != nil && err.Code == rpc.CodeParseError
		assert.Equal(t, !json.Valid([]byte(in)), parseErr, "input %s", in)
	}
}

func TestDecodeSingleRequestAllocations(t *testing.T) {
	in := []byte(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`)
	buf := make([]rpc.Message, 0, 1)
	allocs := testing.AllocsPerRun(100, func() {
		msgs, _, err := rpc.Decode(buf[:0], in, rpc.Limits{})
		if err != nil || len(msgs) != 1 {
			t.Fatal("decode failed")
		}
	})
	// One allocation: the id's text. The method name is interned, params alias the input.
	assert.LessOrEqual(t, allocs, 1.0)
}

func TestIDs(t *testing.T) {
	assert.Equal(t, `7`, rpc.Int64ID(7).String())
	assert.Equal(t, `"a\"b"`, rpc.StringID(`a"b`).String())
	id, ok := rpc.RawID([]byte(`1.50`))
	require.True(t, ok)
	assert.Equal(t, `1.50`, id.String())
	assert.NotEqual(t, rpc.Int64ID(1), rpc.StringID("1"))
	for _, bad := range []string{``, `true`, `{}`, `[1]`, `1 2`, `"x`, "\"a\xffb\""} {
		_, ok := rpc.RawID([]byte(bad))
		assert.False(t, ok, bad)
	}
	var got struct{ ID rpc.ID }
	require.NoError(t, json.Unmarshal([]byte(`{"ID":1.0}`), &got))
	assert.Equal(t, `1.0`, got.ID.String())
	b, err := json.Marshal(got)
	require.NoError(t, err)
	assert.Equal(t, `{"ID":1.0}`, string(b))
}

func TestErrorsIsByCode(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", rpc.Errorf(rpc.CodeMethodNotFound, "nope %d", 1))
	assert.ErrorIs(t, err, rpc.ErrMethodNotFound)
	assert.NotErrorIs(t, err, rpc.ErrInvalidParams)
	assert.Equal(t, rpc.CodeMethodNotFound, rpc.AsError(err).Code)
	assert.Equal(t, rpc.CodeInternalError, rpc.AsError(errors.New("x")).Code)
	assert.Nil(t, rpc.AsError(nil))
	e := rpc.NewError(-32002, "Resource not found").WithData(map[string]string{"uri": "a://b"})
	assert.Equal(t, `{"jsonrpc":"2.0","id":3,"error":{"code":-32002,"message":"Resource not found","data":{"uri":"a://b"}}}`,
		string(rpc.AppendResponse(nil, &rpc.Response{ID: rpc.Int64ID(3), Error: e})))
}

func TestAppendRequest(t *testing.T) {
	assert.Equal(t, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, string(rpc.AppendRequest(nil, rpc.Int64ID(1), "ping", nil)))
	assert.Equal(t, `{"jsonrpc":"2.0","method":"notifications/progress","params":{"p":1}}`,
		string(rpc.AppendRequest(nil, rpc.ID{}, "notifications/progress", json.RawMessage(`{"p":1}`))))
}

func TestMuxRegistrationPanics(t *testing.T) {
	mux := rpc.NewMux()
	mux.HandleFunc("a", func(context.Context, *rpc.Message) (any, error) { return nil, nil })
	assert.PanicsWithValue(t, "rpc: duplicate handler for method a", func() {
		mux.HandleFunc("a", func(context.Context, *rpc.Message) (any, error) { return nil, nil })
	})
	assert.Panics(t, func() { mux.Handle("b", nil) })
	assert.Panics(t, func() { mux.HandleFunc("", func(context.Context, *rpc.Message) (any, error) { return nil, nil }) })
}

func TestDispatchBatchOrderAndBound(t *testing.T) {
	const n, bound = 40, 3
	var running, peak atomic.Int32
	release := make(chan struct{})
	h := rpc.HandlerFunc(func(_ context.Context, m *rpc.Message) (any, error) {
		cur := running.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		<-release
		running.Add(-1)
		return m.Params, nil
	})
	var sb strings.Builder
	sb.WriteString("[")
	for i := range n {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"jsonrpc":"2.0","id":%d,"method":"m","params":[%d]}`, i, i)
	}
	sb.WriteString("]")
	msgs, _, derr := rpc.Decode(nil, []byte(sb.String()), rpc.Limits{})
	require.Nil(t, derr)
	close(release)
	replies := rpc.DispatchBatch(context.Background(), h, msgs, bound, nil)
	require.Len(t, replies, n)
	for i, r := range replies {
		assert.Equal(t, fmt.Sprint(i), r.ID.String())
		assert.Equal(t, fmt.Sprintf("[%d]", i), string(r.Result))
	}
	assert.LessOrEqual(t, peak.Load(), int32(bound))
}
