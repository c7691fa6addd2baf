package pgstat

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// Issue 19's failure case for the other sized section: with --exact-sizes,
// a statement timeout while measuring indexes keeps every index (sizes
// estimated from relpages) and lists the gap, as for tables
// (TestStatementTimeoutCostsOneSection has a table without an index).
func TestStatementTimeoutKeepsIndexes(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "slowidx")
	c.Exec(t, db, "CREATE TABLE locked (id int PRIMARY KEY, v int)", "CREATE INDEX locked_v ON locked (v)",
		"INSERT INTO locked SELECT g, g FROM generate_series(1, 1000) g", "VACUUM ANALYZE locked")
	holder := c.Connect(t, db)
	ctx := context.Background()
	// A DROP INDEX not yet committed holds the index (and its table): the
	// index is still in the catalog for everyone else, and pg_relation_size
	// of it waits for the lock. (A table's lock alone does not lock its
	// indexes.)
	if _, err := holder.Exec(ctx, "BEGIN; DROP INDEX locked_v"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = holder.Exec(context.Background(), "ROLLBACK") })

	// As a role that may not read the server's files: a superuser sums
	// them without a lock (TestFileSizes) and would not wait.
	mon := "slowidxmon_" + strconv.Itoa(os.Getpid())
	c.Exec(t, "postgres", "CREATE ROLE "+mon+" LOGIN IN ROLE pg_monitor")
	t.Cleanup(func() { c.Exec(t, "postgres", "DROP ROLE "+mon) })
	o := Options{Conn: connOpts(c, mon, db), ExactSizes: true,
		SectionTimeouts: map[string]time.Duration{"tables": 200 * time.Millisecond, "indexes": 200 * time.Millisecond}}
	o.Conn.LockTimeout = 10 * time.Second
	rep, err := collect(t, o)
	if err != nil {
		t.Fatalf("err = %v (%+v), want the estimate fallback to succeed", err, rep.Meta.Errors)
	}
	if g := strings.Join(rep.Meta.Gaps, "\n"); !strings.Contains(g, "indexes@"+db) || !strings.Contains(g, "estimated") {
		t.Errorf("gaps = %v, want the indexes fallback listed with its cause", rep.Meta.Gaps)
	}
	var names []string
	for _, ix := range rep.Indexes {
		names = append(names, ix.Name)
		if ix.Size <= 0 {
			t.Errorf("index %s size = %d, want the relpages estimate", ix.Name, ix.Size)
		}
	}
	if len(names) != 2 {
		t.Errorf("indexes = %v, want locked_pkey and locked_v kept", names)
	}
	if len(rep.Tables) != 1 {
		t.Errorf("tables = %+v, want locked kept", rep.Tables)
	}
}
