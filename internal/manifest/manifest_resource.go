package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/mcp"
	"github.com/minimcp/minimcp/rpc"
)

// resource checks one element of "resources": a file ("uri" and "file") or a directory
// behind a URI template ("uriTemplate" and "dir").
func (c *checker) resource(path string, raw json.RawMessage, m *Manifest, uriAt map[string]string) {
	o := c.object(path, raw)
	if o == nil {
		return
	}
	hasFile, hasDir := o.has("file"), o.has("dir")
	name, _ := o.str("name")
	title, _ := o.str("title")
	description, _ := o.str("description")
	scopes := o.scopes()
	mimeType, mimeOK := o.str("mimeType")
	if mimeOK {
		if mt, _, err := mime.ParseMediaType(mimeType); err != nil || !strings.Contains(mt, "/") {
			c.errorf(o.at("mimeType"), `must be a media type such as "text/markdown", got %q`, mimeType)
		}
	}
	maxBytes := o.positive("maxBytes", m.maxResourceBytes)
	switch {
	case hasFile == hasDir:
		for _, k := range []string{"file", "dir", "uri", "uriTemplate"} {
			o.take(k)
		}
		c.errorf(path, `must have exactly one of "file" (one resource) and "dir" (a directory behind a uriTemplate)`)
	case hasFile:
		if o.has("uriTemplate") {
			o.take("uriTemplate")
			c.errorf(o.at("uriTemplate"), `goes with "dir"; a "file" resource has a "uri"`)
		}
		uri, uriOK := o.requiredStr("uri")
		if uriOK {
			if u, err := url.Parse(uri); err != nil || u.Scheme == "" {
				c.errorf(o.at("uri"), `must be an absolute URI such as "file:///notes.md", got %q`, uri)
				uriOK = false
			}
		}
		file, fileOK := c.existingPath(o, "file", false)
		if !uriOK || !fileOK {
			break
		}
		if prev, dup := uriAt[uri]; dup {
			c.errorf(o.at("uri"), "duplicate resource %q (also %s)", uri, prev)
			break
		}
		uriAt[uri] = path
		if name == "" {
			name = filepath.Base(file)
		}
		declared := mimeType
		if mimeType == "" {
			// resources/list shows the type a read will have, when the name tells it.
			mimeType = typeByName(file)
		}
		m.resources = append(m.resources, &fileResource{
			res:      mcp.Resource{URI: uri, Name: name, Title: title, Description: description, MimeType: mimeType, Scopes: scopes},
			path:     file,
			mimeType: declared,
			maxBytes: maxBytes,
		})
	default:
		if o.has("uri") {
			o.take("uri")
			c.errorf(o.at("uri"), `goes with "file"; a "dir" resource has a "uriTemplate"`)
		}
		tmpl, tmplOK := o.requiredStr("uriTemplate")
		var varName string
		if tmplOK {
			if varName, tmplOK = uriTemplateVar(tmpl); !tmplOK {
				c.errorf(o.at("uriTemplate"), `must hold exactly one variable, as in "file:///docs/{name}", got %q`, tmpl)
			}
		}
		dir, dirOK := c.existingPath(o, "dir", true)
		if !tmplOK || !dirOK {
			break
		}
		if prev, dup := uriAt[tmpl]; dup {
			c.errorf(o.at("uriTemplate"), "duplicate resource template %q (also %s)", tmpl, prev)
			break
		}
		uriAt[tmpl] = path
		if name == "" {
			name = filepath.Base(dir)
		}
		m.templates = append(m.templates, &dirTemplate{
			tmpl:     mcp.ResourceTemplate{URITemplate: tmpl, Name: name, Title: title, Description: description, MimeType: mimeType, Scopes: scopes},
			dir:      dir,
			varName:  varName,
			maxBytes: maxBytes,
		})
	}
	o.done()
}

