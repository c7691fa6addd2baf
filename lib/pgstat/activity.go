package pgstat

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Cluster-wide sections about what runs now: backends, locks, progress.

var backendsUnit = unit{name: "backends", scope: clusterWide, run: (*collector).readBackends,
	doc: "`pg_stat_activity`: client backends (other processes in `other_processes`), their state, wait and query (cut to `--sql-length`)"}

func (c *collector) readBackends(ctx context.Context, tx pgx.Tx) error {
	r := c.rep
	var err error
	r.Backends, err = rowsOf[Backend](ctx, tx, `SELECT COALESCE(datname, '') AS db_name, COALESCE(usename, '') AS role_name,
			COALESCE(application_name, '') AS application_name, pid,
			COALESCE(client_hostname::text, client_addr::text, '') AS client_addr,
			`+ep("backend_start")+` AS backend_start, `+ep("xact_start")+` AS xact_start,
			`+ep("query_start")+` AS query_start, `+ep("state_change")+` AS state_change,
			COALESCE(wait_event_type, '') AS wait_event_type, COALESCE(wait_event, '') AS wait_event,
			COALESCE(state, '') AS state, COALESCE(backend_xid::text::bigint, 0) AS backend_xid,
			COALESCE(backend_xmin::text::bigint, 0) AS backend_xmin,
			LEFT(COALESCE(query, ''), $1) AS query, `+c.since(140000, "COALESCE(query_id, 0)", "0")+` AS query_id,
			COALESCE(backend_type, '') AS backend_type
			FROM pg_stat_activity ORDER BY pid`, c.o.SQLLength)
	r.BETypeCounts = map[string]int{}
	all := r.Backends
	r.Backends, r.OtherProcesses = []Backend{}, nil
	for i := range all {
		b := &all[i]
		if b.QueryID != 0 {
			b.QueryIDStr = strconv.FormatInt(b.QueryID, 10)
		}
		r.BETypeCounts[b.BackendType]++
		// backends[] is pgmetrics' list: client backends (issue 19); the
		// other processes go to other_processes.
		if b.BackendType == "client backend" {
			r.Backends = append(r.Backends, *b)
		} else {
			r.OtherProcesses = append(r.OtherProcesses, *b)
		}
	}
	return err
}

var locksUnit = unit{name: "locks", scope: clusterWide, run: (*collector).readLocks,
	doc: "`pg_locks` and the blocking chains (`pg_blocking_pids()`, one statement)"}

func (c *collector) readLocks(ctx context.Context, tx pgx.Tx) error {
	r := c.rep
	var err error
	r.Locks, err = rowsOf[Lock](ctx, tx, `SELECT locktype, COALESCE(d.datname, '') AS db_name, COALESCE(pid, 0) AS pid,
			mode, granted, COALESCE(relation::bigint, 0) AS relation_oid,
			`+c.since(140000, ep("waitstart"), "0")+` AS waitstart
			FROM pg_locks l LEFT JOIN pg_database d ON l.database = d.oid ORDER BY pid, locktype`)
	if err != nil {
		return err
	}
	// Blocking chains: one call per waiting backend, in a single statement.
	rows, err := tx.Query(ctx, `SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock'`)
	if err != nil {
		return err
	}
	var pid int
	var by []int
	_, err = pgx.ForEachRow(rows, []any{&pid, &by}, func() error {
		if len(by) > 0 {
			if r.BlockingPIDs == nil {
				r.BlockingPIDs = map[int][]int{}
			}
			r.BlockingPIDs[pid] = append([]int(nil), by...)
		}
		return nil
	})
	return err
}

var progressUnit = unit{name: "progress", scope: clusterWide, run: (*collector).readProgress,
	doc: "the `pg_stat_progress_*` views: vacuum, create index, cluster; analyze and base backup (13+), copy (14+)"}

