package pgstat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgpassfile"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ConnOptions say how to reach the server, psql-style. Empty fields fall
// back to the libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD,
// PGPASSFILE, PGSSLMODE, PGSERVICE, PGCONNECT_TIMEOUT...) that pgx reads.
type ConnOptions struct {
	DSN      string // URL or key=value string; may hold several hosts and target_session_attrs
	Host     string // -h; "h1,h2" for several
	Port     string // -p
	User     string // -U
	DBName   string // -d: the first database to connect to
	Password string // from -W; else PGPASSWORD / .pgpass

	AppName          string        // application_name, "pgreport/<version>"
	ConnectTimeout   time.Duration // when the DSN/env do not set one; default DefaultConnectTimeout
	StatementTimeout time.Duration // per statement; default 5s
	LockTimeout      time.Duration // per statement; default 50ms
}

// DefaultConnectTimeout is pgmetrics' (its --timeout, 5 s, bounds the
// connect too; shared/reference/pgmetrics.md): a server that accepts and
// never answers costs no more than it would with pgmetrics (issue 19).
const DefaultConnectTimeout = 5 * time.Second

// quoteKV quotes a value for a libpq key=value string.
func quoteKV(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// Config builds the pgx configuration for database db ("" = the default).
func (o ConnOptions) Config(db string) (*pgx.ConnConfig, error) {
	dsn := o.DSN
	var flags []string
	add := func(k, v string) {
		if v != "" {
			flags = append(flags, k+"="+quoteKV(v))
		}
	}
	if dsn == "" || !isURL(dsn) {
		// key=value strings merge: later keys win, so flags override the DSN.
		add("host", o.Host)
		add("port", o.Port)
		add("user", o.User)
		add("dbname", firstNonEmpty(db, o.DBName))
		add("password", o.Password)
		dsn = strings.TrimSpace(dsn + " " + strings.Join(flags, " "))
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("connection string: %w", redactParseErr(err))
	}
	if isURL(o.DSN) {
		// A URL cannot be merged textually: apply flags to the parsed config.
		if o.Host != "" || o.Port != "" {
			return nil, errors.New("-h/-p cannot be combined with a postgres:// URL; put the host in the URL")
		}
		if o.User != "" {
			cfg.User = o.User
		}
		if d := firstNonEmpty(db, o.DBName); d != "" {
			cfg.Database = d
		}
		if o.Password != "" {
			cfg.Password = o.Password
		}
	}
	passfileForSocket(cfg)
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = o.ConnectTimeout
		if cfg.ConnectTimeout == 0 {
			cfg.ConnectTimeout = DefaultConnectTimeout
		}
	}
	st, lt := o.StatementTimeout, o.LockTimeout
	if st == 0 {
		st = 5 * time.Second
	}
	if lt == 0 {
		lt = 50 * time.Millisecond
	}
	if o.AppName != "" {
		cfg.RuntimeParams["application_name"] = o.AppName
	}
	// Safe on production: every statement runs read-only and bounded. With
	// target_session_attrs (read-write, read-only...), the server must be
	// judged on its own settings: a read-only session would make every
	// server fail "read-write". Connect then sets it after the check.
	if cfg.ValidateConnect == nil {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(st.Milliseconds(), 10)
	cfg.RuntimeParams["lock_timeout"] = strconv.FormatInt(lt.Milliseconds(), 10)
	// The catalog queries on a big catalog cost more than jit_above_cost, and
	// compiling them took longer than running them: on 10,000 tables the
	// index bloat part ran in 0.3 s without JIT and 0.9 s with it.
	cfg.RuntimeParams["jit"] = "off"
	// The simple protocol works through pgbouncer in transaction mode and
	// needs no prepare round trip per distinct query.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	return cfg, nil
}

// passfileForSocket looks a socket directory up in the password file as
// libpq does: pgx matches every socket connection as "localhost", libpq
// matches a socket directory other than the default by its path
// ("/run/pg:5432:*:monitor:secret"), and psql users' .pgpass files say so.
func passfileForSocket(cfg *pgx.ConnConfig) {
	if cfg.Password != "" || !strings.HasPrefix(cfg.Host, "/") {
		return
	}
	path := os.Getenv("PGPASSFILE")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return
		}
		path = filepath.Join(home, ".pgpass")
	}
	pf, err := pgpassfile.ReadPassfile(path)
	if err != nil {
		return
	}
	cfg.Password = pf.FindPassword(cfg.Host, strconv.Itoa(int(cfg.Port)), cfg.Database, cfg.User)
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// redactParseErr keeps pgx's parse error, which never includes the password.
func redactParseErr(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New(pe.Error())
	}
	return err
}

// counter counts statements sent, through pgx's tracer hook.
type counter struct{ n atomic.Int64 }

