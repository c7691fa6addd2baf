package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/pgbouncer"
	"github.com/cronkit/cronkit/lib/pgstat"
	"github.com/jackc/pgx/v5"
)

// checkLogFlags: the log flags name something readable, and make sense
// for the target (PgBouncer has no server log to read).
func (o *reportOptions) checkLogFlags(bouncer bool) error {
	if o.logSpan < 1 {
		return cli.Usagef("--log-span %d: want a positive number of minutes", o.logSpan)
	}
	if o.logFile != "" && o.logDir != "" {
		return cli.Usagef("--log-file and --log-dir: give one")
	}
	if bouncer && (o.logFile != "" || o.logDir != "") {
		return cli.Usagef("--log-file/--log-dir: the target is PgBouncer's admin console, which has no server log")
	}
	if o.logFile != "" {
		st, err := os.Stat(o.logFile)
		if err != nil {
			return cli.Usagef("--log-file: %v", err)
		}
		if !st.Mode().IsRegular() {
			return cli.Usagef("--log-file %s: not a regular file", o.logFile)
		}
	}
	if o.logDir != "" {
		if st, err := os.Stat(o.logDir); err != nil || !st.IsDir() {
			return cli.Usagef("--log-dir %s: not a directory", o.logDir)
		}
	}
	return nil
}

// collectPgBouncer reports on PgBouncer's admin console (the target's
// database is "pgbouncer", as pgmetrics' mode switch; here also through
// -d, a DSN or PGDATABASE). A failed connection is (nil, error); failed
// SHOW commands make a partial report.
func collectPgBouncer(ctx context.Context, o *reportOptions, db string) (*pgstat.Report, error) {
	if o.allDBs {
		return nil, cli.Usagef("--all-dbs: the target is PgBouncer's admin console")
	}
	if len(o.dbnames) > 1 {
		return nil, cli.Usagef("PgBouncer's admin console is one database: no more database names")
	}
	cfg, err := o.conn.Config(db)
	if err != nil {
		return nil, cli.WithCode(cli.ExitUsage, err)
	}
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	conn, err := pgx.ConnectConfig(cctx, pgbouncer.Config(cfg))
	cancel()
	if err != nil {
		return nil, fmt.Errorf("pgbouncer: %w", err)
	}
	defer conn.Close(context.Background())
	pb, errs := pgbouncer.Collect(ctx, conn, o.conn.StatementTimeout)
	rep := pgstat.PgBouncerReport(pb, errs, o.conn.AppName, start, time.Since(start))
	if len(errs) > 0 {
		return rep, fmt.Errorf("%w: %d command(s) failed", pgstat.ErrPartial, len(errs))
	}
	return rep, nil
}
