package pgcheck

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/cronkit/cronkit/lib/pgstat"
)

// Rule is one built-in check. Defaults are documented in docs/pgreport.md
// (the "check" section), with where each comes from (Source).
type Rule struct {
	Name string
	Doc  string
	Unit Unit
	// Lower: lower values are worse (value <= threshold alerts). Strict:
	// value > threshold alerts (check_postgres's archive_ready). Otherwise
	// value >= threshold, as check_postgres compares.
	Lower, Strict     bool
	Warning, Critical *float64
	Params            map[string]float64 // extra settings a rules file may override
	ParamDoc          string
	Source            string   // where the defaults come from
	Sections          []string // report sections it reads (pgstat.Sections names)
	Fields            []string // pgreport fields pgmetrics reports lack: UNKNOWN on those
	PerDB             bool     // reads per-database sections (a failed connect makes that db UNKNOWN)
	Optional          string   // off unless enabled: why (the caller says how to enable it)
	Eval              func(c *evalCtx)
}

func num(v float64) *float64 { return &v }

const (
	kib    = 1024.0
	mib    = 1024 * kib
	gib    = 1024 * mib
	wrap   = float64(1 << 31) // XIDs and MXIDs wrap at 2^31 (the "2 billion" limit)
	client = "client backend"
)

