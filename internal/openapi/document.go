package openapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsonschema"
)

// Options tune Parse. The zero value of each field means its default.
type Options struct {
	// MaxRefDepth bounds the $refs followed in place one inside another (see the package
	// doc). If zero, DefaultMaxRefDepth.
	MaxRefDepth int
	// MaxYAMLNodes bounds the nodes a YAML document expands to. If zero, DefaultMaxYAMLNodes.
	MaxYAMLNodes int
	// MaxSchemaDepth bounds the nesting of a schema; a deeper one is a problem. If zero,
	// DefaultMaxSchemaDepth.
	MaxSchemaDepth int
	// MaxSchemaNodes bounds the schemas converted while following $refs in place (not to
	// components.schemas), over the whole document; beyond it the description is refused. If
	// zero, DefaultMaxSchemaNodes.
	MaxSchemaNodes int
	// Select picks the operations to serve: only those it returns true for are read, so
	// that the problems of the others do not count. If nil, all are.
	Select func(OperationInfo) bool
}

// OperationInfo is what Options.Select sees of an operation.
type OperationInfo struct {
	// Method is upper case; ID the operationId ("" when there is none).
	Method, Path, ID string
	Tags             []string
}

// Document is a parsed description: its operations, ready to be served as tools.
type Document struct {
	// Version is "2.0", or the openapi member as written ("3.0.3", "3.1.0").
	Version string
	Title   string
	// Description is info.description.
	Description string
	// Servers are the base URLs the description gives (servers, or Swagger 2.0's schemes,
	// host and basePath), their variables replaced by their defaults. They may be relative
	// ("/v2"): resolve them against the description's own URL.
	Servers []string
	// Operations in tool order (see the package doc), with unique names.
	Operations []*Operation
	// SecuritySchemes are the schemes the description declares, by name.
	SecuritySchemes map[string]*SecurityScheme
	// Skipped lists the operations left out, each with why.
	Skipped []Problem
}

// Operation is one operation of a description and its tool.
type Operation struct {
	// Name is the tool's name: unique in the document, 1 to 128 characters of A-Z a-z 0-9 _ - .
	Name string
	// ID is the operationId as written ("" when there is none).
	ID string
	// Method is the HTTP method, upper case; Path the path as the description writes it
	// ("/pets/{petId}").
	Method, Path string
	// At is the JSON path of the operation in the description: paths["/pets"].get.
	At   string
	Tags []string
	// Title is the summary; Description the description (and, for a deprecated
	// operation, a note saying so).
	Title, Description string
	Deprecated         bool
	// Servers override the document's for this operation (path-level or operation-level
	// servers); usually empty.
	Servers []string
	// Params are the parameters, in argument order (path, query, header, cookie).
	Params []*Param
	// Body is the request body; nil when the operation takes none.
	Body *Body
	// InputSchema is the tool's input schema, a JSON Schema 2020-12 object schema.
	InputSchema json.RawMessage
	// OutputSchema is the schema of the first 2xx JSON answer when it is an object schema;
	// nil otherwise.
	OutputSchema json.RawMessage
	// Responses holds the description of each answer the operation declares, by status
	// ("200", "4XX", "default"), for the tool error of an answer that is not 2xx.
	Responses map[string]string
	// Security lists the ways to authenticate the operation accepts, any one sufficing; each
	// names the schemes to use together. Nil when the operation requires none; an empty
	// requirement among others means authentication is optional.
	Security []Requirement
	// ReadOnly, Destructive and Idempotent are the tool's annotations, from the method: GET,
	// HEAD, OPTIONS and TRACE are read-only and idempotent, DELETE destructive and
	// idempotent, PUT idempotent. A false one is not asserted (MCP's defaults apply).
	ReadOnly, Destructive, Idempotent bool
}

// Param is a parameter of an operation.
type Param struct {
	// Name is the parameter's name in the request; Arg the tool argument that carries it
	// (they differ after a clash, see the package doc).
	Name, Arg string
	// In is "path", "query", "header" or "cookie".
	In       string
	Required bool
	// Style and Explode say how the value is written (OpenAPI 3.1 § Style Values); Style is
	// never empty.
	Style   string
	Explode bool
	// AllowReserved keeps RFC 3986's reserved characters of a query value unencoded.
	AllowReserved bool
	// JSON is true for a parameter given with content application/json: its value is sent
	// as JSON text.
	JSON bool
	// delim is the delimiter of a Swagger 2.0 collectionFormat tsv (tab), "" otherwise.
	delim string
}

// Body is the request body of an operation.
type Body struct {
	// Arg is the tool argument that holds it.
	Arg string
	// MediaType is what it is sent as: "application/json" (or another JSON type),
	// "application/x-www-form-urlencoded", or a text type.
	MediaType string
	Required  bool
}

