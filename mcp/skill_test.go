package mcp_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/minimcp/minimcp/mcp"
)

const testSkillMD = "---\nname: pdf\ndescription: Fill PDF forms\nmetadata:\n  version: \"2\"\n---\n# PDF\n"

func testSkill() *mcp.Skill {
	return &mcp.Skill{Path: "acme/pdf", Cache: mcp.CacheHint{TTL: time.Minute, Scope: mcp.CachePublic}, Files: []mcp.SkillFile{
		{Path: "SKILL.md", Content: []byte(testSkillMD)},
		{Path: "templates/invoice.md", Content: []byte("invoice")},
		{Path: "templates/eu/vat form.md", Content: []byte("vat")},
		{Path: "logo.bin", Content: []byte{0xff, 0x00}},
	}}
}

func digest(b string) string {
	sum := sha256.Sum256([]byte(b))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// modernCall sends one 2026-07-28 request and returns its result or error as JSON.
func modernCall(t *testing.T, s *mcp.Server, method, params string) string {
	t.Helper()
	if params != "" {
		params = "," + params
	}
	return handleOne(t, s, &mcp.Inbound{ProtocolVersion: mcp.Version20260728},
		`{"jsonrpc":"2.0","id":1,"method":"`+method+`","params":{`+modernMeta+`}`+params+`}}`)
}

// TestSkills: a registered skill is served the way SEP-2640 describes: declared in
// server/discover with directoryRead, listed and got with its frontmatter and a manifest of
// digests and sizes, its files read as resources (SKILL.md with the frontmatter's name and
// description), its directories read; unknown URIs are -32602.
func TestSkills(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	require.NoError(t, s.AddSkill(testSkill()))

	got := modernCall(t, s, "server/discover", "")
	assert.Contains(t, got, `"extensions":{"io.modelcontextprotocol/skills":{"directoryRead":true}}`)
	assert.Contains(t, got, `"resources":{`, "the extension needs the resources capability")

	entry := `{"uri":"skill://acme/pdf/SKILL.md","frontmatter":{"name":"pdf","description":"Fill PDF forms","metadata":{"version":"2"}},"resources":[` +
		`{"uri":"skill://acme/pdf/SKILL.md","digest":"` + digest(testSkillMD) + `","size":` + itoa(len(testSkillMD)) + `},` +
		`{"uri":"skill://acme/pdf/templates/invoice.md","digest":"` + digest("invoice") + `","size":7},` +
		`{"uri":"skill://acme/pdf/templates/eu/vat%20form.md","digest":"` + digest("vat") + `","size":3},` +
		`{"uri":"skill://acme/pdf/logo.bin","digest":"` + digest("\xff\x00") + `","size":2}]}`
	got = modernCall(t, s, "skills/list", "")
	assert.Contains(t, got, `"result":{"skills":[`+entry+`],"resultType":"complete","ttlMs":0,"cacheScope":"private"`,
		"the list's hint is ListCache's, lowered by its entries")
	got = modernCall(t, s, "skills/get", `"uri":"skill://acme/pdf/SKILL.md"`)
	assert.Contains(t, got, `"result":{"skill":`+entry+`,"resultType":"complete","ttlMs":60000,"cacheScope":"public"`)
	assert.NotContains(t, got, "nextCursor")
	got = modernCall(t, s, "skills/get", `"uri":"skill://acme/nope/SKILL.md"`)
	assert.Contains(t, got, `"error":{"code":-32602,"message":"Invalid params: No skill is served at skill://acme/nope/SKILL.md"`)

	got = modernCall(t, s, "resources/list", "")
	assert.Contains(t, got, `{"uri":"skill://acme/pdf/SKILL.md","name":"pdf","description":"Fill PDF forms","mimeType":"text/markdown","size":`+itoa(len(testSkillMD))+`}`)
	assert.Contains(t, got, `{"uri":"skill://acme/pdf/templates/eu/vat%20form.md","name":"vat form.md","mimeType":"text/markdown","size":3}`)
	got = modernCall(t, s, "resources/read", `"uri":"skill://acme/pdf/SKILL.md"`)
	text, _ := json.Marshal(testSkillMD)
	assert.Contains(t, got, `"contents":[{"uri":"skill://acme/pdf/SKILL.md","mimeType":"text/markdown","text":`+string(text)+`}]`)
	got = modernCall(t, s, "resources/read", `"uri":"skill://acme/pdf/logo.bin"`)
	assert.Contains(t, got, `"mimeType":"application/octet-stream","blob":"/wA="`)

	dirs := []struct{ uri, want string }{
		{"skill://acme", `[{"uri":"skill://acme/pdf","name":"pdf","mimeType":"inode/directory"}]`},
		{"skill://acme/pdf/templates", `[{"uri":"skill://acme/pdf/templates/invoice.md","name":"invoice.md","mimeType":"text/markdown","size":7},{"uri":"skill://acme/pdf/templates/eu","name":"eu","mimeType":"inode/directory"}]`},
	}
	for _, d := range dirs {
		got = modernCall(t, s, "resources/directory/read", `"uri":"`+d.uri+`"`)
		assert.Contains(t, got, `"result":{"resources":`+d.want+`,"resultType":"complete","_meta"`, d.uri)
		assert.NotContains(t, got, "ttlMs", "a directory read is not a cacheable result")
	}
	for _, u := range []string{"skill://acme/pdf/SKILL.md", "skill://acme/pdf/", "skill://other", "skill:"} {
		got = modernCall(t, s, "resources/directory/read", `"uri":"`+u+`"`)
		assert.Contains(t, got, `"code":-32602`, u)
	}

	// The extension is a 2026-07-28 one: earlier revisions see the files as ordinary
	// resources, and not the methods.
	in := &mcp.Inbound{ProtocolVersion: mcp.Version20251125}
	for _, m := range []string{"skills/list", "skills/get", "resources/directory/read"} {
		got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":1,"method":"`+m+`","params":{"uri":"skill://acme/pdf/SKILL.md"}}`)
		assert.Contains(t, got, `"code":-32601`, m)
	}
	got = handleOne(t, s, in, `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"skill://acme/pdf/templates/invoice.md"}}`)
	assert.Contains(t, got, `"text":"invoice"`)

	s.RemoveSkills("skill://acme/pdf/SKILL.md")
	got = modernCall(t, s, "server/discover", "")
	assert.NotContains(t, got, "io.modelcontextprotocol/skills", "no skill, no declaration")
	assert.Contains(t, modernCall(t, s, "skills/list", ""), `"code":-32601`)
	assert.Contains(t, modernCall(t, s, "resources/read", `"uri":"skill://acme/pdf/SKILL.md"`), `"code":-32602`)
}

// TestSkillsPagination: skills/list and resources/directory/read page as resources/list does,
// an entry never split.
func TestSkillsPagination(t *testing.T) {
	s := mcp.NewServer(nil, &mcp.ServerOptions{PageSize: 1})
	for _, name := range []string{"a", "b"} {
		require.NoError(t, s.AddSkill(&mcp.Skill{Path: "x/" + name, Files: []mcp.SkillFile{
			{Path: "SKILL.md", Content: []byte("---\nname: " + name + "\ndescription: d\n---\n")}}}))
	}
	type page struct {
		Result struct {
			Skills     []mcp.SkillEntry `json:"skills"`
			Resources  []mcp.Resource   `json:"resources"`
			NextCursor string           `json:"nextCursor"`
		} `json:"result"`
	}
	for _, m := range []string{"skills/list", "resources/directory/read"} {
		var uris []string
		cursor := ""
		for i := 0; i < 3; i++ {
			params := `"uri":"skill://x"`
			if cursor != "" {
				params += `,"cursor":"` + cursor + `"`
			}
			var page page
			require.NoError(t, json.Unmarshal([]byte(modernCall(t, s, m, params)), &page))
			for _, e := range page.Result.Skills {
				uris = append(uris, e.URI)
			}
			for _, r := range page.Result.Resources {
				uris = append(uris, r.URI)
			}
			if cursor = page.Result.NextCursor; cursor == "" {
				break
			}
		}
		assert.Len(t, uris, 2, m)
		assert.Contains(t, modernCall(t, s, m, `"uri":"skill://x","cursor":"bogus"`), `"code":-32602`, m)
	}
}

// TestAddSkillInvalid: a skill that breaks a rule is refused with ErrInvalidSkill saying which,
// and nothing of it is registered.
func TestAddSkillInvalid(t *testing.T) {
	md := func(fm string) []mcp.SkillFile {
		return []mcp.SkillFile{{Path: "SKILL.md", Content: []byte("---\n" + fm + "\n---\n")}}
	}
	ok := md("name: ok\ndescription: d")
	many := make([]mcp.SkillFile, mcp.MaxSkillFiles+1)
	for i := range many {
		many[i] = mcp.SkillFile{Path: "f" + itoa(i)}
	}
	cases := []struct {
		name string
		sk   *mcp.Skill
		err  string
	}{
		{"no SKILL.md", &mcp.Skill{Path: "ok", Files: []mcp.SkillFile{{Path: "README.md"}}}, "no SKILL.md"},
		{"no description", &mcp.Skill{Path: "ok", Files: md("name: ok")}, "non-empty name and description"},
		{"name differs", &mcp.Skill{Path: "other", Files: ok}, `name "ok" differs from the path's last segment "other"`},
		{"bad name", &mcp.Skill{Path: "Bad--Name", Files: md("name: Bad--Name\ndescription: d")}, "must be 1-64 lowercase"},
		{"empty segment", &mcp.Skill{Path: "a//ok", Files: ok}, "empty"},
		{"bad authority", &mcp.Skill{Path: "a b/ok", Files: ok}, "authority"},
		{"escaping file", &mcp.Skill{Path: "ok", Files: append(md("name: ok\ndescription: d"), mcp.SkillFile{Path: "../x"})}, `"..`},
		{"duplicate file", &mcp.Skill{Path: "ok", Files: append(md("name: ok\ndescription: d"), ok...)}, "given twice"},
		{"too many files", &mcp.Skill{Path: "ok", Files: append(md("name: ok\ndescription: d"), many...)}, "more than the 512"},
		{"too large", &mcp.Skill{Path: "ok", Files: append(md("name: ok\ndescription: d"), mcp.SkillFile{Path: "big", Content: make([]byte, mcp.MaxSkillBytes)})}, "bytes of files"},
		{"bad yaml", &mcp.Skill{Path: "ok", Files: md("name: &x ok\ndescription: d")}, "SKILL.md line 2"},
		{"bad frontmatter", &mcp.Skill{Path: "ok", Files: ok, Frontmatter: json.RawMessage(`[1]`)}, "not a JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mcp.NewServer(nil, nil)
			err := s.AddSkill(c.sk)
			require.Error(t, err)
			assert.True(t, errors.Is(err, mcp.ErrInvalidSkill))
			assert.Contains(t, err.Error(), c.err)
			assert.Contains(t, modernCall(t, s, "resources/list", ""), `"resources":[]`)
		})
	}

	s := mcp.NewServer(nil, nil)
	s.AddResource(&mcp.Resource{URI: "skill://ok/SKILL.md", Name: "taken"},
		func(context.Context, *mcp.Request, string) (*mcp.ReadResourceResult, error) { return nil, nil })
	err := s.AddSkill(&mcp.Skill{Path: "ok", Files: ok})
	assert.ErrorContains(t, err, "a resource is already served at skill://ok/SKILL.md")
}

// TestAddSkillFrontmatter: a frontmatter given as JSON is served as given, whatever YAML
// SKILL.md holds.
func TestAddSkillFrontmatter(t *testing.T) {
	s := mcp.NewServer(nil, nil)
	require.NoError(t, s.AddSkill(&mcp.Skill{Path: "ok", Frontmatter: json.RawMessage(`{"name":"ok","description":"d","x":[1]}`),
		Files: []mcp.SkillFile{{Path: "SKILL.md", Content: []byte("---\nname: ok\ndescription: d\nx: &a [1]\n---\n")}}}))
	assert.Contains(t, modernCall(t, s, "skills/get", `"uri":"skill://ok/SKILL.md"`), `"frontmatter":{"name":"ok","description":"d","x":[1]}`)
}

func itoa(n int) string { return strconv.Itoa(n) }
