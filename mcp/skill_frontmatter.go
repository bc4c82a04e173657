package mcp

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/minimcp/minimcp/internal/jsontext"
)

/*
Design note: SKILL.md frontmatter.

A skill entry carries "the skill's SKILL.md YAML frontmatter rendered verbatim as a JSON object",
which "MUST be identical in content to the frontmatter of the SKILL.md it describes" (SEP-2640,
Skill Entries § Frontmatter), and hosts compare the two field by field. This package may not
depend on a YAML library, so it reads the part of YAML that frontmatter is written in, and
refuses the rest with an error naming the line, rather than guess and publish an entry a host
would reject:

  - block mappings (keys plain or quoted, each once) and block sequences, nested by indentation
    of spaces;
  - scalars plain (over several lines too), 'single' or "double" quoted (on one line), or
    block scalars | and > with a chomping indicator;
  - plain scalars resolved by the YAML 1.2 core schema: null, booleans, integers (decimal, 0o,
    0x) and floats become JSON null, booleans and numbers; the rest are strings;
  - [] and {} for an empty sequence and mapping.

Refused: flow collections with members, anchors, aliases, tags, directives, complex keys,
mappings inside sequence items, more-indented lines in a folded scalar, tabs in indentation,
and .inf/.nan (which JSON cannot hold). A program whose SKILL.md needs more sets
[Skill.Frontmatter] itself.
*/

// yamlLine is one line of a frontmatter block.
type yamlLine struct {
	num    int    // 1-based line number in SKILL.md
	indent int    // leading spaces
	text   string // the line after its indentation
}

// blank reports whether the line holds nothing but, perhaps, a comment.
func (l yamlLine) blank() bool { return l.text == "" || l.text[0] == '#' }

// yamlParser reads a frontmatter block into JSON.
type yamlParser struct {
	lines []yamlLine
	pos   int
}

// splitFrontmatter returns the lines of the frontmatter block of a SKILL.md: between a first
// line "---" and the next line "---" (Agent Skills specification: SKILL.md "must contain YAML
// frontmatter followed by Markdown content"). Line numbers count from the file's first line.
func splitFrontmatter(md []byte) ([]yamlLine, error) {
	md = bytes.TrimPrefix(md, []byte("\uFEFF"))
	if !utf8.Valid(md) {
		return nil, errors.New("SKILL.md is not UTF-8")
	}
	rest := string(md)
	var lines []yamlLine
	for n := 1; ; n++ {
		line, tail, more := strings.Cut(rest, "\n")
		line = strings.TrimSuffix(line, "\r")
		rest = tail
		switch {
		case n == 1:
			if line != "---" {
				return nil, errors.New("SKILL.md does not begin with a --- line opening its YAML frontmatter")
			}
		case strings.TrimRight(line, " \t") == "---":
			return lines, nil
		default:
			body := strings.TrimLeft(line, " ")
			if strings.HasPrefix(body, "\t") && strings.TrimSpace(body) != "" {
				return nil, fmt.Errorf("SKILL.md line %d: a tab in indentation (YAML indents with spaces)", n)
			}
			lines = append(lines, yamlLine{num: n, indent: len(line) - len(body), text: strings.TrimRight(body, " \t")})
		}
		if !more {
			return nil, errors.New("SKILL.md: the YAML frontmatter has no closing --- line")
		}
	}
}

// parseFrontmatter returns the frontmatter of a SKILL.md as a JSON object, in the author's
// order, and the name and description it holds. See the design note above for what it reads.
func parseFrontmatter(md []byte) (obj []byte, name, description string, err error) {
	lines, err := splitFrontmatter(md)
	if err != nil {
		return nil, "", "", err
	}
	p := &yamlParser{lines: lines}
	p.skipBlank()
	if p.pos == len(p.lines) {
		return nil, "", "", errors.New("SKILL.md: the YAML frontmatter is empty; it needs name and description")
	}
	first := p.lines[p.pos]
	if first.indent != 0 {
		return nil, "", "", p.errorf(first, "the frontmatter's top level is indented")
	}
	obj, err = p.mapping(0, func(k string, v []byte) {
		switch k {
		case "name":
			name, _ = jsontext.Unquote(v)
		case "description":
			description, _ = jsontext.Unquote(v)
		}
	})
	if err != nil {
		return nil, "", "", err
	}
	if p.skipBlank(); p.pos < len(p.lines) {
		return nil, "", "", p.errorf(p.lines[p.pos], "unexpected indentation")
	}
	return obj, name, description, nil
}

