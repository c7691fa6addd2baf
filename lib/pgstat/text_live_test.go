package pgstat

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/jackc/pgx/v5"
)

// session is one connection of a live scene, named by its application_name.
type session struct {
	app  string
	conn *pgx.Conn
	pid  int
	done chan error // the statement run in the background, if any
}

func openSession(t *testing.T, c *pgsandbox.Cluster, db, app string) *session {
	t.Helper()
	s := &session{app: app, conn: c.Connect(t, db)}
	ctx := context.Background()
	if _, err := s.conn.Exec(ctx, "SET application_name = '"+app+"'"); err != nil {
		t.Fatal(err)
	}
	if err := s.conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&s.pid); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *session) exec(t *testing.T, sql ...string) {
	t.Helper()
	for _, q := range sql {
		if _, err := s.conn.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %s: %v", s.app, q, err)
		}
	}
}

// background runs sql without waiting for it; ctx cancels it.
func (s *session) background(ctx context.Context, sql string) {
	s.done = make(chan error, 1)
	go func() {
		_, err := s.conn.Exec(ctx, sql)
		s.done <- err
	}()
}

// The text report's activity blocks on a real scene (pgmetrics' "Backends",
// "Locks" and "Blocked Queries", reference/pgmetrics.md §1.3): a session idle
// in a transaction holds a row lock and a table lock; one session waits for
// the row (a transactionid lock), another for the table (a relation lock);
// a fourth waits on something other than a lock (pg_sleep). The scene is
// synchronised by polling pg_stat_activity and pg_blocking_pids with a
// deadline; the golden file has pids, times and the database name fixed.
func TestTextActivityLive(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "blocked")
	c.Exec(t, db, "CREATE TABLE accounts (id int PRIMARY KEY, bal int)", "INSERT INTO accounts VALUES (1, 10), (2, 20)",
		"CREATE TABLE audit (note text)")

	holder := openSession(t, c, db, "holder")
	holder.exec(t, "BEGIN", "UPDATE accounts SET bal = bal + 1 WHERE id = 1", "LOCK TABLE audit IN SHARE MODE")
	rowWaiter := openSession(t, c, db, "row-waiter")
	tableWaiter := openSession(t, c, db, "table-waiter")
	sleeper := openSession(t, c, db, "sleeper")
	ctx, cancel := context.WithCancel(context.Background())
	rowWaiter.background(ctx, "UPDATE accounts SET bal = bal - 1 WHERE id = 1")
	tableWaiter.background(ctx, "INSERT INTO audit VALUES ('x')")
	sleeper.background(ctx, "SELECT pg_sleep(600)")
	t.Cleanup(func() {
		cancel() // the waiters and the sleeper stop, then the holder lets go
		for _, s := range []*session{rowWaiter, tableWaiter, sleeper} {
			<-s.done
		}
		_, _ = holder.conn.Exec(context.Background(), "ROLLBACK")
	})
	pgsandbox.WaitFor(t, c.Connect(t, "postgres"), fmt.Sprintf(`SELECT
		(SELECT count(*) FROM pg_stat_activity WHERE pid IN (%d, %d) AND wait_event_type = 'Lock'
			AND pg_blocking_pids(pid) = ARRAY[%d]) = 2
		AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %d AND wait_event = 'PgSleep')
		AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %d AND state = 'idle in transaction')`,
		rowWaiter.pid, tableWaiter.pid, holder.pid, sleeper.pid, holder.pid))

	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db)})
	if err != nil {
		t.Fatalf("Collect: %v (errors %+v)", err, rep.Meta.Errors)
	}
	steady(rep, db, map[int]int{holder.pid: 101, rowWaiter.pid: 102, tableWaiter.pid: 103, sleeper.pid: 104})
	var b strings.Builder
	if err := WriteText(&b, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	testutil.Golden(t, "testdata/activity-live.txt.golden", []byte(blocks(text, "Waiting and idle in transaction", "Blocked queries")))

	// Locks by type and mode: the two waits, and the table lock held.
	for _, re := range []string{`\n  transactionid\s+ShareLock\s+0\s+1\n`, `\n  relation\s+RowExclusiveLock\s+[1-9]\d*\s+1\n`,
		`\n  relation\s+ShareLock\s+1\s+0\n`, `\nLocks: [1-9]\d* held, 2 waiting\n`} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("locks block lacks %s:\n%s", re, blocks(text, "Locks:"))
		}
	}
}

