package pgstat

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Cluster-wide sections about the server itself, its WAL and its
// background writers: each one statement (or a fixed few), whatever the size
// of the catalog, run once from the first connection.

var serverUnit = unit{name: "server", scope: clusterWide, run: (*collector).readServer,
	doc: "version, start and config-load time, recovery state, notification queue"}

func (c *collector) readServer(ctx context.Context, tx pgx.Tx) error {
	r := c.rep
	return tx.QueryRow(ctx, `SELECT `+ep("pg_postmaster_start_time()")+`, `+ep("pg_conf_load_time()")+`,
			version(), pg_is_in_recovery(), pg_notification_queue_usage()`).Scan(
		&r.StartTime, &r.ConfLoadTime, &r.FullVersion, &r.IsInRecovery, &r.NotificationQueueUsage)
}

var settingsUnit = unit{name: "settings", scope: clusterWide, run: (*collector).readSettings,
	doc: "`pg_settings`: value, unit, and boot value and source where they differ"}

func (c *collector) readSettings(ctx context.Context, tx pgx.Tx) error {
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
		c.rep.Settings[name] = s
		return nil
	})
	if err != nil {
		return err
	}
	return c.serverSettings(ctx, tx)
}

// ownSettings are the settings pgreport sets for its own session at
// connect (read-only, no JIT) that pgmetrics does not: pg_settings shows the
// session's value, a pgmetrics reader expects the server's.
var ownSettings = []string{"default_transaction_read_only", "jit"}

// serverSettingsSQL resolves what a session without pgreport's startup
// parameters would get, in the server's order of precedence: ALTER ROLE IN
// DATABASE, ALTER ROLE, ALTER DATABASE, then (with fileSettings, which
// needs pg_read_all_settings) the configuration files; else the boot value.
// A setting whose source is neither 'client' (startup) nor 'session' (the
// SET after a target_session_attrs check) was not set by pgreport.
func serverSettingsSQL(fileSettings bool) string {
	file := ""
	if fileSettings {
		file = `
		UNION ALL SELECT 4, f.setting, f.sourcefile || ':' || f.sourceline
		FROM pg_show_all_file_settings() f WHERE f.name = own.name AND f.applied`
	}
	return `WITH own AS (
	SELECT name, boot_val FROM pg_settings WHERE name = ANY($1) AND source IN ('client', 'session')
), dr AS (
	SELECT d.setdatabase <> 0 AS db, d.setrole <> 0 AS role,
		split_part(cfg, '=', 1) AS name, substr(cfg, strpos(cfg, '=') + 1) AS val
	FROM pg_db_role_setting d, unnest(d.setconfig) AS cfg
	WHERE d.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
	  AND d.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = session_user))
)
SELECT own.name, own.boot_val, m.val, m.src FROM own LEFT JOIN LATERAL (
	SELECT val, src FROM (
		SELECT CASE WHEN db AND role THEN 1 WHEN role THEN 2 ELSE 3 END AS prio, val,
			CASE WHEN db AND role THEN 'database user' WHEN role THEN 'user' ELSE 'database' END AS src
		FROM dr WHERE dr.name = own.name AND (db OR role)` + file + `
	) cand ORDER BY prio LIMIT 1
) m ON true`
}

// serverSettings puts the server's values in place of pgreport's own
// session settings, and transaction_read_only follows: off unless the
// server's default says on or it is a standby.
func (c *collector) serverSettings(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, serverSettingsSQL(c.fileSettings), ownSettings)
	if err != nil {
		return err
	}
	var name, boot string
	var val, src *string
	_, err = pgx.ForEachRow(rows, []any{&name, &boot, &val, &src}, func() error {
		s := c.rep.Settings[name]
		s.Setting, s.BootVal, s.Source = boot, "", ""
		if val != nil {
			if v := normBool(*val); v != boot {
				s.Setting, s.BootVal, s.Source = v, boot, *src
			}
		}
		c.rep.Settings[name] = s
		return nil
	})
	if err != nil {
		return err
	}
	if tro, ok := c.rep.Settings["transaction_read_only"]; ok {
		tro.Setting = "off"
		if c.rep.IsInRecovery || c.rep.Settings["default_transaction_read_only"].Setting == "on" {
			tro.Setting = "on"
		}
		switch {
		case tro.Setting == tro.BootVal || (tro.BootVal == "" && tro.Setting == "off"):
			tro.BootVal, tro.Source = "", ""
		case c.rep.IsInRecovery:
			tro.Source = "override" // what the recovery sets, as pg_settings says to others
		}
		c.rep.Settings["transaction_read_only"] = tro
	}
	return nil
}

// normBool spells a boolean setting as pg_settings does (on/off); other
// values are returned as they are.
func normBool(v string) string {
	switch strings.ToLower(strings.Trim(v, "' ")) {
	case "on", "true", "yes", "1", "t", "y":
		return "on"
	case "off", "false", "no", "0", "f", "n":
		return "off"
	}
	return v
}

var controlUnit = unit{name: "control", scope: clusterWide, run: (*collector).readControl,
	doc: "system identifier, last checkpoint and XID range (`pg_control_system()`, `pg_control_checkpoint()`; a gap without EXECUTE on them)"}

func (c *collector) readControl(ctx context.Context, tx pgx.Tx) error {
	r := c.rep
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
}

var walPositionUnit = unit{name: "wal_position", scope: clusterWide, run: (*collector).readWALPosition,
	doc: "current, flushed and inserted WAL positions; received and replayed on a standby"}

