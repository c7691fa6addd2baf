package pgstat

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// clusterSections collect cluster-wide data once, from the first connection.
// Each is one statement (or a fixed few), whatever the size of the catalog.
func (c *collector) clusterSections(ctx context.Context) {
	r := c.rep
	c.section(ctx, "server", false, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT `+ep("pg_postmaster_start_time()")+`, `+ep("pg_conf_load_time()")+`,
			version(), pg_is_in_recovery(), pg_notification_queue_usage()`).Scan(
			&r.StartTime, &r.ConfLoadTime, &r.FullVersion, &r.IsInRecovery, &r.NotificationQueueUsage)
	})
	c.section(ctx, "settings", false, func(ctx context.Context, tx pgx.Tx) error {
		// A setting from a file names it as pgmetrics does: FILE:LINE
		// (sourcefile is NULL for users without pg_read_all_settings).
		rows, err := tx.Query(ctx, `SELECT name, COALESCE(setting, ''), COALESCE(boot_val, ''),
			CASE WHEN sourcefile <> '' THEN sourcefile || ':' || COALESCE(sourceline, 0) ELSE COALESCE(source, '') END,
			COALESCE(pending_restart, false), COALESCE(unit, '') FROM pg_settings`)
		if err != nil {
			return err
		}
		var name, setting, boot, source, unit string
		var pending bool
		_, err = pgx.ForEachRow(rows, []any{&name, &setting, &boot, &source, &pending, &unit}, func() error {
			s := Setting{Setting: setting, Pending: pending, Unit: unit}
			if setting != boot {
				s.BootVal, s.Source = boot, source
			}
			r.Settings[name] = s
			return nil
		})
		return err
	})
	c.section(ctx, "control", false, func(ctx context.Context, tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT has_function_privilege('pg_control_checkpoint()', 'EXECUTE')
			AND has_function_privilege('pg_control_system()', 'EXECUTE')`).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			c.gap("control: no EXECUTE on pg_control_checkpoint() (checkpoint and XID range left empty)")
			return nil
		}
		var nextXid string
		err := tx.QueryRow(ctx, `SELECT s.system_identifier::text, COALESCE(k.checkpoint_lsn::text, ''),
			COALESCE(k.redo_lsn::text, ''), k.timeline_id, COALESCE(k.next_xid, ''), k.oldest_xid::text::bigint,
			k.oldest_active_xid::text::bigint, `+ep("k.checkpoint_time")+`
			FROM pg_control_system() s, pg_control_checkpoint() k`).Scan(
			&r.SystemIdentifier, &r.CheckpointLSN, &r.RedoLSN, &r.TimelineID, &nextXid, &r.OldestXid,
			&r.OldestActiveXid, &r.CheckpointTime)
		// next_xid is "epoch:xid".
		if i := strings.IndexByte(nextXid, ':'); i >= 0 {
			nextXid = nextXid[i+1:]
		}
		r.NextXid, _ = strconv.ParseInt(nextXid, 10, 64)
		return err
	})
	c.section(ctx, "wal_position", false, func(ctx context.Context, tx pgx.Tx) error {
		// CASE keeps the primary-only functions from running on a standby.
		return tx.QueryRow(ctx, `SELECT
			CASE WHEN pg_is_in_recovery() THEN '' ELSE pg_current_wal_flush_lsn()::text END,
			CASE WHEN pg_is_in_recovery() THEN '' ELSE pg_current_wal_insert_lsn()::text END,
			CASE WHEN pg_is_in_recovery() THEN '' ELSE pg_current_wal_lsn()::text END,
			CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END,
			COALESCE(pg_last_wal_receive_lsn()::text, ''), COALESCE(pg_last_wal_replay_lsn()::text, ''),
			`+ep("pg_last_xact_replay_timestamp()")).Scan(&r.WALFlushLSN, &r.WALInsertLSN, &r.WALLSN,
			&r.IsWalReplayPaused, &r.LastWALReceiveLSN, &r.LastWALReplayLSN, &r.LastXactReplayTimestamp)
	})
	c.section(ctx, "wal_files", false, func(ctx context.Context, tx pgx.Tx) error {
		if !c.monitor {
			c.gap("wal_files: pg_ls_waldir() needs pg_monitor (wal_count = -1)")
			return nil
		}
		var maxName string
		var segSize int64
		err := tx.QueryRow(ctx, `SELECT count(*), COALESCE(max(name) FILTER (WHERE name ~ '^[0-9A-F]{24}$'), ''),
			(SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'),
			(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')
			FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'`).Scan(&r.WALCount, &maxName, &r.WALReadyCount, &segSize)
		if len(maxName) == 24 && segSize > 0 {
			log, _ := strconv.ParseInt(maxName[8:16], 16, 64)
			seg, _ := strconv.ParseInt(maxName[16:24], 16, 64)
			r.HighestWALSegment = log*(0x100000000/segSize) + seg
		}
		return err
	})
	c.section(ctx, "wal_archiving", false, func(ctx context.Context, tx pgx.Tx) error {
		a, err := rowsOf[WALArchiving](ctx, tx, `SELECT archived_count, COALESCE(last_archived_wal, '') AS last_archived_wal,
			`+ep("last_archived_time")+` AS last_archived_time, failed_count,
			COALESCE(last_failed_wal, '') AS last_failed_wal, `+ep("last_failed_time")+` AS last_failed_time,
			`+ep("stats_reset")+` AS stats_reset FROM pg_stat_archiver`)
		if len(a) == 1 {
			r.WALArchiving = a[0]
		}
		return err
	})
	c.section(ctx, "bg_writer", false, func(ctx context.Context, tx pgx.Tx) error {
		q := `SELECT buffers_clean, maxwritten_clean, buffers_alloc, ` + ep("stats_reset") + ` AS stats_reset`
		if c.ver < 170000 {
			q += `, checkpoints_timed, checkpoints_req, checkpoint_write_time, checkpoint_sync_time,
				buffers_checkpoint, buffers_backend, buffers_backend_fsync`
		}
		b, err := rowsOf[BGWriter](ctx, tx, q+` FROM pg_stat_bgwriter`)
		if len(b) == 1 {
			r.BGWriter = b[0]
		}
		return err
	})
	if c.ver >= 170000 {
		c.section(ctx, "checkpointer", false, func(ctx context.Context, tx pgx.Tx) error {
			b, err := rowsOf[Checkpointer](ctx, tx, `SELECT num_timed, num_requested, restartpoints_timed,
				restartpoints_req, restartpoints_done, write_time, sync_time, buffers_written,
				`+c.since(180000, "num_done, slru_written", "0 AS num_done, 0 AS slru_written")+`,
				`+ep("stats_reset")+` AS stats_reset FROM pg_stat_checkpointer`)
			if len(b) == 1 {
				r.Checkpointer = &b[0]
			}
			return err
		})
	}
	if c.ver >= 140000 {
		c.section(ctx, "wal", false, func(ctx context.Context, tx pgx.Tx) error {
			// PostgreSQL 18 moved the write and sync counts and times to
			// pg_stat_io (object 'wal'); the sum over its contexts is the same figure.
			io := func(col string) string {
				return "(SELECT COALESCE(sum(" + col + "), 0) FROM pg_stat_io WHERE object = 'wal')"
			}
			w, err := rowsOf[WAL](ctx, tx, `SELECT wal_records AS records, wal_fpi AS fpi, wal_bytes::bigint AS bytes,
				wal_buffers_full AS buffers_full, `+c.since(180000, io("writes")+"::bigint", "wal_write")+` AS write,
				`+c.since(180000, io("fsyncs")+"::bigint", "wal_sync")+` AS sync,
				`+c.since(180000, io("write_time"), "wal_write_time")+` AS write_time,
				`+c.since(180000, io("fsync_time"), "wal_sync_time")+` AS sync_time, `+ep("stats_reset")+` AS stats_reset FROM pg_stat_wal`)
			if len(w) == 1 {
				r.WAL = &w[0]
			}
			return err
		})
	}
	if c.ver >= 160000 {
		c.section(ctx, "stat_io", false, func(ctx context.Context, tx pgx.Tx) error {
			var err error
			r.StatIOs, err = rowsOf[StatIO](ctx, tx, `SELECT backend_type, object, context,
				COALESCE(reads, 0) AS reads, COALESCE(read_time, 0) AS read_time, COALESCE(writes, 0) AS writes,
				COALESCE(write_time, 0) AS write_time, COALESCE(extends, 0) AS extends, COALESCE(hits, 0) AS hits,
				COALESCE(evictions, 0) AS evictions, COALESCE(fsyncs, 0) AS fsyncs, `+ep("stats_reset")+` AS stats_reset,
				`+c.since(180000, "COALESCE(read_bytes, 0) AS read_bytes, COALESCE(write_bytes, 0) AS write_bytes, COALESCE(extend_bytes, 0) AS extend_bytes",
				"COALESCE(reads * op_bytes, 0) AS read_bytes, COALESCE(writes * op_bytes, 0) AS write_bytes, COALESCE(extends * op_bytes, 0) AS extend_bytes")+`,
				COALESCE(extend_time, 0) AS extend_time, COALESCE(writebacks, 0) AS writebacks,
				COALESCE(writeback_time, 0) AS writeback_time, COALESCE(reuses, 0) AS reuses, COALESCE(fsync_time, 0) AS fsync_time
				FROM pg_stat_io
				-- All-zero rows (combinations that never do IO) dropped, as pgmetrics does.
				WHERE COALESCE(reads, 0) + COALESCE(writes, 0) + COALESCE(extends, 0) + COALESCE(writebacks, 0)
				    + COALESCE(hits, 0) + COALESCE(evictions, 0) + COALESCE(reuses, 0) + COALESCE(fsyncs, 0) > 0`)
			return err
		})
	}
	c.section(ctx, "replication_outgoing", false, func(ctx context.Context, tx pgx.Tx) error {
		lag := func(col string) string { return "COALESCE((EXTRACT(EPOCH FROM " + col + ") * 1000000)::bigint, 0)" }
		var err error
		r.ReplicationOutgoing, err = rowsOf[ReplicationOut](ctx, tx, `SELECT COALESCE(usename, '') AS role_name,
			COALESCE(application_name, '') AS application_name, COALESCE(client_addr::text, '') AS client_addr,
			`+ep("backend_start")+` AS backend_start, COALESCE(backend_xmin::text::bigint, 0) AS backend_xmin,
			COALESCE(state, '') AS state, COALESCE(sent_lsn::text, '') AS sent_lsn, COALESCE(write_lsn::text, '') AS write_lsn,
			COALESCE(flush_lsn::text, '') AS flush_lsn, COALESCE(replay_lsn::text, '') AS replay_lsn,
			`+lag("write_lag")+` AS write_lag, `+lag("flush_lag")+` AS flush_lag, `+lag("replay_lag")+` AS replay_lag,
			COALESCE(sync_priority, 0) AS sync_priority, COALESCE(sync_state, '') AS sync_state, pid,
			`+ep("reply_time")+` AS reply_time,
			CASE WHEN pg_is_in_recovery() OR replay_lsn IS NULL THEN 0
			     ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint END AS replay_lag_bytes
			FROM pg_stat_replication ORDER BY pid`)
		return err
	})
	c.section(ctx, "replication_incoming", false, func(ctx context.Context, tx pgx.Tx) error {
		in, err := rowsOf[ReplicationIn](ctx, tx, `SELECT COALESCE(status, '') AS status,
			COALESCE(receive_start_lsn::text, '') AS receive_start_lsn, COALESCE(receive_start_tli, 0) AS receive_start_tli,
			COALESCE(`+c.since(130000, "written_lsn", "received_lsn")+`::text, '') AS received_lsn,
			COALESCE(received_tli, 0) AS received_tli,
			`+ep("last_msg_send_time")+` AS last_msg_send_time, `+ep("last_msg_receipt_time")+` AS last_msg_receipt_time,
			COALESCE((EXTRACT(EPOCH FROM (last_msg_receipt_time - last_msg_send_time)) * 1000000)::bigint, 0) AS latency_micros,
			COALESCE(latest_end_lsn::text, '') AS latest_end_lsn, `+ep("latest_end_time")+` AS latest_end_time,
			COALESCE(slot_name, '') AS slot_name, COALESCE(conninfo, '') AS conninfo,
			COALESCE(sender_host, '') AS sender_host, COALESCE(sender_port, 0) AS sender_port,
			`+c.since(130000, "COALESCE(written_lsn::text, '')", "''")+` AS written_lsn,
			`+c.since(130000, "COALESCE(flushed_lsn::text, '')", "''")+` AS flushed_lsn
			FROM pg_stat_wal_receiver`)
		if len(in) == 1 {
			r.ReplicationIncoming = &in[0]
		}
		return err
	})
	c.section(ctx, "replication_slots", false, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		r.ReplicationSlots, err = rowsOf[ReplicationSlot](ctx, tx, `SELECT slot_name, COALESCE(plugin, '') AS plugin,
			slot_type, COALESCE(database, '') AS db_name, active, COALESCE(xmin::text::bigint, 0) AS xmin,
			COALESCE(catalog_xmin::text::bigint, 0) AS catalog_xmin, COALESCE(restart_lsn::text, '') AS restart_lsn,
			COALESCE(confirmed_flush_lsn::text, '') AS confirmed_flush_lsn, temporary,
			COALESCE(wal_status, '') AS wal_status, COALESCE(safe_wal_size, 0) AS safe_wal_size,
			`+c.since(140000, "two_phase", "false")+` AS two_phase,
			`+c.since(160000, "COALESCE(conflicting, false)", "false")+` AS conflicting FROM pg_replication_slots ORDER BY slot_name`)
		return err
	})
	c.section(ctx, "backends", false, func(ctx context.Context, tx pgx.Tx) error {
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
		for i := range r.Backends {
			b := &r.Backends[i]
			if b.QueryID != 0 {
				b.QueryIDStr = strconv.FormatInt(b.QueryID, 10)
			}
			r.BETypeCounts[b.BackendType]++
		}
		return err
	})
	c.section(ctx, "locks", false, func(ctx context.Context, tx pgx.Tx) error {
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
	})
	c.preparedXacts(ctx)
	c.section(ctx, "progress", false, func(ctx context.Context, tx pgx.Tx) error {
		// One statement per view, columns renamed to pgmetrics' names. relid
		// is only resolved to a name in the database we are connected to
		// (an OID means another table elsewhere) and may be NULL (pgmetrics #83).
		oid := func(col string) string { return "COALESCE(" + col + ", 0)::bigint" }
		rel := "CASE WHEN datname = current_database() THEN COALESCE(relid::regclass::text, '') ELSE '' END AS table_name"
		var err error
		r.VacuumProgress, err = rowsOf[VacuumProgress](ctx, tx, `SELECT pid, COALESCE(datname, '') AS db_name,
			`+oid("relid")+` AS table_oid, `+rel+`, phase,
			heap_blks_total, heap_blks_scanned, heap_blks_vacuumed, index_vacuum_count,
			`+c.since(170000, `max_dead_tuple_bytes AS max_dead_tuples, num_dead_item_ids AS num_dead_tuples,
			max_dead_tuple_bytes, dead_tuple_bytes, num_dead_item_ids, indexes_total, indexes_processed`,
			"max_dead_tuples, num_dead_tuples")+`,
			`+c.since(180000, "COALESCE(delay_time, 0)", "0")+` AS delay_time
			FROM pg_stat_progress_vacuum ORDER BY pid`)
		if err != nil {
			return err
		}
		r.CreateIndexProgress, err = rowsOf[CreateIndexProgress](ctx, tx, `SELECT pid, COALESCE(datname, '') AS db_name,
			`+oid("relid")+` AS table_oid, `+rel+`, `+oid("index_relid")+` AS index_oid, command, phase,
			COALESCE(lockers_total, 0) AS lockers_total, COALESCE(lockers_done, 0) AS lockers_done,
			COALESCE(current_locker_pid, 0)::int AS current_locker_pid, COALESCE(blocks_total, 0) AS blocks_total,
			COALESCE(blocks_done, 0) AS blocks_done, COALESCE(tuples_total, 0) AS tuples_total,
			COALESCE(tuples_done, 0) AS tuples_done, COALESCE(partitions_total, 0) AS partitions_total,
			COALESCE(partitions_done, 0) AS partitions_done
			FROM pg_stat_progress_create_index ORDER BY pid`)
		if err != nil {
			return err
		}
		r.ClusterProgress, err = rowsOf[ClusterProgress](ctx, tx, `SELECT pid, COALESCE(datname, '') AS db_name,
			`+oid("relid")+` AS table_oid, `+rel+`, command, phase, `+oid("cluster_index_relid")+` AS cluster_index_oid,
			COALESCE(heap_tuples_scanned, 0) AS heap_tuples_scanned, COALESCE(heap_tuples_written, 0) AS heap_tuples_written,
			COALESCE(heap_blks_total, 0) AS heap_blks_total, COALESCE(heap_blks_scanned, 0) AS heap_blks_scanned,
			COALESCE(index_rebuild_count, 0) AS index_rebuild_count
			FROM pg_stat_progress_cluster ORDER BY pid`)
		if err != nil || c.ver < 130000 {
			return err
		}
		r.AnalyzeProgress, err = rowsOf[AnalyzeProgress](ctx, tx, `SELECT pid, COALESCE(datname, '') AS db_name,
			`+oid("relid")+` AS table_oid, `+rel+`, phase,
			COALESCE(sample_blks_total, 0) AS sample_blks_total, COALESCE(sample_blks_scanned, 0) AS sample_blks_scanned,
			COALESCE(ext_stats_total, 0) AS ext_stats_total, COALESCE(ext_stats_computed, 0) AS ext_stats_computed,
			COALESCE(child_tables_total, 0) AS child_tables_total, COALESCE(child_tables_done, 0) AS child_tables_done,
			`+oid("current_child_table_relid")+` AS child_oid,
			`+c.since(180000, "COALESCE(delay_time, 0)", "0")+` AS delay_time
			FROM pg_stat_progress_analyze ORDER BY pid`)
		if err != nil {
			return err
		}
		r.BasebackupProgress, err = rowsOf[BasebackupProgress](ctx, tx, `SELECT pid, phase,
			COALESCE(backup_total, 0) AS backup_total, COALESCE(backup_streamed, 0) AS backup_streamed,
			COALESCE(tablespaces_total, 0) AS tablespaces_total, COALESCE(tablespaces_streamed, 0) AS tablespaces_streamed
			FROM pg_stat_progress_basebackup ORDER BY pid`)
		if err != nil || c.ver < 140000 {
			return err
		}
		r.CopyProgress, err = rowsOf[CopyProgress](ctx, tx, `SELECT pid, COALESCE(datname, '') AS db_name,
			`+oid("relid")+` AS table_oid, `+rel+`, command, type,
			COALESCE(bytes_processed, 0) AS bytes_processed, COALESCE(bytes_total, 0) AS bytes_total,
			COALESCE(tuples_processed, 0) AS tuples_processed, COALESCE(tuples_excluded, 0) AS tuples_excluded
			FROM pg_stat_progress_copy ORDER BY pid`)
		return err
	})
	c.section(ctx, "roles", false, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		r.Roles, err = rowsOf[Role](ctx, tx, `SELECT r.oid::bigint AS oid, rolname AS name, rolsuper, rolinherit,
			rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit,
			`+ep("rolvaliduntil")+` AS rolvaliduntil,
			COALESCE(ARRAY(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON m.roleid = b.oid
			               WHERE m.member = r.oid ORDER BY 1), '{}') AS memberof
			FROM pg_roles r ORDER BY r.oid`)
		return err
	})
	c.section(ctx, "databases", false, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		r.Databases, err = rowsOf[Database](ctx, tx, `SELECT d.oid::bigint AS oid, d.datname AS name,
			d.datdba::bigint AS datdba, d.dattablespace::bigint AS dattablespace, d.datconnlimit,
			age(d.datfrozenxid) AS age_datfrozenxid, mxid_age(d.datminmxid) AS age_datminmxid,
			d.datallowconn, d.datistemplate,
			COALESCE(s.numbackends, 0) AS numbackends, COALESCE(s.xact_commit, 0) AS xact_commit,
			COALESCE(s.xact_rollback, 0) AS xact_rollback, COALESCE(s.blks_read, 0) AS blks_read,
			COALESCE(s.blks_hit, 0) AS blks_hit, COALESCE(s.tup_returned, 0) AS tup_returned,
			COALESCE(s.tup_fetched, 0) AS tup_fetched, COALESCE(s.tup_inserted, 0) AS tup_inserted,
			COALESCE(s.tup_updated, 0) AS tup_updated, COALESCE(s.tup_deleted, 0) AS tup_deleted,
			COALESCE(s.conflicts, 0) AS conflicts, COALESCE(s.temp_files, 0) AS temp_files,
			COALESCE(s.temp_bytes, 0) AS temp_bytes, COALESCE(s.deadlocks, 0) AS deadlocks,
			COALESCE(s.blk_read_time, 0) AS blk_read_time, COALESCE(s.blk_write_time, 0) AS blk_write_time,
			`+ep("s.stats_reset")+` AS stats_reset,
			CASE WHEN has_database_privilege(d.oid, 'CONNECT') OR pg_has_role('pg_read_all_stats', 'USAGE')
			     THEN pg_database_size(d.oid) ELSE -1 END AS size,
			COALESCE(s.checksum_failures, 0) AS checksum_failures, `+ep("s.checksum_last_failure")+` AS checksum_last_failure
			`+c.since(140000, `, COALESCE(s.session_time, 0) AS session_time, COALESCE(s.active_time, 0) AS active_time,
			COALESCE(s.idle_in_transaction_time, 0) AS idle_in_transaction_time, COALESCE(s.sessions, 0) AS sessions,
			COALESCE(s.sessions_abandoned, 0) AS sessions_abandoned, COALESCE(s.sessions_fatal, 0) AS sessions_fatal,
			COALESCE(s.sessions_killed, 0) AS sessions_killed`, "")+`
			`+c.since(180000, `, COALESCE(s.parallel_workers_to_launch, 0) AS parallel_workers_to_launch,
			COALESCE(s.parallel_workers_launched, 0) AS parallel_workers_launched`, "")+`,
			CASE WHEN COALESCE(s.conflicts, 0) > 0 THEN (SELECT jsonb_strip_nulls(to_jsonb(x) - 'datid' - 'datname')
				FROM pg_stat_database_conflicts x WHERE x.datid = d.oid) END AS conflicts_by_type
			FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid
			WHERE NOT d.datistemplate ORDER BY d.oid`) // as pgmetrics: templates left out
		return err
	})
	c.section(ctx, "tablespaces", false, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		r.Tablespaces, err = rowsOf[Tablespace](ctx, tx, `SELECT t.oid::bigint AS oid, spcname AS name,
			pg_get_userbyid(spcowner) AS owner,
			CASE WHEN spcname NOT IN ('pg_default', 'pg_global') THEN pg_tablespace_location(t.oid)
			     WHEN NOT pg_has_role('pg_read_all_settings', 'USAGE') THEN ''
			     -- pg_default and pg_global: the data directory, as pgmetrics gives it.
			     ELSE current_setting('data_directory') END AS location,
			CASE WHEN has_tablespace_privilege(t.oid, 'CREATE') OR pg_has_role('pg_read_all_stats', 'USAGE')
			          OR t.oid = (SELECT dattablespace FROM pg_database WHERE datname = current_database())
			     THEN pg_tablespace_size(t.oid) ELSE -1 END AS size
			FROM pg_tablespace t ORDER BY t.oid`)
		return err
	})
}
