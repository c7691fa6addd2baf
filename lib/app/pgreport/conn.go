package pgreport

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/cronkit/cronkit/lib/pgbouncer"
	"github.com/cronkit/cronkit/lib/pgstat"
	"github.com/jackc/pgx/v5"
)

// connConfig parses the connection options for database db: a malformed
// DSN (or -h with a URL) is found before any prompt or dial.
func connConfig(conn pgstat.ConnOptions, db string) (*pgx.ConnConfig, error) {
	cfg, err := conn.Config(db)
	if err != nil {
		return nil, &ConnStringError{Err: err}
	}
	return cfg, nil
}

// login asks for the password where -W wants it, and names pgreport to the
// server (application_name).
func (e *Env) login(conn *pgstat.ConnOptions) error {
	if e.Prompt != nil {
		pw, err := e.Prompt()
		if err != nil {
			return err
		}
		conn.Password = pw
	}
	conn.AppName = userAgent()
	return nil
}

// isPgBouncer: the target is PgBouncer's admin console (the database
// "pgbouncer", as pgmetrics' mode switch; here also through -d, a DSN or
// PGDATABASE).
func isPgBouncer(cfg *pgx.ConnConfig) bool { return pgbouncer.IsAdminDB(cfg.Database) }

// checkLogFlags: the log options name something readable, and make sense
// for the target (PgBouncer has no server log to read).
func (o *ReportOptions) checkLogFlags(bouncer bool) error {
	if o.LogSpan < 1 {
		return usagef("--log-span %d: want a positive number of minutes", o.LogSpan)
	}
	if o.LogFile != "" && o.LogDir != "" {
		return usagef("--log-file and --log-dir: give one")
	}
	if bouncer && (o.LogFile != "" || o.LogDir != "") {
		return usagef("--log-file/--log-dir: the target is PgBouncer's admin console, which has no server log")
	}
	if o.LogFile != "" {
		st, err := os.Stat(o.LogFile)
		if err != nil {
			return usagef("--log-file: %v", err)
		}
		if !st.Mode().IsRegular() {
			return usagef("--log-file %s: not a regular file", o.LogFile)
		}
	}
	if o.LogDir != "" {
		if st, err := os.Stat(o.LogDir); err != nil || !st.IsDir() {
			return usagef("--log-dir %s: not a directory", o.LogDir)
		}
	}
	return nil
}

// collectPgBouncer reports on PgBouncer's admin console. A failed
// connection is (nil, error); failed SHOW commands make a partial report.
func (o *ReportOptions) collectPgBouncer(ctx context.Context, db string) (*pgstat.Report, error) {
	if o.AllDBs {
		return nil, usagef("--all-dbs: the target is PgBouncer's admin console")
	}
	if len(o.DBNames) > 1 {
		return nil, usagef("PgBouncer's admin console is one database: no more database names")
	}
	cfg, err := connConfig(o.Conn, db)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	conn, err := pgx.ConnectConfig(cctx, pgbouncer.Config(cfg))
	cancel()
	if err != nil {
		return nil, fmt.Errorf("pgbouncer: %w", err)
	}
	defer conn.Close(context.Background())
	pb, errs := pgbouncer.Collect(ctx, conn, o.Conn.StatementTimeout)
	rep := pgstat.PgBouncerReport(pb, errs, o.Conn.AppName, start, time.Since(start))
	if len(errs) > 0 {
		return rep, fmt.Errorf("%w: %d command(s) failed", pgstat.ErrPartial, len(errs))
	}
	return rep, nil
}
