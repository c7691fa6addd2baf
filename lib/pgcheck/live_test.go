package pgcheck

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/pgstat"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(pgsandbox.Main(m)) }

func connOpts(c *pgsandbox.Cluster, db string) pgstat.ConnOptions {
	return pgstat.ConnOptions{Host: c.Host, Port: strconv.Itoa(c.Port), User: c.User, DBName: db, AppName: "pgreport/test"}
}

func collect(t *testing.T, c *pgsandbox.Cluster, db string, bloat bool) *pgstat.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := pgstat.Collect(ctx, pgstat.Options{Conn: connOpts(c, db), Bloat: bloat, UserAgent: "pgreport/test"})
	if err != nil {
		t.Fatalf("Collect: %v %+v", err, rep.Meta.Errors)
	}
	return rep
}

func exec1(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func pid(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var p int
	if err := conn.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// A fresh server passes the defaults: nothing at WARNING or above, nothing
// UNKNOWN (a superuser sees every section).
func TestFreshServerPasses(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "fresh")
	st := NewState("fresh")
	for i := 0; i < 2; i++ { // the second check compares deadlocks with the first
		o := Evaluate(collect(t, c, db, true), nil, Options{Bloat: true, State: st})
		if o.Level != OK || len(o.Findings()) != 0 {
			var b bytes.Buffer
			_ = WriteText(&b, o)
			t.Fatalf("fresh server: %s\n%s", o.Level, b.String())
		}
		if r := ruleResult(t, o, "disk_usage"); r.Checked == 0 {
			t.Errorf("disk_usage measured nothing on a local server: %+v", r)
		}
	}
}

// TestRulesProvoked provokes each rule for real, on Debian's PostgreSQL and
// on each pinned major of scripts/pg-versions, and checks that the check
// finds exactly it. The server: max_prepared_transactions for a prepared
// transaction, archiving to a command that fails, a short deadlock_timeout.
// Thresholds that count time are lowered to 1 s (each state is waited for
// until it is 2 s old), the rest keep their defaults where the state can
// reach them (a sequence at 90%, an inactive slot, an invalid index,
// deadlocks, a failing archiver, requested checkpoints).
func TestRulesProvoked(t *testing.T) {
	vers := pgsandbox.PinnedVersions(t)
	bindir, err := pgsandbox.FindBinDir()
	if err != nil {
		pgsandbox.SkipOrFail(t, err)
	}
	debian := 0
	if m, err := strconv.Atoi(filepath.Base(filepath.Dir(bindir))); err == nil {
		debian = m
	}
	if _, ok := vers[debian]; !ok && debian != 0 {
		vers[debian] = bindir
	}
	for _, major := range slices.Sorted(maps.Keys(vers)) {
		dir := vers[major]
		t.Run("pg"+strconv.Itoa(major), func(t *testing.T) {
			if dir == "" {
				if os.Getenv("CI") != "" {
					t.Fatalf("PostgreSQL %d binaries are not in the cache: run scripts/pg-versions", major)
				}
				t.Skipf("PostgreSQL %d not fetched: run scripts/pg-versions", major)
			}
			provoke(t, dir)
		})
	}
}

func provoke(t *testing.T, bindir string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgsandbox.Start(ctx, pgsandbox.Options{BinDir: bindir, Settings: map[string]string{
		"max_prepared_transactions": "5",
		"archive_mode":              "on",
		"archive_command":           "/bin/false",
		"deadlock_timeout":          "100ms",
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	db := c.CreateDB(t, "shop")
	lockdb := c.CreateDB(t, "lockdb")
	bg := context.Background()
	admin := c.Connect(t, "postgres")

	c.Exec(t, db,
		"CREATE SEQUENCE near_max MAXVALUE 100", "SELECT setval('near_max', 90)", // 90%: check_postgres's 85% warns
		"CREATE TABLE dup (x int)", "INSERT INTO dup VALUES (1), (1)",
		"CREATE TABLE px (id int)",
		"CREATE TABLE r (id int PRIMARY KEY, v int)", "INSERT INTO r VALUES (1, 0), (2, 0)",
		"CREATE TABLE never (x int) WITH (autovacuum_enabled = off)",
		"INSERT INTO never SELECT generate_series(1, 1000)",
		"SELECT pg_stat_force_next_flush()",
		"CREATE TABLE bloated (id int, pad text) WITH (autovacuum_enabled = off)",
		"INSERT INTO bloated SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g",
		"DELETE FROM bloated WHERE id % 10 <> 0", "ANALYZE bloated",
	)
	c.Exec(t, lockdb, "CREATE TABLE hot (id int)")
	// A unique index built concurrently over duplicates fails and stays, invalid.
	if _, err := c.Connect(t, db).Exec(bg, "CREATE UNIQUE INDEX CONCURRENTLY dup_x ON dup (x)"); err == nil {
		t.Fatal("CREATE UNIQUE INDEX CONCURRENTLY over duplicates succeeded")
	}
	// An inactive physical slot that reserved WAL now.
	exec1(t, admin, "SELECT pg_create_physical_replication_slot('forgotten', true)")
	// A prepared transaction, rolled back before the database is dropped.
	prep := c.Connect(t, db)
	exec1(t, prep, "BEGIN; INSERT INTO px VALUES (1); PREPARE TRANSACTION 'px_1'")
	rb := c.Connect(t, db)
	t.Cleanup(func() { _, _ = rb.Exec(bg, "ROLLBACK PREPARED 'px_1'") })
	// Idle in transaction holding a lock (in another database, so that the
	// collector's own sections do not wait on it), a session blocked by it,
	// and a long query.
	holder := c.Connect(t, lockdb)
	exec1(t, holder, "BEGIN; LOCK TABLE hot IN ACCESS EXCLUSIVE MODE")
	waiter, sleeper := c.Connect(t, lockdb), c.Connect(t, lockdb)
	waiterPID, sleeperPID, holderPID := pid(t, waiter), pid(t, sleeper), pid(t, holder)
	done := make(chan error, 2)
	go func() { _, err := waiter.Exec(bg, "SELECT count(*) FROM hot"); done <- err }()
	go func() { _, err := sleeper.Exec(bg, "SELECT pg_sleep(120)"); done <- err }()
	t.Cleanup(func() {
		_, _ = admin.Exec(bg, fmt.Sprintf("SELECT pg_cancel_backend(%d)", sleeperPID))
		_, _ = holder.Exec(bg, "ROLLBACK")
		<-done
		<-done
	})
	// Requested checkpoints: ten CHECKPOINT commands against no timed one.
	for i := 0; i < 10; i++ {
		exec1(t, admin, "CHECKPOINT")
	}
	// A WAL segment for the failing archiver.
	exec1(t, admin, "SELECT pg_switch_wal()")

	// The first check records the deadlock counters; then a deadlock.
	st := NewState("provoked")
	cfgText := `
idle_in_transaction_seconds: {warning: 1s}
long_query_seconds: {warning: 1s}
long_transaction_seconds: {warning: 1s}
blocked_backends: {warning: 1s}
prepared_xacts: {warning: 1s}
connections: {warning: 5%}
unmaintained_tables: {warning: 100}
bloat: {warning: 1kB}
cache_hit_ratio: {warning: 100, min_blocks: 1}
disk_usage: {warning: 0.001}
`
	cfg := mustConfig(t, cfgText)
	first := Evaluate(collect(t, c, db, true), cfg, Options{Bloat: true, State: st})
	if r := ruleResult(t, first, "deadlocks"); r.Level != OK {
		t.Errorf("first check, deadlocks: %+v", r.Findings)
	}
	a, b := c.Connect(t, db), c.Connect(t, db)
	aPID := pid(t, a)
	exec1(t, a, "BEGIN; UPDATE r SET v = 1 WHERE id = 1")
	exec1(t, b, "BEGIN; UPDATE r SET v = 1 WHERE id = 2")
	errA := make(chan error, 1)
	go func() { _, err := a.Exec(bg, "UPDATE r SET v = 2 WHERE id = 2"); errA <- err }()
	pgsandbox.WaitFor(t, admin, fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %d AND wait_event_type = 'Lock')", aPID))
	_, errB := b.Exec(bg, "UPDATE r SET v = 2 WHERE id = 1")
	// Exactly one of the two is chosen as the deadlock victim.
	if eA := <-errA; (eA == nil) == (errB == nil) {
		t.Fatalf("want one deadlock victim: %v / %v", eA, errB)
	}
	for _, s := range []*pgx.Conn{a, b} {
		_, _ = s.Exec(bg, "ROLLBACK")
		exec1(t, s, "SELECT pg_stat_force_next_flush()")
	}
	pgsandbox.WaitFor(t, admin, "SELECT deadlocks > 0 FROM pg_stat_database WHERE datname = '"+db+"'")
	// Each timed state 2 s old, the archiver failed once, the rows counted.
	pgsandbox.WaitFor(t, admin, fmt.Sprintf(`SELECT count(*) = 3 FROM pg_stat_activity WHERE pid IN (%d, %d, %d)
		AND now() - state_change > interval '2s'`, waiterPID, sleeperPID, holderPID))
	pgsandbox.WaitFor(t, admin, "SELECT bool_and(now() - prepared > interval '2s') FROM pg_prepared_xacts")
	pgsandbox.WaitFor(t, admin, "SELECT failed_count > 0 FROM pg_stat_archiver")
	pgsandbox.WaitFor(t, c.Connect(t, db), "SELECT n_live_tup = 1000 FROM pg_stat_user_tables WHERE relname = 'never'")

	rep := collect(t, c, db, true)
	o := Evaluate(rep, cfg, Options{Bloat: true, State: st})
	want := map[string][]string{
		"sequences":                   {"WARNING " + db + ".public.near_max"},
		"invalid_indexes":             {"WARNING " + db + ".public.dup_x"},
		"inactive_slots":              {"WARNING slot forgotten"},
		"prepared_xacts":              {`WARNING gid "px_1"`},
		"idle_in_transaction_seconds": {fmt.Sprintf("WARNING pid %d", holderPID)},
		"long_query_seconds":          {fmt.Sprintf("WARNING pid %d", sleeperPID)},
		"blocked_backends":            {fmt.Sprintf("WARNING pid %d", waiterPID)},
		"deadlocks":                   {"WARNING " + db},
		"archive_failing":             {"WARNING archiver"},
		"checkpoint_pressure":         {"CRITICAL cluster"},
		"connections":                 {"WARNING cluster"},
		"unmaintained_tables":         {"WARNING " + db + ".public.never"},
		"bloat":                       {"WARNING " + db + ".public.bloated"},
		"cache_hit_ratio":             {"WARNING " + db},
		"disk_usage":                  {"WARNING tablespace pg_default"},
	}
	var text bytes.Buffer
	_ = WriteText(&text, o)
	for name, objs := range want {
		r := ruleResult(t, o, name)
		var g []string
		for _, f := range r.Findings {
			g = append(g, f.Level.String()+" "+f.Object)
		}
		for _, w := range objs {
			if !slices.Contains(g, w) {
				t.Errorf("%s: findings %q, want %q", name, g, w)
			}
		}
	}
	// The long transactions: the holder, the waiter, the sleeper.
	lt := ruleResult(t, o, "long_transaction_seconds")
	if len(lt.Findings) < 3 {
		t.Errorf("long_transaction_seconds: %+v", lt.Findings)
	}
	if bl := ruleResult(t, o, "blocked_backends"); len(bl.Findings) != 1 || !strings.Contains(bl.Findings[0].Detail, fmt.Sprintf("blocked by pid %d", holderPID)) {
		t.Errorf("blocked_backends: %+v", bl.Findings)
	}
	if u := o.Count(Unknown); u != 0 {
		t.Errorf("%d UNKNOWN findings", u)
	}
	if t.Failed() {
		t.Logf("check output:\n%s", text.String())
	}
}

// Replication lag provoked for real (Debian's PostgreSQL): a streaming
// standby whose replay is paused
// while the primary writes. The primary sees the standby behind in bytes;
// the standby sees WAL received but not replayed, in bytes and (once a
// replayed transaction is 2 s old) in seconds.
func TestLagProvoked(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	primary, err := pgsandbox.Start(ctx, pgsandbox.Options{})
	if err != nil {
		pgsandbox.SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = primary.Stop() })
	standby := primary.Standby(t, pgsandbox.Options{}) // stopped before the primary (LIFO)
	p, s := primary.Connect(t, "postgres"), standby.Connect(t, "postgres")
	pgsandbox.WaitFor(t, p, "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE state = 'streaming' AND replay_lsn IS NOT NULL)")
	// One transaction replayed, then replay paused, then 1 MB of WAL more.
	exec1(t, p, "CREATE TABLE w (x text)")
	// The sandbox commits asynchronously: wait on the standby for the commit itself.
	pgsandbox.WaitFor(t, s, "SELECT pg_last_xact_replay_timestamp() IS NOT NULL")
	exec1(t, s, "SELECT pg_wal_replay_pause()")
	pgsandbox.WaitFor(t, s, "SELECT pg_get_wal_replay_pause_state() = 'paused'")
	exec1(t, p, "INSERT INTO w SELECT repeat('x', 1000) FROM generate_series(1, 1000)")
	pgsandbox.WaitFor(t, p, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) > 1000000 FROM pg_stat_replication")
	pgsandbox.WaitFor(t, s, "SELECT COALESCE(pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AND now() - pg_last_xact_replay_timestamp() > interval '2s', false)")

	cfg := mustConfig(t, "replication_lag_bytes: {warning: 1MB}\nreplication_lag_seconds: {warning: 1s}\n")
	o := Evaluate(collect(t, primary, "postgres", false), cfg, Options{})
	r := ruleResult(t, o, "replication_lag_bytes")
	if r.Level != Warning || len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Object, "standby ") || r.Findings[0].Value < 1e6 {
		t.Errorf("primary, replication_lag_bytes: %+v", r.Findings)
	}
	o = Evaluate(collect(t, standby, "postgres", false), cfg, Options{})
	for _, name := range []string{"replication_lag_bytes", "replication_lag_seconds"} {
		r := ruleResult(t, o, name)
		if r.Level != Warning || len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Object, "this standby") {
			t.Errorf("standby, %s: %+v", name, r.Findings)
		}
	}
	exec1(t, s, "SELECT pg_wal_replay_resume()")
}
