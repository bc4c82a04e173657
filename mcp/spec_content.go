package mcp

import (
	"errors"
	"fmt"
	"strconv"

	json "github.com/goccy/go-json"
)

// Role is the sender or recipient of a message, or an audience of an annotated object
// (schema/2025-11-25/schema.ts: Role).
type Role string

// The roles.
const (
	// RoleUser is the user of the client, or the side that prompts the model.
	RoleUser Role = "user"
	// RoleAssistant is the model.
	RoleAssistant Role = "assistant"
)

// Annotations tell a client how to use or show an object (schema/2025-11-25/schema.ts: Annotations; in
// 2024-11-05 the same fields were Annotated.annotations).
type Annotations struct {
	// Audience lists who the object is meant for; empty means everyone.
	Audience []Role `json:"audience,omitempty"`
	// Priority is how important the object is, from 0 (optional) to 1 (required); nil means unknown.
	Priority *float64 `json:"priority,omitempty"`
	// LastModified is an ISO 8601 time, e.g. "2025-01-12T15:00:58Z". Since 2025-06-18.
	LastModified string `json:"lastModified,omitempty"`
}

// downgrade returns a as a client of version knows it: without LastModified before 2025-06-18, and nil if
// nothing is left. It returns a itself when nothing is left out, and never modifies a.
func (a *Annotations) downgrade(version string) *Annotations {
	if a == nil || a.LastModified == "" || !specBefore(version, Version20250618) {
		return a
	}
	if len(a.Audience) == 0 && a.Priority == nil {
		return nil
	}
	c := *a
	c.LastModified = ""
	return &c
}

// specAppendAnnotations appends `,"annotations":{...}` unless a is nil (omitempty).
func specAppendAnnotations(b []byte, a *Annotations) ([]byte, error) {
	if a == nil {
		return b, nil
	}
	return specAppendValue(specAppendKey(b, "annotations"), a)
}

// Content is a content block of a tool result, a prompt message or a sampling message
// (schema/2025-11-25/schema.ts: ContentBlock). It is one of [*TextContent], [*ImageContent],
// [*AudioContent], [*ResourceLink] and [*EmbeddedResource]; no other type can implement it.
//
// MarshalJSON writes the block with its "type" discriminator ("text", "image", "audio", "resource_link",
// "resource"); [UnmarshalContent] reads one back. Use the pointer types: a TextContent value encodes
// without its "type".
type Content interface {
	json.Marshaler
	// appendJSON appends the block's JSON, with its "type", to b. A nil block is an error.
	appendJSON(b []byte) ([]byte, error)
	// downgrade returns the block as a client of version knows it, or the block itself; never modifies it.
	downgrade(version string) Content
	// sizeHint estimates the length of the block's JSON.
	sizeHint() int
}

// errSpecNilContent is returned when a list of content blocks holds a nil block.
var errSpecNilContent = errors.New("mcp: nil content block")

// specMarshalContent is MarshalJSON for every content block: null for a nil block.
func specMarshalContent(c Content, isNil bool) ([]byte, error) {
	if isNil {
		return []byte("null"), nil
	}
	return specMarshaled(c.appendJSON(make([]byte, 0, c.sizeHint())))
}

// TextContent is a text content block (schema/2025-11-25/schema.ts: TextContent).
type TextContent struct {
	Text string `json:"text"`
	// Annotations are optional.
	Annotations *Annotations `json:"annotations,omitempty"`
	// Meta: since 2025-06-18.
	Meta Meta `json:"_meta,omitempty"`
}

// MarshalJSON writes {"type":"text","text":...}. A nil c writes null.
func (c *TextContent) MarshalJSON() ([]byte, error) { return specMarshalContent(c, c == nil) }

func (c *TextContent) appendJSON(b []byte) ([]byte, error) {
	if c == nil {
		return b, errSpecNilContent
	}
	b = append(b, `{"type":"text","text":`...)
	b = specAppendString(b, c.Text)
	return specAppendTail(b, c.Annotations, c.Meta)
}

func (c *TextContent) sizeHint() int {
	if c == nil {
		return 4
	}
	return 32 + len(c.Text) + len(c.Text)/8
}

// downgrade drops Meta and Annotations.LastModified before 2025-06-18.
func (c *TextContent) downgrade(version string) Content {
	if c == nil || !specBefore(version, Version20250618) {
		return c
	}
	a := c.Annotations.downgrade(version)
	if a == c.Annotations && c.Meta == nil {
		return c
	}
	d := *c
	d.Annotations, d.Meta = a, nil
	return &d
}

