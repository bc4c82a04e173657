package openapi

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"
)

// locations are the places of parameters, in argument order.
var locations = []string{"path", "query", "header", "cookie"}

// styles are the styles each location allows (OpenAPI 3.1 § Style Values), the default first.
var styles = map[string][]string{
	"path":   {"simple", "label", "matrix"},
	"query":  {"form", "spaceDelimited", "pipeDelimited", "deepObject"},
	"header": {"simple"},
	"cookie": {"form"},
}

// opBuilder builds the tool of one operation.
type opBuilder struct {
	p    *parser
	op   *Operation
	conv *schemaConv
	// props are the input schema's properties, by argument; required its required ones.
	props    map[string]any
	required []string
	// bodySchema is the request body's schema (converted), when there is one.
	bodySchema any
}

// rawParam is a parameter read from the description, before names are given.
type rawParam struct {
	param  *Param
	schema any
	at     string
}

// params reads the parameters of the path item and of the operation (which override those
// of the path item with the same name and location). It returns why the operation is
// skipped, or "".
func (b *opBuilder) params(item, o map[string]any, at string) string {
	var list []rawParam
	var form []rawParam // Swagger 2.0 formData
	seen := map[string]int{}
	add := func(v any, path string) string {
		m, path, ok := b.p.deref(v, path)
		if !ok {
			return ""
		}
		name, _ := m["name"].(string)
		in, _ := m["in"].(string)
		if name == "" {
			b.p.ps.add(field(path, "name"), "is required")
			return ""
		}
		switch {
		case in == "body" && b.p.version == 2:
			sch, ok := b.conv.convert(m["schema"], field(path, "schema"))
			if !ok {
				return ""
			}
			if !b.consumesJSON(o) {
				return "its body is not JSON (consumes)"
			}
			b.op.Body = &Body{MediaType: "application/json", Required: m["required"] == true}
			b.bodySchema = withDescription(sch, m)
			return ""
		case in == "formData" && b.p.version == 2:
			if m["type"] == "file" {
				if m["required"] == true {
					return "a required file upload (multipart/form-data) is not supported"
				}
				return ""
			}
			sch, ok := b.conv.convert(swagger2Schema(m), path)
			if !ok {
				return ""
			}
			form = append(form, rawParam{param: &Param{Name: name, Required: m["required"] == true}, schema: withDescription(sch, m), at: path})
			return ""
		case !slices.Contains(locations, in):
			b.p.ps.add(field(path, "in"), `must be "path", "query", "header" or "cookie", got %s`, jsonText(m["in"]))
			return ""
		}
		if in == "header" && slices.ContainsFunc([]string{"Accept", "Content-Type", "Authorization"}, func(h string) bool { return strings.EqualFold(h, name) }) {
			return "" // OpenAPI 3.1 § Parameter Object: such a header parameter SHALL be ignored
		}
		prm := &Param{Name: name, In: in, Required: m["required"] == true || in == "path"}
		var schemaV any
		if b.p.version == 2 {
			prm.Style, prm.Explode, prm.delim = collectionFormat(m["collectionFormat"], in)
			schemaV = swagger2Schema(m)
		} else {
			prm.Style, _ = m["style"].(string)
			if prm.Style == "" {
				prm.Style = styles[in][0]
			}
			if !slices.Contains(styles[in], prm.Style) {
				return "parameter " + strconv.Quote(name) + " has style " + strconv.Quote(prm.Style) + ", which a " + in + " parameter cannot have"
			}
			prm.Explode = prm.Style == "form"
			if e, ok := m["explode"].(bool); ok {
				prm.Explode = e
			}
			prm.AllowReserved = m["allowReserved"] == true
			schemaV = m["schema"]
			if content, ok := m["content"].(map[string]any); ok && schemaV == nil {
				for mt, v := range content {
					mo, _ := v.(map[string]any)
					schemaV = mo["schema"]
					prm.JSON = isJSONType(mt)
				}
			}
		}
		sch, ok := b.conv.convert(schemaV, field(path, "schema"))
		if !ok {
			return ""
		}
		key := in + "\x00" + name
		rp := rawParam{param: prm, schema: withDescription(sch, m), at: path}
		if i, dup := seen[key]; dup {
			list[i] = rp
		} else {
			seen[key] = len(list)
			list = append(list, rp)
		}
		return ""
	}
	for _, src := range []struct {
		v    any
		path string
	}{{item["parameters"], field(strings.TrimSuffix(at, "."+lastField(at)), "parameters")}, {o["parameters"], field(at, "parameters")}} {
		if src.v == nil {
			continue
		}
		arr, ok := src.v.([]any)
		if !ok {
			b.p.ps.add(src.path, "must be an array")
			continue
		}
		for i, v := range arr {
			if why := add(v, index(src.path, i)); why != "" {
				return why
			}
		}
	}
	// The path's template variables and its path parameters must match.
	vars := pathVars(b.op.Path)
	for _, v := range vars {
		if !slices.ContainsFunc(list, func(rp rawParam) bool { return rp.param.In == "path" && rp.param.Name == v }) {
			return "the path's {" + v + "} is not a declared path parameter"
		}
	}
	list = slices.DeleteFunc(list, func(rp rawParam) bool { return rp.param.In == "path" && !slices.Contains(vars, rp.param.Name) })
	slices.SortStableFunc(list, func(a, c rawParam) int {
		return slices.Index(locations, a.param.In) - slices.Index(locations, c.param.In)
	})

	b.props = map[string]any{}
	for _, rp := range list {
		rp.param.Arg = b.argName(rp.param.Name, rp.param.In)
		b.props[rp.param.Arg] = rp.schema
		if rp.param.Required {
			b.required = append(b.required, rp.param.Arg)
		}
		b.op.Params = append(b.op.Params, rp.param)
	}
	if len(form) > 0 && b.op.Body == nil {
		props := map[string]any{}
		var req []any
		for _, f := range form {
			props[f.param.Name] = f.schema
			if f.param.Required {
				req = append(req, f.param.Name)
			}
		}
		sch := map[string]any{"type": "object", "properties": props}
		if req != nil {
			sch["required"] = req
		}
		b.bodySchema = sch
		b.op.Body = &Body{MediaType: "application/x-www-form-urlencoded", Required: req != nil}
	}
	return ""
}

