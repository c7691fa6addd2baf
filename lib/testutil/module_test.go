package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ModuleRoot finds this module's go.mod two folders up from lib/testutil.
func TestModuleRoot(t *testing.T) {
	root := ModuleRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(b), "module github.com/cronkit/cronkit\n") {
		t.Fatalf("ModuleRoot = %s: go.mod %q, %v", root, b, err)
	}
	if want, _ := filepath.Abs("../.."); root != want {
		t.Errorf("ModuleRoot = %s, want %s", root, want)
	}
}

// Run runs in dir with env added, returns the output untrimmed, and fails
// t, with the output, on a non-zero exit.
func TestRun(t *testing.T) {
	sh := NeedProgram(t, "sh")
	dir := t.TempDir()
	rec := &recorder{TB: t}
	if out := Run(rec, dir, []string{"CRONKIT_RUN_TEST=x"}, sh, "-c", `echo "$CRONKIT_RUN_TEST $(pwd)"`); out != "x "+dir+"\n" || len(rec.failed) != 0 {
		t.Errorf("Run = %q, failures %q", out, rec.failed)
	}
	if out := Run(rec, dir, nil, sh, "-c", "echo oops; exit 3"); out != "oops\n" || len(rec.failed) != 1 {
		t.Errorf("failing command: Run = %q, failures %q", out, rec.failed)
	}
}
