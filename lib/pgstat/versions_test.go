package pgstat

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// The collector against each pinned major (16, 17, 18; the Debian one, 15,
// is every other test's): no section fails, as a superuser and as a
// pg_monitor member, and the version-gated sections carry data. What
// changed, from the release notes: pg_stat_io is new in 16; in 17
// pg_stat_bgwriter lost its checkpoint columns to the new
// pg_stat_checkpointer, pg_stat_statements 1.11 renamed blk_read_time to
// shared_blk_read_time, pg_stat_progress_vacuum renamed max_dead_tuples and
// num_dead_tuples; in 18 pg_stat_wal lost wal_write/wal_sync and their times
// to pg_stat_io (object 'wal').
func TestVersions(t *testing.T) {
	vers := pgsandbox.PinnedVersions(t)
	for _, major := range slices.Sorted(maps.Keys(vers)) {
		bindir := vers[major]
		t.Run("pg"+strconv.Itoa(major), func(t *testing.T) {
			if bindir == "" {
				if os.Getenv("CI") != "" {
					t.Fatalf("PostgreSQL %d binaries are not in the cache: scripts/pg-versions fetches them "+
						"(scripts/test runs it first; see its output for why the fetch failed)", major)
				}
				t.Skipf("PostgreSQL %d not fetched: run scripts/pg-versions", major)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			c, err := pgsandbox.Start(ctx, pgsandbox.Options{BinDir: bindir,
				Settings: map[string]string{"track_wal_io_timing": "on"}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Stop() })
			db := scenario(t, c)
			mon := "vmon"
			c.Exec(t, "postgres", "CREATE ROLE "+mon+" LOGIN IN ROLE pg_monitor")
			for _, user := range []string{"postgres", mon} {
				var log bytes.Buffer
				rep, err := collect(t, Options{Conn: connOpts(c, user, db), Bloat: true,
					Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
				if err != nil {
					t.Fatalf("Collect as %s: %v %+v", user, err, rep.Meta.Errors)
				}
				if strings.Contains(log.String(), "DO block refused") {
					t.Errorf("%s: sequence values fell back to chunks:\n%s", user, log.String())
				}
				if got := rep.ServerVersionNum / 10000; got != major {
					t.Fatalf("server_version_num %d, want major %d", rep.ServerVersionNum, major)
				}
				if len(rep.StatIOs) == 0 {
					t.Errorf("%s: no pg_stat_io rows", user)
				}
				if major >= 17 && (rep.Checkpointer == nil || rep.BGWriter.CheckpointsTimed != 0) {
					t.Errorf("%s: checkpointer %+v, bgwriter %+v", user, rep.Checkpointer, rep.BGWriter)
				}
				if rep.WAL == nil || rep.WAL.Records == 0 || rep.WAL.Write == 0 { // fsync=off: no syncs
					t.Errorf("%s: wal = %+v", user, rep.WAL)
				}
				if len(rep.Statements) == 0 || rep.Statements[0].TotalTime <= 0 {
					t.Errorf("%s: statements = %d rows", user, len(rep.Statements))
				}
				// pg_stat_statements 1.11 (17+) has stats_since: the version-gated columns are read.
				if major >= 17 && len(rep.Statements) > 0 && rep.Statements[0].StatsSince == 0 {
					t.Errorf("%s: statements[0].stats_since = 0", user)
				}
				seq := seqByName(rep)["small_seq"]
				if user == "postgres" && seq.LastValue != 90 {
					t.Errorf("small_seq = %+v", seq)
				}
				var orders *Table
				for i := range rep.Tables {
					if rep.Tables[i].Name == "orders" {
						orders = &rep.Tables[i]
					}
				}
				// pg_stats hides the columns a pg_monitor member may not read: no bloat estimate.
				if orders == nil || orders.NDeadTup != 15000 || (user == "postgres") != (orders.Bloat > 0) {
					t.Errorf("%s: orders = %+v", user, orders)
				}
				// Every renderer takes the report.
				if err := WriteText(io.Discard, rep, TextOptions{}); err != nil {
					t.Error(err)
				}
				w := metric.NewWriter(io.Discard)
				if err := EachMetric(rep, nil, w.Write); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