// argName returns the argument name of a parameter (or the body, in == "body"): its own
// name when free, else "<in>_<name>" ("requestBody" for the body), else with "_2", "_3"...
func (b *opBuilder) argName(name, in string) string {
	if _, taken := b.props[name]; !taken && name != "" {
		return name
	}
	base := in + "_" + name
	if in == "body" {
		base = "requestBody"
	}
	cand := base
	for i := 2; ; i++ {
		if _, taken := b.props[cand]; !taken {
			return cand
		}
		cand = base + "_" + strconv.Itoa(i)
	}
}

// consumesJSON reports whether a Swagger 2.0 operation takes a JSON body.
func (b *opBuilder) consumesJSON(o map[string]any) bool {
	consumes := b.p.consumes
	if c, ok := o["consumes"]; ok {
		consumes = stringList(c)
	}
	return len(consumes) == 0 || slices.ContainsFunc(consumes, isJSONType)
}

// body reads an OpenAPI 3 requestBody. It returns why the operation is skipped, or "".
func (b *opBuilder) body(o map[string]any, at string) string {
	if b.p.version == 2 {
		return "" // Swagger 2.0 bodies are parameters (in: body, in: formData): see params
	}
	v, ok := o["requestBody"]
	if !ok {
		return ""
	}
	rb, path, ok := b.p.deref(v, field(at, "requestBody"))
	if !ok {
		return ""
	}
	required := rb["required"] == true
	content, _ := rb["content"].(map[string]any)
	mt := pickMediaType(content)
	if mt == "" {
		if required {
			return "its request body is " + strings.Join(sortedKeys(content), ", ") + "; only JSON, form (application/x-www-form-urlencoded) and text bodies are supported"
		}
		return ""
	}
	media, _ := content[mt].(map[string]any)
	sch, ok := b.conv.convert(media["schema"], field(field(field(path, "content"), mt), "schema"))
	if !ok {
		return ""
	}
	if mt == "*/*" {
		mt = "application/json"
	}
	b.op.Body = &Body{MediaType: mt, Required: required}
	desc, _ := rb["description"].(string)
	b.bodySchema = withDescription(sch, map[string]any{"description": desc})
	return ""
}

