package jsontext

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendStringEscapes(t *testing.T) {
	in := "q\"b\\n\n\r\t\x00\x1f<é>\xff" + "\u2028"
	out := AppendString(nil, in)
	require.True(t, json.Valid(out), string(out))
	var back string
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, strings.ReplaceAll(in, "\xff", "\ufffd"), back)
	want, err := json.Marshal(in)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(out), "written as encoding/json writes it")
}