func (p *yamlParser) errorf(l yamlLine, format string, args ...any) error {
	return fmt.Errorf("SKILL.md line %d: %s", l.num, fmt.Sprintf(format, args...))
}

// skipBlank moves past blank and comment lines.
func (p *yamlParser) skipBlank() {
	for p.pos < len(p.lines) && p.lines[p.pos].blank() {
		p.pos++
	}
}

// next returns the next significant line, if any, without consuming it.
func (p *yamlParser) next() (yamlLine, bool) {
	p.skipBlank()
	if p.pos == len(p.lines) {
		return yamlLine{}, false
	}
	return p.lines[p.pos], true
}

// isSeqItem reports whether text begins a block sequence item.
func isSeqItem(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// mapping reads a block mapping whose keys sit at indent; each member is also passed to
// member (may be nil).
func (p *yamlParser) mapping(indent int, member func(k string, v []byte)) ([]byte, error) {
	out := []byte{'{'}
	seen := map[string]bool{}
	for {
		l, ok := p.next()
		if !ok || l.indent < indent {
			break
		}
		if l.indent > indent {
			return nil, p.errorf(l, "unexpected indentation")
		}
		if isSeqItem(l.text) {
			return nil, p.errorf(l, "a sequence item where a mapping key was expected")
		}
		key, rest, err := splitKey(l.text)
		if err != nil {
			return nil, p.errorf(l, "%v", err)
		}
		if seen[key] {
			return nil, p.errorf(l, "key %q given twice", key)
		}
		seen[key] = true
		p.pos++
		v, err := p.value(l, indent, rest, true)
		if err != nil {
			return nil, err
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = jsontext.AppendString(out, key)
		out = append(out, ':')
		out = append(out, v...)
		if member != nil {
			member(key, v)
		}
	}
	return append(out, '}'), nil
}

// sequence reads a block sequence whose items sit at indent.
func (p *yamlParser) sequence(indent int) ([]byte, error) {
	out := []byte{'['}
	for {
		l, ok := p.next()
		if !ok || l.indent < indent || (l.indent == indent && !isSeqItem(l.text)) {
			break
		}
		if l.indent > indent {
			return nil, p.errorf(l, "unexpected indentation")
		}
		rest := strings.TrimLeft(strings.TrimPrefix(l.text, "-"), " ")
		if rest != "" && rest[0] != '"' && rest[0] != '\'' && !isSeqItem(rest) && isKeyed(rest) {
			return nil, p.errorf(l, "a mapping inside a sequence item is not supported")
		}
		p.pos++
		v, err := p.value(l, indent, rest, false)
		if err != nil {
			return nil, err
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, v...)
	}
	return append(out, ']'), nil
}

// splitKey splits "key: rest" (or "key:") into the key and what follows the colon.
func splitKey(text string) (key, rest string, err error) {
	if text == "" {
		return "", "", errors.New("expected key: value")
	}
	switch text[0] {
	case '"', '\'':
		k, after, err := quoted(text)
		if err != nil {
			return "", "", err
		}
		if after != ":" && !strings.HasPrefix(after, ": ") {
			return "", "", errors.New("a quoted key not followed by a colon")
		}
		return k, strings.TrimSpace(after[1:]), nil
	case '?', '&', '*', '!', '[', '{', '%', '@', '`', '|', '>', '#', ',', ']', '}':
		return "", "", fmt.Errorf("%q cannot begin a key here (a subset of YAML is read)", text[0])
	}
	i := strings.Index(text, ": ")
	if i < 0 {
		if !strings.HasSuffix(text, ":") {
			return "", "", errors.New("expected key: value")
		}
		i = len(text) - 1
	}
	key = text[:i]
	if strings.Contains(key, " #") {
		return "", "", errors.New("expected key: value")
	}
	return strings.TrimRight(key, " "), strings.TrimSpace(text[i+1:]), nil
}

// isKeyed reports whether the plain text of a sequence item would be a mapping key.
func isKeyed(text string) bool {
	_, _, err := splitKey(text)
	return err == nil
}

// value reads the value that follows a key (inMap) or a sequence dash at indent on line l:
// rest is what follows on the line.
func (p *yamlParser) value(l yamlLine, indent int, rest string, inMap bool) ([]byte, error) {
	if rest == "" || rest[0] == '#' {
		n, ok := p.next()
		switch {
		case ok && n.indent > indent && isSeqItem(n.text):
			return p.sequence(n.indent)
		case ok && n.indent > indent:
			return p.mapping(n.indent, nil)
		case ok && inMap && n.indent == indent && isSeqItem(n.text):
			// A sequence may sit at its key's indentation (YAML 1.2 §8.2.1).
			return p.sequence(n.indent)
		}
		return []byte("null"), nil
	}
	if isSeqItem(rest) {
		return nil, p.errorf(l, "a sequence on the line of its key or dash is not supported: start it on the next line")
	}
	switch rest[0] {
	case '"', '\'':
		s, after, err := quoted(rest)
		if err != nil {
			return nil, p.errorf(l, "%v", err)
		}
		if after != "" && after[0] != '#' {
			return nil, p.errorf(l, "text after a quoted scalar")
		}
		return jsontext.AppendString(nil, s), nil
	case '|', '>':
		return p.blockScalar(l, indent, rest)
	case '[', '{':
		if v := stripComment(rest); v == "[]" || v == "{}" {
			return []byte(v), nil
		}
		return nil, p.errorf(l, "flow collections are not supported (a subset of YAML is read): use block style")
	case '&', '*', '!', '%', '@', '`', '?':
		return nil, p.errorf(l, "%q (anchors, aliases, tags, directives) is not supported (a subset of YAML is read)", rest[0])
	}
	// A plain scalar, perhaps continued on more-indented lines (YAML 1.2 §7.3.3), which fold
	// into one line: a line break becomes a space, an empty line a newline.
	text := stripComment(rest)
	if strings.Contains(text, ": ") || strings.HasSuffix(text, ":") {
		return nil, p.errorf(l, "a colon in a plain scalar; quote the value")
	}
	multi := false
	breaks := 0
	for p.pos < len(p.lines) {
		n := p.lines[p.pos]
		if n.text == "" {
			breaks++
			p.pos++
			continue
		}
		if n.indent <= indent || n.text[0] == '#' {
			break
		}
		if !inMap && isSeqItem(n.text) {
			break
		}
		cont := stripComment(n.text)
		if strings.Contains(cont, ": ") || strings.HasSuffix(cont, ":") {
			return nil, p.errorf(n, "a colon in a plain scalar; quote the value")
		}
		if breaks == 0 {
			text += " "
		} else {
			text += strings.Repeat("\n", breaks)
		}
		breaks = 0
		text += cont
		multi = true
		p.pos++
	}
	// Blank lines consumed past the scalar belong to no value.
	if multi {
		return jsontext.AppendString(nil, text), nil
	}
	return resolvePlain(l, text, p)
}

// stripComment removes a trailing " #" comment and the spaces before it.
func stripComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ")
}

// resolvePlain resolves a one-line plain scalar by the YAML 1.2 core schema (§10.3.2).
func resolvePlain(l yamlLine, s string, p *yamlParser) ([]byte, error) {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return []byte("null"), nil
	case "true", "True", "TRUE":
		return []byte("true"), nil
	case "false", "False", "FALSE":
		return []byte("false"), nil
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
		return nil, p.errorf(l, "%s has no JSON form; quote it for a string", s)
	}
	if strings.HasPrefix(s, "0o") || strings.HasPrefix(s, "0x") {
		base := 8
		if s[1] == 'x' {
			base = 16
		}
		if n, err := strconv.ParseUint(s[2:], base, 64); err == nil && !strings.ContainsAny(s[2:], "+-_") {
			return strconv.AppendUint(nil, n, 10), nil
		}
		return jsontext.AppendString(nil, s), nil
	}
	if !coreNumber(s) {
		return jsontext.AppendString(nil, s), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.AppendInt(nil, n, 10), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, p.errorf(l, "%s is out of range for a number; quote it for a string", s)
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// coreNumber reports whether s is an integer or a float of the core schema:
// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
func coreNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	intPart := digits()
	frac := 0
	if i < len(s) && s[i] == '.' {
		i++
		frac = digits()
		if intPart == 0 && frac == 0 {
			return false
		}
	} else if intPart == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// quoted reads a single- or double-quoted scalar at the start of s, on one line, and returns
// it and what follows it (spaces trimmed).
func quoted(s string) (string, string, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == q:
			return b.String(), strings.TrimSpace(s[i+1:]), nil
		case c == '\\' && q == '"':
			if i+1 == len(s) {
				return "", "", errors.New("a quoted scalar continued on the next line is not supported")
			}
			i++
			n, err := unescape(s[i:], &b)
			if err != nil {
				return "", "", err
			}
			i += n - 1
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("a quoted scalar continued on the next line is not supported")
}

// unescape writes the escape sequence that begins s (after its backslash) to b and returns how
// many bytes of s it took (YAML 1.2 §5.7).
func unescape(s string, b *strings.Builder) (int, error) {
	simple := map[byte]string{'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n",
		'v': "\v", 'f': "\f", 'r': "\r", 'e': "\x1b", ' ': " ", '"': `"`, '/': "/", '\\': `\`,
		'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029"}
	if r, ok := simple[s[0]]; ok {
		b.WriteString(r)
		return 1, nil
	}
	width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[0]]
	if width == 0 || len(s) < 1+width {
		return 0, fmt.Errorf("unknown escape \\%c", s[0])
	}
	n, err := strconv.ParseUint(s[1:1+width], 16, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, fmt.Errorf("bad escape \\%s", s[:1+width])
	}
	b.WriteRune(rune(n))
	return 1 + width, nil
}

// blockScalar reads a literal (|) or folded (>) block scalar whose header is the rest of line l
// (YAML 1.2 §8.1).
func (p *yamlParser) blockScalar(l yamlLine, indent int, header string) ([]byte, error) {
	h := stripComment(header)
	folded := h[0] == '>'
	chomp := byte(0)
	if len(h) == 2 && (h[1] == '-' || h[1] == '+') {
		chomp = h[1]
	} else if len(h) != 1 {
		return nil, p.errorf(l, "block scalar header %q is not supported (use |, |-, |+, >, >- or >+)", h)
	}
	var body []string
	contentIndent := -1
	for p.pos < len(p.lines) {
		n := p.lines[p.pos]
		if n.text == "" {
			body = append(body, "")
			p.pos++
			continue
		}
		if n.indent <= indent {
			break
		}
		if contentIndent < 0 {
			contentIndent = n.indent
		}
		if n.indent < contentIndent {
			return nil, p.errorf(n, "less indented than the first line of its block scalar")
		}
		if folded && n.indent > contentIndent {
			return nil, p.errorf(n, "more-indented lines in a folded scalar are not supported; use |")
		}
		body = append(body, strings.Repeat(" ", n.indent-contentIndent)+n.text)
		p.pos++
	}
	// Trailing empty lines are the chomping indicator's to keep or drop.
	trailing := 0
	for len(body) > 0 && body[len(body)-1] == "" {
		body = body[:len(body)-1]
		trailing++
	}
	var s strings.Builder
	for i, line := range body {
		switch {
		case i == 0:
		case !folded:
			s.WriteByte('\n')
		case line == "" && body[i-1] != "":
			// The first empty line of a run in a folded scalar: the break before it folds away.
		case line == "" || body[i-1] == "":
			s.WriteByte('\n')
		default:
			s.WriteByte(' ')
		}
		s.WriteString(line)
	}
	text := s.String()
	if text != "" {
		switch chomp {
		case 0:
			text += "\n"
		case '+':
			text += strings.Repeat("\n", trailing+1)
		}
	} else if chomp == '+' {
		text = strings.Repeat("\n", trailing)
	}
	return jsontext.AppendString(nil, text), nil
}
