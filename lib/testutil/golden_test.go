package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Errorf(format string, args ...any) { r.failed = append(r.failed, format) }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = append(r.failed, format) }
func (r *recorder) Helper()                           {}

func TestGolden(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "x.golden")
	*Update = true
	Golden(t, p, []byte("a\nb\n"))
	*Update = false
	if b, _ := os.ReadFile(p); string(b) != "a\nb\n" {
		t.Fatalf("update wrote %q", b)
	}
	rec := &recorder{TB: t}
	Golden(rec, p, []byte("a\nb\n"))
	if len(rec.failed) != 0 {
		t.Errorf("equal output failed")
	}
	Golden(rec, p, []byte("a\nc\n"))
	if len(rec.failed) != 1 {
		t.Errorf("different output passed")
	}
	if d := diff([]byte("a\nb\n"), []byte("a\nc\n")); !strings.Contains(d, "line 2:\n- b\n+ c") {
		t.Errorf("diff = %q", d)
	}
	Golden(rec, filepath.Join(dir, "missing"), nil)
	if len(rec.failed) != 2 {
		t.Errorf("missing golden file passed")
	}
}
