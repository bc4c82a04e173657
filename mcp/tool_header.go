package mcp

import (
	"fmt"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/httptoken"
	"github.com/minimcp/minimcp/internal/jsontext"
)

// ToolHeader is a tool parameter mirrored into an HTTP header, Mcp-Param-{Name}, by the
// x-mcp-header annotation of its schema (MCP 2026-07-28, Server § Tools, x-mcp-header;
// Transports § Streamable HTTP, Custom Headers from Tool Parameters).
type ToolHeader struct {
	// Name is the name portion of the header: the annotation's value.
	Name string
	// Path is the chain of properties keys from the schema root to the parameter.
	Path []string
}

// ToolHeaders returns the parameters of tool that its input schema mirrors into HTTP
// headers, nil when it has none or there is no such tool. The slice is shared: do not modify.
func (s *Server) ToolHeaders(tool string) []ToolHeader {
	s.mu.RLock()
	e, ok := s.tools.get(tool)
	s.mu.RUnlock()
	if !ok {
		return nil
	}
	return e.headers
}

// toolHeaders finds the x-mcp-header annotations of schema, on properties reachable from its
// root through properties keys alone (the only places the spec allows them: "reachable via a
// chain consisting solely of properties keys"). It returns an error for an annotation that
// breaks the spec's constraints: not a string, not a non-empty HTTP token, repeated (case
// folded), or on a parameter whose type is not integer, string or boolean.
func toolHeaders(schema json.RawMessage) ([]ToolHeader, error) {
	var (
		out  []ToolHeader
		seen = map[string]bool{}
		walk func(obj []byte, path []string) error
	)
	walk = func(obj []byte, path []string) error {
		var (
			props, ann, typ []byte
		)
		_ = jsontext.EachMember(obj, func(k, v []byte) bool {
			switch string(k) {
			case "properties":
				props = v
			case "x-mcp-header":
				ann = v
			case "type":
				typ = v
			}
			return true
		})
		if ann != nil && len(path) > 0 {
			name, ok := jsontext.Unquote(ann)
			if !ok || !httptoken.Valid(name) {
				return fmt.Errorf("x-mcp-header of %s must be a non-empty HTTP token, got %s", strings.Join(path, "."), ann)
			}
			if t, _ := jsontext.Unquote(typ); t != "string" && t != "integer" && t != "boolean" {
				return fmt.Errorf("x-mcp-header %q is on %s, of type %s; only integer, string and boolean parameters may be mirrored", name, strings.Join(path, "."), typ)
			}
			if seen[strings.ToLower(name)] {
				return fmt.Errorf("x-mcp-header %q is repeated", name)
			}
			seen[strings.ToLower(name)] = true
			out = append(out, ToolHeader{Name: name, Path: append([]string(nil), path...)})
		}
		if props == nil {
			return nil
		}
		var err error
		_ = jsontext.EachMember(props, func(k, v []byte) bool {
			err = walk(v, append(path, string(k)))
			return err == nil
		})
		return err
	}
	if err := walk(schema, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// ParseToolHeaders returns the parameters an input schema mirrors into HTTP headers (see
// [ToolHeader]), for a client that learned a tool from tools/list and sends its Mcp-Param-*
// headers (MCP 2026-07-28, Transports § Streamable HTTP, Custom Headers from Tool
// Parameters). Its errors are those of an annotation that breaks the spec's constraints.
func ParseToolHeaders(inputSchema json.RawMessage) ([]ToolHeader, error) {
	return toolHeaders(inputSchema)
}
