package main

import (
	"context"
	"strings"

	"github.com/cronkit/cronkit/lib/app/statpost"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/spf13/cobra"
)

// countOptions are `statpost count NAME [N]` and `statpost value NAME V`.
type countOptions struct {
	*postOptions
	kind metric.Kind
	name string
	num  string
	time string
}

func newCountCmd(po *postOptions, kind string) *cobra.Command {
	o := &countOptions{postOptions: po, kind: metric.Kind(kind)}
	cmd := &cobra.Command{
		Use:   "count NAME [N]",
		Short: "Post a count (N defaults to 1)",
		Long: `Post a count: StatHat sums counts per interval (a counter), StatsD gets NAME:N|c.
N defaults to 1 and may be fractional or negative.`,
		Example: `  statpost count installs
  statpost count "emails sent" 12
  statpost count "messages sent~total,europe" 1     # StatHat multi-stat: "messages sent total", "messages sent europe"
  statpost count backups 1 --time 1700000000 --sink statsd=udp://127.0.0.1:8125
  statpost count "queue length" -- -3             # a negative N goes after --`,
		Args: cobra.RangeArgs(1, 2),
	}
	if kind == "value" {
		cmd.Use = "value NAME V"
		cmd.Short = "Post a value"
		cmd.Long = `Post a value: StatHat averages values per interval, StatsD gets NAME:V|g.`
		cmd.Example = `  statpost value "daily active users" 1234
  statpost value "load average" 0.73 --time 2026-11-22T21:05:00Z
  statpost value "queue depth" 17 --dry-run
  statpost value temperature -- -2.5              # a negative V goes after --`
		cmd.Args = cobra.ExactArgs(2)
	}
	cmd.Flags().StringVar(&o.time, "time", "", "time of the point: unix seconds or RFC 3339 (default: now)")
	cmd.SetFlagErrorFunc(negativeNumberHint)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.name = args[0]
		o.num = "1"
		if len(args) > 1 {
			o.num = args[1]
		}
		ctx, cancel := po.root.Context(cmd.Context())
		defer cancel()
		return runCount(ctx, o)
	}
	return cmd
}

// negativeNumberHint turns pflag's "unknown shorthand flag: '3' in -3" into
// advice: a negative number reads as flags unless it comes after "--".
func negativeNumberHint(c *cobra.Command, err error) error {
	msg := err.Error()
	if i := strings.LastIndex(msg, " in -"); i >= 0 && strings.HasPrefix(msg, "unknown shorthand flag") {
		arg := msg[i+len(" in "):]
		if _, perr := metric.ParseValue(arg); perr == nil {
			return cli.Usagef("%s reads as flags: put a negative number after --, e.g. statpost %s NAME -- %s", arg, c.Name(), arg)
		}
	}
	return cli.WithCode(cli.ExitUsage, err)
}

func runCount(ctx context.Context, o *countOptions) error {
	return exitErr(statpost.RunCount(ctx, statpost.CountOptions{Options: o.app(), Kind: o.kind, Name: o.name, Value: o.num, Time: o.time}))
}
