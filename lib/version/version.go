// Package version holds the one version string shared by every cronkit tool.
// It is not a public API.
package version

import (
	"runtime/debug"
	"sync"
)

// Version is set at build time by scripts/release:
//
//	go build -ldflags "-X github.com/cronkit/cronkit/lib/version.Version=v1.2.3"
//
// When empty, String falls back to the module build info: the module version
// for `go install .../cmd/runwrap@v1.2.3`, Go's pseudo-version naming the
// commit (v0.0.0-DATE-REV, "+dirty") for `go install ./cmd/...` in a clone,
// or the vcs.revision setting. Only a build without any of these (go run,
// -buildvcs=false, a source tree without .git) says "dev".
var Version string

var (
	once     sync.Once
	resolved string
)

// String returns the version of this build.
func String() string {
	once.Do(func() { resolved = resolve(Version, debug.ReadBuildInfo) })
	return resolved
}

func resolve(injected string, info func() (*debug.BuildInfo, bool)) string {
	if injected != "" {
		return injected
	}
	if bi, ok := info(); ok && bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			return "dev-" + rev + dirty
		}
	}
	return "dev"
}

// UserAgent is the User-Agent every cronkit HTTP request sends: "<tool>/<version>".
func UserAgent(tool string) string { return tool + "/" + String() }
