package rpc_test

import (
	"context"
	"fmt"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/rpc"
)

func ExampleServe() {
	mux := rpc.NewMux()
	mux.HandleFunc("sum", func(_ context.Context, m *rpc.Message) (any, error) {
		var xs []float64
		if err := json.Unmarshal(m.Params, &xs); err != nil {
			return nil, rpc.InvalidParams("want an array of numbers")
		}
		total := 0.0
		for _, x := range xs {
			total += x
		}
		return total, nil
	})
	ctx := context.Background()
	for _, in := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"sum","params":[1,2,4]}`,
		`{"jsonrpc":"2.0","id":"a","method":"sum","params":{"x":1}}`,
		`[{"jsonrpc":"2.0","id":1.0,"method":"sum","params":[3]},{"jsonrpc":"2.0","method":"sum","params":[1]},{"jsonrpc":"2.0","id":2,"method":"nope"}]`,
		`{"jsonrpc":"2.0","method":"sum","params":[1]}`,
		`{"jsonrpc":"2.0","id":1,"method":`,
	} {
		fmt.Printf("%s\n", rpc.Serve(ctx, mux, []byte(in), nil))
	}
	// Output:
	// {"jsonrpc":"2.0","id":1,"result":7}
	// {"jsonrpc":"2.0","id":"a","error":{"code":-32602,"message":"Invalid params: want an array of numbers"}}
	// [{"jsonrpc":"2.0","id":1.0,"result":3},{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"Method not found: nope"}}]
	//
	// {"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: unexpected end of input at offset 33"}}
}

func ExampleDecode() {
	msgs, batch, err := rpc.Decode(nil, []byte(`[{"jsonrpc":"2.0","id":"x","method":"ping"},{"jsonrpc":"2.0","id":7,"result":{}},{"jsonrpc":"1.0","id":3,"method":"m"}]`), rpc.Limits{})
	fmt.Println(batch, err == nil)
	for _, m := range msgs {
		fmt.Printf("%v id=%s method=%q\n", m.Kind, m.ID, m.Method)
	}
	// Output:
	// true true
	// request id="x" method="ping"
	// response id=7 method=""
	// invalid id=3 method=""
}
