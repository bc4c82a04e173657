package jsonschema

import (
	"unicode/utf8"
)

// A node is a schema being generated from a Go type, before it is written as JSON. Empty fields
// are absent keywords; numbers and enum values are held as JSON literals.
type node struct {
	ref             string
	typ             string
	format          string
	contentEncoding string
	title           string
	description     string
	enum            []string
	def             string
	bounds          [4]string // minimum, exclusiveMinimum, maximum, exclusiveMaximum
	minLength       string
	maxLength       string
	pattern         string
	items           *node
	minItems        string
	maxItems        string
	properties      []namedNode
	required        []string
	noAdditional    bool  // "additionalProperties": false
	additional      *node // "additionalProperties": schema
	defs            []namedNode
}

type namedNode struct {
	name string
	node *node
}

// appendJSON writes the node as a JSON object, its keywords in one fixed order, so that one Go
// type always gives the same bytes.
func (n *node) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	key := func(k string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
	}
	str := func(k, v string) {
		if v != "" {
			key(k)
			b = appendString(b, v)
		}
	}
	lit := func(k, v string) {
		if v != "" {
			key(k)
			b = append(b, v...)
		}
	}
	str("$ref", n.ref)
	str("type", n.typ)
	str("format", n.format)
	str("contentEncoding", n.contentEncoding)
	str("title", n.title)
	str("description", n.description)
	if n.enum != nil {
		key("enum")
		b = append(b, '[')
		for i, v := range n.enum {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, v...)
		}
		b = append(b, ']')
	}
	lit("default", n.def)
	lit("minimum", n.bounds[boundMinimum])
	lit("exclusiveMinimum", n.bounds[boundExclusiveMinimum])
	lit("maximum", n.bounds[boundMaximum])
	lit("exclusiveMaximum", n.bounds[boundExclusiveMaximum])
	lit("minLength", n.minLength)
	lit("maxLength", n.maxLength)
	str("pattern", n.pattern)
	if n.items != nil {
		key("items")
		b = n.items.appendJSON(b)
	}
	lit("minItems", n.minItems)
	lit("maxItems", n.maxItems)
	if n.properties != nil {
		key("properties")
		b = appendNamed(b, n.properties)
	}
	if n.required != nil {
		key("required")
		b = append(b, '[')
		for i, r := range n.required {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, r)
		}
		b = append(b, ']')
	}
	switch {
	case n.noAdditional:
		key("additionalProperties")
		b = append(b, "false"...)
	case n.additional != nil:
		key("additionalProperties")
		b = n.additional.appendJSON(b)
	}
	if n.defs != nil {
		key("$defs")
		b = appendNamed(b, n.defs)
	}
	return append(b, '}')
}

func appendNamed(b []byte, list []namedNode) []byte {
	b = append(b, '{')
	for i, p := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, p.name)
		b = append(b, ':')
		b = p.node.appendJSON(b)
	}
	return append(b, '}')
}

// appendString writes s as a JSON string. It escapes what JSON requires (quote, backslash and
// control characters) and nothing else; bytes that are not UTF-8 become U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}
