package mcp

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

/*
Design note: matching URIs against RFC 6570 templates.

RFC 6570 defines expansion (variables → URI); a resource template needs the reverse: given a
URI a client sent, is it one of the template's, and with which variables? Expansion is not
injective (a list and a comma-separated string expand alike), so matching recovers the most
natural reading:

  - The template compiles to one RE2 regular expression, linear in the URI whatever the
    client sends. Each expression becomes one capture of the text its operator can produce:
    {x} and {.x} never hold '/', '?' or '#' (expansion encodes them); {/x} is '/'-prefixed
    segments; {?x,y}, {&x} and {;x} are name=value pairs naming the expression's variables
    (any name when one is exploded). {x}, {+x} and {#x} match as little as they can, so that
    what follows still gets its part: "file:///{name}{.ext}" reads report.tar.gz as name
    "report" and ext "tar.gz"; {+x} and {#x} may hold reserved characters ('/', '?').
  - Each capture is then split by the operator's separator and handed out to the variables in
    order: one part each, an exploded variable taking the surplus. Named operators assign by
    name, in any order. A variable is left out of the result when the URI gives it no value.
  - Values are percent-decoded. A variable given several parts (an exploded one, or the last
    one of an expression with more parts than variables) gets them joined by the separator
    the URI shows them with ('/' for {/x*}, '.' for {.x*}, ',' otherwise), so {/path*}
    matched against /a/b/c gives "a/b/c". Exploded named variables ({?list*}) join their
    items with ','. The pairs of an exploded named variable
    ({?params*}) whose name is not the variable's become variables of their own names.
  - {x} and {+x} match at least one character: "test://t/{id}/data" does not match
    "test://t//data".
  - A prefix {x:3} matches a value of at most 3 characters; a variable used twice
    ({/var:1,var}) must match consistently.

A template that is not RFC 6570 (an unclosed brace, an operator reserved for future use, a bad
variable name or prefix) is an error from [ParseURITemplate]; a URI never is: it matches or not.
*/

// URITemplate is a parsed RFC 6570 URI template (levels 1 to 4), used to match URIs. The
// zero value matches nothing; make one with [ParseURITemplate]. It is immutable and safe for
// concurrent use.
type URITemplate struct {
	raw   string
	re    *regexp.Regexp
	exprs []uriExpr
	names []string
}

// uriExpr is one {...} expression of a template.
type uriExpr struct {
	op    byte // 0 for a simple expression, else one of +#./;?&
	specs []uriVarSpec
}

// uriVarSpec is one variable of an expression.
type uriVarSpec struct {
	name    string
	explode bool
	prefix  int // the :n modifier; 0 when absent
}

// uriOp holds the expansion rules of an operator (RFC 6570 Appendix A).
type uriOp struct {
	first string // written before the first value
	sep   byte   // written between values
	named bool   // values are written name=value
}

var uriOps = map[byte]uriOp{
	0:   {"", ',', false},
	'+': {"", ',', false},
	'#': {"#", ',', false},
	'.': {".", '.', false},
	'/': {"/", '/', false},
	';': {";", ';', true},
	'?': {"?", '&', true},
	'&': {"&", '&', true},
}

// Errors returned by [ParseURITemplate], wrapped in an error that names the template and the
// offending part (match them with errors.Is).
var (
	// ErrURITemplateSyntax reports a template that is not RFC 6570: an unclosed '{', a stray
	// '}', an empty expression or variable name, or a bad prefix length.
	ErrURITemplateSyntax = errors.New("mcp: URI template syntax")
	// ErrURITemplateOperator reports an operator RFC 6570 reserves for future use (= , ! @ |).
	ErrURITemplateOperator = errors.New("operator reserved")
)

// uriTemplateError is an error of [ParseURITemplate]: `mcp: URI template "a://{x": unclosed '{'`.
type uriTemplateError struct {
	kind     error // ErrURITemplateSyntax or ErrURITemplateOperator
	template string
	detail   string
}

func (e *uriTemplateError) Error() string {
	return fmt.Sprintf("mcp: URI template %q: %s", e.template, e.detail)
}

func (e *uriTemplateError) Unwrap() error { return e.kind }

