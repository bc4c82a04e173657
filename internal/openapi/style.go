package openapi

import (
	"bytes"
	"errors"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
)

/*
Design note: parameter styles.

OpenAPI 3.1 § Parameter Object, Style Values and Style Examples say how a value is written for
each style, for a primitive, an array and an object, exploded or not; for a parameter color:

	style           explode  "blue"        ["blue","black"]          {"R":100,"G":200}
	matrix          false    ;color=blue   ;color=blue,black         ;color=R,100,G,200
	matrix          true     ;color=blue   ;color=blue;color=black   ;R=100;G=200
	label           false    .blue         .blue,black               .R,100,G,200
	label           true     .blue         .blue.black               .R=100.G=200
	simple          false    blue          blue,black                R,100,G,200
	simple          true     blue          blue,black                R=100,G=200
	form            false    color=blue    color=blue,black          color=R,100,G,200
	form            true     color=blue    color=blue&color=black    R=100&G=200
	spaceDelimited  false    -             color=blue%20black        color=R%20100%20G%20200
	pipeDelimited   false    -             color=blue|black          color=R|100|G|200
	deepObject      true     -             -                         color[R]=100&color[G]=200

The value's JSON kind picks the column, whatever the schema says; a string is itself, a number
or a boolean its JSON text, and an array item or object member that is itself an array or
object its compact JSON text (OpenAPI leaves nesting undefined). Each name and value is
percent-encoded, everything outside RFC 3986's unreserved characters; the delimiters the style
adds (, ; . = & | and deepObject's brackets) are not. A header value is not percent-encoded,
but one with a line break or a NUL is refused.

A form-exploded object writes the caller's member names as query parameter names, which could
repeat a parameter the operation or its API key sets ("?api_key=mine" beside the configured
one), leaving the upstream to pick one of the two: such a name is refused, compared without
regard to case, as the manifest's http tools refuse it.
*/

// kind of a JSON value, for serialization.
type valueKind int

const (
	kindPrimitive valueKind = iota
	kindArray
	kindObject
)

// value is an argument read for serialization: a primitive's text, an array's items, or an
// object's members in order (names and values as text).
type value struct {
	kind  valueKind
	text  string
	items []string
	pairs [][2]string
}

// readValue reads an argument. It reports false for null, which is treated as absent.
func readValue(raw json.RawMessage) (value, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return value{}, false, nil
	}
	switch raw[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return value{}, false, err
		}
		v := value{kind: kindArray}
		for _, it := range items {
			if s, ok := scalarText(it); ok {
				v.items = append(v.items, s)
			}
		}
		return v, true, nil
	case '{':
		v := value{kind: kindObject}
		err := jsontext.EachMember(raw, func(key, val []byte) bool {
			if s, ok := scalarText(val); ok {
				v.pairs = append(v.pairs, [2]string{string(key), s})
			}
			return true
		})
		return v, true, err
	}
	s, _ := scalarText(raw)
	return value{text: s}, true, nil
}

// scalarText is the text of a value inside a parameter: a string as itself, anything else as
// its compact JSON text; false for null.
func scalarText(raw []byte) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return "", false
	}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
	}
	if len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		var b bytes.Buffer
		if json.Compact(&b, raw) == nil {
			return b.String(), true
		}
	}
	return string(raw), true
}

// encoder percent-encodes a name or a value for its place.
type encoder func(string) string

// pctEncode percent-encodes every byte outside RFC 3986 § 2.3's unreserved characters.
func pctEncode(s string) string { return encode(s, "") }

// reservedKept are the reserved characters (RFC 3986 § 2.2) allowReserved leaves as they are
// in a query value: all but those that would end the value or the query (& = # +).
const reservedKept = ":/?[]@!$'()*,;"

// encode percent-encodes every byte outside the unreserved characters and keep.
func encode(s, keep string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && strings.IndexByte(keep, s[i]) < 0 {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || strings.IndexByte(keep, c) >= 0 {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func identity(s string) string { return s }

// joinEnc encodes each string and joins them with sep.
func joinEnc(list []string, enc encoder, sep string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = enc(s)
	}
	return strings.Join(out, sep)
}

// flatPairs is an object's members as one list: name, value, name, value.
func flatPairs(pairs [][2]string) []string {
	out := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		out = append(out, p[0], p[1])
	}
	return out
}

// joinPairs writes an object's members as name=value (each encoded), joined with sep.
func joinPairs(pairs [][2]string, enc encoder, sep string) string {
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = enc(p[0]) + "=" + enc(p[1])
	}
	return strings.Join(out, sep)
}

// simpleValue writes a path or header value in style simple, label or matrix.
func simpleValue(style, name string, explode bool, v value, enc encoder, delim string) string {
	sep := ","
	if delim != "" {
		sep = enc(delim)
	}
	switch style {
	case "label":
		switch v.kind {
		case kindArray:
			if explode {
				return "." + joinEnc(v.items, enc, ".")
			}
			return "." + joinEnc(v.items, enc, sep)
		case kindObject:
			if explode {
				return "." + joinPairs(v.pairs, enc, ".")
			}
			return "." + joinEnc(flatPairs(v.pairs), enc, sep)
		}
		return "." + enc(v.text)
	case "matrix":
		n := ";" + enc(name)
		switch v.kind {
		case kindArray:
			if len(v.items) == 0 {
				return n
			}
			if explode {
				return n + "=" + joinEnc(v.items, enc, n+"=")
			}
			return n + "=" + joinEnc(v.items, enc, sep)
		case kindObject:
			if len(v.pairs) == 0 {
				return n
			}
			if explode {
				return ";" + joinPairs(v.pairs, enc, ";")
			}
			return n + "=" + joinEnc(flatPairs(v.pairs), enc, sep)
		}
		if v.text == "" {
			return n
		}
		return n + "=" + enc(v.text)
	}
	switch v.kind {
	case kindArray:
		return joinEnc(v.items, enc, sep)
	case kindObject:
		if explode {
			return joinPairs(v.pairs, enc, ",")
		}
		return joinEnc(flatPairs(v.pairs), enc, sep)
	}
	return enc(v.text)
}

// queryPairs writes a query (or cookie) parameter as name=value pairs, each encoded, in style
// form, spaceDelimited, pipeDelimited or deepObject. names lists the parameter names written,
// decoded, for the pollution check.
func queryPairs(style, name string, explode bool, v value, enc encoder, delim string) (pairs, names []string) {
	n := pctEncode(name)
	sep := ","
	switch {
	case delim != "":
		sep = pctEncode(delim)
	case style == "spaceDelimited":
		sep = "%20"
	case style == "pipeDelimited":
		sep = "|"
	}
	switch v.kind {
	case kindArray:
		if explode && style == "form" {
			for _, it := range v.items {
				pairs = append(pairs, n+"="+enc(it))
			}
			return pairs, []string{name}
		}
		return []string{n + "=" + joinEnc(v.items, enc, sep)}, []string{name}
	case kindObject:
		switch {
		case style == "deepObject":
			for _, p := range v.pairs {
				pairs = append(pairs, n+"["+pctEncode(p[0])+"]="+enc(p[1]))
			}
			return pairs, []string{name}
		case explode && style == "form":
			for _, p := range v.pairs {
				pairs = append(pairs, pctEncode(p[0])+"="+enc(p[1]))
				names = append(names, p[0])
			}
			return pairs, names
		}
		return []string{n + "=" + joinEnc(flatPairs(v.pairs), enc, sep)}, []string{name}
	}
	return []string{n + "=" + enc(v.text)}, []string{name}
}

var errLineBreak = errors.New("must not contain a line break or NUL")
