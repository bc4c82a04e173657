package manifest

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsonschema"
	"github.com/minimcp/minimcp/mcp"
)

/*
Design note: the manifest.

A manifest is a JSON file that declares what `minimcp serve --manifest FILE` offers, without Go:
tools that run a program (exec) or forward their arguments to an HTTP API (http), resources
read from files or from a directory through a URI template, prompts rendered from text
templates, skills read from directories holding a SKILL.md (manifest_skill.go), and OpenAPI
descriptions whose operations become tools (manifest_openapi.go). A tool marked "task" runs as
a task of the tasks extension for the clients that declare it. docs/manifest.md is the
reference; examples/manifest.json a complete example.

Loading is all or nothing. parseManifest checks every member of the file before anything is
registered, and reports every problem it finds, each as "manifest FILE: PATH: PROBLEM" with a
JSON path such as tools[2].exec.command, so a typo is fixed in one round. Unknown members are
problems (with a "did you mean" for near misses): a misspelt "timeout" must not silently mean
the default. Things the server will need at run time are checked at load time too: programs
are looked up in PATH, directories and files must exist, ${ENV} references must be set, and
every {{placeholder}} must name an argument the input schema declares. What cannot fail at
load time (a file deleted later, an upstream that is down) fails the one call, as a tool
error or a JSON-RPC error, never the server.

Relative paths in a manifest (exec.dir, a program given as a path, a resource's file or dir,
an OpenAPI description's file)
are relative to the directory of the manifest file, not to the server's working directory,
so a manifest means the same wherever minimcp is started from.

Placeholders are {{name}}; spaces inside the braces are allowed ({{ name }}). Values are never
handed to a shell: an exec placeholder is a whole argv element, an http placeholder is
percent-encoded, a prompt placeholder is plain text.
*/

// Manifest defaults. docs/manifest.md states them; keep the two in step.
const (
	defaultExecTimeout      = 30 * time.Second
	defaultMaxOutputBytes   = 1 << 20
	defaultHTTPToolTimeout  = 30 * time.Second
	defaultMaxResponseBytes = 1 << 20
	// defaultMaxResourceBytes bounds a resource read: a resources/read answer is one JSON
	// message built in memory, a blob is base64 (a third larger), so 10 MiB makes an answer of
	// at most about 13.4 MiB, which a client reading up to 16 MiB (minimcp's own) still takes,
	// while a stray large file (a log, a dump) cannot cost the server hundreds of MiB per read.
	defaultMaxResourceBytes = 10 << 20
	// maxShownProblems bounds the problems one manifestError lists.
	maxShownProblems = 20
)

// Options configures [Load]. The zero value of each field means its default.
type Options struct {
	// Version is the version of the program serving the manifest: the serverInfo version of a
	// manifest that names none, and the User-Agent (minimcp/VERSION) of its http tools. If
	// empty, "dev".
	Version string
	// OpenAPI, if set, is one more OpenAPI description to serve, as `minimcp serve --openapi`
	// gives it: added to the manifest's "openapi" array, or served alone by [Load] with no
	// file.
	OpenAPI *OpenAPI
}

// OpenAPI is an element of a manifest's "openapi" array given by flags rather than a file.
type OpenAPI struct {
	// Spec is the description: a file, relative to the working directory, or a URL.
	Spec string
	// BaseURL overrides the description's server URL; "" keeps it.
	BaseURL string
	// Headers are sent with every request, "Name: value" each; values may use ${NAME}.
	Headers []string
	// DryRun makes each call answer with the request it would send, sending nothing.
	DryRun bool
}

// openapiFlagsLabel names the flags in the problems of a description served without a
// manifest file.
const openapiFlagsLabel = "(--openapi)"

// element returns the "openapi" element o stands for.
func (o *OpenAPI) element() (json.RawMessage, error) {
	spec := o.Spec
	if !strings.HasPrefix(spec, "http://") && !strings.HasPrefix(spec, "https://") {
		abs, err := filepath.Abs(spec)
		if err != nil {
			return nil, err
		}
		spec = abs
	}
	e := map[string]any{"spec": spec}
	if o.BaseURL != "" {
		e["baseUrl"] = o.BaseURL
	}
	if len(o.Headers) > 0 {
		h := map[string]string{}
		for _, line := range o.Headers {
			name, value, _ := strings.Cut(line, ":")
			h[strings.TrimSpace(name)] = strings.TrimSpace(value)
		}
		e["headers"] = h
	}
	if o.DryRun {
		e["dryRun"] = true
	}
	return json.Marshal(e)
}

