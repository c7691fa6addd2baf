package pgstat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/pglog"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Options for one collection.
type Options struct {
	Conn            ConnOptions
	DBNames         []string // databases to report on; empty: the connection's default
	AllDBs          bool     // every database the user may connect to
	SQLLength       int      // truncate query texts (statements, backends); default 500
	StatementsLimit int      // top N pg_stat_statements rows by total time; default 100
	Bloat           bool     // estimate table bloat (one more statement per database)
	// PgmetricsBloat makes Bloat use pgmetrics' estimate (check_postgres'
	// formula, every index type, -1 where it has none) instead of the finer
	// ioguix one: pgreport's default, so pgmetrics readers get its figures.
	PgmetricsBloat bool
	// ExactSizes measures every table and index with pg_table_size and
	// pg_relation_size, as pgmetrics does. That opens each relation (a lock
	// and a relcache build per object: seconds on 10,000 tables). Without
	// it, sizes come from pg_class.relpages as of the last VACUUM/ANALYZE.
	ExactSizes bool
	UserAgent  string // meta.user_agent
	// SectionTimeouts overrides statement_timeout for named sections
	// ("tables": 100ms). Tests use it to prove one slow section costs only itself.
	SectionTimeouts map[string]time.Duration
	Logger          *slog.Logger
	Now             func() time.Time

	// Logs, when set, reads the server's logs of a local server (logs.go);
	// the settings fields are filled from the server.
	Logs *pglog.Options
}

// ErrPartial is wrapped by Collect's error when some sections failed; the
// report is still complete otherwise.
var ErrPartial = errors.New("partial report")

// collector holds the state of one run.
type collector struct {
	o    Options
	rep  *Report
	conn *pgx.Conn
	db   string // database of conn
	ver  int    // server_version_num
	cnt  *counter
	// monitor: the user is superuser or has pg_monitor's privileges.
	monitor bool
	// files: the user may list and stat the server's files (fileSizesCTE).
	files bool
	// ran: the once-per-run units that ran (or tried to).
	ran map[string]bool
	// dbs: the databases to report on, from databases_list (--all-dbs).
	dbs []string
	// dbExts, dbSeqs: this database's extensions and sequences, for the
	// sections after the one that read them (statements, sequence values).
	dbExts []Extension
	dbSeqs []Sequence
	// exact, measureNew: how the sized sections measure (lockFallback).
	exact, measureNew bool
	// side: the second connection's worker for the current database (side.go).
	side *side
	// fileSettings: the user may read the configuration files' settings
	// (pg_read_all_settings), for serverSettings.
	fileSettings bool
}

// Collect connects, runs every section and returns the report. A failure
// to connect to the first database returns (nil, error). Failing sections
// are recorded in rep.Meta.Errors and make the error wrap ErrPartial.
func Collect(ctx context.Context, o Options) (*Report, error) {
	o = o.defaults()
	start := time.Now()
	c := &collector{o: o, cnt: &counter{}, ran: map[string]bool{}, rep: newReport(o)}
	first := ""
	if len(o.DBNames) > 0 {
		first = o.DBNames[0]
	}
	if err := c.connect(ctx, first); err != nil {
		return nil, err
	}
	defer func() {
		if c.conn != nil {
			_ = c.conn.Close(context.Background())
		}
	}()
	if err := c.identify(ctx); err != nil {
		return nil, err
	}
	c.runUnits(ctx, clusterWide)
	for i, db := range c.databases() {
		c.collectDB(ctx, i == 0, db)
	}
	if o.Logs != nil {
		c.readLogs(ctx) // not SQL: a step after the sections, not a unit
	}
	if c.rep.Meta.Local {
		c.readLocal()
	}
	c.rep.Meta.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	c.rep.Meta.Statements = int(c.cnt.n.Load())
	if len(c.rep.Meta.Errors) > 0 {
		return c.rep, fmt.Errorf("%w: %d section(s) failed", ErrPartial, len(c.rep.Meta.Errors))
	}
	return c.rep, nil
}

