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
// that: "cannot scan NULL into *string"). The job here is an ANALYZE held
// on an advisory lock by its expression index's function.
func TestProgressOfOtherUsers(t *testing.T) {
	cl := pgsandbox.Get(t)
	db := cl.CreateDB(t, "progress_others")
	plain := "plain_" + db
	cl.Exec(t, db, "CREATE ROLE "+plain+" LOGIN", "CREATE TABLE sampled (id int)",
		`CREATE FUNCTION gate(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS
			'BEGIN PERFORM pg_advisory_lock_shared(42); PERFORM pg_advisory_unlock_shared(42); RETURN $1; END'`,
		"CREATE INDEX sampled_gate ON sampled (gate(id))", "INSERT INTO sampled SELECT generate_series(1, 10)")
	t.Cleanup(func() { cl.Exec(t, "postgres", "DROP ROLE IF EXISTS "+plain) })
	ctx := context.Background()
	gatekeeper := cl.Connect(t, db)
	if _, err := gatekeeper.Exec(ctx, "SELECT pg_advisory_lock(42)"); err != nil {
		t.Fatal(err)
	}
	analyzer := cl.Connect(t, db) // closed after the cleanup below
	analyzed := make(chan error, 1)
	go func() {
		_, err := analyzer.Exec(ctx, "ANALYZE sampled")
		analyzed <- err
	}()
	t.Cleanup(func() {
		_, _ = gatekeeper.Exec(ctx, "SELECT pg_advisory_unlock(42)")
		if err := <-analyzed; err != nil {
			t.Error(err)
		}
	})
	pgsandbox.WaitFor(t, gatekeeper, "SELECT EXISTS (SELECT 1 FROM pg_stat_progress_analyze)")

	rep, _ := collect(t, Options{Conn: connOpts(cl, plain, db)}) // other sections may refuse a plain user
	for _, e := range rep.Meta.Errors {
		if e.Section == "progress" {
			t.Fatalf("progress failed for a plain user: %v", e.Error)
		}
	}
	if p := rep.AnalyzeProgress; len(p) != 1 || p[0].PID == 0 || p[0].DBName != db || p[0].Phase != "" {
		t.Errorf("analyze_progress = %+v", p)
	}
}
