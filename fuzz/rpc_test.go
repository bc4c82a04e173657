package fuzz

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"unicode/utf8"

	"github.com/minimcp/minimcp/rpc"
)

// fuzzHandler echoes params, fails on "err" and panics on "panic", so replies of every shape
// are produced. A handler's raw result is written as is, so keeping it UTF-8 is the handler's
// job: the echo turns bytes that are not UTF-8 (only inside strings in valid params) into
// U+FFFD.
var fuzzHandler = rpc.HandlerFunc(func(_ context.Context, m *rpc.Message) (any, error) {
	switch m.Method {
	case "panic":
		panic("fuzz")
	case "err":
		return nil, errors.New("failed")
	}
	return stdjson.RawMessage(bytes.ToValidUTF8(m.Params, []byte("\uFFFD"))), nil
})

// echoableID reports whether a member's raw id is one a reply carries back: a string or a
// number, and UTF-8 (RFC 8259 §8.1), as the reply echoes it byte for byte.
func echoableID(id []byte) bool {
	return len(id) > 0 && (id[0] == '"' && utf8.Valid(id) || id[0] == '-' || (id[0] >= '0' && id[0] <= '9'))
}

// validText reports whether out is JSON text as RFC 8259 §8.1 requires it between systems:
// encoding/json's Valid, which lets any byte through inside strings, and UTF-8.
func validText(out []byte) bool { return stdjson.Valid(out) && utf8.Valid(out) }

var quiet = &rpc.ServeOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

// expectation is the reply an independent reading (encoding/json) says a member must get.
type expectation struct {
	reply bool   // the member gets a reply
	id    string // the id that reply must carry
}

// expect classifies one batch member or message the way JSON-RPC 2.0 §4-§6 does, using
// encoding/json rather than the decoder under test.
func expect(raw stdjson.RawMessage) expectation {
	var obj map[string]stdjson.RawMessage
	if err := stdjson.Unmarshal(raw, &obj); err != nil || obj == nil {
		return expectation{reply: true, id: "null"}
	}
	if dups := duplicateMembers(raw); len(dups) > 0 {
		// A message naming a member twice is refused (RFC 8259 §4 leaves it unpredictable);
		// the reply echoes the id only when there is exactly one.
		e := expectation{reply: true, id: "null"}
		if id, ok := obj["id"]; ok && !dups["id"] && echoableID(id) {
			e.id = string(id)
		}
		return e
	}
	idRaw, hasID := obj["id"]
	idOK := hasID && echoableID(idRaw)
	replyID := "null"
	if idOK {
		replyID = string(idRaw)
	}
	var version string
	versionOK := stdjson.Unmarshal(obj["jsonrpc"], &version) == nil && version == "2.0"
	method, hasMethod := obj["method"]
	var methodStr string
	methodOK := hasMethod && stdjson.Unmarshal(method, &methodStr) == nil && len(method) > 0 && method[0] == '"'
	params, hasParams := obj["params"]
	paramsOK := !hasParams || (len(params) > 0 && (params[0] == '{' || params[0] == '['))
	_, hasResult := obj["result"]
	errRaw, hasError := obj["error"]
	if hasMethod {
		if versionOK && methodOK && paramsOK && !hasResult && !hasError && (!hasID || idOK) {
			if !hasID {
				return expectation{} // notification
			}
			return expectation{reply: true, id: replyID}
		}
		return expectation{reply: true, id: replyID}
	}
	if hasResult != hasError && hasID && versionOK && (idOK || string(idRaw) == "null") && paramsOK {
		if hasError && !validErrorObject(errRaw) {
			return expectation{reply: true, id: replyID}
		}
		return expectation{} // a peer's response: routed, never answered
	}
	return expectation{reply: true, id: replyID}
}

