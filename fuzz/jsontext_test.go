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
// AppendString writes decodes back to the string made valid UTF-8; EachMemberValid, which
// skips EachMember's first validating pass, yields EachMember's members on a valid object and
// never panics on anything else.
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
		type member struct{ k, v string }
		var want, got []member
		werr := jsontext.EachMember(in, func(k, v []byte) bool { want = append(want, member{string(k), string(v)}); return true })
		gerr := jsontext.EachMemberValid(in, func(k, v []byte) bool { got = append(got, member{string(k), string(v)}); return true })
		if werr == nil && (gerr != nil || len(got) != len(want)) {
			t.Fatalf("EachMemberValid: %v, %d members; EachMember: %d", gerr, len(got), len(want))
		}
		if werr == nil {
			for j := range want {
				if got[j] != want[j] {
					t.Fatalf("member %d: EachMemberValid %q, EachMember %q", j, got[j], want[j])
				}
			}
		}
		out := jsontext.AppendString(nil, string(in))
		var back string
		if !utf8.Valid(out) || stdjson.Unmarshal(out, &back) != nil || back != string([]rune(string(in))) {
			t.Fatalf("AppendString(%q) = %q", in, out)
		}
	})
}
