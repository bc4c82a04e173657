package mcp

import json "github.com/goccy/go-json"

// Resource is a resource the server can read, as listed by resources/list
// (schema/2025-11-25/schema.ts: Resource).
type Resource struct {
	// URI identifies the resource; any scheme, interpreted by the server.
	URI string `json:"uri"`
	// Name identifies the resource to programs; also the display name when Title is empty.
	Name string `json:"name"`
	// Title is the display name. Since 2025-06-18.
	Title string `json:"title,omitempty"`
	// Description tells the model what the resource is.
	Description string `json:"description,omitempty"`
	MimeType    string `json:"mimeType,omitempty"`
	// Size is the size of the raw content in bytes (before base64), if known.
	Size *int64 `json:"size,omitempty"`
	// Annotations are optional.
	Annotations *Annotations `json:"annotations,omitempty"`
	// Icons: since 2025-11-25.
	Icons []Icon `json:"icons,omitempty"`
	// Meta: since 2025-06-18.
	Meta Meta `json:"_meta,omitempty"`

	// Cache is the cache hint of this resource's resources/read results at 2026-07-28, and
	// bounds the hint of resources/list (see [CacheHint]). It is not sent as a member of the
	// resource. The zero value: immediately stale, private.
	Cache CacheHint `json:"-"`
	// Scopes are the OAuth scopes reading (or subscribing to) it needs, checked before the
	// handler runs when the transport authenticates requests (see [AuthInfo]). Never sent.
	Scopes []string `json:"-"`
}

// downgrade returns r as a client of version knows it: without Icons before 2025-11-25; without Title,
// Meta and Annotations.LastModified before 2025-06-18. It returns r itself when nothing is left out, and
// never modifies r.
func (r *Resource) downgrade(version string) *Resource {
	if r == nil || !specBefore(version, Version20251125) {
		return r
	}
	before0618 := specBefore(version, Version20250618)
	a := r.Annotations.downgrade(version)
	if r.Icons == nil && a == r.Annotations && (!before0618 || r.Title == "" && r.Meta == nil) {
		return r
	}
	c := *r
	c.Icons, c.Annotations = nil, a
	if before0618 {
		c.Title, c.Meta = "", nil
	}
	return &c
}

// ResourceTemplate describes a family of resources by a URI template, as listed by
// resources/templates/list (schema/2025-11-25/schema.ts: ResourceTemplate).
type ResourceTemplate struct {
	// URITemplate is an RFC 6570 URI template that makes the URIs of the family.
	URITemplate string `json:"uriTemplate"`
	// Name identifies the template to programs; also the display name when Title is empty.
	Name string `json:"name"`
	// Title is the display name. Since 2025-06-18.
	Title string `json:"title,omitempty"`
	// Description tells the model what the template is for.
	Description string `json:"description,omitempty"`
	// MimeType is the type of every resource of the family, if they all have the same.
	MimeType string `json:"mimeType,omitempty"`
	// Annotations are optional.
	Annotations *Annotations `json:"annotations,omitempty"`
	// Icons: since 2025-11-25.
	Icons []Icon `json:"icons,omitempty"`
	// Meta: since 2025-06-18.
	Meta Meta `json:"_meta,omitempty"`

	// Cache is the cache hint of resources/read results of the URIs the template matches at
	// 2026-07-28, and bounds the hint of resources/templates/list (see [CacheHint]). It is not
	// sent as a member of the template. The zero value: immediately stale, private.
	Cache CacheHint `json:"-"`
	// Scopes are the OAuth scopes reading (or subscribing to) it needs, checked before the
	// handler runs when the transport authenticates requests (see [AuthInfo]). Never sent.
	Scopes []string `json:"-"`
}

// downgrade returns t as a client of version knows it: without Icons before 2025-11-25; without Title,
// Meta and Annotations.LastModified before 2025-06-18. It returns t itself when nothing is left out, and
// never modifies t.
func (t *ResourceTemplate) downgrade(version string) *ResourceTemplate {
	if t == nil || !specBefore(version, Version20251125) {
		return t
	}
	before0618 := specBefore(version, Version20250618)
	a := t.Annotations.downgrade(version)
	if t.Icons == nil && a == t.Annotations && (!before0618 || t.Title == "" && t.Meta == nil) {
		return t
	}
	c := *t
	c.Icons, c.Annotations = nil, a
	if before0618 {
		c.Title, c.Meta = "", nil
	}
	return &c
}

// ListResourcesResult is the result of resources/list (schema/2025-11-25/schema.ts: ListResourcesResult).
type ListResourcesResult struct {
	// Resources is always written, as [] when empty.
	Resources []*Resource `json:"resources"`
	// NextCursor is the cursor of the next page; empty on the last page.
	NextCursor string `json:"nextCursor,omitempty"`
	Meta       Meta   `json:"_meta,omitempty"`
}

