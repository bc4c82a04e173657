package openapi_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/openapi"
)

// githubDescription reads GitHub's REST API description from @octokit/openapi.
func githubDescription(t testing.TB) []byte {
	dir := corpusDir(t, "MINIMCP_OCTOKIT_OPENAPI", "node_modules/@octokit/openapi")
	data, err := os.ReadFile(filepath.Join(dir, "generated", "api.github.com.json"))
	require.NoError(t, err)
	return data
}

// TestGitHubDescription: GitHub's REST API description (about 13 MB, over 1,000 operations)
// loads whole, every operation a tool with a unique name.
func TestGitHubDescription(t *testing.T) {
	data := githubDescription(t)
	start := time.Now()
	doc, err := openapi.Parse(data, nil)
	require.NoError(t, err)
	t.Logf("%d operations, %d skipped, in %v", len(doc.Operations), len(doc.Skipped), time.Since(start))
	for _, s := range doc.Skipped {
		t.Logf("%s", s)
	}
	assert.Greater(t, len(doc.Operations), 1000)
	names := map[string]bool{}
	ids := map[string]bool{}
	size := 0
	for _, op := range doc.Operations {
		assert.False(t, names[op.Name], "duplicate tool name %s", op.Name)
		names[op.Name] = true
		ids[op.ID] = true
		size += len(op.InputSchema) + len(op.OutputSchema)
	}
	t.Logf("schemas: %d bytes", size)
	assert.Len(t, ids, len(doc.Operations), "every operation has an operationId of its own")
	assert.True(t, names["meta_root"], "meta/root is named meta_root")
}

// BenchmarkParseGitHub measures loading GitHub's REST API description.
func BenchmarkParseGitHub(b *testing.B) {
	data := githubDescription(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := openapi.Parse(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}
