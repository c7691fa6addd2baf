package pgstat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(pgsandbox.Main(m)) }

func connOpts(c *pgsandbox.Cluster, user, db string) ConnOptions {
	return ConnOptions{Host: c.Host, Port: strconv.Itoa(c.Port), User: user, DBName: db, AppName: "pgreport/test"}
}

func collect(t *testing.T, o Options) (*Report, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return Collect(ctx, o)
}

// scenario builds a database with what an operator must be warned about.
func scenario(t *testing.T, c *pgsandbox.Cluster) string {
	t.Helper()
	db := c.CreateDB(t, "shop")
	c.Exec(t, db,
		"CREATE EXTENSION pg_stat_statements",
		"CREATE TABLE orders (id bigserial PRIMARY KEY, note text, qty int) WITH (autovacuum_enabled = off)",
		"INSERT INTO orders (note, qty) SELECT 'n' || g, g FROM generate_series(1, 20000) g",
		"CREATE INDEX orders_note_idx ON orders (note)", // never scanned: unused
		"DELETE FROM orders WHERE id > 5000",            // 15000 dead rows, no vacuum
		"CREATE SEQUENCE small_seq MAXVALUE 100",
		"SELECT setval('small_seq', 90)", // 89% of its range
		"CREATE FUNCTION add1(int) RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN $1 + 1; END'",
		"SELECT add1(qty) FROM orders LIMIT 3",
		"CREATE TABLE t_trig (id int)",
		"CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
		"CREATE TRIGGER t_trig_noop BEFORE INSERT ON t_trig FOR EACH ROW EXECUTE FUNCTION noop()",
		"ALTER TABLE t_trig DISABLE TRIGGER t_trig_noop",
		"CREATE PUBLICATION pub_orders FOR TABLE orders",
		"ANALYZE",
		// PG15 flushes statistics lazily: force it so the test sees the counts.
		"SELECT pg_stat_force_next_flush()",
	)
	return db
}

