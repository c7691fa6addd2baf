package pgreport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/cronkit/cronkit/lib/pgcheck"
	"github.com/cronkit/cronkit/lib/pgstat"
	"github.com/cronkit/cronkit/lib/redact"
)

// CheckOptions are `pgreport check`'s options.
type CheckOptions struct {
	Env
	Conn    pgstat.ConnOptions
	DBNames []string
	AllDBs  bool
	Input   string // a saved JSON report to check ("-": Stdin) instead of connecting
	Format  string // text, json, metrics or nagios
	Rules   string // YAML rules file overriding the defaults
	FailOn  string // warning or critical
	Bloat   bool   // estimate bloat and enable the bloat rule
	State   string // deadlocks state file; "": under $XDG_STATE_HOME
	NoState bool
}

// ListRules writes the rules with their default thresholds (check --list).
func ListRules(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tWARNING\tCRITICAL\tDESCRIPTION")
	th := func(r *pgcheck.Rule, t *float64) string {
		if t == nil {
			return "-"
		}
		op := ">="
		if r.Lower {
			op = "<="
		} else if r.Strict {
			op = ">"
		}
		return op + " " + pgcheck.FormatValue(*t, r.Unit)
	}
	for _, r := range pgcheck.Rules {
		doc := r.Doc
		if r.Optional != "" {
			doc += " [off by default: " + r.Optional + "]"
		}
		if r.ParamDoc != "" {
			doc += " [" + r.ParamDoc + "]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, th(r, r.Warning), th(r, r.Critical), doc)
	}
	return tw.Flush()
}

// RunCheck evaluates the rules on a live server or a saved report and writes
// the outcome. Findings at FailOn or worse are a *FindingsError, UNKNOWN
// rules a *PartialError. With nagios every failure is a *PluginError: a run
// that cannot judge says "PGREPORT UNKNOWN - why" on stdout.
func RunCheck(ctx context.Context, o CheckOptions) error {
	o.defaults()
	if o.Format != "nagios" {
		return o.run(ctx)
	}
	err := o.run(ctx)
	var pe *PluginError
	if err == nil || errors.As(err, &pe) {
		return err
	}
	msg := redact.String(err.Error(), o.Secrets...)
	fmt.Fprintf(o.Stdout, "PGREPORT UNKNOWN - %s\n", strings.ReplaceAll(strings.ReplaceAll(msg, "\n", " "), "|", "/"))
	return &PluginError{Code: 3, Err: err}
}

func (o *CheckOptions) run(ctx context.Context) (err error) {
	if !slices.Contains(pgcheck.Formats, o.Format) {
		return usagef("-f %q: want text, json, metrics or nagios", o.Format)
	}
	if o.Format == "metrics" {
		// As the report's metrics: a run that failed (server down, rules
		// UNKNOWN) ends the stream with an error record; findings do not,
		// the stream itself is complete.
		defer func() {
			var fe *FindingsError
			if err != nil && !errors.As(err, &fe) {
				writeErrorRecord(&o.Env, err)
			}
		}()
	}
	failOn, cfg, err := o.rulesConfig()
	if err != nil {
		return err
	}
	rep, serverKey, err := o.report(ctx)
	if err != nil {
		return err
	}
	state, statePath, err := o.loadState(serverKey)
	if err != nil {
		return err
	}
	out := pgcheck.Evaluate(rep, cfg, pgcheck.Options{Bloat: o.Bloat, State: state})
	if unread := pgcheck.UnreadSections(rep, out); len(unread) > 0 {
		o.Warnf("sections not collected (no rule reads them): %s", strings.Join(unread, "; "))
	}
	nagiosCode, err := pgcheck.Write(o.Stdout, o.Format, out)
	if err != nil {
		return err
	}
	// Saved after the output: a check that could not report must count
	// the same deadlocks again next time.
	if state != nil {
		if err := state.Save(statePath); err != nil {
			return fmt.Errorf("state file: %w", err)
		}
	}
	return o.verdict(out, failOn, nagiosCode)
}

// rulesConfig checks the options that shape the evaluation and reads Rules.
func (o *CheckOptions) rulesConfig() (pgcheck.Level, *pgcheck.Config, error) {
	failOn, err := pgcheck.ParseFailOn(o.FailOn)
	if err != nil {
		return failOn, nil, usagef("%v", err)
	}
	if o.State != "" && o.NoState {
		return failOn, nil, usagef("--state and --no-state contradict each other")
	}
	cfg := &pgcheck.Config{}
	if o.Rules != "" {
		b, err := os.ReadFile(o.Rules)
		if err != nil {
			return failOn, nil, usagef("--rules: %v", err)
		}
		if cfg, err = pgcheck.ParseConfig(o.Rules, b); err != nil {
			return failOn, nil, usagef("%v", err)
		}
	}
	return failOn, cfg, nil
}

// report reads the saved report (Input) or collects one from the server,
// and names the server for the state file ("" when nothing names it).
func (o *CheckOptions) report(ctx context.Context) (rep *pgstat.Report, serverKey string, err error) {
	if o.Input != "" {
		if len(o.DBNames) > 0 || o.AllDBs {
			return nil, "", usagef("--input checks a saved report: no database names or --all-dbs")
		}
		if rep, err = readReport(o.Input, o.Stdin); err != nil {
			return nil, "", err
		}
	} else if rep, serverKey, err = o.collect(ctx); err != nil {
		return nil, "", err
	}
	// The system identifier names the server across addresses and failovers.
	if rep.SystemIdentifier != "" {
		serverKey = rep.SystemIdentifier
	}
	return rep, serverKey, nil
}

// collect reads what the rules need from the server; a partial report stands.
func (o *CheckOptions) collect(ctx context.Context) (*pgstat.Report, string, error) {
	pcfg, err := connConfig(o.Conn, "")
	if err != nil {
		return nil, "", err
	}
	serverKey := net.JoinHostPort(pcfg.Host, strconv.Itoa(int(pcfg.Port)))
	if err := o.login(&o.Conn); err != nil {
		return nil, "", err
	}
	rep, collectErr := pgstat.Collect(ctx, pgstat.Options{
		Conn: o.Conn, DBNames: o.DBNames, AllDBs: o.AllDBs, Bloat: o.Bloat,
		// No rule reads statements: the top one only, and short query texts.
		StatementsLimit: 1, SQLLength: 200,
		UserAgent: userAgent(), Logger: o.Logger,
	})
	if rep == nil {
		return nil, "", collectErr // the server could not be reached: exit 1
	}
	if collectErr != nil && !errors.Is(collectErr, pgstat.ErrPartial) {
		return nil, "", collectErr
	}
	return rep, serverKey, nil
}

// loadState opens the server's state file unless NoState (or nothing names
// the server); a state file that cannot be read is a warning.
func (o *CheckOptions) loadState(serverKey string) (*pgcheck.State, string, error) {
	if o.NoState || serverKey == "" {
		return nil, o.State, nil
	}
	statePath := o.State
	if statePath == "" {
		p, err := pgcheck.StatePath(o.Getenv, serverKey)
		if err != nil {
			return nil, "", usagef("%v", err)
		}
		statePath = p
	}
	state, err := pgcheck.LoadState(statePath, serverKey)
	if err != nil {
		o.Warnf("%v", err)
	}
	return state, statePath, nil
}

// verdict turns the outcome into the result: findings at FailOn or worse
// fail, UNKNOWN rules are partial; nagios has its own code.
func (o *CheckOptions) verdict(out *pgcheck.Outcome, failOn pgcheck.Level, nagiosCode int) error {
	if o.Format == "nagios" {
		if nagiosCode != 0 {
			return &PluginError{Code: nagiosCode}
		}
		return nil
	}
	if worst := out.Worst(); worst == failOn || worst.Worse(failOn) {
		return &FindingsError{Critical: out.Count(pgcheck.Critical), Warning: out.Count(pgcheck.Warning)}
	}
	if out.Count(pgcheck.Unknown) > 0 {
		rules := out.UnknownRules()
		msg := fmt.Sprintf("check: %d rule(s) UNKNOWN: %s", len(rules), strings.Join(rules, ", "))
		if len(out.PartialSections) > 0 {
			msg += " (sections not collected: " + strings.Join(out.PartialSections, ", ") + ")"
		}
		return &PartialError{Msg: msg}
	}
	return nil
}
