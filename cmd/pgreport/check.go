package main

import (
	"context"

	app "github.com/cronkit/cronkit/lib/app/pgreport"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

// checkOptions are `pgreport check` flags, bound into the app's options.
type checkOptions struct {
	root   *cli.Root // streams, environment, secrets
	run    app.CheckOptions
	prompt bool
}

func newCheckCmd(r *cli.Root) *cobra.Command {
	o := &checkOptions{root: r}
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
			o.run.DBNames = args
			if list, _ := cmd.Flags().GetBool("list"); list {
				return app.ListRules(r.Env.Stdout)
			}
			ctx, cancel := r.Context(cmd.Context())
			defer cancel()
			return runCheck(ctx, o)
		},
	}
	f, co := cmd.Flags(), &o.run
	addConnFlags(f, &co.Conn, &o.prompt)
	f.BoolVar(&co.AllDBs, "all-dbs", false, "check every database the user may connect to")
	f.StringVar(&co.Input, "input", "", "check a saved JSON report (- for stdin), ours or pgmetrics', instead of connecting")
	f.StringVarP(&co.Format, "format", "f", "text", "output: text, json (one finding a line), metrics or nagios")
	f.StringVar(&co.Rules, "rules", "", "YAML rules file overriding the defaults")
	f.StringVar(&co.FailOn, "fail-on", "warning", "exit 1 when a finding is at this level or above: warning or critical")
	f.BoolVar(&co.Bloat, "bloat", false, "estimate bloat and enable the bloat rule (one more query per database)")
	f.StringVar(&co.State, "state", "", "state file for deadlocks since the previous check (default under $XDG_STATE_HOME)")
	f.BoolVar(&co.NoState, "no-state", false, "read and write no state file (the deadlocks rule is skipped)")
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

func runCheck(ctx context.Context, o *checkOptions) error {
	r := o.root
	o.run.Env = appEnv(r, o.prompt)
	return app.RunCheck(ctx, o.run)
}
