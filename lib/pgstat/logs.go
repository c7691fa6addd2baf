package pgstat

import (
	"context"
	"fmt"
	"strings"

	"github.com/cronkit/cronkit/lib/pglog"
)

// readLogs reads the server's logs as pgmetrics does (reference
// pgmetrics-logs-pgbouncer.md §1.2): only for a local server, with the
// format and prefix from its settings and pg_current_logfile().
// pgmetrics' warnings are gaps; a file that cannot be read is a failed
// "logs" section.
func (c *collector) readLogs(ctx context.Context) {
	if !c.rep.Meta.Local {
		c.gap("logs: not read: the server is not local (pgmetrics' rule: the files are on its host)")
		return
	}
	o := *c.o.Logs
	set := func(name string) string { return c.rep.Settings[name].Setting }
	o.LogLinePrefix = set("log_line_prefix")
	o.LogDestination = set("log_destination")
	o.LoggingCollector = set("logging_collector") == "on"
	o.LogTimezone = set("log_timezone")
	o.DataDirectory = set("data_directory")
	if o.File == "" && o.Dir == "" && c.conn != nil && !c.conn.IsClosed() {
		// NULL when that format is not being logged; restricted to
		// superusers and pg_monitor by default: without it, a gap.
		sql := `SELECT pg_current_logfile('stderr'), pg_current_logfile('csvlog'), NULL::text`
		if c.ver >= 150000 {
			sql = `SELECT pg_current_logfile('stderr'), pg_current_logfile('csvlog'), pg_current_logfile('jsonlog')`
		}
		var s, cv, j *string
		if err := c.conn.QueryRow(ctx, sql).Scan(&s, &cv, &j); err != nil {
			c.gap("logs: pg_current_logfile: %v", err)
		} else {
			o.CurrentLogfile = map[pglog.Format]string{}
			for f, v := range map[pglog.Format]*string{pglog.Stderr: s, pglog.CSV: cv, pglog.JSONLog: j} {
				if v != nil {
					o.CurrentLogfile[f] = *v
				}
			}
		}
	}
	recs, files, warn, err := pglog.Read(o)
	for _, w := range warn {
		c.gap("logs: %s", w)
	}
	c.rep.Records = recs
	c.rep.Meta.LogFiles = files
	if err != nil {
		c.fail("logs", "", err)
	}
}

// textLogs: what pgmetrics' text report shows of the logs (Recent
// Deadlocks, Recent Autovacuums), after a count of events by kind.
func textLogs(b *strings.Builder, r *Report, o TextOptions) {
	topN := o.TopN
	if len(r.Meta.LogFiles) == 0 {
		return
	}
	c := r.Records.Counts()
	fmt.Fprintf(b, "\nServer log (%s)\n", strings.Join(r.Meta.LogFiles, ", "))
	fmt.Fprintf(b, "  %d entries: %d errors, %d fatal, %d panics, %d warnings; %d deadlocks, %d autovacuums, %d plans\n",
		c["entries"], c["errors"], c["fatals"], c["panics"], c["warnings"], c["deadlocks"], c["autovacuums"], c["plans"])
	if n := len(r.Deadlocks); n > 0 {
		fmt.Fprintf(b, "\nRecent deadlocks (%d%s)\n", n, shownOf(n, topN, "latest"))
		for _, d := range r.Deadlocks[max(0, n-topN):] {
			fmt.Fprintf(b, "  %s\n", ts(d.At))
			for _, l := range strings.Split(strings.TrimSpace(d.Detail), "\n") {
				fmt.Fprintf(b, "    %s\n", oneLine(l, 110))
			}
		}
	}
	if n := len(r.Autovacuums); n > 0 {
		fmt.Fprintf(b, "\nRecent autovacuums (%d%s)\n", n, shownOf(n, topN, "latest"))
		tw := newTab(b)
		fmt.Fprintln(tw, "  at\ttable\telapsed")
		for _, a := range r.Autovacuums[max(0, n-topN):] {
			fmt.Fprintf(tw, "  %s\t%s\t%.2fs\n", ts(a.At), a.TableName, a.Elapsed)
		}
		tw.Flush()
	}
}

// logMetrics: pg.cluster.log_<kind>, the counts of log events by kind (only
// when logs were read: a 0 then means none).
func logMetrics(e *emitter, r *Report) {
	if len(r.Meta.LogFiles) == 0 {
		return
	}
	c := r.Records.Counts()
	for _, k := range sortedKeys(c) {
		e.cl(float64(c[k]), "log_"+k)
	}
}
