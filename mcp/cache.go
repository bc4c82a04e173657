package mcp

import (
	"bytes"
	"strconv"
	"time"

	json "github.com/goccy/go-json"

	"github.com/minimcp/minimcp/internal/jsontext"
)

/*
Design note: cache hints.

From 2026-07-28 on, the results of server/discover, the four list methods and resources/read
tell the client how long they stay fresh (ttlMs) and who may keep them (cacheScope): "Servers
MUST include caching hints on results with resultType: "complete"" (MCP 2026-07-28, Server §
Utilities § Caching, Cacheable Results). A hint is a promise about data the server does not
always know, so each comes from whoever knows it, and the default promises nothing (ttlMs 0,
"private": immediately stale, never shared across authorization contexts):

  - server/discover: [ServerOptions.DiscoverCache];
  - resources/read: the hint of the resource ([Resource.Cache]), or of the template that
    matched the URI ([ResourceTemplate.Cache]);
  - tools/list and prompts/list: [ServerOptions.ListCache];
  - resources/list and resources/templates/list: ListCache, lowered to what the least
    cacheable entry promises. A list holding an entry whose content is private, or fresh for
    a minute only, is no more than that itself. The TTL is the least of the page's entries
    (pages are cached apart: "Each page response carries its own ttlMs value"), the scope the
    least of the whole list's ("Servers MUST apply the same cacheScope to all response pages
    for a given list request").

Two kinds of result carry no promise whatever the hints say: an interim result
(resultType other than "complete": "Interim results with resultType: "input_required" ... are
not cacheable and carry no caching hints"), which gets none; and the result of a request
retried with inputResponses or requestState, which "MUST NOT be cached, as they depend on
inputs that are not part of the cache key": the client must not cache it, and the server, which
must still send hints on a complete result, sends the ones that say so (ttlMs 0, "private").
*/

// CacheScope says who may keep a cached result (MCP 2026-07-28, Server § Utilities § Caching,
// Cache Scope Field).
type CacheScope string

const (
	// CachePrivate: the result may be reused only within the same authorization context.
	CachePrivate CacheScope = "private"
	// CachePublic: the result holds nothing user-specific; any client, gateway or proxy may
	// serve it to anyone. Use it only for data that is the same for every caller.
	CachePublic CacheScope = "public"
)

// CacheHint is what a cacheable result of revision 2026-07-28 tells the client about caching
// it: ttlMs and cacheScope (see the design note above). The zero value promises nothing:
// immediately stale, private.
type CacheHint struct {
	// TTL is how long the client may consider the result fresh, sent in whole milliseconds.
	// Zero or negative means 0: immediately stale.
	TTL time.Duration
	// Scope says who may keep the result. If empty (or unknown), [CachePrivate].
	Scope CacheScope
}

// ttlMs returns the ttlMs the hint sends, never negative ("Servers MUST provide a ttlMs value
// that is >= 0").
func (h CacheHint) ttlMs() int64 {
	if h.TTL <= 0 {
		return 0
	}
	return h.TTL.Milliseconds()
}

func (h CacheHint) public() bool { return h.Scope == CachePublic }

// normal returns h as it is sent: TTL in whole milliseconds, not negative; Scope private or
// public.
func (h CacheHint) normal() CacheHint {
	n := CacheHint{TTL: time.Duration(h.ttlMs()) * time.Millisecond, Scope: CachePrivate}
	if h.public() {
		n.Scope = CachePublic
	}
	return n
}

// atMost returns the hint that promises no more than h nor o: the shorter TTL, and public
// only when both are.
func (h CacheHint) atMost(o CacheHint) CacheHint {
	h, o = h.normal(), o.normal()
	if o.TTL < h.TTL {
		h.TTL = o.TTL
	}
	if !o.public() {
		h.Scope = CachePrivate
	}
	return h
}

// appendHint appends the ttlMs and cacheScope members of h to out.
func appendHint(out []byte, h CacheHint) []byte {
	out = append(out, `"ttlMs":`...)
	out = strconv.AppendInt(out, h.ttlMs(), 10)
	if h.public() {
		return append(out, `,"cacheScope":"public"`...)
	}
	return append(out, `,"cacheScope":"private"`...)
}

// cacheable reports whether method's result is a CacheableResult, which must carry ttlMs and
// cacheScope (MCP 2026-07-28, Server § Utilities § Caching, Cacheable Results; schema:
// CacheableResult).
func cacheable(method string) bool {
	switch method {
	case MethodServerDiscover, MethodToolsList, MethodPromptsList, MethodResourcesList,
		MethodResourcesTemplatesList, MethodResourcesRead,
		// SEP-2640: ListSkillsResult and GetSkillResult extend CacheableResult.
		MethodSkillsList, MethodSkillsGet:
		return true
	}
	return false
}

// retried reports whether params carry inputResponses or requestState: a request retried
// through the multi round-trip mechanism, whose result must not be cached (MCP 2026-07-28,
// Server § Utilities § Caching, Cache Key).
func retried(params json.RawMessage) bool {
	if !bytes.Contains(params, []byte(`"inputResponses"`)) && !bytes.Contains(params, []byte(`"requestState"`)) {
		return false
	}
	found := false
	_ = jsontext.EachMemberValid(params, func(k, _ []byte) bool {
		found = string(k) == "inputResponses" || string(k) == "requestState"
		return !found
	})
	return found
}

// listHint returns the hint of a page of a list of reg: base (ServerOptions.ListCache)
// lowered to the least TTL of the page's entries and the least scope of the whole list's (see
// the design note above); hint says what an entry promises. The whole list is looked at only
// when base is public. The caller holds the Server's mu.
func listHint[T any](base CacheHint, reg *registry[T], page []T, hint func(T) CacheHint) CacheHint {
	h := base.normal()
	for _, e := range page {
		h = h.atMost(CacheHint{TTL: hint(e).TTL, Scope: CachePublic})
	}
	if h.public() {
		for _, k := range reg.order {
			if !hint(reg.byKey[k]).public() {
				h.Scope = CachePrivate
				break
			}
		}
	}
	return h
}
