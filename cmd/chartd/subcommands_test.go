package main

import (
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

// An unknown subcommand at any depth is a usage error (issue 13, item 2).
func TestUnknownSubcommands(t *testing.T) {
	if g := testutil.UnknownSubcommands(t, newRoot, 2); len(g) < 1 {
		t.Errorf("checked %v, want the root at least", g)
	}
}
