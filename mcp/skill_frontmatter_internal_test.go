package mcp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseFrontmatter: the subset of YAML that SKILL.md frontmatter is read in gives the JSON
// a YAML 1.2 parser gives (core schema), in the author's order; what is outside the subset is
// refused with the line that holds it.
func TestParseFrontmatter(t *testing.T) {
	ok := []struct{ name, yaml, json string }{
		{"minimal", "name: a\ndescription: b c", `{"name":"a","description":"b c"}`},
		{"order kept", "description: d\nname: n", `{"description":"d","name":"n"}`},
		{"core schema", "name: n\ndescription: d\na: true\nb: False\nc: ~\nd: 12\ne: -1.50\nf: 0x1F\ng: 0o17\nh: 1e3\ni: 1.2.3\nj: yes\nk:",
			`{"name":"n","description":"d","a":true,"b":false,"c":null,"d":12,"e":-1.5,"f":31,"g":15,"h":1000,"i":"1.2.3","j":"yes","k":null}`},
		{"quoted", "name: 'it''s'\ndescription: \"tab\\there \\u00e9 \\\"q\\\"\" # comment\n\"quoted key\": '1'",
			`{"name":"it's","description":"tab\there é \"q\"","quoted key":"1"}`},
		{"comments and blank lines", "# leading\nname: n # trailing\n\n  # indented comment\ndescription: a#b", `{"name":"n","description":"a#b"}`},
		{"nested mapping", "name: n\nmetadata:\n  author: x\n  version: \"1.0\"\n  deep:\n    k: v\ndescription: d",
			`{"name":"n","metadata":{"author":"x","version":"1.0","deep":{"k":"v"}},"description":"d"}`},
		{"sequences", "tags:\n  - a\n  - 2\nsame:\n- x\n- 'y'\nempty: []\nnone: {}", `{"tags":["a",2],"same":["x","y"],"empty":[],"none":{}}`},
		{"multi-line plain", "description: one\n  two\n\n  three\nname: n", `{"description":"one two\nthree","name":"n"}`},
		{"literal", "d: |\n  a\n    b\n\n  c\n\nn: 1", `{"d":"a\n  b\n\nc\n","n":1}`},
		{"literal strip keep", "d: |-\n  a\n\ne: |+\n  b\n\n", `{"d":"a","e":"b\n\n\n"}`},
		{"folded", "d: >\n  a\n  b\n\n  c\n\n\n  e\nn: 1", `{"d":"a b\nc\n\ne\n","n":1}`},
		{"folded strip", "d: >-\n  a\n  b", `{"d":"a b"}`},
		{"url", "homepage: https://example.com/x", `{"homepage":"https://example.com/x"}`},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			obj, _, _, err := parseFrontmatter([]byte("---\n" + c.yaml + "\n---\nbody\n"))
			require.NoError(t, err)
			assert.JSONEq(t, c.json, string(obj))
			assert.Equal(t, c.json, string(obj), "compact, in order")
		})
	}

	bad := []struct{ name, md, err string }{
		{"no frontmatter", "# title\n", "does not begin with a --- line"},
		{"unclosed", "---\nname: a\n", "no closing --- line"},
		{"empty", "---\n---\n", "empty"},
		{"anchor", "---\nname: &a x\n---\n", "line 2: '&'"},
		{"alias", "---\nname: *a\n---\n", "line 2: '*'"},
		{"tag", "---\nname: !!str x\n---\n", "line 2: '!'"},
		{"flow", "---\nname: [a, b]\n---\n", "line 2: flow collections"},
		{"duplicate", "---\nname: a\nname: b\n---\n", `line 3: key "name" given twice`},
		{"colon in plain", "---\ndescription: a: b\n---\n", "line 2: a colon"},
		{"tab", "---\nname: a\n\tx: y\n---\n", "line 3: a tab"},
		{"bad indentation", "---\nname: a\n  x: y\n---\n", "line 3"},
		{"mapping in sequence", "---\nl:\n  - a: b\n---\n", "line 3: a mapping inside a sequence item"},
		{"folded more indented", "---\nd: >\n  a\n    b\n---\n", "line 4: more-indented"},
		{"nan", "---\nv: .nan\n---\n", "line 2: .nan has no JSON form"},
		{"unterminated quote", "---\nname: \"a\n---\n", "line 2: a quoted scalar continued"},
		{"top level indented", "---\n  name: a\n---\n", "line 2: the frontmatter's top level is indented"},
		{"not UTF-8", "---\nname: \xff\n---\n", "not UTF-8"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, err := parseFrontmatter([]byte(c.md))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.err)
		})
	}
}

// TestParseFrontmatterNameDescription: the name and description are returned as strings,
// and the file's first line may carry a BOM and CRLF endings.
func TestParseFrontmatterNameDescription(t *testing.T) {
	_, name, desc, err := parseFrontmatter([]byte("\uFEFF---\r\nname: pdf\r\ndescription: >-\r\n  Fill\r\n  forms\r\n---   \r\n# x"))
	require.NoError(t, err)
	assert.Equal(t, "pdf", name)
	assert.Equal(t, "Fill forms", desc)
}

// FuzzParseFrontmatter: any input is read or refused, never a panic, and what is read is a
// JSON object.
func FuzzParseFrontmatter(f *testing.F) {
	f.Add([]byte("---\nname: a\ndescription: |\n  x\n---\n"))
	f.Add([]byte("---\nl:\n- 'a'\n- \"\\u00e9\"\nm:\n  k: 0x10\n---\n"))
	f.Fuzz(func(t *testing.T, md []byte) {
		obj, _, _, err := parseFrontmatter(md)
		if err == nil && (len(obj) < 2 || obj[0] != '{') {
			t.Fatalf("not an object: %q", obj)
		}
	})
}
