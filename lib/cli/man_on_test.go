//go:build mangen

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Run with: go test -tags mangen ./lib/cli (scripts/internal/releasetest
// checks the pages of the real tools).

func TestManCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	r, _ := testRoot(t, &stdout, &stderr)
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	if code := Execute(r, []string{"__man", dir}); code != 0 {
		t.Fatalf("__man exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "demo-show.1"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"Nov 2023"`) {
		t.Errorf("date not from SOURCE_DATE_EPOCH:\n%s", b)
	}
	if code := Execute(r, []string{"--help"}); code != 0 || strings.Contains(stdout.String(), "__man") {
		t.Errorf("--help lists __man (exit %d):\n%s", code, stdout.String())
	}
}

func TestManBadSourceDate(t *testing.T) {
	var stdout, stderr bytes.Buffer
	r, _ := testRoot(t, &stdout, &stderr)
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if code := Execute(r, []string{"__man", t.TempDir()}); code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(stderr.String(), `SOURCE_DATE_EPOCH="yesterday"`) {
		t.Errorf("stderr = %q", stderr.String())
	}
}
