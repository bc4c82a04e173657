package manifest

import (
	"net/url"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
)

// FuzzURLTemplateFill checks that no path value leaves the path the manifest wrote: whatever
// id and sub are, a URL that fill accepts stays under /api/v1/users/ once dot segments are
// resolved, as sent and after the decoding (once or more, "/" and "\" as separators) that
// some servers and proxies do before routing.
func FuzzURLTemplateFill(f *testing.F) {
	for _, seed := range [][2]string{
		{"..", "admin"}, {".", "x"}, {"%2e%2e", "a"}, {"..%2f..", "b"}, {`..\x`, "c"}, {"...", "d"},
		{"a/../..", "e"}, {"%252e%252e", "f"}, {"7", ".."}, {"x", "%2E"},
	} {
		f.Add(seed[0], seed[1])
	}
	tmpl := &urlTemplate{
		parts: []urlPart{{literal: "https://example.com/api/v1/users/"}, {arg: "id"}, {literal: "/"}, {arg: "sub"}, {literal: "?k=1"}},
		args:  map[string]bool{"id": true, "sub": true},
	}
	f.Fuzz(func(t *testing.T, id, sub string) {
		a, _ := json.Marshal(id)
		b, _ := json.Marshal(sub)
		u, err := tmpl.fill(map[string]json.RawMessage{"id": a, "sub": b})
		if err != nil {
			return
		}
		p := u.EscapedPath()
		for range maxDecodeRounds + 1 {
			if !strings.HasPrefix(resolveDots(p), "/api/v1/users/") {
				t.Fatalf("id %q, sub %q: %s resolves to %s", id, sub, u.EscapedPath(), resolveDots(p))
			}
			dec, err := url.PathUnescape(p)
			if err != nil || dec == p {
				break
			}
			p = dec
		}
	})
}

// resolveDots removes the dot segments of a path (RFC 3986 §5.2.4), "\" counting as "/".
func resolveDots(p string) string {
	var out []string
	for seg := range strings.FieldsFuncSeq(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		switch seg {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/") + "/"
}