// validErrorObject says whether raw is a JSON-RPC 2.0 §5.1 error object: an object with
// exactly one "code", an integer, and exactly one "message", a string. Member names match
// exactly (encoding/json's struct decoding would also take "Code").
func validErrorObject(raw []byte) bool {
	d := stdjson.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if tok, err := d.Token(); err != nil || tok != stdjson.Delim('{') {
		return false
	}
	var code, msg int
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		var v any
		if err := d.Decode(&v); err != nil {
			return false
		}
		switch tok {
		case "code":
			n, ok := v.(stdjson.Number)
			if !ok || bytes.ContainsAny([]byte(n), ".eE") {
				return false
			}
			if _, err := n.Int64(); err != nil {
				return false
			}
			code++
		case "message":
			if _, ok := v.(string); !ok {
				return false
			}
			msg++
		}
	}
	return code == 1 && msg == 1
}

// duplicateMembers lists the JSON-RPC member names that appear more than once at the top
// level of the valid object raw, read with encoding/json's tokenizer.
func duplicateMembers(raw []byte) map[string]bool {
	d := stdjson.NewDecoder(bytes.NewReader(raw))
	if _, err := d.Token(); err != nil { // '{'
		return nil
	}
	seen := map[string]bool{}
	var dups map[string]bool
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil
		}
		key, _ := tok.(string)
		switch key {
		case "jsonrpc", "id", "method", "params", "result", "error":
			if seen[key] {
				if dups == nil {
					dups = map[string]bool{}
				}
				dups[key] = true
			}
			seen[key] = true
		}
		var skip stdjson.RawMessage
		if err := d.Decode(&skip); err != nil {
			return nil
		}
	}
	return dups
}

// checkReply asserts the reply is well-formed JSON-RPC and answers exactly the expected
// members, in order.
func checkReply(t *testing.T, in, out []byte) {
	t.Helper()
	if len(in) > rpc.DefaultMaxMessageBytes {
		// Refused before it is read, so no id is known (RFC 8259 §9 lets a parser limit the
		// size of texts).
		mustSingleError(t, out, rpc.CodeInvalidRequest)
		return
	}
	if !stdjson.Valid(in) {
		mustSingleError(t, out, rpc.CodeParseError)
		return
	}
	trimmed := bytes.TrimSpace(in)
	var want []expectation
	switch trimmed[0] {
	case '[':
		var members []stdjson.RawMessage
		if err := stdjson.Unmarshal(trimmed, &members); err != nil {
			t.Fatalf("encoding/json cannot read a valid array: %v", err)
		}
		if len(members) == 0 || len(members) > rpc.DefaultMaxBatchLen {
			mustSingleError(t, out, rpc.CodeInvalidRequest)
			return
		}
		for _, m := range members {
			if e := expect(m); e.reply {
				want = append(want, e)
			}
		}
		if len(want) == 0 {
			if len(out) != 0 {
				t.Fatalf("a batch with nothing to answer got %s", out)
			}
			return
		}
		var replies []stdjson.RawMessage
		if err := stdjson.Unmarshal(out, &replies); err != nil {
			t.Fatalf("batch reply is not an array: %s", out)
		}
		if len(replies) != len(want) {
			t.Fatalf("want %d replies, got %d: %s", len(want), len(replies), out)
		}
		for i, r := range replies {
			checkResponse(t, r, want[i].id)
		}
	case '{':
		e := expect(trimmed)
		if !e.reply {
			if len(out) != 0 {
				t.Fatalf("no reply expected, got %s", out)
			}
			return
		}
		checkResponse(t, out, e.id)
	default:
		mustSingleError(t, out, rpc.CodeInvalidRequest)
	}
}

func mustSingleError(t *testing.T, out []byte, code int64) {
	t.Helper()
	var r struct {
		ID    stdjson.RawMessage `json:"id"`
		Error *rpc.Error         `json:"error"`
	}
	if err := stdjson.Unmarshal(out, &r); err != nil || r.Error == nil {
		t.Fatalf("want one error object, got %s", out)
	}
	if r.Error.Code != code || string(r.ID) != "null" {
		t.Fatalf("want error %d with id null, got %s", code, out)
	}
}

