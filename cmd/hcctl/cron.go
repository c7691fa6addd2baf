package main

import (
	"context"

	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

func newCronCmd(g *global) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cron",
		Short: "Check cron and OnCalendar expressions: next runs, plain-English explanation, validity",
		Long: `Work with cron expressions the way Healthchecks (cronsim) and Debian's cron
read them: five fields, names, ranges, steps, @daily and friends, L, LW, DOW#N
and DOWL, day-of-month and day-of-week ORed when both are restricted, and
daylight-saving changes handled as Debian cron does. No API key is needed.

systemd OnCalendar expressions (systemd.time(7): "Mon..Fri *-*-* 09:00",
"daily", "*-*~01 23:00 Europe/Riga") are read too, as systemd 252 reads them,
and so is their handling of daylight-saving changes. Like Healthchecks, a
single line of exactly five fields is cron, anything else OnCalendar; several
OnCalendar expressions may be given one a line (they OR together). A zone
named in the expression wins over --tz.

The expression may be one quoted argument or five separate ones.`,
		Example: `  hcctl cron next "*/5 * * * *" -n 3
  hcctl cron next "30 2 * * *" --tz Europe/Riga --from 2026-03-29T00:00:00Z
  hcctl cron next "Mon..Fri 09:00" --tz Europe/Riga -n 3
  hcctl cron explain "0 9 * * MON-FRI"
  hcctl cron explain "*-*~01 23:00 UTC"
  hcctl cron check "0 0 31 2 *"      # never fires: exit 2`,
	}
	cmd.AddCommand(newCronNextCmd(g), newCronExplainCmd(g), newCronCheckCmd(g))
	return cmd
}

// cronCmd is a cron subcommand on an expression (its arguments) that runs f.
func cronCmd(g *global, o *app.CronOptions, cmd *cobra.Command, f func(context.Context, app.CronOptions) error) *cobra.Command {
	cmd.Args = cobra.MinimumNArgs(1)
	cmd.RunE = g.run(&o.Env, func(ctx context.Context, args []string) error {
		o.Expr = args
		return f(ctx, *o)
	})
	return cmd
}

func newCronNextCmd(g *global) *cobra.Command {
	o := &app.CronOptions{}
	var cmd *cobra.Command
	cmd = cronCmd(g, o, &cobra.Command{
		Use:   "next EXPR",
		Short: "Print the next run times of an expression",
		Example: `  hcctl cron next "*/5 * * * *"
  hcctl cron next "0 3 * * *" -n 10 --tz America/New_York -f json`,
	}, func(ctx context.Context, co app.CronOptions) error {
		co.TZSet = cmd.Flags().Changed("tz") // it wins over a zone the expression names
		return app.RunCronNext(ctx, co)
	})
	fs := cmd.Flags()
	fs.IntVarP(&o.N, "count", "n", 5, "how many runs")
	fs.StringVar(&o.TZ, "tz", "UTC", "time zone the schedule runs in")
	fs.StringVar(&o.From, "from", "", "start after this time: RFC 3339, or a wall time (\"2026-03-29 02:00\") or date in --tz (default now)")
	cli.NoEnv(fs, "count", "from")
	addFormatFlag(cmd, &o.Format, "text (one time a line; default when piped), table, json, jsonl")
	return cmd
}

func newCronExplainCmd(g *global) *cobra.Command {
	return cronCmd(g, &app.CronOptions{}, &cobra.Command{
		Use:     "explain EXPR",
		Short:   "Describe an expression in plain English",
		Example: `  hcctl cron explain "*/15 9-17 * * 1-5"`,
	}, app.RunCronExplain)
}

func newCronCheckCmd(g *global) *cobra.Command {
	return cronCmd(g, &app.CronOptions{}, &cobra.Command{
		Use:   "check EXPR",
		Short: "Validate an expression: exit 0 if it is valid and can fire, 2 otherwise",
		Long: `Validate an expression as create, update, ensure and apply do before sending
it: a malformed field is named, and an expression that can never fire (such as
0 0 31 2 *, February 31st) is refused.`,
		Example: `  hcctl cron check "0 0 31 2 *"
  hcctl cron check "*/5 * * * *" && echo valid`,
	}, app.RunCronCheck)
}