func TestCollectScenario(t *testing.T) {
	c := pgsandbox.Get(t)
	db := scenario(t, c)
	ctx := context.Background()

	// A long transaction and a blocked lock, in another database so that
	// this database's sections do not wait on the lock.
	lockdb := c.CreateDB(t, "lockdb")
	c.Exec(t, lockdb, "CREATE TABLE hot (id int)")
	long := c.Connect(t, db)
	if _, err := long.Exec(ctx, "BEGIN; SELECT txid_current()"); err != nil {
		t.Fatal(err)
	}
	holder := c.Connect(t, lockdb)
	if _, err := holder.Exec(ctx, "BEGIN; LOCK TABLE hot IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	waiter := c.Connect(t, lockdb)
	var waiterPID, holderPID int
	_ = waiter.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&waiterPID)
	_ = holder.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&holderPID)
	waitDone := make(chan error, 1)
	go func() {
		_, err := waiter.Exec(context.Background(), "SELECT count(*) FROM hot")
		waitDone <- err
	}()
	pgsandbox.WaitFor(t, c.Connect(t, "postgres"), fmt.Sprintf(
		"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %d AND wait_event_type = 'Lock')", waiterPID))
	t.Cleanup(func() {
		_, _ = holder.Exec(context.Background(), "ROLLBACK")
		<-waitDone
		_, _ = long.Exec(context.Background(), "ROLLBACK")
	})

	var log bytes.Buffer
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db), Bloat: true, UserAgent: "pgreport/test",
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatalf("Collect: %v (errors %+v)", err, rep.Meta.Errors)
	}
	// Every section that ran is one --section-timeout accepts.
	ran := 0
	for _, line := range strings.Split(log.String(), "\n") {
		if _, rest, ok := strings.Cut(line, "msg=\"section done\" section="); ok {
			ran++
			if name, _, _ := strings.Cut(rest, " "); !slices.Contains(Sections, name) {
				t.Errorf("section %q is not in Sections", name)
			}
		}
	}
	if ran < 25 {
		t.Errorf("%d sections logged, want every one:\n%s", ran, log.String())
	}
	if len(rep.Meta.Errors) != 0 {
		t.Fatalf("section errors: %+v", rep.Meta.Errors)
	}
	if rep.Meta.Version != "1.20" || rep.Meta.PgreportSchema != SchemaVersion || !rep.Meta.Local {
		t.Errorf("meta = %+v", rep.Meta)
	}
	if got := rep.Meta.CollectedDBs; len(got) != 1 || got[0] != db {
		t.Errorf("collected_dbs = %v", got)
	}
	tab := map[string]Table{}
	for _, x := range rep.Tables {
		tab[x.Name] = x
	}
	orders, ok := tab["orders"]
	if !ok {
		t.Fatalf("no orders table in %+v", rep.Tables)
	}
	// n_live_tup mixes ANALYZE's estimate with counters flushed after it: only dead rows are exact.
	if orders.NDeadTup != 15000 {
		t.Errorf("orders live/dead = %d/%d, want 15000 dead", orders.NLiveTup, orders.NDeadTup)
	}
	// 15000 of 20000 rows deleted and not vacuumed: the estimate sees wasted pages.
	if orders.Size <= 0 || orders.Bloat <= 0 || orders.AgeRelFrozenXid <= 0 || orders.DBName != db {
		t.Errorf("orders = %+v", orders)
	}
	idx := map[string]Index{}
	for _, x := range rep.Indexes {
		idx[x.Name] = x
	}
	if x := idx["orders_note_idx"]; x.IdxScan != 0 || x.Size <= 0 || !strings.Contains(x.Definition, "USING btree (note)") || x.IsUnique {
		t.Errorf("orders_note_idx = %+v", x)
	}
	if x := idx["orders_pkey"]; !x.IsPrimary || !x.IsUnique {
		t.Errorf("orders_pkey = %+v", x)
	}
	var small Sequence
	for _, s := range rep.Sequences {
		if s.Name == "small_seq" {
			small = s
		}
	}
	if small.LastValue != 90 || small.MaxValue != 100 || small.UsedPct < 89 || small.UsedPct > 91 {
		t.Errorf("small_seq = %+v", small)
	}
	if len(rep.Statements) == 0 || rep.Statements[0].QueryIDStr == "" {
		t.Errorf("no pg_stat_statements rows")
	}
	for _, s := range rep.Statements {
		if s.QueryIDStr != strconv.FormatInt(s.QueryID, 10) {
			t.Errorf("queryid %d vs string %q", s.QueryID, s.QueryIDStr)
		}
		if len(s.Query) > 500 {
			t.Errorf("query not truncated: %d bytes", len(s.Query))
		}
	}
	if len(rep.UserFunctions) != 1 || rep.UserFunctions[0].Name != "add1" || rep.UserFunctions[0].Calls != 3 {
		t.Errorf("user_functions = %+v", rep.UserFunctions)
	}
	if len(rep.DisabledTriggers) != 1 || rep.DisabledTriggers[0].Name != "t_trig_noop" {
		t.Errorf("disabled_triggers = %+v", rep.DisabledTriggers)
	}
	if len(rep.Publications) != 1 || rep.Publications[0].TableCount != 1 {
		t.Errorf("publications = %+v", rep.Publications)
	}
	if by := rep.BlockingPIDs[waiterPID]; len(by) != 1 || by[0] != holderPID {
		t.Errorf("blocking_pids = %v, want %d blocked by %d", rep.BlockingPIDs, waiterPID, holderPID)
	}
	waiting := false
	for _, l := range rep.Locks {
		if l.PID == waiterPID && !l.Granted && l.LockType == "relation" {
			waiting = true
		}
	}
	if !waiting {
		t.Errorf("no ungranted lock for pid %d", waiterPID)
	}
	if rep.WALCount < 1 || rep.SystemIdentifier == "" || rep.CheckpointLSN == "" || len(rep.Settings) < 300 {
		t.Errorf("server data: wal_count %d, sysid %q, checkpoint %q, %d settings", rep.WALCount, rep.SystemIdentifier, rep.CheckpointLSN, len(rep.Settings))
	}
	if s := rep.Settings["shared_preload_libraries"]; s.Setting != "pg_stat_statements" || s.Source == "" {
		t.Errorf("settings[shared_preload_libraries] = %+v", s)
	}
	if rep.System == nil || rep.System.NumCores < 1 {
		t.Errorf("system = %+v", rep.System)
	}
	// Backends with their waits, the statements ranked, databases, tablespaces, bgwriter.
	for _, b := range rep.Backends {
		if b.PID == waiterPID && (b.WaitEventType != "Lock" || b.State != "active") {
			t.Errorf("waiting backend = %+v", b)
		}
	}
	for i := 1; i < len(rep.Statements); i++ {
		if rep.Statements[i].TotalTime > rep.Statements[i-1].TotalTime {
			t.Errorf("statements not ordered by total time at %d", i)
		}
	}
	var shop *Database
	for i := range rep.Databases {
		if rep.Databases[i].Name == db {
			shop = &rep.Databases[i]
		}
	}
	if shop == nil || shop.Size <= 0 || shop.AgeDatFrozenXid <= 0 || shop.XactCommit <= 0 || shop.AgeDatMinMxid < 0 {
		t.Errorf("database %s = %+v", db, shop)
	}
	var dflt *Tablespace
	for i := range rep.Tablespaces {
		if rep.Tablespaces[i].Name == "pg_default" {
			dflt = &rep.Tablespaces[i]
		}
	}
	if dflt == nil || dflt.Size <= 0 || dflt.DiskTotal <= 0 || dflt.Location == "" {
		t.Errorf("pg_default tablespace = %+v", dflt)
	}
	if rep.BGWriter.BuffersAlloc <= 0 || rep.StartTime <= 0 || rep.FullVersion == "" {
		t.Errorf("bgwriter %+v, start %d, version %q", rep.BGWriter, rep.StartTime, rep.FullVersion)
	}

	// The text report calls each problem out.
	warn := strings.Join(Warnings(rep, TextOptions{LongXact: time.Nanosecond}), "\n")
	for _, want := range []string{
		"sequence " + db + ".public.small_seq is 89.9% used",
		"table " + db + ".public.orders has 15000 dead rows",
		"1 unused indexes",
		fmt.Sprintf("blocked: pid %d waits for a lock held by pid %d", waiterPID, holderPID),
		"long transaction: pid",
	} {
		if !strings.Contains(warn, want) {
			t.Errorf("warnings lack %q:\n%s", want, warn)
		}
	}
}

