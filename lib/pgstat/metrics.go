package pgstat

import (
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
)

// Metric naming scheme (docs/pgreport.md):
//
//	pg.cluster.<field>                     cluster-wide (uptime, WAL, bgwriter, backends, replication)
//	pg.<db>.<field>                        pg_stat_database and sizes/ages of one database
//	pg.<db>.<schema>.<relation>.<field>    tables, indexes and sequences (one namespace in PostgreSQL)
//	pg.<db>.statements.<queryid>.<field>   top pg_stat_statements entries
//
// Name segments have '.', '/', spaces and control characters replaced by '_'.
// Every record is kind "value": cumulative counters are reported as their
// running totals (a StatHat counter would add them up again).

// seg makes one name segment safe.
func seg(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '/' || r <= ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, s)
}

// Metrics flattens the report into metric records, filtered by globs (any
// match keeps a record; none given keeps all). '*' matches across dots.
func Metrics(r *Report, globs []string) []metric.Record {
	var out []metric.Record
	_ = EachMetric(r, globs, func(m metric.Record) error { out = append(out, m); return nil })
	return out
}

// EachMetric is Metrics one record at a time (no slice of a million
// records for a big catalog). It stops at emit's first error.
func EachMetric(r *Report, globs []string, emit func(metric.Record) error) error {
	e := &emitter{globs: globs, at: time.Unix(r.Meta.At, 0).UTC(), emit: emit}
	for _, family := range metricFamilies {
		family(e, r)
		if e.err != nil {
			break
		}
	}
	return e.err
}

// metricFamilies make the records, in this order: cluster-wide ones, then
// databases, tables, indexes, sequences and statements.
var metricFamilies = []func(*emitter, *Report){
	serverMetrics, writerMetrics, backendMetrics, replicationMetrics, databaseMetrics,
	tableMetrics, indexMetrics, sequenceMetrics, statementMetrics,
}

// emitter names records, filters them by the globs and emits them until
// the first error.
type emitter struct {
	globs []string
	at    time.Time
	emit  func(metric.Record) error
	buf   []byte
	err   error
}

// add emits pg.<parts...> (each part made safe by seg).
func (e *emitter) add(v float64, parts ...string) {
	if e.err != nil {
		return
	}
	e.buf = append(e.buf[:0], "pg"...)
	for _, p := range parts {
		e.buf = append(e.buf, '.')
		e.buf = append(e.buf, seg(p)...)
	}
	name := string(e.buf)
	if !matchAny(e.globs, name) {
		return
	}
	e.err = e.emit(metric.Record{Name: name, Kind: metric.Value, Value: v, Time: e.at})
}

// cl emits pg.cluster.<field...>.
func (e *emitter) cl(v float64, field ...string) { e.add(v, append([]string{"cluster"}, field...)...) }

// serverMetrics: uptime, recovery, WAL files, notification queue, archiver.
func serverMetrics(e *emitter, r *Report) {
	if r.StartTime > 0 {
		e.cl(float64(r.Meta.At-r.StartTime), "uptime_seconds")
	}
	e.cl(b2f(r.IsInRecovery), "is_in_recovery")
	if r.WALCount >= 0 {
		e.cl(float64(r.WALCount), "wal_count")
	}
	if r.WALReadyCount >= 0 {
		e.cl(float64(r.WALReadyCount), "wal_ready_count")
	}
	e.cl(r.NotificationQueueUsage, "notification_queue_usage")
	e.cl(float64(r.WALArchiving.ArchivedCount), "archiver", "archived_count")
	e.cl(float64(r.WALArchiving.FailedCount), "archiver", "failed_count")
}

