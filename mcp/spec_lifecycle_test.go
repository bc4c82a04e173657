package mcp

import (
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpecSupportsElicitationMode(t *testing.T) {
	for _, tt := range []struct {
		name             string
		caps             string // the client's capabilities as sent
		form, url, other bool
	}{
		{"no capability", `{}`, false, false, false},
		{"empty object means form only (2025-06-18 clients too)", `{"elicitation":{}}`, true, false, false},
		{"form", `{"elicitation":{"form":{}}}`, true, false, false},
		{"url only", `{"elicitation":{"url":{}}}`, false, true, false},
		{"both", `{"elicitation":{"form":{},"url":{}}}`, true, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c ClientCapabilities
			require.NoError(t, json.Unmarshal([]byte(tt.caps), &c))
			assert.Equal(t, tt.form, c.SupportsElicitationMode("form"), "form")
			assert.Equal(t, tt.form, c.SupportsElicitationMode(""), "default mode")
			assert.Equal(t, tt.url, c.SupportsElicitationMode("url"), "url")
			assert.Equal(t, tt.other, c.SupportsElicitationMode("carrier-pigeon"), "unknown mode")
		})
	}
	var nilCaps *ClientCapabilities
	assert.False(t, nilCaps.SupportsElicitationMode("form"))
}

func TestSpecCapabilitiesDecode(t *testing.T) {
	var c ClientCapabilities
	require.NoError(t, json.Unmarshal([]byte(`{"sampling":{"context":{"x":1},"tools":{}},"roots":{}}`), &c))
	assert.NotNil(t, c.Sampling.Context)
	assert.NotNil(t, c.Sampling.Tools)
	assert.Equal(t, &RootsCapability{}, c.Roots)
	assert.Nil(t, c.Elicitation)

	var s ServerCapabilities
	require.NoError(t, json.Unmarshal([]byte(`{"logging":{},"tools":{"listChanged":true}}`), &s))
	assert.Equal(t, ServerCapabilities{Logging: &LoggingCapability{}, Tools: &ToolsCapability{ListChanged: true}}, s)
}
