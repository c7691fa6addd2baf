package pgstat

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// TextOptions tune the text report.
type TextOptions struct {
	LongXact time.Duration // a transaction older than this is a warning; default 1m (pgmetrics' -l 60)
	TopN     int           // rows per object list; default 20
	Tables   bool          // one block per table (pgreport --tables)
}

// Thresholds for warnings in the text report.
const (
	wraparoundWarnAge = 1 << 30 // half of the 2^31 XID space
	seqWarnPct        = 75.0
	deadRowsMin       = 10000
	deadRowsRatio     = 0.2
	replLagWarnBytes  = 1 << 30
	replLagWarnSecs   = 60
	// An index is reported bloated when at least half of it, and at least
	// 1 MiB, is estimated wasted: below that REINDEX is not worth a warning.
	idxBloatMin   = 1 << 20
	idxBloatRatio = 0.5
)

// Warnings lists the conditions an operator must look at, most important first.
func Warnings(r *Report, o TextOptions) []string {
	o = o.defaults()
	var w []string
	for _, check := range warningChecks {
		w = check(w, r, o)
	}
	return w
}

// warningChecks append their warnings, in the order Warnings lists them.
var warningChecks = []func(w []string, r *Report, o TextOptions) []string{
	sectionWarnings, databaseWarnings, backendWarnings, replicationWarnings,
	sequenceWarnings, tableWarnings, indexWarnings,
}

func sectionWarnings(w []string, r *Report, _ TextOptions) []string {
	for _, e := range r.Meta.Errors {
		where := e.Section
		if e.DB != "" {
			where += " (" + e.DB + ")"
		}
		w = append(w, fmt.Sprintf("section %s failed: %s", where, e.Error))
	}
	return w
}

func databaseWarnings(w []string, r *Report, _ TextOptions) []string {
	for _, d := range r.Databases {
		if d.AgeDatFrozenXid >= wraparoundWarnAge {
			w = append(w, fmt.Sprintf("database %q: transaction ID age %d is %.0f%% of the way to wraparound",
				d.Name, d.AgeDatFrozenXid, 100*float64(d.AgeDatFrozenXid)/float64(int64(1)<<31)))
		}
		if d.AgeDatMinMxid >= wraparoundWarnAge {
			w = append(w, fmt.Sprintf("database %q: multixact age %d is %.0f%% of the way to wraparound",
				d.Name, d.AgeDatMinMxid, 100*float64(d.AgeDatMinMxid)/float64(int64(1)<<31)))
		}
		if d.Deadlocks > 0 {
			w = append(w, fmt.Sprintf("database %q: %d deadlocks since stats reset", d.Name, d.Deadlocks))
		}
	}
	return w
}

// backendWarnings: long transactions (not ours) and blocked backends.
func backendWarnings(w []string, r *Report, o TextOptions) []string {
	for _, b := range append(r.Backends[:len(r.Backends):len(r.Backends)], r.OtherProcesses...) {
		if strings.HasPrefix(b.ApplicationName, "pgreport/") {
			continue // our own collection
		}
		// Times are whole seconds, rounded: an age can come out as -1.
		if age := max(0, r.Meta.At-b.XactStart); b.XactStart > 0 && age >= int64(o.LongXact/time.Second) {
			w = append(w, fmt.Sprintf("long transaction: pid %d (%s@%s, %s) open for %s",
				b.PID, b.RoleName, b.DBName, b.State, dur(age)))
		}
	}
	for _, pid := range sortedInts(r.BlockingPIDs) {
		w = append(w, fmt.Sprintf("blocked: pid %d waits for a lock held by pid %s", pid, joinInts(r.BlockingPIDs[pid])))
	}
	return w
}