func (o Options) defaults() Options {
	if o.SQLLength <= 0 {
		o.SQLLength = 500
	}
	if o.StatementsLimit <= 0 {
		o.StatementsLimit = 100
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// newReport is an empty report: lists empty rather than null, counts of
// WAL files -1 (not collected) until a section fills them.
func newReport(o Options) *Report {
	return &Report{
		Meta: Meta{Version: PgmetricsSchema, At: o.Now().Unix(), Mode: "postgres", UserAgent: o.UserAgent,
			PgreportSchema: SchemaVersion, Errors: []SectionError{}, CollectedDBs: []string{}},
		Settings:      map[string]Setting{},
		WALCount:      -1,
		WALReadyCount: -1,
		Backends:      []Backend{},
		Roles:         []Role{},
		Databases:     []Database{},
		Tablespaces:   []Tablespace{},
		Tables:        []Table{},
		Indexes:       []Index{},
		Sequences:     []Sequence{},
		Extensions:    []Extension{},
	}
}

// identify reads the server version and the user's privileges, which the
// sections' gates need.
func (c *collector) identify(ctx context.Context) error {
	var user string
	err := c.conn.QueryRow(ctx, `SELECT current_setting('server_version_num')::int AS ver, current_user AS usr,
		pg_has_role('pg_monitor', 'USAGE') AS monitor,
		has_function_privilege('pg_catalog.pg_ls_dir(text, boolean, boolean)', 'EXECUTE')
		AND has_function_privilege('pg_catalog.pg_stat_file(text, boolean)', 'EXECUTE') AS files,
		has_function_privilege('pg_show_all_file_settings()', 'EXECUTE') AS file_settings`).Scan(&c.ver, &user, &c.monitor, &c.files, &c.fileSettings)
	if err != nil {
		return fmt.Errorf("server identity: %w", err)
	}
	c.rep.ServerVersionNum = c.ver
	c.rep.Meta.User = user
	c.rep.Meta.Local = isLocal(c.conn.PgConn())
	c.rep.ConnectionTuple = connectionTuple(c.conn.PgConn())
	return nil
}

// databases: those named, or with --all-dbs those databases_list found, or
// the one connected to.
func (c *collector) databases() []string {
	dbs := c.o.DBNames
	if c.o.AllDBs {
		dbs = c.dbs
	}
	if len(dbs) == 0 {
		dbs = []string{c.db}
	}
	return dbs
}

// collectDB runs the per-database sections in db (connected to it
// already if it is the first and the one of the first connection).
func (c *collector) collectDB(ctx context.Context, first bool, db string) {
	if !first || db != c.db {
		if err := c.reconnect(ctx, db); err != nil {
			c.fail("connect", db, err)
			return
		}
	}
	c.rep.Meta.CollectedDBs = append(c.rep.Meta.CollectedDBs, db)
	c.dbExts, c.dbSeqs = nil, nil
	c.startSide(ctx)
	defer c.stopSide()
	c.runUnits(ctx, perDB)
}

// readLocal adds the system's figures and tablespace disk use when the
// server runs on this host.
func (c *collector) readLocal() {
	if sys, err := readSystem(); err == nil {
		c.rep.System = sys
	} else {
		c.rep.Meta.Gaps = append(c.rep.Meta.Gaps, "system: "+err.Error())
	}
	fillTablespaceDisk(c.rep.Tablespaces)
}

func (c *collector) connect(ctx context.Context, db string) error {
	conn, err := c.o.Conn.Connect(ctx, db, c.cnt)
	if err != nil {
		return err
	}
	c.conn, c.db = conn, conn.Config().Database
	return nil
}

func (c *collector) reconnect(ctx context.Context, db string) error {
	if c.conn != nil {
		_ = c.conn.Close(ctx)
		c.conn = nil
	}
	return c.connect(ctx, db)
}

// isLocal: unix socket, or both ends on loopback (pgmetrics issue #39), or
// the same address.
func isLocal(pc *pgconn.PgConn) bool {
	nc := pc.Conn()
	if nc == nil {
		return false
	}
	if nc.RemoteAddr().Network() == "unix" {
		return true
	}
	ra, ok1 := nc.RemoteAddr().(*net.TCPAddr)
	la, ok2 := nc.LocalAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return false
	}
	return ra.IP.Equal(la.IP) || (ra.IP.IsLoopback() && la.IP.IsLoopback())
}

// connectionTuple is pgmetrics' "client_ip client_port server_ip server_port"
// for a TCP connection, "" over a unix socket.
func connectionTuple(pc *pgconn.PgConn) string {
	nc := pc.Conn()
	if nc == nil {
		return ""
	}
	la, ok1 := nc.LocalAddr().(*net.TCPAddr)
	ra, ok2 := nc.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return ""
	}
	return fmt.Sprintf("%s %d %s %d", la.IP, la.Port, ra.IP, ra.Port)
}

