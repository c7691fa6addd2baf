package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// ExitCodesOf is the exit-code table NewRoot put into c's help template, as
// --help shows it, without its "Exit codes:" heading ("" if c has a template
// of its own). lib/cli/man writes it into the man pages.
func ExitCodesOf(c *cobra.Command) string {
	codes, ok := strings.CutPrefix(c.HelpTemplate(), helpTemplate+"\n")
	if !ok {
		return ""
	}
	_, codes, _ = strings.Cut(strings.TrimSpace(codes), "\n")
	return codes
}
