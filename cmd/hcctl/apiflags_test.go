package main

import (
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

// TestAPIFlags: hcctl had no HTTP flags; it takes runitor's three (issue 18).
func TestAPIFlags(t *testing.T) {
	testutil.TestAPIFlags(t, testutil.APITool{Name: "hcctl", Root: newRoot, Args: []string{"checks", "list", "--api-url", "{url}", "--api-key", "k"}})
}
