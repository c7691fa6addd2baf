package main

import (
	"context"
	"strings"
	"time"

	app "github.com/cronkit/cronkit/lib/app/pgreport"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/pgstat"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// reportOptions are the root command's flags, bound into the app's options.
type reportOptions struct {
	root   *cli.Root // streams, environment, secrets
	run    app.ReportOptions
	prompt bool
}

func addReportFlags(r *cli.Root) {
	o := &reportOptions{root: r}
	cmd := r.Cmd
	cmd.Args = cobra.ArbitraryArgs
	f := cmd.Flags()
	ro := &o.run
	addConnFlags(f, &ro.Conn, &o.prompt)
	f.StringVarP(&ro.Format, "format", "f", "", "output: text, json or metrics (default text on a terminal, else json)")
	f.BoolVar(&ro.AllDBs, "all-dbs", false, "report on every database the user may connect to")
	f.StringVar(&ro.Input, "input", "", "re-render a saved JSON report (- for stdin) instead of connecting")
	f.StringArrayVar(&ro.Metrics, "metric", nil, "with -f metrics: keep only names matching this glob (repeatable; * spans dots)")
	f.IntVar(&ro.SQLLength, "sql-length", 500, "truncate query texts to this many bytes")
	f.IntVar(&ro.StatementsLimit, "statements-limit", 100, "top N pg_stat_statements entries by total time")
	f.BoolVar(&ro.Estimate, "estimate", false, "faster estimate mode: table and index sizes from pg_class.relpages as of the last\nVACUUM/ANALYZE, no bloat in JSON and metrics (sizes and bloat then differ from pgmetrics')")
	f.BoolVar(&ro.Bloat, "bloat", false, "with --estimate: estimate bloat anyway (the default otherwise, and always in text)")
	f.BoolVar(&ro.ExactSizes, "exact-sizes", false, "with --estimate: measure sizes anyway (pg_table_size per table and index, the default otherwise)")
	f.StringArrayVar(&ro.SectionTimeouts, "section-timeout", nil, "statement timeout for one section, e.g. tables=30s (repeatable)\n"+
		sectionList())
	f.DurationVar(&ro.LongXact, "long-xact", time.Minute, "text: warn about transactions open longer than this")
	f.IntVar(&ro.Top, "top", 20, "text: rows shown per object list")
	f.BoolVar(&ro.Tables, "tables", false, "text: one block per table (size, rows, bloat, vacuum/analyze, scans, indexes), as pgmetrics")
	f.StringVar(&ro.LogFile, "log-file", "", "read this server log file (local server only; default: pg_current_logfile(),\nelse the newest file in /var/log/postgresql)")
	f.StringVar(&ro.LogDir, "log-dir", "", "read the server log files in this directory (those of the server's log format)")
	f.IntVar(&ro.LogSpan, "log-span", 5, "read log entries of the last this many minutes")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.run.DBNames = args
		ctx, cancel := r.Context(cmd.Context())
		defer cancel()
		return runReport(ctx, o)
	}
}

// addConnFlags adds psql's connection flags and the query timeouts (the
// root command's and check's).
func addConnFlags(f *pflag.FlagSet, conn *pgstat.ConnOptions, prompt *bool) {
	// psql's -h is the host: help is --help only.
	f.Bool("help", false, "help for pgreport")
	f.StringVarP(&conn.Host, "host", "h", "", "server host or socket directory; several as h1,h2 ($PGHOST)")
	f.StringVarP(&conn.Port, "port", "p", "", "server port ($PGPORT)")
	f.StringVarP(&conn.User, "username", "U", "", "user name ($PGUSER)")
	f.StringVarP(&conn.DBName, "dbname", "d", "", "database to connect to first ($PGDATABASE)")
	f.StringVar(&conn.DSN, "dsn", "", "connection string or postgres:// URL ($DATABASE_URL)")
	cli.EnvAlias(f, "dsn", "DATABASE_URL")
	// pgx reads the libpq variables itself; a config-file host: must not beat PGHOST.
	cli.DeferToEnv(f, "host", "PGHOST", "PGSERVICE")
	cli.DeferToEnv(f, "port", "PGPORT", "PGSERVICE")
	cli.DeferToEnv(f, "username", "PGUSER", "PGSERVICE")
	cli.DeferToEnv(f, "dbname", "PGDATABASE", "PGSERVICE")
	cli.MarkSecret(f, "dsn")
	f.BoolVarP(prompt, "password", "W", false, "prompt for the password on the terminal (never done otherwise)")
	f.DurationVar(&conn.StatementTimeout, "statement-timeout", 5*time.Second, "statement_timeout for each query")
	f.DurationVar(&conn.LockTimeout, "lock-timeout", 50*time.Millisecond, "lock_timeout for each query")
	f.DurationVar(&conn.ConnectTimeout, "connect-timeout", 5*time.Second, "connect timeout when PGCONNECT_TIMEOUT/the DSN set none")
}

func runReport(ctx context.Context, o *reportOptions) error {
	r := o.root
	o.run.Env = appEnv(r, o.prompt)
	o.run.Terminal = cli.IsTerminal(r.Env.Stdout)
	return app.RunReport(ctx, o.run)
}

// sectionList is --section-timeout's list of names, from pgstat's registry,
// wrapped for --help.
func sectionList() string {
	var b strings.Builder
	line := "sections:"
	for i, name := range pgstat.SectionNames() {
		if i > 0 {
			line += ","
		}
		if len(line)+len(name) > 90 {
			b.WriteString(line + "\n")
			line = " "
		}
		line += " " + name
	}
	return b.String() + line
}
