package pgstat

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
)

// Cluster-wide replication sections: standbys of this server, this
// server as a standby, and the slots.

var replicationOutgoingUnit = unit{name: "replication_outgoing", scope: clusterWide, run: (*collector).readReplicationOut,
	doc: "`pg_stat_replication` with lags in time and bytes"}

func (c *collector) readReplicationOut(ctx context.Context, tx pgx.Tx) error {
	lag := func(col string) string { return "COALESCE((EXTRACT(EPOCH FROM " + col + ") * 1000000)::bigint, 0)" }
	// pgmetrics' lags: whole seconds, rounded by the cast.
	secs := func(col string) string { return "COALESCE(EXTRACT(EPOCH FROM " + col + ")::bigint, 0)" }
	var err error
	c.rep.ReplicationOutgoing, err = rowsOf[ReplicationOut](ctx, tx, `SELECT COALESCE(usename, '') AS role_name,
			COALESCE(application_name, '') AS application_name, COALESCE(client_hostname, client_addr::text, '') AS client_addr,
			`+ep("backend_start")+` AS backend_start, COALESCE(backend_xmin::text::bigint, 0) AS backend_xmin,
			COALESCE(state, '') AS state, COALESCE(sent_lsn::text, '') AS sent_lsn, COALESCE(write_lsn::text, '') AS write_lsn,
			COALESCE(flush_lsn::text, '') AS flush_lsn, COALESCE(replay_lsn::text, '') AS replay_lsn,
			`+lag("write_lag")+` AS write_lag, `+lag("flush_lag")+` AS flush_lag, `+lag("replay_lag")+` AS replay_lag,
			`+secs("write_lag")+` AS write_lag_s, `+secs("flush_lag")+` AS flush_lag_s, `+secs("replay_lag")+` AS replay_lag_s,
			COALESCE(sync_priority, 0) AS sync_priority, COALESCE(sync_state, '') AS sync_state, pid,
			`+ep("reply_time")+` AS reply_time,
			CASE WHEN pg_is_in_recovery() OR replay_lsn IS NULL THEN 0
			     ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint END AS replay_lag_bytes
			FROM pg_stat_replication ORDER BY pid`)
	return err
}

// UnmarshalJSON reads pgreport's documents and pgmetrics': pgmetrics has
// the lags in whole seconds only, which then give the microseconds, so that
// the text report, the metrics and pgreport check read either.
func (o *ReplicationOut) UnmarshalJSON(b []byte) error {
	// plain: the same fields without this method; -1 marks a lag absent from b.
	type plain ReplicationOut
	p := plain{WriteLag: -1, FlushLag: -1, ReplayLag: -1}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	for _, l := range []struct {
		micros *int64
		secs   int64
	}{{&p.WriteLag, p.WriteLagSeconds}, {&p.FlushLag, p.FlushLagSeconds}, {&p.ReplayLag, p.ReplayLagSeconds}} {
		if *l.micros == -1 {
			*l.micros = l.secs * 1e6
		}
	}
	*o = ReplicationOut(p)
	return nil
}

var replicationIncomingUnit = unit{name: "replication_incoming", scope: clusterWide, run: (*collector).readReplicationIn,
	doc: "`pg_stat_wal_receiver` (on a standby)"}

// received_lsn is empty on PostgreSQL 13+ as in pgmetrics (the column
// became written_lsn and flushed_lsn, which carry the positions).

func (c *collector) readReplicationIn(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.ReplicationIncoming, err = rowOf[ReplicationIn](ctx, tx, `SELECT COALESCE(status, '') AS status,
			COALESCE(receive_start_lsn::text, '') AS receive_start_lsn, COALESCE(receive_start_tli, 0) AS receive_start_tli,
			COALESCE(`+c.since(130000, "NULL", "received_lsn")+`::text, '') AS received_lsn,
			COALESCE(received_tli, 0) AS received_tli,
			`+ep("last_msg_send_time")+` AS last_msg_send_time, `+ep("last_msg_receipt_time")+` AS last_msg_receipt_time,
			COALESCE((EXTRACT(EPOCH FROM (last_msg_receipt_time - last_msg_send_time)) * 1000000)::bigint, 0) AS latency_micros,
			COALESCE(latest_end_lsn::text, '') AS latest_end_lsn, `+ep("latest_end_time")+` AS latest_end_time,
			COALESCE(slot_name, '') AS slot_name, COALESCE(conninfo, '') AS conninfo,
			COALESCE(sender_host, '') AS sender_host, COALESCE(sender_port, 0) AS sender_port,
			`+c.since(130000, "COALESCE(written_lsn::text, '')", "''")+` AS written_lsn,
			`+c.since(130000, "COALESCE(flushed_lsn::text, '')", "''")+` AS flushed_lsn
			FROM pg_stat_wal_receiver`)
	return err
}

var replicationSlotsUnit = unit{name: "replication_slots", scope: clusterWide, run: (*collector).readReplicationSlots,
	doc: "`pg_replication_slots`"}

func (c *collector) readReplicationSlots(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.ReplicationSlots, err = rowsOf[ReplicationSlot](ctx, tx, `SELECT slot_name, COALESCE(plugin, '') AS plugin,
			slot_type, COALESCE(database, '') AS db_name, active, COALESCE(xmin::text::bigint, 0) AS xmin,
			COALESCE(catalog_xmin::text::bigint, 0) AS catalog_xmin, COALESCE(restart_lsn::text, '') AS restart_lsn,
			COALESCE(confirmed_flush_lsn::text, '') AS confirmed_flush_lsn, temporary,
			COALESCE(wal_status, '') AS wal_status, COALESCE(safe_wal_size, 0) AS safe_wal_size,
			`+c.since(140000, "two_phase", "false")+` AS two_phase,
			`+c.since(160000, "COALESCE(conflicting, false)", "false")+` AS conflicting FROM pg_replication_slots ORDER BY slot_name`)
	return err
}
