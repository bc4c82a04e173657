package mcp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/rpc"
)

/*
Design note: skills (the skills extension, io.modelcontextprotocol/skills, SEP-2640).

A skill is a directory of files with a SKILL.md at its root (the Agent Skills format). The
extension adds no way to read one: each file is an ordinary resource, skill://<path>/<file>,
read with resources/read and listed by resources/list, so [Server.AddSkill] registers the
files as resources, and a client that knows nothing of skills still sees them. What it adds:

  - skills/list and skills/get, whose entries carry the frontmatter of SKILL.md as JSON and a
    complete manifest of the skill's files, each with its sha256 digest and size, so that a
    host binds a user's approval to content and verifies each file it later reads. A skill
    registered here is static: its files are given at registration, their digests computed
    then, and its entry lists them all (never "dynamic");
  - resources/directory/read (directoryRead: true), which lists the direct children of a
    directory: the skill root, each subdirectory, and the organisational prefixes above a skill
    (skill://acme and skill://acme/billing above skill://acme/billing/refunds);
  - the declaration, under capabilities.extensions of server/discover, made when at least one
    skill is registered. The extension is specified against protocol 2026-07-28 only (the
    earlier revisions' capabilities have no extensions member), so the three methods are
    served to requests of that revision, and are unknown methods to sessions of earlier ones,
    as they are when no skill is registered.

The results of skills/list and skills/get are cacheable (ttlMs, cacheScope): skills/get with the
skill's [Skill.Cache], skills/list with [ServerOptions.ListCache] lowered to its entries', as
resources/list is.
*/

// SkillsExtension is the identifier of the skills extension (SEP-2640), under which the server
// declares it in the extensions of its capabilities.
const SkillsExtension = "io.modelcontextprotocol/skills"

// Methods of the skills extension (SEP-2640), client → server, protocol 2026-07-28.
const (
	// MethodSkillsList lists the skills the server serves (schema: ListSkillsRequest).
	MethodSkillsList = "skills/list"
	// MethodSkillsGet returns the entry of one skill by the URI of its SKILL.md (schema:
	// GetSkillRequest).
	MethodSkillsGet = "skills/get"
	// MethodResourcesDirectoryRead lists the direct children of a directory resource (schema:
	// ReadResourceDirectoryRequest).
	MethodResourcesDirectoryRead = "resources/directory/read"
)

// Limits of one skill (SEP-2640, Skill Entries § Limits: "Servers SHOULD NOT serve a skill that
// exceeds either limit"); [Server.AddSkill] refuses a larger one.
const (
	MaxSkillFiles = 512
	MaxSkillBytes = 16 << 20
)

// DirectoryMimeType is the mimeType of a directory resource (SEP-2640, Reading Directories §
// Directory Resources).
const DirectoryMimeType = "inode/directory"

// skillFileName is the file at the root of every skill.
const skillFileName = "SKILL.md"

// ErrInvalidSkill is wrapped by the errors [Server.AddSkill] returns for a skill that breaks a
// rule of the extension or of the Agent Skills format.
var ErrInvalidSkill = errors.New("mcp: invalid skill")

// SkillFile is one file of a [Skill].
type SkillFile struct {
	// Path is the file's path from the skill's root, "/"-separated: "SKILL.md",
	// "templates/invoice.md". No empty, "." or ".." segment, no leading "/".
	Path string
	// Content is the file's bytes, served as text when they are UTF-8 and as a blob otherwise.
	Content []byte
	// MimeType is the file's media type. If empty, one from the file's extension
	// (text/markdown for .md), else text/plain for UTF-8 content, else
	// application/octet-stream.
	MimeType string
}

// Skill is a skill to serve (SEP-2640): a directory of files with a SKILL.md at its root.
type Skill struct {
	// Path locates the skill in the server's skill namespace: one segment or more,
	// "/"-separated ("git-workflow", "acme/billing/refunds"). The last is the skill's name and
	// must equal the name in SKILL.md's frontmatter (SEP-2640, Resource Mapping); the others are
	// a prefix of the server's choosing. Its SKILL.md is served at skill://<Path>/SKILL.md.
	Path string
	// Files are the skill's files, SKILL.md among them; at most [MaxSkillFiles], of at most
	// [MaxSkillBytes] together.
	Files []SkillFile
	// Frontmatter is SKILL.md's YAML frontmatter as a JSON object, which must be identical in
	// content to the file's. If nil, read from SKILL.md, which then must keep to the subset of
	// YAML this package reads (block mappings and sequences, plain, quoted and block scalars);
	// set it when SKILL.md needs more.
	Frontmatter json.RawMessage
	// Cache is the cache hint of the skill's skills/get results and of its files'
	// resources/read results at 2026-07-28, and bounds that of skills/list and resources/list.
	// The zero value: immediately stale, private.
	Cache CacheHint
}