// steady fixes what changes between runs: pids (to the numbers in pids),
// times (5 s before the collection) and the database name ("shop").
func steady(r *Report, db string, pids map[int]int) {
	pid := func(p int) int {
		if n, ok := pids[p]; ok {
			return n
		}
		return p
	}
	r.Meta.At = 1_800_000_000
	when := func(ts *int64) {
		if *ts > 0 {
			*ts = r.Meta.At - 5
		}
	}
	name := func(s *string) {
		if *s == db {
			*s = "shop"
		}
	}
	for _, list := range [][]Backend{r.Backends, r.OtherProcesses} {
		for i := range list {
			b := &list[i]
			b.PID = pid(b.PID)
			name(&b.DBName)
			when(&b.QueryStart)
			when(&b.StateChange)
			when(&b.XactStart)
			when(&b.BackendStart)
		}
	}
	for i := range r.Locks {
		l := &r.Locks[i]
		l.PID = pid(l.PID)
		name(&l.DBName)
		when(&l.WaitStart)
	}
	for i := range r.Tables {
		name(&r.Tables[i].DBName)
	}
	for i := range r.Indexes {
		name(&r.Indexes[i].DBName)
	}
	by := map[int][]int{}
	for waiter, holders := range r.BlockingPIDs {
		for _, h := range holders {
			by[pid(waiter)] = append(by[pid(waiter)], pid(h))
		}
	}
	r.BlockingPIDs = by
}

// blocks cuts the text report's blocks whose first lines start with one of
// titles (each block runs to the next blank line).
func blocks(text string, titles ...string) string {
	var out []string
	for _, blk := range strings.Split(text, "\n\n") {
		for _, title := range titles {
			if strings.HasPrefix(blk, title) {
				out = append(out, strings.TrimSuffix(blk, "\n"))
			}
		}
	}
	return strings.Join(out, "\n\n") + "\n"
}

// A standby whose replay is paused while WAL keeps arriving: the text
// report shows the replay lag in bytes (pgmetrics' "Recovery Status"), the
// same number as the server's own pg_wal_lsn_diff on the report's LSNs.
func TestTextStandbyReplayLagLive(t *testing.T) {
	primary := pgsandbox.Get(t)
	standby := primary.Standby(t, pgsandbox.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pconn, sconn := primary.Connect(t, "postgres"), standby.Connect(t, "postgres")
	pgsandbox.WaitFor(t, pconn, "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE state = 'streaming')")
	if _, err := sconn.Exec(ctx, "SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatal(err)
	}
	pgsandbox.WaitFor(t, sconn, "SELECT pg_get_wal_replay_pause_state() = 'paused'")
	db := primary.CreateDB(t, "lag")
	primary.Exec(t, db, "CREATE TABLE w (id int, pad text)", "INSERT INTO w SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g")
	var target string
	if err := pconn.QueryRow(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&target); err != nil {
		t.Fatal(err)
	}
	pgsandbox.WaitFor(t, sconn, "SELECT pg_last_wal_receive_lsn() >= '"+target+"'::pg_lsn")

	rep, err := collect(t, Options{Conn: connOpts(standby, "postgres", "postgres")})
	if err != nil {
		t.Fatalf("standby: %v %+v", err, rep.Meta.Errors)
	}
	var want int64
	if err := sconn.QueryRow(ctx, "SELECT pg_wal_lsn_diff($1, $2)::bigint", rep.LastWALReceiveLSN, rep.LastWALReplayLSN).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if want < 5000*200 {
		t.Fatalf("replay lag %d bytes: the standby replayed the inserts (pause not in effect?)", want)
	}
	var b strings.Builder
	if err := WriteText(&b, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("WAL received/replayed:  %s / %s (replay %s behind)\n", rep.LastWALReceiveLSN, rep.LastWALReplayLSN, bytesIEC(want))
	if !strings.Contains(b.String(), line) || !strings.Contains(b.String(), "standby (in recovery), replay paused") {
		t.Errorf("text lacks %q and the paused role:\n%s", line, blocks(b.String(), "Server"))
	}
}

// After a CHECKPOINT that writes dirty buffers, the text report's rates are
// read from the real pg_stat_bgwriter (pg_stat_checkpointer on 17+): some
// checkpoints are requested, and checkpoints wrote something per second.
func TestTextServerRatesLive(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "rates")
	c.Exec(t, db, "CREATE TABLE w (id int)", "INSERT INTO w SELECT generate_series(1, 10000)", "CHECKPOINT")
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db)})
	if err != nil {
		t.Fatalf("Collect: %v (errors %+v)", err, rep.Meta.Errors)
	}
	var b strings.Builder
	if err := WriteText(&b, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	server := blocks(b.String(), "Server", "Settings")
	for _, re := range []string{`\n  Checkpoint rate:\s+\d+\.\d\d per hour, [1-9]\d*% requested, since \d{4}-`,
		`\n  Write rate:\s+[\d.]+ \S+/s: checkpoints [1-9][\d.]* \S+/s, bgwriter `,
		`\n  Memory:\s+max_connections=\d+\*?, shared_buffers=[\d.]+ MiB\*?, `, `\n  Autovacuum:\s+autovacuum=on, `} {
		if !regexp.MustCompile(re).MatchString(server) {
			t.Errorf("server blocks lack %s:\n%s", re, server)
		}
	}
}

