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
// runwrap's HTTP client (issue 18).
func TestAPIFlags(t *testing.T) {
	testutil.TestAPIFlags(t, "runwrap", testutil.APIOldNames{}, func(t *testing.T, url string, env map[string]string, args []string) {
		e := &cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
			LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
		args = append(append([]string{"--ping-url", url + "/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278", "--no-start-ping"}, args...), "--", "true")
		r := newRoot(e)
		cli.Execute(r, rootArgs(r, args))
	})
}
