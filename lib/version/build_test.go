package version_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

// These tests build runwrap the two ways a user does without scripts/release
// and check that --version names a real version or revision, never "dev".
// They compile the binary, so they are skipped with -short.

// run is testutil.Run with the output trimmed: the tests compare it whole.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	return strings.TrimSpace(testutil.Run(t, dir, env, name, args...))
}

// goEnv: a user's default VCS stamping (this machine's go env file may say
// -buildvcs=false; a user's does not), the binary in a temporary GOBIN.
func goEnv(gobin string) []string {
	return []string{"GOFLAGS=-buildvcs=auto", "GOBIN=" + gobin, "CGO_ENABLED=0"}
}

// TestGoInstallFromClone: `go install ./cmd/...` in a git clone stamps the
// commit (Go's pseudo-version v0.0.0-DATE-REV12, "+dirty" when modified).
func TestGoInstallFromClone(t *testing.T) {
	if testing.Short() {
		t.Skip("builds runwrap")
	}
	testutil.NeedProgram(t, "git")
	root := testutil.ModuleRoot(t)
	head := run(t, root, nil, "git", "rev-parse", "HEAD")
	// A clone, not this directory: Go does not read VCS information from a
	// linked git worktree (.git is a file there), and a user has a clone.
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	run(t, tmp, nil, "git", "clone", "-q", root, src)
	// Uncommitted work is copied over, so the test sees the code as it is
	// (and the build is then stamped dirty).
	changed := run(t, root, nil, "sh", "-c", "git diff --name-only HEAD; git ls-files --others --exclude-standard")
	dirty := false
	for _, f := range strings.Fields(changed) {
		dirty = true
		b, err := os.ReadFile(filepath.Join(root, f))
		if os.IsNotExist(err) {
			_ = os.Remove(filepath.Join(src, f))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gobin := filepath.Join(tmp, "bin")
	run(t, src, goEnv(gobin), "go", "install", "./cmd/runwrap")
	got := run(t, tmp, nil, filepath.Join(gobin, "runwrap"), "--version")
	if !strings.HasPrefix(got, "runwrap v") || !strings.Contains(got, head[:12]) {
		t.Errorf("--version = %q, want runwrap v<pseudo-version> naming commit %s", got, head[:12])
	}
	if strings.HasSuffix(got, "+dirty") != dirty {
		t.Errorf("--version = %q, dirty tree: %v", got, dirty)
	}
}

// TestGoInstallAtVersion: `go install github.com/cronkit/cronkit/cmd/runwrap@v0.9.1`
// prints v0.9.1. The module is served from a file:// proxy holding a zip of
// HEAD; its dependencies come from the local module cache's download cache.
func TestGoInstallAtVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds runwrap")
	}
	testutil.NeedProgram(t, "git")
	root := testutil.ModuleRoot(t)
	const v = "v0.9.1"
	tmp := t.TempDir()
	proxy := filepath.Join(tmp, "proxy")
	dir := filepath.Join(proxy, "github.com/cronkit/cronkit/@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, root, nil, "git", "archive", "--format=zip", "--prefix=github.com/cronkit/cronkit@"+v+"/",
		"-o", filepath.Join(dir, v+".zip"), "HEAD")
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		v + ".mod": string(gomod), v + ".info": `{"Version":"` + v + `","Time":"2026-12-07T00:00:00Z"}`, "list": v + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	modcache := run(t, root, nil, "go", "env", "GOMODCACHE")
	gobin := filepath.Join(tmp, "bin")
	env := append(goEnv(gobin),
		"GOPROXY=file://"+proxy+",file://"+filepath.Join(modcache, "cache/download"),
		"GOMODCACHE="+filepath.Join(tmp, "modcache"), "GOFLAGS=-modcacherw -trimpath",
		"GOSUMDB=off", "GOWORK=off")
	run(t, tmp, env, "go", "install", "github.com/cronkit/cronkit/cmd/runwrap@"+v)
	if got := run(t, tmp, nil, filepath.Join(gobin, "runwrap"), "--version"); got != "runwrap "+v {
		t.Errorf("--version = %q, want %q", got, "runwrap "+v)
	}
}
