package openapi

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNotOpenAPI is returned (inside an *Error) for a document that is neither Swagger 2.0 nor
// OpenAPI 3.x.
var ErrNotOpenAPI = errors.New("openapi: not an OpenAPI description")

// Problem is one thing wrong with a description, at a JSON path such as
// paths["/pets/{id}"].get.parameters[0].in ("" for the whole document).
type Problem struct {
	Path    string
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Error lists the problems of a description that could not be used, in document order.
type Error struct {
	Problems []Problem
	// err is ErrNotOpenAPI when the document is not a description at all.
	err error
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func (e *Error) Unwrap() error { return e.err }

// problems collects the problems of one parse.
type problems struct{ list []Problem }

func (ps *problems) add(path, format string, args ...any) {
	ps.list = append(ps.list, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// field returns the path of member key of the value at path: paths["/pets"].get, or
// a.b for a plain name.
func field(path, key string) string {
	if !isIdent(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// index returns the path of element i of the array at path.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '$' || i > 0 && ('0' <= c && c <= '9' || c == '-')) {
			return false
		}
	}
	return true
}