// pickMediaType chooses the media type a body is sent as: JSON first, then a form, then text.
func pickMediaType(content map[string]any) string {
	keys := sortedKeys(content)
	for _, pick := range []func(string) bool{
		func(mt string) bool { return mt == "application/json" },
		isJSONType,
		func(mt string) bool { return mt == "application/x-www-form-urlencoded" },
		func(mt string) bool { return strings.HasPrefix(mt, "text/") },
		func(mt string) bool { return mt == "*/*" },
	} {
		if i := slices.IndexFunc(keys, pick); i >= 0 {
			return keys[i]
		}
	}
	return ""
}

// isJSONType reports whether a media type (parameters ignored) is JSON.
func isJSONType(mt string) bool {
	mt, _, _ = strings.Cut(mt, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// inputSchema assembles the input schema. It returns false after reporting a problem.
func (b *opBuilder) inputSchema() bool {
	if b.op.Body != nil {
		b.op.Body.Arg = b.argName("body", "body")
		b.props[b.op.Body.Arg] = b.bodySchema
		if b.op.Body.Required {
			b.required = append(b.required, b.op.Body.Arg)
		}
	}
	defs, ok := b.p.defs(b.conv.deps)
	if !ok {
		return false
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type":"object","properties":{`)
	args := make([]string, 0, len(b.props))
	for _, prm := range b.op.Params {
		args = append(args, prm.Arg)
	}
	if b.op.Body != nil {
		args = append(args, b.op.Body.Arg)
	}
	for i, a := range args {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeString(&buf, a)
		buf.WriteByte(':')
		raw, err := json.Marshal(b.props[a])
		if err != nil {
			b.p.ps.add(b.op.At, "%v", err)
			return false
		}
		buf.Write(raw)
	}
	buf.WriteByte('}')
	if len(b.required) > 0 {
		buf.WriteString(`,"required":`)
		raw, _ := json.Marshal(b.required)
		buf.Write(raw)
	}
	buf.WriteString(`,"additionalProperties":false`)
	writeDefs(&buf, defs)
	buf.WriteByte('}')
	b.op.InputSchema = buf.Bytes()
	return true
}

// outputSchema sets the output schema from the first 2xx JSON answer, when it is an object
// schema. A schema that cannot be converted is left out, without a problem: the tool works
// without one.
func (b *opBuilder) outputSchema(o map[string]any, at string) {
	responses, _ := o["responses"].(map[string]any)
	var codes []string
	for code := range responses {
		if len(code) == 3 && code[0] == '2' {
			codes = append(codes, code)
		}
	}
	slices.SortFunc(codes, func(a, c string) int {
		// 200 ... 299 before 2XX.
		return strings.Compare(strings.ToUpper(a), strings.ToUpper(c))
	})
	for _, code := range codes {
		before := len(b.p.ps.list)
		resp, path, ok := b.p.deref(responses[code], field(field(at, "responses"), code))
		if !ok {
			b.p.ps.list = b.p.ps.list[:before]
			return
		}
		var sch any
		if b.p.version == 2 {
			sch = resp["schema"]
		} else {
			content, _ := resp["content"].(map[string]any)
			for _, mt := range sortedKeys(content) {
				if isJSONType(mt) {
					media, _ := content[mt].(map[string]any)
					sch = media["schema"]
					path = field(field(field(path, "content"), mt), "schema")
					break
				}
			}
		}
		if sch == nil {
			continue
		}
		conv := &schemaConv{p: b.p, deps: map[string]bool{}}
		root, ok := conv.convert(sch, path)
		var defs map[string]json.RawMessage
		if ok {
			defs, ok = b.p.defs(conv.deps)
		}
		if !ok {
			b.p.ps.list = b.p.ps.list[:before]
			return
		}
		rm, _ := root.(map[string]any)
		if ref, isRef := rm["$ref"].(string); isRef && len(rm) == 1 {
			// The root must itself say "type": "object" (MCP 2025-11-25, Server § Tools,
			// Output Schema), so a named schema at the root is written out there, and is in
			// "$defs" only if it refers to itself.
			name := unescapeToken(strings.TrimPrefix(ref, "#/$defs/"))
			rm = nil
			if json.Unmarshal(defs[name], &rm) != nil {
				return
			}
			deps := map[string]bool{}
			for _, d := range b.p.component(name).deps {
				deps[d] = true
			}
			defs, _ = b.p.defs(deps)
		}
		if rm["type"] != "object" {
			return
		}
		raw, err := json.Marshal(rm)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		buf.Write(raw[:len(raw)-1])
		if len(defs) > 0 {
			if len(rm) > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(`"$defs":`)
			writeDefsObject(&buf, defs)
		}
		buf.WriteByte('}')
		b.op.OutputSchema = buf.Bytes()
		return
	}
}

// writeDefs writes ,"$defs":{...} when there are any.
func writeDefs(buf *bytes.Buffer, defs map[string]json.RawMessage) {
	if len(defs) == 0 {
		return
	}
	buf.WriteString(`,"$defs":`)
	writeDefsObject(buf, defs)
}

func writeDefsObject(buf *bytes.Buffer, defs map[string]json.RawMessage) {
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	slices.Sort(names)
	buf.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeString(buf, n)
		buf.WriteByte(':')
		buf.Write(defs[n])
	}
	buf.WriteByte('}')
}

func writeString(buf *bytes.Buffer, s string) {
	raw, _ := json.Marshal(s)
	buf.Write(raw)
}

// withDescription returns a parameter's or a body's schema with the description (and the
// deprecation) of its declaration m, which the schema does not say itself.
func withDescription(sch any, m map[string]any) any {
	desc, _ := m["description"].(string)
	dep := m["deprecated"] == true
	if desc == "" && !dep {
		return sch
	}
	sm, ok := sch.(map[string]any)
	if !ok {
		if sch == false {
			return sch
		}
		sm = map[string]any{}
	} else {
		sm = cloneMap(sm)
	}
	if _, has := sm["description"]; !has && desc != "" {
		sm["description"] = desc
	}
	if dep {
		sm["deprecated"] = true
	}
	return sm
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// swagger2Schema returns the schema of a Swagger 2.0 parameter that is not in the body: its
// own schema keywords.
func swagger2Schema(m map[string]any) map[string]any {
	s := map[string]any{}
	for k, v := range m {
		switch k {
		case "name", "in", "description", "required", "collectionFormat", "allowEmptyValue", "schema":
		default:
			s[k] = v
		}
	}
	return s
}

// collectionFormat maps a Swagger 2.0 collectionFormat onto a style, an explode and, for tsv,
// a delimiter.
func collectionFormat(v any, in string) (style string, explode bool, delim string) {
	cf, _ := v.(string)
	base := styles[in][0]
	switch cf {
	case "ssv":
		if in == "query" {
			return "spaceDelimited", false, ""
		}
	case "pipes":
		if in == "query" {
			return "pipeDelimited", false, ""
		}
	case "tsv":
		return base, false, "\t"
	case "multi":
		if in == "query" {
			return "form", true, ""
		}
	}
	return base, false, ""
}

// pathVars returns the template variables of a path, {name}, in order.
func pathVars(path string) []string {
	var vars []string
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return vars
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return vars
		}
		vars = append(vars, path[i+1:i+j])
		path = path[i+j+1:]
	}
}

// lastField returns the last member name of a path written by field (the method).
func lastField(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}
