package txtar

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFormatRoundTrip(t *testing.T) {
	in := "what is tested\nsecond line\n-- request --\n{\"a\":1}\n-- response --\n{\"b\":2}\n"
	a := Parse([]byte(in))
	assert.Equal(t, "what is tested\nsecond line\n", a.Comment)
	req, ok := a.File("request")
	require.True(t, ok)
	assert.Equal(t, "{\"a\":1}\n", req)
	_, ok = a.File("missing")
	assert.False(t, ok)
	assert.Equal(t, in, string(a.Format()))
	a.Set("response", "{}\n")
	a.Set("extra", "x")
	assert.Equal(t, "what is tested\nsecond line\n-- request --\n{\"a\":1}\n-- response --\n{}\n-- extra --\nx\n", string(a.Format()))
}

func TestMarkerNeedsBothDashes(t *testing.T) {
	a := Parse([]byte("-- a\n--b --\n-- c --\nx\n"))
	assert.Equal(t, "-- a\n--b --\n", a.Comment)
	require.Len(t, a.Files, 1)
	assert.Equal(t, "c", a.Files[0].Name)
}