// SkillEntry is the entry of one skill, as skills/list and skills/get return it (SEP-2640,
// Skill Entries; schema: Skill).
type SkillEntry struct {
	// URI is the resource URI of the skill's SKILL.md.
	URI string `json:"uri"`
	// Frontmatter is SKILL.md's frontmatter as a JSON object.
	Frontmatter json.RawMessage `json:"frontmatter"`
	// Resources lists every file of the skill, SKILL.md included.
	Resources []SkillResource `json:"resources"`
}

// SkillResource is one file of a skill entry, with the digest and size of its content
// (schema: SkillResource).
type SkillResource struct {
	URI string `json:"uri"`
	// Digest is "sha256:" and the lowercase hex SHA-256 of the file's bytes.
	Digest string `json:"digest"`
	// Size is the file's length in bytes.
	Size int64 `json:"size"`
}

// ListSkillsResult is the result of skills/list (schema: ListSkillsResult).
type ListSkillsResult struct {
	Skills     []*SkillEntry `json:"skills"`
	NextCursor string        `json:"nextCursor,omitempty"`
}

// GetSkillResult is the result of skills/get (schema: GetSkillResult).
type GetSkillResult struct {
	Skill *SkillEntry `json:"skill"`
}

// ReadResourceDirectoryResult is the result of resources/directory/read (schema:
// ReadResourceDirectoryResult).
type ReadResourceDirectoryResult struct {
	// Resources are the directory's direct children; subdirectories have mimeType
	// [DirectoryMimeType].
	Resources  []*Resource `json:"resources"`
	NextCursor string      `json:"nextCursor,omitempty"`
}

// Validate reports what [Server.AddSkill] would refuse in sk itself (an error wrapping
// [ErrInvalidSkill]), whatever is registered already; nil if nothing. Use it to check skills
// that come from users before registering any.
func (sk *Skill) Validate() error {
	if _, err := newSkillEntry(sk); err != nil {
		return fmt.Errorf("%w %q: %v", ErrInvalidSkill, sk.Path, err)
	}
	return nil
}

// URI returns the URI its SKILL.md is served at: skill://<Path>/SKILL.md.
func (sk *Skill) URI() string { return "skill://" + sk.Path + "/" + skillFileName }

// skillEntry is a registered skill.
type skillEntry struct {
	entry *SkillEntry
	cache CacheHint
	// files are the resources of the skill's files, in registration order.
	files []*Resource
}

// AddSkill registers a skill: its files as resources under skill://<Path>/, and its entry for
// skills/list and skills/get (see the design note above). It returns an error wrapping
// [ErrInvalidSkill] for a skill that breaks a rule (no SKILL.md, frontmatter without name or
// description, a name that is not the last segment of Path or breaks the naming rules, a file
// path that leaves the skill, a limit exceeded), or whose URI or one of whose files' URIs is
// taken; it then registers nothing. It panics on a nil skill.
func (s *Server) AddSkill(sk *Skill) error {
	if sk == nil {
		panic("mcp: AddSkill with a nil skill")
	}
	e, err := newSkillEntry(sk)
	if err != nil {
		return fmt.Errorf("%w %q: %v", ErrInvalidSkill, sk.Path, err)
	}
	s.mu.Lock()
	if _, dup := s.skills.get(e.entry.URI); dup {
		s.mu.Unlock()
		return fmt.Errorf("%w %q: a skill is already served at %s", ErrInvalidSkill, sk.Path, e.entry.URI)
	}
	for _, f := range e.files {
		if _, dup := s.resources.get(f.URI); dup {
			s.mu.Unlock()
			return fmt.Errorf("%w %q: a resource is already served at %s", ErrInvalidSkill, sk.Path, f.URI)
		}
	}
	s.skills.add(e.entry.URI, e)
	for i, f := range e.files {
		content := sk.Files[i].Content
		s.resources.add(f.URI, &resourceEntry{res: f, handler: skillFileReader(f, content)})
	}
	s.mu.Unlock()
	s.listChanged(NotificationResourceListChanged)
	return nil
}

