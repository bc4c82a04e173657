package cliflag

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHeaderFlag(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    http.Header
		wantErr bool
	}{
		{in: "X-A: 1", want: http.Header{"X-A": {"1"}}},
		{in: "x-a:1, 2", want: http.Header{"X-A": {"1, 2"}}},
		{in: "X-A: 1\nX-B: two words\n", want: http.Header{"X-A": {"1"}, "X-B": {"two words"}}},
		{in: "X-Empty:", want: http.Header{"X-Empty": {""}}},
		{in: "no colon", wantErr: true},
		{in: "Bad Name: x", wantErr: true},
		{in: ": x", wantErr: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var f Headers
			err := f.Set(tc.in)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.Header)
		})
	}
}

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		pos  []string
		json bool
	}{
		{"flags first", []string{"--json", "URL", "TOOL"}, []string{"URL", "TOOL"}, true},
		{"flags last", []string{"URL", "TOOL", "--json"}, []string{"URL", "TOOL"}, true},
		{"flags between", []string{"URL", "--json", "TOOL", "{}"}, []string{"URL", "TOOL", "{}"}, true},
		{"double dash", []string{"URL", "--", "--json"}, []string{"URL", "--json"}, false},
		{"none", nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := NewFlagSet("x", "x")
			asJSON := fs.Bool("json", false, "")
			pos, err := parseInterspersed(fs, tc.args)
			require.NoError(t, err)
			assert.Equal(t, tc.pos, pos)
			assert.Equal(t, tc.json, *asJSON)
		})
	}
}
