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

// TestAPIFlags: push's --retries/--attempt-timeout/--deadline stay as hidden aliases (issue 18).
func TestAPIFlags(t *testing.T) {
	testutil.TestAPIFlags(t, testutil.APITool{Name: "pgreport", Root: newRoot, Stdin: fmt.Sprintf(`{"meta":{"version":"1.20","at":%d}}`, time.Now().Unix()),
		Old:  testutil.APIOldNames{Retries: "retries", Timeout: "attempt-timeout", Deadline: "deadline"},
		Args: []string{"push", "--server", "db7", "--api-key", "k", "--api-url", "{url}"}})
}

// A negative retry count is refused under the name the user typed or its
// new spelling, never under a hidden old one alone.
func TestAPIRetriesNegative(t *testing.T) {
	for _, flag := range []string{"--api-retries", "--retries"} {
		var stderr strings.Builder
		e := &cli.Env{Stdin: strings.NewReader("{}"), Stdout: io.Discard, Stderr: &stderr, LookupEnv: func(string) (string, bool) { return "", false }}
		code := cli.Execute(newRoot(e), []string{"push", "--server", "db7", "--api-key", "k", flag, "-1"})
		if code != cli.ExitUsage || !strings.Contains(stderr.String(), "--api-retries must not be negative") {
			t.Errorf("%s -1: exit %d, %s", flag, code, stderr.String())
		}
	}
}
