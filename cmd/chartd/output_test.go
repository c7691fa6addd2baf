package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
)

// chartdRun runs chartd's root command in-process on stdin, returning the
// exit code and stderr.
func chartdRun(t *testing.T, stdin string, args ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(stdin), Stdout: io.Discard, Stderr: &stderr,
		LookupEnv: func(string) (string, bool) { return "", false }}
	return cli.Execute(newRoot(env), args), stderr.String()
}

// -o replaces a published file atomically (a web server serving it never sees
// a truncated or half-written image) and leaves it alone when chartd fails:
// `... | chartd -o /var/www/html/x.png` in a crontab must not publish 0 bytes.
func TestOutputReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "chart.png")
	if err := os.WriteFile(out, []byte("the old chart"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct{ name, stdin string }{
		{"empty input", ""},
		{"error record", `{"error":"pgreport: connection refused"}` + "\n"},
	} {
		if code, stderr := chartdRun(t, tc.stdin, "--png", "-o", out); code == 0 {
			t.Errorf("%s: exit 0, want failure (stderr %q)", tc.name, stderr)
		}
		if b, _ := os.ReadFile(out); string(b) != "the old chart" {
			t.Errorf("%s: the published file became %q, want it untouched", tc.name, b)
		}
	}

	// A reader that opened the old file (a web server mid-response) keeps
	// reading the whole old file: the new one is renamed over it, not
	// written into it.
	reader, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if code, stderr := chartdRun(t, "1\n2\n3\n", "--png", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	old, _ := io.ReadAll(reader)
	if string(old) != "the old chart" {
		t.Errorf("an open reader saw %d bytes starting %q, want the old file whole", len(old), old[:min(len(old), 8)])
	}
	b, _ := os.ReadFile(out)
	if !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("new file is not a PNG: %q", b[:min(len(b), 16)])
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 (others read it)", st.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}