// fail records a failed section.
func (c *collector) fail(section, db string, err error) {
	e := SectionError{Section: section, DB: db, Error: err.Error()}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		e.Code = pe.Code
		e.Error = pe.Severity + ": " + pe.Message
	}
	c.o.Logger.Info("section failed", "section", section, "db", db, "err", e.Error)
	c.rep.Meta.Errors = append(c.rep.Meta.Errors, e)
}

// gap records data left out on purpose (no privilege, no extension).
func (c *collector) gap(format string, args ...any) {
	c.rep.Meta.Gaps = append(c.rep.Meta.Gaps, fmt.Sprintf(format, args...))
}

// section runs fn in its own read-only transaction, so a failure (an error,
// a statement or lock timeout) aborts only this section. dbScoped sections
// name their database in errors.
func (c *collector) section(ctx context.Context, name string, dbScoped bool, fn func(ctx context.Context, tx pgx.Tx) error) {
	db := ""
	if dbScoped {
		db = c.db
	}
	if c.conn == nil || c.conn.IsClosed() {
		// A client-side timeout closes the connection: open a fresh one.
		if err := c.reconnect(ctx, c.db); err != nil {
			c.fail(name, db, err)
			return
		}
	}
	start := time.Now()
	defer func() {
		c.o.Logger.Debug("section done", "section", name, "db", db, "ms", time.Since(start).Milliseconds())
	}()
	if err := readOnlyTx(ctx, c.conn, c.o.SectionTimeouts[name], fn); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", err, ctx.Err())
		}
		c.fail(name, db, err)
	}
}

// readOnlyTx runs fn in a read-only transaction on conn, with
// statement_timeout set to timeout if it is not 0.
func readOnlyTx(ctx context.Context, conn *pgx.Conn, timeout time.Duration, fn func(ctx context.Context, tx pgx.Tx) error) error {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	// After a Commit this is a no-op; it ends a failed section's transaction.
	defer tx.Rollback(context.Background()) //nolint:errcheck // read-only: nothing to keep
	if timeout > 0 {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", timeout.Milliseconds())); err != nil {
			return err
		}
	}
	if err := fn(ctx, tx); err != nil {
		return err
	}
	// COMMIT, not ROLLBACK: a rollback would count in the target's
	// pg_stat_database.xact_rollback, the figure the report is read for
	// (pgmetrics' transactions commit too). Nothing was written either way.
	return tx.Commit(ctx)
}

// autocommit is section without the transaction: one statement that runs
// in its own implicit transaction (still read-only: the session default).
func (c *collector) autocommit(ctx context.Context, name string, fn func(ctx context.Context, conn *pgx.Conn) error) {
	if c.conn == nil || c.conn.IsClosed() {
		if err := c.reconnect(ctx, c.db); err != nil {
			c.fail(name, c.db, err)
			return
		}
	}
	if err := fn(ctx, c.conn); err != nil {
		c.fail(name, c.db, err)
	}
}

// querier is a transaction or a connection.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// rowsOf runs sql and maps the rows to T by column name (json/db names).
func rowsOf[T any](ctx context.Context, tx querier, sql string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[T])
	if out == nil {
		out = []T{}
	}
	return out, err
}

// rowOf is rowsOf for a view of one row: nil if it has none.
func rowOf[T any](ctx context.Context, tx pgx.Tx, sql string, args ...any) (*T, error) {
	rows, err := rowsOf[T](ctx, tx, sql, args...)
	if len(rows) == 1 {
		return &rows[0], err
	}
	return nil, err
}

// deref is *p, or T's zero value for nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// ep is SQL for a timestamp as unix seconds, 0 for NULL (pgmetrics' encoding).
func ep(x string) string { return "COALESCE(EXTRACT(EPOCH FROM " + x + ")::bigint, 0)" }

// since picks expr on servers at least min (server_version_num), else alt.
func (c *collector) since(min int, expr, alt string) string {
	if c.ver >= min {
		return expr
	}
	return alt
}

// truncate cuts s to n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}

var _ = strings.TrimSpace
