package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// lineCol returns the 1-based line and column (in characters) of a syntax error.
func lineCol(data []byte, se *json.SyntaxError) (line, col int) {
	// The error occurred after reading Offset bytes: the offending byte is the last one read,
	// or, at the end of the input, the position just past it.
	at := min(int(se.Offset), len(data))
	if at > 0 && !(at == len(data) && strings.Contains(se.Error(), "unexpected end")) {
		at--
	}
	before := data[:at]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

// checker collects the problems of one manifest.
type checker struct {
	file     string
	dir      string // absolute directory of the manifest: relative paths resolve against it
	problems []string
}

// errorf records a problem at path ("" for the manifest as a whole).
func (c *checker) errorf(path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	c.problems = append(c.problems, msg)
}

// resolve returns p, relative to the manifest's directory, as an absolute path.
func (c *checker) resolve(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(c.dir, p)
}

// envRef matches an ${ENV} reference.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces the ${NAME} references in s by the server's environment variables,
// reporting any that is not set. Other uses of $ are left alone.
func (c *checker) expandEnv(path, s string) string {
	return envRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := ref[2 : len(ref)-1]
		v, ok := os.LookupEnv(name)
		if !ok {
			c.errorf(path, "environment variable %s is not set", name)
		}
		return v
	})
}

// object returns the JSON object raw, or nil after reporting a problem if it is not one.
func (c *checker) object(path string, raw json.RawMessage) *jsonObject {
	if kindOf(raw) != '{' {
		c.errorf(path, "must be an object")
		return nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		c.errorf(path, "%v", err)
		return nil
	}
	return &jsonObject{c: c, path: path, members: members}
}

// jsonObject is a JSON object of the manifest being read member by member. Each member read is
// removed; done reports the members left as unknown.
type jsonObject struct {
	c       *checker
	path    string
	members map[string]json.RawMessage
	known   []string // names asked for, for "did you mean"
}

// has reports whether key is present and not null, without reading it.
func (o *jsonObject) has(key string) bool {
	raw, ok := o.members[key]
	return ok && kindOf(raw) != 'n'
}

// take reads member key: nil when it is absent or null.
func (o *jsonObject) take(key string) json.RawMessage {
	o.known = append(o.known, key)
	raw, ok := o.members[key]
	if !ok {
		return nil
	}
	delete(o.members, key)
	if kindOf(raw) == 'n' {
		return nil
	}
	return raw
}

// at returns the path of member key.
func (o *jsonObject) at(key string) string { return fieldPath(o.path, key) }

// str reads a string member. ok is false when it is absent or not a string (reported).
func (o *jsonObject) str(key string) (s string, ok bool) {
	raw := o.take(key)
	if raw == nil {
		return "", false
	}
	if kindOf(raw) != '"' || json.Unmarshal(raw, &s) != nil {
		o.c.errorf(o.at(key), "must be a string")
		return "", false
	}
	return s, true
}

// requiredStr reads a string member that must be present and not empty.
func (o *jsonObject) requiredStr(key string) (string, bool) {
	if !o.has(key) {
		o.take(key)
		o.c.errorf(o.at(key), "is required")
		return "", false
	}
	s, ok := o.str(key)
	if ok && s == "" {
		o.c.errorf(o.at(key), "must not be empty")
		return "", false
	}
	return s, ok
}

// boolean reads a true/false member; absent is false.
func (o *jsonObject) boolean(key string) (v, present bool) {
	raw := o.take(key)
	if raw == nil {
		return false, false
	}
	if kindOf(raw) != 't' || json.Unmarshal(raw, &v) != nil {
		o.c.errorf(o.at(key), "must be true or false")
		return false, false
	}
	return v, true
}

// positive reads a positive integer member; absent is def.
func (o *jsonObject) positive(key string, def int64) int64 {
	raw := o.take(key)
	if raw == nil {
		return def
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
	if err != nil || n <= 0 {
		o.c.errorf(o.at(key), "must be a positive integer")
		return def
	}
	return n
}

// duration reads a positive duration member written as a Go duration string; absent is def.
func (o *jsonObject) duration(key string, def time.Duration) time.Duration {
	raw := o.take(key)
	if raw == nil {
		return def
	}
	var s string
	if kindOf(raw) == '"' && json.Unmarshal(raw, &s) == nil {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
	}
	o.c.errorf(o.at(key), `must be a positive duration such as "500ms", "5s" or "1m30s"`)
	return def
}

// object reads an object member; nil when absent or not an object (reported).
func (o *jsonObject) object(key string) *jsonObject {
	raw := o.take(key)
	if raw == nil {
		return nil
	}
	return o.c.object(o.at(key), raw)
}

// array reads an array member. ok is false when it is absent or not an array (reported).
func (o *jsonObject) array(key string) (elems []json.RawMessage, ok bool) {
	raw := o.take(key)
	if raw == nil {
		return nil, false
	}
	if kindOf(raw) != '[' || json.Unmarshal(raw, &elems) != nil {
		o.c.errorf(o.at(key), "must be an array")
		return nil, false
	}
	return elems, true
}

// strings reads an object member whose values are all strings, returning them and their keys
// in sorted order.
func (o *jsonObject) strings(key string) (map[string]string, []string) {
	obj := o.object(key)
	if obj == nil {
		return nil, nil
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range obj.members {
			if !yield(k) {
				return
			}
		}
	})
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		if v, ok := obj.str(k); ok {
			m[k] = v
		}
	}
	return m, keys
}

// scopes reads the "scopes" member of a tool, prompt or resource: the OAuth scopes its use
// needs, each a scope-token of RFC 6749 §3.3 (printable ASCII but space, '"' and '\').
func (o *jsonObject) scopes() []string {
	elems, ok := o.array("scopes")
	if !ok {
		return nil
	}
	var scopes []string
	for i, raw := range elems {
		var s string
		if kindOf(raw) != '"' || json.Unmarshal(raw, &s) != nil || !isScopeToken(s) {
			o.c.errorf(indexPath(o.at("scopes"), i), `must be an OAuth scope: printable ASCII without spaces, '"' or '\'`)
			continue
		}
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	return scopes
}

// isScopeToken reports whether s is a scope-token (RFC 6749 §3.3: 1*( %x21 / %x23-5B /
// %x5D-7E )).
func isScopeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7E || c == '"' || c == '\\' {
			return false
		}
	}
	return s != ""
}

// done reports the members nobody read as unknown.
func (o *jsonObject) done() {
	var unknown []string
	for k := range o.members {
		unknown = append(unknown, k)
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		if near := nearest(k, o.known); near != "" {
			o.c.errorf(o.at(k), "unknown field (did you mean %q?)", near)
		} else {
			o.c.errorf(o.at(k), "unknown field")
		}
	}
}

// nearest returns the name in known closest to s, if it is within two edits.
func nearest(s string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(s), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// kindOf returns the kind of a JSON value by its first byte: '{', '[', '"', 't' (a boolean),
// 'n' (null), '0' (a number), or 0 for nothing.
func kindOf(raw []byte) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	switch raw[0] {
	case '{', '[', '"', 'n':
		return raw[0]
	case 't', 'f':
		return 't'
	}
	return '0'
}

// identPath matches member names written after a dot in a path.
var identPath = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)

// fieldPath returns the path of member key of the value at path: tools[0].exec, or
// headers["X Y"] for a key that is not a plain name.
func fieldPath(path, key string) string {
	if !identPath.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// indexPath returns the path of element i of the array at path.
func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
