package testutil

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// NeedProgram returns the path of the first of names found in PATH (a real
// receiver, rsvg-convert, Chromium...). When none is, the test skips, but
// only where CI is unset: under CI a missing program is a failure, since
// scripts/setup installs everything in scripts/apt-packages.txt.
func NeedProgram(t testing.TB, names ...string) string {
	t.Helper()
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	which := strings.Join(names, " or ")
	if os.Getenv("CI") == "" {
		t.Skipf("%s not installed (scripts/setup installs it); CI is unset", which)
	}
	t.Fatalf("%s not installed, and CI is set: scripts/setup should have installed it", which)
	return ""
}

// Stop ends a program a test started: SIGINT, then SIGKILL if it has not
// exited within grace, and waits for it either way.
func Stop(cmd *exec.Cmd, grace time.Duration) {
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-done
	}
}
