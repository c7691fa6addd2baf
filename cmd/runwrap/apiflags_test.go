package main

import (
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

// TestAPIFlags: runwrap already spelled them as runitor does (reference/runitor.md §1.1).
func TestAPIFlags(t *testing.T) {
	testutil.TestAPIFlags(t, testutil.APITool{Name: "runwrap", Root: newRoot, After: []string{"--", "true"},
		Args: []string{"--ping-url", "{url}/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278", "--no-start-ping"}})
}
