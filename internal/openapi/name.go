package openapi

import (
	"strconv"
	"strings"
)

// maxToolName is the longest tool name (MCP 2025-11-25, Server § Tools, Tool Names: 1 to 128
// characters).
const maxToolName = 128

// toolName returns the name an operation's tool would have before uniqueness: its
// operationId, or its method and path, in the tool-name alphabet.
func toolName(op *Operation) string {
	src := op.ID
	if src == "" {
		src = strings.ToLower(op.Method) + "_" + strings.NewReplacer("{", "", "}", "").Replace(strings.Trim(op.Path, "/"))
	}
	return SanitizeName(src)
}

// SanitizeName returns s in the alphabet of MCP tool names (MCP 2025-11-25, Server § Tools,
// Tool Names: A-Z a-z 0-9 _ - .): every other byte sequence of a character becomes "_", runs
// of "_" so made are one, and the result is cut to 128 bytes. An empty result is "_".
func SanitizeName(s string) string {
	var b strings.Builder
	lastSub := false
	for _, r := range s {
		if r < 128 && isNameByte(byte(r)) {
			b.WriteRune(r)
			lastSub = false
			continue
		}
		if !lastSub {
			b.WriteByte('_')
			lastSub = true
		}
	}
	out := b.String()
	if len(out) > maxToolName {
		out = out[:maxToolName]
	}
	if out == "" {
		out = "_"
	}
	return out
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.'
}

// uniqueName returns name, or name with "_2", "_3", ... when it is taken (cut so that the
// whole stays within 128 bytes), and takes it.
func (p *parser) uniqueName(name string) string {
	cand := name
	for i := 2; p.names[cand]; i++ {
		suffix := "_" + strconv.Itoa(i)
		cand = name[:min(len(name), maxToolName-len(suffix))] + suffix
	}
	p.names[cand] = true
	return cand
}