// specAppendTail appends the optional annotations and _meta every content block ends with, and the
// closing brace.
func specAppendTail(b []byte, a *Annotations, m Meta) ([]byte, error) {
	b, err := specAppendAnnotations(b, a)
	if err != nil {
		return b, err
	}
	if b, err = specAppendMeta(b, m); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// ImageContent is an image content block (schema/2025-11-25/schema.ts: ImageContent).
type ImageContent struct {
	// Data are the image's bytes, base64 on the wire.
	Data []byte `json:"data"`
	// MimeType is the image's type, e.g. "image/png".
	MimeType string `json:"mimeType"`
	// Annotations are optional.
	Annotations *Annotations `json:"annotations,omitempty"`
	// Meta: since 2025-06-18.
	Meta Meta `json:"_meta,omitempty"`
}

// MarshalJSON writes {"type":"image","data":...,"mimeType":...}. A nil c writes null.
func (c *ImageContent) MarshalJSON() ([]byte, error) { return specMarshalContent(c, c == nil) }

func (c *ImageContent) appendJSON(b []byte) ([]byte, error) {
	if c == nil {
		return b, errSpecNilContent
	}
	return specAppendMedia(b, `{"type":"image","data":`, c.Data, c.MimeType, c.Annotations, c.Meta)
}

func (c *ImageContent) sizeHint() int {
	if c == nil {
		return 4
	}
	return 64 + len(c.MimeType) + (len(c.Data)+2)/3*4
}

// downgrade drops Meta and Annotations.LastModified before 2025-06-18.
func (c *ImageContent) downgrade(version string) Content {
	if c == nil || !specBefore(version, Version20250618) {
		return c
	}
	a := c.Annotations.downgrade(version)
	if a == c.Annotations && c.Meta == nil {
		return c
	}
	d := *c
	d.Annotations, d.Meta = a, nil
	return &d
}

// specAppendMedia appends an image or audio block after its opening, which ends in `"data":`.
func specAppendMedia(b []byte, open string, data []byte, mimeType string, a *Annotations, m Meta) ([]byte, error) {
	b = append(b, open...)
	b = specAppendBytes(b, data)
	b = specAppendString(specAppendKey(b, "mimeType"), mimeType)
	return specAppendTail(b, a, m)
}

// AudioContent is an audio content block (schema/2025-11-25/schema.ts: AudioContent). Since 2025-03-26.
type AudioContent struct {
	// Data are the audio's bytes, base64 on the wire.
	Data []byte `json:"data"`
	// MimeType is the audio's type, e.g. "audio/wav".
	MimeType string `json:"mimeType"`
	// Annotations are optional.
	Annotations *Annotations `json:"annotations,omitempty"`
	// Meta: since 2025-06-18.
	Meta Meta `json:"_meta,omitempty"`
}

// MarshalJSON writes {"type":"audio","data":...,"mimeType":...}. A nil c writes null.
func (c *AudioContent) MarshalJSON() ([]byte, error) { return specMarshalContent(c, c == nil) }

func (c *AudioContent) appendJSON(b []byte) ([]byte, error) {
	if c == nil {
		return b, errSpecNilContent
	}
	return specAppendMedia(b, `{"type":"audio","data":`, c.Data, c.MimeType, c.Annotations, c.Meta)
}

func (c *AudioContent) sizeHint() int {
	if c == nil {
		return 4
	}
	return 64 + len(c.MimeType) + (len(c.Data)+2)/3*4
}

// downgrade turns the block into a text block saying that audio was left out before 2025-03-26, which has
// no audio, and drops Meta and Annotations.LastModified before 2025-06-18.
func (c *AudioContent) downgrade(version string) Content {
	if c == nil || !specBefore(version, Version20250618) {
		return c
	}
	a := c.Annotations.downgrade(version)
	if specBefore(version, Version20250326) {
		return &TextContent{Text: "[audio content omitted: " + c.MimeType + "]", Annotations: a}
	}
	if a == c.Annotations && c.Meta == nil {
		return c
	}
	d := *c
	d.Annotations, d.Meta = a, nil
	return &d
}

// ResourceLink is a content block that points to a resource instead of holding it
// (schema/2025-11-25/schema.ts: ResourceLink, which extends Resource). Since 2025-06-18. A resource link
// returned by a tool need not appear in resources/list.
type ResourceLink struct {
	URI string `json:"uri"`
	// Name identifies the resource to programs; also the display name when Title is empty.
	Name string `json:"name"`
	// Title is the display name.
	Title string `json:"title,omitempty"`
	// Description tells the model what the resource is.
	Description string `json:"description,omitempty"`
	MimeType    string `json:"mimeType,omitempty"`
	// Size is the size of the raw content in bytes, if known.
	Size *int64 `json:"size,omitempty"`
	// Annotations are optional.
	Annotations *Annotations `json:"annotations,omitempty"`
	// Icons: since 2025-11-25.
	Icons []Icon `json:"icons,omitempty"`
	Meta  Meta   `json:"_meta,omitempty"`
}

// MarshalJSON writes {"type":"resource_link","uri":...,"name":...}. A nil c writes null.
func (c *ResourceLink) MarshalJSON() ([]byte, error) { return specMarshalContent(c, c == nil) }

func (c *ResourceLink) appendJSON(b []byte) ([]byte, error) {
	if c == nil {
		return b, errSpecNilContent
	}
	b = append(b, `{"type":"resource_link","uri":`...)
	b = specAppendString(b, c.URI)
	b = specAppendString(specAppendKey(b, "name"), c.Name)
	b = specAppendStringField(b, "title", c.Title)
	b = specAppendStringField(b, "description", c.Description)
	b = specAppendStringField(b, "mimeType", c.MimeType)
	if c.Size != nil {
		b = strconv.AppendInt(specAppendKey(b, "size"), *c.Size, 10)
	}
	b, err := specAppendAnnotations(b, c.Annotations)
	if err != nil {
		return b, err
	}
	if len(c.Icons) > 0 {
		if b, err = specAppendValue(specAppendKey(b, "icons"), c.Icons); err != nil {
			return b, err
		}
	}
	return specAppendTail(b, nil, c.Meta)
}

func (c *ResourceLink) sizeHint() int {
	if c == nil {
		return 4
	}
	return 96 + len(c.URI) + len(c.Name) + len(c.Title) + len(c.Description) + len(c.MimeType)
}

// downgrade turns the link into a text block naming the resource before 2025-06-18, which has no
// resource links: "<title or name> (<uri>): <description>", with the parts that are empty left out. It
// drops Icons before 2025-11-25.
func (c *ResourceLink) downgrade(version string) Content {
	if c == nil || !specBefore(version, Version20251125) {
		return c
	}
	if specBefore(version, Version20250618) {
		return &TextContent{Text: specLinkText(c), Annotations: c.Annotations.downgrade(version)}
	}
	if c.Icons == nil {
		return c
	}
	d := *c
	d.Icons = nil
	return &d
}

// specLinkText is the text that stands for a resource link for a client that has none.
func specLinkText(c *ResourceLink) string {
	name := c.Title
	if name == "" {
		name = c.Name
	}
	text := c.URI
	if name != "" && name != c.URI {
		text = name + " (" + c.URI + ")"
	}
	if c.Description != "" {
		text += ": " + c.Description
	}
	return text
}

// EmbeddedResource is a content block that holds a resource's contents
// (schema/2025-11-25/schema.ts: EmbeddedResource).
type EmbeddedResource struct {
	// Resource must not be nil.
	Resource *ResourceContents `json:"resource"`
	// Annotations are optional.
	Annotations *Annotations `json:"annotations,omitempty"`
	// Meta: since 2025-06-18.
	Meta Meta `json:"_meta,omitempty"`
}

// errSpecNoResource is returned for an embedded resource without its resource.
var errSpecNoResource = errors.New("mcp: embedded resource has no resource")

// errSpecNoResourceWire is errSpecNoResource when decoding, where the caller adds the prefix.
var errSpecNoResourceWire = errors.New("embedded resource has no resource")

// MarshalJSON writes {"type":"resource","resource":{...}}. A nil c writes null; a nil Resource is an error.
func (c *EmbeddedResource) MarshalJSON() ([]byte, error) { return specMarshalContent(c, c == nil) }

func (c *EmbeddedResource) appendJSON(b []byte) ([]byte, error) {
	if c == nil {
		return b, errSpecNilContent
	}
	if c.Resource == nil {
		return b, errSpecNoResource
	}
	b = append(b, `{"type":"resource","resource":`...)
	b, err := c.Resource.appendJSON(b)
	if err != nil {
		return b, err
	}
	return specAppendTail(b, c.Annotations, c.Meta)
}

func (c *EmbeddedResource) sizeHint() int {
	if c == nil || c.Resource == nil {
		return 4
	}
	r := c.Resource
	return 96 + len(r.URI) + len(r.MimeType) + len(r.Text) + len(r.Text)/8 + (len(r.Blob)+2)/3*4
}

// downgrade drops Meta, the resource's Meta and Annotations.LastModified before 2025-06-18.
func (c *EmbeddedResource) downgrade(version string) Content {
	if c == nil || !specBefore(version, Version20250618) {
		return c
	}
	a, r := c.Annotations.downgrade(version), c.Resource.downgrade(version)
	if a == c.Annotations && r == c.Resource && c.Meta == nil {
		return c
	}
	d := *c
	d.Annotations, d.Resource, d.Meta = a, r, nil
	return &d
}

// ResourceContents are the contents of a resource, as text or as binary data
// (schema/2025-11-25/schema.ts: TextResourceContents | BlobResourceContents).
//
// The wire carries exactly one of "text" and "blob": a non-nil Blob (even empty) is written as "blob",
// base64, and Text is not written; otherwise "text" is written, even when empty. Decoding sets Blob to a
// non-nil slice when "blob" is present; JSON with both or neither is an error.
type ResourceContents struct {
	URI      string `json:"uri"`
	MimeType string `json:"mimeType,omitempty"`
	// Text is the contents of a text resource; only when the resource can be represented as text.
	Text string `json:"text"`
	// Blob is the contents of a binary resource, base64 on the wire.
	Blob []byte `json:"blob,omitempty"`
	// Meta: since 2025-06-18.
	Meta Meta `json:"_meta,omitempty"`
}

// MarshalJSON writes {"uri":...,"mimeType":...,"text"|"blob":...}.
func (rc ResourceContents) MarshalJSON() ([]byte, error) {
	return specMarshaled(rc.appendJSON(make([]byte, 0, 64+len(rc.URI)+len(rc.Text)+(len(rc.Blob)+2)/3*4)))
}

func (rc *ResourceContents) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"uri":`...)
	b = specAppendString(b, rc.URI)
	b = specAppendStringField(b, "mimeType", rc.MimeType)
	if rc.Blob != nil {
		b = specAppendBytes(specAppendKey(b, "blob"), rc.Blob)
	} else {
		b = specAppendString(specAppendKey(b, "text"), rc.Text)
	}
	return specAppendTail(b, nil, rc.Meta)
}

// specResourceContentsWire is ResourceContents as decoded, to tell "text" and "blob" apart.
type specResourceContentsWire struct {
	URI      string  `json:"uri"`
	MimeType string  `json:"mimeType"`
	Text     *string `json:"text"`
	Blob     *[]byte `json:"blob"`
	Meta     Meta    `json:"_meta"`
}

// UnmarshalJSON decodes text or blob resource contents (see [ResourceContents]).
func (rc *ResourceContents) UnmarshalJSON(data []byte) error {
	if err := rc.decode(data); err != nil {
		return fmt.Errorf("mcp: %w", err)
	}
	return nil
}

// decode is UnmarshalJSON without the package prefix on its errors, for callers that add their own.
func (rc *ResourceContents) decode(data []byte) error {
	var w specResourceContentsWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*rc = ResourceContents{URI: w.URI, MimeType: w.MimeType, Meta: w.Meta}
	switch {
	case w.Text != nil && w.Blob != nil:
		return errors.New(`resource contents have both "text" and "blob"`)
	case w.Text != nil:
		rc.Text = *w.Text
	case w.Blob != nil:
		rc.Blob = *w.Blob
		if rc.Blob == nil {
			rc.Blob = []byte{}
		}
	default:
		return errors.New(`resource contents have neither "text" nor "blob"`)
	}
	return nil
}

// downgrade drops Meta before 2025-06-18. It returns rc itself when nothing is left out, and never
// modifies rc.
func (rc *ResourceContents) downgrade(version string) *ResourceContents {
	if rc == nil || rc.Meta == nil || !specBefore(version, Version20250618) {
		return rc
	}
	c := *rc
	c.Meta = nil
	return &c
}

// specContentWire holds the fields of every kind of content block, to decode one in a single pass.
type specContentWire struct {
	Type        string          `json:"type"`
	Text        string          `json:"text"`
	Data        []byte          `json:"data"`
	MimeType    string          `json:"mimeType"`
	URI         string          `json:"uri"`
	Name        string          `json:"name"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Size        *int64          `json:"size"`
	Resource    json.RawMessage `json:"resource"`
	Annotations *Annotations    `json:"annotations"`
	Icons       []Icon          `json:"icons"`
	Meta        Meta            `json:"_meta"`
}