// writerMetrics: bgwriter, checkpointer (17+: the checkpoint columns left
// pg_stat_bgwriter) and pg_stat_wal.
func writerMetrics(e *emitter, r *Report) {
	bg := r.BGWriter
	e.cl(float64(bg.BuffersClean), "bgwriter", "buffers_clean")
	e.cl(float64(bg.MaxWrittenClean), "bgwriter", "maxwritten_clean")
	e.cl(float64(bg.BuffersAlloc), "bgwriter", "buffers_alloc")
	if cp := r.Checkpointer; cp != nil {
		e.cl(float64(cp.NumTimed), "checkpointer", "num_timed")
		e.cl(float64(cp.NumRequested), "checkpointer", "num_requested")
		e.cl(float64(cp.BuffersWritten), "checkpointer", "buffers_written")
		e.cl(cp.WriteTime, "checkpointer", "write_time")
		e.cl(cp.SyncTime, "checkpointer", "sync_time")
	} else {
		e.cl(float64(bg.CheckpointsTimed), "bgwriter", "checkpoints_timed")
		e.cl(float64(bg.CheckpointsRequested), "bgwriter", "checkpoints_req")
		e.cl(float64(bg.BuffersCheckpoint), "bgwriter", "buffers_checkpoint")
		e.cl(float64(bg.BuffersBackend), "bgwriter", "buffers_backend")
	}
	if w := r.WAL; w != nil {
		e.cl(float64(w.Records), "wal", "records")
		e.cl(float64(w.FPI), "wal", "fpi")
		e.cl(float64(w.Bytes), "wal", "bytes")
		e.cl(float64(w.BuffersFull), "wal", "buffers_full")
	}
}

// backendMetrics: client backends by state, the oldest transaction (not
// ours), waiting locks and blocked backends.
func backendMetrics(e *emitter, r *Report) {
	states := map[string]int{}
	var oldestXact int64
	for _, b := range r.Backends {
		if b.BackendType != "" && b.BackendType != "client backend" {
			continue
		}
		st := b.State
		if st == "" {
			st = "unknown"
		}
		states[strings.ReplaceAll(st, " ", "_")]++
		if strings.HasPrefix(b.ApplicationName, "pgreport/") {
			continue // our own collection
		}
		if b.XactStart > 0 && (oldestXact == 0 || b.XactStart < oldestXact) {
			oldestXact = b.XactStart
		}
	}
	for _, st := range sortedKeys(states) {
		e.cl(float64(states[st]), "backends", st)
	}
	if oldestXact > 0 {
		e.cl(float64(max(0, r.Meta.At-oldestXact)), "oldest_xact_age_seconds")
	}
	e.cl(float64(waitingLocks(r.Locks)), "locks_waiting")
	e.cl(float64(len(r.BlockingPIDs)), "blocked_backends")
}

func waitingLocks(locks []Lock) int {
	n := 0
	for _, l := range locks {
		if !l.Granted {
			n++
		}
	}
	return n
}

// replicationMetrics: standbys' lags, this standby's latency, slots, and
// the count of failed sections.
func replicationMetrics(e *emitter, r *Report) {
	// Standbys often share an application_name ("walreceiver"): those get
	// their pid appended, so that no two records have the same name.
	appNames := map[string]int{}
	for _, o := range r.ReplicationOutgoing {
		appNames[o.ApplicationName]++
	}
	for _, o := range r.ReplicationOutgoing {
		name := o.ApplicationName
		if name == "" {
			name = strconv.Itoa(o.PID)
		} else if appNames[name] > 1 {
			name += "_" + strconv.Itoa(o.PID)
		}
		e.cl(float64(o.ReplayLagBytes), "replication", name, "replay_lag_bytes")
		e.cl(float64(o.ReplayLag)/1e6, "replication", name, "replay_lag_seconds")
	}
	if in := r.ReplicationIncoming; in != nil {
		e.cl(float64(in.Latency)/1e6, "replication_incoming", "latency_seconds")
	}
	for _, s := range r.ReplicationSlots {
		e.cl(b2f(s.Active), "replication_slot", s.SlotName, "active")
	}
	e.cl(float64(len(r.Meta.Errors)), "report_errors")
}

// databaseMetrics: pg_stat_database, ages and size of each database.
func databaseMetrics(e *emitter, r *Report) {
	for _, d := range r.Databases {
		if d.IsTemplate {
			continue
		}
		db := d.Name
		e.add(float64(d.NumBackends), db, "numbackends")
		e.add(float64(d.XactCommit), db, "xact_commit")
		e.add(float64(d.XactRollback), db, "xact_rollback")
		e.add(float64(d.BlksRead), db, "blks_read")
		e.add(float64(d.BlksHit), db, "blks_hit")
		e.add(float64(d.TupReturned), db, "tup_returned")
		e.add(float64(d.TupFetched), db, "tup_fetched")
		e.add(float64(d.TupInserted), db, "tup_inserted")
		e.add(float64(d.TupUpdated), db, "tup_updated")
		e.add(float64(d.TupDeleted), db, "tup_deleted")
		e.add(float64(d.Conflicts), db, "conflicts")
		e.add(float64(d.TempFiles), db, "temp_files")
		e.add(float64(d.TempBytes), db, "temp_bytes")
		e.add(float64(d.Deadlocks), db, "deadlocks")
		e.add(float64(d.AgeDatFrozenXid), db, "age_datfrozenxid")
		e.add(float64(d.AgeDatMinMxid), db, "age_datminmxid")
		if d.Size >= 0 {
			e.add(float64(d.Size), db, "size")
		}
	}
}