// Requirement is one way of satisfying an operation's security: every scheme it names, with
// the scopes listed (OAuth2).
type Requirement []SchemeRef

// SchemeRef names a security scheme and the scopes an operation needs of it.
type SchemeRef struct {
	Scheme string
	Scopes []string
}

// SecurityScheme is a security scheme of the description.
type SecurityScheme struct {
	// Type is "apiKey", "http", "oauth2", "openIdConnect" or "mutualTLS" (2.0's "basic" is
	// "http" with Scheme "basic").
	Type string
	// In and ParamName are where an apiKey goes: "header", "query" or "cookie", and its
	// name there.
	In, ParamName string
	// Scheme is an http scheme's, lower case: "bearer", "basic".
	Scheme string
	// TokenURL is the token endpoint of an oauth2 scheme's client credentials flow (2.0:
	// the application flow); "" when it has none.
	TokenURL string
}

// methods are the operations of a path item, in tool order.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// parser holds the state of one Parse.
type parser struct {
	root    map[string]any
	version int // 2, 30 or 31
	ps      problems
	skipped []Problem
	// schemas are the named schemas; schemasPrefix the $ref prefix that names them and
	// schemasPath their JSON path.
	schemas        map[string]any
	schemasPrefix  string
	schemasPath    string
	comps          map[string]*component
	maxRefDepth    int
	maxSchemaDepth int
	// maxSchemaNodes bounds inPlaceNodes, the schemas converted while following $refs in
	// place (see the design note in schema.go).
	maxSchemaNodes, inPlaceNodes int
	names                        map[string]bool
	doc                          *Document
	// global values of Swagger 2.0 that operations inherit.
	consumes []string
	selectOp func(OperationInfo) bool
	// selected counts the operations Select kept.
	selected int
}

// Parse reads a description. It returns an *Error listing every problem (with JSON paths)
// when the description cannot be used; operations it cannot serve are left out and listed in
// Document.Skipped. A nil opts means the defaults.
func Parse(data []byte, opts *Options) (*Document, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxRefDepth <= 0 {
		o.MaxRefDepth = DefaultMaxRefDepth
	}
	if o.MaxYAMLNodes <= 0 {
		o.MaxYAMLNodes = DefaultMaxYAMLNodes
	}
	if o.MaxSchemaDepth <= 0 {
		o.MaxSchemaDepth = DefaultMaxSchemaDepth
	}
	if o.MaxSchemaNodes <= 0 {
		o.MaxSchemaNodes = DefaultMaxSchemaNodes
	}
	tree, err := decode(data, o.MaxYAMLNodes)
	if err != nil {
		return nil, &Error{Problems: []Problem{{Message: err.Error()}}, err: ErrNotOpenAPI}
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return nil, &Error{Problems: []Problem{{Message: "must be an object (an OpenAPI or Swagger description)"}}, err: ErrNotOpenAPI}
	}
	p := &parser{root: root, comps: map[string]*component{}, maxRefDepth: o.MaxRefDepth, maxSchemaDepth: o.MaxSchemaDepth, maxSchemaNodes: o.MaxSchemaNodes, names: map[string]bool{}, doc: &Document{}, selectOp: o.Select}
	if !p.detect() {
		return nil, &Error{Problems: p.ps.list, err: ErrNotOpenAPI}
	}
	p.info()
	p.servers()
	p.securitySchemes()
	p.operations()
	if len(p.ps.list) > 0 {
		return nil, &Error{Problems: p.ps.list}
	}
	if len(p.doc.Operations) == 0 {
		msg := "has no operations"
		switch {
		case len(p.skipped) > 0:
			msg = "has no operations that can be served (all are skipped)"
		case p.selected == 0 && p.selectOp != nil && p.hasPaths():
			msg = "has no operations that the include and exclude rules select"
		case p.root["webhooks"] != nil:
			msg = "has no operations, only webhooks (requests the API sends, which are not tools)"
		}
		e := &Error{Problems: []Problem{{Path: "paths", Message: msg}}}
		e.Problems = append(e.Problems, p.skipped...)
		return nil, e
	}
	p.doc.Skipped = p.skipped
	return p.doc, nil
}

// hasPaths reports whether the document has path items.
func (p *parser) hasPaths() bool {
	paths, _ := p.root["paths"].(map[string]any)
	return len(paths) > 0
}