// withOpenAPI returns the manifest data with the element of o appended to its "openapi"
// array. Data that is not a JSON object is returned as it is, for parseManifest to report.
func withOpenAPI(data []byte, o *OpenAPI) ([]byte, error) {
	elem, err := o.element()
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte(`{}`)
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || top == nil {
		return data, nil
	}
	var list []json.RawMessage
	if raw, ok := top["openapi"]; ok && json.Unmarshal(raw, &list) != nil {
		return data, nil // not an array: reported as such
	}
	list = append(list, elem)
	if top["openapi"], err = json.Marshal(list); err != nil {
		return nil, err
	}
	return json.Marshal(top)
}

// Manifest is a parsed and fully checked manifest, ready to register. Its methods are not
// safe to call concurrently with each other; the handlers Register installs are.
type Manifest struct {
	// Impl is the server's name, title and version: the manifest's, or "minimcp" and
	// [Options.Version] where it gives none.
	Impl mcp.Implementation
	// Instructions are the manifest's instructions to clients, if any.
	Instructions string
	// version is Options.Version, or "dev".
	version string
	// maxResourceBytes is the default limit of a resource read.
	maxResourceBytes int64
	tools            []*manifestTool
	resources        []*fileResource
	templates        []*dirTemplate
	prompts          []*templatePrompt
	skills           []*mcp.Skill
	// execLimit bounds the programs of the exec tools running at once.
	execLimit *execLimit
	// transport carries the requests of http and openapi tools; nil when there are none.
	// close releases its idle connections.
	transport *http.Transport
	// warnings are what the server should log at start: the operations of OpenAPI
	// descriptions left out, and why.
	warnings []string
}

// manifestTool is a tool of the manifest and the handler that serves it.
type manifestTool struct {
	tool    *mcp.Tool
	handler func(logger *slog.Logger) mcp.ToolHandler
}

// Load reads and checks the manifest in file; opts may be nil. The error names the file and,
// for each problem, where it is, one per line. With opts.OpenAPI, file may be "": the manifest
// is then that description alone, and its problems are named "manifest (--openapi): ...".
func Load(file string, opts *Options) (*Manifest, error) {
	var data []byte
	if file != "" || opts == nil || opts.OpenAPI == nil {
		var err error
		if data, err = os.ReadFile(file); err != nil {
			return nil, fmt.Errorf("manifest %s: %w", file, err)
		}
	}
	if opts != nil && opts.OpenAPI != nil {
		var err error
		if data, err = withOpenAPI(data, opts.OpenAPI); err != nil {
			return nil, fmt.Errorf("--openapi: %w", err)
		}
		if file == "" {
			file = openapiFlagsLabel
		}
	}
	return parseManifest(file, data, opts)
}

// Register adds everything the manifest declares to srv. The manifest has been checked, so
// none of the registrations panics. Tool calls are logged to logger at debug level.
func (m *Manifest) Register(srv *mcp.Server, logger *slog.Logger) {
	for _, w := range m.warnings {
		logger.Warn(w)
	}
	for _, t := range m.tools {
		srv.AddRawTool(t.tool, t.handler(logger.With("tool", t.tool.Name)))
	}
	for _, r := range m.resources {
		srv.AddResource(&r.res, r.read)
	}
	for _, t := range m.templates {
		srv.AddResourceTemplate(&t.tmpl, t.read)
		srv.AddTemplateCompletion(t.tmpl.URITemplate, t.complete)
	}
	for _, p := range m.prompts {
		srv.AddPrompt(&p.prompt, p.get)
	}
	for _, sk := range m.skills {
		if err := srv.AddSkill(sk); err != nil {
			panic(err) // parseManifest checked each skill and their URIs
		}
	}
}

// SetMaxProcesses sets how many programs the manifest's exec tools may run at once, in all
// (--max-processes). Call it before the first call; n must be positive.
func (m *Manifest) SetMaxProcesses(n int) {
	*m.execLimit = *newExecLimit(n)
}

// ToolNames returns the names of the manifest's tools, in manifest order.
func (m *Manifest) ToolNames() []string {
	names := make([]string, len(m.tools))
	for i, t := range m.tools {
		names[i] = t.tool.Name
	}
	return names
}

// Close releases what the manifest's tools hold between calls: idle connections to upstreams.
func (m *Manifest) Close() {
	if m.transport != nil {
		m.transport.CloseIdleConnections()
	}
}

// manifestError lists the problems of a manifest, one per line.
type manifestError struct {
	file     string
	problems []string
}

