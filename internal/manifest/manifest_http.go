package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
)

/*
Design note: http tools.

An http tool forwards a call to an upstream HTTP API. The URL is a template: each {{name}} in
its path or query is replaced by the argument's value, percent-encoded for where it stands
(url.PathEscape in the path, url.QueryEscape in the query), so a value can never add a path
segment or a parameter. Placeholders may not appear in the scheme or the host: a tool must not
be turned into a request to a host of the caller's choosing. A URL placeholder must name a
required argument, since the URL cannot be built without it.

The arguments the URL does not use go as query parameters (GET, DELETE, or "body": "none") or
as a JSON object in the body (POST, PUT, PATCH, or "body": "json"), in sorted order.
manifest_http_request.go builds the request, and says what it refuses so that the request
stays the one the manifest describes (dot segments, a second value for a fixed query
parameter, redirects to another origin).

Secrets stay out of the manifest: ${NAME} in the URL and in header values is replaced by the
server's environment variable NAME when the manifest loads (an unset one is a manifest
error). They stay out of results too: errors name the method and the problem, never the
expanded URL or headers.

A JSON answer is the tool's text (compacted), and its structuredContent when it is an object
(MCP 2025-11-25, Server § Tools, Structured Content). Other text is the tool's text; a binary
answer is described, not shown. An answer beyond maxResponseBytes is cut (and is then text
only, since cut JSON is not JSON). A non-2xx status is a tool error with the status and the
beginning of the body, which is what a model needs to correct its call.
*/

// errHTTPToolTimeout is the cause of the context of an upstream request that took longer than
// its tool's timeout.
var errHTTPToolTimeout = errors.New("manifest: http tool timed out")

// upstreamExcerptBytes is how much of a non-2xx answer a tool error shows.
const upstreamExcerptBytes = 1024

// httpToolMethods are the methods an http tool may use.
var httpToolMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// httpTool is a tool that forwards its arguments to an upstream URL.
type httpTool struct {
	name        string
	method      string
	url         *urlTemplate
	header      http.Header // with ${ENV} expanded; never shown
	host        string      // a Host header, if the manifest sets one
	jsonBody    bool
	timeout     time.Duration
	maxResponse int64
	client      *http.Client
	userAgent   string // minimcp/VERSION, unless the manifest sets a User-Agent
	// statusNote, if set, says what the upstream's API means by an answer's status, for the
	// tool error of a non-2xx answer (an OpenAPI operation's description of it).
	statusNote func(status int) string
	// binaryContent makes a binary 2xx answer an image, audio or embedded blob content block
	// rather than a description of it (openapi tools, whose APIs serve files on purpose).
	binaryContent bool
}

