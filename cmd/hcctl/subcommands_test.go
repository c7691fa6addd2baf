package main

import (
	"slices"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

// "hcctl checks pasue x" and "hcctl cron nxt" printed help and exited 0: an
// unknown subcommand at any depth is a usage error (issue 13, item 2).
func TestUnknownSubcommands(t *testing.T) {
	groups := testutil.UnknownSubcommands(t, newRoot, 2)
	for _, g := range []string{"hcctl", "hcctl checks", "hcctl cron"} {
		if !slices.Contains(groups, g) {
			t.Errorf("group %q not checked (checked %v)", g, groups)
		}
	}
}
