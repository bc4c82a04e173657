package manifest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsonschema"
	"github.com/minimcp/minimcp/internal/openapi"
	"github.com/minimcp/minimcp/mcp"
)

/*
Design note: OpenAPI tools.

An element of the manifest's "openapi" array names an OpenAPI description (a file or a URL,
JSON or YAML; Swagger 2.0, OpenAPI 3.0 or 3.1) and serves each of its operations as a tool:
package internal/openapi reads the description and makes the tools' definitions (names,
schemas, annotations) and, at each call, serializes the arguments into the request's path
values, query, headers, cookies and body. This file joins that to the machinery of http tools,
which it shares rather than repeats: the URL is a urlTemplate (the base URL, then the
operation's path with its parameters), so that a path value that makes a dot segment is
refused as it is for an http tool; the request is sent by httpTool.send, with the same
timeout, bounded answer, redirects within the origin only, and results (JSON as text and
structuredContent, other text as text, binary described, a non-2xx answer a tool error, with
what the description says of that status).

Credentials go only where the operation's security asks for them: of the ways it accepts, the
first whose schemes all have credentials in "auth" is used (an API key in its header, query
parameter or cookie, a bearer token, basic credentials, or an OAuth2 token fetched with the
client credentials grant and cached until shortly before it expires), and none when it accepts
none or none is configured. Credentials come from the environment (${NAME}), never appear in
a result, a dry run or a log line, and a query argument or an exploded object cannot repeat
the name of an API key's query parameter or cookie.

A dry run answers each call with the request it would send, credentials hidden, and sends
nothing: a way to see what a model's calls would do before letting them reach the API.
*/

// Limits of reading a description.
const (
	// defaultMaxSpecBytes bounds a description, read from a file or a URL, unless the
	// element sets maxSpecBytes. GitHub's, among the largest, is 13 MB.
	defaultMaxSpecBytes = 64 << 20
	// defaultSpecTimeout bounds fetching a description from a URL, unless the element sets
	// specTimeout.
	defaultSpecTimeout = 30 * time.Second
)

// openapiTool is a tool made from an operation of an OpenAPI description.
type openapiTool struct {
	name   string
	op     *openapi.Operation
	url    *urlTemplate // the base URL and the operation's path; its query the base URL's
	header http.Header  // the manifest's headers, ${ENV} expanded; never shown
	host   string       // a Host header the manifest sets
	creds  map[string]*credential
	// reservedQuery and reservedCookies are the names an argument may not write: the base
	// URL's query parameters and the API keys' parameters and cookies.
	reservedQuery, reservedCookies []string
	send                           *httpTool          // the sending machinery, shared with http tools
	output                         *jsonschema.Schema // nil without an output schema
	dryRun                         bool
}

// credential is what the manifest gives for one security scheme.
type credential struct {
	scheme *openapi.SecurityScheme
	value  string                     // an API key, a bearer token, or basic's "user:password"
	cc     *openapi.ClientCredentials // for an oauth2 scheme with client credentials
}