// specDecodeContent decodes one content block. For a block whose type is not a content block type it
// returns a nil Content, the type and no error, so that sampling can keep blocks it does not model. Its
// errors have no package prefix: the caller adds one.
func specDecodeContent(data []byte) (Content, string, error) {
	var w specContentWire
	if err := json.Unmarshal(data, &w); err != nil {
		// The fields of an unknown type may clash with those above; name the type if there is one.
		var t struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(data, &t) == nil && t.Type != "" && !specIsContentType(t.Type) {
			return nil, t.Type, nil
		}
		return nil, "", err
	}
	switch w.Type {
	case "text":
		return &TextContent{Text: w.Text, Annotations: w.Annotations, Meta: w.Meta}, w.Type, nil
	case "image":
		return &ImageContent{Data: w.Data, MimeType: w.MimeType, Annotations: w.Annotations, Meta: w.Meta}, w.Type, nil
	case "audio":
		return &AudioContent{Data: w.Data, MimeType: w.MimeType, Annotations: w.Annotations, Meta: w.Meta}, w.Type, nil
	case "resource_link":
		return &ResourceLink{
			URI: w.URI, Name: w.Name, Title: w.Title, Description: w.Description, MimeType: w.MimeType,
			Size: w.Size, Annotations: w.Annotations, Icons: w.Icons, Meta: w.Meta,
		}, w.Type, nil
	case "resource":
		if len(w.Resource) == 0 || string(w.Resource) == "null" {
			return nil, w.Type, errSpecNoResourceWire
		}
		rc := new(ResourceContents)
		if err := rc.decode(w.Resource); err != nil {
			return nil, w.Type, err
		}
		return &EmbeddedResource{Resource: rc, Annotations: w.Annotations, Meta: w.Meta}, w.Type, nil
	case "":
		return nil, "", errors.New(`content block has no "type"`)
	}
	return nil, w.Type, nil
}