// Rules is every built-in rule, in the order they are reported.
var Rules = []*Rule{
	{Name: "xid_wraparound", Unit: Percent, Warning: num(60), Critical: num(65),
		Doc:      "age(datfrozenxid) of each database as a share of the 2^31 transaction ID limit",
		Source:   "check_postgres txn_wraparound: 1.3e9 / 1.4e9 (60.5% / 65.2% of 2^31)",
		Sections: []string{"databases"}, Eval: evalWrap(false, false)},
	{Name: "xid_freeze_age", Unit: Percent, Warning: num(90), Critical: num(95),
		Doc:      "age(datfrozenxid) of each database as a share of autovacuum_freeze_max_age",
		Source:   "check_postgres autovac_freeze: 90% / 95%",
		Sections: []string{"databases", "settings"}, Eval: evalWrap(false, true)},
	{Name: "mxid_wraparound", Unit: Percent, Warning: num(60), Critical: num(65),
		Doc:      "mxid_age(datminmxid) of each database as a share of the 2^31 multixact limit",
		Source:   "xid_wraparound's thresholds applied to multixacts (check_postgres has no multixact action)",
		Sections: []string{"databases"}, Fields: []string{"databases[].age_datminmxid"}, Eval: evalWrap(true, false)},
	{Name: "mxid_freeze_age", Unit: Percent, Warning: num(90), Critical: num(95),
		Doc:      "mxid_age(datminmxid) of each database as a share of autovacuum_multixact_freeze_max_age",
		Source:   "check_postgres autovac_freeze's 90% / 95% applied to multixacts",
		Sections: []string{"databases", "settings"}, Fields: []string{"databases[].age_datminmxid"}, Eval: evalWrap(true, true)},
	{Name: "replication_lag_bytes", Unit: Bytes, Warning: num(100 * mib), Critical: num(gib),
		Doc: "WAL between the primary's current position and each standby's replay position " +
			"(on a standby: received but not yet replayed)",
		Source:   "ours: check_postgres hot_standby_delay has no default",
		Sections: []string{"replication_outgoing", "wal_position"}, Eval: evalLagBytes},
	{Name: "replication_lag_seconds", Unit: Seconds, Warning: num(60), Critical: num(300),
		Doc: "replay_lag of each standby in pg_stat_replication (on a standby with WAL left to " +
			"replay: time since the last replayed transaction)",
		Source:   "ours: check_postgres hot_standby_delay has no default",
		Sections: []string{"replication_outgoing", "wal_position"}, Eval: evalLagSeconds},
	{Name: "inactive_slots", Unit: Bytes, Warning: num(0), Critical: num(gib),
		Doc: "replication slots not in use, valued at the WAL they retain (any inactive slot warns; " +
			"a slot whose WAL is lost is CRITICAL)",
		Source:   "ours: check_postgres replication_slots has no default",
		Sections: []string{"replication_slots", "wal_position"}, Eval: evalSlots},
	{Name: "connections", Unit: Percent, Warning: num(90), Critical: num(95),
		Doc:      "client connections as a share of max_connections",
		Source:   "check_postgres backends: 90% / 95%",
		Sections: []string{"backends", "settings"}, Eval: evalConnections},
	{Name: "idle_in_transaction_seconds", Unit: Seconds, Warning: num(300), Critical: num(1800),
		Doc:      "the oldest session idle in transaction (now - state_change; aborted ones left out, as check_postgres does)",
		Source:   "ours: check_postgres txn_idle has no default",
		Sections: []string{"backends"}, Eval: evalBackends("idle_in_transaction")},
	{Name: "long_query_seconds", Unit: Seconds, Warning: num(300), Critical: num(1800),
		Doc:      "the longest running query of a client session (now - query_start, state active)",
		Source:   "ours: check_postgres query_time has no default",
		Sections: []string{"backends"}, Eval: evalBackends("query")},
	{Name: "long_transaction_seconds", Unit: Seconds, Warning: num(600), Critical: num(3600),
		Doc:      "the oldest open transaction of a client session (now - xact_start)",
		Source:   "ours: check_postgres txn_time has no default",
		Sections: []string{"backends"}, Eval: evalBackends("transaction")},
	{Name: "blocked_backends", Unit: Seconds, Warning: num(60), Critical: num(120),
		Doc:      "each backend waiting for a lock, valued at how long it has waited, with the pids blocking it",
		Source:   "check_postgres lockwait: 1 min / 2 min",
		Sections: []string{"locks", "backends"}, Eval: evalBlocked},
	{Name: "deadlocks", Unit: Count, Warning: num(1), Critical: num(5),
		Doc: "deadlocks per database since the previous check (pg_stat_database.deadlocks, " +
			"against the state file; the first check only records)",
		Source:   "ours: check_postgres has no deadlock action",
		Sections: []string{"databases"}, Eval: evalDeadlocks},
	{Name: "prepared_xacts", Unit: Seconds, Warning: num(30), Critical: num(300),
		Doc: "age of each prepared transaction (pg_prepared_xacts): it holds locks and the xmin " +
			"horizon until committed or rolled back",
		Source: "check_postgres prepared_txns: 1 s / 30 s; ours raise both (its 30 s as our warning) " +
			"since a two-phase commit in flight is seconds old",
		Sections: []string{"prepared_xacts"}, Fields: []string{"prepared_xacts"}, Eval: evalPrepared},
	{Name: "sequences", Unit: Percent, Warning: num(85), Critical: num(95),
		Doc:      "share of each sequence's range used",
		Source:   "check_postgres sequence: 85% / 95%",
		Sections: []string{"sequences", "sequence_values"}, Fields: []string{"sequences[].used_pct"}, PerDB: true,
		Eval: evalSequences},
	{Name: "invalid_indexes", Unit: Count, Warning: num(1),
		Doc:      "indexes left invalid by a failed CREATE INDEX CONCURRENTLY or REINDEX (ones being built now are left out)",
		Source:   "ours: check_postgres has no such action",
		Sections: []string{"indexes", "progress"}, Fields: []string{"indexes[].invalid"}, PerDB: true, Eval: evalInvalid},
	{Name: "bloat", Unit: Bytes, Warning: num(gib), Critical: num(5 * gib),
		Doc:      "estimated wasted bytes of each table and btree index",
		Source:   "check_postgres bloat: 1 GB / 5 GB",
		Optional: "the estimate costs one more query per database",
		Sections: []string{"tables", "indexes", "bloat"}, PerDB: true, Eval: evalBloat},
	{Name: "unmaintained_tables", Unit: Count, Warning: num(1e6),
		Doc: "tables never vacuumed or never analysed, valued at their rows (n_live_tup + n_dead_tup): " +
			"autovacuum is off for them or not keeping up",
		Source:   "ours: check_postgres last_vacuum/last_analyze ignore tables never vacuumed",
		Sections: []string{"tables"}, PerDB: true, Eval: evalUnmaintained},
	{Name: "archive_failing", Unit: Seconds, Warning: num(0), Critical: num(3600),
		Doc: "WAL archiving failing (last failure newer than the last success), valued at the time " +
			"since the last success; only when archive_mode is on",
		Source:   "ours: check_postgres has no archiver-failure action",
		Sections: []string{"wal_archiving", "settings"}, Eval: evalArchiveFailing},
	{Name: "archive_ready", Unit: Count, Strict: true, Warning: num(10), Critical: num(15),
		Doc:      "WAL segments waiting to be archived (.ready files); only when archive_mode is on",
		Source:   "check_postgres archive_ready: 10 / 15 (more than)",
		Sections: []string{"wal_files", "settings"}, Eval: evalArchiveReady},
	{Name: "checkpoint_pressure", Unit: Percent, Warning: num(50), Critical: num(80),
		Params: map[string]float64{"min_checkpoints": 10}, ParamDoc: "min_checkpoints: judge only after this many",
		Doc:      "requested checkpoints as a share of all since the statistics reset (max_wal_size too small)",
		Source:   "ours: check_postgres has no such action",
		Sections: []string{"bg_writer", "checkpointer"}, Eval: evalCheckpoints},
	{Name: "disk_usage", Unit: Percent, Warning: num(90), Critical: num(95),
		Doc:      "used share of the filesystem under each tablespace (when pgreport ran on the database host)",
		Source:   "check_postgres disk_space: 90% / 95%",
		Sections: []string{"tablespaces"}, Eval: evalDisk},
	{Name: "cache_hit_ratio", Unit: Percent, Lower: true, Warning: num(90), Critical: num(80),
		Params: map[string]float64{"min_blocks": 100000}, ParamDoc: "min_blocks: judge only after this many block reads and hits",
		Doc:      "blks_hit / (blks_hit + blks_read) of each database since the statistics reset (lower is worse)",
		Source:   "ours: check_postgres hitratio has no default (always OK)",
		Sections: []string{"databases"}, Eval: evalHitRatio},
}

