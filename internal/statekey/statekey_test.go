package statekey

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParse: --state-key takes keys in hex or base64, inline or from a file, first
// key first, and says what is wrong with a bad one.
func TestParse(t *testing.T) {
	hexKey := strings.Repeat("ab", 32)
	b64Key := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" // bytes 0..31
	keys, err := Parse(hexKey + ", " + b64Key)
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, byte(0xab), keys[0][0])
	assert.Equal(t, byte(31), keys[1][31])

	file := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(file, []byte("# newest first\n"+b64Key+"\n\n"+hexKey+"\n"), 0o600))
	keys, err = Parse("@" + file)
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, byte(0), keys[0][0])

	keys, err = Parse("")
	assert.NoError(t, err)
	assert.Nil(t, keys)

	for spec, want := range map[string]string{
		"abcd":                  "key 1: it is 3 bytes; a key is 32",
		"not a key!":            "key 1: not 32 bytes in hex or base64",
		hexKey + ",AAECAwQ=":    "key 2: it is 5 bytes; a key is 32",
		"@" + file + ".missing": "reading the state keys",
		" , ":                   "holds no key",
	} {
		_, err := Parse(spec)
		require.Error(t, err, spec)
		assert.Contains(t, err.Error(), want, spec)
	}
}
