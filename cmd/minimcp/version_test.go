package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestBuildVersion checks where the version comes from: -ldflags -X main.version first, then
// the module version of a `go install ...@v1.2.3`, then the VCS revision of a build from a
// checkout, and "dev" only when nothing is known.
func TestBuildVersion(t *testing.T) {
	info := func(mainVersion string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/minimcp/minimcp", Version: mainVersion}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name    string
		stamped string
		info    *debug.BuildInfo
		want    string
	}{
		{"stamped by -ldflags", "v0.9.0-3-gabc", info("v1.2.3"), "v0.9.0-3-gabc"},
		{"go install @version", "dev", info("v1.2.3"), "v1.2.3"},
		{"pseudo-version of a checkout", "dev", info("v0.0.0-20261205120000-0123456789ab+dirty", "vcs.revision", rev), "v0.0.0-20261205120000-0123456789ab+dirty"},
		{"devel with a revision", "dev", info("(devel)", "vcs.revision", rev, "vcs.modified", "false"), "dev-0123456789ab"},
		{"devel with changes", "dev", info("(devel)", "vcs.revision", rev, "vcs.modified", "true"), "dev-0123456789ab-dirty"},
		{"nothing known", "dev", info("(devel)"), "dev"},
		{"no build info", "dev", nil, "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, buildVersion(tt.stamped, tt.info))
		})
	}
}