// RuleByName finds a built-in rule.
func RuleByName(name string) *Rule {
	for _, r := range Rules {
		if r.Name == name {
			return r
		}
	}
	return nil
}

func dbObject(name string) Object { return Object{Label: name, DB: name} }

func relObject(db, schema, name string) Object {
	return Object{Label: db + "." + schema + "." + name, DB: db, Schema: schema, Name: name}
}

func evalWrap(multixact, freeze bool) func(c *evalCtx) {
	return func(c *evalCtx) {
		limit, what := wrap, "2^31"
		if freeze {
			name := "autovacuum_freeze_max_age"
			if multixact {
				name = "autovacuum_multixact_freeze_max_age"
			}
			v, ok := c.setting(name)
			if !ok || v <= 0 {
				c.unknown(Object{}, "the report has no setting "+name)
				return
			}
			limit, what = v, name+" "+strconv.FormatFloat(v, 'f', -1, 64)
		}
		for _, d := range c.rep.Databases {
			age := d.AgeDatFrozenXid
			if multixact {
				age = d.AgeDatMinMxid
			}
			c.measure(dbObject(d.Name), 100*float64(age)/limit, fmt.Sprintf("age %d of %s", age, what))
		}
	}
}

// lsn parses "X/Y" into a byte position.
func lsn(s string) (uint64, bool) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, false
	}
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return h<<32 | l, true
}