// RemoveSkills unregisters skills by the URI of their SKILL.md, and their files' resources;
// unknown URIs are ignored.
func (s *Server) RemoveSkills(uris ...string) {
	s.mu.Lock()
	var files []string
	for _, u := range uris {
		if e, ok := s.skills.get(u); ok {
			for _, f := range e.files {
				files = append(files, f.URI)
			}
		}
	}
	s.skills.remove(uris...)
	removed := s.resources.remove(files...)
	s.mu.Unlock()
	if removed {
		s.listChanged(NotificationResourceListChanged)
	}
}

// skillFileReader returns the handler that reads a skill file: text when it is UTF-8, else a
// blob.
func skillFileReader(r *Resource, content []byte) ResourceHandler {
	rc := &ResourceContents{URI: r.URI, MimeType: r.MimeType}
	if utf8.Valid(content) {
		rc.Text = string(content)
	} else {
		rc.Blob = content
	}
	res := &ReadResourceResult{Contents: []*ResourceContents{rc}}
	return func(context.Context, *Request, string) (*ReadResourceResult, error) { return res, nil }
}

// newSkillEntry checks sk and builds its entry and its files' resources.
func newSkillEntry(sk *Skill) (*skillEntry, error) {
	segs := strings.Split(sk.Path, "/")
	for i, seg := range segs {
		if err := checkSkillSegment(seg, i == 0); err != nil {
			return nil, err
		}
	}
	name := segs[len(segs)-1]
	if !validSkillName(name) {
		// SEP-2640, Resource Mapping: the final segment, "being the skill name, MUST satisfy the
		// Agent Skills specification's naming rules".
		return nil, fmt.Errorf("the skill name %q (the path's last segment) must be 1-64 lowercase letters, digits and hyphens, with no leading, trailing or double hyphen", name)
	}
	if len(sk.Files) > MaxSkillFiles {
		return nil, fmt.Errorf("%d files, more than the %d a skill may have", len(sk.Files), MaxSkillFiles)
	}
	base := "skill://" + sk.Path
	e := &skillEntry{entry: &SkillEntry{URI: sk.URI()}, cache: sk.Cache}
	seen := make(map[string]bool, len(sk.Files))
	var total int64
	var md []byte
	for _, f := range sk.Files {
		if err := checkSkillFilePath(f.Path); err != nil {
			return nil, err
		}
		if seen[f.Path] {
			return nil, fmt.Errorf("file %q given twice", f.Path)
		}
		seen[f.Path] = true
		if f.Path == skillFileName {
			md = f.Content
		}
		total += int64(len(f.Content))
	}
	if md == nil {
		return nil, errors.New("no SKILL.md at the skill's root")
	}
	if total > MaxSkillBytes {
		return nil, fmt.Errorf("%d bytes of files, more than the %d a skill may hold", total, MaxSkillBytes)
	}
	fm, fmName, desc, err := skillFrontmatter(sk.Frontmatter, md)
	if err != nil {
		return nil, err
	}
	if fmName != name {
		// SEP-2640, Resource Mapping: "The final segment of <skill-path> MUST equal the skill's
		// name as declared in its SKILL.md frontmatter".
		return nil, fmt.Errorf("the frontmatter's name %q differs from the path's last segment %q", fmName, name)
	}
	e.entry.Frontmatter = fm
	for _, f := range sk.Files {
		uri := base + "/" + escapeSkillPath(f.Path)
		sum := sha256.Sum256(f.Content)
		size := int64(len(f.Content))
		e.entry.Resources = append(e.entry.Resources, SkillResource{URI: uri,
			Digest: "sha256:" + hex.EncodeToString(sum[:]), Size: size})
		r := &Resource{URI: uri, Name: path.Base(f.Path), MimeType: skillMimeType(f), Size: &size, Cache: sk.Cache}
		if f.Path == skillFileName {
			// SEP-2640, Resource Mapping § Resource Metadata: for SKILL.md, mimeType "SHOULD be
			// text/markdown", name and description "SHOULD be set from" the frontmatter's.
			r.Name, r.Description, r.MimeType = fmName, desc, "text/markdown"
		}
		e.files = append(e.files, r)
	}
	return e, nil
}