// uriTemplateVar returns the one variable of an RFC 6570 URI template: "file:///docs/{name}"
// has "name", and so does "file:///docs/{+name}", which reaches subdirectories without encoding
// the slash. The template must parse as mcp.AddResourceTemplate requires, so that registering
// it cannot panic.
func uriTemplateVar(tmpl string) (string, bool) {
	t, err := mcp.ParseURITemplate(tmpl)
	if err != nil || len(t.Vars()) != 1 || strings.Count(tmpl, "{") != 1 {
		return "", false
	}
	open, end := strings.IndexByte(tmpl, '{'), strings.IndexByte(tmpl, '}')
	if u, err := url.Parse(tmpl[:open] + "x" + tmpl[end+1:]); err != nil || u.Scheme == "" {
		return "", false
	}
	return t.Vars()[0], true
}

// fileResource is a resource read from one file at each request.
type fileResource struct {
	res      mcp.Resource
	path     string
	mimeType string // as the manifest declares it; "" to derive it from the name and contents
	maxBytes int64  // the largest file served
}

func (r *fileResource) read(_ context.Context, _ *mcp.Request, uri string) (*mcp.ReadResourceResult, error) {
	if st, err := os.Stat(r.path); err == nil && !st.Mode().IsRegular() {
		// Checked at load time; a FIFO put in its place since would block the read.
		return nil, fmt.Errorf("reading %s: the file is no longer a regular file", uri)
	}
	f, err := os.Open(r.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, mcp.ResourceNotFound(uri)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", uri, err)
	}
	defer f.Close()
	data, err := readFile(f, r.maxBytes)
	if err != nil {
		return nil, readError(uri, r.maxBytes, err)
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{fileContents(uri, r.mimeType, r.path, data)}}, nil
}

// errResourceTooLarge is returned by readLimited for contents beyond their limit.
var errResourceTooLarge = errors.New("manifest: resource larger than its limit")

// readFile reads an open file of at most max bytes.
func readFile(f *os.File, max int64) ([]byte, error) {
	var size int64
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return readLimited(f, size, max)
}

// readLimited reads r, which size says is that long (0 when unknown), and fails with
// errResourceTooLarge, reading no more than max+1 bytes, when it holds more than max. A read
// answer is one JSON message held whole in memory (its blob base64-encoded, a third larger),
// so the limit is checked while reading, not after: the size may be unknown, or the file
// may grow.
func readLimited(r io.Reader, size, max int64) ([]byte, error) {
	if size > max {
		return nil, errResourceTooLarge
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(size, max)+1)) // +1: the read that finds the end
	if _, err := buf.ReadFrom(io.LimitReader(r, max+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > max {
		return nil, errResourceTooLarge
	}
	return buf.Bytes(), nil
}

// readError is the JSON-RPC error of a resource that could not be read. MCP 2025-11-25, Server
// § Resources, Error Handling: -32603 for internal errors; a file too large to serve is one.
func readError(uri string, max int64, err error) error {
	if errors.Is(err, errResourceTooLarge) {
		return rpc.NewError(rpc.CodeInternalError,
			fmt.Sprintf("resource %s is larger than its limit of %d bytes (maxBytes in the manifest)", uri, max)).
			WithData(map[string]any{"uri": uri, "maxBytes": max})
	}
	return fmt.Errorf("reading %s: %w", uri, err)
}

// dirTemplate serves the files of a directory through a URI template whose one variable is a
// file's path relative to the directory.
type dirTemplate struct {
	tmpl     mcp.ResourceTemplate
	dir      string
	varName  string
	maxBytes int64 // the largest file served
}

// read serves the file the URI names. The name comes from the client, so it is confined to the
// directory twice over: it must be a local path (no "..", not absolute) with no hidden
// component, and it is opened through an os.Root, which refuses to leave the directory even by
// a symbolic link.
func (t *dirTemplate) read(_ context.Context, _ *mcp.Request, uri string, vars map[string]string) (*mcp.ReadResourceResult, error) {
	name, ok := localName(vars[t.varName])
	if !ok {
		return nil, mcp.ResourceNotFound(uri)
	}
	root, err := os.OpenRoot(t.dir)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", uri, err)
	}
	defer root.Close()
	// A regular file only: opening a FIFO would block. The open file is checked again, in
	// case the name was replaced between the two.
	if st, err := root.Stat(name); err != nil || !st.Mode().IsRegular() {
		return nil, mcp.ResourceNotFound(uri)
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, mcp.ResourceNotFound(uri)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, mcp.ResourceNotFound(uri)
	}
	data, err := readFile(f, t.maxBytes)
	if err != nil {
		return nil, readError(uri, t.maxBytes, err)
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{fileContents(uri, t.tmpl.MimeType, name, data)}}, nil
}

