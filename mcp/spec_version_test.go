package mcp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersionSupported(t *testing.T) {
	assert.Equal(t, []string{"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}, SupportedVersions())
	assert.Equal(t, Version20251125, LatestVersion)

	// The caller owns the slice it gets.
	v := SupportedVersions()
	v[0] = "mutated"
	assert.Equal(t, LatestVersion, SupportedVersions()[0])

	for _, tt := range []struct {
		v    string
		want bool
	}{
		{"2024-11-05", true},
		{"2025-03-26", true},
		{"2025-06-18", true},
		{"2025-11-25", true},
		{"2026-07-28", false},
		{"2024-10-07", false},
		{"", false},
		{" 2025-06-18", false},
		{"2025-6-18", false},
	} {
		assert.Equal(t, tt.want, IsSupportedVersion(tt.v), "IsSupportedVersion(%q)", tt.v)
	}
}

func TestVersionBefore(t *testing.T) {
	for _, tt := range []struct {
		version, rev string
		want         bool
	}{
		{Version20241105, Version20250326, true},
		{Version20250326, Version20250326, false},
		{Version20250618, Version20250326, false},
		{Version20250618, Version20251125, true},
		{Version20251125, Version20251125, false},
		{"2026-07-28", Version20251125, false},
		{"", Version20250326, false}, // unknown: taken as the latest
	} {
		assert.Equal(t, tt.want, specBefore(tt.version, tt.rev), "specBefore(%q, %q)", tt.version, tt.rev)
	}
}

func TestSpecMethodNames(t *testing.T) {
	names := []string{
		MethodInitialize, MethodPing, MethodToolsList, MethodToolsCall, MethodResourcesList,
		MethodResourcesTemplatesList, MethodResourcesRead, MethodResourcesSubscribe, MethodResourcesUnsubscribe,
		MethodPromptsList, MethodPromptsGet, MethodCompletionComplete, MethodLoggingSetLevel,
		MethodSamplingCreateMessage, MethodRootsList, MethodElicitationCreate, MethodTasksGet, MethodTasksResult,
		MethodTasksList, MethodTasksCancel,
		NotificationInitialized, NotificationCancelled, NotificationProgress, NotificationLoggingMessage,
		NotificationResourceUpdated, NotificationResourceListChanged, NotificationToolListChanged,
		NotificationPromptListChanged, NotificationRootsListChanged, NotificationElicitationComplete,
		NotificationTaskStatus,
	}
	seen := map[string]bool{}
	for _, n := range names {
		assert.False(t, seen[n], "duplicate method %q", n)
		seen[n] = true
	}
	assert.Equal(t, "tools/call", MethodToolsCall)
	assert.Equal(t, "notifications/message", NotificationLoggingMessage)
	assert.Equal(t, "notifications/elicitation/complete", NotificationElicitationComplete)
	assert.Equal(t, "resources/templates/list", MethodResourcesTemplatesList)
}
