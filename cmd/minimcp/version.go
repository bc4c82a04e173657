package main

import "runtime/debug"

// unstampedVersion is version's value when the build did not set it with -ldflags.
const unstampedVersion = "dev"

// version is the version minimcp reports (`minimcp version`, serverInfo, User-Agent). A build
// may set it with -ldflags "-X main.version=..." (as .ci/lib.sh's lib_build_minimcp does,
// from git describe); otherwise it comes from the build information the Go toolchain records.
var version = unstampedVersion

func init() {
	info, _ := debug.ReadBuildInfo()
	version = buildVersion(version, info)
}

// buildVersion returns the version to report: the stamped one if the build set it; else the
// main module's version, which `go install module@v1.2.3` records as v1.2.3 and a build in a
// checkout (Go 1.24 on) as a pseudo-version with +dirty for uncommitted changes; else, for
// a build without one ("(devel)"), "dev-" and the first 12 digits of the VCS revision, with
// "-dirty" if the tree had changes; else "dev". info may be nil.
func buildVersion(stamped string, info *debug.BuildInfo) string {
	if stamped != unstampedVersion || info == nil {
		return stamped
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return stamped
	}
	v := unstampedVersion + "-" + rev[:min(12, len(rev))]
	if modified == "true" {
		v += "-dirty"
	}
	return v
}
