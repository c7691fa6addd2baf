package pgbouncer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// IsAdminDB says whether a connection to database db is one to PgBouncer's
// admin console. pgmetrics switches to PgBouncer mode when the database
// named on its command line is "pgbouncer"; here the database as finally
// resolved counts (a DSN, -d, or PGDATABASE too, which in pgmetrics fails).
func IsAdminDB(db string) bool { return db == "pgbouncer" }

// Config turns a PostgreSQL connection configuration into one the admin
// console accepts: it rejects startup parameters it does not know
// ("unsupported startup parameter": statement_timeout, lock_timeout...)
// and the extended protocol; application_name is kept.
func Config(cfg *pgx.ConnConfig) *pgx.ConnConfig {
	c := cfg.Copy()
	app := c.RuntimeParams["application_name"]
	c.RuntimeParams = map[string]string{}
	if app != "" {
		c.RuntimeParams["application_name"] = app
	}
	c.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	c.StatementCacheCapacity = 0
	c.DescriptionCacheCapacity = 0
	return c
}

// CommandError is one SHOW command that failed; the others still count.
type CommandError struct {
	Command string // "SHOW POOLS"
	Err     error
}

func (e *CommandError) Error() string { return e.Command + ": " + e.Err.Error() }
func (e *CommandError) Unwrap() error { return e.Err }

// Collect runs the five SHOW commands on an open admin-console connection,
// each bounded by timeout. A failing command leaves its part empty and is
// returned in errs (pgmetrics exits without output instead).
func Collect(ctx context.Context, conn *pgx.Conn, timeout time.Duration) (*PgBouncer, []error) {
	pb := &PgBouncer{}
	var errs []error
	run := func(cmd string, each func(row) error) {
		if err := show(ctx, conn, timeout, cmd, each); err != nil {
			errs = append(errs, &CommandError{Command: cmd, Err: err})
		}
	}
	run("SHOW POOLS", func(r row) error {
		pb.Pools = append(pb.Pools, Pool{
			Database: r.str("database"), UserName: r.str("user"),
			ClActive: r.int("cl_active"), ClWaiting: r.int("cl_waiting"),
			SvActive: r.int("sv_active"), SvIdle: r.int("sv_idle"), SvUsed: r.int("sv_used"),
			SvTested: r.int("sv_tested"), SvLogin: r.int("sv_login"),
			MaxWait: float64(r.int64("maxwait")) + float64(r.int64("maxwait_us"))/1e6,
			Mode:    r.str("pool_mode"), ClCancelReq: r.int("cl_cancel_req"),
			ClActiveCancelReq: r.int("cl_active_cancel_req"), ClWaitingCancelReq: r.int("cl_waiting_cancel_req"),
			SvActiveCancel: r.int("sv_active_cancel"), SvBeingCanceled: r.int("sv_being_canceled"),
			LoadBalanceHosts: r.str("load_balance_hosts"),
		})
		return r.err
	})
	run("SHOW SERVERS", func(r row) error {
		switch r.str("state") {
		case "active":
			pb.SCActive++
		case "idle":
			pb.SCIdle++
		case "used":
			pb.SCUsed++
		}
		pb.SCMaxWait = max(pb.SCMaxWait, r.wait())
		return r.err
	})
	var waitSum float64
	run("SHOW CLIENTS", func(r row) error {
		switch r.str("state") {
		case "active":
			pb.CCActive++
		case "waiting":
			pb.CCWaiting++
			w := r.wait()
			pb.CCMaxWait = max(pb.CCMaxWait, w)
			waitSum += w
		case "idle":
			pb.CCIdle++
		case "used":
			pb.CCUsed++
		}
		return r.err
	})
	if pb.CCWaiting > 0 {
		pb.CCAvgWait = waitSum / float64(pb.CCWaiting)
	}
	us := func(r row, c string) float64 { return float64(r.int64(c)) / 1e6 }
	run("SHOW STATS", func(r row) error {
		pb.Stats = append(pb.Stats, Stat{
			Database: r.str("database"), TotalXactCount: r.int64("total_xact_count"),
			TotalQueryCount: r.int64("total_query_count"), TotalReceived: r.int64("total_received"),
			TotalSent: r.int64("total_sent"), TotalXactTime: us(r, "total_xact_time"),
			TotalQueryTime: us(r, "total_query_time"), TotalWaitTime: us(r, "total_wait_time"),
			AvgXactCount: r.int64("avg_xact_count"), AvgQueryCount: r.int64("avg_query_count"),
			AvgReceived: r.int64("avg_recv"), AvgSent: r.int64("avg_sent"),
			AvgXactTime: us(r, "avg_xact_time"), AvgQueryTime: us(r, "avg_query_time"), AvgWaitTime: us(r, "avg_wait_time"),
			TotalServerAssignmentCount: r.int64("total_server_assignment_count"),
			AvgServerAssignmentCount:   r.int64("avg_server_assignment_count"),
			TotalClientParseCount:      r.int64("total_client_parse_count"),
			AvgClientParseCount:        r.int64("avg_client_parse_count"),
			TotalServerParseCount:      r.int64("total_server_parse_count"),
			AvgServerParseCount:        r.int64("avg_server_parse_count"),
			TotalBindCount:             r.int64("total_bind_count"),
			AvgBindCount:               r.int64("avg_bind_count"),
		})
		return r.err
	})
	run("SHOW DATABASES", func(r row) error {
		pb.DBs = append(pb.DBs, Database{
			Database: r.str("name"), Host: r.str("host"), Port: r.int("port"),
			SourceDatabase: r.str("database"), ForceUser: r.str("force_user"),
			MaxConn: r.int("max_connections"), CurrConn: r.int("current_connections"),
			Paused: r.int("paused") == 1, Disabled: r.int("disabled") == 1,
			LoadBalanceHosts: r.str("load_balance_hosts"), MaxClientConn: r.int("max_client_connections"),
			CurrentClientConns: r.int("current_client_connections"),
		})
		return r.err
	})
	return pb, errs
}

// row is one result row by column name, as text. Columns are matched by
// name, not by count as pgmetrics does, so a column PgBouncer adds in a new
// version does not make the whole command fail (pgmetrics issue #45).
type row struct {
	cols map[string]int
	vals [][]byte
	err  error // the first unparsable number
}

func (r *row) str(c string) string {
	if i, ok := r.cols[c]; ok && r.vals[i] != nil {
		return string(r.vals[i])
	}
	return ""
}

func (r *row) int64(c string) int64 {
	s := r.str(c)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("column %s: %q is not an integer", c, s)
	}
	return n
}

func (r *row) int(c string) int { return int(r.int64(c)) }

// wait is a client's or server's wait time in seconds.
func (r *row) wait() float64 { return float64(r.int64("wait")) + float64(r.int64("wait_us"))/1e6 }

func show(ctx context.Context, conn *pgx.Conn, timeout time.Duration, cmd string, each func(row) error) error {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rows, err := conn.Query(ctx, cmd)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols := map[string]int{}
	for i, fd := range rows.FieldDescriptions() {
		cols[fd.Name] = i
	}
	for rows.Next() {
		r := row{cols: cols, vals: rows.RawValues()}
		if err := each(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(cols) == 0 {
		return errors.New("no result columns (not a PgBouncer admin console?)")
	}
	return nil
}
