package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/cron"
	"github.com/cronkit/cronkit/lib/hc"
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

// parseExpr reads a cron or OnCalendar expression (cron.Kind decides, as
// Healthchecks does).
func parseExpr(args []string) (cron.Expr, string, error) {
	expr := strings.Join(args, " ")
	s, err := cron.ParseAny(expr)
	if err != nil {
		// Fields without a time ("0 0 3 * * *") were meant as cron: say
		// what cron wants rather than what OnCalendar does.
		if cron.Kind(expr) == "oncalendar" && (strings.Contains(expr, ":") || len(strings.Fields(expr)) < 2) {
			return nil, expr, cli.Usagef("%v", err) // it quotes the expression
		}
		if _, cerr := cron.Parse(expr); cerr != nil {
			err = cerr
		}
		return nil, expr, cli.Usagef("%q: %v", expr, err)
	}
	return s, expr, nil
}

type cronNextOptions struct {
	g     *global
	n     int
	tz    string
	from  string
	expr  []string // the expression, as arguments
	tzSet bool     // --tz given: it wins over a zone the expression names
}

func newCronNextCmd(g *global) *cobra.Command {
	o := &cronNextOptions{g: g}
	cmd := &cobra.Command{
		Use:   "next EXPR",
		Short: "Print the next run times of an expression",
		Example: `  hcctl cron next "*/5 * * * *"
  hcctl cron next "0 3 * * *" -n 10 --tz America/New_York -f json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.expr, o.tzSet = args, cmd.Flags().Changed("tz")
			return runCronNext(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	fs.IntVarP(&o.n, "count", "n", 5, "how many runs")
	fs.StringVar(&o.tz, "tz", "UTC", "time zone the schedule runs in")
	fs.StringVar(&o.from, "from", "", "start after this time: RFC 3339, or a wall time (\"2026-03-29 02:00\") or date in --tz (default now)")
	noEnv(fs, "count", "from")
	addFormatFlag(cmd, g, "text (one time a line; default when piped), table, json, jsonl")
	return cmd
}

func runCronNext(_ context.Context, o *cronNextOptions) error {
	// Piped, the natural output is one time a line for the next
	// command (`hcctl cron next X -n 1 | ...`), not quoted JSON.
	if o.g.format == "" && !cli.IsTerminal(o.g.root.Env.Stdout) {
		o.g.format = "text"
	}
	format, err := o.g.outFormat("text", "table", "json", "jsonl")
	if err != nil {
		return err
	}
	if o.n < 1 || o.n > 1000 {
		return cli.Usagef("-n %d: want 1 to 1000", o.n)
	}
	s, _, err := parseExpr(o.expr)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(o.tz)
	if err != nil || o.tz == "" || o.tz == "Local" {
		return cli.Usagef("--tz %q is not an IANA time zone", o.tz)
	}
	// An OnCalendar expression that names its zone is shown in it,
	// unless --tz asks for another.
	if cs, ok := s.(cron.Calendars); ok && len(cs) == 1 && cs[0].Zone() != "" && !o.tzSet {
		loc, _ = time.LoadLocation(cs[0].Zone())
	}
	from := time.Now()
	if o.from != "" {
		if from, err = parseFrom(o.from, loc); err != nil {
			return cli.Usagef("--from %q: want RFC 3339 (2026-03-29T00:00:00Z), or \"2026-03-29 00:00\" or 2026-03-29 in --tz", o.from)
		}
	}
	runs := s.NextN(from.In(loc), o.n)
	if err := writeRuns(o.g.root.Env.Stdout, format, runs); err != nil {
		return err
	}
	if len(runs) < o.n {
		o.g.root.Warnf("only %d runs within the search limit (100 years for cron, the year 2199 for OnCalendar)", len(runs))
	}
	return nil
}

// writeRuns prints run times: one a line (text), with the weekday (table), or JSON.
func writeRuns(w io.Writer, format string, runs []time.Time) error {
	if format == "text" {
		for _, r := range runs {
			fmt.Fprintln(w, r.Format(time.RFC3339))
		}
	} else if format != "table" {
		out := make([]string, len(runs))
		for i, r := range runs {
			out[i] = r.Format(time.RFC3339)
		}
		return hc.WriteList(w, format, out)
	} else {
		for _, r := range runs {
			fmt.Fprintf(w, "%s  %s\n", r.Format(time.RFC3339), r.Format("Mon"))
		}
	}
	return nil
}

func newCronExplainCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:     "explain EXPR",
		Short:   "Describe an expression in plain English",
		Example: `  hcctl cron explain "*/15 9-17 * * 1-5"`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, _, err := parseExpr(args)
			if err != nil {
				return err
			}
			fmt.Fprintln(g.root.Env.Stdout, s.Explain())
			return nil
		},
	}
}

func newCronCheckCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:   "check EXPR",
		Short: "Validate an expression: exit 0 if it is valid and can fire, 2 otherwise",
		Long: `Validate an expression as create, update, ensure and apply do before sending
it: a malformed field is named, and an expression that can never fire (such as
0 0 31 2 *, February 31st) is refused.`,
		Example: `  hcctl cron check "0 0 31 2 *"
  hcctl cron check "*/5 * * * *" && echo valid`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, _, err := parseExpr(args)
			if err != nil {
				return err
			}
			next := s.Next(time.Now().UTC())
			if next.IsZero() {
				// A past date or Feb 30: Healthchecks would never expect a ping.
				return cli.Usagef("%q never elapses again", strings.Join(args, " "))
			}
			fmt.Fprintf(g.root.Env.Stdout, "ok: %s (next run %s)\n", s.Explain(), next.Format(time.RFC3339))
			return nil
		},
	}
}

// parseFrom reads --from: an RFC 3339 instant, or a wall-clock time or a
// date (midnight) in loc, the way an operator types them.
func parseFrom(v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	var err error
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"} {
		var t time.Time
		if t, err = time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}