// httpTool checks the "http" member of a tool.
func (c *checker) httpTool(o *jsonObject, toolName string, shape inputShape, checkArgs bool, m *Manifest) *httpTool {
	x := &httpTool{name: toolName, method: http.MethodGet, header: http.Header{}, userAgent: "minimcp/" + m.version}
	ok := true
	if s, present := o.str("method"); present {
		x.method = strings.ToUpper(s)
		if !slices.Contains(httpToolMethods, x.method) {
			c.errorf(o.at("method"), "must be one of %s, got %q", strings.Join(httpToolMethods, ", "), s)
			ok = false
		}
	}
	if raw, present := o.requiredStr("url"); present {
		var urlOK bool
		x.url, urlOK = c.urlTemplate(o.at("url"), c.expandEnv(o.at("url"), raw), shape, checkArgs)
		ok = ok && urlOK
	} else {
		ok = false
	}
	var headersOK bool
	x.header, x.host, headersOK = c.headers(o)
	ok = ok && headersOK
	x.jsonBody = x.method != http.MethodGet && x.method != http.MethodDelete
	if s, present := o.str("body"); present {
		switch s {
		case "json":
			if x.method == http.MethodGet {
				c.errorf(o.at("body"), `"json" cannot go with GET, which sends the arguments as query parameters`)
				ok = false
			}
			x.jsonBody = true
		case "none":
			x.jsonBody = false
		default:
			c.errorf(o.at("body"), `must be "json" or "none", got %q`, s)
			ok = false
		}
	}
	x.timeout = o.duration("timeout", defaultHTTPToolTimeout)
	x.maxResponse = o.positive("maxResponseBytes", defaultMaxResponseBytes)
	o.done()
	if !ok {
		return nil
	}
	if m.transport == nil {
		m.transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	x.client = &http.Client{Transport: m.transport, CheckRedirect: checkRedirect}
	return x
}

// headers reads the "headers" member of an http tool or an openapi element: values may use
// ${NAME}, not placeholders, and hold no line break; a Host header is returned apart.
func (c *checker) headers(o *jsonObject) (http.Header, string, bool) {
	h, host, ok := http.Header{}, "", true
	values, keys := o.strings("headers")
	for _, k := range keys {
		v, present := values[k]
		if !present {
			ok = false
			continue
		}
		path := fieldPath(o.at("headers"), k)
		switch {
		case !isHeaderToken(k):
			c.errorf(path, "not a valid header name")
			ok = false
			continue
		case placeholderRE.MatchString(v):
			c.errorf(path, "placeholders are not supported in headers (use ${NAME} for values from the environment)")
			ok = false
			continue
		}
		v = c.expandEnv(path, v)
		if strings.ContainsAny(v, "\r\n\x00") {
			c.errorf(path, "must not contain line breaks or NUL")
			ok = false
			continue
		}
		if http.CanonicalHeaderKey(k) == "Host" {
			host = v
		} else {
			h.Add(k, v)
		}
	}
	return h, host, ok
}

// urlTemplate checks a URL with placeholders and splits it into parts.
func (c *checker) urlTemplate(path, raw string, shape inputShape, checkArgs bool) (*urlTemplate, bool) {
	scheme, rest, found := strings.Cut(raw, "://")
	u, err := url.Parse(placeholderRE.ReplaceAllString(raw, "x"))
	if !found || (scheme != "http" && scheme != "https") || err != nil || u.Host == "" {
		c.errorf(path, "must be an absolute http or https URL")
		return nil, false
	}
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	if placeholderRE.MatchString(rest[:hostEnd]) {
		c.errorf(path, "placeholders may appear in the path and the query, not in the host")
		return nil, false
	}
	queryAt, fragmentAt := strings.IndexByte(raw, '?'), strings.IndexByte(raw, '#')
	t := &urlTemplate{args: map[string]bool{}}
	ok, last := true, 0
	if queryAt >= 0 && (fragmentAt < 0 || queryAt < fragmentAt) {
		end := len(raw)
		if fragmentAt >= 0 {
			end = fragmentAt
		}
		if t.queryNames, err = queryNamesOf(raw[queryAt+1 : end]); err != nil {
			c.errorf(path, "%v", err)
			ok = false
		}
	}
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(raw, -1) {
		name := raw[m[2]:m[3]]
		if fragmentAt >= 0 && m[0] > fragmentAt {
			c.errorf(path, "{{%s}} is in the fragment, which is not sent", name)
			ok = false
			continue
		}
		if checkArgs {
			if !c.checkPlaceholder(path, name, shape) {
				ok = false
				continue
			}
			if !shape.required[name] {
				c.errorf(path, "{{%s}} must be listed in inputSchema's \"required\": the URL cannot be built without it", name)
				ok = false
				continue
			}
		}
		t.parts = append(t.parts, urlPart{literal: raw[last:m[0]]}, urlPart{arg: name, query: queryAt >= 0 && m[0] > queryAt})
		t.args[name] = true
		last = m[1]
	}
	t.parts = append(t.parts, urlPart{literal: raw[last:]})
	return t, ok
}

// isHeaderToken reports whether s is an HTTP field name (RFC 9110 §5.1: a token).
func isHeaderToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func (x *httpTool) handler(logger *slog.Logger) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.Request, args json.RawMessage) (*mcp.CallToolResult, error) {
		start := time.Now()
		res, status, err := x.run(ctx, args)
		logger.DebugContext(ctx, "http tool called", "principal", req.Principal(), "method", x.method,
			"status", status, "duration", time.Since(start), "isError", res != nil && res.IsError, "err", err)
		return res, err
	}
}

