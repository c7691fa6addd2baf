package main

import (
	"context"

	"github.com/cronkit/cronkit/lib/app/statpost"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

// timeOptions are `statpost time NAME -- CMD ARGS`.
type timeOptions struct {
	*postOptions
	name string
	argv []string
	ms   bool
}

func newTimeCmd(po *postOptions) *cobra.Command {
	o := &timeOptions{postOptions: po}
	cmd := &cobra.Command{
		Use:   "time NAME -- CMD [ARGS...]",
		Short: "Run a command and post how long it took",
		Long: `Run CMD, post its duration in seconds as a value on NAME and, when it fails,
a count of 1 on "NAME errors". statpost exits with the command's own exit code
(127 not found, 126 not executable, 128+N killed by signal N); a post that
fails is reported on stderr and spooled, and does not change the exit code.`,
		Example: `  statpost time "backup seconds" -- pg_dump -f /backup/db.sql db
  statpost time --ms "deploy ms" -- ./deploy.sh production`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 1 || len(args) < 2 {
				return cli.Usagef("usage: statpost time NAME -- CMD [ARGS...]")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&o.ms, "ms", false, "post milliseconds, as the official StatHat CLI does")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.name, o.argv = args[0], args[1:]
		return runTime(cmd.Context(), o)
	}
	return cmd
}

// runTime runs the command and exits with its code; the post's own
// failures are said on stderr and change nothing in it.
func runTime(ctx context.Context, o *timeOptions) error {
	code, err := statpost.RunTime(ctx, statpost.TimeOptions{Options: o.app(), Name: o.name, Argv: o.argv, MS: o.ms})
	if err != nil {
		return exitErr(err)
	}
	if code != 0 {
		return cli.Exit(code)
	}
	return nil
}