// readProgress reads one progress view per statement, columns renamed to
// pgmetrics' names; the views newer than 12 only where they exist.
func (c *collector) readProgress(ctx context.Context, tx pgx.Tx) error {
	views := []struct {
		since int
		read  func(context.Context, pgx.Tx) error
	}{
		{0, c.progressVacuum}, {0, c.progressCreateIndex}, {0, c.progressCluster},
		{130000, c.progressAnalyze}, {130000, c.progressBasebackup}, {140000, c.progressCopy},
	}
	for _, v := range views {
		if c.ver < v.since {
			return nil
		}
		if err := v.read(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// progressOID and progressRel: relid is only resolved to a name in the
// database we are connected to (an OID means another table elsewhere) and
// may be NULL (pgmetrics #83). Every column but pid and datname is NULL in
// the rows of other users' backends for a user without pg_read_all_stats:
// each is COALESCEd (zeros, texts), so that such a row does not fail the section.
func progressOID(col string) string { return "COALESCE(" + col + ", 0)::bigint" }

const progressRel = "CASE WHEN datname = current_database() THEN COALESCE(relid::regclass::text, '') ELSE '' END AS table_name"

// progressHead is the columns every per-table progress view starts with.
const progressHead = "pid, COALESCE(datname, '') AS db_name, COALESCE(relid, 0)::bigint AS table_oid, " + progressRel

// zeros is "COALESCE(col, 0) AS col" for each column; texts the same with ”.
func zeros(cols ...string) string { return coalesced("0", cols) }
func texts(cols ...string) string { return coalesced("''", cols) }

func coalesced(dflt string, cols []string) string {
	parts := make([]string, len(cols))
	for i, col := range cols {
		parts[i] = "COALESCE(" + col + ", " + dflt + ") AS " + col
	}
	return strings.Join(parts, ", ")
}

func (c *collector) progressVacuum(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.VacuumProgress, err = rowsOf[VacuumProgress](ctx, tx, `SELECT `+progressHead+`, `+texts("phase")+`,
			`+zeros("heap_blks_total", "heap_blks_scanned", "heap_blks_vacuumed", "index_vacuum_count")+`,
			`+c.since(170000, `COALESCE(max_dead_tuple_bytes, 0) AS max_dead_tuples, COALESCE(num_dead_item_ids, 0) AS num_dead_tuples,
			`+zeros("max_dead_tuple_bytes", "dead_tuple_bytes", "num_dead_item_ids", "indexes_total", "indexes_processed"),
		zeros("max_dead_tuples", "num_dead_tuples"))+`,
			`+c.since(180000, "COALESCE(delay_time, 0)", "0")+` AS delay_time
			FROM pg_stat_progress_vacuum ORDER BY pid`)
	return err
}

func (c *collector) progressCreateIndex(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.CreateIndexProgress, err = rowsOf[CreateIndexProgress](ctx, tx, `SELECT `+progressHead+`,
			`+progressOID("index_relid")+` AS index_oid, `+texts("command", "phase")+`,
			`+zeros("lockers_total", "lockers_done")+`, COALESCE(current_locker_pid, 0)::int AS current_locker_pid,
			`+zeros("blocks_total", "blocks_done", "tuples_total", "tuples_done", "partitions_total", "partitions_done")+`
			FROM pg_stat_progress_create_index ORDER BY pid`)
	return err
}

func (c *collector) progressCluster(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.ClusterProgress, err = rowsOf[ClusterProgress](ctx, tx, `SELECT `+progressHead+`, `+texts("command", "phase")+`,
			`+progressOID("cluster_index_relid")+` AS cluster_index_oid,
			`+zeros("heap_tuples_scanned", "heap_tuples_written", "heap_blks_total", "heap_blks_scanned", "index_rebuild_count")+`
			FROM pg_stat_progress_cluster ORDER BY pid`)
	return err
}

func (c *collector) progressAnalyze(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.AnalyzeProgress, err = rowsOf[AnalyzeProgress](ctx, tx, `SELECT `+progressHead+`, `+texts("phase")+`,
			`+zeros("sample_blks_total", "sample_blks_scanned", "ext_stats_total", "ext_stats_computed",
		"child_tables_total", "child_tables_done")+`,
			`+progressOID("current_child_table_relid")+` AS child_oid,
			`+c.since(180000, "COALESCE(delay_time, 0)", "0")+` AS delay_time
			FROM pg_stat_progress_analyze ORDER BY pid`)
	return err
}

func (c *collector) progressBasebackup(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.BasebackupProgress, err = rowsOf[BasebackupProgress](ctx, tx, `SELECT pid, `+texts("phase")+`,
			`+zeros("backup_total", "backup_streamed", "tablespaces_total", "tablespaces_streamed")+`
			FROM pg_stat_progress_basebackup ORDER BY pid`)
	return err
}

func (c *collector) progressCopy(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.CopyProgress, err = rowsOf[CopyProgress](ctx, tx, `SELECT `+progressHead+`, `+texts("command", "type")+`,
			`+zeros("bytes_processed", "bytes_total", "tuples_processed", "tuples_excluded")+`
			FROM pg_stat_progress_copy ORDER BY pid`)
	return err
}
