package pgstat

import (
	"context"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// A user without pg_read_all_stats sees other users' progress rows with
// NULL in every column but pid and datname (phase, command, the counters):
// they are reported with empty values instead of failing the progress
// section (an autovacuum running during a collection as a plain user did
// that: "cannot scan NULL into *string").
func TestProgressOfOtherUsers(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "progress_others")
	plain := "plain_" + db
	c.Exec(t, db, "CREATE TABLE indexing (id int)", "CREATE ROLE "+plain+" LOGIN")
	t.Cleanup(func() { c.Exec(t, "postgres", "DROP ROLE IF EXISTS "+plain) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// CREATE INDEX CONCURRENTLY waits for a writer's open transaction.
	writer := c.Connect(t, db)
	if _, err := writer.Exec(ctx, "BEGIN; INSERT INTO indexing VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	indexer := c.Connect(t, db)
	cicDone := make(chan error, 1)
	go func() {
		_, err := indexer.Exec(ctx, "CREATE INDEX CONCURRENTLY indexing_id ON indexing (id)")
		cicDone <- err
	}()
	t.Cleanup(func() {
		_, _ = writer.Exec(context.Background(), "ROLLBACK")
		<-cicDone
	})
	waitFor(t, c.Connect(t, "postgres"), "SELECT EXISTS (SELECT 1 FROM pg_stat_progress_create_index)")

	rep, err := collect(t, Options{Conn: connOpts(c, plain, db)})
	for _, e := range rep.Meta.Errors {
		if e.Section == "progress" {
			t.Fatalf("progress failed for a plain user: %v", e.Error)
		}
	}
	_ = err // other sections may refuse a plain user; progress must not fail
	if len(rep.CreateIndexProgress) != 1 || rep.CreateIndexProgress[0].PID == 0 || rep.CreateIndexProgress[0].Phase != "" {
		t.Errorf("create_index_progress = %+v", rep.CreateIndexProgress)
	}
}
