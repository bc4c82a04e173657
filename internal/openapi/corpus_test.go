package openapi_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/jsonschema"
	"github.com/minimcp/minimcp/internal/openapi"
)

// corpusDir returns the directory an environment variable names, or skips the test, unless
// MINIMCP_OPENAPI_REQUIRE is set, as .ci/openapi.sh sets it: then the test fails rather than
// pass without having run. (CI's own variable would fail the plain go test ./... step of
// .ci/run, which runs before .ci/openapi.sh has installed anything.)
func corpusDir(t testing.TB, env, what string) string {
	t.Helper()
	dir := os.Getenv(env)
	if dir == "" {
		if os.Getenv("MINIMCP_OPENAPI_REQUIRE") != "" {
			t.Fatalf("%s is not set: .ci/openapi.sh sets it to %s", env, what)
		}
		t.Skipf("%s is not set (bash .ci/openapi.sh sets it to %s)", env, what)
	}
	return dir
}

// TestExampleDescriptions: every example description of @readme/oas-examples (Swagger 2.0,
// OpenAPI 3.0 and 3.1, JSON and YAML) loads, with tools whose schemas compile, or is refused
// with problems that say where and why.
func TestExampleDescriptions(t *testing.T) {
	dir := corpusDir(t, "MINIMCP_OAS_EXAMPLES", "node_modules/@readme/oas-examples")
	var files []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if !d.IsDir() && strings.Count(rel, string(filepath.Separator)) == 2 &&
			(strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".yaml")) {
			files = append(files, path)
		}
		return nil
	}))
	require.NotEmpty(t, files)
	loaded := 0
	for _, file := range files {
		rel, _ := filepath.Rel(dir, file)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			doc, err := openapi.Parse(data, nil)
			if err != nil {
				var oe *openapi.Error
				require.True(t, errors.As(err, &oe), "%v", err)
				require.NotEmpty(t, oe.Problems)
				for _, p := range oe.Problems {
					assert.NotEmpty(t, p.Message)
				}
				t.Logf("refused:\n%v", err)
				return
			}
			loaded++
			names := map[string]bool{}
			for _, op := range doc.Operations {
				assert.False(t, names[op.Name], "duplicate tool name %s", op.Name)
				names[op.Name] = true
				assert.Regexp(t, `^[A-Za-z0-9_.-]{1,128}$`, op.Name)
				in, err := jsonschema.Compile(op.InputSchema)
				if assert.NoError(t, err, "%s input schema %s", op.Name, op.InputSchema) {
					assert.True(t, in.IsObject())
				}
				if op.OutputSchema != nil {
					out, err := jsonschema.Compile(op.OutputSchema)
					if assert.NoError(t, err, "%s output schema %s", op.Name, op.OutputSchema) {
						assert.True(t, out.IsObject())
					}
				}
				assert.True(t, json.Valid(op.InputSchema))
			}
			for _, s := range doc.Skipped {
				t.Logf("%s", s)
			}
			t.Logf("%d tools", len(doc.Operations))
		})
	}
	t.Logf("%d of %d descriptions loaded", loaded, len(files))
}
