package main

import (
	"io"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/testutil"
)

// TestAPIFlags: runitor's --api-retries/--api-timeout/--api-deadline
// (reference/runitor.md §1.1), the hidden old names and their env vars reach
// statpost's HTTP client (issue 18).
func TestAPIFlags(t *testing.T) {
	testutil.TestAPIFlags(t, "statpost", testutil.APIOldNames{Timeout: "attempt-timeout", Deadline: "post-deadline"}, func(t *testing.T, url string, env map[string]string, args []string) {
		e := &cli.Env{Stdin: strings.NewReader("x 1\n"), Stdout: io.Discard, Stderr: io.Discard,
			LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
		args = append([]string{"--api-url", url, "--ezkey", "k", "--kind", "value", "--spool-dir", t.TempDir()}, args...)
		r := newRoot(e)
		cli.Execute(r, args)
	})
}
