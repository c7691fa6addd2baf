package main

import (
	app "github.com/cronkit/cronkit/lib/app/pgreport"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/cli/viperconf"
)

// newRoot builds pgreport's command tree on env's streams. The root command
// itself collects the report; push and check are its subcommands.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:        "pgreport",
		ParseConfig: cli.ConfigParser(viperconf.Parse), // every format viper reads
		Short:       "Collect PostgreSQL metrics as JSON, a text report or metric lines",
		Long: `pgreport connects to a PostgreSQL server (12 or newer) and reports its state: a text report
for people, one JSON document with pgmetrics' field names (for pgDash and jq), or metric records
for statpost and chartd.

It connects like psql (-h -p -U -d, PGHOST and the other libpq variables, DATABASE_URL or --dsn,
several hosts with target_session_attrs), never prompts for a password unless -W is given, and
runs every query read-only with a statement and lock timeout. Each section (settings, tables,
locks, ...) fails on its own: the rest of the report still arrives and the exit code is 3.
With -f metrics a failure also ends the stream as an error record ({"error":..}), so that
"pgreport -f metrics | statpost" fails under a shell without pipefail.

Metric names: pg.cluster.<field>, pg.<db>.<field>, pg.<db>.<schema>.<relation>.<field>,
pg.<db>.statements.<queryid>.<field> (see docs/pgreport.md).`,
		Example: `  pgreport                                  # text on a terminal, JSON in a pipe
  pgreport -h db7 -U monitor -f text shop
  pgreport -f json --all-dbs > report.json
  pgreport -f metrics --metric 'pg.shop.*.n_dead_tup' shop | statpost
  pgreport --input report.json -f text      # re-render a saved report, no database
  pgreport -f json shop | pgreport push --server db7
  pgreport -f text --log-span 60            # with the last hour of the server log (local server)
  pgreport -h 127.0.0.1 -p 6432 -f json pgbouncer   # PgBouncer's admin console: pools, clients, servers
  DATABASE_URL='postgres://monitor@db7a,db7b/shop?target_session_attrs=read-write' pgreport -f json`,
	})
	r.Cmd.Use = "pgreport [flags] [DBNAME...]"
	addReportFlags(r)
	r.Cmd.AddCommand(newPushCmd(r))
	r.Cmd.AddCommand(newCheckCmd(r))
	return r
}

// appEnv is what the app's runs read and write: the root's streams, logger,
// warnings and secrets, and the terminal prompt when -W asks for it.
func appEnv(r *cli.Root, prompt bool) app.Env {
	e := app.Env{Stdin: r.Env.Stdin, Stdout: r.Env.Stdout, Logger: r.Logger, Warnf: r.Warnf,
		Getenv: r.Env.Getenv, Secrets: r.Secrets()}
	if prompt {
		e.Prompt = func() (string, error) { return promptPassword(r.Env.Stderr) }
	}
	return e
}
