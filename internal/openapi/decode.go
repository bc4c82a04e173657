package openapi

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"
	yaml "go.yaml.in/yaml/v3"
)

// The document is decoded into a tree of map[string]any, []any, string, json.Number, bool
// and nil, the same for JSON and YAML, numbers kept as written.

// DefaultMaxYAMLNodes bounds the nodes a YAML document may expand to, aliases counted at each
// use: a few kilobytes of nested aliases ("billion laughs") must not become gigabytes.
const DefaultMaxYAMLNodes = 20_000_000

// decode decodes a JSON or a YAML document. JSON is tried first when the document begins with
// "{" (YAML 1.2 is a superset of JSON, but the JSON decoder is much faster).
func decode(data []byte, maxNodes int) (any, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err == nil {
			if dec.More() {
				return nil, errors.New("JSON: more than one value")
			}
			return v, nil
		} else if !looksLikeYAMLFlow(trimmed) {
			return nil, fmt.Errorf("JSON: %v", err)
		}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("YAML: %v", err)
	}
	if root.Kind == 0 {
		return nil, errors.New("the document is empty")
	}
	c := &yamlConverter{budget: maxNodes, seen: map[*yaml.Node]any{}}
	return c.convert(&root)
}

// looksLikeYAMLFlow reports whether a document that is not JSON may still be YAML in flow
// style ({a: 1}): then YAML's error is the one to show.
func looksLikeYAMLFlow(data []byte) bool {
	return !bytes.HasPrefix(data, []byte(`{"`)) && !bytes.HasPrefix(data, []byte("{\n  \""))
}

// yamlConverter turns YAML nodes into the tree. An anchored node is converted once and shared
// by its aliases; the budget counts nodes at each use so that the tree's size stays bounded.
type yamlConverter struct {
	budget int
	seen   map[*yaml.Node]any
}

func (c *yamlConverter) convert(n *yaml.Node) (any, error) {
	c.budget--
	if c.budget < 0 {
		return nil, errors.New("YAML: the document expands to too many nodes (aliases)")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0])
	case yaml.AliasNode:
		if v, ok := c.seen[n.Alias]; ok {
			c.budget -= countNodes(v)
			return v, nil
		}
		return nil, fmt.Errorf("YAML line %d: alias *%s refers to a node that contains it", n.Line, n.Value)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				if err := c.merge(m, v); err != nil {
					return nil, err
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("YAML line %d: a mapping key must be a scalar", k.Line)
			}
			val, err := c.convert(v)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		if n.Anchor != "" {
			c.seen[n] = m
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.convert(e)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		if n.Anchor != "" {
			c.seen[n] = s
		}
		return s, nil
	case yaml.ScalarNode:
		v, err := scalar(n)
		if err == nil && n.Anchor != "" {
			c.seen[n] = v
		}
		return v, err
	}
	return nil, fmt.Errorf("YAML line %d: unexpected node", n.Line)
}

// merge applies a YAML merge key (<<: *base, or a list of them) to m: members m already has
// are kept.
func (c *yamlConverter) merge(m map[string]any, v *yaml.Node) error {
	src, err := c.convert(v)
	if err != nil {
		return err
	}
	var maps []map[string]any
	switch s := src.(type) {
	case map[string]any:
		maps = append(maps, s)
	case []any:
		for _, e := range s {
			if em, ok := e.(map[string]any); ok {
				maps = append(maps, em)
			}
		}
	default:
		return fmt.Errorf("YAML line %d: << must merge a mapping", v.Line)
	}
	for _, sm := range maps {
		for k, val := range sm {
			if _, ok := m[k]; !ok {
				m[k] = val
			}
		}
	}
	return nil
}

// countNodes counts the values of a tree, for the budget of an alias.
func countNodes(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 1
		for _, e := range x {
			n += countNodes(e)
		}
		return n
	case []any:
		n := 1
		for _, e := range x {
			n += countNodes(e)
		}
		return n
	}
	return 1
}

// scalar converts a YAML scalar by its resolved tag (YAML 1.2 core schema, as go.yaml.in/yaml/v3
// resolves it): numbers stay as written when they are JSON numbers, timestamps are strings.
func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, err
		}
		return b, nil
	case "!!int":
		if _, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			return json.Number(n.Value), nil
		}
		var i int64
		if err := n.Decode(&i); err == nil {
			return json.Number(strconv.FormatInt(i, 10)), nil
		}
		return json.Number(strings.ReplaceAll(n.Value, "_", "")), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("YAML line %d: %s has no JSON form", n.Line, n.Value)
		}
		if json.Valid([]byte(n.Value)) {
			return json.Number(n.Value), nil
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	case "!!binary":
		return n.Value, nil
	}
	return n.Value, nil
}
