package mcp

import (
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLevelSeverityOrder(t *testing.T) {
	levels := []LoggingLevel{LevelDebug, LevelInfo, LevelNotice, LevelWarning, LevelError, LevelCritical, LevelAlert, LevelEmergency}
	names := []string{"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"}
	for i, l := range levels {
		assert.Equal(t, names[i], string(l))
		assert.Equal(t, i, l.Severity(), "%s", l)
	}
	for _, l := range []LoggingLevel{"", "warn", "DEBUG", "fatal", " info"} {
		assert.Equal(t, -1, l.Severity(), "%q", l)
	}
	// A client that asked for warning gets warning and more severe.
	floor := LevelWarning
	assert.False(t, LevelNotice.Severity() >= floor.Severity())
	assert.True(t, LevelWarning.Severity() >= floor.Severity())
	assert.True(t, LevelEmergency.Severity() >= floor.Severity())
}

func TestLevelParse(t *testing.T) {
	for _, s := range []string{"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"} {
		l, err := ParseLoggingLevel(s)
		require.NoError(t, err)
		assert.Equal(t, LoggingLevel(s), l)
	}
	for _, s := range []string{"", "warn", "Warning", "trace"} {
		l, err := ParseLoggingLevel(s)
		assert.EqualError(t, err, `mcp: unknown logging level "`+s+`"`)
		assert.Equal(t, LoggingLevel(""), l)
	}
}

func TestSpecMetaNumbers(t *testing.T) {
	var p CallToolParams
	data := `{"name":"t","_meta":{"progressToken":12345678901234567890,"x":{"y":1.50},"z":"s"}}`
	require.NoError(t, json.Unmarshal([]byte(data), &p))
	assert.Equal(t, Meta{"progressToken": json.Number("12345678901234567890"), "x": map[string]any{"y": json.Number("1.50")}, "z": "s"}, p.Meta)
	out, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Equal(t, data, string(out), "numbers in _meta come back byte for byte")

	var m Meta
	require.NoError(t, json.Unmarshal([]byte(`null`), &m))
	assert.Nil(t, m)
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &m))
}

func TestSpecMetaProgressToken(t *testing.T) {
	for _, tt := range []struct {
		meta string
		want string
	}{
		{`{"progressToken":12345678901234567890}`, `12345678901234567890`},
		{`{"progressToken":-1}`, `-1`},
		{`{"progressToken":"abc"}`, `"abc"`},
		{`{"progressToken":"a\"b"}`, `"a\"b"`},
		{`{"other":1}`, ``},
		{`{"progressToken":null}`, ``},
	} {
		var m Meta
		require.NoError(t, json.Unmarshal([]byte(tt.meta), &m))
		assert.Equal(t, tt.want, string(m.ProgressToken()), tt.meta)
	}
	var nilMeta Meta
	assert.Nil(t, nilMeta.ProgressToken())
	assert.Equal(t, `7`, string(Meta{"progressToken": 7}.ProgressToken()))
	assert.Equal(t, `7`, string(Meta{"progressToken": int64(7)}.ProgressToken()))
	assert.Equal(t, `7.5`, string(Meta{"progressToken": 7.5}.ProgressToken()))

	// The token goes into a progress notification unchanged.
	var m Meta
	require.NoError(t, json.Unmarshal([]byte(`{"progressToken":1e3}`), &m))
	out, err := json.Marshal(ProgressNotificationParams{ProgressToken: m.ProgressToken(), Progress: 1})
	require.NoError(t, err)
	assert.Equal(t, `{"progressToken":1e3,"progress":1}`, string(out))
}
