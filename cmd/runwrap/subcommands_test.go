package main

import (
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

// An unknown subcommand at any depth is a usage error (issue 13, item 2),
// 125 for runwrap as its every usage error. The root's words are the command
// to run, so it is not a group to check; any group added under it is.
func TestUnknownSubcommands(t *testing.T) {
	testutil.UnknownSubcommands(t, newRoot, 125, "runwrap")
}