// One section that times out costs only itself: the rest arrives and the
// error says which section and why (SQLSTATE 57014). A lock timeout on the
// other hand is survived: sizes come from pg_class and the gap is listed.
func TestStatementTimeoutCostsOneSection(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "slow")
	// "locked" has no index, so only the tables section needs its lock.
	c.Exec(t, db, "CREATE TABLE locked (id int)", "CREATE TABLE other (id int PRIMARY KEY)", "CREATE SEQUENCE s1",
		"INSERT INTO locked SELECT generate_series(1, 1000)", "VACUUM locked", "SELECT pg_stat_force_next_flush()")
	holder := c.Connect(t, db)
	ctx := context.Background()
	if _, err := holder.Exec(ctx, "BEGIN; LOCK TABLE locked IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = holder.Exec(context.Background(), "ROLLBACK") })
	// Exact sizes need each table's lock where they come from pg_table_size:
	// for a user who may not read the server's files (a superuser sums the
	// files without a lock: TestFileSizes).
	mon := "slowmon_" + strconv.Itoa(os.Getpid())
	c.Exec(t, "postgres", "CREATE ROLE "+mon+" LOGIN IN ROLE pg_monitor")
	t.Cleanup(func() { c.Exec(t, "postgres", "DROP ROLE "+mon) })

	check := func(t *testing.T, rep *Report) {
		t.Helper()
		if len(rep.Sequences) != 1 || len(rep.Indexes) != 1 || len(rep.Databases) == 0 || len(rep.Settings) == 0 || len(rep.Roles) == 0 {
			t.Errorf("other sections lost: %d sequences, %d indexes, %d databases", len(rep.Sequences), len(rep.Indexes), len(rep.Databases))
		}
	}
	t.Run("statement timeout", func(t *testing.T) {
		// pg_table_size waits for the lock; the section's own statement
		// timeout fires first (57014). Issue 19: the rows are kept, sizes
		// estimated from relpages, and the gap says so, rather than an
		// empty tables[].
		o := Options{Conn: connOpts(c, mon, db), ExactSizes: true,
			SectionTimeouts: map[string]time.Duration{"tables": 200 * time.Millisecond}}
		o.Conn.LockTimeout = 10 * time.Second
		start := time.Now()
		rep, err := collect(t, o)
		if err != nil {
			t.Fatalf("err = %v (%+v), want the estimate fallback to succeed", err, rep.Meta.Errors)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("collection took %s: the section timeout did not bound it", el)
		}
		if g := strings.Join(rep.Meta.Gaps, "\n"); !strings.Contains(g, "tables@"+db) || !strings.Contains(g, "statement timeout") || !strings.Contains(g, "estimated") {
			t.Errorf("gaps = %v, want the tables fallback listed with its cause", rep.Meta.Gaps)
		}
		var names []string
		for _, tb := range rep.Tables {
			names = append(names, tb.Name)
			if tb.Name == "locked" && tb.Size != 5*8192 {
				t.Errorf("locked size = %d, want the relpages estimate (5 pages)", tb.Size)
			}
		}
		if len(names) != 2 {
			t.Errorf("tables = %v, want locked and other kept", names)
		}
		check(t, rep)
	})
	t.Run("cancelled run is not re-run", func(t *testing.T) {
		o := Options{Conn: connOpts(c, mon, db), ExactSizes: true}
		o.Conn.LockTimeout = 10 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := Collect(ctx, o)
		if err == nil {
			t.Fatal("a run cancelled while a table is locked succeeded")
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("cancelled run took %s", el)
		}
	})
	t.Run("estimated sizes take no lock", func(t *testing.T) {
		o := Options{Conn: connOpts(c, "postgres", db)}
		o.Conn.LockTimeout = 10 * time.Second
		rep, err := collect(t, o)
		if err != nil || len(rep.Meta.Gaps) != 0 {
			t.Fatalf("err = %v, gaps %v", err, rep.Meta.Gaps)
		}
		for _, tb := range rep.Tables {
			if tb.Name == "locked" && tb.Size != 5*8192 { // 1000 ints: 5 heap pages after VACUUM
				t.Errorf("locked size = %d, want 5 pages", tb.Size)
			}
		}
		check(t, rep)
	})
	t.Run("lock timeout", func(t *testing.T) {
		o := Options{Conn: connOpts(c, mon, db), ExactSizes: true}
		o.Conn.LockTimeout = 50 * time.Millisecond // pgmetrics' default
		rep, err := collect(t, o)
		if err != nil {
			t.Fatalf("err = %v (%+v), want the fallback to succeed", err, rep.Meta.Errors)
		}
		if g := strings.Join(rep.Meta.Gaps, "\n"); !strings.Contains(g, "tables@"+db) || !strings.Contains(g, "lock timeout") {
			t.Errorf("gaps = %v, want the tables fallback listed", rep.Meta.Gaps)
		}
		var locked *Table
		for i := range rep.Tables {
			if rep.Tables[i].Name == "locked" {
				locked = &rep.Tables[i]
			}
		}
		if locked == nil || locked.Size <= 0 {
			t.Errorf("locked table = %+v, want a relpages size estimate", locked)
		}
		check(t, rep)
	})
}

