package pgstat

import (
	"context"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// A COPY and a CREATE INDEX CONCURRENTLY caught in the act show up in
// copy_progress and create_index_progress under pgmetrics' field names
// (not the views' column names), with the table resolved.
func TestProgressViews(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "progress")
	c.Exec(t, db, "CREATE TABLE loading (id int)", "CREATE TABLE indexing (id int)")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// COPY FROM STDIN stays in progress while its input is open.
	copier := c.Connect(t, db)
	pr, pw := io.Pipe()
	copyDone := make(chan error, 1)
	go func() {
		_, err := copier.PgConn().CopyFrom(ctx, pr, "COPY loading FROM STDIN")
		copyDone <- err
	}()
	if _, err := pw.Write([]byte("1\n2\n")); err != nil {
		t.Fatal(err)
	}
	// CREATE INDEX CONCURRENTLY waits for a writer's open transaction.
	writer := c.Connect(t, db)
	if _, err := writer.Exec(ctx, "BEGIN; INSERT INTO indexing VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	indexer := c.Connect(t, db)
	cicDone := make(chan error, 1)
	go func() {
		_, err := indexer.Exec(ctx, "CREATE INDEX CONCURRENTLY indexing_id ON indexing (id)")
		cicDone <- err
	}()
	t.Cleanup(func() {
		_ = pw.Close()
		_, _ = writer.Exec(context.Background(), "ROLLBACK")
		<-copyDone
		<-cicDone
	})
	mon := c.Connect(t, "postgres")
	pgsandbox.WaitFor(t, mon, "SELECT EXISTS (SELECT 1 FROM pg_stat_progress_copy) AND EXISTS (SELECT 1 FROM pg_stat_progress_create_index)")

	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db)})
	if err != nil {
		t.Fatalf("Collect: %v %+v", err, rep.Meta.Errors)
	}
	if len(rep.CopyProgress) != 1 || len(rep.CreateIndexProgress) != 1 {
		t.Fatalf("copy_progress %+v, create_index_progress %+v", rep.CopyProgress, rep.CreateIndexProgress)
	}
	if p := rep.CopyProgress[0]; p.DBName != db || p.TableName != "loading" || p.TableOID == 0 || p.Command != "COPY FROM" || p.Type != "PIPE" || p.PID == 0 {
		t.Errorf("copy_progress = %+v", p)
	}
	if p := rep.CreateIndexProgress[0]; p.DBName != db || p.TableName != "indexing" || p.Command != "CREATE INDEX CONCURRENTLY" || p.Phase == "" {
		t.Errorf("create_index_progress = %+v", p)
	}
	b, _ := json.Marshal(rep)
	for _, key := range []string{`"copy_progress":[{"pid":`, `"bytes_processed":`, `"index_oid":`, `"lockers_total":`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	var text strings.Builder
	if err := WriteText(&text, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"COPY FROM " + db + ".loading", "CREATE INDEX CONCURRENTLY on " + db + ".indexing"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	for _, col := range []string{`"datname"`, `"relid"`, `"index_relid"`} {
		if strings.Contains(string(b), col) {
			t.Errorf("JSON has the view's column %s instead of pgmetrics' name", col)
		}
	}
}

// pgmetricsKeys are the JSON keys of pgmetrics' model (rapidloop/pgmetrics
// model.go, schema 1.19, summarised in shared/reference/pgmetrics.md) for
// the objects the fixtures have no example of. Each must be among ours
// (pgreport may add keys, never rename one); the misspellings are pgmetrics'.
var pgmetricsKeys = map[reflect.Type]string{
	reflect.TypeFor[Publication]():         "oid name db_name alltables insert update delete table_count",
	reflect.TypeFor[Subscription]():        "oid name db_name enabled pub_count table_count worker_count received_lsn latest_end_lsn last_msg_send_time last_msg_receipt_time latest_end_time latency_micros apply_error_count sync_error_count",
	reflect.TypeFor[ReplicationSlot]():     "slot_name plugin slot_type db_name active xmin catalog_xmin restart_lsn confirmed_flush_lsn temporary wal_status safe_wal_size two_phase conflicting",
	reflect.TypeFor[ReplicationIn]():       "status receive_start_lsn receive_start_tli received_lsn received_tli last_msg_send_time last_msg_receipt_time latency_micros latest_end_lsn latest_end_time slot_name conninfo written_lsn flushed_lsn sender_host",
	reflect.TypeFor[ReplicationOut]():      "role_name application_name client_addr backend_start backend_xmin state sent_lsn write_lsn flush_lsn replay_lsn write_lag flush_lag replay_lag sync_priority sync_state pid reply_time",
	reflect.TypeFor[Lock]():                "locktype db_name pid mode granted relation_oid waitstart",
	reflect.TypeFor[Checkpointer]():        "num_timed num_requested restartpoints_timed restartpoints_req restartpoints_done write_time sync_time buffers_written stats_reset num_done slru_written",
	reflect.TypeFor[VacuumProgress]():      "db_name table_oid table_name phase heap_blks_total heap_blks_scanned heap_blks_vacuumed index_vacuum_count max_dead_tuples num_dead_tuples pid max_dead_tuple_bytes dead_tuple_bytess num_dead_item_ids indexes_total indexes_processed delay_time",
	reflect.TypeFor[AnalyzeProgress]():     "pid db_name table_oid phase sample_blks_total sample_blks_scanned ext_stats_total ext_stats_computed child_tables_total child_tables_done child_oid delay_time",
	reflect.TypeFor[BasebackupProgress]():  "pid phase backup_total backup_streamed tablespaces_total tablespaces_streamed",
	reflect.TypeFor[ClusterProgress]():     "pid db_name table_oid command phase cluser_index_oid heap_tuples_scanned heap_tuples_written heap_blks_total heap_blks_scanned index_rebuild_count",
	reflect.TypeFor[CopyProgress]():        "pid db_name table_oid command type bytes_processed bytes_total tuples_processed tuples_excluded",
	reflect.TypeFor[CreateIndexProgress](): "pid db_name table_oid index_oid command phase lockers_total lockers_done current_locker_pid blocks_total blocks_done tuples_total tuples_done partitions_total partitions_done",
	reflect.TypeFor[Database]():            "checksum_failures checksum_last_failure session_time active_time idle_in_transaction_time sessions sessions_abandoned sessions_fatal sessions_killed parallel_workers_to_launch parallel_workers_launched",
	reflect.TypeFor[Table]():               "acl n_ins_since_vacuum last_seq_scan last_idx_scan n_tup_newpage_upd total_vacuum_time total_autovacuum_time total_analyze_time total_autoanalyze_time",
	reflect.TypeFor[Statement](): "plans total_plan_time min_plan_time max_plan_time stddev_plan_time wal_records wal_fpi wal_bytes toplevel " +
		"temp_blk_read_time temp_blk_write_time jit_functions jit_generation_time jit_inlining_count jit_inlining_time " +
		"jit_optimization_count jit_optimization_time jit_emission_count jit_emission_time local_blk_read_time " +
		"local_blk_write_time jit_deform_count jit_deform_time stats_since minmax_stats_since wal_buffers_full " +
		"parallel_workers_to_launch parallel_workers_launched",
}

func TestFieldNamesMatchPgmetrics(t *testing.T) {
	for typ, keys := range pgmetricsKeys {
		ours := map[string]bool{}
		for i := 0; i < typ.NumField(); i++ {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			ours[name] = true
		}
		for _, k := range strings.Fields(keys) {
			if !ours[k] {
				t.Errorf("%s: no JSON key %q (pgmetrics has it)", typ.Name(), k)
			}
		}
	}
}

// conflicts_by_type is scanned from the jsonb of a pg_stat_database_conflicts
// row (a standby's recovery conflicts cannot be provoked cheaply here).
func TestConflictsByTypeScan(t *testing.T) {
	c := pgsandbox.Get(t)
	tx, err := c.Connect(t, "postgres").Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck
	d, err := rowsOf[Database](context.Background(), tx, `SELECT 'x' AS name,
		(SELECT jsonb_strip_nulls(to_jsonb(x) - 'datid' - 'datname') FROM pg_stat_database_conflicts x
		 WHERE datname = 'postgres') || '{"confl_lock": 2}' AS conflicts_by_type`)
	if err != nil {
		t.Fatal(err)
	}
	if got := d[0].ConflictsByType; got["confl_lock"] != 2 || len(got) < 5 {
		t.Errorf("conflicts_by_type = %v", got)
	}
	// pgmetrics' flat fields (issue 19): the same counters, zero omitted.
	d[0].flattenConflicts()
	b, err := json.Marshal(d[0])
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	if _, zero := top["confl_deadlock"]; top["confl_lock"] != 2.0 || zero {
		t.Errorf("flat confl_* fields: %s", b)
	}
}
