package bearer

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/server"
)

func TestParseTokens(t *testing.T) {
	tokens, err := ParseTokens([]string{"t1", "@testdata/tokens.txt"})
	require.NoError(t, err)
	require.Len(t, tokens, 4)
	d := sha256.Sum256([]byte("t1"))
	assert.Equal(t, "token-"+hex.EncodeToString(d[:4]), tokens[0].Principal)
	assert.Equal(t, "alice", tokens[1].Principal)

	assert.Equal(t, []string{"files:read", "files:write"}, tokens[3].Scopes)
	assert.Nil(t, tokens[0].Scopes)

	v := &Verifier{Static: tokens, Logger: slog.New(slog.DiscardHandler)}
	for token, want := range map[string]string{
		"alpha-token-1234": "alice",
		"t1":               tokens[0].Principal,
		"carol-token-9012": "carol",
	} {
		info, err := v.VerifyToken(t.Context(), token, "", httptest.NewRequest(http.MethodPost, "/mcp", nil))
		require.NoError(t, err, token)
		assert.Equal(t, want, info.Principal, token)
	}
	for _, token := range []string{"t2", "alpha-token-", "alpha-token-1234 "} {
		_, err := v.VerifyToken(t.Context(), token, "", httptest.NewRequest(http.MethodPost, "/mcp", nil))
		assert.ErrorIs(t, err, server.ErrInvalidToken, token)
	}

	dir := t.TempDir()
	writeFile := func(name, content string) string {
		p := dir + "/" + name
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	bad := []struct {
		values []string
		want   string
	}{
		{[]string{"a b"}, "--auth-token #1: a token must be printable ASCII without spaces"},
		{[]string{"t", "t"}, "--auth-token #2: the same token as --auth-token #1"},
		{[]string{"@" + writeFile("empty", "# nothing\n\n")}, "--auth-token @" + dir + "/empty: the file holds no tokens"},
		{[]string{"@" + writeFile("spaced", "t\u00f6k who\n")}, "--auth-token @" + dir + "/spaced: line 1: a token must be printable ASCII without spaces"},
		{[]string{"@" + dir + "/missing"}, "--auth-token @" + dir + "/missing: open " + dir + "/missing: no such file or directory"},
	}
	for _, tt := range bad {
		_, err := ParseTokens(tt.values)
		require.Error(t, err, "%q", tt.values)
		assert.Equal(t, tt.want, err.Error())
	}
}
