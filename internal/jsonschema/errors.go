package jsonschema

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalidJSON is the error that a [*ValidationError] for an instance that is not valid JSON
// unwraps to: errors.Is(err, ErrInvalidJSON) tells a malformed document from one that parses but
// breaks the schema.
var ErrInvalidJSON = errors.New("jsonschema: invalid JSON")

// A ValidationError is the error [Schema.Validate] returns: the first problem found in the instance,
// in document order.
//
// Its Error text is written for the person or the model that supplied the arguments of an MCP tool
// call. It names the offending argument, says what was expected and what was given:
//
//	arguments: expected object, got array
//	arguments: invalid JSON: unexpected end of input
//	missing required argument "b"
//	unexpected argument "verbose"
//	argument "address.street": expected string, got number
//	argument "tags[2]": must be at most 10 characters long (got 12)
//	argument "mode": must be one of "fast", "slow" (got "medium")
//	argument "n": must be >= 1 (got 0)
//
// Callers that phrase errors their own way read Path, Keyword and Message instead.
type ValidationError struct {
	// Path is the JSON Pointer (RFC 6901) of the offending value in the instance: "" for the
	// instance itself, "/address/street" for a member, "/items/2" for an array element. For a
	// missing required member it points at where the member should be.
	Path string

	// Keyword is the schema keyword that failed ("type", "required", "enum", "minimum",
	// "additionalProperties", ...), "false" for a false schema, or "" when the instance is not
	// valid JSON or the schema was too costly to apply (see [Schema.Validate]).
	Keyword string

	// Message says what is wrong with the value at Path, without naming it: "expected string,
	// got number", "is required", "must be >= 1 (got 0)".
	Message string

	segs     []pathSeg // the path in reverse while the error travels up; nil once Path is set
	name     string    // Path as displayed, set by finish
	at       int       // where in the instance the failing value starts (ends, for required and item counts)
	expected typeSet   // for Keyword "type": the accepted types, to merge anyOf alternatives
	got      string    // for Keyword "type": the JSON type of the value
	syntax   bool      // the instance is not valid JSON
}

// pathSeg is one step of a path: an object member or an array element.
type pathSeg struct {
	key     string // a member's name, or
	raw     []byte // its raw content in the instance (read before Validate returns), and
	escaped bool   // whether raw holds escapes
	index   int    // an element's index; -1 for a member
}

// name returns the member's decoded name.
func (s pathSeg) name() string {
	if s.raw != nil {
		return decodeString(s.raw, s.escaped)
	}
	return s.key
}

// Error returns the message described on [ValidationError].
func (e *ValidationError) Error() string {
	if e.syntax || e.Path == "" {
		return "arguments: " + e.Message
	}
	display := e.name
	if display == "" {
		display = displayPath(e.Path)
	}
	name := strconv.Quote(display)
	switch e.Keyword {
	case "required":
		return "missing required argument " + name
	case "additionalProperties":
		if e.Message == msgNotAllowed {
			return "unexpected argument " + name
		}
	}
	return "argument " + name + ": " + e.Message
}

// Unwrap returns [ErrInvalidJSON] when the instance is not valid JSON, and nil otherwise.
func (e *ValidationError) Unwrap() error {
	if e.syntax {
		return ErrInvalidJSON
	}
	return nil
}

const msgNotAllowed = "is not allowed"

// push adds the segment of the value that holds the failing one, on the way up.
func (e *ValidationError) push(s pathSeg) {
	if e.segs == nil {
		e.segs = make([]pathSeg, 0, 4)
	}
	e.segs = append(e.segs, s)
}

// finish turns the reversed segments collected on the way up into Path.
func (e *ValidationError) finish() *ValidationError {
	switch len(e.segs) {
	case 0:
		return e
	case 1:
		if s := e.segs[0]; s.index < 0 && s.raw != nil && !s.escaped && utf8.Valid(s.raw) && !bytes.ContainsAny(s.raw, "~/") {
			e.Path = "/" + string(s.raw)
			e.name, e.segs = e.Path[1:], nil
			return e
		} else if s.index < 0 {
			if key := s.name(); !strings.ContainsAny(key, "~/") {
				e.Path = "/" + key
				e.name, e.segs = e.Path[1:], nil
				return e
			}
		}
	}
	size := 0
	for _, s := range e.segs {
		size += len(s.key) + len(s.raw) + 4
	}
	var ptr, name strings.Builder
	ptr.Grow(size)
	name.Grow(size)
	for i := len(e.segs) - 1; i >= 0; i-- {
		ptr.WriteByte('/')
		s := e.segs[i]
		if s.index >= 0 {
			n := strconv.Itoa(s.index)
			ptr.WriteString(n)
			name.WriteByte('[')
			name.WriteString(n)
			name.WriteByte(']')
			continue
		}
		if name.Len() > 0 {
			name.WriteByte('.')
		}
		if s.raw != nil && !s.escaped && utf8.Valid(s.raw) && !bytes.ContainsAny(s.raw, "~/") {
			ptr.Write(s.raw) // the common case, without a string for the key
			name.Write(s.raw)
			continue
		}
		key := s.name()
		ptr.WriteString(escapePointerToken(key))
		name.WriteString(key)
	}
	e.Path, e.name = ptr.String(), name.String()
	e.segs = nil
	return e
}

// displayPath renders a JSON Pointer the way a tool user writes an argument: members joined by
// dots, array elements in brackets ("address.street", "tags[2]", "[0].name"). A token made only of
// digits is taken for an array index; an object member named like that reads the same way, which
// is good enough for a message (Path itself stays exact).
func displayPath(ptr string) string {
	var b strings.Builder
	for tok := range strings.SplitSeq(strings.TrimPrefix(ptr, "/"), "/") {
		tok = unescapePointerToken(tok)
		if isIndexToken(tok) {
			b.WriteByte('[')
			b.WriteString(tok)
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func isIndexToken(tok string) bool {
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return false
		}
	}
	return true
}

// escapePointerToken escapes "~" and "/" in a JSON Pointer reference token (RFC 6901 §3).
func escapePointerToken(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
}

// unescapePointerToken reverses [escapePointerToken].
func unescapePointerToken(tok string) string {
	if !strings.Contains(tok, "~") {
		return tok
	}
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
}

// A SchemaError is the error [Compile] returns for a schema it cannot use: a keyword with a value
// of the wrong form, a $ref that does not resolve, a pattern that is not a valid regular
// expression. Pointer locates the offending keyword.
type SchemaError struct {
	// Pointer is the JSON Pointer (RFC 6901) of the offending keyword in the schema document,
	// e.g. "/properties/age/minimum"; "" for the document itself.
	Pointer string

	// Message says what is wrong.
	Message string
}

// Error returns "jsonschema: schema #<Pointer>: <Message>".
func (e *SchemaError) Error() string {
	return "jsonschema: schema #" + e.Pointer + ": " + e.Message
}