// run sends one request upstream and turns the answer into a result. status is the answer's
// HTTP status, 0 when none came.
func (x *httpTool) run(ctx context.Context, args json.RawMessage) (res *mcp.CallToolResult, status int, err error) {
	var values map[string]json.RawMessage
	if err := json.Unmarshal(args, &values); err != nil {
		return mcp.ErrorResult("arguments must be a JSON object"), 0, nil
	}
	target, err := x.url.fill(values)
	if err != nil {
		return mcp.ErrorResult(err.Error()), 0, nil
	}
	var rest []string
	for k, v := range values {
		if !x.url.args[k] && kindOf(v) != 'n' {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	var body io.Reader
	if x.jsonBody {
		body = bytes.NewReader(jsonObjectOf(rest, values))
	} else if err := x.url.addQuery(target, rest, values); err != nil {
		return mcp.ErrorResult(err.Error()), 0, nil
	}

	return x.send(ctx, func(ctx context.Context) (*http.Request, error) {
		hreq, err := http.NewRequestWithContext(ctx, x.method, target.String(), body)
		if err != nil {
			return nil, err
		}
		hreq.Header = x.header.Clone()
		hreq.Host = x.host
		if x.jsonBody {
			hreq.Header.Set("Content-Type", "application/json")
		}
		return hreq, nil
	})
}

// send sends the request newReq makes (with the context that bounds the call by the tool's
// timeout) and turns the answer into a result; status is the answer's HTTP status, 0 when
// none came. It sets Accept and User-Agent when the request has none.
func (x *httpTool) send(ctx context.Context, newReq func(context.Context) (*http.Request, error)) (res *mcp.CallToolResult, status int, err error) {
	ctx, cancel := context.WithTimeoutCause(ctx, x.timeout, errHTTPToolTimeout)
	defer cancel()
	hreq, err := newReq(ctx)
	if err != nil {
		return mcp.ErrorResult(fmt.Sprintf("%s request: %v", x.method, err)), 0, nil
	}
	if hreq.Header.Get("Accept") == "" {
		hreq.Header.Set("Accept", "application/json, text/*;q=0.9, */*;q=0.8")
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", x.userAgent)
	}
	resp, err := x.client.Do(hreq)
	if err != nil {
		return x.failed(ctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, x.maxResponse+1))
	if err != nil {
		res, _, err := x.failed(ctx, err)
		return res, resp.StatusCode, err
	}
	truncated := int64(len(data)) > x.maxResponse
	if truncated {
		data = data[:x.maxResponse]
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		why := errorExcerpt(resp.Header, data)
		if x.statusNote != nil {
			if note := x.statusNote(resp.StatusCode); note != "" {
				return mcp.ErrorResult(fmt.Sprintf("upstream answered %s (%s): %s", resp.Status, note, why)), resp.StatusCode, nil
			}
		}
		return mcp.ErrorResult(fmt.Sprintf("upstream answered %s: %s", resp.Status, why)), resp.StatusCode, nil
	}
	if x.binaryContent && !truncated {
		if res := binaryResult(resp, data); res != nil {
			return res, resp.StatusCode, nil
		}
	}
	return answerResult(resp.Header.Get("Content-Type"), data, truncated), resp.StatusCode, nil
}

// binaryResult returns a binary answer as content (schema/2025-11-25/schema.ts: ImageContent,
// AudioContent, EmbeddedResource with a blob): an image or audio block by its media type, a
// blob otherwise, whose URI is the request's URL without its query (which may hold a
// credential). It returns nil for an answer that is text or JSON.
func binaryResult(resp *http.Response, data []byte) *mcp.CallToolResult {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/json" || strings.HasSuffix(mt, "+json") || utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
		return nil
	}
	switch {
	case strings.HasPrefix(mt, "image/"):
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.ImageContent{Data: data, MimeType: mt}}}
	case strings.HasPrefix(mt, "audio/"):
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.AudioContent{Data: data, MimeType: mt}}}
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	u := *resp.Request.URL
	u.RawQuery, u.ForceQuery, u.User, u.Fragment = "", false, nil, ""
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: u.String(), MimeType: mt, Blob: data}}}}
}

// failed turns a request that got no complete answer into a result: a tool error for a
// timeout or a network failure, the context's error when the call itself was cancelled. The
// message leaves out the URL, which may hold a secret from the environment.
func (x *httpTool) failed(ctx context.Context, err error) (*mcp.CallToolResult, int, error) {
	if errors.Is(context.Cause(ctx), errHTTPToolTimeout) {
		return mcp.ErrorResult(fmt.Sprintf("upstream did not answer within %v", x.timeout)), 0, nil
	}
	if ctx.Err() != nil {
		return nil, 0, context.Cause(ctx)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return mcp.ErrorResult(fmt.Sprintf("%s request failed: %v", x.method, err)), 0, nil
}

// answerResult turns a 2xx answer into a result.
func answerResult(contentType string, data []byte, truncated bool) *mcp.CallToolResult {
	mt, _, _ := mime.ParseMediaType(contentType)
	isJSON := mt == "application/json" || strings.HasSuffix(mt, "+json")
	if isJSON && !truncated {
		var b bytes.Buffer
		if json.Compact(&b, data) == nil {
			res := mcp.TextResult(b.String())
			if kindOf(data) == '{' {
				res.StructuredContent = b.Bytes()
			}
			return res
		}
	}
	if !utf8.Valid(data) && !truncated || bytes.IndexByte(data, 0) >= 0 {
		if mt == "" {
			mt = "application/octet-stream"
		}
		return mcp.TextResult(fmt.Sprintf("(the upstream answered %d bytes of %s, which is not text)", len(data), mt))
	}
	if truncated {
		return mcp.TextResult(fmt.Sprintf("%s\n[truncated: the answer is longer than %d bytes]", cutText(data), len(data)))
	}
	return mcp.TextResult(string(data))
}

// errorExcerpt says why an upstream refused a call: the beginning of its answer, or, when the
// answer has no body, the headers that explain a refusal (WWW-Authenticate, and those whose
// names hold "error", "violation", "problem" or "reason", as mock servers and gateways send).
func errorExcerpt(h http.Header, data []byte) string {
	if len(bytes.TrimSpace(data)) > 0 {
		return excerpt(data)
	}
	var shown []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		lk := strings.ToLower(k)
		if lk != "www-authenticate" && !strings.Contains(lk, "error") && !strings.Contains(lk, "violation") &&
			!strings.Contains(lk, "problem") && !strings.Contains(lk, "reason") {
			continue
		}
		shown = append(shown, k+": "+excerpt([]byte(strings.Join(h[k], ", "))))
	}
	if len(shown) == 0 {
		return "(no body)"
	}
	return "(no body; " + strings.Join(shown, "; ") + ")"
}

// excerpt returns the beginning of an error answer, as valid text.
func excerpt(data []byte) string {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "(no body)"
	}
	if len(data) > upstreamExcerptBytes {
		return cutText(data[:upstreamExcerptBytes]) + " […]"
	}
	return strings.ToValidUTF8(string(data), "\uFFFD")
}
