package pglog

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/jackc/pgx/v5"
)

var capture = flag.Bool("capture", false, "copy the logs of TestRealServerLogs to testdata/pg<major>.* (review before committing)")

// liveSettings log to stderr, csvlog and jsonlog at once, with auto_explain
// on every statement and every autovacuum run logged.
var liveSettings = map[string]string{
	"logging_collector":                  "on",
	"log_destination":                    "stderr,csvlog,jsonlog",
	"log_line_prefix":                    "%m [%p] %q%u@%d ",
	"log_timezone":                       "UTC",
	"shared_preload_libraries":           "pg_stat_statements,auto_explain",
	"auto_explain.log_min_duration":      "0",
	"log_autovacuum_min_duration":        "0",
	"autovacuum_naptime":                 "1",
	"autovacuum_vacuum_threshold":        "10",
	"autovacuum_vacuum_scale_factor":     "0",
	"autovacuum_vacuum_insert_threshold": "-1",
	"deadlock_timeout":                   "100ms",
	"compute_query_id":                   "on",
}

// reVacT finds the autovacuum of t in any of the three formats' quoting.
var reVacT = regexp.MustCompile(`automatic vacuum of table \W*postgres\.public\.t\W`)

// TestRealServerLogs runs a real server that logs in all three formats,
// provokes what pgmetrics derives from logs (auto_explain plans in the four
// formats, a deadlock, an autovacuum run) and reads each file: every
// format must yield the same derived records.
func TestRealServerLogs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgsandbox.Start(ctx, pgsandbox.Options{Settings: liveSettings})
	if err != nil {
		pgsandbox.SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	conn := func() *pgx.Conn {
		cn, err := pgx.Connect(ctx, c.ConnString("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cn.Close(context.Background()) })
		return cn
	}
	a, b := conn(), conn()
	exec := func(cn *pgx.Conn, sql string) {
		t.Helper()
		if _, err := cn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(a, "CREATE TABLE t (id int PRIMARY KEY, v int)")
	exec(a, "INSERT INTO t SELECT g, 0 FROM generate_series(1, 100) g")
	for _, f := range []string{"text", "json", "xml", "yaml"} {
		exec(a, "SET auto_explain.log_format = "+f)
		exec(a, "SELECT count(*) FROM t WHERE v = 0")
	}
	exec(a, "RESET auto_explain.log_format")
	exec(a, "SET auto_explain.log_min_duration = -1")
	exec(b, "SET auto_explain.log_min_duration = -1")

	// A deadlock: a locks 1 then 2, b locks 2 then 1.
	exec(a, "BEGIN")
	exec(b, "BEGIN")
	exec(a, "UPDATE t SET v = 1 WHERE id = 1")
	exec(b, "UPDATE t SET v = 2 WHERE id = 2")
	var wg sync.WaitGroup
	var errA error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, errA = a.Exec(ctx, "UPDATE t SET v = 1 WHERE id = 2")
	}()
	_, errB := b.Exec(ctx, "UPDATE t SET v = 2 WHERE id = 1")
	wg.Wait()
	if (errA == nil) == (errB == nil) {
		t.Fatalf("want exactly one deadlock victim: a: %v, b: %v", errA, errB)
	}
	exec(a, "ROLLBACK")
	exec(b, "ROLLBACK")

	// An autovacuum run: enough dead rows past the threshold.
	exec(a, "DELETE FROM t WHERE id > 50")

	var files []string
	if err := a.QueryRow(ctx, `SELECT ARRAY[pg_current_logfile('stderr'), pg_current_logfile('csvlog'),
		pg_current_logfile('jsonlog')]`).Scan(&files); err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		files[i] = filepath.Join(c.DataDir, f)
	}
	// The autovacuum launcher and the logging collector work on their own
	// time: wait (bounded) until each file holds the vacuum's message.
	deadline := time.Now().Add(60 * time.Second)
	for _, f := range files {
		for {
			body, _ := os.ReadFile(f)
			if reVacT.Match(body) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no autovacuum message within 60 s:\n%s", f, body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if *capture {
		for i, ext := range []string{"log", "csv", "json"} {
			body, err := os.ReadFile(files[i])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("testdata", "pg15."+ext), body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	p, err := Compile(liveSettings["log_line_prefix"], time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var recs []Records
	for i, f := range []Format{Stderr, CSV, JSONLog} {
		fh, err := os.Open(files[i])
		if err != nil {
			t.Fatal(err)
		}
		entries, err := Parse(fh, f, p, time.UTC, time.Time{})
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		r := Derive(entries)
		checkDerived(t, string(f), r)
		recs = append(recs, r)
	}
	for i := 1; i < 3; i++ {
		sameDerived(t, recs[0], recs[i])
	}
}

// checkDerived asserts what the provoked workload must have produced.
func checkDerived(t *testing.T, name string, r Records) {
	t.Helper()
	if len(r.Deadlocks) != 1 || !strings.HasPrefix(r.Deadlocks[0].Detail, "Process ") ||
		strings.Count(r.Deadlocks[0].Detail, " waits for ShareLock on transaction ") != 2 || strings.Contains(r.Deadlocks[0].Detail, "\t") {
		t.Errorf("%s: deadlocks = %+v, want one with two waits-for lines", name, r.Deadlocks)
	}
	var vac bool
	for _, a := range r.Autovacuums {
		vac = vac || a.TableName == "postgres.public.t"
	}
	if !vac {
		t.Errorf("%s: autovacuums = %+v, want postgres.public.t", name, r.Autovacuums)
	}
	formats := map[string]Plan{}
	for _, p := range r.Plans {
		if strings.Contains(p.Query, "WHERE v = 0") {
			formats[p.Format] = p
		}
	}
	for _, f := range []string{"text", "json", "xml", "yaml"} {
		p, ok := formats[f]
		if !ok || p.Plan == "" || p.Query != "SELECT count(*) FROM t WHERE v = 0" || p.Database != "postgres" ||
			p.UserName != "postgres" || p.At == 0 {
			t.Errorf("%s: %s plan = %+v", name, f, p)
		}
	}
	if !strings.Contains(formats["text"].Plan, "Seq Scan on t") || !strings.HasPrefix(formats["json"].Plan, `{"Plan":`) {
		t.Errorf("%s: plans = %+v", name, formats)
	}
	if len(r.LogEntries) < 10 {
		t.Errorf("%s: only %d entries", name, len(r.LogEntries))
	}
}

// sameDerived: the three formats carry the same events.
func sameDerived(t *testing.T, a, b Records) {
	t.Helper()
	if len(a.Deadlocks) != len(b.Deadlocks) || len(a.Plans) != len(b.Plans) || len(a.LogEntries) != len(b.LogEntries) {
		t.Errorf("formats differ: %d/%d/%d vs %d/%d/%d (deadlocks/plans/entries)", len(a.Deadlocks), len(a.Plans),
			len(a.LogEntries), len(b.Deadlocks), len(b.Plans), len(b.LogEntries))
		return
	}
	for i := range a.Deadlocks {
		if a.Deadlocks[i] != b.Deadlocks[i] {
			t.Errorf("deadlock %d: %+v vs %+v", i, a.Deadlocks[i], b.Deadlocks[i])
		}
	}
	for i := range a.Plans {
		if a.Plans[i].Format != b.Plans[i].Format || a.Plans[i].Query != b.Plans[i].Query {
			t.Errorf("plan %d: %+v vs %+v", i, a.Plans[i], b.Plans[i])
		}
	}
}