// skillFrontmatter returns the frontmatter of a skill, given (fm) or read from its SKILL.md,
// and its name and description, which the Agent Skills format requires.
func skillFrontmatter(fm json.RawMessage, md []byte) (json.RawMessage, string, string, error) {
	var name, desc string
	if fm == nil {
		obj, n, d, err := parseFrontmatter(md)
		if err != nil {
			return nil, "", "", err
		}
		fm, name, desc = obj, n, d
	} else {
		var v struct {
			Name        *string `json:"name"`
			Description *string `json:"description"`
		}
		if len(fm) == 0 || fm[0] != '{' || json.Unmarshal(fm, &v) != nil {
			return nil, "", "", errors.New("Frontmatter is not a JSON object with string name and description")
		}
		if v.Name != nil {
			name = *v.Name
		}
		if v.Description != nil {
			desc = *v.Description
		}
		fm = append(json.RawMessage(nil), fm...)
	}
	// SEP-2640, Skill Format: SKILL.md "MUST begin with YAML frontmatter containing at minimum
	// the name and description fields".
	if name == "" || desc == "" {
		return nil, "", "", errors.New("the frontmatter needs a non-empty name and description")
	}
	return fm, name, desc, nil
}

// validSkillName reports whether name keeps the Agent Skills naming rules: 1-64 characters,
// lowercase letters, digits and hyphens, no leading, trailing or consecutive hyphens.
func validSkillName(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '-' || name[len(name)-1] == '-' || strings.Contains(name, "--") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// checkSkillSegment checks one segment of a skill path. The first is the URI's authority and
// must be an RFC 3986 reg-name (SEP-2640, Resource Mapping: it "SHOULD be a valid reg-name"),
// the others path segments; neither is percent-encoded here, so both keep to unreserved and
// sub-delims characters (and ':' '@' in path segments).
func checkSkillSegment(seg string, authority bool) error {
	if seg == "" || seg == "." || seg == ".." {
		return fmt.Errorf("the skill path has an empty, \".\" or \"..\" segment")
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-._~!$&'()*+,;=", c) >= 0 || !authority && (c == ':' || c == '@')
		if !ok {
			return fmt.Errorf("the skill path segment %q has %q, which a URI's %s cannot hold unescaped", seg, c,
				map[bool]string{true: "authority", false: "path"}[authority])
		}
	}
	return nil
}

// checkSkillFilePath checks the path of a skill file: relative, "/"-separated, within the skill.
func checkSkillFilePath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
		return fmt.Errorf("file path %q is not a relative, /-separated path", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("file path %q has an empty, \".\" or \"..\" segment", p)
		}
	}
	if !utf8.ValidString(p) {
		return fmt.Errorf("file path %q is not UTF-8", p)
	}
	return nil
}

// escapeSkillPath percent-encodes each segment of a file path for a URI.
func escapeSkillPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// skillMimeTypes maps file extensions to media types, so that a file's type does not depend on
// the machine's mime tables.
var skillMimeTypes = map[string]string{
	".md": "text/markdown", ".markdown": "text/markdown", ".txt": "text/plain",
	".json": "application/json", ".yaml": "application/yaml", ".yml": "application/yaml",
	".toml": "application/toml", ".xml": "application/xml", ".csv": "text/csv",
	".html": "text/html", ".htm": "text/html", ".css": "text/css",
	".js": "text/javascript", ".mjs": "text/javascript", ".ts": "text/x-typescript",
	".py": "text/x-python", ".sh": "text/x-shellscript", ".go": "text/x-go", ".rb": "text/x-ruby",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".svg": "image/svg+xml", ".webp": "image/webp", ".pdf": "application/pdf",
	".zip": "application/zip",
}

// skillMimeType returns the media type a skill file is served with.
func skillMimeType(f SkillFile) string {
	if f.MimeType != "" {
		return f.MimeType
	}
	if t, ok := skillMimeTypes[strings.ToLower(path.Ext(f.Path))]; ok {
		return t
	}
	if utf8.Valid(f.Content) {
		return "text/plain"
	}
	return "application/octet-stream"
}

// offersSkills reports whether a skill is registered, for the declaration.
func (s *Server) offersSkills() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.skills.len() > 0
}

// skillsSettings is the extension's settings object: the server implements
// resources/directory/read (SEP-2640, Capability Negotiation).
var skillsSettings = json.RawMessage(`{"directoryRead":true}`)

