package main

import (
	"context"
	"strconv"

	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

func newPingsCmd(g *global) *cobra.Command {
	var o app.PingsOptions
	cmd := &cobra.Command{
		Use:   "pings CHECK",
		Short: "List a check's recent pings (type, time, duration, method, body)",
		Long: `List a check's recent pings, newest first, as the API returns them: type
(success, start, fail, log, ign), time, the run's duration when a start
preceded it, method, whether a body is stored, user agent. The API does not
return a ping's exit status: a ping to /N is listed as fail (success for 0);
runwrap ends the body it sends with the exit status (hcctl pings body).

-f metrics writes one metric record per ping that has a duration, named
hc.<slug or name>.duration (seconds, kind value, tagged check and type), so
that chartd can chart a job's runtime; when the API fails it writes an error
record ({"error":..}) before exiting non-zero, so that chartd draws the
failure. The pings list needs a read-write key.`,
		Example: `  hcctl pings backups
  hcctl pings backups -n 5 -f json
  hcctl pings db7-pgreport -f metrics | chartd -t "pgreport runtime" > runtime.svg
  hcctl pings body backups 12`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCheck(g),
		RunE: g.run(&o.Env, func(ctx context.Context, args []string) error {
			o.Ref = args[0]
			return app.RunPings(ctx, o)
		}),
	}
	cmd.Flags().IntVarP(&o.Limit, "limit", "n", 0, "show at most N pings (0: all the server returns)")
	cli.NoEnv(cmd.Flags(), "limit")
	addFormatFlag(cmd, &o.Format, "table, json, jsonl, metrics")
	cmd.AddCommand(newPingsBodyCmd(g))
	return cmd
}

func newPingsBodyCmd(g *global) *cobra.Command {
	var o app.PingsOptions
	return &cobra.Command{
		Use:               "body CHECK N",
		Short:             "Print the stored body of ping N of a check",
		Example:           "  hcctl pings body backups 12 > backup.log",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completeCheck(g),
		RunE: g.run(&o.Env, func(ctx context.Context, args []string) error {
			o.Ref = args[0]
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 1 {
				return cli.Usagef("N %q: want a ping number (the N column of hcctl pings)", args[1])
			}
			o.N = n
			return app.RunPingsBody(ctx, o)
		}),
	}
}
