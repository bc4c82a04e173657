// Package httptoken recognizes HTTP tokens, the syntax of header field names, shared by the
// protocol (x-mcp-header names) and the minimcp binary (--header names).
package httptoken

import "strings"

// Valid reports whether s is an HTTP token (RFC 9110 §5.6.2: 1*tchar), which is what a
// header field name is (RFC 9110 §5.1).
func Valid(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
