package hcctl

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/cron"
	"github.com/cronkit/cronkit/lib/hc"
)

// CronOptions is hcctl cron next, explain and check.
type CronOptions struct {
	Env
	Format string
	Expr   []string // the expression: one argument or five
	N      int      // next: how many runs
	TZ     string   // next: the zone the schedule runs in
	TZSet  bool     // next: TZ was given: it wins over a zone the expression names
	From   string   // next: start after this time (default now)
}

// parseExpr reads a cron or OnCalendar expression (cron.Kind decides, as
// Healthchecks does).
func parseExpr(args []string) (cron.Expr, error) {
	expr := strings.Join(args, " ")
	s, err := cron.ParseAny(expr)
	if err != nil {
		// Fields without a time ("0 0 3 * * *") were meant as cron: say
		// what cron wants rather than what OnCalendar does.
		if cron.Kind(expr) == "oncalendar" && (strings.Contains(expr, ":") || len(strings.Fields(expr)) < 2) {
			return nil, usagef("%v", err) // it quotes the expression
		}
		if _, cerr := cron.Parse(expr); cerr != nil {
			err = cerr
		}
		return nil, usagef("%q: %v", expr, err)
	}
	return s, nil
}

// RunCronNext prints the next run times of an expression.
func RunCronNext(_ context.Context, o CronOptions) error {
	// Piped, the natural output is one time a line for the next
	// command (`hcctl cron next X -n 1 | ...`), not quoted JSON.
	if o.Format == "" && !o.Terminal {
		o.Format = "text"
	}
	format, err := o.outFormat(o.Format, "text", "table", "json", "jsonl")
	if err != nil {
		return err
	}
	if o.N < 1 || o.N > 1000 {
		return usagef("-n %d: want 1 to 1000", o.N)
	}
	s, err := parseExpr(o.Expr)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(o.TZ)
	if err != nil || o.TZ == "" || o.TZ == "Local" {
		return usagef("--tz %q is not an IANA time zone", o.TZ)
	}
	// An OnCalendar expression that names its zone is shown in it,
	// unless --tz asks for another.
	if cs, ok := s.(cron.Calendars); ok && len(cs) == 1 && cs[0].Zone() != "" && !o.TZSet {
		loc, _ = time.LoadLocation(cs[0].Zone())
	}
	from := o.now()
	if o.From != "" {
		if from, err = parseFrom(o.From, loc); err != nil {
			return usagef("--from %q: want RFC 3339 (2026-03-29T00:00:00Z), or \"2026-03-29 00:00\" or 2026-03-29 in --tz", o.From)
		}
	}
	runs := s.NextN(from.In(loc), o.N)
	if err := writeRuns(o.Stdout, format, runs); err != nil {
		return err
	}
	if len(runs) < o.N {
		o.warnf("only %d runs within the search limit (100 years for cron, the year 2199 for OnCalendar)", len(runs))
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

// RunCronExplain describes an expression in plain English.
func RunCronExplain(_ context.Context, o CronOptions) error {
	s, err := parseExpr(o.Expr)
	if err != nil {
		return err
	}
	fmt.Fprintln(o.Stdout, s.Explain())
	return nil
}

// RunCronCheck validates an expression: it must parse and fire again.
func RunCronCheck(_ context.Context, o CronOptions) error {
	s, err := parseExpr(o.Expr)
	if err != nil {
		return err
	}
	next := s.Next(o.now().UTC())
	if next.IsZero() {
		// A past date or Feb 30: Healthchecks would never expect a ping.
		return usagef("%q never elapses again", strings.Join(o.Expr, " "))
	}
	fmt.Fprintf(o.Stdout, "ok: %s (next run %s)\n", s.Explain(), next.Format(time.RFC3339))
	return nil
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
