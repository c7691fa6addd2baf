package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/pgbouncer"
	"github.com/cronkit/cronkit/lib/pgdash"
	"github.com/cronkit/cronkit/lib/pglog"
	"github.com/cronkit/cronkit/lib/pgstat"
	"github.com/cronkit/cronkit/lib/version"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// reportOptions are the root command's flags.
type reportOptions struct {
	conn            pgstat.ConnOptions
	dbnames         []string
	prompt          bool
	format          string
	allDBs          bool
	input           string
	metrics         []string
	sqlLength       int
	statementsLimit int
	bloat           bool
	exactSizes      bool
	estimate        bool
	sectionTimeouts []string
	longXact        time.Duration
	top             int
	tables          bool
	logFile         string
	logDir          string
	logSpan         int // minutes
}

func addReportFlags(r *cli.Root) {
	o := &reportOptions{}
	cmd := r.Cmd
	cmd.Args = cobra.ArbitraryArgs
	f := cmd.Flags()
	addConnFlags(f, &o.conn, &o.prompt)
	f.StringVarP(&o.format, "format", "f", "", "output: text, json or metrics (default text on a terminal, else json)")
	f.BoolVar(&o.allDBs, "all-dbs", false, "report on every database the user may connect to")
	f.StringVar(&o.input, "input", "", "re-render a saved JSON report (- for stdin) instead of connecting")
	f.StringArrayVar(&o.metrics, "metric", nil, "with -f metrics: keep only names matching this glob (repeatable; * spans dots)")
	f.IntVar(&o.sqlLength, "sql-length", 500, "truncate query texts to this many bytes")
	f.IntVar(&o.statementsLimit, "statements-limit", 100, "top N pg_stat_statements entries by total time")
	f.BoolVar(&o.estimate, "estimate", false, "faster estimate mode: table and index sizes from pg_class.relpages as of the last\nVACUUM/ANALYZE, no bloat in JSON and metrics (sizes and bloat then differ from pgmetrics')")
	f.BoolVar(&o.bloat, "bloat", false, "with --estimate: estimate bloat anyway (the default otherwise, and always in text)")
	f.BoolVar(&o.exactSizes, "exact-sizes", false, "with --estimate: measure sizes anyway (pg_table_size per table and index, the default otherwise)")
	f.StringArrayVar(&o.sectionTimeouts, "section-timeout", nil, "statement timeout for one section, e.g. tables=30s (repeatable)\n"+
		sectionList())
	f.DurationVar(&o.longXact, "long-xact", time.Minute, "text: warn about transactions open longer than this")
	f.IntVar(&o.top, "top", 20, "text: rows shown per object list")
	f.BoolVar(&o.tables, "tables", false, "text: one block per table (size, rows, bloat, vacuum/analyze, scans, indexes), as pgmetrics")
	f.StringVar(&o.logFile, "log-file", "", "read this server log file (local server only; default: pg_current_logfile(),\nelse the newest file in /var/log/postgresql)")
	f.StringVar(&o.logDir, "log-dir", "", "read the server log files in this directory (those of the server's log format)")
	f.IntVar(&o.logSpan, "log-span", 5, "read log entries of the last this many minutes")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.dbnames = args
		ctx, cancel := r.Context(cmd.Context())
		defer cancel()
		return runReport(ctx, r, o)
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
	f.DurationVar(&conn.ConnectTimeout, "connect-timeout", 10*time.Second, "connect timeout when PGCONNECT_TIMEOUT/the DSN set none")
}

func runReport(ctx context.Context, r *cli.Root, o *reportOptions) (err error) {
	env := r.Env
	format, err := o.outputFormat(env.Stdout)
	if err != nil {
		return err
	}
	if format == "metrics" {
		// Say it in the stream too: `pgreport -f metrics | statpost` under
		// dash has no pipefail, so the consumer learns of the failure
		// (server down, sections failed) only from an error record.
		defer func() {
			if err != nil {
				writeErrorRecord(env.Stdout, r, err)
			}
		}()
	}
	for _, g := range o.metrics {
		if err := pgstat.ValidGlob(g); err != nil {
			return cli.Usagef("--metric %q: %v", g, err)
		}
	}
	if o.sqlLength < 1 || o.statementsLimit < 1 || o.top < 1 {
		return cli.Usagef("--sql-length, --statements-limit and --top must be positive")
	}
	var rep *pgstat.Report
	var collectErr error
	if o.input != "" {
		if len(o.dbnames) > 0 || o.allDBs {
			return cli.Usagef("--input re-renders a saved report: no database names or --all-dbs")
		}
		if rep, err = readReport(o.input, env.Stdin); err != nil {
			return err
		}
	} else if rep, collectErr = collect(ctx, r, o, format); rep == nil {
		// Nothing to show: the first connection failed. Exit 1, stdout untouched.
		return collectErr
	}
	// The report is complete here: an unreachable server returned above with
	// nothing written.
	if err := o.write(env.Stdout, rep, format); err != nil {
		return err
	}
	if collectErr != nil {
		return partialError(rep, collectErr)
	}
	return nil
}

