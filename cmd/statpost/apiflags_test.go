package main

import (
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

// TestAPIFlags: the new spellings, and --attempt-timeout/--post-deadline hidden (issue 18).
func TestAPIFlags(t *testing.T) {
	testutil.TestAPIFlags(t, testutil.APITool{Name: "statpost", Root: newRoot, Stdin: "x 1\n",
		Old:  testutil.APIOldNames{Timeout: "attempt-timeout", Deadline: "post-deadline"},
		Args: []string{"--api-url", "{url}", "--ezkey", "k", "--kind", "value", "--spool-dir", t.TempDir()}})
}