// openapiSpec checks one element of "openapi" and adds its tools to m.
func (c *checker) openapiSpec(path string, raw json.RawMessage, m *Manifest, toolAt map[string]string) {
	o := c.object(path, raw)
	if o == nil {
		return
	}
	spec, specOK := o.requiredStr("spec")
	base, hasBase := o.str("baseUrl")
	include := c.opFilter(o, "include")
	exclude := c.opFilter(o, "exclude")
	prefix, _ := o.str("namePrefix")
	header, host, headersOK := c.headers(o)
	authObj := o.object("auth")
	timeout := o.duration("timeout", defaultHTTPToolTimeout)
	maxResponse := o.positive("maxResponseBytes", defaultMaxResponseBytes)
	dryRun, _ := o.boolean("dryRun")
	maxSpec := o.positive("maxSpecBytes", defaultMaxSpecBytes)
	specTimeout := o.duration("specTimeout", defaultSpecTimeout)
	withOutput := true
	if v, present := o.boolean("outputSchema"); present {
		withOutput = v
	}
	o.done()
	if !specOK {
		return
	}
	specPath := o.at("spec")
	data, specURL, err := c.readSpec(spec, "minimcp/"+m.version, maxSpec, specTimeout)
	if err != nil {
		c.errorf(specPath, "%v", err)
		return
	}
	seen := &opSeen{ids: map[string]bool{}, tags: map[string]bool{}}
	doc, err := openapi.Parse(data, &openapi.Options{Select: func(op openapi.OperationInfo) bool {
		seen.add(op)
		return include.matches(op, true) && !exclude.matches(op, false)
	}})
	include.check(c, seen)
	exclude.check(c, seen)
	if err != nil {
		var oe *openapi.Error
		if !errors.As(err, &oe) {
			c.errorf(specPath, "%s: %v", spec, err)
			return
		}
		for _, p := range oe.Problems {
			c.errorf(specPath, "%s: %s", spec, p)
		}
		return
	}
	for _, s := range doc.Skipped {
		m.warnings = append(m.warnings, fmt.Sprintf("%s: %s: %s", specPath, spec, s))
	}
	var baseURL *url.URL
	if hasBase {
		baseURL = c.baseURL(o.at("baseUrl"), c.expandEnv(o.at("baseUrl"), base), nil)
	}
	creds := c.credentials(authObj, doc)
	if !headersOK || hasBase && baseURL == nil {
		return
	}
	if m.transport == nil {
		m.transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	client := &http.Client{Transport: m.transport, CheckRedirect: checkRedirect}
	for _, cr := range creds {
		if cr.cc != nil {
			// The token endpoint gets the same client: no redirect elsewhere with the secret.
			cr.cc.Client = client
		}
	}
	for _, op := range doc.Operations {
		u := baseURL
		if u == nil {
			servers := op.Servers
			if len(servers) == 0 {
				servers = doc.Servers
			}
			if len(servers) == 0 {
				c.errorf(path, `%s gives no server URL for %s %s: set "baseUrl"`, spec, op.Method, op.Path)
				return
			}
			if u = c.baseURL(specPath, servers[0], specURL); u == nil {
				return
			}
		}
		name := op.Name
		if prefix != "" {
			name = openapi.SanitizeName(prefix + name)
		}
		if prev, dup := toolAt[name]; dup {
			c.errorf(specPath, "%s: the tool name %q of %s %s is taken (%s); set \"namePrefix\" or exclude one", spec, name, op.Method, op.Path, prev)
			continue
		}
		toolAt[name] = fmt.Sprintf("%s (%s %s)", path, op.Method, op.Path)
		x := &openapiTool{name: name, op: op, header: header, host: host, creds: creds, dryRun: dryRun,
			send: &httpTool{name: name, method: op.Method, timeout: timeout, maxResponse: maxResponse, client: client,
				userAgent: "minimcp/" + m.version, statusNote: op.ResponseDescription, binaryContent: true}}
		x.url, x.reservedQuery = urlTemplateFor(u, op.Path)
		for _, cr := range creds {
			if cr.scheme.Type == "apiKey" && cr.scheme.In == "query" {
				x.reservedQuery = append(x.reservedQuery, cr.scheme.ParamName)
			}
			if cr.scheme.Type == "apiKey" && cr.scheme.In == "cookie" {
				x.reservedCookies = append(x.reservedCookies, cr.scheme.ParamName)
			}
		}
		t := &mcp.Tool{Name: name, Title: op.Title, Description: op.Description, InputSchema: op.InputSchema}
		if t.Description == "" {
			t.Description = op.Title
		}
		if withOutput && !dryRun && op.OutputSchema != nil {
			t.OutputSchema = op.OutputSchema
			x.output, _ = jsonschema.Compile(op.OutputSchema) // internal/openapi compiled it
		}
		t.Annotations = &mcp.ToolAnnotations{OpenWorldHint: ptr(true)}
		if op.ReadOnly {
			t.Annotations.ReadOnlyHint = ptr(true)
		}
		if op.Destructive {
			t.Annotations.DestructiveHint = ptr(true)
		}
		if op.Idempotent {
			t.Annotations.IdempotentHint = ptr(true)
		}
		m.tools = append(m.tools, &manifestTool{tool: t, handler: x.handler})
	}
}

func ptr[T any](v T) *T { return &v }

// readSpec reads a description from a file (relative to the manifest) or an http(s) URL. The
// URL is returned for the description's relative server URLs.
func (c *checker) readSpec(spec, userAgent string, maxBytes int64, timeout time.Duration) ([]byte, *url.URL, error) {
	if !strings.HasPrefix(spec, "http://") && !strings.HasPrefix(spec, "https://") {
		f, err := os.Open(c.resolve(spec))
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
		if err != nil {
			return nil, nil, err
		}
		if int64(len(data)) > maxBytes {
			return nil, nil, fmt.Errorf("%s is larger than %d bytes (maxSpecBytes)", spec, maxBytes)
		}
		return data, nil, nil
	}
	u, err := url.Parse(spec)
	if err != nil || u.Host == "" {
		return nil, nil, fmt.Errorf("%s: not a URL", spec)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, spec, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json, application/yaml;q=0.9, */*;q=0.8")
	req.Header.Set("User-Agent", userAgent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("fetching the description: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("fetching the description: %s answered %s", u.Redacted(), resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("fetching the description: %v", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, nil, fmt.Errorf("the description at %s is larger than %d bytes (maxSpecBytes)", u.Redacted(), maxBytes)
	}
	return data, resp.Request.URL, nil
}

// baseURL checks a base URL (from "baseUrl", or the description's servers, resolved against
// the description's own URL when it is relative).
func (c *checker) baseURL(path, raw string, specURL *url.URL) *url.URL {
	u, err := url.Parse(raw)
	if err == nil && !u.IsAbs() && specURL != nil {
		u = specURL.ResolveReference(u)
	}
	switch {
	case err != nil:
		c.errorf(path, "%q: %v", raw, err)
		return nil
	case !u.IsAbs():
		c.errorf(path, `the server URL %q is relative: set "baseUrl" (or --openapi-base)`, raw)
		return nil
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		c.errorf(path, "the server URL %q must be an absolute http or https URL", raw)
		return nil
	}
	u.Fragment, u.RawFragment = "", ""
	return u
}

// urlTemplateFor returns the URL template of an operation: the base URL's path, then the
// operation's path with each {parameter} a placeholder for its serialized value; its query is
// the base URL's. It returns the names of the base URL's query parameters too.
func urlTemplateFor(base *url.URL, path string) (*urlTemplate, []string) {
	prefix := *base
	prefix.RawQuery, prefix.ForceQuery = "", false
	head := strings.TrimSuffix(prefix.String(), "/")
	t := &urlTemplate{args: map[string]bool{}}
	lit := head
	for _, p := range openapi.SplitPath(path) {
		if p.Param == "" {
			lit += p.Literal
			continue
		}
		t.parts = append(t.parts, urlPart{literal: lit}, urlPart{arg: p.Param})
		t.args[p.Param] = true
		lit = ""
	}
	if base.RawQuery != "" {
		lit += "?" + base.RawQuery
		t.queryNames, _ = queryNamesOf(base.RawQuery)
	}
	t.parts = append(t.parts, urlPart{literal: lit})
	return t, t.queryNames
}

// opFilter is an "include" or "exclude" member: operations by tag, operationId or method.
type opFilter struct {
	path                   string
	tags, operations, meth []string
}

// opSeen collects the operationIds and tags of a description, for the filters' checks.
type opSeen struct {
	ids, tags map[string]bool
}

func (s *opSeen) add(op openapi.OperationInfo) {
	s.ids[op.ID] = true
	for _, t := range op.Tags {
		s.tags[t] = true
	}
}

func (c *checker) opFilter(o *jsonObject, key string) *opFilter {
	f := o.object(key)
	if f == nil {
		return nil
	}
	out := &opFilter{path: f.path}
	out.tags = c.stringArray(f, "tags")
	out.operations = c.stringArray(f, "operations")
	out.meth = c.stringArray(f, "methods")
	for i, m := range out.meth {
		if !slices.Contains([]string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}, strings.ToUpper(m)) {
			c.errorf(indexPath(fieldPath(f.path, "methods"), i), "%q is not an HTTP method", m)
		}
	}
	f.done()
	return out
}

// stringArray reads an array of strings.
func (c *checker) stringArray(o *jsonObject, key string) []string {
	elems, ok := o.array(key)
	if !ok {
		return nil
	}
	var out []string
	for i, raw := range elems {
		var s string
		if kindOf(raw) != '"' || json.Unmarshal(raw, &s) != nil {
			c.errorf(indexPath(o.at(key), i), "must be a string")
			continue
		}
		out = append(out, s)
	}
	return out
}

// matches reports whether op is one the filter names; a nil filter matches as empty says.
func (f *opFilter) matches(op openapi.OperationInfo, empty bool) bool {
	if f == nil {
		return empty
	}
	return slices.Contains(f.operations, op.ID) ||
		slices.ContainsFunc(f.meth, func(m string) bool { return strings.EqualFold(m, op.Method) }) ||
		slices.ContainsFunc(op.Tags, func(t string) bool { return slices.Contains(f.tags, t) })
}

// check reports the tags and operationIds a filter names that the description does not have.
func (f *opFilter) check(c *checker, seen *opSeen) {
	if f == nil {
		return
	}
	for _, list := range []struct {
		key   string
		names []string
		have  map[string]bool
	}{{"tags", f.tags, seen.tags}, {"operations", f.operations, seen.ids}} {
		have := make([]string, 0, len(list.have))
		for k := range list.have {
			have = append(have, k)
		}
		sort.Strings(have)
		for i, n := range list.names {
			if list.have[n] {
				continue
			}
			what := map[string]string{"tags": "no operation has the tag", "operations": "no operation has the operationId"}[list.key]
			if near := nearest(n, have); near != "" {
				c.errorf(indexPath(fieldPath(f.path, list.key), i), "%s %q (did you mean %q?)", what, n, near)
			} else {
				c.errorf(indexPath(fieldPath(f.path, list.key), i), "%s %q", what, n)
			}
		}
	}
}

// credentials reads "auth": for each security scheme of the description, what to send.
func (c *checker) credentials(o *jsonObject, doc *openapi.Document) map[string]*credential {
	out := map[string]*credential{}
	if o == nil {
		return out
	}
	names := make([]string, 0, len(o.members))
	for k := range o.members {
		names = append(names, k)
	}
	sort.Strings(names)
	schemes := make([]string, 0, len(doc.SecuritySchemes))
	for k := range doc.SecuritySchemes {
		schemes = append(schemes, k)
	}
	sort.Strings(schemes)
	for _, name := range names {
		s, ok := doc.SecuritySchemes[name]
		if !ok {
			o.take(name)
			if near := nearest(name, schemes); near != "" {
				c.errorf(o.at(name), "the description has no security scheme %q (did you mean %q?)", name, near)
			} else {
				c.errorf(o.at(name), "the description has no security scheme %q (it has: %s)", name, strings.Join(schemes, ", "))
			}
			continue
		}
		a := o.object(name)
		if a == nil {
			continue
		}
		cr := &credential{scheme: s}
		switch {
		case s.Type == "apiKey":
			v, ok := a.requiredStr("value")
			if ok {
				cr.value = c.expandEnv(a.at("value"), v)
			}
		case s.Type == "http" && s.Scheme == "basic":
			user, uok := a.requiredStr("username")
			pass, _ := a.str("password")
			if uok {
				cr.value = c.expandEnv(a.at("username"), user) + ":" + c.expandEnv(a.at("password"), pass)
			}
		case s.Type == "http" && s.Scheme == "bearer" || s.Type == "openIdConnect" ||
			s.Type == "oauth2" && (a.has("token") || !a.has("clientId")):
			v, ok := a.requiredStr("token")
			if ok {
				cr.value = c.expandEnv(a.at("token"), v)
			}
		case s.Type == "oauth2":
			cc := &openapi.ClientCredentials{TokenURL: s.TokenURL}
			if id, ok := a.requiredStr("clientId"); ok {
				cc.ClientID = c.expandEnv(a.at("clientId"), id)
			}
			if secret, ok := a.requiredStr("clientSecret"); ok {
				cc.ClientSecret = c.expandEnv(a.at("clientSecret"), secret)
			}
			if u, ok := a.str("tokenUrl"); ok {
				cc.TokenURL = c.expandEnv(a.at("tokenUrl"), u)
			}
			cc.Scopes = c.stringArray(a, "scopes")
			if tu, err := url.Parse(cc.TokenURL); err != nil || (tu.Scheme != "https" && tu.Scheme != "http") || tu.Host == "" {
				c.errorf(a.path, `needs "tokenUrl", an absolute http or https URL (the description's clientCredentials flow gives none)`)
			}
			cr.cc = cc
		default:
			c.errorf(a.path, "security scheme %q is of type %s %s, which minimcp cannot send", name, s.Type, s.Scheme)
		}
		a.done()
		out[name] = cr
	}
	o.done()
	return out
}

func (x *openapiTool) handler(logger *slog.Logger) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
		start := time.Now()
		res, status, err := x.run(ctx, args)
		logger.DebugContext(ctx, "openapi tool called", "principal", req.Principal(), "method", x.op.Method,
			"path", x.op.Path, "status", status, "duration", time.Since(start), "isError", res != nil && res.IsError, "err", err)
		return res, err
	}
}

// run serializes the arguments into the operation's request, sends it (or, in a dry run,
// describes it) and turns the answer into a result.
func (x *openapiTool) run(ctx context.Context, args json.RawMessage) (*mcp.CallToolResult, int, error) {
	var values map[string]json.RawMessage
	if err := json.Unmarshal(args, &values); err != nil {
		return mcp.ErrorResult("arguments must be a JSON object"), 0, nil
	}
	r, err := x.op.Build(values, &openapi.BuildOptions{ReservedQuery: x.reservedQuery, ReservedCookies: x.reservedCookies})
	if err != nil {
		return mcp.ErrorResult(err.Error()), 0, nil
	}
	target, err := x.url.fillEscaped(r.PathValues)
	if err != nil {
		return mcp.ErrorResult(err.Error()), 0, nil
	}
	// What a dry run shows: the same, credentials hidden, and the base URL's query too, which
	// may hold one from the environment.
	shown := *target
	shown.User, shown.RawQuery = nil, "" // user info is a credential too
	for _, n := range x.url.queryNames {
		shown.RawQuery = joinQuery(shown.RawQuery, url.QueryEscape(n)+"=(set by the manifest)")
	}
	if r.Query != "" {
		target.RawQuery = joinQuery(target.RawQuery, r.Query)
		shown.RawQuery = joinQuery(shown.RawQuery, r.Query)
	}
	header := x.header.Clone()
	shownHeader := http.Header{}
	for k := range header {
		shownHeader.Set(k, "(set by the manifest)")
	}
	for k, v := range r.Header {
		if header.Get(k) == "" {
			header[k] = v
			shownHeader[k] = v
		}
	}
	cookies := r.Cookies
	shownCookies := slices.Clone(r.Cookies)
	var used []*credential
	if req := x.requirement(); req != nil {
		for _, ref := range req {
			cr := x.creds[ref.Scheme]
			used = append(used, cr)
			s := cr.scheme
			switch {
			case s.Type == "apiKey" && s.In == "header":
				header.Set(s.ParamName, cr.value)
				shownHeader.Set(s.ParamName, "(secret)")
			case s.Type == "apiKey" && s.In == "query":
				kv := url.QueryEscape(s.ParamName) + "="
				target.RawQuery = joinQuery(target.RawQuery, kv+url.QueryEscape(cr.value))
				shown.RawQuery = joinQuery(shown.RawQuery, kv+"(secret)")
			case s.Type == "apiKey" && s.In == "cookie":
				cookies = append(cookies, s.ParamName+"="+cr.value)
				shownCookies = append(shownCookies, s.ParamName+"=(secret)")
			case s.Type == "http" && s.Scheme == "basic":
				header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cr.value)))
				shownHeader.Set("Authorization", "Basic (secret)")
			case cr.cc != nil:
				if x.dryRun {
					shownHeader.Set("Authorization", "Bearer (a token from "+withoutSecrets(cr.cc.TokenURL)+")")
					continue
				}
				// The token is part of the call: its fetch is bounded by the tool's timeout too,
				// or a token endpoint that never answers would hold the call (and the token
				// lock every other call waits on) as long as the client waits.
				tctx, cancel := context.WithTimeoutCause(ctx, x.send.timeout, errHTTPToolTimeout)
				tok, err := cr.cc.Token(tctx)
				timedOut := errors.Is(context.Cause(tctx), errHTTPToolTimeout)
				cancel()
				switch {
				case err != nil && ctx.Err() != nil:
					return nil, 0, context.Cause(ctx)
				case err != nil && timedOut:
					return mcp.ErrorResult(fmt.Sprintf("getting a token for %s: the token endpoint did not answer within %v", ref.Scheme, x.send.timeout)), 0, nil
				case err != nil:
					return mcp.ErrorResult(fmt.Sprintf("getting a token for %s: %v", ref.Scheme, err)), 0, nil
				}
				header.Set("Authorization", "Bearer "+tok)
			default:
				header.Set("Authorization", "Bearer "+cr.value)
				shownHeader.Set("Authorization", "Bearer (secret)")
			}
		}
	}
	if len(cookies) > 0 {
		header.Set("Cookie", strings.Join(cookies, "; "))
		shownHeader.Set("Cookie", strings.Join(shownCookies, "; "))
	}
	if r.ContentType != "" {
		header.Set("Content-Type", r.ContentType)
		shownHeader.Set("Content-Type", r.ContentType)
	}
	if x.dryRun {
		return x.describe(&shown, shownHeader, r.Body), 0, nil
	}
	res, status, err := x.send.send(ctx, func(ctx context.Context) (*http.Request, error) {
		var body io.Reader
		if r.Body != nil {
			body = bytes.NewReader(r.Body)
		}
		hreq, err := http.NewRequestWithContext(ctx, x.op.Method, target.String(), body)
		if err != nil {
			return nil, err
		}
		hreq.Header = header
		hreq.Host = x.host
		return hreq, nil
	})
	if status == http.StatusUnauthorized {
		for _, cr := range used {
			if cr.cc != nil {
				cr.cc.Invalidate(ctx) // refused: the next call gets a new token
			}
		}
	}
	if err != nil || res == nil || res.IsError || x.output == nil {
		return res, status, err
	}
	return x.checkOutput(res), status, nil
}

// withoutSecrets returns a URL, which may come from the environment, without what may be a
// credential: its user info and its query.
func withoutSecrets(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(the tokenUrl)"
	}
	u.User, u.RawQuery, u.ForceQuery = nil, "", false
	return u.String()
}

// requirement returns the way to authenticate this call: the first of the operation's
// security requirements whose schemes all have credentials, or nil.
func (x *openapiTool) requirement() openapi.Requirement {
	for _, req := range x.op.Security {
		if len(req) == 0 {
			continue
		}
		if !slices.ContainsFunc(req, func(r openapi.SchemeRef) bool { return x.creds[r.Scheme] == nil }) {
			return req
		}
	}
	return nil
}

// checkOutput holds a result to the tool's output schema, which the server requires of its
// structuredContent: an answer that is not the JSON object the description promises is a tool
// error that says so, with the answer.
func (x *openapiTool) checkOutput(res *mcp.CallToolResult) *mcp.CallToolResult {
	text := ""
	if len(res.Content) > 0 {
		if tc, ok := res.Content[0].(*mcp.TextContent); ok {
			text = tc.Text
		}
	}
	if res.StructuredContent == nil {
		return mcp.ErrorResult("the upstream's answer is not the JSON object the description promises: " + excerpt([]byte(text)))
	}
	if err := x.output.Validate(res.StructuredContent); err != nil {
		return mcp.ErrorResult(fmt.Sprintf("the upstream's answer does not match the description's response schema (%v): %s", err, excerpt([]byte(text))))
	}
	return res
}

// describe is a dry run's result: the request, as it would be sent, credentials hidden.
func (x *openapiTool) describe(u *url.URL, header http.Header, body []byte) *mcp.CallToolResult {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", x.op.Method, u.String())
	keys := make([]string, 0, len(header))
	for k := range header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	if body != nil {
		b.WriteString("\n")
		b.Write(body)
		b.WriteString("\n")
	}
	b.WriteString("(dry run: nothing was sent)")
	return mcp.TextResult(b.String())
}

func joinQuery(q, kv string) string {
	if q == "" {
		return kv
	}
	return q + "&" + kv
}