func (e *manifestError) Error() string {
	var b strings.Builder
	for i, p := range e.problems {
		if i == maxShownProblems {
			fmt.Fprintf(&b, "\nmanifest %s: and %d more problems", e.file, len(e.problems)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("manifest ")
		b.WriteString(e.file)
		b.WriteString(": ")
		b.WriteString(p)
	}
	return b.String()
}

// parseManifest checks the manifest data read from file and returns it ready to register;
// opts may be nil.
func parseManifest(file string, data []byte, opts *Options) (*Manifest, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, se)
			return nil, fmt.Errorf("manifest %s:%d:%d: %s", file, line, col, se.Error())
		}
		if k := kindOf(data); k != '{' {
			return nil, &manifestError{file: file, problems: []string{"must be a JSON object"}}
		}
		return nil, fmt.Errorf("manifest %s: %w", file, err)
	}
	if top == nil {
		return nil, &manifestError{file: file, problems: []string{"must be a JSON object"}}
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", file, err)
	}
	c := &checker{file: file, dir: filepath.Dir(abs)}
	m := &Manifest{execLimit: newExecLimit(DefaultMaxProcesses), version: "dev"}
	if opts != nil && opts.Version != "" {
		m.version = opts.Version
	}
	o := &jsonObject{c: c, members: top}
	o.take("$schema") // for editors; not used
	m.Impl.Name, _ = o.str("name")
	m.Impl.Title, _ = o.str("title")
	m.Impl.Version, _ = o.str("version")
	m.Instructions, _ = o.str("instructions")
	m.maxResourceBytes = o.positive("maxResourceBytes", defaultMaxResourceBytes)
	if m.Impl.Name == "" {
		m.Impl.Name = "minimcp"
	}
	if m.Impl.Version == "" {
		m.Impl.Version = m.version
	}
	tools, _ := o.array("tools")
	resources, _ := o.array("resources")
	prompts, _ := o.array("prompts")
	skills, _ := o.array("skills")
	specs, _ := o.array("openapi")
	o.done()
	if len(tools)+len(resources)+len(prompts)+len(skills)+len(specs) == 0 && len(c.problems) == 0 {
		c.errorf("", "declares no tools, resources, prompts, skills or OpenAPI descriptions")
	}

	toolAt := map[string]string{}
	for i, raw := range tools {
		path := indexPath("tools", i)
		t := c.tool(path, raw, m)
		if t == nil {
			continue
		}
		if prev, dup := toolAt[t.tool.Name]; dup {
			c.errorf(path+".name", "duplicate tool name %q (also %s)", t.tool.Name, prev)
			continue
		}
		toolAt[t.tool.Name] = path
		m.tools = append(m.tools, t)
	}
	for i, raw := range specs {
		c.openapiSpec(indexPath("openapi", i), raw, m, toolAt)
	}
	uriAt := map[string]string{}
	for i, raw := range resources {
		path := indexPath("resources", i)
		c.resource(path, raw, m, uriAt)
	}
	promptAt := map[string]string{}
	for i, raw := range prompts {
		path := indexPath("prompts", i)
		p := c.prompt(path, raw)
		if p == nil {
			continue
		}
		if prev, dup := promptAt[p.prompt.Name]; dup {
			c.errorf(path+".name", "duplicate prompt name %q (also %s)", p.prompt.Name, prev)
			continue
		}
		promptAt[p.prompt.Name] = path
		m.prompts = append(m.prompts, p)
	}
	skillAt := map[string]string{}
	for i, raw := range skills {
		c.skill(indexPath("skills", i), raw, m, skillAt)
	}
	for _, sk := range m.skills {
		// A skill's files are resources under its directory's URI.
		dir := strings.TrimSuffix(sk.URI(), "SKILL.md")
		for uri, at := range uriAt {
			if strings.HasPrefix(uri, dir) {
				c.errorf(at+".uri", "%q is inside the directory of the skill at %s (%s)", uri, sk.URI(), skillAt[sk.URI()])
			}
		}
	}
	if len(c.problems) > 0 {
		return nil, &manifestError{file: file, problems: c.problems}
	}
	return m, nil
}