func checkResponse(t *testing.T, out []byte, id string) {
	t.Helper()
	var r map[string]stdjson.RawMessage
	if err := stdjson.Unmarshal(out, &r); err != nil {
		t.Fatalf("reply is not a JSON object: %s", out)
	}
	if string(r["jsonrpc"]) != `"2.0"` {
		t.Fatalf("reply without jsonrpc 2.0: %s", out)
	}
	if string(r["id"]) != id {
		t.Fatalf("reply id %s, want %s: %s", r["id"], id, out)
	}
	_, hasResult := r["result"]
	errRaw, hasError := r["error"]
	if hasResult == hasError {
		t.Fatalf("reply must have exactly one of result and error: %s", out)
	}
	if hasError {
		var e struct{ Code int64 }
		if stdjson.Unmarshal(errRaw, &e) != nil || e.Code == 0 {
			t.Fatalf("error reply without a non-zero integer code: %s", out)
		}
	}
}

var rpcSeeds = []string{
	`{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}`,
	`{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}`,
	`{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}`,
	`{"jsonrpc": "2.0", "method": "foobar", "id": "1"}`,
	`{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]`,
	`{"jsonrpc": "2.0", "method": 1, "params": "bar"}`,
	`[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]`,
	`[]`, `[1]`, `[1,2,3]`,
	`[{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"},{"jsonrpc":"2.0","method":"notify_hello","params":[7]},{"foo":"boo"},{"jsonrpc":"2.0","method":"get_data","id":"9"}]`,
	`[{"jsonrpc":"2.0","method":"notify_sum","params":[1,2,4]},{"jsonrpc":"2.0","method":"notify_hello","params":[7]}]`,
	`{"jsonrpc":"2.0","id":1.0,"method":"panic"}`,
	`{"jsonrpc":"2.0","id":"a\u0000","method":"err"}`,
	`{"jsonrpc":"2.0","id":5,"result":{"ok":true}}`,
	`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}`,
	`{"\u006asonrpc":"2.0","id":null,"method":"x"}`,
	`[{"jsonrpc":"2.0","method":"x","params":1,"params":{}},{"jsonrpc":"2.0","id":1,"i\u0064":2,"result":1}]`,
}

// FuzzDecode feeds arbitrary bytes to the whole JSON-RPC exchange: it must never panic, every
// request must get exactly one reply with its id, notifications and responses none, and the
// output must always be valid JSON-RPC.
func FuzzDecode(f *testing.F) {
	for _, s := range rpcSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := rpc.Serve(context.Background(), fuzzHandler, in, quiet)
		if len(out) > 0 && !validText(out) {
			t.Fatalf("output is not valid JSON: %s", out)
		}
		checkReply(t, in, out)
	})
}

// FuzzBatch builds batches from fuzzed members (split on NUL bytes, each wrapped in braces
// when it is not already a JSON value) so the fuzzer spends its time inside batches.
func FuzzBatch(f *testing.F) {
	f.Add([]byte(`"jsonrpc":"2.0","id":1,"method":"a"` + "\x00" + `"jsonrpc":"2.0","method":"n"`))
	f.Add([]byte(`1` + "\x00" + `"jsonrpc":"2.0","id":"x","result":1` + "\x00" + `"foo":"boo"`))
	f.Add([]byte(`"jsonrpc":"2.0","id":-0.5e1,"method":"panic"` + "\x00" + `"jsonrpc":"2.0","id":2,"method":"err","params":{}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var b bytes.Buffer
		b.WriteByte('[')
		for i, part := range bytes.Split(in, []byte{0}) {
			if i > 0 {
				b.WriteByte(',')
			}
			if stdjson.Valid(part) {
				b.Write(part)
			} else {
				b.WriteByte('{')
				b.Write(part)
				b.WriteByte('}')
			}
		}
		b.WriteByte(']')
		batch := b.Bytes()
		out := rpc.Serve(context.Background(), fuzzHandler, batch, quiet)
		if len(out) > 0 && !validText(out) {
			t.Fatalf("output is not valid JSON: %s", out)
		}
		checkReply(t, batch, out)
	})
}