func (c *counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// ConnectError is a connection failure, worded like libpq's, on one line:
// `connection to server on socket "/run/postgresql/.s.PGSQL.5432" failed: ...`
// or `connection to server at "db7" (10.0.0.7), port 5432 failed: ...`, one
// clause per host tried ("; " between them: a multi-host string lists each).
type ConnectError struct{ Err error }

func (e *ConnectError) Error() string {
	var ce *pgconn.ConnectError
	if !errors.As(e.Err, &ce) {
		return "connection to server failed: " + flatLine(e.Err.Error())
	}
	var parts []string
	ls := leaves(errors.Unwrap(ce))
	for i, leaf := range ls {
		var where, detail string
		if dns := (*net.DNSError)(nil); errors.As(leaf, &dns) && dns.Name != "" {
			// pgx repeats the resolver's text ("hostname resolving error: lookup
			// x: no such host lookup x: no such host"); libpq says it once,
			// and still lists the other hosts tried.
			where, detail = fmt.Sprintf("could not translate host name %q to address", dns.Name), dns.Err
		} else {
			where, detail = libpqClause(leaf)
			where += " failed"
		}
		// sslmode=prefer tries each address twice (TLS, then plain): libpq
		// reports only the plain attempt's outcome when the server has no
		// TLS, so a refused TLS hides nothing (a wrong password stays said),
		// and a TLS attempt that met the plain one's failure (the connect
		// timeout they share) is that failure said twice.
		if tlsDetail, ok := strings.CutPrefix(detail, "tls error: "); ok && i+1 < len(ls) {
			if next, nextDetail := libpqClause(ls[i+1]); next+" failed" == where &&
				(strings.HasPrefix(tlsDetail, "server refused TLS") || tlsDetail == nextDetail) {
				continue
			}
		}
		// The same failure twice (both attempts refused): say it once.
		if p := where + ": " + detail; !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "connection to server failed: " + flatLine(e.Err.Error())
	}
	return strings.Join(parts, "; ")
}

// leaves flattens errors.Join (pgx joins one error per host and address
// tried), and the "hostname resolving error: %w" around the lookups' join
// when no host resolved.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	if inner := errors.Unwrap(err); inner != nil {
		if _, ok := inner.(interface{ Unwrap() []error }); ok {
			return leaves(inner)
		}
	}
	return []error{err}
}

// libpqClause words one host's failure. pgx writes "ADDRESS (HOST): DETAIL"
// where ADDRESS is host:port or the socket path.
func libpqClause(err error) (where, detail string) {
	msg := err.Error()
	addr, host := "", ""
	detail = msg
	if i := strings.Index(msg, " ("); i > 0 {
		if j := strings.Index(msg[i:], "): "); j > 0 {
			addr, host, detail = msg[:i], msg[i+2:i+j], msg[i+j+3:]
		}
	}
	var pe *pgconn.PgError
	var errno syscall.Errno
	switch {
	case errors.As(err, &pe):
		detail = pe.Severity + ":  " + pe.Message
		if pe.Code != "" {
			detail += " (SQLSTATE " + pe.Code + ")"
		}
	case errors.As(err, &errno):
		detail = errno.Error()
	default:
		detail = strings.TrimPrefix(detail, "dial error: ")
	}
	// The connect timeout (pgx: "timeout: context deadline exceeded", after
	// "tls error: " on a TLS attempt) in libpq's words.
	if d, ok := strings.CutSuffix(detail, "timeout: context deadline exceeded"); ok && (d == "" || d == "tls error: ") {
		detail = d + "timeout expired"
	}
	where = "connection to server"
	switch h, port, err := net.SplitHostPort(addr); {
	case strings.HasPrefix(addr, "/"):
		where += fmt.Sprintf(" on socket %q", addr)
	case err == nil && host != "" && host != h:
		where += fmt.Sprintf(" at %q (%s), port %s", host, h, port)
	case err == nil:
		where += fmt.Sprintf(" at %q, port %s", h, port)
	}
	return where, flatLine(detail)
}

func flatLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (e *ConnectError) Unwrap() error { return e.Err }

// Connect opens one connection to db.
func (o ConnOptions) Connect(ctx context.Context, db string, tracer pgx.QueryTracer) (*pgx.Conn, error) {
	cfg, err := o.Config(db)
	if err != nil {
		return nil, err
	}
	cfg.Tracer = tracer
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, &ConnectError{Err: err}
	}
	if cfg.RuntimeParams["default_transaction_read_only"] != "on" {
		if _, err := conn.Exec(ctx, "SET default_transaction_read_only = on"); err != nil {
			_ = conn.Close(context.Background())
			return nil, fmt.Errorf("setting the session read-only: %w", err)
		}
	}
	return conn, nil
}