// ParseURITemplate parses an RFC 6570 URI template of any level: simple {x}, reserved {+x},
// fragment {#x}, label {.x}, path {/x}, path-parameter {;x}, query {?x,y} and continuation
// {&x} expressions, with the explode (*) and prefix (:n) modifiers. It returns an error
// wrapping [ErrURITemplateSyntax] or [ErrURITemplateOperator] for a template that is not
// RFC 6570; use it to check templates that come from users before
// [Server.AddResourceTemplate], which panics on them.
func ParseURITemplate(template string) (*URITemplate, error) {
	t := &URITemplate{raw: template}
	var pat strings.Builder
	pat.WriteString("^")
	seen := map[string]bool{}
	rest := template
	for rest != "" {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			pat.WriteString(regexp.QuoteMeta(rest))
			break
		}
		if rest[open] == '}' {
			return nil, &uriTemplateError{ErrURITemplateSyntax, template, "'}' without '{'"}
		}
		pat.WriteString(regexp.QuoteMeta(rest[:open]))
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] != '}' {
			return nil, &uriTemplateError{ErrURITemplateSyntax, template, "unclosed '{'"}
		}
		e, err := parseURIExpr(rest[open+1 : open+1+end])
		if err != nil {
			kind := ErrURITemplateSyntax
			if errors.Is(err, ErrURITemplateOperator) {
				kind = ErrURITemplateOperator
			}
			return nil, &uriTemplateError{kind, template, "{" + rest[open+1:open+1+end] + "}: " + err.Error()}
		}
		t.exprs = append(t.exprs, e)
		for _, v := range e.specs {
			if !seen[v.name] {
				seen[v.name] = true
				t.names = append(t.names, v.name)
			}
		}
		pat.WriteString(e.pattern())
		rest = rest[open+1+end+1:]
	}
	pat.WriteString("$")
	re, err := regexp.Compile(pat.String())
	if err != nil {
		// Only a template too large for RE2 (more than 1000 variables in one expression).
		return nil, &uriTemplateError{ErrURITemplateSyntax, template, err.Error()}
	}
	t.re = re
	return t, nil
}

// parseURIExpr parses the text between braces.
func parseURIExpr(s string) (uriExpr, error) {
	var e uriExpr
	if s == "" {
		return e, errors.New("empty expression")
	}
	switch s[0] {
	case '+', '#', '.', '/', ';', '?', '&':
		e.op, s = s[0], s[1:]
	case '=', ',', '!', '@', '|':
		return e, fmt.Errorf("%w for future use: %q", ErrURITemplateOperator, s[:1])
	}
	for spec := range strings.SplitSeq(s, ",") {
		v := uriVarSpec{name: spec}
		if name, ok := strings.CutSuffix(spec, "*"); ok {
			v.name, v.explode = name, true
		} else if name, n, ok := strings.Cut(spec, ":"); ok {
			p, err := strconv.Atoi(n)
			// RFC 6570 § 2.4.1: max-length = %x31-39 0*3DIGIT, a positive integer < 10000.
			if err != nil || p < 1 || p > 9999 || n[0] < '1' || n[0] > '9' {
				return e, fmt.Errorf("prefix length %q is not 1 to 9999", n)
			}
			v.name, v.prefix = name, p
		}
		if !validVarName(v.name) {
			return e, fmt.Errorf("%q is not a variable name", v.name)
		}
		e.specs = append(e.specs, v)
	}
	return e, nil
}