// outputFormat is -f, or its default: text on a terminal, else JSON.
func (o *reportOptions) outputFormat(stdout io.Writer) (string, error) {
	format := o.format
	if format == "" {
		format = "json"
		if cli.IsTerminal(stdout) {
			format = "text"
		}
	}
	switch format {
	case "text", "json", "metrics":
		return format, nil
	}
	return "", cli.Usagef("-f %q: want text, json or metrics", format)
}

// collect connects and collects the report. A nil report means nothing to
// show (usage error, or the first connection failed); with a report, the
// error is the sections that failed.
func collect(ctx context.Context, r *cli.Root, o *reportOptions, format string) (*pgstat.Report, error) {
	timeouts, err := parseSectionTimeouts(o.sectionTimeouts)
	if err != nil {
		return nil, err
	}
	first := ""
	if len(o.dbnames) > 0 {
		first = o.dbnames[0]
	}
	// A malformed DSN (or -h with a URL) is a usage error, found before any prompt or dial.
	cfg, err := o.conn.Config(first)
	if err != nil {
		return nil, cli.WithCode(cli.ExitUsage, err)
	}
	bouncer := pgbouncer.IsAdminDB(cfg.Database)
	if err := o.checkLogFlags(bouncer); err != nil {
		return nil, err
	}
	if o.prompt {
		pw, err := promptPassword(r.Env.Stderr)
		if err != nil {
			return nil, err
		}
		o.conn.Password = pw
	}
	o.conn.AppName = "pgreport/" + version.String()
	if bouncer {
		return collectPgBouncer(ctx, o, first)
	}
	return pgstat.Collect(ctx, pgstat.Options{
		Conn: o.conn, DBNames: o.dbnames, AllDBs: o.allDBs, SQLLength: o.sqlLength,
		// By default pgmetrics' work and figures: exact sizes, its bloat estimate.
		StatementsLimit: o.statementsLimit, Bloat: !o.estimate || o.bloat || format == "text", PgmetricsBloat: true,
		ExactSizes: !o.estimate || o.exactSizes,
		UserAgent:  "pgreport/" + version.String(), SectionTimeouts: timeouts, Logger: r.Logger,
		Logs: &pglog.Options{File: o.logFile, Dir: o.logDir, Span: time.Duration(o.logSpan) * time.Minute,
			DefaultDir: "/var/log/postgresql"},
	})
}

// write renders the report. JSON and metrics stream (a big catalog's report
// is tens of MB); text is small and written at once.
func (o *reportOptions) write(w io.Writer, rep *pgstat.Report, format string) error {
	switch format {
	case "json":
		return pgstat.WriteJSON(w, rep)
	case "text":
		var out bytes.Buffer
		if err := pgstat.WriteText(&out, rep, pgstat.TextOptions{LongXact: o.longXact, TopN: o.top, Tables: o.tables}); err != nil {
			return err
		}
		_, err := w.Write(out.Bytes())
		return err
	}
	mw := metric.NewWriter(w)
	if err := pgstat.EachMetric(rep, o.metrics, mw.Write); err != nil {
		return err
	}
	return mw.Flush()
}

// writeErrorRecord ends the metric records with an error record carrying the
// line pgreport prints on stderr (secrets redacted). A stdout that cannot be
// written to is not reported again.
func writeErrorRecord(w io.Writer, r *cli.Root, err error) {
	msg := cli.Redact(err.Error(), r.Secrets()...)
	mw := metric.NewWriter(w)
	if mw.WriteError(metric.ErrorRecord{Msg: msg, Source: "pgreport", Time: time.Now()}) == nil {
		_ = mw.Flush()
	}
}

// partialError names the failed sections on one line (exit 3).
func partialError(rep *pgstat.Report, err error) error {
	if !errors.Is(err, pgstat.ErrPartial) {
		return err
	}
	var parts []string
	for _, e := range rep.Meta.Errors {
		s := e.Section
		if e.DB != "" {
			s += "@" + e.DB
		}
		parts = append(parts, s+": "+e.Error)
	}
	return cli.Partialf("partial report: %s", strings.Join(parts, "; "))
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

func parseSectionTimeouts(specs []string) (map[string]time.Duration, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	m := map[string]time.Duration{}
	for _, s := range specs {
		name, d, ok := strings.Cut(s, "=")
		dur, err := time.ParseDuration(d)
		if !ok || name == "" || err != nil || dur <= 0 {
			return nil, cli.Usagef("--section-timeout %q: want SECTION=DURATION, e.g. tables=30s", s)
		}
		if !pgstat.IsSection(name) {
			return nil, cli.Usagef("--section-timeout %q: no section %q (sections: %s)", s, name, strings.Join(pgstat.SectionNames(), ", "))
		}
		m[name] = dur
	}
	return m, nil
}

// readReport loads a saved JSON report (pgreport's or pgmetrics').
func readReport(path string, stdin io.Reader) (*pgstat.Report, error) {
	name, b, err := readInput(path, stdin)
	if err != nil {
		return nil, cli.Usagef("--input: %v", err)
	}
	var rep pgstat.Report
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&rep); err != nil {
		return nil, cli.Usagef("%s: not a JSON report: %s", name, pgdash.JSONErrorLine(b, err))
	}
	if !strings.HasPrefix(rep.Meta.Version, "1.") {
		return nil, cli.Usagef("%s: not a pgreport/pgmetrics report (meta.version %q, want 1.x)", name, rep.Meta.Version)
	}
	return &rep, nil
}
