package main

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

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/pgcheck"
	"github.com/cronkit/cronkit/lib/pgstat"
	"github.com/cronkit/cronkit/lib/version"
	"github.com/spf13/cobra"
)

// checkOptions are `pgreport check` flags.
type checkOptions struct {
	conn    pgstat.ConnOptions
	prompt  bool
	dbnames []string
	allDBs  bool
	input   string
	format  string
	rules   string
	failOn  string
	bloat   bool
	state   string
	noState bool
}

func newCheckCmd(r *cli.Root) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [flags] [DBNAME...]",
		Short: "Evaluate alert rules on a live server or a saved report",
		Long: `check evaluates alert rules (replication lag, wraparound, inactive slots, idle transactions,
blocked locks, deadlocks, sequences, invalid indexes, archiving, ... : 'pgreport check --list')
on a server, connecting as pgreport does, or on a saved JSON report (--input, ours or pgmetrics').
Each rule has a default threshold; a YAML rules file (--rules) overrides them by name:

  idle_in_transaction_seconds: {warning: 60, critical: 10m}
  inactive_slots: {enabled: false}
  exclude: {databases: [scratch]}

A rule whose data could not be collected (a failed section, a field pgmetrics lacks) is UNKNOWN,
never OK. Deadlocks are counted since the previous check, in a state file under
$XDG_STATE_HOME/cronkit/pgreport-check/.

Under runwrap a finding becomes a Healthchecks failure ping whose body is this output, and
Healthchecks passes it on to Slack, PagerDuty, e-mail (docs/pgreport.md, "check").`,
		Example: `  pgreport check shop                          # text: a table of findings, healthy rules on one line
  runwrap --slug db7-check -- pgreport check -h db7 -U monitor shop
  pgreport check -f nagios --all-dbs           # one status line, plugin exit codes (Nagios, Icinga)
  pgreport check -f metrics shop | statpost
  pgreport check --input report.json --rules /etc/cronkit/rules.yaml --fail-on critical
  pgreport check --list                        # the rules and their defaults`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dbnames = args
			if list, _ := cmd.Flags().GetBool("list"); list {
				return listRules(r.Env.Stdout)
			}
			ctx, cancel := r.Context(cmd.Context())
			defer cancel()
			return runCheck(ctx, r, o)
		},
	}
	f := cmd.Flags()
	addConnFlags(f, &o.conn, &o.prompt)
	f.BoolVar(&o.allDBs, "all-dbs", false, "check every database the user may connect to")
	f.StringVar(&o.input, "input", "", "check a saved JSON report (- for stdin), ours or pgmetrics', instead of connecting")
	f.StringVarP(&o.format, "format", "f", "text", "output: text, json (one finding a line), metrics or nagios")
	f.StringVar(&o.rules, "rules", "", "YAML rules file overriding the defaults")
	f.StringVar(&o.failOn, "fail-on", "warning", "exit 1 when a finding is at this level or above: warning or critical")
	f.BoolVar(&o.bloat, "bloat", false, "estimate bloat and enable the bloat rule (one more query per database)")
	f.StringVar(&o.state, "state", "", "state file for deadlocks since the previous check (default under $XDG_STATE_HOME)")
	f.BoolVar(&o.noState, "no-state", false, "read and write no state file (the deadlocks rule is skipped)")
	f.Bool("list", false, "list the rules with their defaults and exit")
	cli.NoEnv(f, "list")
	// check's own exit codes replace the shared table of the root's template.
	cmd.SetHelpTemplate(`{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}

{{end}}{{if or .Runnable .HasSubCommands}}{{.UsageString}}{{end}}
` + checkExitCodes + "\n")
	return cmd
}

const checkExitCodes = `Exit codes:
  0    no finding at or above --fail-on
  1    findings at or above --fail-on, or the server could not be reached
  2    usage: bad flags, arguments, rules file (file:line) or --input
  3    partial: nothing at or above --fail-on, but rules are UNKNOWN (details on stderr)
  4    refused: the server rejected the login (wrong password, no pg_hba.conf entry)
  130  interrupted (143 on SIGTERM)
With -f nagios, the plugin codes instead: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for
a bad rules file or an unreachable server, with a "PGREPORT UNKNOWN - ..." line on stdout).`