func lsnDiff(a, b string) (float64, bool) {
	x, ok1 := lsn(a)
	y, ok2 := lsn(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	if x < y {
		return 0, true
	}
	return float64(x - y), true
}

func standbyObject(r pgstat.ReplicationOut) Object {
	name := r.ApplicationName
	if name == "" {
		name = r.ClientAddr
	}
	return Object{Label: fmt.Sprintf("standby %s (pid %d)", name, r.PID)}
}

func evalLagBytes(c *evalCtx) {
	r := c.rep
	for _, s := range r.ReplicationOutgoing {
		v := float64(s.ReplayLagBytes)
		if c.pgmetrics || (v == 0 && s.ReplayLSN != "") {
			// pgmetrics has no replay_lag_bytes: the positions give it.
			if d, ok := lsnDiff(r.WALLSN, s.ReplayLSN); ok {
				v = d
			}
		}
		if s.ReplayLSN == "" {
			c.unknown(standbyObject(s), "standby has not reported a replay position (state "+s.State+")")
			continue
		}
		c.measure(standbyObject(s), v, "state "+s.State+", replay_lsn "+s.ReplayLSN)
	}
	if r.IsInRecovery {
		if d, ok := lsnDiff(r.LastWALReceiveLSN, r.LastWALReplayLSN); ok {
			c.measure(Object{Label: "this standby (received, not replayed)"}, d,
				"receive "+r.LastWALReceiveLSN+", replay "+r.LastWALReplayLSN)
		}
	}
}

func evalLagSeconds(c *evalCtx) {
	r := c.rep
	for _, s := range r.ReplicationOutgoing {
		// replay_lag is NULL (0 here) once a standby has caught up and stays idle.
		c.measure(standbyObject(s), float64(s.ReplayLag)/1e6, "state "+s.State)
	}
	if r.IsInRecovery && r.LastWALReceiveLSN != r.LastWALReplayLSN && r.LastXactReplayTimestamp > 0 {
		// Only with WAL waiting: on an idle primary the last replayed
		// transaction ages without any lag.
		c.measure(Object{Label: "this standby"}, float64(c.now-r.LastXactReplayTimestamp),
			"WAL received but not replayed; last replayed transaction at "+ts(r.LastXactReplayTimestamp))
	}
}

func evalSlots(c *evalCtx) {
	r := c.rep
	cur := r.WALLSN
	if r.IsInRecovery {
		cur = r.LastWALReplayLSN
		if r.LastWALReceiveLSN != "" {
			cur = r.LastWALReceiveLSN
		}
	}
	for _, s := range r.ReplicationSlots {
		if s.Active || s.Temporary {
			continue
		}
		o := Object{Label: "slot " + s.SlotName, Slot: s.SlotName, DB: s.DBName}
		detail := s.SlotType + " slot"
		if s.DBName != "" {
			detail += " on " + s.DBName
		}
		retained, ok := 0.0, s.RestartLSN == ""
		if s.RestartLSN != "" {
			retained, ok = lsnDiff(cur, s.RestartLSN)
		}
		if s.WALStatus == "lost" {
			c.force(o, Critical, retained, detail+", wal_status lost: the WAL it needs is gone")
			continue
		}
		if !ok {
			c.unknown(o, "no current WAL position in the report to measure restart_lsn "+s.RestartLSN+" against")
			continue
		}
		c.measure(o, retained, detail+", inactive, restart_lsn "+s.RestartLSN)
	}
}

// isClient: a client session. pgmetrics reports have no backend_type: there,
// a session with a database that is not a walsender.
func isClient(b pgstat.Backend) bool {
	if b.BackendType != "" {
		return b.BackendType == client
	}
	return b.DBName != "" && !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(b.Query)), "START_REPLICATION")
}

func evalConnections(c *evalCtx) {
	max, ok := c.setting("max_connections")
	if !ok || max <= 0 {
		c.unknown(Object{}, "the report has no setting max_connections")
		return
	}
	n := 0
	for _, b := range c.rep.Backends {
		if isClient(b) {
			n++
		}
	}
	c.measure(Object{Label: "cluster"}, 100*float64(n)/max, fmt.Sprintf("%d of max_connections %g", n, max))
}

func backendObject(b pgstat.Backend) Object {
	return Object{Label: fmt.Sprintf("pid %d", b.PID), DB: b.DBName}
}

func backendDetail(b pgstat.Backend) string {
	q := strings.Join(strings.Fields(b.Query), " ")
	if len(q) > 80 {
		q = q[:77] + "..."
	}
	s := fmt.Sprintf("db %s user %s", b.DBName, b.RoleName)
	if b.ApplicationName != "" {
		s += " app " + b.ApplicationName
	}
	if q != "" {
		s += ": " + q
	}
	return s
}

// evalBackends measures each client session: idle in transaction, running a
// query, or in a transaction. Sessions of other roles whose state the
// monitoring user may not see make the rule UNKNOWN for them.
func evalBackends(kind string) func(c *evalCtx) {
	return func(c *evalCtx) {
		hidden := 0
		for _, b := range c.rep.Backends {
			if !isClient(b) {
				continue
			}
			if b.State == "" && b.BackendType == client {
				hidden++
				continue
			}
			var start int64
			switch kind {
			case "idle_in_transaction":
				if b.State == "idle in transaction" {
					start = b.StateChange
				}
			case "query":
				if b.State == "active" {
					start = b.QueryStart
				}
			case "transaction":
				start = b.XactStart
			}
			if start == 0 {
				continue
			}
			c.measure(backendObject(b), float64(max(c.now-start, 0)), backendDetail(b))
		}
		if hidden > 0 {
			c.unknown(Object{Label: fmt.Sprintf("%d session(s)", hidden)},
				"state hidden from this user: grant it pg_monitor (or pg_read_all_stats)")
		}
	}
}

