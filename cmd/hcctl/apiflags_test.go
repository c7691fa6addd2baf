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
// hcctl's HTTP client (issue 18).
func TestAPIFlags(t *testing.T) {
	testutil.TestAPIFlags(t, "hcctl", testutil.APIOldNames{}, func(t *testing.T, url string, env map[string]string, args []string) {
		e := &cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
			LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
		args = append([]string{"checks", "list", "--api-url", url, "--api-key", "k"}, args...)
		r := newRoot(e)
		cli.Execute(r, args)
	})
}