// validVarName reports whether s is an RFC 6570 varname (§ 2.3): ALPHA, DIGIT, '_' and
// percent-encoded triplets, with '.' between them.
func validVarName(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '.':
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// exploded reports whether one of the expression's variables has the explode modifier.
func (e *uriExpr) exploded() bool {
	for _, v := range e.specs {
		if v.explode {
			return true
		}
	}
	return false
}

// pattern returns the regular expression, one capture, that matches the expression's
// expansion (see the design note).
func (e *uriExpr) pattern() string {
	switch e.op {
	case 0:
		return `([^/?#]+?)`
	case '+':
		return `(.+?)`
	case '#':
		return `((?:#.*?)?)`
	case '.':
		return `((?:\.[^/?#]*)?)`
	case '/':
		if e.exploded() {
			return `((?:/[^/?#]*)*)`
		}
		return `((?:/[^/?#]*){0,` + strconv.Itoa(len(e.specs)) + `})`
	}
	// Named operators: pairs whose names are the variables', or any name when one explodes.
	names := `[^;/?#&=]+`
	if !e.exploded() {
		quoted := make([]string, len(e.specs))
		for i, v := range e.specs {
			quoted[i] = regexp.QuoteMeta(v.name)
		}
		names = `(?:` + strings.Join(quoted, "|") + `)`
	}
	switch e.op {
	case ';':
		return `((?:;` + names + `(?:=[^;/?#]*)?)*)`
	case '?':
		pair := names + `(?:=[^&#]*)?`
		return `((?:\?` + pair + `(?:&` + pair + `)*)?)`
	default: // '&'
		return `((?:&` + names + `(?:=[^&#]*)?)*)`
	}
}

// String returns the template as parsed.
func (t *URITemplate) String() string { return t.raw }

// Vars returns the names of the template's variables, in order of first use.
func (t *URITemplate) Vars() []string { return append([]string(nil), t.names...) }

// Match reports whether uri is one of the template's URIs and returns its variables,
// percent-decoded (see the design note in uritemplate.go for how lists, exploded variables and
// prefixes read). A variable the URI gives no value is absent from the map. Match never
// panics and takes time linear in len(uri).
func (t *URITemplate) Match(uri string) (map[string]string, bool) {
	if t == nil || t.re == nil {
		return nil, false
	}
	m := t.re.FindStringSubmatch(uri)
	if m == nil {
		return nil, false
	}
	vs := &matchedVars{vars: make(map[string]string, len(t.names))}
	for i := range t.exprs {
		if !t.exprs[i].assign(m[i+1], vs) {
			return nil, false
		}
	}
	for k, v := range vs.extra {
		if _, taken := vs.vars[k]; !taken {
			vs.vars[k] = v
		}
	}
	return vs.vars, true
}

// matchedVars collects the variables of one match.
type matchedVars struct {
	vars map[string]string
	// fromPrefix marks variables whose value so far came from a prefix ({x:3}) occurrence.
	fromPrefix map[string]bool
	// extra holds the pairs of exploded named variables that no variable names; they join
	// vars at the end, unless a variable of the same name has a value.
	extra map[string]string
}

// set records value for spec, checking it against an earlier occurrence of the variable.
func (vs *matchedVars) set(spec uriVarSpec, value string) bool {
	if spec.prefix > 0 && utf8.RuneCountInString(value) > spec.prefix {
		return false
	}
	old, had := vs.vars[spec.name]
	if !had {
		vs.vars[spec.name] = value
		if spec.prefix > 0 {
			if vs.fromPrefix == nil {
				vs.fromPrefix = map[string]bool{}
			}
			vs.fromPrefix[spec.name] = true
		}
		return true
	}
	oldPrefix := vs.fromPrefix[spec.name]
	switch {
	case oldPrefix && spec.prefix > 0:
		if len(value) > len(old) {
			old, value = value, old
		}
		if !strings.HasPrefix(old, value) {
			return false
		}
		vs.vars[spec.name] = old
	case oldPrefix:
		if !strings.HasPrefix(value, old) {
			return false
		}
		vs.vars[spec.name] = value
		delete(vs.fromPrefix, spec.name)
	case spec.prefix > 0:
		return strings.HasPrefix(old, value)
	default:
		return old == value
	}
	return true
}

// decodeURIPart percent-decodes one value; text that is not valid percent-encoding is kept
// as it is.
func decodeURIPart(s string) string {
	if !strings.ContainsRune(s, '%') {
		return s
	}
	if v, err := url.PathUnescape(s); err == nil {
		return v
	}
	return s
}

// assign hands the text the expression matched out to its variables.
func (e *uriExpr) assign(text string, vs *matchedVars) bool {
	op := uriOps[e.op]
	text, _ = strings.CutPrefix(text, op.first)
	if op.named {
		return e.assignNamed(text, op.sep, vs)
	}
	if text == "" && op.first != "" {
		return true // every variable undefined: {/x}, {.x}, {#x} expand to nothing
	}
	parts := strings.Split(text, string(op.sep))
	// Each variable takes one part; the first exploded one (else the last variable) takes
	// what the others leave.
	greedy := len(e.specs) - 1
	for i, v := range e.specs {
		if v.explode {
			greedy = i
			break
		}
	}
	p := 0
	for i, v := range e.specs {
		if p >= len(parts) {
			break
		}
		n := 1
		if i == greedy {
			n = max(1, len(parts)-p-(len(e.specs)-1-i))
		}
		items := parts[p:min(p+n, len(parts))]
		p += len(items)
		decoded := make([]string, len(items))
		for j, it := range items {
			decoded[j] = decodeURIPart(it)
		}
		// Parts taken together are joined as the URI shows them.
		if !vs.set(v, strings.Join(decoded, string(op.sep))) {
			return false
		}
	}
	return p == len(parts)
}

// assignNamed hands out name=value pairs ({;x}, {?x}, {&x}) by name.
func (e *uriExpr) assignNamed(text string, sep byte, vs *matchedVars) bool {
	if text == "" {
		return true
	}
	var lists map[string][]string // items of exploded variables, by name
	seen := map[string]bool{}
	for pair := range strings.SplitSeq(text, string(sep)) {
		name, value, _ := strings.Cut(pair, "=")
		value = decodeURIPart(value)
		spec, ok := e.spec(name)
		switch {
		case ok && spec.explode:
			if lists == nil {
				lists = map[string][]string{}
			}
			lists[name] = append(lists[name], value)
		case ok:
			if seen[name] {
				return false // a non-exploded variable is written once
			}
			seen[name] = true
			if !vs.set(spec, value) {
				return false
			}
		default:
			// Only an exploded variable's pairs carry names that are not variables
			// (the pattern admits no others).
			if vs.extra == nil {
				vs.extra = map[string]string{}
			}
			key := decodeURIPart(name)
			if _, dup := vs.extra[key]; dup {
				return false
			}
			vs.extra[key] = value
		}
	}
	for _, v := range e.specs {
		if items, ok := lists[v.name]; ok && !vs.set(v, strings.Join(items, ",")) {
			return false
		}
	}
	return true
}

// spec returns the expression's variable named name.
func (e *uriExpr) spec(name string) (uriVarSpec, bool) {
	for _, v := range e.specs {
		if v.name == name {
			return v, true
		}
	}
	return uriVarSpec{}, false
}