// A pg_monitor member gets everything; a plain role gets what it may see,
// the gaps are listed and nothing fails.
func TestLeastPrivilege(t *testing.T) {
	c := pgsandbox.Get(t)
	db := scenario(t, c)
	suffix := strconv.Itoa(os.Getpid())
	mon, plain := "mon_"+suffix, "plain_"+suffix
	c.Exec(t, "postgres", "CREATE ROLE "+mon+" LOGIN IN ROLE pg_monitor", "CREATE ROLE "+plain+" LOGIN")
	t.Cleanup(func() {
		c.Exec(t, "postgres", "DROP OWNED BY "+mon+", "+plain, "DROP ROLE "+mon, "DROP ROLE "+plain)
	})
	for _, tc := range []struct {
		user    string
		monitor bool
	}{{mon, true}, {plain, false}} {
		t.Run(tc.user[:strings.IndexByte(tc.user, '_')], func(t *testing.T) {
			rep, err := collect(t, Options{Conn: connOpts(c, tc.user, db)})
			if err != nil {
				t.Fatalf("Collect as %s: %v %+v", tc.user, err, rep.Meta.Errors)
			}
			if rep.Meta.User != tc.user {
				t.Errorf("meta.user = %q", rep.Meta.User)
			}
			if len(rep.Tables) == 0 || len(rep.Indexes) == 0 || len(rep.Databases) == 0 {
				t.Errorf("objects missing: %d tables %d indexes %d databases", len(rep.Tables), len(rep.Indexes), len(rep.Databases))
			}
			for _, r := range rep.Roles {
				if r.Name == tc.user && tc.monitor != slices.Contains(r.MemberOf, "pg_monitor") {
					t.Errorf("role %s memberof = %v", r.Name, r.MemberOf)
				}
			}
			if tc.monitor {
				if rep.WALCount < 1 || rep.SystemIdentifier == "" || len(rep.Meta.Gaps) != 0 {
					t.Errorf("pg_monitor: wal_count %d sysid %q gaps %v", rep.WALCount, rep.SystemIdentifier, rep.Meta.Gaps)
				}
				return
			}
			if rep.WALCount != -1 {
				t.Errorf("plain role: wal_count = %d, want -1 (not collected)", rep.WALCount)
			}
			if !strings.Contains(strings.Join(rep.Meta.Gaps, "\n"), "wal_files") {
				t.Errorf("plain role: gaps = %v, want wal_files listed", rep.Meta.Gaps)
			}
			// Other roles' query texts are hidden by PostgreSQL itself.
			for _, b := range rep.Backends {
				if b.RoleName == "postgres" && b.BackendType == "client backend" && b.Query != "<insufficient privilege>" {
					t.Errorf("plain role sees another role's query: %q", b.Query)
				}
			}
		})
	}
}

