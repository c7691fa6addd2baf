package version

import (
	"runtime/debug"
	"testing"
)

func TestResolve(t *testing.T) {
	withVCS := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}
	tagged := &debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	tests := []struct {
		name     string
		injected string
		info     func() (*debug.BuildInfo, bool)
		want     string
	}{
		{"ldflags wins", "v1.2.3", func() (*debug.BuildInfo, bool) { return tagged, true }, "v1.2.3"},
		{"module version", "", func() (*debug.BuildInfo, bool) { return tagged, true }, "v0.3.0"},
		{"vcs revision", "", func() (*debug.BuildInfo, bool) { return withVCS, true }, "dev-0123456789ab-dirty"},
		{"nothing", "", none, "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resolve(tt.injected, tt.info); got != tt.want {
				t.Errorf("resolve = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	if got, want := UserAgent("statpost"), "statpost/"+String(); got != want {
		t.Errorf("UserAgent = %q, want %q", got, want)
	}
}
