package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/pgstat"
	"github.com/cronkit/cronkit/lib/testutil/pgbouncerbox"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/jackc/pgx/v5"
)

// pgreportRun runs the root command in-process with a clean environment.
func pgreportRun(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if env == nil {
		env = map[string]string{}
	}
	env["HOME"] = t.TempDir()
	e := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	code = cli.Execute(newRoot(e), args)
	return code, out.String(), errb.String()
}

// A PgBouncer target (reference pgmetrics-logs-pgbouncer.md §2.1): the
// database "pgbouncer" switches to PgBouncer mode, by URL as in pgmetrics
// and also by -d (where pgmetrics fails on its startup parameters).
func TestPgBouncerTarget(t *testing.T) {
	pg := pgsandbox.Get(t)
	b := pgbouncerbox.Start(t, pg, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, _ := pgx.ParseConfig(b.URL("postgres"))
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	client, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close(context.Background())
	if _, err := client.Exec(ctx, "BEGIN; SELECT 1"); err != nil {
		t.Fatal(err)
	}

	code, out, errs := pgreportRun(t, nil, "-f", "json", "--dsn", b.URL("pgbouncer"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep pgstat.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Meta.Mode != "pgbouncer" || rep.Meta.Local || rep.Meta.User != "" || rep.PgBouncer == nil ||
		rep.PgBouncer.SCActive != 1 || !strings.Contains(out, `"collected_dbs": null`) {
		t.Fatalf("report: %s", out)
	}
	var pool bool
	for _, p := range rep.PgBouncer.Pools {
		pool = pool || (p.Database == "postgres" && p.ClActive == 1 && p.SvActive == 1)
	}
	if !pool {
		t.Errorf("pools = %+v", rep.PgBouncer.Pools)
	}

	env := map[string]string{"PGSSLMODE": "disable"}
	code, out, errs = pgreportRun(t, env, "-f", "text", "-h", "127.0.0.1", "-p", fmt.Sprint(b.Port), "-U", b.User, "-d", "pgbouncer")
	if code != 0 || !strings.Contains(out, "PgBouncer report") || !strings.Contains(out, "PgBouncer pools") ||
		!strings.Contains(out, "pgbouncer (internal)") || !strings.Contains(out, "1 active, 0 idle, 0 used") {
		t.Errorf("text: exit %d %s\n%s", code, errs, out)
	}
	code, out, errs = pgreportRun(t, env, "-f", "metrics", "--dsn", b.URL("pgbouncer"))
	if code != 0 || !strings.Contains(out, `"name":"pg.pgbouncer.pools.postgres.postgres.cl_active","kind":"value","value":1`) ||
		!strings.Contains(out, `"pg.pgbouncer.servers.active"`) || strings.Contains(out, "pg.cluster.") {
		t.Errorf("metrics: exit %d %s\n%s", code, errs, out)
	}
	code, _, errs = pgreportRun(t, env, "--log-file", "/etc/hostname", "--dsn", b.URL("pgbouncer"))
	if code != cli.ExitUsage || !strings.Contains(errs, "no server log") {
		t.Errorf("--log-file with PgBouncer: exit %d %q", code, errs)
	}
}

// Logs of a live server: jsonlog only (which pgmetrics cannot read),
// found through pg_current_logfile('jsonlog').
func TestServerLogsJSONLog(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgsandbox.Start(ctx, pgsandbox.Options{Settings: map[string]string{
		"logging_collector": "on", "log_destination": "jsonlog", "log_line_prefix": "%m [%p] "}})
	if err != nil {
		pgsandbox.SkipOrFail(t, err)
	}
	defer c.Stop()
	conn, err := pgx.Connect(ctx, c.ConnString("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "SELECT * FROM no_such_table_for_pgreport")
	var file string
	if err := conn.QueryRow(ctx, "SELECT pg_current_logfile('jsonlog')").Scan(&file); err != nil {
		t.Fatal(err)
	}
	// The logging collector writes on its own time: wait (bounded) for the error.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(filepath.Join(c.DataDir, file))
		if bytes.Contains(b, []byte("no_such_table_for_pgreport")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no error logged in %s", file)
		}
	}
	dsn := c.ConnString("postgres") // pgx reads the libpq variables from the process: a DSN instead
	code, out, errs := pgreportRun(t, nil, "-f", "json", "--dsn", dsn)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep pgstat.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range rep.LogEntries {
		found = found || (e.Level == "ERROR" && e.Line == `relation "no_such_table_for_pgreport" does not exist` &&
			e.User == "postgres" && e.DBName == "postgres" && len(e.Extra) == 1 && e.Extra[0].Level == "STATEMENT")
	}
	if !found || len(rep.Meta.LogFiles) != 1 || !strings.HasSuffix(rep.Meta.LogFiles[0], ".json") {
		t.Errorf("log_entries = %+v, files %v", rep.LogEntries, rep.Meta.LogFiles)
	}
	code, out, _ = pgreportRun(t, nil, "-f", "metrics", "--metric", "pg.cluster.log_*", "--dsn", dsn)
	if code != 0 || !strings.Contains(out, `"name":"pg.cluster.log_errors"`) || !strings.Contains(out, `"name":"pg.cluster.log_deadlocks","kind":"value","value":0`) {
		t.Errorf("metrics: %s", out)
	}
}

// --log-dir with a stderr log: the text report shows pgmetrics' Recent
// Deadlocks and Recent Autovacuums; --log-span drops what is older.
func TestLogDirText(t *testing.T) {
	c := pgsandbox.Get(t)
	dir := t.TempDir()
	now := time.Now().UTC()
	stamp := func(ago time.Duration) string { return now.Add(-ago).Format("2006-01-02 15:04:05.000") + " UTC" }
	log := stamp(time.Hour) + " [1] LOG:  automatic vacuum of table \"old.public.t\": index scans: 0\n" +
		"\tsystem usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 9.00 s\n" +
		stamp(time.Minute) + " [2] ERROR:  deadlock detected\n" +
		stamp(time.Minute) + " [2] DETAIL:  Process 2 waits for ShareLock on transaction 9; blocked by process 3.\n" +
		"\tProcess 3 waits for ShareLock on transaction 8; blocked by process 2.\n" +
		stamp(time.Minute) + " [4] LOG:  automatic vacuum of table \"shop.public.orders\": index scans: 0\n" +
		"\tsystem usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 1.25 s\n"
	if err := os.WriteFile(filepath.Join(dir, "postgresql.log"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	dsn := c.ConnString("postgres")
	// The shared sandbox's log_line_prefix is PostgreSQL's default, "%m [%p] ".
	code, out, errs := pgreportRun(t, nil, "-f", "text", "--log-dir", dir, "--log-span", "10", "--dsn", dsn)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Recent deadlocks (1)", "Process 3 waits for ShareLock on transaction 8; blocked by process 2.",
		"Recent autovacuums (1)", "shop.public.orders  1.25s", "2 entries: 1 errors"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "old.public.t") {
		t.Errorf("an entry older than --log-span is shown")
	}
	for _, tt := range []struct{ args []string }{
		{[]string{"--log-file", filepath.Join(dir, "nope.log")}},
		{[]string{"--log-file", dir}},
		{[]string{"--log-dir", filepath.Join(dir, "postgresql.log")}},
		{[]string{"--log-span", "0"}},
		{[]string{"--log-file", filepath.Join(dir, "postgresql.log"), "--log-dir", dir}},
	} {
		if code, out, errs := pgreportRun(t, nil, append([]string{"-f", "json", "--dsn", dsn}, tt.args...)...); code != cli.ExitUsage ||
			out != "" || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", tt.args, code, errs)
		}
	}
}
