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

	// LatestVersion is the newest revision this package speaks, the one a server offers first.
	LatestVersion = Version20251125
)

// specVersions lists the supported revisions, newest first.
var specVersions = [...]string{Version20251125, Version20250618, Version20250326, Version20241105}

// SupportedVersions returns the protocol revisions this package speaks, newest first. The slice is new on
// every call; the caller may modify it.
func SupportedVersions() []string {
	out := make([]string, len(specVersions))
	copy(out, specVersions[:])
	return out
}

// IsSupportedVersion reports whether v names a protocol revision this package speaks. The comparison is exact:
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
