package openapi

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	json "github.com/goccy/go-json"
)

// Request is what a call of an operation sends, built from its arguments by
// [Operation.Build]. The caller joins it to a base URL and sends it.
type Request struct {
	// PathValues holds each path parameter's value, serialized in its style and
	// percent-encoded, by parameter name, for the {name} of Operation.Path.
	PathValues map[string]string
	// Query is the encoded query string, without "?": the parameters in operation order.
	Query string
	// Header holds the header parameters.
	Header http.Header
	// Cookies are the cookie parameters, each "name=value", encoded.
	Cookies []string
	// Body and ContentType are the request body, nil when there is none.
	Body        []byte
	ContentType string
}

// BuildOptions are what Build must not let arguments repeat.
type BuildOptions struct {
	// ReservedQuery and ReservedCookies are the query parameters and cookies the request
	// carries besides the operation's own (an API key, the base URL's query): an argument
	// may not write another of these names (compared without regard to case).
	ReservedQuery, ReservedCookies []string
}

// PathPart is a piece of an operation's path: a literal, or a parameter's {name}.
type PathPart struct {
	Literal string
	Param   string
}

// SplitPath splits a path template into literals and {parameters}.
func SplitPath(path string) []PathPart {
	var parts []PathPart
	for {
		i := strings.IndexByte(path, '{')
		j := -1
		if i >= 0 {
			j = strings.IndexByte(path[i:], '}')
		}
		if i < 0 || j < 0 {
			if path != "" {
				parts = append(parts, PathPart{Literal: path})
			}
			return parts
		}
		if i > 0 {
			parts = append(parts, PathPart{Literal: path[:i]})
		}
		parts = append(parts, PathPart{Param: path[i+1 : i+j]})
		path = path[i+j+1:]
	}
}

// Build serializes a call's arguments (an object, already validated against the input
// schema) into the request. Its errors are meant for the caller, as a tool error: a missing
// required argument, a parameter name an argument may not write, a header value with a line
// break. A nil opts reserves nothing.
func (op *Operation) Build(args map[string]json.RawMessage, opts *BuildOptions) (*Request, error) {
	var o BuildOptions
	if opts != nil {
		o = *opts
	}
	r := &Request{PathValues: map[string]string{}, Header: http.Header{}}
	var query []string
	var queryNames, cookieNames []string
	for _, p := range op.Params {
		switch p.In {
		case "query":
			queryNames = append(queryNames, p.Name)
		case "cookie":
			cookieNames = append(cookieNames, p.Name)
		}
	}
	for _, p := range op.Params {
		raw, present := args[p.Arg]
		v, ok, err := readValue(raw)
		if err != nil {
			return nil, fmt.Errorf("argument %q: %v", p.Arg, err)
		}
		if present && ok && p.JSON {
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err != nil {
				return nil, fmt.Errorf("argument %q: %v", p.Arg, err)
			}
			v = value{text: b.String()}
		}
		if !present || !ok {
			if p.Required {
				return nil, fmt.Errorf("missing argument %q, which the request needs", p.Arg)
			}
			continue
		}
		switch p.In {
		case "path":
			r.PathValues[p.Name] = simpleValue(p.Style, p.Name, p.Explode, v, pctEncode, p.delim)
		case "header":
			s := simpleValue("simple", p.Name, p.Explode, v, identity, p.delim)
			if strings.ContainsAny(s, "\r\n\x00") {
				return nil, fmt.Errorf("argument %q: %v", p.Arg, errLineBreak)
			}
			r.Header.Add(p.Name, s)
		case "query", "cookie":
			enc := encoder(pctEncode)
			if p.AllowReserved {
				enc = func(s string) string { return encode(s, reservedKept) }
			}
			pairs, names := queryPairs(p.Style, p.Name, p.Explode, v, enc, p.delim)
			declared, reserved := queryNames, o.ReservedQuery
			if p.In == "cookie" {
				declared, reserved = cookieNames, o.ReservedCookies
			}
			for _, n := range names {
				if n == p.Name {
					if containsFold(reserved, n) {
						return nil, fmt.Errorf("argument %q: %q is a %s parameter the request sets already", p.Arg, n, p.In)
					}
					continue
				}
				if containsFold(declared, n) || containsFold(reserved, n) {
					return nil, fmt.Errorf("argument %q: member %q would repeat the %s parameter %q", p.Arg, n, p.In, n)
				}
			}
			if p.In == "query" {
				query = append(query, pairs...)
			} else {
				r.Cookies = append(r.Cookies, pairs...)
			}
		}
	}
	r.Query = strings.Join(query, "&")
	if op.Body != nil {
		raw, present := args[op.Body.Arg]
		if !present || string(bytes.TrimSpace(raw)) == "null" {
			if op.Body.Required {
				return nil, fmt.Errorf("missing argument %q, the request body", op.Body.Arg)
			}
			return r, nil
		}
		body, err := bodyOf(op.Body, raw)
		if err != nil {
			return nil, fmt.Errorf("argument %q: %v", op.Body.Arg, err)
		}
		r.Body, r.ContentType = body, op.Body.MediaType
	}
	return r, nil
}

// bodyOf writes a body argument as its media type says.
func bodyOf(b *Body, raw json.RawMessage) ([]byte, error) {
	switch {
	case isJSONType(b.MediaType):
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case b.MediaType == "application/x-www-form-urlencoded":
		v, _, err := readValue(raw)
		if err != nil {
			return nil, err
		}
		if v.kind != kindObject {
			return nil, fmt.Errorf("a form body must be an object")
		}
		form := url.Values{}
		var members map[string]json.RawMessage
		_ = json.Unmarshal(raw, &members)
		for _, p := range v.pairs {
			// An array member is one field per item (readValue wrote it as JSON text).
			if m := members[p[0]]; len(m) > 0 && bytes.TrimSpace(m)[0] == '[' {
				av, _, _ := readValue(m)
				form[p[0]] = append(form[p[0]], av.items...)
				continue
			}
			form.Add(p[0], p[1])
		}
		return []byte(form.Encode()), nil
	}
	s, _ := scalarText(raw)
	return []byte(s), nil
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
