package pgreport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/pgstat"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// reportOpts are the command's defaults (cmd/pgreport's flag defaults).
func reportOpts(env Env) ReportOptions {
	return ReportOptions{Env: env, SQLLength: 500, StatementsLimit: 100, Top: 20, LongXact: time.Minute, LogSpan: 5,
		Conn: pgstat.ConnOptions{ConnectTimeout: 5 * time.Second, StatementTimeout: 5 * time.Second, LockTimeout: 50 * time.Millisecond}}
}

// Without -f: text on a terminal, JSON in a pipe (README, pgreport).
func TestReportDefaultFormat(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		env, out := testEnv(t, "")
		o := reportOpts(env)
		o.Input, o.Terminal = fixture("pgmetrics-1.19-pg15-superuser.json"), terminal
		if err := RunReport(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		if isJSON := json.Valid(out.Bytes()); isJSON == terminal || out.Len() == 0 {
			t.Errorf("terminal %v: JSON %v, want %v: %.80q", terminal, isJSON, !terminal, out.String())
		}
	}
}

// A saved report re-rendered: JSON keeps pgmetrics' fields, metrics keep
// only the names --metric matches.
func TestReportInput(t *testing.T) {
	raw, err := os.ReadFile(fixture("pgmetrics-1.19-pg15-superuser.json"))
	if err != nil {
		t.Fatal(err)
	}
	env, out := testEnv(t, string(raw))
	o := reportOpts(env)
	o.Input, o.Format = "-", "json"
	if err := RunReport(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	var rep pgstat.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || !strings.HasPrefix(rep.Meta.Version, "1.") || len(rep.Tables) == 0 {
		t.Fatalf("re-rendered JSON: %v, meta %+v, %d tables", err, rep.Meta, len(rep.Tables))
	}

	env, out = testEnv(t, "")
	o = reportOpts(env)
	o.Input, o.Format, o.Metrics = fixture("pgmetrics-1.19-pg15-superuser.json"), "metrics", []string{"pg.cluster.*"}
	if err := RunReport(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for _, l := range lines {
		var r metric.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil || !strings.HasPrefix(r.Name, "pg.cluster.") {
			t.Errorf("record %q: %v", l, err)
		}
	}
	if len(lines) < 5 {
		t.Errorf("%d records, want the cluster's", len(lines))
	}
}

// Wrong options and input are *UsageErrors (exit 2 with cmd's hint), found
// before any prompt or connection, with nothing written.
func TestReportUsageErrors(t *testing.T) {
	dir := t.TempDir()
	logFile := filepath.Join(dir, "postgresql.log")
	if err := os.WriteFile(logFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Nothing listens here: a run that got as far as connecting fails otherwise.
	offline := pgstat.ConnOptions{DSN: "host=" + dir + " port=1 user=x dbname=y", ConnectTimeout: time.Second}
	for _, tt := range []struct {
		name  string
		stdin string
		edit  func(o *ReportOptions)
		want  string
	}{
		{"format", "", func(o *ReportOptions) { o.Format = "yaml" }, `-f "yaml": want text, json or metrics`},
		{"glob", "", func(o *ReportOptions) { o.Metrics = []string{"pg.[x"} }, `--metric "pg.[x"`},
		{"sql-length", "", func(o *ReportOptions) { o.SQLLength = 0 }, "must be positive"},
		{"top", "", func(o *ReportOptions) { o.Top = -1 }, "must be positive"},
		{"input with names", "", func(o *ReportOptions) { o.Input, o.DBNames = "-", []string{"shop"} }, "no database names or --all-dbs"},
		{"input missing", "", func(o *ReportOptions) { o.Input = filepath.Join(dir, "nope.json") }, "--input: open "},
		{"input not JSON", "{\n\"meta\": x}", func(o *ReportOptions) { o.Input = "-" }, "stdin: not a JSON report: line 2"},
		{"input not 1.x", `{"meta":{"version":"2.0"}}`, func(o *ReportOptions) { o.Input = "-" }, `meta.version "2.0", want 1.x`},
		{"section-timeout syntax", "", func(o *ReportOptions) { o.SectionTimeouts = []string{"tables"} }, "want SECTION=DURATION"},
		{"section-timeout zero", "", func(o *ReportOptions) { o.SectionTimeouts = []string{"tables=0s"} }, "want SECTION=DURATION"},
		{"section-timeout name", "", func(o *ReportOptions) { o.SectionTimeouts = []string{"tablez=1s"} }, `no section "tablez" (sections: `},
		{"log-span", "", func(o *ReportOptions) { o.LogSpan = 0 }, "--log-span 0"},
		{"log file and dir", "", func(o *ReportOptions) { o.LogFile, o.LogDir = logFile, dir }, "give one"},
		{"log file missing", "", func(o *ReportOptions) { o.LogFile = logFile + ".1" }, "--log-file: stat "},
		{"log file a directory", "", func(o *ReportOptions) { o.LogFile = dir }, "not a regular file"},
		{"log dir a file", "", func(o *ReportOptions) { o.LogDir = logFile }, "not a directory"},
		{"PgBouncer has no log", "", func(o *ReportOptions) { o.Conn.DSN += " dbname=pgbouncer"; o.LogDir = dir }, "which has no server log"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, out := testEnv(t, tt.stdin)
			o := reportOpts(env)
			o.Conn, o.Format = offline, "json"
			tt.edit(&o)
			asUsage(t, RunReport(context.Background(), o), tt.want)
			if out.Len() != 0 {
				t.Errorf("stdout %q", out.String())
			}
		})
	}
}

// PgBouncer's admin console is one database (reference
// pgmetrics-logs-pgbouncer.md §2.1): --all-dbs or more names are usage
// errors, found before connecting.
func TestReportPgBouncerUsage(t *testing.T) {
	for _, edit := range []func(o *ReportOptions){
		func(o *ReportOptions) { o.AllDBs = true },
		func(o *ReportOptions) { o.DBNames = []string{"pgbouncer", "shop"} },
	} {
		env, out := testEnv(t, "")
		env.Prompt = nil
		o := reportOpts(env)
		o.Conn.DSN, o.Format = "host="+t.TempDir()+" port=1 dbname=pgbouncer", "json"
		edit(&o)
		asUsage(t, RunReport(context.Background(), o), "PgBouncer's admin console")
		if out.Len() != 0 {
			t.Errorf("stdout %q", out.String())
		}
	}
}

// A connection string that does not parse is bad input (exit 2) but not a
// flag mistake (no --help hint): a *ConnStringError, before any prompt.
func TestReportConnString(t *testing.T) {
	env, out := testEnv(t, "")
	o := reportOpts(env)
	o.Conn.DSN, o.Conn.Host = "postgres://u@db7/shop", "db8"
	err := RunReport(context.Background(), o)
	var ce *ConnStringError
	var ue *UsageError
	if !errors.As(err, &ce) || !ce.BadInput() || errors.As(err, &ue) || !strings.Contains(err.Error(), "-h/-p cannot be combined") {
		t.Errorf("err = %v (%T)", err, err)
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q", out.String())
	}
}

// With -f metrics a failed run ends the stream with one error record
// (DESIGN.md §4: no pipefail under dash), secrets redacted, stamped by the
// injected clock; an unreachable server writes that record alone.
func TestReportMetricsErrorRecord(t *testing.T) {
	now := time.Date(2026, 11, 22, 21, 5, 0, 0, time.UTC)
	env, out := testEnv(t, "")
	env.Secrets, env.Now = []string{"hunter2-secret"}, func() time.Time { return now }
	o := reportOpts(env)
	o.Format, o.Input = "metrics", "/nonexistent/hunter2-secret.json"
	asUsage(t, RunReport(context.Background(), o), "hunter2-secret")
	var rec struct{ Error, Source, Time string }
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil || rec.Source != "pgreport" || rec.Time != "2026-11-22T21:05:00Z" ||
		!strings.Contains(rec.Error, "--input: open /nonexistent/[REDACTED].json") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("stdout %q: want one redacted error record (%v)", out.String(), err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // refused from now on
	env, out = testEnv(t, "")
	env.Prompt = nil
	o = reportOpts(env)
	o.Format, o.Conn.DSN = "metrics", fmt.Sprintf("host=127.0.0.1 port=%d user=x dbname=y sslmode=disable", port)
	err = RunReport(context.Background(), o)
	var ue *UsageError
	if err == nil || errors.As(err, &ue) {
		t.Fatalf("err = %v, want a connection failure", err)
	}
	if !strings.HasPrefix(out.String(), `{"error":"`) || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("stdout %q, want the error record alone", out.String())
	}
}

// A live report: application_name and meta.user_agent name pgreport, the
// password comes from Prompt (asked once, after the options are checked),
// and a prompt that fails ends the run with its own error, nothing written.
func TestReportLive(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "app_report")
	env, out := testEnv(t, "")
	asked := 0
	env.Prompt = func() (string, error) { asked++; return "unused-by-trust", nil }
	o := reportOpts(env)
	o.Conn.DSN, o.Format = c.ConnString(db), "json"
	if err := RunReport(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	var rep pgstat.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rep.Meta.UserAgent, "pgreport/") || asked != 1 || len(rep.Meta.CollectedDBs) != 1 || rep.Meta.CollectedDBs[0] != db {
		t.Errorf("user agent %q, prompts %d, dbs %v", rep.Meta.UserAgent, asked, rep.Meta.CollectedDBs)
	}

	env, out = testEnv(t, "")
	errTTY := errors.New("no terminal")
	env.Prompt = func() (string, error) { return "", errTTY }
	o = reportOpts(env)
	o.Conn.DSN, o.Format = c.ConnString(db), "metrics"
	if err := RunReport(context.Background(), o); !errors.Is(err, errTTY) {
		t.Errorf("err = %v, want the prompt's", err)
	}
	if !strings.HasPrefix(out.String(), `{"error":"no terminal"`) {
		t.Errorf("stdout %q", out.String())
	}
}

// A section the role may not read: the report still arrives, and the run
// is a *PartialError naming the section (exit 3), as pgreport's partial.txtar.
func TestReportPartial(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "app_partial")
	role := db + "_plain"
	c.Exec(t, "postgres", "CREATE ROLE "+role+" LOGIN")
	t.Cleanup(func() { c.Exec(t, "postgres", "DROP ROLE IF EXISTS "+role) })
	c.Exec(t, db, "CREATE EXTENSION pg_stat_statements", "REVOKE SELECT ON pg_stat_statements FROM PUBLIC", "CREATE TABLE t (id int)")
	env, out := testEnv(t, "")
	env.Prompt = nil
	o := reportOpts(env)
	o.Conn.DSN, o.Conn.User, o.Format = c.ConnString(db), role, "json"
	err := RunReport(context.Background(), o)
	var pe *PartialError
	if !errors.As(err, &pe) || !strings.HasPrefix(pe.Msg, "partial report: statements@"+db+": ERROR: permission denied") {
		t.Fatalf("err = %v (%T)", err, err)
	}
	var rep pgstat.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || len(rep.Tables) != 1 || rep.Tables[0].Name != "t" {
		t.Errorf("report: %v, tables %+v", err, rep.Tables)
	}
}
