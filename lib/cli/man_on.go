//go:build mangen

package cli

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/cronkit/cronkit/lib/cli/man"
	"github.com/cronkit/cronkit/lib/version"
	"github.com/spf13/cobra"
)

// newManCmd is the hidden "__man DIR" command that scripts/release runs (in a
// build with -tags mangen) to write a man page for every command and
// subcommand. The pages come from the same cobra commands as --help, so they
// cannot drift from it.
func newManCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:    "__man DIR",
		Short:  "Write the man pages of every command into DIR (for packaging)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			date, err := sourceDate()
			if err != nil {
				return Usagef("%v", err)
			}
			return man.Write(root, args[0], date, "cronkit "+version.String(), ExitCodesOf)
		},
	}
}

// sourceDate is SOURCE_DATE_EPOCH (the reproducible-builds convention) or now:
// the date in the pages' footer.
func sourceDate() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Now().UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a Unix time", s)
	}
	return time.Unix(n, 0).UTC(), nil
}
