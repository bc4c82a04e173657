package manifest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"timeout", "timeout", 0},
		{"timout", "timeout", 1},
		{"comand", "command", 1},
		{"tools", "tool", 1},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, editDistance(tt.a, tt.b), "%q %q", tt.a, tt.b)
	}
}

func TestFieldPath(t *testing.T) {
	assert.Equal(t, "tools", fieldPath("", "tools"))
	assert.Equal(t, "tools[2].exec", fieldPath(indexPath("tools", 2), "exec"))
	assert.Equal(t, "headers.X-Api-Key", fieldPath("headers", "X-Api-Key"))
	assert.Equal(t, `headers["X Y"]`, fieldPath("headers", "X Y"))
	assert.Equal(t, `["a.b"]`, fieldPath("", "a.b"))
}
