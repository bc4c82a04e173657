package manifest

import (
	"os"
	"path/filepath"
	"testing"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/internal/mcptest"
	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// writeSkill writes a skill directory: SKILL.md with the given name and description, and the
// other files given.
func writeSkill(t *testing.T, dir, name, desc string, files map[string]string) {
	t.Helper()
	files["SKILL.md"] = "---\nname: " + name + "\ndescription: " + desc + "\n---\n# " + name + "\n"
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
}

// TestManifestSkills: "skills" serves a skill directory, or every skill directory of a
// directory, under an optional prefix; files whose names begin with "." are left out.
func TestManifestSkills(t *testing.T) {
	root := t.TempDir()
	writeSkill(t, filepath.Join(root, "one"), "one", "The first", map[string]string{"ref/guide.md": "guide", ".git/config": "x"})
	writeSkill(t, filepath.Join(root, "many", "two"), "two", "The second", map[string]string{})
	writeSkill(t, filepath.Join(root, "many", "three"), "three", "The third", map[string]string{})
	require.NoError(t, os.MkdirAll(filepath.Join(root, "many", "not-a-skill"), 0o755))

	srv := manifestServer(t, `{"skills": [
		{"dir": "`+filepath.Join(root, "one")+`"},
		{"dir": "`+filepath.Join(root, "many")+`", "prefix": "acme/team"}
	]}`)
	msgs, _, derr := rpc.Decode(nil, []byte(`{"jsonrpc":"2.0","id":1,"method":"skills/list","params":{}}`), rpc.Limits{})
	require.Nil(t, derr)
	resp, _ := srv.Handle(t.Context(), &mcp.Inbound{ProtocolVersion: mcp.Version20260728}, &msgs[0])
	require.Nil(t, resp.Error)
	raw := resp.Result
	var list mcp.ListSkillsResult
	require.NoError(t, json.Unmarshal(raw, &list))
	var uris []string
	for _, e := range list.Skills {
		uris = append(uris, e.URI)
	}
	assert.Equal(t, []string{"skill://one/SKILL.md", "skill://acme/team/three/SKILL.md", "skill://acme/team/two/SKILL.md"}, uris)
	var files []string
	for _, r := range list.Skills[0].Resources {
		files = append(files, r.URI)
	}
	assert.ElementsMatch(t, []string{"skill://one/SKILL.md", "skill://one/ref/guide.md"}, files)
	assert.JSONEq(t, `{"name":"one","description":"The first"}`, string(list.Skills[0].Frontmatter))

	raw, rerr := mcptest.Request(t, srv, mcp.MethodResourcesRead, map[string]string{"uri": "skill://one/ref/guide.md"})
	require.Nil(t, rerr)
	assert.Contains(t, string(raw), `"text":"guide"`)
}

// TestManifestSkillErrors: a bad skill entry is a manifest problem naming the manifest, the
// entry and the directory.
func TestManifestSkillErrors(t *testing.T) {
	root := t.TempDir()
	writeSkill(t, filepath.Join(root, "ok"), "ok", "fine", map[string]string{})
	writeSkill(t, filepath.Join(root, "misnamed"), "other", "d", map[string]string{})
	writeSkill(t, filepath.Join(root, "Bad_Name"), "Bad_Name", "d", map[string]string{})
	require.NoError(t, os.MkdirAll(filepath.Join(root, "nodesc"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "nodesc", "SKILL.md"), []byte("---\nname: nodesc\n---\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "badyaml"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "badyaml", "SKILL.md"), []byte("---\nname: badyaml\ndescription: [a, b]\n---\n"), 0o644))
	writeSkill(t, filepath.Join(root, "linked"), "linked", "d", map[string]string{})
	require.NoError(t, os.Symlink("/etc/hostname", filepath.Join(root, "linked", "host")))
	empty := t.TempDir()

	tests := []struct{ name, manifest, want string }{
		{"dir missing", `{"skills": [{}]}`, `manifest m.json: skills[0].dir: is required: a directory holding a SKILL.md, or subdirectories that do`},
		{"dir absent", `{"skills": [{"dir": "/no/such/dir"}]}`, `manifest m.json: skills[0].dir: stat /no/such/dir: no such file or directory`},
		{"no skill", `{"skills": [{"dir": "` + empty + `"}]}`, `manifest m.json: skills[0].dir: ` + empty + ` holds no SKILL.md, and none of its subdirectories does`},
		{"unknown field", `{"skills": [{"dir": "` + filepath.Join(root, "ok") + `", "prefx": "a"}]}`, `manifest m.json: skills[0].prefx: unknown field (did you mean "prefix"?)`},
		{"bad prefix", `{"skills": [{"dir": "` + filepath.Join(root, "ok") + `", "prefix": "/a"}]}`, `manifest m.json: skills[0].prefix: must be "/"-separated segments`},
		{"name differs", `{"skills": [{"dir": "` + filepath.Join(root, "misnamed") + `"}]}`,
			`manifest m.json: skills[0].dir: ` + filepath.Join(root, "misnamed") + `: invalid skill "misnamed": the frontmatter's name "other" differs from the path's last segment "misnamed"`},
		{"bad name", `{"skills": [{"dir": "` + filepath.Join(root, "Bad_Name") + `"}]}`, `must be 1-64 lowercase letters`},
		{"no description", `{"skills": [{"dir": "` + filepath.Join(root, "nodesc") + `"}]}`, `the frontmatter needs a non-empty name and description`},
		{"bad yaml", `{"skills": [{"dir": "` + filepath.Join(root, "badyaml") + `"}]}`, `SKILL.md line 3: flow collections are not supported`},
		{"symlink", `{"skills": [{"dir": "` + filepath.Join(root, "linked") + `"}]}`, `host is a symbolic link, which a skill may not hold`},
		{"duplicate", `{"skills": [{"dir": "` + filepath.Join(root, "ok") + `"}, {"dir": "` + filepath.Join(root, "ok") + `"}]}`,
			`manifest m.json: skills[1].dir: ` + filepath.Join(root, "ok") + `: a second skill at skill://ok/SKILL.md (also skills[0])`},
		{"resource inside", `{"skills": [{"dir": "` + filepath.Join(root, "ok") + `"}], "resources": [{"uri": "skill://ok/x", "file": "testdata/notes.txt"}]}`,
			`manifest m.json: resources[0].uri: "skill://ok/x" is inside the directory of the skill at skill://ok/SKILL.md (skills[0])`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseManifest("m.json", []byte(tt.manifest), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
