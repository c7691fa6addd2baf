package pgstat

import (
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/pgbouncer"
)

// Every field pgreport emits has the kind this table says (issue 15): the
// cumulative statistics of pg_stat_database, pg_stat_wal, pg_stat_bgwriter,
// pg_stat_checkpointer, pg_stat_archiver, the table and index statistics and
// pg_stat_statements are counters; readings are values. A new field fails
// here until it is classified.
func TestMetricKinds(t *testing.T) {
	want := map[string]metric.Kind{}
	for _, f := range strings.Fields(`archived_count failed_count buffers_clean maxwritten_clean buffers_alloc
		checkpoints_timed checkpoints_req buffers_checkpoint buffers_backend
		num_timed num_requested buffers_written write_time sync_time
		records fpi bytes buffers_full
		xact_commit xact_rollback blks_read blks_hit tup_returned tup_fetched tup_inserted tup_updated tup_deleted
		conflicts temp_files temp_bytes deadlocks
		seq_scan seq_tup_read idx_scan idx_tup_read n_tup_ins n_tup_upd n_tup_del n_tup_hot_upd
		vacuum_count autovacuum_count analyze_count autoanalyze_count heap_blks_read heap_blks_hit
		calls total_time rows
		total_xact_count total_query_count total_received total_sent total_wait_time`) {
		want[f] = metric.Counter
	}
	for _, f := range strings.Fields(`uptime_seconds is_in_recovery wal_count wal_ready_count notification_queue_usage
		active idle oldest_xact_age_seconds locks_waiting blocked_backends replay_lag_bytes replay_lag_seconds
		latency_seconds report_errors numbackends age_datfrozenxid age_datminmxid size
		n_live_tup n_dead_tup n_mod_since_analyze age_relfrozenxid bloat last_value used_pct
		waiting used maxwait avgwait cl_active cl_waiting sv_active sv_idle sv_used
		avg_query_count avg_query_time avg_wait_time`) {
		want[f] = metric.Value
	}
	r := loadFixture(t, "pgmetrics-1.19-pg15-superuser.json")
	recs := Metrics(r, nil)
	// PostgreSQL 17+ reports checkpoints in pg_stat_checkpointer.
	r17 := *r
	r17.Checkpointer = &Checkpointer{NumTimed: 1}
	r17.Statements = []Statement{{DBName: "shop", QueryID: 42, Calls: 3, TotalTime: 1.5, Rows: 9}}
	recs = append(recs, Metrics(&r17, []string{"pg.cluster.checkpointer.*", "pg.shop.statements.*"})...)
	// PgBouncer mode: SHOW STATS' totals are counters since PgBouncer started.
	pb := Report{Meta: Meta{At: r.Meta.At, Mode: "pgbouncer"}, PgBouncer: &pgbouncer.PgBouncer{
		Pools: []pgbouncer.Pool{{Database: "shop", UserName: "app"}}, Stats: []pgbouncer.Stat{{Database: "shop", TotalXactCount: 5}}}}
	recs = append(recs, Metrics(&pb, nil)...)
	seen := map[string]bool{}
	for _, m := range recs {
		field := m.Name[strings.LastIndexByte(m.Name, '.')+1:]
		seen[field] = true
		k, ok := want[field]
		if strings.HasPrefix(m.Name, "pg.cluster.backends.") {
			k, ok = metric.Value, true // a count of backends in a state
		}
		if !ok {
			t.Errorf("%s: field %q is not classified in this test", m.Name, field)
			continue
		}
		if m.Kind != k {
			t.Errorf("%s: kind %q, want %q", m.Name, m.Kind, k)
		}
	}
	for f, k := range want {
		if k == metric.Counter && !seen[f] {
			t.Errorf("counter field %s never emitted: the test does not cover it", f)
		}
	}
}
