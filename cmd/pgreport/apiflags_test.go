package main

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/testutil"
)

// TestAPIFlags: runitor's --api-retries/--api-timeout/--api-deadline
// (reference/runitor.md §1.1), the hidden old names and their env vars reach
// pgreport's HTTP client (issue 18).
func TestAPIFlags(t *testing.T) {
	testutil.TestAPIFlags(t, "pgreport", testutil.APIOldNames{Retries: "retries", Timeout: "attempt-timeout", Deadline: "deadline"}, func(t *testing.T, url string, env map[string]string, args []string) {
		e := &cli.Env{Stdin: strings.NewReader(fmt.Sprintf(`{"meta":{"version":"1.20","at":%d}}`, time.Now().Unix())), Stdout: io.Discard, Stderr: io.Discard,
			LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
		args = append([]string{"push", "--server", "db7", "--api-key", "k", "--api-url", url}, args...)
		r := newRoot(e)
		cli.Execute(r, args)
	})
}
