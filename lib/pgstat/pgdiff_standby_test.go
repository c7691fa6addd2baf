package pgstat

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// The differential test on replication (issue 19): TestPgmetricsDiff's
// scene on a primary of each version (15-18), a streaming standby of it
// (pgsandbox.StartStandby: no pg_basebackup needed), a transaction for it
// to replay (testdata/pgdiff/scene-standby.sql), and pgmetrics 1.19's
// JSON on both committed once: testdata/pgdiff/pgmetrics-1.19-pgNN-standby.json
// (the standby: recovery state, replication_incoming) and
// pgmetrics-1.19-pgNN-primary.json (the primary with the standby attached:
// replication_outgoing, the standby's slot). pgreport's output on the same
// servers is compared field by field with pgdiffTolerances plus
// pgdiffReplTolerances. Regenerate with -pgmetrics as for TestPgmetricsDiff.
func TestPgmetricsDiffStandby(t *testing.T) {
	vers := pgdiffVersions(t)
	used := map[string]bool{}
	ran := 0
	for _, major := range slices.Sorted(maps.Keys(vers)) {
		bindir := vers[major]
		t.Run("pg"+strconv.Itoa(major), func(t *testing.T) {
			p := pgdiffScene(t, major, bindir)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			s, err := p.StartStandby(ctx, pgsandbox.Options{Settings: pgdiffSettings})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Stop() }) // before the primary's (LIFO)
			p.Exec(t, pgdiffDB, sceneStatements(t, "testdata/pgdiff/scene-standby.sql", "")...)
			if err := s.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			sides := []struct {
				name string
				c    *pgsandbox.Cluster
			}{{"standby", s}, {"primary", p}}
			for _, side := range sides {
				if *pgmetricsBin != "" {
					runPgmetrics(t, side.c, fmt.Sprintf("testdata/pgdiff/pgmetrics-1.19-pg%d-%s.json", major, side.name))
				}
			}
			for _, side := range sides {
				want := readJSONAny(t, fmt.Sprintf("testdata/pgdiff/pgmetrics-1.19-pg%d-%s.json", major, side.name))
				rep, got := pgreportJSON(t, side.c)
				if side.name == "standby" {
					checkStandbyReport(t, rep, p)
				} else if len(rep.ReplicationOutgoing) != 1 || rep.ReplicationOutgoing[0].State != "streaming" {
					t.Errorf("primary: replication_outgoing = %+v, want the streaming standby", rep.ReplicationOutgoing)
				}
				d := &pgdiff{tsdir: filepath.Join(side.c.Dir, "ts"), extra: pgdiffReplTolerances, known: pgdiffReplKnown}
				d.compare("", want, got)
				d.report(t, major, used)
				ran++
			}
		})
	}
	if ran == 2*len(vers) && !t.Failed() {
		for _, k := range pgdiffReplKnown {
			if !used[k.pattern] {
				t.Errorf("allow-list entry %q (%s) matches no difference any more: remove it", k.pattern, k.why)
			}
		}
	}
}

// pgdiffReplKnown: differences on a standby, besides pgdiffKnown.
var pgdiffReplKnown = []tolerance{}

// pgdiffReplTolerances: what moves on a standby and in the replication
// views between two runs, beyond pgdiffTolerances (docs/pgreport.md,
// "Compatibility with pgmetrics", repeats them).
var pgdiffReplTolerances = []tolerance{
	// Times of the moment, but set exactly where pgmetrics' are.
	{pattern: "last_xact_replay_timestamp", kind: tolSet, why: "when the last replayed transaction committed"},
	{pattern: "replication_incoming.*_time", kind: tolSet, why: "times of the last messages"},
	{pattern: "replication_outgoing[*].reply_time", kind: tolSet, why: "time of the standby's last reply"},
	{pattern: "replication_outgoing[*].backend_start", kind: tolSet, why: "when the standby connected"},
	{pattern: "replication_outgoing[*].*_lag", kind: tolNear, abs: 1, why: "lags of the moment, in whole seconds: well below one on an idle sandbox"},
	{pattern: "replication_incoming.conninfo", why: "the primary's temp socket dir and random port"},
	{pattern: "replication_incoming.sender_host", why: "the primary's temp socket dir"},
	{pattern: "replication_incoming.latency_micros", why: "network latency of the moment"},
	{pattern: "replication_outgoing[*].backend_xmin", why: "a transaction id"},
	// pgsandbox polls both servers through database postgres until the
	// standby has caught up (StartStandby), as many times as that takes.
	{pattern: "databases[postgres].xact_*", why: "the catch-up's polling"},
	{pattern: "databases[postgres].blks_*", why: "the catch-up's polling"},
	{pattern: "databases[postgres].tup_*", why: "the catch-up's polling"},
	{pattern: "settings.primary_conninfo.setting", why: "the primary's temp socket dir and random port"},
}

// pgreportJSON collects with pgreport's defaults (cmd/pgreport/report.go
// without --estimate) and returns the report and its JSON, decoded.
func pgreportJSON(t *testing.T, c *pgsandbox.Cluster) (*Report, any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Collect(ctx, Options{Conn: connOpts(c, "postgres", pgdiffDB),
		Bloat: true, PgmetricsBloat: true, ExactSizes: true})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	return rep, decodeJSONAny(t, buf.Bytes())
}

// checkStandbyReport: what the tolerances let move must still be there.
func checkStandbyReport(t *testing.T, rep *Report, primary *pgsandbox.Cluster) {
	t.Helper()
	in := rep.ReplicationIncoming
	if !rep.IsInRecovery || rep.LastWALReplayLSN == "" || rep.LastWALReceiveLSN == "" || rep.WALLSN != "" {
		t.Errorf("standby: in recovery %v, replayed %q, received %q, wal_lsn %q", rep.IsInRecovery,
			rep.LastWALReplayLSN, rep.LastWALReceiveLSN, rep.WALLSN)
	}
	if rep.LastXactReplayTimestamp == 0 {
		t.Error("standby: no last_xact_replay_timestamp after replaying scene-standby.sql")
	}
	if in == nil || in.Status != "streaming" || in.SenderHost != primary.Host || in.SenderPort != primary.Port ||
		in.SlotName != "standby_1" || in.WrittenLSN == "" || in.FlushedLSN == "" {
		t.Errorf("standby: replication_incoming = %+v", in)
	}
}
