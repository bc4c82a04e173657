package manifest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestManifestTaskErrors: "task" takes "optional" or "required" only.
func TestManifestTaskErrors(t *testing.T) {
	_, err := parseManifest("m.json", []byte(`{"tools": [{"name": "a", "task": "yes", "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}]}`), nil)
	require.Error(t, err)
	assert.Equal(t, `manifest m.json: tools[0].task: must be "optional" (a task when the client supports tasks) or "required" (always a task), got "yes"`, err.Error())
	_, err = parseManifest("m.json", []byte(`{"tools": [{"name": "a", "task": true, "inputSchema": {"type": "object"}, "exec": {"command": ["true"]}}]}`), nil)
	assert.EqualError(t, err, `manifest m.json: tools[0].task: must be a string`)
}
