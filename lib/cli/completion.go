package cli

import (
	"github.com/spf13/cobra"
)

// newCompletionCmd is added explicitly because cobra only adds its default
// one to roots that already have subcommands.
func newCompletionCmd(root *cobra.Command) *cobra.Command {
	name := root.Name()
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print a shell completion script",
		Long:  "Print a shell completion script for " + name + " to stdout.",
		Example: "  " + name + " completion bash > /etc/bash_completion.d/" + name + "\n" +
			"  " + name + " completion zsh > \"${fpath[1]}/_" + name + "\"\n" +
			"  " + name + " completion fish > ~/.config/fish/completions/" + name + ".fish",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"bash", "zsh", "fish"},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			}
			return Usagef("unknown shell %q (want bash, zsh or fish)", args[0])
		},
	}
	return cmd
}
