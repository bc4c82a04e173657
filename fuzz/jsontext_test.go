package fuzz

import (
	stdjson "encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/minimcp/minimcp/internal/jsontext"
)

// FuzzJSONText checks the scanner under rpc, mcp and jsonschema against encoding/json: it
// accepts exactly the texts Valid accepts, reports an error offset inside the input, and
// decodes a string to what Unmarshal decodes it to, with its code point count; what
// AppendString writes decodes back to the string made valid UTF-8.
func FuzzJSONText(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,2,{"b":null}],"c":"\ud83d\ude00"}`, `[1e5,-0.0,0E-0]`, `"\ud83d alone \ude00"`,
		"\"bad \xff byte\"", `{"a" 1}`, `[tru]`, `"\u12G4"`, `1.`, `-`, " \t\r\n[]\n", `{"a":1}x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		i := jsontext.SkipSpace(in, 0)
		end, err := jsontext.SkipValue(in, i, 0)
		if err == nil {
			err = jsontext.CheckEnd(in, end)
		}
		if valid := stdjson.Valid(in); valid != (err == nil) {
			t.Fatalf("Valid says %v, the scanner %v", valid, err)
		}
		if err != nil {
			if err.Offset < 0 || err.Offset > len(in) {
				t.Fatalf("error offset %d outside the input of %d bytes", err.Offset, len(in))
			}
		} else if in[i] == '"' {
			var want string
			if err := stdjson.Unmarshal(in, &want); err != nil {
				t.Fatal(err)
			}
			got, ok := jsontext.Unquote(in[i:end])
			if !ok || got != want {
				t.Fatalf("Unquote gives %q, %v; Unmarshal %q", got, ok, want)
			}
			_, escaped, _ := jsontext.ScanString(in, i)
			if n := jsontext.RuneCount(in[i+1:end-1], escaped); n != utf8.RuneCountInString(want) {
				t.Fatalf("RuneCount %d, want %d", n, utf8.RuneCountInString(want))
			}
		}
		out := jsontext.AppendString(nil, string(in))
		var back string
		if !utf8.Valid(out) || stdjson.Unmarshal(out, &back) != nil || back != string([]rune(string(in))) {
			t.Fatalf("AppendString(%q) = %q", in, out)
		}
	})
}