// tableMetrics: pg_stat_user_tables and pg_statio_user_tables, size and bloat.
func tableMetrics(e *emitter, r *Report) {
	for _, t := range r.Tables {
		p := func(v float64, f string) { e.add(v, t.DBName, t.SchemaName, t.Name, f) }
		p(float64(t.SeqScan), "seq_scan")
		p(float64(t.SeqTupRead), "seq_tup_read")
		p(float64(t.IdxScan), "idx_scan")
		p(float64(t.NTupIns), "n_tup_ins")
		p(float64(t.NTupUpd), "n_tup_upd")
		p(float64(t.NTupDel), "n_tup_del")
		p(float64(t.NTupHotUpd), "n_tup_hot_upd")
		p(float64(t.NLiveTup), "n_live_tup")
		p(float64(t.NDeadTup), "n_dead_tup")
		p(float64(t.NModSinceAnalyze), "n_mod_since_analyze")
		p(float64(t.VacuumCount), "vacuum_count")
		p(float64(t.AutovacuumCount), "autovacuum_count")
		p(float64(t.AnalyzeCount), "analyze_count")
		p(float64(t.AutoanalyzeCount), "autoanalyze_count")
		p(float64(t.HeapBlksRead), "heap_blks_read")
		p(float64(t.HeapBlksHit), "heap_blks_hit")
		p(float64(t.AgeRelFrozenXid), "age_relfrozenxid")
		p(float64(t.Size), "size")
		if t.Bloat >= 0 {
			p(float64(t.Bloat), "bloat")
		}
	}
}

// indexMetrics: scans, tuples read, size and bloat of each index.
func indexMetrics(e *emitter, r *Report) {
	for _, x := range r.Indexes {
		e.add(float64(x.IdxScan), x.DBName, x.SchemaName, x.Name, "idx_scan")
		e.add(float64(x.IdxTupRead), x.DBName, x.SchemaName, x.Name, "idx_tup_read")
		e.add(float64(x.Size), x.DBName, x.SchemaName, x.Name, "size")
		if x.Bloat >= 0 {
			e.add(float64(x.Bloat), x.DBName, x.SchemaName, x.Name, "bloat")
		}
	}
}

// sequenceMetrics: last value and the share of the range used, where read.
func sequenceMetrics(e *emitter, r *Report) {
	for _, s := range r.Sequences {
		if s.LastValue >= 0 {
			e.add(float64(s.LastValue), s.DBName, s.SchemaName, s.Name, "last_value")
			e.add(s.UsedPct, s.DBName, s.SchemaName, s.Name, "used_pct")
		}
	}
}

// statementMetrics: calls, total time and rows per database and query id.
// pg_stat_statements keeps a row per user, database, query id and
// top-level flag: one query id run by two roles is summed into one record.
func statementMetrics(e *emitter, r *Report) {
	type stmt struct {
		db, id           string
		calls, time, rws float64
	}
	var stmts []*stmt
	seen := map[[2]string]*stmt{}
	for _, s := range r.Statements {
		if s.DBName == "" || s.QueryID == 0 {
			continue
		}
		k := [2]string{s.DBName, strconv.FormatInt(s.QueryID, 10)}
		st := seen[k]
		if st == nil {
			st = &stmt{db: k[0], id: k[1]}
			seen[k] = st
			stmts = append(stmts, st)
		}
		st.calls += float64(s.Calls)
		st.time += s.TotalTime
		st.rws += float64(s.Rows)
	}
	for _, st := range stmts {
		e.add(st.calls, st.db, "statements", st.id, "calls")
		e.add(st.time, st.db, "statements", st.id, "total_time")
		e.add(st.rws, st.db, "statements", st.id, "rows")
	}
}

func matchAny(globs []string, name string) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// ValidGlob reports a malformed --metric pattern.
func ValidGlob(g string) error {
	_, err := path.Match(g, "")
	return err
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}
