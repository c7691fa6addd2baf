package discover

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCrontab: any /etc/cron.d content scans without panic; slugs match
// ^[a-z0-9-_]+$; lines that are not rewritten keep their bytes; and the
// rewrite is idempotent: scanning the rewritten file plans no change and
// finds every job wrapped under the same slug. Seeds: testdata/shapes.
func FuzzCrontab(f *testing.F) {
	files, _ := filepath.Glob("testdata/shapes/*.crontab")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	live := false
	f.Fuzz(func(t *testing.T, content string) {
		root := t.TempDir()
		path := filepath.Join(root, "etc/cron.d/x")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		o := Options{Root: root, Host: "h", Live: &live}
		p, err := Scan(o)
		if err != nil {
			t.Fatal(err)
		}
		slugs := map[string]bool{}
		for _, j := range p.Jobs {
			if j.Monitored() {
				if !validSlug(j.Slug) {
					t.Fatalf("slug %q", j.Slug)
				}
				slugs[j.Slug] = true
			}
		}
		if len(p.Files) != 1 {
			t.Fatalf("%d files", len(p.Files))
		}
		out := p.Files[0].New(nil)
		oldLines, newLines := p.Files[0].lines, splitLines(out)
		if len(oldLines) != len(newLines) {
			t.Fatalf("%d lines became %d", len(oldLines), len(newLines))
		}
		for i, l := range oldLines {
			if l.rewrite == "" && (l.text != newLines[i].text || l.eol != newLines[i].eol) {
				t.Fatalf("line %d changed: %q -> %q", i+1, l.text, newLines[i].text)
			}
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		p2, err := Scan(o)
		if err != nil {
			t.Fatal(err)
		}
		if d := p2.Files[0].Diff(nil); d != "" {
			t.Fatalf("the rewrite of %q is rewritten again:\n%s", content, d)
		}
		for _, j := range p2.Jobs {
			if j.Monitored() && !slugs[j.Slug] && !strings.Contains(j.Command, "runwrap") {
				t.Fatalf("rerun found new slug %s for %q", j.Slug, j.Command)
			}
		}
	})
}