// placeholderRE matches a {{name}} placeholder.
var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}`)

// wholePlaceholder returns the argument name if s is exactly one placeholder.
func wholePlaceholder(s string) (string, bool) {
	m := placeholderRE.FindStringSubmatchIndex(s)
	if m == nil || m[0] != 0 || m[1] != len(s) {
		return "", false
	}
	return s[m[2]:m[3]], true
}

// validToolName reports whether name follows MCP 2025-11-25, Server § Tools, Tool Names: 1 to
// 128 characters of A-Z a-z 0-9 _ - and . only.
func validToolName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// inputShape is what the manifest needs to know of a tool's input schema: its top-level
// properties and which of them are required.
type inputShape struct {
	props    map[string]bool
	required map[string]bool
}

// tool checks one element of "tools".
func (c *checker) tool(path string, raw json.RawMessage, m *Manifest) *manifestTool {
	o := c.object(path, raw)
	if o == nil {
		return nil
	}
	t := &mcp.Tool{}
	name, nameOK := o.requiredStr("name")
	if nameOK && !validToolName(name) {
		c.errorf(o.at("name"), `must be 1 to 128 characters of A-Z, a-z, 0-9, "_", "-" and "." (MCP tool names), got %q`, name)
		nameOK = false
	}
	t.Name = name
	t.Title, _ = o.str("title")
	t.Description, _ = o.str("description")
	schema, shape, schemaOK := c.inputSchema(o)
	t.InputSchema = schema
	if a := o.object("annotations"); a != nil {
		t.Annotations = c.annotations(a)
	}
	t.Scopes = o.scopes()
	if task, ok := o.str("task"); ok {
		switch mcp.TaskSupport(task) {
		case mcp.TaskOptional, mcp.TaskRequired:
			t.TaskSupport = mcp.TaskSupport(task)
		default:
			c.errorf(o.at("task"), `must be "optional" (a task when the client supports tasks) or "required" (always a task), got %q`, task)
		}
	}
	hasExec, hasHTTP := o.has("exec"), o.has("http")
	var handler func(*slog.Logger) mcp.ToolHandler
	switch {
	case hasExec == hasHTTP:
		o.take("exec")
		o.take("http")
		c.errorf(path, `must have exactly one of "exec" and "http"`)
	case hasExec:
		if e := o.object("exec"); e != nil {
			if x := c.execTool(e, name, shape, schemaOK, m); x != nil {
				handler = x.handler
			}
		}
	default:
		if h := o.object("http"); h != nil {
			if x := c.httpTool(h, name, shape, schemaOK, m); x != nil {
				handler = x.handler
			}
		}
	}
	o.done()
	if !nameOK || !schemaOK || handler == nil {
		return nil
	}
	if t.TaskSupport != mcp.TaskForbidden {
		// The whole call is the task: a 2026-07-28 client that declares the tasks extension
		// gets a task at once and polls it (see mcp.RunTask); tasks/cancel cancels the call's
		// context, which kills the program as a client's cancellation does.
		inner := handler
		handler = func(logger *slog.Logger) mcp.ToolHandler { return mcp.TaskHandler(inner(logger)) }
	}
	return &manifestTool{tool: t, handler: handler}
}

// inputSchema reads and compiles a tool's inputSchema.
func (c *checker) inputSchema(o *jsonObject) (json.RawMessage, inputShape, bool) {
	path := o.at("inputSchema")
	if !o.has("inputSchema") {
		o.take("inputSchema")
		c.errorf(path, `is required: a JSON Schema object such as {"type": "object", "properties": {...}}`)
		return nil, inputShape{}, false
	}
	raw := o.take("inputSchema")
	s, err := jsonschema.Compile(raw)
	if err != nil {
		var se *jsonschema.SchemaError
		if errors.As(err, &se) && se.Pointer != "" {
			c.errorf(path, "at #%s: %s", se.Pointer, se.Message)
		} else if se != nil {
			c.errorf(path, "%s", se.Message)
		} else {
			c.errorf(path, "%v", err)
		}
		return nil, inputShape{}, false
	}
	if !s.IsObject() {
		c.errorf(path, `must have "type": "object"`)
		return nil, inputShape{}, false
	}
	var doc struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	_ = json.Unmarshal(raw, &doc) // Compile has checked the forms of both keywords
	shape := inputShape{props: map[string]bool{}, required: map[string]bool{}}
	for k := range doc.Properties {
		shape.props[k] = true
	}
	for _, k := range doc.Required {
		shape.required[k] = true
	}
	return s.Raw(), shape, true
}

// checkPlaceholder reports a placeholder that names no property of the input schema.
func (c *checker) checkPlaceholder(path, name string, shape inputShape) bool {
	if shape.props[name] {
		return true
	}
	props := slices.Sorted(func(yield func(string) bool) {
		for k := range shape.props {
			if !yield(k) {
				return
			}
		}
	})
	if near := nearest(name, props); near != "" {
		c.errorf(path, "{{%s}} is not a property of inputSchema (did you mean {{%s}}?)", name, near)
	} else {
		c.errorf(path, "{{%s}} is not a property of inputSchema", name)
	}
	return false
}

// annotations reads a tool's annotations.
func (c *checker) annotations(o *jsonObject) *mcp.ToolAnnotations {
	a := &mcp.ToolAnnotations{}
	a.Title, _ = o.str("title")
	for _, f := range []struct {
		key string
		dst **bool
	}{
		{"readOnlyHint", &a.ReadOnlyHint},
		{"destructiveHint", &a.DestructiveHint},
		{"idempotentHint", &a.IdempotentHint},
		{"openWorldHint", &a.OpenWorldHint},
	} {
		if v, ok := o.boolean(f.key); ok {
			*f.dst = &v
		}
	}
	o.done()
	return a
}