// The statement count does not grow with the number of tables.
func TestStatementCountConstant(t *testing.T) {
	c := pgsandbox.Get(t)
	count := func(tables int) int {
		db := c.CreateDB(t, "count")
		c.Exec(t, db, fmt.Sprintf(`DO $$ BEGIN FOR i IN 1..%d LOOP
			EXECUTE format('CREATE TABLE t%%s (id serial PRIMARY KEY, v text)', i);
			EXECUTE format('CREATE INDEX ON t%%s (v)', i);
		END LOOP; END $$`, tables))
		rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db), Bloat: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Tables) != tables || len(rep.Sequences) != tables || len(rep.Indexes) != 2*tables {
			t.Fatalf("%d tables: got %d tables %d sequences %d indexes", tables, len(rep.Tables), len(rep.Sequences), len(rep.Indexes))
		}
		return rep.Meta.Statements
	}
	few, many := count(3), count(120)
	if few != many || few == 0 {
		t.Fatalf("statements: %d for 3 tables, %d for 120", few, many)
	}
}

// A streaming standby: the primary reports it as outgoing, the standby
// reports itself in recovery with incoming replication, without errors.
func TestReplication(t *testing.T) {
	primary := pgsandbox.Get(t)
	standby := primary.Standby(t, pgsandbox.Options{})
	pgsandbox.WaitFor(t, primary.Connect(t, "postgres"), "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE state = 'streaming' AND replay_lsn IS NOT NULL)")

	p, err := collect(t, Options{Conn: connOpts(primary, "postgres", "postgres")})
	if err != nil {
		t.Fatalf("primary: %v %+v", err, p.Meta.Errors)
	}
	if len(p.ReplicationOutgoing) != 1 || p.ReplicationOutgoing[0].State != "streaming" || p.ReplicationOutgoing[0].ReplayLSN == "" {
		t.Errorf("replication_outgoing = %+v", p.ReplicationOutgoing)
	}
	s, err := collect(t, Options{Conn: connOpts(standby, "postgres", "postgres")})
	if err != nil {
		t.Fatalf("standby: %v %+v", err, s.Meta.Errors)
	}
	if !s.IsInRecovery || s.WALLSN != "" || s.LastWALReplayLSN == "" {
		t.Errorf("standby: in recovery %v, wal_lsn %q, replay %q", s.IsInRecovery, s.WALLSN, s.LastWALReplayLSN)
	}
	if s.ReplicationIncoming == nil || s.ReplicationIncoming.Status != "streaming" || s.ReplicationIncoming.SenderPort != primary.Port {
		t.Errorf("replication_incoming = %+v", s.ReplicationIncoming)
	}
	if s.SystemIdentifier != p.SystemIdentifier {
		t.Errorf("system identifiers differ: %s vs %s", s.SystemIdentifier, p.SystemIdentifier)
	}

	// Fail-over strings: several hosts and target_session_attrs pick the
	// right server whatever the order; a host that is down is skipped.
	down := t.TempDir() // a socket directory nobody listens in
	for _, tc := range []struct {
		hosts, ports, attrs string
		recovery            bool
	}{
		{standby.Host + "," + primary.Host, fmt.Sprintf("%d,%d", standby.Port, primary.Port), "read-write", false},
		{primary.Host + "," + standby.Host, fmt.Sprintf("%d,%d", primary.Port, standby.Port), "standby", true},
		{down + "," + standby.Host, fmt.Sprintf("5999,%d", standby.Port), "any", true},
	} {
		t.Run("target_session_attrs="+tc.attrs, func(t *testing.T) {
			o := ConnOptions{Host: tc.hosts, Port: tc.ports, User: "postgres", DBName: "postgres",
				DSN: "target_session_attrs=" + tc.attrs}
			rep, err := collect(t, Options{Conn: o})
			if err != nil {
				t.Fatal(err)
			}
			if rep.IsInRecovery != tc.recovery {
				t.Errorf("is_in_recovery = %v, want %v", rep.IsInRecovery, tc.recovery)
			}
			// The report gives the server's value (TestSettingsAreTheServers)...
			if s := rep.Settings["default_transaction_read_only"]; s.Setting != "off" {
				t.Errorf("default_transaction_read_only = %+v, want the server's off", s)
			}
			// ...and the session is read-only all the same, set after the check.
			conn, err := o.Connect(context.Background(), "postgres", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var ro string
			if err := conn.QueryRow(context.Background(), "SHOW default_transaction_read_only").Scan(&ro); err != nil || ro != "on" {
				t.Errorf("session default_transaction_read_only = %q (%v), want on", ro, err)
			}
		})
	}
}

// Our JSON keeps pgmetrics' field names and JSON types wherever both have
// the data (fixtures: real pgmetrics 1.19 reports, shared/fixtures).
func TestJSONMatchesPgmetrics(t *testing.T) {
	c := pgsandbox.Get(t)
	db := scenario(t, c)
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	var ours map[string]any
	if err := json.Unmarshal(b, &ours); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"testdata/pgmetrics-1.19-pg15-superuser.json", "testdata/pgmetrics-1.19-pg15-pg_monitor.json"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var theirs map[string]any
		if err := json.Unmarshal(raw, &theirs); err != nil {
			t.Fatal(err)
		}
		compareShape(t, f, "", theirs, ours)
	}
}

