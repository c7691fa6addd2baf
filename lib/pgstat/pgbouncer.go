package pgstat

import (
	"fmt"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/pgbouncer"
)

// PgBouncerReport is the report of a PgBouncer admin console: pgmetrics'
// shape in its pgbouncer mode (meta.mode "pgbouncer", meta.local false,
// meta.user "", collected_dbs null, the Postgres keys zero-valued; reference
// pgmetrics-logs-pgbouncer.md §2.1). Each failed SHOW command is a failed
// "pgbouncer" section.
func PgBouncerReport(pb *pgbouncer.PgBouncer, errs []error, userAgent string, at time.Time, took time.Duration) *Report {
	r := &Report{
		Meta: Meta{Version: PgmetricsSchema, At: at.Unix(), Mode: "pgbouncer", UserAgent: userAgent,
			PgreportSchema: SchemaVersion, Errors: []SectionError{}, DurationMS: float64(took.Microseconds()) / 1000},
		PgBouncer: pb,
	}
	for _, err := range errs {
		r.Meta.Errors = append(r.Meta.Errors, SectionError{Section: "pgbouncer", Error: err.Error()})
	}
	return r
}

// The text report in PgBouncer mode (pgbouncerTextParts): pgmetrics'
// "PgBouncer Databases", "Pools" and "Current Connections", short.

// bouncerOf is the report's PgBouncer figures, empty if none were read.
func bouncerOf(r *Report) *pgbouncer.PgBouncer {
	if r.PgBouncer == nil {
		return &pgbouncer.PgBouncer{}
	}
	return r.PgBouncer
}

// internal marks PgBouncer's own admin database.
func internal(db string) string {
	if db == "pgbouncer" {
		return db + " (internal)"
	}
	return db
}

func textPgBouncerDBs(b *strings.Builder, r *Report, _ TextOptions) {
	pb := bouncerOf(r)
	fmt.Fprintf(b, "\nPgBouncer databases\n")
	tw := newTab(b)
	fmt.Fprintln(tw, "  name\tserver\tdatabase\tforce user\tconns/max\tpaused\tdisabled")
	for _, d := range pb.DBs {
		srv := d.Host
		if srv == "" {
			srv = "-"
		}
		limit := "-" // max_db_connections 0: no limit
		if d.MaxConn > 0 {
			limit = fmt.Sprint(d.MaxConn)
		}
		fmt.Fprintf(tw, "  %s\t%s:%d\t%s\t%s\t%d/%s\t%s\t%s\n", internal(d.Database), srv, d.Port, d.SourceDatabase,
			firstNonEmpty(d.ForceUser, "-"), d.CurrConn, limit, yesNo(d.Paused), yesNo(d.Disabled))
	}
	tw.Flush()
}

func textPgBouncerPools(b *strings.Builder, r *Report, _ TextOptions) {
	pb := bouncerOf(r)
	fmt.Fprintf(b, "\nPgBouncer pools\n")
	tw := newTab(b)
	fmt.Fprintln(tw, "  database\tuser\tmode\tcl active\tcl waiting\tsv active\tsv idle\tsv used\tmax wait")
	for _, p := range pb.Pools {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%.3fs\n", internal(p.Database), p.UserName, p.Mode,
			p.ClActive, p.ClWaiting, p.SvActive, p.SvIdle, p.SvUsed, p.MaxWait)
	}
	tw.Flush()
}

func textPgBouncerConns(b *strings.Builder, r *Report, _ TextOptions) {
	pb := bouncerOf(r)
	fmt.Fprintf(b, "\nPgBouncer connections\n")
	tw := newTab(b)
	row(tw, "Clients", fmt.Sprintf("%d active, %d waiting, %d idle, %d used; wait max %.3fs, avg %.3fs",
		pb.CCActive, pb.CCWaiting, pb.CCIdle, pb.CCUsed, pb.CCMaxWait, pb.CCAvgWait))
	row(tw, "Servers", fmt.Sprintf("%d active, %d idle, %d used; wait max %.3fs", pb.SCActive, pb.SCIdle, pb.SCUsed, pb.SCMaxWait))
	tw.Flush()
}

func textPgBouncerTraffic(b *strings.Builder, r *Report, _ TextOptions) {
	pb := bouncerOf(r)
	if len(pb.Stats) > 0 {
		fmt.Fprintf(b, "\nPgBouncer traffic (averages per second over the last stats period)\n")
		tw := newTab(b)
		fmt.Fprintln(tw, "  database\txacts\tqueries\txact/s\tquery/s\tavg query\tavg wait\tin/s\tout/s")
		for _, s := range pb.Stats {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n", internal(s.Database), s.TotalXactCount, s.TotalQueryCount,
				s.AvgXactCount, s.AvgQueryCount, ms(s.AvgQueryTime*1000), ms(s.AvgWaitTime*1000),
				bytesIEC(s.AvgReceived), bytesIEC(s.AvgSent))
		}
		tw.Flush()
	}
}

// pgbouncerMetrics: pg.pgbouncer.clients.<state>, .servers.<state>,
// .pools.<db>.<user>.<field>, .stats.<db>.<field>, then .report_errors:
// the one metric family of PgBouncer mode.
func pgbouncerMetrics(e *emitter, r *Report) {
	if r.PgBouncer != nil {
		pgbouncerFigures(r.PgBouncer, e.add)
	}
	e.add(float64(len(r.Meta.Errors)), "pgbouncer", "report_errors")
}

// pgbouncerFigures: the figures of SHOW LISTS, POOLS and STATS.
func pgbouncerFigures(pb *pgbouncer.PgBouncer, add func(v float64, parts ...string)) {
	add(float64(pb.CCActive), "pgbouncer", "clients", "active")
	add(float64(pb.CCWaiting), "pgbouncer", "clients", "waiting")
	add(float64(pb.CCIdle), "pgbouncer", "clients", "idle")
	add(float64(pb.CCUsed), "pgbouncer", "clients", "used")
	add(pb.CCMaxWait, "pgbouncer", "clients", "maxwait")
	add(pb.CCAvgWait, "pgbouncer", "clients", "avgwait")
	add(float64(pb.SCActive), "pgbouncer", "servers", "active")
	add(float64(pb.SCIdle), "pgbouncer", "servers", "idle")
	add(float64(pb.SCUsed), "pgbouncer", "servers", "used")
	add(pb.SCMaxWait, "pgbouncer", "servers", "maxwait")
	for _, p := range pb.Pools {
		f := func(v float64, field string) { add(v, "pgbouncer", "pools", p.Database, p.UserName, field) }
		f(float64(p.ClActive), "cl_active")
		f(float64(p.ClWaiting), "cl_waiting")
		f(float64(p.SvActive), "sv_active")
		f(float64(p.SvIdle), "sv_idle")
		f(float64(p.SvUsed), "sv_used")
		f(p.MaxWait, "maxwait")
	}
	for _, s := range pb.Stats {
		f := func(v float64, field string) { add(v, "pgbouncer", "stats", s.Database, field) }
		f(float64(s.TotalXactCount), "total_xact_count")
		f(float64(s.TotalQueryCount), "total_query_count")
		f(float64(s.TotalReceived), "total_received")
		f(float64(s.TotalSent), "total_sent")
		f(s.TotalWaitTime, "total_wait_time")
		f(float64(s.AvgQueryCount), "avg_query_count")
		f(s.AvgQueryTime, "avg_query_time")
		f(s.AvgWaitTime, "avg_wait_time")
	}
}