// pg_stat_statements is cluster-wide: the text report shows each
// database's slow queries under its own name, read through the one
// database that has the extension. Each query sleeps 50 ms to rank
// among its database's slowest (above pgreport's own).
func TestTextSlowQueriesPerDBLive(t *testing.T) {
	c := pgsandbox.Get(t)
	a, b := c.CreateDB(t, "pssa"), c.CreateDB(t, "pssb")
	c.Exec(t, a, "CREATE EXTENSION pg_stat_statements", "CREATE TABLE in_a (x int)", "SELECT pg_sleep(0.05), count(*) FROM in_a WHERE x > 41")
	c.Exec(t, b, "CREATE TABLE in_b (y int)", "SELECT pg_sleep(0.05), count(*) FROM in_b WHERE y < 43")
	// The cluster is shared: other tests' statements may be slower than
	// these, so take them all (the text still shows 10 per database).
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", a), StatementsLimit: 5000})
	if err != nil {
		t.Fatalf("Collect: %v (errors %+v)", err, rep.Meta.Errors)
	}
	var out strings.Builder
	if err := WriteText(&out, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	slow := blocks(out.String(), "Slow queries")
	// Each query under its database's heading (the next heading or the end closes it).
	for db, query := range map[string]string{a: "SELECT pg_sleep($1), count(*) FROM in_a WHERE x > $2", b: "SELECT pg_sleep($1), count(*) FROM in_b WHERE y < $2"} {
		re := `(?s)\n  ` + regexp.QuoteMeta(db) + ` \(\d+[^)]*\)\n(    [^\n]*\n)*?    [^\n]*` + regexp.QuoteMeta(query) + `\n`
		if !regexp.MustCompile(re).MatchString(slow) {
			t.Errorf("%q is not under %s:\n%s", query, db, slow)
		}
	}
}

// --tables on a real table: its block has the size, rows, bloat, the
// manual vacuum and analyze, the scans and its index.
func TestTextTablesLive(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "tables")
	// The changes' counters are flushed before VACUUM ANALYZE sets the live
	// rows (else they are added to its count afterwards).
	c.Exec(t, db, "CREATE TABLE t (id int PRIMARY KEY, pad text)", "INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(1, 1000) g",
		"DELETE FROM t WHERE id > 900", "SELECT pg_stat_force_next_flush()")
	c.Exec(t, db, "VACUUM ANALYZE t", "SELECT pad FROM t WHERE id = 7", "SELECT pg_stat_force_next_flush()")
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db), Bloat: true})
	if err != nil {
		t.Fatalf("Collect: %v (errors %+v)", err, rep.Meta.Errors)
	}
	var b strings.Builder
	if err := WriteText(&b, rep, TextOptions{Tables: true}); err != nil {
		t.Fatal(err)
	}
	block := blocks(b.String(), "Table #")
	for _, re := range []string{`^Table #1 in "` + regexp.QuoteMeta(db) + `": public\.t\n`,
		`\n  Size:\s+[1-9][\d.]* KiB, bloat [\d.]+ (B|KiB) \(`,
		`\n  Rows:\s+900 live, 0 dead \(0\.0%\), 0 modified since analyze, 0 inserted since vacuum\n`,
		`\n  Changes:\s+1000 inserted, 0 updated \(- HOT\), 100 deleted\n`,
		`\n  Vacuum:\s+manual 1, last \d+s ago; auto `, `\n  Analyze:\s+manual 1, last \d+s ago; auto `,
		`\n  Scans:\s+\d+ sequential \([-\d.]+ rows each\), [1-9]\d* index \([\d.]+ rows each\)\n`,
		`\n  Indexes \(1\)\n    index\s+type.*\n    t_pkey\s+btree\s+[\d.]+ KiB\s+`} {
		if !regexp.MustCompile(re).MatchString(block) {
			t.Errorf("table block lacks %s:\n%s", re, block)
		}
	}
	var plain strings.Builder
	if err := WriteText(&plain, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\nTable #") {
		t.Error("table blocks without Tables")
	}
}
