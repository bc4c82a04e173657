package bearer

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

// Token is a static token --auth-token accepts, kept as its SHA-256 digest, with the principal
// it authenticates and the scopes it grants.
type Token struct {
	digest    [sha256.Size]byte
	Principal string
	Scopes    []string
}

// ParseTokens reads the values of --auth-token: a token, or @FILE with one token per line,
// optionally followed by its principal and the scopes it grants; blank lines and lines
// starting with # are skipped. A token without a principal is its own: "token-" and the first
// 8 hex digits of its SHA-256, so that logs can tell callers apart without ever showing a
// token. Errors never show tokens either.
func ParseTokens(values []string) ([]Token, error) {
	var tokens []Token
	seen := map[[sha256.Size]byte]string{} // digest → where the token was given
	add := func(where, tok, principal string, scopes []string) error {
		if !ValidText(tok) {
			return fmt.Errorf("%s: a token must be printable ASCII without spaces", where)
		}
		d := sha256.Sum256([]byte(tok))
		if prev, dup := seen[d]; dup {
			return fmt.Errorf("%s: the same token as %s", where, prev)
		}
		seen[d] = where
		if principal == "" {
			principal = "token-" + hex.EncodeToString(d[:4])
		}
		tokens = append(tokens, Token{digest: d, Principal: principal, Scopes: scopes})
		return nil
	}
	for i, v := range values {
		file, isFile := strings.CutPrefix(v, "@")
		if !isFile {
			if err := add(fmt.Sprintf("--auth-token #%d", i+1), v, "", nil); err != nil {
				return nil, err
			}
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--auth-token @%s: %v", file, err)
		}
		n := 0
		for ln, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			f := strings.Fields(line)
			principal := ""
			if len(f) > 1 {
				principal = f[1]
			}
			var scopes []string
			if len(f) > 2 {
				scopes = f[2:]
			}
			if err := add(fmt.Sprintf("--auth-token @%s: line %d", file, ln+1), f[0], principal, scopes); err != nil {
				return nil, err
			}
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("--auth-token @%s: the file holds no tokens", file)
		}
	}
	return tokens, nil
}

// ValidText reports whether s can be a bearer token: visible ASCII, 0x21 to 0x7E.
func ValidText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7E {
			return false
		}
	}
	return s != ""
}

// match returns the static token tok is, nil for none. tok is hashed and compared with every
// digest in constant time, so neither its bytes nor which token matched shows in the timing.
func match(tokens []Token, tok string) *Token {
	d := sha256.Sum256([]byte(tok))
	var m *Token
	for i := range tokens {
		if subtle.ConstantTimeCompare(d[:], tokens[i].digest[:]) == 1 {
			m = &tokens[i]
		}
	}
	return m
}