// serveSkills answers the methods of the skills extension.
func (s *Server) serveSkills(r *Request) (any, error) {
	switch r.Method {
	case MethodSkillsList:
		return s.listSkills(r)
	case MethodSkillsGet:
		return s.getSkill(r)
	default:
		return s.readDirectory(r)
	}
}

// listSkills answers skills/list (SEP-2640, Listing Skills): a page of entries, each whole
// ("a skill's resources set is never split across pages").
func (s *Server) listSkills(r *Request) (any, error) {
	cursor, err := cursorOf(r)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	entries, next, err := s.skills.page(cursor, s.opts.PageSize)
	if err == nil {
		r.cache = listHint(s.opts.ListCache, &s.skills, entries, func(e *skillEntry) CacheHint { return e.cache })
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	out := make([]*SkillEntry, len(entries))
	for i, e := range entries {
		out[i] = e.entry
	}
	return &ListSkillsResult{Skills: out, NextCursor: next}, nil
}

// getSkill answers skills/get (SEP-2640, Getting a Skill): "If the URI does not identify a
// skill the server serves, the server MUST return error -32602 (Invalid params)".
func (s *Server) getSkill(r *Request) (any, error) {
	uri, err := uriParam(r)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	e, ok := s.skills.get(uri)
	s.mu.RUnlock()
	if !ok {
		return nil, rpc.InvalidParams("No skill is served at %s", uri).WithData(map[string]string{"uri": uri})
	}
	r.cache = e.cache
	return &GetSkillResult{Skill: e.entry}, nil
}

// readDirectory answers resources/directory/read (SEP-2640, Reading Directories): the direct
// children of a directory of the skills' files, subdirectories as directory resources, a page
// at a time as resources/list. "If the URI does not exist, or exists but is not a directory
// resource, the server MUST return error -32602".
func (s *Server) readDirectory(r *Request) (any, error) {
	var p struct {
		URI    string `json:"uri"`
		Cursor string `json:"cursor"`
	}
	uri, err := uriParam(r)
	if err != nil {
		return nil, err
	}
	if err := unmarshalParams(r.Params, &p); err != nil {
		return nil, err
	}
	if strings.HasSuffix(uri, "/") {
		// Directory URIs are "written without a trailing slash".
		return nil, rpc.InvalidParams("%s is not a directory resource: directory URIs have no trailing slash", uri).WithData(map[string]string{"uri": uri})
	}
	prefix := uri + "/"
	var children []*Resource
	seen := map[string]bool{}
	s.mu.RLock()
	for _, k := range s.skills.order {
		e, _ := s.skills.get(k)
		for _, f := range e.files {
			rest, ok := strings.CutPrefix(f.URI, prefix)
			if !ok {
				continue
			}
			if dir, _, sub := strings.Cut(rest, "/"); sub {
				if dir != "" && !seen[dir] {
					seen[dir] = true
					name, _ := url.PathUnescape(dir)
					children = append(children, &Resource{URI: prefix + dir, Name: name, MimeType: DirectoryMimeType})
				}
				continue
			}
			children = append(children, f)
		}
	}
	s.mu.RUnlock()
	if len(children) == 0 {
		return nil, rpc.InvalidParams("%s is not a directory resource", uri).WithData(map[string]string{"uri": uri})
	}
	start := 0
	if p.Cursor != "" {
		n, ok := decodeCursor(p.Cursor)
		if !ok || n > len(children) {
			return nil, rpc.InvalidParams("invalid cursor %q", p.Cursor)
		}
		start = n
	}
	end := min(start+s.opts.PageSize, len(children))
	res := &ReadResourceDirectoryResult{Resources: children[start:end]}
	if end < len(children) {
		res.NextCursor = encodeCursor(end)
	}
	return res, nil
}

// MarshalJSON writes the result with skills as an array even when empty.
func (r ListSkillsResult) MarshalJSON() ([]byte, error) {
	type wire ListSkillsResult
	if r.Skills == nil {
		r.Skills = []*SkillEntry{}
	}
	return json.Marshal(wire(r))
}

// MarshalJSON writes the result with resources as an array even when empty.
func (r ReadResourceDirectoryResult) MarshalJSON() ([]byte, error) {
	type wire ReadResourceDirectoryResult
	if r.Resources == nil {
		r.Resources = []*Resource{}
	}
	return json.Marshal(wire(r))
}
