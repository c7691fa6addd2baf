package main

import (
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

// An unknown subcommand at any depth is a usage error (issue 13, item 2).
// The root's words are database names (pgreport DBNAME...), so it is not a
// group to check; any group added under it is.
func TestUnknownSubcommands(t *testing.T) {
	testutil.UnknownSubcommands(t, newRoot, 2, "pgreport")
}
