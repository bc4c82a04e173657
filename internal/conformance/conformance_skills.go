package conformance

import "github.com/minimcp/minimcp/mcp"

// Fixtures of the skills extension's scenarios (io.modelcontextprotocol/skills, SEP-2640;
// conformance 0.2.0-alpha.12, sep-2640-skills-*). The scenarios discover what they check from
// skills/list: the first skill has a subdirectory (sep-2640-skills-directory descends into
// it), the second a prefix of its own (skill://acme/billing/refunds).

const confSkillMD = `---
name: release-notes
description: Write release notes from a list of merged changes, in the house style
license: Apache-2.0
metadata:
  author: minimcp
  version: "1.0"
---

# Release notes

Group the changes by area, newest first. Start from templates/notes.md; regional variants are
in templates/regional/.
`

const confRefundsMD = `---
name: refunds
description: >-
  Process customer refund requests
  per company policy
---

# Refunds

Check the order, then follow examples/email.md.
`

func addConformanceSkills(s *mcp.Server) {
	skills := []*mcp.Skill{
		{Path: "release-notes", Files: []mcp.SkillFile{
			{Path: "SKILL.md", Content: []byte(confSkillMD)},
			{Path: "templates/notes.md", Content: []byte("## {{version}}\n\n- {{change}}\n")},
			{Path: "templates/regional/eu.md", Content: []byte("## {{version}} (EU)\n")},
		}},
		{Path: "acme/billing/refunds", Files: []mcp.SkillFile{
			{Path: "SKILL.md", Content: []byte(confRefundsMD)},
			{Path: "examples/email.md", Content: []byte("Dear customer, your refund is on its way.\n")},
		}},
	}
	for _, sk := range skills {
		if err := s.AddSkill(sk); err != nil {
			panic(err) // a fixture of this file is wrong
		}
	}
}
