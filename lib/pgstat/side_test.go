package pgstat

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// Index definitions, sequence values and bloat are read on a second
// connection while the first measures tables and indexes; a role that may hold only one
// connection gets the same report from the first connection alone, and
// nothing fails.
func TestSideConnection(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "side")
	one := "one_" + strconv.Itoa(os.Getpid())
	c.Exec(t, db, `CREATE TABLE b (id int PRIMARY KEY, note text);
		INSERT INTO b SELECT g, 'n' || g FROM generate_series(1, 30000) g;
		CREATE INDEX b_note ON b (note);
		CREATE INDEX b_lower ON b (lower(note)) WHERE id > 10;
		DELETE FROM b WHERE id % 3 <> 0;
		ANALYZE b;
		CREATE SEQUENCE s;
		SELECT nextval('s'), nextval('s'), nextval('s')`)
	c.Exec(t, "postgres", "CREATE ROLE "+one+" LOGIN CONNECTION LIMIT 1 IN ROLE pg_monitor")
	c.Exec(t, db, "GRANT SELECT ON b, s TO "+one)
	t.Cleanup(func() {
		c.Exec(t, db, "DROP OWNED BY "+one)
		c.Exec(t, "postgres", "DROP ROLE "+one)
	})
	run := func(user string) (*Report, string) {
		t.Helper()
		var log bytes.Buffer
		rep, err := collect(t, Options{Conn: connOpts(c, user, db), Bloat: true, PgmetricsBloat: true, ExactSizes: true,
			Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatalf("Collect as %s: %v (errors %+v)", user, err, rep.Meta.Errors)
		}
		return rep, log.String()
	}
	two, twoLog := run("postgres")
	for _, s := range []string{"index_defs", "sequence_values", "bloat"} {
		if !strings.Contains(twoLog, `msg="section read on the second connection" section=`+s+" ") {
			t.Errorf("%s not read on the second connection:\n%s", s, twoLog)
		}
	}
	single, oneLog := run(one)
	if strings.Contains(oneLog, "second connection refused") == strings.Contains(oneLog, "read on the second connection") {
		t.Errorf("with CONNECTION LIMIT 1 the second connection must be refused and read nothing:\n%s", oneLog)
	}
	// Two servers in the connection string (fail-over): the second
	// connection could reach the other one, so there is none.
	var failoverLog bytes.Buffer
	o := Options{Conn: connOpts(c, "postgres", db), Bloat: true, PgmetricsBloat: true, ExactSizes: true,
		Logger: slog.New(slog.NewTextHandler(&failoverLog, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	o.Conn.Host += ",/nonexistent-pgreport-test"
	o.Conn.Port += "," + o.Conn.Port
	failover, err := collect(t, o)
	if err != nil {
		t.Fatalf("Collect with two hosts: %v (errors %+v)", err, failover.Meta.Errors)
	}
	if strings.Contains(failoverLog.String(), "second connection") {
		t.Errorf("a second connection with two servers in the connection string:\n%s", failoverLog.String())
	}
	// The same figures either way.
	summary := func(rep *Report) map[string]string {
		m := map[string]string{}
		for _, x := range rep.Tables {
			m["table "+x.Name] = strconv.FormatInt(x.Bloat, 10)
		}
		for _, x := range rep.Indexes {
			m["index "+x.Name] = strconv.FormatInt(x.Bloat, 10) + " " + x.Definition
		}
		for _, x := range rep.Sequences {
			m["sequence "+x.Name] = strconv.FormatInt(x.LastValue, 10)
		}
		return m
	}
	got, want := summary(single), summary(two)
	if len(want) != 5 || want["table b"] == "-1" || !strings.Contains(want["index b_lower"], "WHERE") || want["sequence s"] != "3" {
		t.Fatalf("scene: %q", want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: one connection %q, two %q", k, got[k], v)
		}
		if f := summary(failover)[k]; f != v {
			t.Errorf("%s: with two hosts %q, two connections %q", k, f, v)
		}
	}
}

// A job runs once: on the second connection or by its section, whichever
// claims it first; a section never waits for a job nobody started.
func TestSideJobClaims(t *testing.T) {
	j := &sideJob{done: make(chan struct{})}
	if st := j.take(); st != jobPending {
		t.Fatalf("first take: %v, want pending (taken by the section)", st)
	}
	if j.start() {
		t.Error("the second connection started a job its section took")
	}
	j = &sideJob{done: make(chan struct{})}
	if !j.start() {
		t.Fatal("start of a pending job refused")
	}
	if st := j.take(); st != jobRunning {
		t.Errorf("take of a running job: %v, want running (the section waits)", st)
	}
	j.finish(func() {}, nil, false)
	if st := j.take(); st != jobDone {
		t.Errorf("take of a done job: %v", st)
	}
	select {
	case <-j.done:
	default:
		t.Error("done not closed by finish")
	}
}

// A sequence's blks_hit in a report never counts the report's own read of
// its value, as pgmetrics' never do: the second connection reads the
// counters before the values, and they replace the ones its section read
// (which may come after). The next report counts that read, once.
func TestSideSequenceCountersFirst(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "seqctr")
	// All on one connection, its counters flushed before they are read: a
	// closed connection's backend flushes at exit, which may come after.
	conn := c.Connect(t, db)
	ctx := context.Background()
	for _, q := range []string{`CREATE SEQUENCE s`, `SELECT nextval('s'), nextval('s')`, `SELECT pg_stat_force_next_flush()`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var before int64
	if err := conn.QueryRow(ctx, `SELECT blks_hit FROM pg_statio_user_sequences WHERE relname = 's'`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	hits := func() int64 {
		t.Helper()
		var log bytes.Buffer
		rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db),
			Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatalf("Collect: %v (errors %+v)", err, rep.Meta.Errors)
		}
		if !strings.Contains(log.String(), `section=sequence_values `) {
			t.Fatalf("sequence values not read on the second connection:\n%s", log.String())
		}
		for _, s := range rep.Sequences {
			if s.Name == "s" && s.LastValue == 2 {
				return s.BlksHit
			}
		}
		t.Fatalf("sequence s (last value 2) not in %+v", rep.Sequences)
		return 0
	}
	if got := hits(); got != before {
		t.Errorf("first report: blks_hit %d, want %d (the counters before pgreport read the value)", got, before)
	}
	// The first report's connections have closed: their stats are flushed.
	pgsandbox.WaitFor(t, conn, fmt.Sprintf(`SELECT blks_hit > %d FROM pg_statio_user_sequences WHERE relname = 's'`, before))
	if got := hits(); got != before+1 {
		t.Errorf("second report: blks_hit %d, want %d (the first report's one read)", got, before+1)
	}
}