// specIsContentType reports whether t is the type of a content block.
func specIsContentType(t string) bool {
	switch t {
	case "text", "image", "audio", "resource_link", "resource":
		return true
	}
	return false
}

// specDecodeKnownContent is specDecodeContent with a type that is not a content block's an error.
func specDecodeKnownContent(data []byte) (Content, error) {
	c, t, err := specDecodeContent(data)
	if err == nil && c == nil {
		err = fmt.Errorf("unknown content type %q", t)
	}
	return c, err
}

// UnmarshalContent decodes one content block, choosing its Go type by its "type" member. It returns an
// error for malformed JSON, for a block without "type", for an embedded resource without its resource or
// with both or neither of text and blob, and for a type that is not a content block; that error reads
// `mcp: unknown content type "video"`. Other missing members are left zero.
func UnmarshalContent(data []byte) (Content, error) {
	c, err := specDecodeKnownContent(data)
	if err != nil {
		return nil, fmt.Errorf("mcp: %w", err)
	}
	return c, nil
}

// UnmarshalContents decodes a JSON array of content blocks as [UnmarshalContent] decodes each. JSON null
// gives nil; an error names the index of the block, as in `mcp: content[2]: unknown content type
// "video"`.
func UnmarshalContents(data []byte) ([]Content, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, err
	}
	return specDecodeContents(raws)
}