// compareShape checks every key of want exists in got with the same JSON
// type, descending into objects and into the first element of arrays.
func compareShape(t *testing.T, file, path string, want, got map[string]any) {
	t.Helper()
	for k, wv := range want {
		p := path + "." + k
		gv, ok := got[k]
		if !ok {
			// Maps keyed by data (settings names, betypecounts) need not match.
			if path == ".settings" || path == ".betypecounts" {
				continue
			}
			t.Errorf("%s: key %s missing in pgreport's JSON", file, p)
			continue
		}
		if gv == nil || wv == nil {
			continue
		}
		if fmt.Sprintf("%T", wv) != fmt.Sprintf("%T", gv) {
			t.Errorf("%s: %s is %T in pgmetrics, %T in pgreport", file, p, wv, gv)
			continue
		}
		switch w := wv.(type) {
		case map[string]any:
			if path == ".settings" {
				continue // each setting's optional keys depend on its value
			}
			compareShape(t, file, p, w, gv.(map[string]any))
		case []any:
			g := gv.([]any)
			if len(w) > 0 && len(g) > 0 {
				if wm, ok := w[0].(map[string]any); ok {
					compareShape(t, file, p+"[]", wm, g[0].(map[string]any))
				}
			}
		}
	}
}

// Index definitions built from the catalogs read exactly as pg_get_indexdef
// prints them; the indexes it cannot build fall back to pg_get_indexdef.
func TestIndexDefsMatchPgGetIndexdef(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "idx")
	c.Exec(t, db,
		`CREATE SCHEMA "Odd Schema"`,
		`CREATE TABLE "Odd Schema"."Mixed Case" (id int PRIMARY KEY, "select" text, b text COLLATE "C", n int, j jsonb)`,
		`CREATE INDEX "Idx Upper" ON "Odd Schema"."Mixed Case" ("select", n)`,
		`CREATE UNIQUE INDEX u_two ON "Odd Schema"."Mixed Case" (n, id)`,
		`CREATE INDEX desc_idx ON "Odd Schema"."Mixed Case" (n DESC NULLS LAST)`,
		`CREATE INDEX expr_idx ON "Odd Schema"."Mixed Case" (lower("select"))`,
		`CREATE INDEX part_idx ON "Odd Schema"."Mixed Case" (n) WHERE n > 10`,
		`CREATE INDEX incl_idx ON "Odd Schema"."Mixed Case" (n) INCLUDE (b)`,
		`CREATE INDEX opc_idx ON "Odd Schema"."Mixed Case" ("select" text_pattern_ops)`,
		`CREATE INDEX coll_idx ON "Odd Schema"."Mixed Case" (b COLLATE "POSIX")`,
		`CREATE INDEX samecoll_idx ON "Odd Schema"."Mixed Case" (b)`,
		`CREATE INDEX ff_idx ON "Odd Schema"."Mixed Case" (n) WITH (fillfactor = 70)`,
		`CREATE INDEX gin_idx ON "Odd Schema"."Mixed Case" USING gin (j)`,
		`CREATE INDEX hash_idx ON "Odd Schema"."Mixed Case" USING hash (n)`,
		`CREATE UNIQUE INDEX nnd_idx ON "Odd Schema"."Mixed Case" (n) NULLS NOT DISTINCT`,
		`CREATE TABLE parted (k int, v int) PARTITION BY RANGE (k)`,
		`CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10)`,
		`CREATE INDEX parted_k ON parted (k)`,
	)
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{}
	rows, err := c.Connect(t, db).Query(context.Background(), `SELECT indexrelid::bigint, pg_get_indexdef(indexrelid)
		FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`)
	if err != nil {
		t.Fatal(err)
	}
	var oid int64
	var def string
	if _, err := pgx.ForEachRow(rows, []any{&oid, &def}, func() error { want[oid] = def; return nil }); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, x := range rep.Indexes {
		if w, ok := want[x.OID]; ok {
			seen++
			if x.Definition != w {
				t.Errorf("index %s:\n got %s\nwant %s", x.Name, x.Definition, w)
			}
		}
	}
	if seen < 15 {
		t.Errorf("compared %d indexes, want at least 15", seen)
	}
}