// detect reads the version and where named schemas live.
func (p *parser) detect() bool {
	if v, ok := p.root["swagger"]; ok {
		if s, _ := v.(string); s != "2.0" {
			p.ps.add("swagger", "must be \"2.0\" (the only Swagger version supported), got %v", jsonText(v))
			return false
		}
		p.version, p.doc.Version = 2, "2.0"
		p.schemasPrefix, p.schemasPath = "#/definitions/", "definitions"
		p.schemas, _ = p.root["definitions"].(map[string]any)
		return true
	}
	v, ok := p.root["openapi"]
	if !ok {
		p.ps.add("", "is not an OpenAPI description: it has neither \"openapi\" (3.x) nor \"swagger\" (2.0)")
		return false
	}
	s, _ := v.(string)
	switch {
	case strings.HasPrefix(s, "3.0"):
		p.version = 30
	case strings.HasPrefix(s, "3.1"), strings.HasPrefix(s, "3.2"):
		p.version = 31
	default:
		p.ps.add("openapi", "version %s is not supported (3.0, 3.1 and 3.2 are, and Swagger 2.0)", jsonText(v))
		return false
	}
	p.doc.Version = s
	p.schemasPrefix, p.schemasPath = "#/components/schemas/", "components.schemas"
	if comps, ok := p.root["components"].(map[string]any); ok {
		p.schemas, _ = comps["schemas"].(map[string]any)
	}
	return true
}

func (p *parser) info() {
	info, _ := p.root["info"].(map[string]any)
	p.doc.Title, _ = info["title"].(string)
	p.doc.Description, _ = info["description"].(string)
}

// servers reads the base URLs.
func (p *parser) servers() {
	if p.version == 2 {
		host, _ := p.root["host"].(string)
		base, _ := p.root["basePath"].(string)
		if host == "" {
			if base != "" {
				p.doc.Servers = []string{base}
			}
			return
		}
		schemes := stringList(p.root["schemes"])
		if len(schemes) == 0 {
			schemes = []string{"https"}
		}
		for _, s := range schemes {
			p.doc.Servers = append(p.doc.Servers, s+"://"+host+base)
		}
		return
	}
	p.doc.Servers = serverURLs(p.root["servers"])
}

// serverURLs reads an OpenAPI 3 servers array, variables replaced by their defaults.
func serverURLs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		s, _ := e.(map[string]any)
		u, _ := s["url"].(string)
		if u == "" {
			continue
		}
		vars, _ := s["variables"].(map[string]any)
		for name, def := range vars {
			d, _ := def.(map[string]any)
			val, _ := d["default"].(string)
			u = strings.ReplaceAll(u, "{"+name+"}", val)
		}
		out = append(out, u)
	}
	return out
}

// securitySchemes reads components.securitySchemes (2.0: securityDefinitions).
func (p *parser) securitySchemes() {
	var m map[string]any
	path := "securityDefinitions"
	if p.version == 2 {
		m, _ = p.root["securityDefinitions"].(map[string]any)
	} else {
		comps, _ := p.root["components"].(map[string]any)
		m, _ = comps["securitySchemes"].(map[string]any)
		path = "components.securitySchemes"
	}
	p.doc.SecuritySchemes = map[string]*SecurityScheme{}
	for name, v := range m {
		at := field(path, name)
		s, at, ok := p.deref(v, at)
		if !ok {
			continue
		}
		ss := &SecurityScheme{}
		ss.Type, _ = s["type"].(string)
		switch ss.Type {
		case "apiKey":
			ss.In, _ = s["in"].(string)
			ss.ParamName, _ = s["name"].(string)
			if !slices.Contains([]string{"header", "query", "cookie"}, ss.In) {
				p.ps.add(field(at, "in"), `must be "header", "query" or "cookie"`)
			}
			if ss.ParamName == "" {
				p.ps.add(field(at, "name"), "is required for an apiKey scheme")
			}
		case "basic":
			ss.Type, ss.Scheme = "http", "basic"
		case "http":
			sch, _ := s["scheme"].(string)
			ss.Scheme = strings.ToLower(sch)
		case "oauth2":
			if p.version == 2 {
				if flow, _ := s["flow"].(string); flow == "application" {
					ss.TokenURL, _ = s["tokenUrl"].(string)
				}
			} else if flows, ok := s["flows"].(map[string]any); ok {
				cc, _ := flows["clientCredentials"].(map[string]any)
				ss.TokenURL, _ = cc["tokenUrl"].(string)
			}
		case "openIdConnect", "mutualTLS":
		default:
			p.ps.add(field(at, "type"), "unknown security scheme type %s", jsonText(s["type"]))
		}
		p.doc.SecuritySchemes[name] = ss
	}
}

// security reads a security requirement array (an operation's, or the document's).
func (p *parser) security(v any, path string) []Requirement {
	list, ok := v.([]any)
	if !ok {
		p.ps.add(path, "must be an array of security requirements")
		return nil
	}
	out := []Requirement{}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			p.ps.add(index(path, i), "must be an object")
			continue
		}
		req := Requirement{}
		for _, name := range sortedKeys(m) {
			if _, known := p.doc.SecuritySchemes[name]; !known {
				p.ps.add(field(index(path, i), name), "no such security scheme")
				continue
			}
			req = append(req, SchemeRef{Scheme: name, Scopes: stringList(m[name])})
		}
		out = append(out, req)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// operations reads every operation of paths.