// specDecodeContents decodes each raw content block; raws nil gives nil.
func specDecodeContents(raws []json.RawMessage) ([]Content, error) {
	if raws == nil {
		return nil, nil
	}
	out := make([]Content, len(raws))
	for i, raw := range raws {
		c, err := specDecodeKnownContent(raw)
		if err != nil {
			return nil, fmt.Errorf("mcp: content[%d]: %w", i, err)
		}
		out[i] = c
	}
	return out, nil
}

// specAppendContents appends blocks as a JSON array; nil appends [].
func specAppendContents(b []byte, blocks []Content) ([]byte, error) {
	return specAppendBlocks(b, blocks)
}

// specAppendBlocks appends blocks of any content kind as a JSON array; nil appends [], and a
// nil block is errSpecNilContent.
func specAppendBlocks[T interface{ appendJSON([]byte) ([]byte, error) }](b []byte, blocks []T) ([]byte, error) {
	b = append(b, '[')
	for i, c := range blocks {
		if i > 0 {
			b = append(b, ',')
		}
		if any(c) == nil {
			return b, errSpecNilContent
		}
		var err error
		if b, err = c.appendJSON(b); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// specContentsSize estimates the length of the JSON of blocks.
func specContentsSize(blocks []Content) int {
	n := 2
	for _, c := range blocks {
		if c != nil {
			n += c.sizeHint() + 1
		}
	}
	return n
}

// specDowngradeContents returns blocks as a client of version knows them: a new slice if any block
// changed (changed is then true), blocks itself otherwise.
func specDowngradeContents(version string, blocks []Content) (out []Content, changed bool) {
	return specDowngradeList(version, blocks, specDowngradeContent)
}

// specDowngradeContent is c.downgrade(version), nil for a nil c.
func specDowngradeContent(c Content, version string) Content {
	if c == nil {
		return nil
	}
	return c.downgrade(version)
}