func evalBlocked(c *evalCtx) {
	r := c.rep
	waitStart := map[int]int64{}
	for _, l := range r.Locks {
		if !l.Granted && l.PID != 0 && l.WaitStart > 0 {
			if w, ok := waitStart[l.PID]; !ok || l.WaitStart < w {
				waitStart[l.PID] = l.WaitStart
			}
		}
	}
	byPID := map[int]pgstat.Backend{}
	for _, b := range append(r.Backends[:len(r.Backends):len(r.Backends)], r.OtherProcesses...) {
		byPID[b.PID] = b
	}
	seen := map[int]bool{}
	for _, l := range r.Locks {
		if l.Granted || l.PID == 0 || seen[l.PID] {
			continue // one finding per pid, however many locks it waits for
		}
		seen[l.PID] = true
		b := byPID[l.PID]
		// waitstart is PostgreSQL 14+; before, the wait began no earlier than the query.
		start := waitStart[l.PID]
		if start == 0 {
			start = max(b.StateChange, b.QueryStart)
		}
		detail := backendDetail(b)
		if by := r.BlockingPIDs[l.PID]; len(by) > 0 {
			detail = "blocked by pid " + joinInts(by) + "; " + detail
		}
		o := backendObject(b)
		o.Label = fmt.Sprintf("pid %d", l.PID)
		o.DB = l.DBName
		var v float64
		if start > 0 {
			v = float64(max(c.now-start, 0))
		}
		c.measure(o, v, detail)
	}
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func evalDeadlocks(c *evalCtx) {
	st := c.opts.State
	if st == nil {
		c.skip("no state: " + cmp.Or(c.opts.NoStateName, "none given") + ", or a report without a system identifier")
		return
	}
	for _, d := range c.rep.Databases {
		prev, ok := st.Deadlocks[d.Name]
		if ok && c.now < prev.At {
			// A report older than the state (an old --input): no count, and
			// the state keeps the newer counters.
			c.unknown(dbObject(d.Name), "the report ("+ts(c.now)+") is older than the previous check ("+ts(prev.At)+")")
			continue
		}
		st.Deadlocks[d.Name] = DeadlockState{Count: d.Deadlocks, StatsReset: d.StatsReset, At: c.now}
		if !ok || c.excluded(dbObject(d.Name)) {
			continue // first sight: record only
		}
		n := d.Deadlocks - prev.Count
		if d.StatsReset != prev.StatsReset || n < 0 {
			n = d.Deadlocks // the counters were reset in between: all counted since
		}
		c.measure(dbObject(d.Name), float64(n), "since "+ts(prev.At))
	}
}

func evalPrepared(c *evalCtx) {
	p := c.rep.PreparedXacts
	if p == nil {
		c.unknown(Object{}, "the report has no prepared_xacts (written by an older pgreport?)")
		return
	}
	for _, x := range *p {
		o := Object{Label: fmt.Sprintf("gid %q", x.GID), DB: x.DBName}
		c.measure(o, float64(max(c.now-x.Prepared, 0)),
			fmt.Sprintf("xid %d on %s by %s, prepared at %s", x.Transaction, x.DBName, x.Owner, ts(x.Prepared)))
	}
}

func evalSequences(c *evalCtx) {
	for _, s := range c.rep.Sequences {
		if s.LastValue == -1 && s.UsedPct == 0 {
			continue // never called, or not readable: nothing used that we can see
		}
		c.measure(relObject(s.DBName, s.SchemaName, s.Name), s.UsedPct,
			fmt.Sprintf("last_value %d of %d..%d", s.LastValue, s.MinValue, s.MaxValue))
	}
}

func evalInvalid(c *evalCtx) {
	building := map[int64]bool{}
	for _, p := range c.rep.CreateIndexProgress {
		building[p.IndexOID] = true
	}
	for _, x := range c.rep.Indexes {
		if !x.Invalid || building[x.OID] {
			continue
		}
		c.measure(relObject(x.DBName, x.SchemaName, x.Name), 1, "on "+x.TableName+": drop it, or REINDEX INDEX CONCURRENTLY")
	}
}

func evalBloat(c *evalCtx) {
	estimated := false
	for _, t := range c.rep.Tables {
		if t.Bloat >= 0 {
			estimated = true
			c.measure(relObject(t.DBName, t.SchemaName, t.Name), float64(t.Bloat), fmt.Sprintf("table of %s", size(t.Size)))
		}
	}
	for _, x := range c.rep.Indexes {
		if x.Bloat >= 0 {
			estimated = true
			c.measure(relObject(x.DBName, x.SchemaName, x.Name), float64(x.Bloat), fmt.Sprintf("index of %s", size(x.Size)))
		}
	}
	if !estimated && len(c.rep.Tables) > 0 {
		reason := "the report has no bloat estimates"
		if c.opts.BloatName != "" {
			reason += " (collect with " + c.opts.BloatName + ")"
		}
		c.unknown(Object{}, reason)
	}
}

func evalUnmaintained(c *evalCtx) {
	for _, t := range c.rep.Tables {
		if t.RelKind == "p" {
			continue // partitioned parents hold no rows of their own
		}
		var never []string
		if t.LastVacuum == 0 && t.LastAutovacuum == 0 {
			never = append(never, "vacuumed")
		}
		if t.LastAnalyze == 0 && t.LastAutoanalyze == 0 {
			never = append(never, "analysed")
		}
		if len(never) == 0 {
			continue
		}
		c.measure(relObject(t.DBName, t.SchemaName, t.Name), float64(t.NLiveTup+t.NDeadTup),
			"rows, never "+strings.Join(never, " nor ")+" (since the last statistics reset)")
	}
}

func archiving(c *evalCtx) bool {
	s, ok := c.rep.Settings["archive_mode"]
	if !ok {
		c.unknown(Object{}, "the report has no setting archive_mode")
		return false
	}
	if s.Setting == "off" {
		c.skip("archive_mode is off")
		return false
	}
	return true
}

func evalArchiveFailing(c *evalCtx) {
	if !archiving(c) {
		return
	}
	a := c.rep.WALArchiving
	o := Object{Label: "archiver"}
	if a.FailedCount == 0 || a.LastFailedTime <= a.LastArchivedTime {
		c.healthy(o, 0)
		return
	}
	since := a.LastArchivedTime
	what := "last success " + ts(a.LastArchivedTime)
	if since == 0 {
		since, what = max(a.StatsReset, c.rep.StartTime), "never archived since the statistics reset"
	}
	c.measure(o, float64(max(c.now-since, 0)),
		fmt.Sprintf("%d failure(s), last %s at %s; %s", a.FailedCount, a.LastFailedWAL, ts(a.LastFailedTime), what))
}

func evalArchiveReady(c *evalCtx) {
	if !archiving(c) {
		return
	}
	if c.rep.WALReadyCount < 0 {
		c.unknown(Object{Label: "archiver"}, "the .ready files were not counted (needs pg_monitor)")
		return
	}
	c.measure(Object{Label: "archiver"}, float64(c.rep.WALReadyCount), "WAL segments waiting")
}

func evalCheckpoints(c *evalCtx) {
	timed, req := c.rep.BGWriter.CheckpointsTimed, c.rep.BGWriter.CheckpointsRequested
	if cp := c.rep.Checkpointer; cp != nil {
		timed, req = cp.NumTimed, cp.NumRequested
	}
	total := timed + req
	if float64(total) < c.param("min_checkpoints") {
		c.measure(Object{Label: "cluster"}, 0, fmt.Sprintf("only %d checkpoints so far", total))
		return
	}
	c.measure(Object{Label: "cluster"}, 100*float64(req)/float64(total), fmt.Sprintf("%d requested, %d timed", req, timed))
}

func evalDisk(c *evalCtx) {
	seen := false
	for _, t := range c.rep.Tablespaces {
		if t.DiskTotal <= 0 {
			continue
		}
		seen = true
		c.measure(Object{Label: "tablespace " + t.Name}, 100*float64(t.DiskUsed)/float64(t.DiskTotal),
			fmt.Sprintf("%s of %s used at %s", size(t.DiskUsed), size(t.DiskTotal), t.Location))
	}
	if !seen {
		c.skip("no disk figures: pgreport did not run on the database host")
	}
}

func evalHitRatio(c *evalCtx) {
	for _, d := range c.rep.Databases {
		n := d.BlksHit + d.BlksRead
		if float64(n) < c.param("min_blocks") {
			continue
		}
		c.measure(dbObject(d.Name), 100*float64(d.BlksHit)/float64(n), fmt.Sprintf("%d hits, %d reads", d.BlksHit, d.BlksRead))
	}
}
