package pgstat

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
)

// familyLines runs one metric family and returns "name value" lines.
func familyLines(family func(*emitter, *Report), r *Report, globs ...string) string {
	var b strings.Builder
	e := &emitter{globs: globs, at: time.Unix(r.Meta.At, 0).UTC(), emit: func(m metric.Record) error {
		fmt.Fprintf(&b, "%s %g\n", m.Name, m.Value)
		return nil
	}}
	family(e, r)
	return b.String()
}

// Each metric family on a small report: every record it makes, in order.
func TestMetricFamilies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		family func(*emitter, *Report)
		r      Report
		want   string
	}{
		{"server", serverMetrics, Report{Meta: Meta{At: 100}, StartTime: 40, WALCount: 3, WALReadyCount: -1,
			NotificationQueueUsage: 0.5, WALArchiving: WALArchiving{ArchivedCount: 7, FailedCount: 1}},
			"pg.cluster.uptime_seconds 60\npg.cluster.is_in_recovery 0\npg.cluster.wal_count 3\n" +
				"pg.cluster.notification_queue_usage 0.5\npg.cluster.archiver.archived_count 7\npg.cluster.archiver.failed_count 1\n"},
		{"writers before 17", writerMetrics, Report{BGWriter: BGWriter{BuffersClean: 1, MaxWrittenClean: 2, BuffersAlloc: 3,
			CheckpointsTimed: 4, CheckpointsRequested: 5, BuffersCheckpoint: 6, BuffersBackend: 7}},
			"pg.cluster.bgwriter.buffers_clean 1\npg.cluster.bgwriter.maxwritten_clean 2\npg.cluster.bgwriter.buffers_alloc 3\n" +
				"pg.cluster.bgwriter.checkpoints_timed 4\npg.cluster.bgwriter.checkpoints_req 5\n" +
				"pg.cluster.bgwriter.buffers_checkpoint 6\npg.cluster.bgwriter.buffers_backend 7\n"},
		{"writers 17+", writerMetrics, Report{Checkpointer: &Checkpointer{NumTimed: 1, NumRequested: 2, BuffersWritten: 3,
			WriteTime: 4.5, SyncTime: 5.5}, WAL: &WAL{Records: 8, FPI: 9, Bytes: 10, BuffersFull: 11}},
			"pg.cluster.bgwriter.buffers_clean 0\npg.cluster.bgwriter.maxwritten_clean 0\npg.cluster.bgwriter.buffers_alloc 0\n" +
				"pg.cluster.checkpointer.num_timed 1\npg.cluster.checkpointer.num_requested 2\n" +
				"pg.cluster.checkpointer.buffers_written 3\npg.cluster.checkpointer.write_time 4.5\n" +
				"pg.cluster.checkpointer.sync_time 5.5\npg.cluster.wal.records 8\npg.cluster.wal.fpi 9\n" +
				"pg.cluster.wal.bytes 10\npg.cluster.wal.buffers_full 11\n"},
		{"backends", backendMetrics, Report{Meta: Meta{At: 100}, Backends: []Backend{
			{State: "idle in transaction", XactStart: 70}, {State: "active", XactStart: 10, ApplicationName: "pgreport/1"},
			{BackendType: "client backend"}, {BackendType: "autovacuum launcher", XactStart: 1}},
			Locks: []Lock{{Granted: true}, {Granted: false}}, BlockingPIDs: map[int][]int{5: {6}}},
			"pg.cluster.backends.active 1\npg.cluster.backends.idle_in_transaction 1\npg.cluster.backends.unknown 1\n" +
				"pg.cluster.oldest_xact_age_seconds 30\npg.cluster.locks_waiting 1\npg.cluster.blocked_backends 1\n"},
		{"replication", replicationMetrics, Report{ReplicationOutgoing: []ReplicationOut{
			{ApplicationName: "walreceiver", PID: 10, ReplayLagBytes: 1, ReplayLag: 2e6}, {ApplicationName: "walreceiver", PID: 11},
			{PID: 12}}, ReplicationIncoming: &ReplicationIn{Latency: 5e5},
			ReplicationSlots: []ReplicationSlot{{SlotName: "s1", Active: true}}, Meta: Meta{Errors: []SectionError{{}}}},
			"pg.cluster.replication.walreceiver_10.replay_lag_bytes 1\npg.cluster.replication.walreceiver_10.replay_lag_seconds 2\n" +
				"pg.cluster.replication.walreceiver_11.replay_lag_bytes 0\npg.cluster.replication.walreceiver_11.replay_lag_seconds 0\n" +
				"pg.cluster.replication.12.replay_lag_bytes 0\npg.cluster.replication.12.replay_lag_seconds 0\n" +
				"pg.cluster.replication_incoming.latency_seconds 0.5\npg.cluster.replication_slot.s1.active 1\n" +
				"pg.cluster.report_errors 1\n"},
		{"databases", databaseMetrics, Report{Databases: []Database{{Name: "t", IsTemplate: true},
			{Name: "shop", NumBackends: 1, XactCommit: 2, Deadlocks: 3, AgeDatFrozenXid: 4, Size: -1}}},
			"pg.shop.numbackends 1\npg.shop.xact_commit 2\npg.shop.xact_rollback 0\npg.shop.blks_read 0\npg.shop.blks_hit 0\n" +
				"pg.shop.tup_returned 0\npg.shop.tup_fetched 0\npg.shop.tup_inserted 0\npg.shop.tup_updated 0\n" +
				"pg.shop.tup_deleted 0\npg.shop.conflicts 0\npg.shop.temp_files 0\npg.shop.temp_bytes 0\n" +
				"pg.shop.deadlocks 3\npg.shop.age_datfrozenxid 4\npg.shop.age_datminmxid 0\n"},
		{"tables", tableMetrics, Report{Tables: []Table{{DBName: "d", SchemaName: "s", Name: "t", NDeadTup: 5, Size: 8192, Bloat: 100}}},
			"pg.d.s.t.seq_scan 0\npg.d.s.t.seq_tup_read 0\npg.d.s.t.idx_scan 0\npg.d.s.t.n_tup_ins 0\npg.d.s.t.n_tup_upd 0\n" +
				"pg.d.s.t.n_tup_del 0\npg.d.s.t.n_tup_hot_upd 0\npg.d.s.t.n_live_tup 0\npg.d.s.t.n_dead_tup 5\n" +
				"pg.d.s.t.n_mod_since_analyze 0\npg.d.s.t.vacuum_count 0\npg.d.s.t.autovacuum_count 0\n" +
				"pg.d.s.t.analyze_count 0\npg.d.s.t.autoanalyze_count 0\npg.d.s.t.heap_blks_read 0\n" +
				"pg.d.s.t.heap_blks_hit 0\npg.d.s.t.age_relfrozenxid 0\npg.d.s.t.size 8192\npg.d.s.t.bloat 100\n"},
		{"indexes", indexMetrics, Report{Indexes: []Index{{DBName: "d", SchemaName: "s", Name: "i", IdxScan: 2, Size: 9, Bloat: -1}}},
			"pg.d.s.i.idx_scan 2\npg.d.s.i.idx_tup_read 0\npg.d.s.i.size 9\n"},
		{"sequences", sequenceMetrics, Report{Sequences: []Sequence{{DBName: "d", SchemaName: "s", Name: "q", LastValue: 90, UsedPct: 89.9},
			{DBName: "d", SchemaName: "s", Name: "unread", LastValue: -1}}},
			"pg.d.s.q.last_value 90\npg.d.s.q.used_pct 89.9\n"},
		{"statements", statementMetrics, Report{Statements: []Statement{{DBName: "d", QueryID: 7, Calls: 2, TotalTime: 1.5, Rows: 3},
			{DBName: "d", QueryID: 7, Calls: 1, TotalTime: 0.5}, {DBName: "", QueryID: 8}, {DBName: "d", QueryID: 0}}},
			"pg.d.statements.7.calls 3\npg.d.statements.7.total_time 2\npg.d.statements.7.rows 3\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := familyLines(tc.family, &tc.r); got != tc.want {
				t.Errorf("got:\n%swant:\n%s", got, tc.want)
			}
		})
	}
}

// The emitter filters by glob and stops at the first error.
func TestEmitter(t *testing.T) {
	r := &Report{Tables: []Table{{DBName: "d", SchemaName: "s", Name: "t"}}}
	if got := familyLines(tableMetrics, r, "pg.d.*.size", "pg.*.n_dead_tup"); got != "pg.d.s.t.n_dead_tup 0\npg.d.s.t.size 0\n" {
		t.Errorf("globs: %q", got)
	}
	n := 0
	boom := errors.New("boom")
	err := EachMetric(bigReport(3), nil, func(metric.Record) error { n++; return boom })
	if !errors.Is(err, boom) || n != 1 {
		t.Errorf("EachMetric after an error: %v, %d calls", err, n)
	}
}
