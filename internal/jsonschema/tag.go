package jsonschema

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// A tagItem is one keyword=value of a jsonschema struct tag.
type tagItem struct {
	key, value string
}

// splitTag splits a jsonschema tag into its items: keyword=value pairs separated by commas, a
// comma inside a value written "\,". Only "\," is unescaped here; other backslash pairs are kept
// for the keyword to read (see [unescapeTagValue]). Empty items are ignored.
func splitTag(tag string) ([]tagItem, error) {
	var items []tagItem
	var b strings.Builder
	flush := func() error {
		item := b.String()
		b.Reset()
		if strings.TrimSpace(item) == "" {
			return nil
		}
		key, value, ok := strings.Cut(item, "=")
		if !ok {
			return fmt.Errorf("%q is not keyword=value", item)
		}
		items = append(items, tagItem{strings.TrimSpace(key), value})
		return nil
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		switch {
		case c == '\\' && i+1 < len(tag):
			if tag[i+1] != ',' {
				b.WriteByte('\\')
			}
			b.WriteByte(tag[i+1])
			i++
		case c == ',':
			if err := flush(); err != nil {
				return nil, err
			}
		default:
			b.WriteByte(c)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return items, nil
}

// isKeywordTag reports whether a jsonschema tag is a list of keyword=value items, which is when
// its first item starts with a word and "=" ("minimum=1", " title = x"); a tag that does not (free
// text, as the official Go SDK writes its descriptions there) is a description. A tag of empty
// items only is a list of none.
func isKeywordTag(tag string) bool {
	tag = strings.TrimLeft(tag, " ,")
	if tag == "" {
		return true
	}
	word := len(tag) - len(strings.TrimLeft(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
	return word > 0 && strings.HasPrefix(strings.TrimLeft(tag[word:], " "), "=")
}

// unescapeTagValue reads a value other than a pattern: a backslash makes the next character
// literal ("\\" for a backslash, "\|" for a bar in an enum value).
func unescapeTagValue(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// splitEnum splits an enum value at the bars that are not escaped, and unescapes each part.
func splitEnum(v string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '|':
			parts = append(parts, unescapeTagValue(v[start:i]))
			start = i + 1
		}
	}
	return append(parts, unescapeTagValue(v[start:]))
}

// applyTags adds the keywords of the field's description and jsonschema tags to n, the field's
// schema. kind is the field's Go kind after pointers (reflect.String for a quoted field), which
// bounds the integers of an enum or a default.
func applyTags(n *node, f *structField, kind reflect.Kind) error {
	if d, ok := f.field.Tag.Lookup("description"); ok && d != "" {
		n.description = d
	}
	tag, ok := f.field.Tag.Lookup("jsonschema")
	if !ok {
		return nil
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("jsonschema: %s: invalid jsonschema tag: %s", f.where(), fmt.Sprintf(format, args...))
	}
	if !isKeywordTag(tag) {
		// The official Go SDK reads the jsonschema tag as the field's description, and a tag
		// ported from it is free text that does not start with keyword=.
		if n.description != "" {
			return fail("a description both in the jsonschema tag and in the description tag")
		}
		n.description = tag
		return nil
	}
	items, err := splitTag(tag)
	if err != nil {
		return fail("%v", err)
	}
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.key] {
			return fail("%s given twice", it.key)
		}
		seen[it.key] = true
		// allow checks that the keyword fits the schema's type.
		allow := func(types ...string) error {
			for _, t := range types {
				if n.typ == t {
					return nil
				}
			}
			what := n.typ
			if what == "" {
				what = "a schema without a type"
			}
			return fail("%s does not apply to %s (field type %s)", it.key, what, f.typ)
		}
		value := unescapeTagValue(it.value)
		switch it.key {
		case "title":
			n.title = value
		case "format":
			n.format = value
		case "enum":
			if err := allow("string", "integer", "number"); err != nil {
				return err
			}
			n.enum = nil
			for _, v := range splitEnum(it.value) {
				lit, err := tagLiteral(n.typ, kind, v)
				if err != nil {
					return fail("enum value %q: %v", v, err)
				}
				n.enum = append(n.enum, lit)
			}
		case "default":
			if err := allow("string", "integer", "number", "boolean"); err != nil {
				return err
			}
			lit, err := tagLiteral(n.typ, kind, value)
			if err != nil {
				return fail("default %q: %v", value, err)
			}
			n.def = lit
		case "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum":
			if err := allow("integer", "number"); err != nil {
				return err
			}
			lit, err := tagLiteral("number", reflect.Float64, value)
			if err != nil {
				return fail("%s %q: %v", it.key, value, err)
			}
			for b, kw := range boundKeywords {
				if kw == it.key {
					n.bounds[b] = lit
				}
			}
		case "minLength", "maxLength", "minItems", "maxItems":
			if strings.HasSuffix(it.key, "Length") {
				err = allow("string")
			} else {
				err = allow("array")
			}
			if err != nil {
				return err
			}
			v, err := strconv.ParseUint(value, 10, 31)
			if err != nil {
				return fail("%s %q is not a non-negative integer", it.key, value)
			}
			lit := strconv.FormatUint(v, 10)
			switch it.key {
			case "minLength":
				n.minLength = lit
			case "maxLength":
				n.maxLength = lit
			case "minItems":
				n.minItems = lit
			default:
				n.maxItems = lit
			}
		case "pattern":
			if err := allow("string"); err != nil {
				return err
			}
			// A pattern keeps its backslashes: they belong to the regular expression.
			if _, err := regexp.Compile(it.value); err != nil {
				return fail("pattern %q: %v", it.value, err)
			}
			n.pattern = it.value
		default:
			return fail("unknown keyword %q", it.key)
		}
	}
	if lo, hi := n.bounds[boundMinimum], n.bounds[boundMaximum]; lo != "" && hi != "" && numberOf(lo) > numberOf(hi) {
		return fail("minimum %s is greater than maximum %s", lo, hi)
	}
	if lo, hi := n.minLength, n.maxLength; lo != "" && hi != "" && numberOf(lo) > numberOf(hi) {
		return fail("minLength %s is greater than maxLength %s", lo, hi)
	}
	if lo, hi := n.minItems, n.maxItems; lo != "" && hi != "" && numberOf(lo) > numberOf(hi) {
		return fail("minItems %s is greater than maxItems %s", lo, hi)
	}
	return nil
}

func numberOf(lit string) float64 {
	f, _ := strconv.ParseFloat(lit, 64)
	return f
}

// tagLiteral turns the text v of an enum or default value into the JSON literal of a value of
// the schema type typ; kind is the Go kind, whose range bounds an integer.
func tagLiteral(typ string, kind reflect.Kind, v string) (string, error) {
	switch typ {
	case "string":
		return string(appendString(nil, v)), nil
	case "boolean":
		switch v {
		case "true", "false":
			return v, nil
		}
		return "", errors.New("not a boolean (true or false)")
	case "integer":
		switch kind {
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			u, err := strconv.ParseUint(v, 10, kindBits(kind))
			if err != nil {
				return "", fmt.Errorf("not an integer in the range of %s", kind)
			}
			return strconv.FormatUint(u, 10), nil
		}
		i, err := strconv.ParseInt(v, 10, kindBits(kind))
		if err != nil {
			return "", fmt.Errorf("not an integer in the range of %s", kind)
		}
		return strconv.FormatInt(i, 10), nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", errors.New("not a finite number")
	}
	return formatNumber(f), nil
}

// kindBits returns the size of an integer kind in bits.
func kindBits(k reflect.Kind) int {
	switch k {
	case reflect.Int8, reflect.Uint8:
		return 8
	case reflect.Int16, reflect.Uint16:
		return 16
	case reflect.Int32, reflect.Uint32:
		return 32
	}
	return 64
}

// formatNumber writes f as a JSON number: integral values without exponent up to 1e21, the
// shortest round-tripping form otherwise.
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