func replicationWarnings(w []string, r *Report, _ TextOptions) []string {
	if lag, ok := standbyReplayLag(r); ok && lag >= replLagWarnBytes {
		w = append(w, fmt.Sprintf("standby replay is %s behind the WAL received (replay paused: %s)", bytesIEC(lag), yesNo(r.IsWalReplayPaused)))
	}
	for _, o := range r.ReplicationOutgoing {
		if o.ReplayLagBytes >= replLagWarnBytes || o.ReplayLag >= replLagWarnSecs*1e6 {
			w = append(w, fmt.Sprintf("replication lag: %s (%s) is %s / %s behind", o.ApplicationName, o.ClientAddr,
				bytesIEC(o.ReplayLagBytes), dur(o.ReplayLag/1e6)))
		}
	}
	for _, s := range r.ReplicationSlots {
		if !s.Active {
			w = append(w, fmt.Sprintf("replication slot %q is inactive: it holds back WAL", s.SlotName))
		}
	}
	return w
}

func sequenceWarnings(w []string, r *Report, _ TextOptions) []string {
	for _, s := range r.Sequences {
		if s.UsedPct >= seqWarnPct {
			w = append(w, fmt.Sprintf("sequence %s.%s.%s is %.1f%% used (%d of %d)", s.DBName, s.SchemaName, s.Name,
				s.UsedPct, s.LastValue, s.MaxValue))
		}
	}
	return w
}

func tableWarnings(w []string, r *Report, _ TextOptions) []string {
	for _, t := range r.Tables {
		if t.NDeadTup >= deadRowsMin && float64(t.NDeadTup) >= deadRowsRatio*float64(t.NLiveTup) {
			w = append(w, fmt.Sprintf("table %s.%s.%s has %d dead rows (%d live): vacuum is behind", t.DBName, t.SchemaName,
				t.Name, t.NDeadTup, t.NLiveTup))
		}
	}
	return w
}

// indexWarnings: invalid and bloated indexes, then the unused ones in one line.
func indexWarnings(w []string, r *Report, _ TextOptions) []string {
	for _, x := range r.Indexes {
		if x.Invalid {
			w = append(w, fmt.Sprintf("index %s.%s.%s is invalid (a failed CREATE INDEX CONCURRENTLY?)", x.DBName, x.SchemaName, x.Name))
		}
		if x.Bloat >= idxBloatMin && float64(x.Bloat) >= idxBloatRatio*float64(x.Size) {
			w = append(w, fmt.Sprintf("index %s.%s.%s is bloated: about %s of its %s is wasted (REINDEX CONCURRENTLY rebuilds it)",
				x.DBName, x.SchemaName, x.Name, bytesIEC(x.Bloat), bytesIEC(x.Size)))
		}
	}
	if n, size := unusedIndexes(r); n > 0 {
		w = append(w, fmt.Sprintf("%d unused indexes (never scanned, not unique) take %s", n, bytesIEC(size)))
	}
	return w
}

func (o TextOptions) defaults() TextOptions {
	if o.LongXact <= 0 {
		o.LongXact = time.Minute
	}
	if o.TopN <= 0 {
		o.TopN = 20
	}
	return o
}

func unusedIndexes(r *Report) (n int, size int64) {
	for _, x := range r.Indexes {
		if isUnused(x) {
			n++
			size += x.Size
		}
	}
	return n, size
}

func isUnused(x Index) bool {
	// pgmetrics reports have no indisunique: read it from the definition.
	unique := x.IsUnique || x.IsPrimary || strings.HasPrefix(x.Definition, "CREATE UNIQUE")
	return x.IdxScan == 0 && !unique && !x.Invalid
}