func (p *parser) operations() {
	paths, ok := p.root["paths"].(map[string]any)
	if !ok {
		if _, present := p.root["paths"]; present || p.version != 31 {
			p.ps.add("paths", "must be an object of path items")
		}
		return
	}
	if p.version == 2 {
		p.consumes = stringList(p.root["consumes"])
	}
	var docSecurity []Requirement
	if v, ok := p.root["security"]; ok {
		docSecurity = p.security(v, "security")
	}
	for _, path := range sortedKeys(paths) {
		at := field("paths", path)
		item, at, ok := p.deref(paths[path], at)
		if !ok {
			continue
		}
		if !strings.HasPrefix(path, "/") {
			p.ps.add(at, "a path must begin with /")
			continue
		}
		itemServers := serverURLs(item["servers"])
		for _, method := range methods {
			v, ok := item[method]
			if !ok {
				continue
			}
			p.operation(path, method, item, v, field(at, method), docSecurity, itemServers)
		}
	}
}

func (p *parser) operation(path, method string, item map[string]any, v any, at string, docSecurity []Requirement, itemServers []string) {
	o, ok := v.(map[string]any)
	if !ok {
		p.ps.add(at, "must be an object")
		return
	}
	op := &Operation{Method: strings.ToUpper(method), Path: path, At: at}
	op.ID, _ = o["operationId"].(string)
	op.Tags = stringList(o["tags"])
	if p.selectOp != nil && !p.selectOp(OperationInfo{Method: op.Method, Path: path, ID: op.ID, Tags: op.Tags}) {
		return
	}
	p.selected++
	op.Title, _ = o["summary"].(string)
	op.Description, _ = o["description"].(string)
	op.Deprecated = o["deprecated"] == true
	if op.Deprecated {
		op.Description = strings.TrimSpace(op.Description + "\n\n(Deprecated.)")
	}
	op.Servers = serverURLs(o["servers"])
	if len(op.Servers) == 0 {
		op.Servers = itemServers
	}
	op.Security = docSecurity
	if s, ok := o["security"]; ok {
		op.Security = p.security(s, field(at, "security"))
	}
	switch op.Method {
	case http.MethodGet, http.MethodHead:
		op.ReadOnly, op.Idempotent = true, true
	case http.MethodDelete:
		op.Destructive, op.Idempotent = true, true
	case http.MethodPut:
		op.Idempotent = true
	case http.MethodOptions, http.MethodTrace:
		op.ReadOnly, op.Idempotent = true, true
	}
	before := len(p.ps.list)
	b := &opBuilder{p: p, op: op, conv: &schemaConv{p: p, deps: map[string]bool{}}}
	skip := b.params(item, o, at)
	if skip == "" {
		skip = b.body(o, at)
	}
	if len(p.ps.list) > before {
		return
	}
	if skip != "" {
		p.skipped = append(p.skipped, Problem{Path: at, Message: "skipped: " + skip})
		return
	}
	if !b.inputSchema() {
		return
	}
	// The schemas are compiled as the server will compile them: an input schema it refuses
	// (a pattern RE2 cannot read, say) leaves the operation out, an output schema is dropped.
	if _, err := jsonschema.Compile(op.InputSchema); err != nil {
		p.skipped = append(p.skipped, Problem{Path: at, Message: "skipped: its input schema: " + err.Error()})
		return
	}
	b.outputSchema(o, at)
	if responses, ok := o["responses"].(map[string]any); ok {
		op.Responses = map[string]string{}
		for code, v := range responses {
			r, _ := v.(map[string]any)
			if d, _ := r["description"].(string); d != "" {
				op.Responses[code] = d
			}
		}
	}
	if op.OutputSchema != nil {
		if _, err := jsonschema.Compile(op.OutputSchema); err != nil {
			op.OutputSchema = nil
		}
	}
	op.Name = p.uniqueName(toolName(op))
	p.doc.Operations = append(p.doc.Operations, op)
}

// ResponseDescription returns the description the operation gives of an answer of status
// code: the status's own, else its class's ("4XX"); "" when none. The default answer's is not
// used: descriptions use it for success as often as for failure.
func (op *Operation) ResponseDescription(code int) string {
	s := strconv.Itoa(code)
	for _, k := range []string{s, s[:1] + "XX", s[:1] + "xx"} {
		if d, ok := op.Responses[k]; ok {
			return d
		}
	}
	return ""
}

// jsonText is the JSON form of a value, for messages.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// stringList reads an array of strings, skipping anything else.
func stringList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
