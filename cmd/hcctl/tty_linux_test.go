//go:build linux

package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/testutil/ptytest"
)

// The default output is a table when stdout is a terminal and JSON Lines
// when it is not (a pipe, a file, a buffer).
func TestDefaultFormatFollowsTerminal(t *testing.T) {
	master, slave := ptytest.Open(t)
	if !cli.IsTerminal(slave) {
		t.Fatal("a pty slave is not seen as a terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if cli.IsTerminal(w) || cli.IsTerminal(&bytes.Buffer{}) {
		t.Fatal("a pipe or a buffer is seen as a terminal")
	}

	run := func(stdout *os.File) {
		var errb bytes.Buffer
		env := &cli.Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: &errb,
			LookupEnv: func(string) (string, bool) { return "", false }}
		code := cli.Execute(newRoot(env), []string{"cron", "next", "0 3 * * *", "-n", "1", "--from", "2026-11-22T00:00:00Z"})
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	}
	run(slave)
	buf := make([]byte, 256)
	n, err := master.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(buf[:n])); got != "2026-11-22T03:00:00Z  Sun" {
		t.Errorf("on a terminal: %q, want the table row", got)
	}
	run(w)
	w.Close()
	n, _ = r.Read(buf)
	// cron next's piped default is one plain time a line (the other
	// listing commands default to JSON Lines, through the same isTerminal).
	if got := string(buf[:n]); got != "2026-11-22T03:00:00Z\n" {
		t.Errorf("on a pipe: %q, want one plain time a line", got)
	}
}