func listRules(w io.Writer) error {
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

func runCheck(ctx context.Context, r *cli.Root, o *checkOptions) error {
	env := r.Env
	if o.format == "nagios" {
		// A plugin that cannot judge says UNKNOWN, on stdout, with exit 3.
		if err := checkRun(ctx, r, o); err != nil {
			var ee *cli.ExitError
			if errors.As(err, &ee) && ee.Err == nil {
				return err // the plugin's own exit code, line already written
			}
			msg := cli.Redact(err.Error(), r.Secrets()...)
			fmt.Fprintf(env.Stdout, "PGREPORT UNKNOWN - %s\n", strings.ReplaceAll(strings.ReplaceAll(msg, "\n", " "), "|", "/"))
			return cli.WithCode(3, err)
		}
		return nil
	}
	return checkRun(ctx, r, o)
}

func checkRun(ctx context.Context, r *cli.Root, o *checkOptions) (err error) {
	env := r.Env
	if !slices.Contains(pgcheck.Formats, o.format) {
		return cli.Usagef("-f %q: want text, json, metrics or nagios", o.format)
	}
	verdict := false // err is the findings' exit 1: the stream itself is complete
	if o.format == "metrics" {
		// As pgreport -f metrics: a run that failed (server down, rules
		// UNKNOWN) ends the stream with an error record, so that
		// `pgreport check -f metrics | statpost` fails without pipefail.
		defer func() {
			if err != nil && !verdict {
				writeErrorRecord(env.Stdout, r, err)
			}
		}()
	}
	failOn, cfg, err := o.rulesConfig()
	if err != nil {
		return err
	}
	rep, serverKey, err := o.report(ctx, r)
	if err != nil {
		return err
	}
	state, statePath, err := o.loadState(r, serverKey)
	if err != nil {
		return err
	}

	out := pgcheck.Evaluate(rep, cfg, pgcheck.Options{Bloat: o.bloat, State: state})
	if unread := pgcheck.UnreadSections(rep, out); len(unread) > 0 {
		r.Warnf("sections not collected (no rule reads them): %s", strings.Join(unread, "; "))
	}
	nagiosCode, err := pgcheck.Write(env.Stdout, o.format, out)
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
	verdict, err = o.verdict(out, failOn, nagiosCode)
	return err
}

// rulesConfig checks the flags that shape the evaluation and reads --rules.
func (o *checkOptions) rulesConfig() (pgcheck.Level, *pgcheck.Config, error) {
	failOn, err := pgcheck.ParseFailOn(o.failOn)
	if err != nil {
		return failOn, nil, cli.Usagef("%v", err)
	}
	if o.state != "" && o.noState {
		return failOn, nil, cli.Usagef("--state and --no-state contradict each other")
	}
	cfg := &pgcheck.Config{}
	if o.rules != "" {
		b, err := os.ReadFile(o.rules)
		if err != nil {
			return failOn, nil, cli.Usagef("--rules: %v", err)
		}
		if cfg, err = pgcheck.ParseConfig(o.rules, b); err != nil {
			return failOn, nil, cli.Usagef("%v", err)
		}
	}
	return failOn, cfg, nil
}

// report reads the saved report (--input) or collects one from the server,
// and names the server for the state file ("" when nothing names it).
func (o *checkOptions) report(ctx context.Context, r *cli.Root) (rep *pgstat.Report, serverKey string, err error) {
	if o.input != "" {
		if len(o.dbnames) > 0 || o.allDBs {
			return nil, "", cli.Usagef("--input checks a saved report: no database names or --all-dbs")
		}
		if rep, err = readReport(o.input, r.Env.Stdin); err != nil {
			return nil, "", err
		}
	} else if rep, serverKey, err = o.collect(ctx, r); err != nil {
		return nil, "", err
	}
	// The system identifier names the server across addresses and failovers.
	if rep.SystemIdentifier != "" {
		serverKey = rep.SystemIdentifier
	}
	return rep, serverKey, nil
}

// collect reads what the rules need from the server; a partial report stands.
func (o *checkOptions) collect(ctx context.Context, r *cli.Root) (*pgstat.Report, string, error) {
	pcfg, err := o.conn.Config("")
	if err != nil {
		return nil, "", cli.WithCode(cli.ExitUsage, err)
	}
	serverKey := net.JoinHostPort(pcfg.Host, strconv.Itoa(int(pcfg.Port)))
	if o.prompt {
		pw, err := promptPassword(r.Env.Stderr)
		if err != nil {
			return nil, "", err
		}
		o.conn.Password = pw
	}
	o.conn.AppName = "pgreport/" + version.String()
	rep, collectErr := pgstat.Collect(ctx, pgstat.Options{
		Conn: o.conn, DBNames: o.dbnames, AllDBs: o.allDBs, Bloat: o.bloat,
		// No rule reads statements: the top one only, and short query texts.
		StatementsLimit: 1, SQLLength: 200,
		UserAgent: "pgreport/" + version.String(), Logger: r.Logger,
	})
	if rep == nil {
		return nil, "", collectErr // the server could not be reached: exit 1
	}
	if collectErr != nil && !errors.Is(collectErr, pgstat.ErrPartial) {
		return nil, "", collectErr
	}
	return rep, serverKey, nil
}

// loadState opens the server's state file unless --no-state (or nothing
// names the server); a state file that cannot be read is a warning.
func (o *checkOptions) loadState(r *cli.Root, serverKey string) (*pgcheck.State, string, error) {
	if o.noState || serverKey == "" {
		return nil, o.state, nil
	}
	statePath := o.state
	if statePath == "" {
		p, err := pgcheck.StatePath(r.Env.Getenv, serverKey)
		if err != nil {
			return nil, "", cli.Usagef("%v", err)
		}
		statePath = p
	}
	state, err := pgcheck.LoadState(statePath, serverKey)
	if err != nil {
		r.Warnf("%v", err)
	}
	return state, statePath, nil
}

// verdict turns the outcome into the exit: findings at --fail-on or worse
// fail (findings is true then), UNKNOWN rules are partial; nagios has its own code.
func (o *checkOptions) verdict(out *pgcheck.Outcome, failOn pgcheck.Level, nagiosCode int) (findings bool, err error) {
	if o.format == "nagios" {
		if nagiosCode != 0 {
			return false, cli.Exit(nagiosCode)
		}
		return false, nil
	}
	if worst := out.Worst(); worst == failOn || worst.Worse(failOn) {
		return true, cli.WithCode(cli.ExitFailure, fmt.Errorf("check: %d critical, %d warning finding(s)",
			out.Count(pgcheck.Critical), out.Count(pgcheck.Warning)))
	}
	if out.Count(pgcheck.Unknown) > 0 {
		rules := out.UnknownRules()
		msg := fmt.Sprintf("check: %d rule(s) UNKNOWN: %s", len(rules), strings.Join(rules, ", "))
		if len(out.PartialSections) > 0 {
			msg += " (sections not collected: " + strings.Join(out.PartialSections, ", ") + ")"
		}
		return false, cli.Partialf("%s", msg)
	}
	return false, nil
}