func (c *collector) readWALPosition(ctx context.Context, tx pgx.Tx) error {
	r := c.rep
	// CASE keeps the primary-only functions from running on a standby.
	return tx.QueryRow(ctx, `SELECT
			CASE WHEN pg_is_in_recovery() THEN '' ELSE pg_current_wal_flush_lsn()::text END,
			CASE WHEN pg_is_in_recovery() THEN '' ELSE pg_current_wal_insert_lsn()::text END,
			CASE WHEN pg_is_in_recovery() THEN '' ELSE pg_current_wal_lsn()::text END,
			CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END,
			COALESCE(pg_last_wal_receive_lsn()::text, ''), COALESCE(pg_last_wal_replay_lsn()::text, ''),
			`+ep("pg_last_xact_replay_timestamp()")).Scan(&r.WALFlushLSN, &r.WALInsertLSN, &r.WALLSN,
		&r.IsWalReplayPaused, &r.LastWALReceiveLSN, &r.LastWALReplayLSN, &r.LastXactReplayTimestamp)
}

var walFilesUnit = unit{name: "wal_files", scope: clusterWide, run: (*collector).readWALFiles,
	doc: "WAL segment and ready-to-archive counts (`pg_ls_waldir()`, `pg_ls_archive_statusdir()`; a gap without pg_monitor)"}

func (c *collector) readWALFiles(ctx context.Context, tx pgx.Tx) error {
	r := c.rep
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
}

var walArchivingUnit = unit{name: "wal_archiving", scope: clusterWide, run: (*collector).readWALArchiving,
	doc: "`pg_stat_archiver`"}

func (c *collector) readWALArchiving(ctx context.Context, tx pgx.Tx) error {
	a, err := rowOf[WALArchiving](ctx, tx, `SELECT archived_count, COALESCE(last_archived_wal, '') AS last_archived_wal,
			`+ep("last_archived_time")+` AS last_archived_time, failed_count,
			COALESCE(last_failed_wal, '') AS last_failed_wal, `+ep("last_failed_time")+` AS last_failed_time,
			`+ep("stats_reset")+` AS stats_reset FROM pg_stat_archiver`)
	c.rep.WALArchiving = deref(a)
	return err
}

var bgWriterUnit = unit{name: "bg_writer", scope: clusterWide, run: (*collector).readBGWriter,
	doc: "`pg_stat_bgwriter` (with the checkpoint columns before 17)"}

func (c *collector) readBGWriter(ctx context.Context, tx pgx.Tx) error {
	q := `SELECT buffers_clean, maxwritten_clean, buffers_alloc, ` + ep("stats_reset") + ` AS stats_reset`
	if c.ver < 170000 {
		q += `, checkpoints_timed, checkpoints_req, checkpoint_write_time, checkpoint_sync_time,
				buffers_checkpoint, buffers_backend, buffers_backend_fsync`
	}
	b, err := rowOf[BGWriter](ctx, tx, q+` FROM pg_stat_bgwriter`)
	c.rep.BGWriter = deref(b)
	return err
}

var checkpointerUnit = unit{name: "checkpointer", scope: clusterWide, since: 170000, run: (*collector).readCheckpointer,
	doc: "`pg_stat_checkpointer` (`num_done`, `slru_written` from 18)"}

func (c *collector) readCheckpointer(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.Checkpointer, err = rowOf[Checkpointer](ctx, tx, `SELECT num_timed, num_requested, restartpoints_timed,
				restartpoints_req, restartpoints_done, write_time, sync_time, buffers_written,
				`+c.since(180000, "num_done, slru_written", "0 AS num_done, 0 AS slru_written")+`,
				`+ep("stats_reset")+` AS stats_reset FROM pg_stat_checkpointer`)
	return err
}

var walUnit = unit{name: "wal", scope: clusterWide, since: 140000, run: (*collector).readWAL,
	doc: "`pg_stat_wal` (writes and syncs from `pg_stat_io` on 18)"}

func (c *collector) readWAL(ctx context.Context, tx pgx.Tx) error {
	// PostgreSQL 18 moved the write and sync counts and times to
	// pg_stat_io (object 'wal'); the sum over its contexts is the same figure.
	io := func(col string) string {
		return "(SELECT COALESCE(sum(" + col + "), 0) FROM pg_stat_io WHERE object = 'wal')"
	}
	var err error
	c.rep.WAL, err = rowOf[WAL](ctx, tx, `SELECT wal_records AS records, wal_fpi AS fpi, wal_bytes::bigint AS bytes,
				wal_buffers_full AS buffers_full, `+c.since(180000, io("writes")+"::bigint", "wal_write")+` AS write,
				`+c.since(180000, io("fsyncs")+"::bigint", "wal_sync")+` AS sync,
				`+c.since(180000, io("write_time"), "wal_write_time")+` AS write_time,
				`+c.since(180000, io("fsync_time"), "wal_sync_time")+` AS sync_time, `+ep("stats_reset")+` AS stats_reset FROM pg_stat_wal`)
	return err
}

var statIOUnit = unit{name: "stat_io", scope: clusterWide, since: 160000, run: (*collector).readStatIO,
	doc: "`pg_stat_io`"}

func (c *collector) readStatIO(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.StatIOs, err = rowsOf[StatIO](ctx, tx, `SELECT backend_type, object, context,
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
}
