package pgstat

import (
	"strings"

	"github.com/cronkit/cronkit/lib/metric"
)

// counterFields are the fields (a record name's last segment) that are
// PostgreSQL's cumulative statistics: running totals since the server
// started or the statistics were reset. They are emitted as kind counter,
// so that statpost posts their increases and chartd charts their rates;
// every other field is a reading (kind value). docs/pgreport.md lists them.
var counterFields = map[string]bool{
	// pg_stat_archiver
	"archived_count": true, "failed_count": true,
	// pg_stat_bgwriter, and pg_stat_checkpointer (PostgreSQL 17+)
	"buffers_clean": true, "maxwritten_clean": true, "buffers_alloc": true,
	"checkpoints_timed": true, "checkpoints_req": true, "buffers_checkpoint": true, "buffers_backend": true,
	"num_timed": true, "num_requested": true, "buffers_written": true, "write_time": true, "sync_time": true,
	// pg_stat_wal
	"records": true, "fpi": true, "bytes": true, "buffers_full": true,
	// pg_stat_database
	"xact_commit": true, "xact_rollback": true, "blks_read": true, "blks_hit": true,
	"tup_returned": true, "tup_fetched": true, "tup_inserted": true, "tup_updated": true, "tup_deleted": true,
	"conflicts": true, "temp_files": true, "temp_bytes": true, "deadlocks": true,
	// pg_stat_user_tables, pg_statio_user_tables, pg_stat_user_indexes
	"seq_scan": true, "seq_tup_read": true, "idx_scan": true, "idx_tup_read": true,
	"n_tup_ins": true, "n_tup_upd": true, "n_tup_del": true, "n_tup_hot_upd": true,
	"vacuum_count": true, "autovacuum_count": true, "analyze_count": true, "autoanalyze_count": true,
	"heap_blks_read": true, "heap_blks_hit": true,
	// pg_stat_statements
	"calls": true, "total_time": true, "rows": true,
	// PgBouncer's SHOW STATS (since PgBouncer started)
	"total_xact_count": true, "total_query_count": true, "total_received": true, "total_sent": true, "total_wait_time": true,
}

// metricKind is the kind of the record named name (pg.….<field>).
func metricKind(name string) metric.Kind {
	if counterFields[name[strings.LastIndexByte(name, '.')+1:]] {
		return metric.Counter
	}
	return metric.Value
}