// MarshalJSON writes the result, with resources as an array even when empty.
func (r ListResourcesResult) MarshalJSON() ([]byte, error) {
	type wire ListResourcesResult
	if r.Resources == nil {
		r.Resources = []*Resource{}
	}
	return json.Marshal(wire(r))
}

// downgrade returns r with each resource downgraded (see [Resource]). It returns r itself when nothing is
// left out, and never modifies r or its resources.
func (r *ListResourcesResult) downgrade(version string) *ListResourcesResult {
	if r == nil || !specBefore(version, LatestVersion) {
		return r
	}
	list, changed := specDowngradeList(version, r.Resources, (*Resource).downgrade)
	if !changed {
		return r
	}
	c := *r
	c.Resources = list
	return &c
}

// ListResourceTemplatesResult is the result of resources/templates/list
// (schema/2025-11-25/schema.ts: ListResourceTemplatesResult).
type ListResourceTemplatesResult struct {
	// ResourceTemplates is always written, as [] when empty.
	ResourceTemplates []*ResourceTemplate `json:"resourceTemplates"`
	// NextCursor is the cursor of the next page; empty on the last page.
	NextCursor string `json:"nextCursor,omitempty"`
	Meta       Meta   `json:"_meta,omitempty"`
}

// MarshalJSON writes the result, with resourceTemplates as an array even when empty.
func (r ListResourceTemplatesResult) MarshalJSON() ([]byte, error) {
	type wire ListResourceTemplatesResult
	if r.ResourceTemplates == nil {
		r.ResourceTemplates = []*ResourceTemplate{}
	}
	return json.Marshal(wire(r))
}

// downgrade returns r with each template downgraded (see [ResourceTemplate]). It returns r itself when
// nothing is left out, and never modifies r or its templates.
func (r *ListResourceTemplatesResult) downgrade(version string) *ListResourceTemplatesResult {
	if r == nil || !specBefore(version, LatestVersion) {
		return r
	}
	list, changed := specDowngradeList(version, r.ResourceTemplates, (*ResourceTemplate).downgrade)
	if !changed {
		return r
	}
	c := *r
	c.ResourceTemplates = list
	return &c
}

// ReadResourceParams are the params of resources/read (schema/2025-11-25/schema.ts: ReadResourceRequestParams).
type ReadResourceParams struct {
	URI  string `json:"uri"`
	Meta Meta   `json:"_meta,omitempty"`
}

// ReadResourceResult is the result of resources/read (schema/2025-11-25/schema.ts: ReadResourceResult).
type ReadResourceResult struct {
	// Contents is always written, as [] when empty; it must not hold nil. One read may return several
	// contents, e.g. the files of a directory.
	Contents []*ResourceContents `json:"contents"`
	Meta     Meta                `json:"_meta,omitempty"`
}

// MarshalJSON writes the result, with contents as an array even when empty.
func (r ReadResourceResult) MarshalJSON() ([]byte, error) {
	type wire ReadResourceResult
	if r.Contents == nil {
		r.Contents = []*ResourceContents{}
	}
	return json.Marshal(wire(r))
}

// downgrade returns r with each contents' Meta dropped before 2025-06-18. It returns r itself when nothing
// is left out, and never modifies r or its contents.
func (r *ReadResourceResult) downgrade(version string) *ReadResourceResult {
	if r == nil || !specBefore(version, Version20250618) {
		return r
	}
	list, changed := specDowngradeList(version, r.Contents, (*ResourceContents).downgrade)
	if !changed {
		return r
	}
	c := *r
	c.Contents = list
	return &c
}

// SubscribeParams are the params of resources/subscribe (schema/2025-11-25/schema.ts: SubscribeRequestParams).
type SubscribeParams struct {
	URI  string `json:"uri"`
	Meta Meta   `json:"_meta,omitempty"`
}

// UnsubscribeParams are the params of resources/unsubscribe
// (schema/2025-11-25/schema.ts: UnsubscribeRequestParams).
type UnsubscribeParams struct {
	URI  string `json:"uri"`
	Meta Meta   `json:"_meta,omitempty"`
}

// ResourceUpdatedNotificationParams are the params of notifications/resources/updated
// (schema/2025-11-25/schema.ts: ResourceUpdatedNotificationParams).
type ResourceUpdatedNotificationParams struct {
	// URI is the resource that changed; it may be a sub-resource of the one subscribed to.
	URI  string `json:"uri"`
	Meta Meta   `json:"_meta,omitempty"`
}
