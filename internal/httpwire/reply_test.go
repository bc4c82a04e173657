package httpwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	for _, tc := range []struct {
		name string
		code int
		body string
		want string
	}{
		{"JSON-RPC error", 404, `{"jsonrpc":"2.0","error":{"code":-32001,"message":"session not found"}}`, "session not found"},
		{"text", 503, "upstream\n  overloaded\n", "upstream overloaded"},
		{"empty", 502, "", "Bad Gateway"},
		{"unknown status, empty", 599, "", "(no body)"},
		{"cut at a rune boundary", 500, long, strings.Repeat("é", 100) + "…"},
		{"invalid UTF-8", 500, "bad \xff byte", "bad \uFFFD byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Excerpt(tc.code, []byte(tc.body)))
		})
	}
}