// A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an invalid index: it is
// flagged, warned about and not counted as merely unused.
func TestInvalidIndex(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "invalid")
	c.Exec(t, db, "CREATE TABLE dup (id int)", "INSERT INTO dup VALUES (1), (1)")
	if _, err := c.Connect(t, db).Exec(context.Background(), "CREATE UNIQUE INDEX CONCURRENTLY dup_id ON dup (id)"); err == nil {
		t.Fatal("CREATE UNIQUE INDEX on duplicates succeeded")
	}
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Indexes) != 1 || !rep.Indexes[0].Invalid {
		t.Fatalf("indexes = %+v, want dup_id invalid", rep.Indexes)
	}
	w := strings.Join(Warnings(rep, TextOptions{}), "\n")
	if !strings.Contains(w, "index "+db+".public.dup_id is invalid") || strings.Contains(w, "unused") {
		t.Errorf("warnings:\n%s", w)
	}
}

// An inactive replication slot is collected with pgmetrics' fields and
// warned about (it holds back WAL).
func TestReplicationSlot(t *testing.T) {
	c := pgsandbox.Get(t)
	slot := fmt.Sprintf("audit_slot_%d", os.Getpid())
	c.Exec(t, "postgres", "SELECT pg_create_physical_replication_slot('"+slot+"', true)")
	t.Cleanup(func() { c.Exec(t, "postgres", "SELECT pg_drop_replication_slot('"+slot+"')") })
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", "postgres")})
	if err != nil {
		t.Fatal(err)
	}
	var got *ReplicationSlot
	for i := range rep.ReplicationSlots {
		if rep.ReplicationSlots[i].SlotName == slot {
			got = &rep.ReplicationSlots[i]
		}
	}
	if got == nil || got.SlotType != "physical" || got.Active || got.RestartLSN == "" || got.WALStatus == "" {
		t.Fatalf("slot = %+v", got)
	}
	if w := strings.Join(Warnings(rep, TextOptions{}), "\n"); !strings.Contains(w, `replication slot "`+slot+`" is inactive`) {
		t.Errorf("warnings:\n%s", w)
	}
}

// A subscription (created without connecting) is collected per database.
func TestSubscription(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "subs")
	c.Exec(t, db, "CREATE SUBSCRIPTION audit_sub CONNECTION 'dbname=nowhere' PUBLICATION p1, p2 WITH (connect = false)")
	t.Cleanup(func() {
		c.Exec(t, db, "ALTER SUBSCRIPTION audit_sub SET (slot_name = NONE)", "DROP SUBSCRIPTION audit_sub")
	})
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Subscriptions) != 1 {
		t.Fatalf("subscriptions = %+v", rep.Subscriptions)
	}
	if s := rep.Subscriptions[0]; s.Name != "audit_sub" || s.DBName != db || s.Enabled || s.PubCount != 2 || s.WorkerCount != 0 {
		t.Errorf("subscription = %+v", s)
	}
}
