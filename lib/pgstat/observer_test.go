package pgstat

import (
	"context"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// A run must not add to the rollbacks it reports (issue 19, "observer
// effect"): pgmetrics' read-only transactions end in COMMIT, and so must
// ours. The counters are read from another database, so that the reading
// itself does not move them; a backend's counts reach pg_stat_database in
// one batch when it exits, so once xact_commit moves, xact_rollback has too.
func TestRunDoesNotRollBack(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "observer")
	c.Exec(t, db, "CREATE TABLE t (id int)", "CREATE SEQUENCE s")
	mon := c.Connect(t, "postgres")
	ctx := context.Background()
	read := func() (commits, rollbacks int64) {
		t.Helper()
		if _, err := mon.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			t.Fatal(err)
		}
		if err := mon.QueryRow(ctx, "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = $1", db).
			Scan(&commits, &rollbacks); err != nil {
			t.Fatal(err)
		}
		return commits, rollbacks
	}
	// The set-up's own session has exited: wait for its counts to arrive.
	pgsandbox.WaitFor(t, mon, "SELECT count(*) = 0 FROM pg_stat_activity WHERE datname = '"+db+"'")
	c0, r0 := read()
	for _, o := range []Options{{}, {Bloat: true, ExactSizes: true}} {
		o.Conn = connOpts(c, "postgres", db)
		if _, err := collect(t, o); err != nil {
			t.Fatal(err)
		}
	}
	// Both runs' backends have exited (their counts are flushed at exit).
	pgsandbox.WaitFor(t, mon, "SELECT count(*) = 0 FROM pg_stat_activity WHERE datname = '"+db+"'")
	deadline := time.Now().Add(30 * time.Second)
	c1, r1 := read()
	for c1 == c0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling a counter another process flushes
		c1, r1 = read()
	}
	if c1 == c0 {
		t.Fatalf("xact_commit of %s did not move in 30s (%d)", db, c0)
	}
	if r1 != r0 {
		t.Errorf("xact_rollback of %s went from %d to %d during two runs (xact_commit %d to %d)", db, r0, r1, c0, c1)
	}
}
