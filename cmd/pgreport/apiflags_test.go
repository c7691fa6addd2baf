package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
)

// TestAPIFlags: push's --retries/--attempt-timeout/--deadline stay as hidden aliases (issue 18).
func TestAPIFlags(t *testing.T) {
	testutil.TestAPIFlags(t, testutil.APITool{Name: "pgreport", Root: newRoot, Stdin: fmt.Sprintf(`{"meta":{"version":"1.20","at":%d}}`, time.Now().Unix()),
		Old:  testutil.APIOldNames{Retries: "retries", Timeout: "attempt-timeout", Deadline: "deadline"},
		Args: []string{"push", "--server", "db7", "--api-key", "k", "--api-url", "{url}"}})
}