// WriteText renders the report for people.
func WriteText(w io.Writer, r *Report, o TextOptions) error {
	o = o.defaults()
	var b strings.Builder
	parts := textParts
	if r.Meta.Mode == "pgbouncer" {
		parts = pgbouncerTextParts // no PostgreSQL blocks in that mode
	}
	for _, part := range parts {
		part(&b, r, o)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// textParts write the text report's blocks, in this order.
var textParts = []func(b *strings.Builder, r *Report, o TextOptions){
	textHeader, textWarnings, textServer, textSettings, textSystem, textReplication, textBackends, textStalled, textBlocked, textLocks, textProgress,
	textRoles, textTablespaces, textDatabases, textEachDB, textStatements, textLogs, textTables, textGaps,
}

// pgbouncerTextParts replace textParts in PgBouncer mode (pgbouncer.go).
var pgbouncerTextParts = []func(b *strings.Builder, r *Report, o TextOptions){
	textHeader, textWarnings, textPgBouncerDBs, textPgBouncerPools, textPgBouncerConns, textPgBouncerTraffic,
}

func textHeader(b *strings.Builder, r *Report, _ TextOptions) {
	at := time.Unix(r.Meta.At, 0).UTC()
	title := "PostgreSQL"
	if r.Meta.Mode == "pgbouncer" {
		title = "PgBouncer"
	}
	fmt.Fprintf(b, "%s report: %s, collected %s", title, firstNonEmpty(strings.Join(r.Meta.CollectedDBs, ", "), "-"), at.Format("2006-01-02 15:04:05 UTC"))
	if r.Meta.User != "" {
		fmt.Fprintf(b, " as %s", r.Meta.User)
	}
	b.WriteString("\n")
}

func textWarnings(b *strings.Builder, r *Report, o TextOptions) {
	warn := Warnings(r, o)
	fmt.Fprintf(b, "\nWarnings (%d)\n", len(warn))
	if len(warn) == 0 {
		b.WriteString("  none\n")
	}
	for _, s := range warn {
		fmt.Fprintf(b, "  ! %s\n", s)
	}
}

// textServer: identity and role, WAL, checkpoints and buffers.
func textServer(b *strings.Builder, r *Report, _ TextOptions) {
	b.WriteString("\nServer\n")
	tw := newTab(b)
	serverRows(tw, r)
	walRows(tw, r)
	writerRows(tw, r)
	rateRows(tw, r)
	tw.Flush()
}

func serverRows(tw *tabwriter.Writer, r *Report) {
	row(tw, "Version", r.FullVersion)
	if r.StartTime > 0 {
		row(tw, "Started", fmt.Sprintf("%s (up %s)", ts(r.StartTime), dur(r.Meta.At-r.StartTime)))
	}
	if r.SystemIdentifier != "" {
		row(tw, "System identifier", r.SystemIdentifier)
	}
	role := "primary"
	if r.IsInRecovery {
		role = "standby (in recovery)"
		if r.IsWalReplayPaused {
			role += ", replay paused"
		}
	}
	row(tw, "Role", role)
	if r.CheckpointLSN != "" {
		row(tw, "Last checkpoint", fmt.Sprintf("%s (LSN %s, redo %s, timeline %d)", ts(r.CheckpointTime), r.CheckpointLSN, r.RedoLSN, r.TimelineID))
		row(tw, "Transaction IDs", fmt.Sprintf("next %d, oldest %d", r.NextXid, r.OldestXid))
	}
}

func walRows(tw *tabwriter.Writer, r *Report) {
	if r.WALLSN != "" {
		row(tw, "WAL position", r.WALLSN)
	}
	if r.LastWALReplayLSN != "" {
		v := r.LastWALReceiveLSN + " / " + r.LastWALReplayLSN
		if lag, ok := standbyReplayLag(r); ok {
			v += fmt.Sprintf(" (replay %s behind)", bytesIEC(lag))
		}
		row(tw, "WAL received/replayed", v)
		if t := r.LastXactReplayTimestamp; t > 0 {
			row(tw, "Last replayed xact", ts(t)+" ("+ago(r.Meta.At, t)+")")
		}
	}
	wal := "not collected"
	if r.WALCount >= 0 {
		wal = fmt.Sprintf("%d segments, %d ready to archive", r.WALCount, r.WALReadyCount)
	}
	row(tw, "WAL files", wal)
	row(tw, "Archiver", fmt.Sprintf("%d archived, %d failed (mode %s)", r.WALArchiving.ArchivedCount, r.WALArchiving.FailedCount,
		firstNonEmpty(r.Settings["archive_mode"].Setting, "?")))
	if r.WAL != nil {
		row(tw, "WAL generated", fmt.Sprintf("%s, %d records, %d full-page images", bytesIEC(r.WAL.Bytes), r.WAL.Records, r.WAL.FPI))
	}
}

func writerRows(tw *tabwriter.Writer, r *Report) {
	bg := r.BGWriter
	timed, requested, byCheckpoints := bg.CheckpointsTimed, bg.CheckpointsRequested, bg.BuffersCheckpoint
	if cp := r.Checkpointer; cp != nil { // PostgreSQL 17 moved them to pg_stat_checkpointer
		timed, requested, byCheckpoints = cp.NumTimed, cp.NumRequested, cp.BuffersWritten
	}
	if timed+requested > 0 {
		row(tw, "Checkpoints", fmt.Sprintf("%d timed, %d requested", timed, requested))
	}
	buffers := fmt.Sprintf("%d allocated, %d by bgwriter, %d by checkpoints", bg.BuffersAlloc, bg.BuffersClean, byCheckpoints)
	if r.Checkpointer == nil {
		buffers += fmt.Sprintf(", %d by backends", bg.BuffersBackend)
	}
	row(tw, "Buffers", buffers)
}

func textSystem(b *strings.Builder, r *Report, _ TextOptions) {
	s := r.System
	if s == nil {
		return
	}
	b.WriteString("\nSystem (server is local)\n")
	tw := newTab(b)
	row(tw, "Host", fmt.Sprintf("%s, %d cores (%s)", s.Hostname, s.NumCores, s.CPUModel))
	row(tw, "Load average", strconv.FormatFloat(s.LoadAvg, 'f', 2, 64))
	row(tw, "Memory", fmt.Sprintf("%s used, %s free, %s cached, %s buffers", bytesIEC(s.MemUsed), bytesIEC(s.MemFree),
		bytesIEC(s.MemCached), bytesIEC(s.MemBuffers)))
	row(tw, "Swap", fmt.Sprintf("%s used, %s free", bytesIEC(s.SwapUsed), bytesIEC(s.SwapFree)))
	tw.Flush()
}

// textReplication: standbys, this standby's upstream, slots; each only if any.
func textReplication(b *strings.Builder, r *Report, _ TextOptions) {
	if len(r.ReplicationOutgoing) > 0 {
		b.WriteString("\nOutgoing replication\n")
		tw := newTab(b)
		fmt.Fprintln(tw, "  name\tclient\tstate\tsync\treplay lsn\tlag bytes\treplay lag")
		for _, o := range r.ReplicationOutgoing {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.ApplicationName, firstNonEmpty(o.ClientAddr, "local"), o.State,
				o.SyncState, o.ReplayLSN, bytesIEC(o.ReplayLagBytes), durMicros(o.ReplayLag))
		}
		tw.Flush()
	}
	if in := r.ReplicationIncoming; in != nil {
		b.WriteString("\nIncoming replication\n")
		tw := newTab(b)
		row(tw, "Status", in.Status)
		row(tw, "Sender", fmt.Sprintf("%s:%d", in.SenderHost, in.SenderPort))
		row(tw, "Received LSN", in.FlushedLSN+in.ReceivedLSN) // received and flushed: one of the two is empty
		row(tw, "Latency", durMicros(in.Latency))
		tw.Flush()
	}
	if len(r.ReplicationSlots) > 0 {
		b.WriteString("\nReplication slots\n")
		tw := newTab(b)
		fmt.Fprintln(tw, "  name\ttype\tactive\trestart lsn\twal status")
		for _, s := range r.ReplicationSlots {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", s.SlotName, s.SlotType, yesNo(s.Active), s.RestartLSN, s.WALStatus)
		}
		tw.Flush()
	}
}

// textBackends: client backends by state, other backends by type.
func textBackends(b *strings.Builder, r *Report, _ TextOptions) {
	fmt.Fprintf(b, "\nBackends (%d)\n", len(r.Backends)+len(r.OtherProcesses))
	states := map[string]int{}
	for _, be := range r.Backends {
		if be.BackendType == "client backend" || be.BackendType == "" {
			states[firstNonEmpty(be.State, "unknown")]++
		}
	}
	tw := newTab(b)
	for _, k := range sortedKeys(states) {
		row(tw, "Clients "+k, strconv.Itoa(states[k]))
	}
	for _, k := range sortedKeys(r.BETypeCounts) {
		if k != "client backend" {
			row(tw, k, strconv.Itoa(r.BETypeCounts[k]))
		}
	}
	tw.Flush()
}

// textProgress: vacuums in progress, then the other jobs, one line each.
func textProgress(b *strings.Builder, r *Report, _ TextOptions) {
	if len(r.VacuumProgress) > 0 {
		b.WriteString("\nVacuum in progress\n")
		tw := newTab(b)
		for _, v := range r.VacuumProgress {
			fmt.Fprintf(tw, "  %s.%s\t%s\t%d/%d blocks scanned\n", v.DBName, v.TableName, v.Phase, v.HeapBlksScanned, v.HeapBlksTotal)
		}
		tw.Flush()
	}
	if n := len(r.AnalyzeProgress) + len(r.CreateIndexProgress) + len(r.ClusterProgress) + len(r.CopyProgress) + len(r.BasebackupProgress); n > 0 {
		fmt.Fprintf(b, "\nJobs in progress: %d analyze, %d create index, %d cluster, %d copy, %d base backup\n", len(r.AnalyzeProgress),
			len(r.CreateIndexProgress), len(r.ClusterProgress), len(r.CopyProgress), len(r.BasebackupProgress))
		tw := newTab(b)
		jobRows(tw, r)
		tw.Flush()
	}
}

func jobRows(tw *tabwriter.Writer, r *Report) {
	rel := func(db, name string, oid int64) string {
		if name == "" {
			name = "oid " + strconv.FormatInt(oid, 10)
		}
		return db + "." + name
	}
	for _, j := range r.AnalyzeProgress {
		fmt.Fprintf(tw, "  pid %d\tANALYZE %s\t%s\t%d/%d sample blocks\n", j.PID, rel(j.DBName, j.TableName, j.TableOID), j.Phase, j.SampleBlksScanned, j.SampleBlksTotal)
	}
	for _, j := range r.CreateIndexProgress {
		fmt.Fprintf(tw, "  pid %d\t%s on %s\t%s\t%d/%d blocks, %d/%d tuples\n", j.PID, j.Command, rel(j.DBName, j.TableName, j.TableOID), j.Phase, j.BlocksDone, j.BlocksTotal, j.TuplesDone, j.TuplesTotal)
	}
	for _, j := range r.ClusterProgress {
		fmt.Fprintf(tw, "  pid %d\t%s %s\t%s\t%d/%d heap blocks\n", j.PID, j.Command, rel(j.DBName, j.TableName, j.TableOID), j.Phase, j.HeapBlksScanned, j.HeapBlksTotal)
	}
	for _, j := range r.CopyProgress {
		fmt.Fprintf(tw, "  pid %d\t%s %s\t%s\t%s, %d tuples\n", j.PID, j.Command, rel(j.DBName, j.TableName, j.TableOID), strings.ToLower(j.Type), bytesIEC(j.BytesProcessed), j.TuplesProcessed)
	}
	for _, j := range r.BasebackupProgress {
		fmt.Fprintf(tw, "  pid %d\tBASE BACKUP\t%s\t%s of %s\n", j.PID, j.Phase, bytesIEC(j.BackupStreamed), bytesIEC(j.BackupTotal))
	}
}

// textRoles: roles other than the predefined pg_* ones, with their attributes.
func textRoles(b *strings.Builder, r *Report, _ TextOptions) {
	fmt.Fprintf(b, "\nRoles (%d)\n", len(r.Roles))
	tw := newTab(b)
	for _, ro := range r.Roles {
		if strings.HasPrefix(ro.Name, "pg_") {
			continue
		}
		var f []string
		for _, x := range []struct {
			on   bool
			name string
		}{{ro.Rolsuper, "superuser"}, {ro.Rolcanlogin, "login"}, {ro.Rolreplication, "replication"},
			{ro.Rolcreatedb, "createdb"}, {ro.Rolcreaterole, "createrole"}, {ro.Rolbypassrls, "bypassrls"}} {
			if x.on {
				f = append(f, x.name)
			}
		}
		if len(ro.MemberOf) > 0 {
			f = append(f, "member of "+strings.Join(ro.MemberOf, ","))
		}
		row(tw, ro.Name, strings.Join(f, ", "))
	}
	tw.Flush()
}

func textTablespaces(b *strings.Builder, r *Report, _ TextOptions) {
	b.WriteString("\nTablespaces\n")
	tw := newTab(b)
	fmt.Fprintln(tw, "  name\towner\tsize\tdisk used\tlocation")
	for _, t := range r.Tablespaces {
		disk := "-"
		if t.DiskTotal > 0 {
			disk = fmt.Sprintf("%s of %s", bytesIEC(t.DiskUsed), bytesIEC(t.DiskTotal))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", t.Name, t.Owner, sizeOrDash(t.Size), disk, firstNonEmpty(t.Location, "-"))
	}
	tw.Flush()
}

func textDatabases(b *strings.Builder, r *Report, _ TextOptions) {
	b.WriteString("\nDatabases\n")
	tw := newTab(b)
	fmt.Fprintln(tw, "  name\tsize\tbackends\tcommits\trollbacks\tcache hit\txid age\tmxid age\tdeadlocks\ttemp files")
	for _, d := range r.Databases {
		if d.IsTemplate {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%s\t%d\t%d\t%d\t%d\n", d.Name, sizeOrDash(d.Size), d.NumBackends, d.XactCommit,
			d.XactRollback, ratio(d.BlksHit, d.BlksRead), d.AgeDatFrozenXid, d.AgeDatMinMxid, d.Deadlocks, d.TempFiles)
	}
	tw.Flush()
}

// textEachDB: one block per database collected.
func textEachDB(b *strings.Builder, r *Report, o TextOptions) {
	for _, db := range r.Meta.CollectedDBs {
		writeDB(b, r, db, o)
	}
}

// textStatements: the slowest statements of each database (pgmetrics'
// "Slow Queries" per database), databases in the order of their slowest.
func textStatements(b *strings.Builder, r *Report, o TextOptions) {
	if len(r.Statements) == 0 {
		return
	}
	stmts := make([]*Statement, len(r.Statements))
	for i := range r.Statements {
		stmts[i] = &r.Statements[i]
	}
	sort.SliceStable(stmts, func(i, j int) bool { return stmts[i].TotalTime > stmts[j].TotalTime })
	var dbs []string
	byDB := map[string][]*Statement{}
	for _, s := range stmts {
		if byDB[s.DBName] == nil {
			dbs = append(dbs, s.DBName)
		}
		byDB[s.DBName] = append(byDB[s.DBName], s)
	}
	top := min(o.TopN, slowPerDB)
	fmt.Fprintf(b, "\nSlow queries (pg_stat_statements: %d in %d databases, top %d of each by total time)\n", len(stmts), len(dbs), top)
	for _, db := range dbs {
		list := byDB[db]
		fmt.Fprintf(b, "  %s (%d%s)\n", firstNonEmpty(db, "(a dropped database)"), len(list), shownOf(len(list), top, "slowest"))
		tw := newTab(b)
		fmt.Fprintln(tw, "    total\tcalls\tmean\trows/call\tquery")
		for _, s := range list[:min(len(list), top)] {
			mean, rows := 0.0, int64(0)
			if s.Calls > 0 {
				mean, rows = s.TotalTime/float64(s.Calls), s.Rows/s.Calls
			}
			fmt.Fprintf(tw, "    %s\t%d\t%s\t%d\t%s\n", ms(s.TotalTime), s.Calls, ms(mean), rows, oneLine(s.Query, queryWidth))
		}
		tw.Flush()
	}
}

// slowPerDB bounds the slow queries shown per database (--top may lower it).
const slowPerDB = 10

func textGaps(b *strings.Builder, r *Report, _ TextOptions) {
	if len(r.Meta.Gaps) == 0 {
		return
	}
	b.WriteString("\nNot collected\n")
	for _, g := range r.Meta.Gaps {
		fmt.Fprintf(b, "  - %s\n", g)
	}
}

// writeDB is one database's block: its tables, indexes, sequences and the rest.
func writeDB(b *strings.Builder, r *Report, db string, o TextOptions) {
	fmt.Fprintf(b, "\nDatabase %q\n", db)
	dbTables(b, r, db, o)
	dbIndexes(b, r, db, o)
	dbSequences(b, r, db, o)
	dbOthers(b, r, db)
}

// keptOf is the items keep says yes to (on pointers: a Table is big).
func keptOf[T any](items []T, keep func(*T) bool) []T {
	var out []T
	for i := range items {
		if keep(&items[i]) {
			out = append(out, items[i])
		}
	}
	return out
}

// dbTables: the largest tables.
func dbTables(b *strings.Builder, r *Report, db string, o TextOptions) {
	tables := keptOf(r.Tables, func(t *Table) bool { return t.DBName == db })
	sort.SliceStable(tables, func(i, j int) bool { return tables[i].Size > tables[j].Size })
	topList(b, "Tables", tables, o.TopN, "largest",
		"    table\tsize\tbloat\tlive rows\tdead rows\tseq scans\tidx scans\tcache hit\tlast vacuum\tlast analyze",
		func(tw io.Writer, t Table) {
			fmt.Fprintf(tw, "    %s.%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", t.SchemaName, t.Name, bytesIEC(t.Size), sizeOrDash(t.Bloat),
				t.NLiveTup, t.NDeadTup, t.SeqScan, t.IdxScan, ratio(t.HeapBlksHit, t.HeapBlksRead),
				ago(r.Meta.At, max(t.LastVacuum, t.LastAutovacuum)), ago(r.Meta.At, max(t.LastAnalyze, t.LastAutoanalyze)))
		})
}

// topList writes "  title (n[, top by shown])" and, if there are any, the
// first top items as a table under header.
func topList[T any](b *strings.Builder, title string, items []T, top int, by, header string, row func(tw io.Writer, x T)) {
	fmt.Fprintf(b, "  %s (%d%s)\n", title, len(items), shownOf(len(items), top, by))
	if len(items) == 0 {
		return
	}
	tw := newTab(b)
	fmt.Fprintln(tw, header)
	for _, x := range items[:min(len(items), top)] {
		row(tw, x)
	}
	tw.Flush()
}

// dbIndexes: the count, and the largest unused or invalid indexes.
func dbIndexes(b *strings.Builder, r *Report, db string, o TextOptions) {
	var unused []Index
	total := 0
	for _, x := range r.Indexes {
		if x.DBName != db {
			continue
		}
		total++
		if isUnused(x) || x.Invalid {
			unused = append(unused, x)
		}
	}
	sort.SliceStable(unused, func(i, j int) bool { return unused[i].Size > unused[j].Size })
	fmt.Fprintf(b, "  Indexes: %d, %d unused or invalid%s\n", total, len(unused), shownOf(len(unused), o.TopN, "largest"))
	if len(unused) == 0 {
		return
	}
	tw := newTab(b)
	fmt.Fprintln(tw, "    index\ttable\tsize\tscans\tstate")
	for _, x := range unused[:min(len(unused), o.TopN)] {
		state := "unused"
		if x.Invalid {
			state = "invalid"
		}
		fmt.Fprintf(tw, "    %s.%s\t%s\t%s\t%d\t%s\n", x.SchemaName, x.Name, x.TableName, bytesIEC(x.Size), x.IdxScan, state)
	}
	tw.Flush()
}

// dbSequences: the most used sequences.
func dbSequences(b *strings.Builder, r *Report, db string, o TextOptions) {
	seqs := keptOf(r.Sequences, func(s *Sequence) bool { return s.DBName == db })
	sort.SliceStable(seqs, func(i, j int) bool { return seqs[i].UsedPct > seqs[j].UsedPct })
	topList(b, "Sequences", seqs, o.TopN, "most used", "    sequence\tlast value\tmax value\tused", func(tw io.Writer, s Sequence) {
		last, maxv, used := "-", "-", "-"
		if s.MaxValue != 0 { // pgmetrics reports have none
			maxv = strconv.FormatInt(s.MaxValue, 10)
		}
		if s.LastValue >= 0 && s.MaxValue != 0 { // -1: never called, or not readable
			last, used = strconv.FormatInt(s.LastValue, 10), fmt.Sprintf("%.2f%%", s.UsedPct)
		}
		fmt.Fprintf(tw, "    %s.%s\t%s\t%s\t%s\n", s.SchemaName, s.Name, last, maxv, used)
	})
}

// dbOthers: extensions, functions, disabled triggers, publications, subscriptions.
func dbOthers(b *strings.Builder, r *Report, db string) {
	var exts []string
	for _, e := range r.Extensions {
		if e.DBName == db {
			exts = append(exts, e.Name+" "+e.InstalledVersion)
		}
	}
	if len(exts) > 0 {
		fmt.Fprintf(b, "  Extensions: %s\n", strings.Join(exts, ", "))
	}
	for _, f := range r.UserFunctions {
		if f.DBName == db {
			fmt.Fprintf(b, "  Function %s.%s: %d calls, %s total\n", f.SchemaName, f.Name, f.Calls, ms(f.TotalTime))
		}
	}
	for _, t := range r.DisabledTriggers {
		if t.DBName == db {
			fmt.Fprintf(b, "  Disabled trigger %s on %s.%s\n", t.Name, t.SchemaName, t.TableName)
		}
	}
	for _, pub := range r.Publications {
		if pub.DBName == db {
			fmt.Fprintf(b, "  Publication %s: %d tables\n", pub.Name, pub.TableCount)
		}
	}
	for _, s := range r.Subscriptions {
		if s.DBName == db {
			fmt.Fprintf(b, "  Subscription %s: enabled %s, %d workers, received %s\n", s.Name, yesNo(s.Enabled), s.WorkerCount, s.ReceivedLSN)
		}
	}
}

func shownOf(n, top int, by string) string {
	if n > top {
		return fmt.Sprintf(", %d %s shown", top, by)
	}
	return ""
}

func newTab(b *strings.Builder) *tabwriter.Writer { return tabwriter.NewWriter(b, 0, 0, 2, ' ', 0) }

func row(tw *tabwriter.Writer, k, v string) { fmt.Fprintf(tw, "  %s:\t%s\n", k, v) }

func ts(unix int64) string {
	if unix <= 0 {
		return "never"
	}
	return time.Unix(unix, 0).UTC().Format("2006-01-02 15:04:05 UTC")
}

func ago(now, unix int64) string {
	if unix <= 0 {
		return "never"
	}
	return dur(now-unix) + " ago"
}

// dur formats seconds compactly: 45s, 12m, 3h20m, 2d4h.
func dur(s int64) string {
	switch {
	case s < 0:
		return "0s"
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%dm", s/3600, s%3600/60)
	default:
		return fmt.Sprintf("%dd%dh", s/86400, s%86400/3600)
	}
}

func durMicros(us int64) string {
	if us < 1000000 {
		return fmt.Sprintf("%.1fms", float64(us)/1000)
	}
	return dur(us / 1000000)
}

func ms(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.1fs", v/1000)
	}
	return fmt.Sprintf("%.2fms", v)
}

func bytesIEC(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"KiB", "MiB", "GiB", "TiB"} {
		f /= 1024
		if f < 1024 {
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return fmt.Sprintf("%.1f PiB", f/1024)
}

func sizeOrDash(n int64) string {
	if n < 0 {
		return "-"
	}
	return bytesIEC(n)
}

func ratio(hit, read int64) string {
	if hit+read == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(hit)/float64(hit+read))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = truncate(s, n-3) + "..."
	}
	return s
}

func sortedInts(m map[int][]int) []int {
	k := make([]int, 0, len(m))
	for x := range m {
		k = append(k, x)
	}
	sort.Ints(k)
	return k
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