// localName checks a file name sent by a client: a relative path inside the directory, with
// no component that is empty, "." or "..", or hidden (starting with a dot: .env, .git).
func localName(name string) (string, bool) {
	if name == "" || strings.ContainsRune(name, 0) || strings.Contains(name, `\`) || !filepath.IsLocal(name) {
		return "", false
	}
	for part := range strings.SplitSeq(name, "/") {
		if part == "" || strings.HasPrefix(part, ".") {
			return "", false
		}
	}
	return filepath.FromSlash(name), true
}

// complete suggests the names of the directory's files that start with what the user typed.
func (t *dirTemplate) complete(_ context.Context, _ *mcp.Request, _, value string, _ map[string]string) ([]string, error) {
	entries, err := os.ReadDir(t.dir)
	if err != nil {
		return nil, nil
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && !strings.HasPrefix(n, ".") && strings.HasPrefix(n, value) {
			names = append(names, n)
		}
	}
	return names, nil
}

// textTypes maps extensions of common text formats to their media types, before the system's
// table (mime.TypeByExtension), which lacks some of them.
var textTypes = map[string]string{
	".md":   "text/markdown",
	".txt":  "text/plain",
	".csv":  "text/csv",
	".json": "application/json",
	".yaml": "application/yaml",
	".yml":  "application/yaml",
	".toml": "application/toml",
	".go":   "text/x-go",
	".py":   "text/x-python",
	".sh":   "text/x-shellscript",
}

// fileContents returns a file's contents: text when they are UTF-8 without NUL bytes, a blob
// otherwise. mimeType is the declared type, or "" to derive one from the name.
func fileContents(uri, mimeType, name string, data []byte) *mcp.ResourceContents {
	isText := utf8.Valid(data) && bytes.IndexByte(data, 0) < 0
	if mimeType == "" {
		mimeType = typeByName(name)
		if mimeType == "" {
			mimeType = "application/octet-stream"
			if isText {
				mimeType = "text/plain"
			}
		}
	}
	rc := &mcp.ResourceContents{URI: uri, MimeType: mimeType}
	if isText {
		rc.Text = string(data)
	} else {
		rc.Blob = data
	}
	return rc
}

// typeByName returns the media type of a file's extension, "" when it tells none.
func typeByName(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	if mt := textTypes[ext]; mt != "" {
		return mt
	}
	mt, _, _ := mime.ParseMediaType(mime.TypeByExtension(ext))
	return mt
}

// existingPath reads the path in member key, resolved against the manifest's directory, and
// checks that it names a directory (dir) or a regular file, reporting the problem otherwise.
func (c *checker) existingPath(o *jsonObject, key string, dir bool) (string, bool) {
	p, ok := o.str(key)
	if !ok {
		return "", false
	}
	p = c.resolve(p)
	st, err := os.Stat(p)
	switch {
	case err != nil:
		c.errorf(o.at(key), "%v", err)
		return "", false
	case dir && !st.IsDir():
		c.errorf(o.at(key), "%s is not a directory", p)
		return "", false
	case !dir && !st.Mode().IsRegular():
		c.errorf(o.at(key), "%s is not a regular file", p)
		return "", false
	}
	return p, true
}
