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
// a truncated or half-written image): `... | chartd -o /var/www/html/x.png`
// in a crontab must never publish 0 bytes. No data leaves the old file; an
// error record (the producer failed) replaces it with a whole error image.
func TestOutputReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "chart.png")
	old := func() {
		t.Helper()
		if err := os.WriteFile(out, []byte("the old chart"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old()
	if code, stderr := chartdRun(t, "", "--png", "-o", out); code == 0 {
		t.Errorf("empty input: exit 0, want failure (stderr %q)", stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "the old chart" {
		t.Errorf("empty input: the published file became %d bytes, want it untouched", len(b))
	}

	for _, tc := range []struct {
		name, stdin string
		code        int
	}{
		{"error record", `{"error":"pgreport: connection refused"}` + "\n", 1},
		{"data", "1\n2\n3\n", 0},
	} {
		old()
		// A reader that opened the old file (a web server mid-response) keeps
		// reading the whole old file: the new one is renamed over it, not
		// written into it.
		reader, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		if code, stderr := chartdRun(t, tc.stdin, "--png", "-o", out); code != tc.code {
			t.Fatalf("%s: exit %d, want %d: %s", tc.name, code, tc.code, stderr)
		}
		was, _ := io.ReadAll(reader)
		reader.Close()
		if string(was) != "the old chart" {
			t.Errorf("%s: an open reader saw %d bytes starting %q, want the old file whole", tc.name, len(was), was[:min(len(was), 8)])
		}
		b, _ := os.ReadFile(out)
		if !bytes.HasPrefix(b, []byte("\x89PNG")) || !bytes.HasSuffix(b, []byte("IEND\xaeB`\x82")) {
			t.Errorf("%s: the new file is not a whole PNG: %d bytes", tc.name, len(b))
		}
		if st, _ := os.Stat(out); st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644 (others read it)", tc.name, st.Mode().Perm())
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}
