package mcp

// Protocol revisions this package speaks. A revision is named by the date it was published, and the names
// order as the revisions do: comparing two of them as strings tells which is older.
//
// MCP 2025-11-25, Basic § Lifecycle, Version Negotiation: the client sends the latest version it supports;
// the server answers with the same version if it supports it, and otherwise with another version it supports,
// which SHOULD be its latest.
const (
	// Version20241105 is the first published revision of MCP (schema/2024-11-05/schema.ts).
	Version20241105 = "2024-11-05"
	// Version20250326 added tool annotations, audio content, progress messages and the completions
	// capability (schema/2025-03-26/schema.ts).
	Version20250326 = "2025-03-26"
	// Version20250618 added structured tool output, resource links, elicitation, titles and _meta on most
	// definitions (schema/2025-06-18/schema.ts).
	Version20250618 = "2025-06-18"
	// Version20251125 added icons, URL elicitation, tool use in sampling and tasks
	// (schema/2025-11-25/schema.ts).
	Version20251125 = "2025-11-25"

	// Version20260728 removed initialize and protocol sessions: every request carries its
	// version, the client's info and capabilities in _meta, and server/discover tells what a
	// server supports (schema/2026-07-28/schema.ts; MCP 2026-07-28, Basic § Versioning). It is
	// never negotiated by initialize: a request claiming it is served on its own, without a
	// session (see [IsModernVersion]).
	Version20260728 = "2026-07-28"

	// LatestVersion is the newest revision initialize negotiates, the one a server offers
	// first there. Revisions without initialize ([Version20260728]) are not among them.
	LatestVersion = Version20251125
)

// modernVersions lists the supported revisions without initialize, newest first.
var modernVersions = [...]string{Version20260728}

// ModernVersions returns the protocol revisions this package serves per request, without
// initialize or a session (MCP 2026-07-28, Basic § Versioning: "Modern: protocol versions that
// convey version, identity, and capabilities as per-request metadata"), newest first. The
// slice is new on every call.
func ModernVersions() []string {
	out := make([]string, len(modernVersions))
	copy(out, modernVersions[:])
	return out
}

// IsModernVersion reports whether v names a revision this package serves per request, without
// initialize (exact comparison, as [IsSupportedVersion]).
func IsModernVersion(v string) bool { return v == Version20260728 }

// AllVersions returns every revision this package speaks, the per-request ones first, then
// those initialize negotiates, each group newest first: what a server lists in server/discover
// and in an UnsupportedProtocolVersionError (MCP 2026-07-28, Basic § Versioning, Protocol
// Version Negotiation). The slice is new on every call.
func AllVersions() []string {
	return append(ModernVersions(), specVersions[:]...)
}

// specVersions lists the supported revisions, newest first.
var specVersions = [...]string{Version20251125, Version20250618, Version20250326, Version20241105}

// SupportedVersions returns the protocol revisions initialize negotiates, newest first (see
// [AllVersions] for every revision spoken). The slice is new on
// every call; the caller may modify it.
func SupportedVersions() []string {
	out := make([]string, len(specVersions))
	copy(out, specVersions[:])
	return out
}

// IsSupportedVersion reports whether v names a protocol revision initialize negotiates (see
// [IsModernVersion] for the others). The comparison is exact:
// "2025-06-18" is supported, " 2025-06-18" and "2025-6-18" are not.
func IsSupportedVersion(v string) bool {
	switch v {
	case Version20241105, Version20250326, Version20250618, Version20251125:
		return true
	}
	return false
}

// specBefore reports whether a peer that negotiated version predates revision rev, so that what rev added
// must be left out of what is sent to it. Revision names order as strings do. An empty version (not known)
// is taken as the latest: nothing is left out.
func specBefore(version, rev string) bool {
	return version != "" && version < rev
}
