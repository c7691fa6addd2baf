package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// ExitCodesOf is the exit-code table NewRoot prints after c's help, as
// --help shows it, without its "Exit codes:" heading ("" if c has a template
// of its own). lib/cli/man writes it into the man pages.
func ExitCodesOf(c *cobra.Command) string {
	if c.HelpTemplate() != helpTemplate {
		return ""
	}
	_, codes, _ := strings.Cut(strings.TrimSpace(c.Root().Annotations[annotExitCodes]), "\n")
	return codes
}
