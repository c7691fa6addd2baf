package pgstat

import (
	"slices"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/pgbouncer"
	"github.com/cronkit/cronkit/lib/pglog"
)

type textPartCase struct {
	name string
	part func(b *strings.Builder, r *Report, o TextOptions)
	r    Report
	want string
}

// textPartCases: each block of the text report on a small report.
func textPartCases() []textPartCase {
	return []textPartCase{
		{"header", textHeader, Report{Meta: Meta{At: 86400, User: "mon", CollectedDBs: []string{"a", "b"}}},
			"PostgreSQL report: a, b, collected 1970-01-02 00:00:00 UTC as mon\n"},
		{"warnings none", textWarnings, Report{}, "\nWarnings (0)\n  none\n"},
		{"warnings", textWarnings, Report{Meta: Meta{Errors: []SectionError{{Section: "locks", Error: "boom"}}}},
			"\nWarnings (1)\n  ! section locks failed: boom\n"},
		{"server 17", textServer, Report{Meta: Meta{At: 3700}, FullVersion: "PostgreSQL 17", StartTime: 100, IsInRecovery: true,
			IsWalReplayPaused: true, WALCount: -1, LastWALReceiveLSN: "0/2", LastWALReplayLSN: "0/1",
			LastXactReplayTimestamp: 3600, Checkpointer: &Checkpointer{NumTimed: 2, BuffersWritten: 5, StatsReset: 100},
			BGWriter: BGWriter{BuffersAlloc: 9, BuffersClean: 3, StatsReset: 100},
			Settings: map[string]Setting{"work_mem": {Setting: "4096", Unit: "kB"}, "archive_mode": {Setting: "off", Source: "configuration file"}}},
			"\nServer\n  Version:                PostgreSQL 17\n  Started:                1970-01-01 00:01:40 UTC (up 1h0m)\n" +
				"  Role:                   standby (in recovery), replay paused\n  WAL received/replayed:  0/2 / 0/1 (replay 1 B behind)\n" +
				"  Last replayed xact:     1970-01-01 01:00:00 UTC (1m40s ago)\n" +
				"  WAL files:              not collected\n  Archiver:               0 archived, 0 failed (mode off)\n" +
				"  Checkpoints:            2 timed, 0 requested\n  Buffers:                9 allocated, 3 by bgwriter, 5 by checkpoints\n" +
				"  Checkpoint rate:        2.00 per hour, 0% requested, since 1970-01-01 00:01:40 UTC\n" +
				"  Write rate:             18 B/s: checkpoints 11 B/s, bgwriter 6 B/s\n"},
		// Rates since the reset 2 hours before: 900 blocks of 8 KiB by checkpoints = 1 KiB/s.
		{"server rates 15", textServer, Report{Meta: Meta{At: 7300}, WALCount: -1, Settings: map[string]Setting{"block_size": {Setting: "8192"}},
			BGWriter: BGWriter{CheckpointsTimed: 3, CheckpointsRequested: 1, BuffersCheckpoint: 900, BuffersClean: 450, BuffersBackend: 450, StatsReset: 100}},
			"\nServer\n  Version:          \n  Role:             primary\n  WAL files:        not collected\n" +
				"  Archiver:         0 archived, 0 failed (mode ?)\n  Checkpoints:      3 timed, 1 requested\n" +
				"  Buffers:          0 allocated, 450 by bgwriter, 900 by checkpoints, 450 by backends\n" +
				"  Checkpoint rate:  2.00 per hour, 25% requested, since 1970-01-01 00:01:40 UTC\n" +
				"  Write rate:       2.0 KiB/s: checkpoints 1.0 KiB/s, bgwriter 512 B/s, backends 512 B/s\n"},
		{"settings", textSettings, Report{Settings: map[string]Setting{"work_mem": {Setting: "4096", Unit: "kB", Source: "configuration file"},
			"shared_buffers": {Setting: "16384"}, "autovacuum_work_mem": {Setting: "-1", Unit: "kB"}, "wal_level": {Setting: "replica", Source: "default"},
			"checkpoint_timeout": {Setting: "300", Unit: "s"}, "bgwriter_lru_multiplier": {Setting: "2"}, "autovacuum": {Setting: "on"},
			"autovacuum_naptime": {Setting: "60"}, "autovacuum_vacuum_scale_factor": {Setting: "0.2"}, "autovacuum_analyze_scale_factor": {Setting: "0.1"},
			"autovacuum_vacuum_cost_delay": {Setting: "2", Unit: "ms"}, "autovacuum_freeze_max_age": {Setting: "200000000", Source: "command line"},
			"lc_messages": {Setting: "C", Source: "configuration file"}}},
			"\nSettings (13, 3 changed from default, marked *)\n" +
				"  Memory:       shared_buffers=128.0 MiB, work_mem=4.0 MiB*, autovacuum_work_mem=-1\n" +
				"  WAL:          wal_level=replica\n  Checkpoints:  checkpoint_timeout=300s, bgwriter_lru_multiplier=2\n" +
				"  Autovacuum:   autovacuum=on, autovacuum_naptime=60s, autovacuum_vacuum_scale_factor=0.2,\n" +
				"                autovacuum_analyze_scale_factor=0.1, autovacuum_vacuum_cost_delay=2ms,\n" +
				"                autovacuum_freeze_max_age=200000000*\n"},
		{"server 15", textServer, Report{WALCount: 3, WALReadyCount: 1, WALLSN: "0/9", CheckpointLSN: "0/8", RedoLSN: "0/7", TimelineID: 1,
			NextXid: 10, OldestXid: 3, WAL: &WAL{Bytes: 2048, Records: 4, FPI: 1}, BGWriter: BGWriter{BuffersBackend: 6}},
			"\nServer\n  Version:          \n  Role:             primary\n  Last checkpoint:  never (LSN 0/8, redo 0/7, timeline 1)\n" +
				"  Transaction IDs:  next 10, oldest 3\n  WAL position:     0/9\n  WAL files:        3 segments, 1 ready to archive\n" +
				"  Archiver:         0 archived, 0 failed (mode ?)\n  WAL generated:    2.0 KiB, 4 records, 1 full-page images\n" +
				"  Buffers:          0 allocated, 0 by bgwriter, 0 by checkpoints, 6 by backends\n"},
		{"system remote", textSystem, Report{}, ""},
		{"system", textSystem, Report{System: &System{Hostname: "h", NumCores: 2, CPUModel: "x", LoadAvg: 0.5, MemUsed: 1024}},
			"\nSystem (server is local)\n  Host:          h, 2 cores (x)\n  Load average:  0.50\n" +
				"  Memory:        1.0 KiB used, 0 B free, 0 B cached, 0 B buffers\n  Swap:          0 B used, 0 B free\n"},
		{"replication", textReplication, Report{ReplicationOutgoing: []ReplicationOut{{ApplicationName: "s1", State: "streaming",
			SyncState: "async", ReplayLSN: "0/1", ReplayLag: 1500}}, ReplicationIncoming: &ReplicationIn{Status: "streaming",
			SenderHost: "p", SenderPort: 5432, ReceivedLSN: "0/2", Latency: 2e6},
			ReplicationSlots: []ReplicationSlot{{SlotName: "x", SlotType: "physical", RestartLSN: "0/3", WALStatus: "reserved"}}},
			"\nOutgoing replication\n  name  client  state      sync   replay lsn  lag bytes  replay lag\n" +
				"  s1    local   streaming  async  0/1         0 B        1.5ms\n" +
				"\nIncoming replication\n  Status:        streaming\n  Sender:        p:5432\n  Received LSN:  0/2\n  Latency:       2s\n" +
				"\nReplication slots\n  name  type      active  restart lsn  wal status\n  x     physical  no      0/3          reserved\n"},
		{"backends", textBackends, Report{Backends: []Backend{{State: "active"}, {BackendType: "client backend"}, {BackendType: "walwriter"}},
			BETypeCounts: map[string]int{"client backend": 1, "walwriter": 1}, Locks: []Lock{{Granted: true}, {}}},
			"\nBackends (3)\n  Clients active:   1\n  Clients unknown:  1\n  walwriter:        1\n"},
		{"locks none", textLocks, Report{}, "\nLocks: 0 held, 0 waiting\n"},
		{"locks", textLocks, Report{Locks: []Lock{{LockType: "relation", Mode: "AccessShareLock", Granted: true},
			{LockType: "relation", Mode: "AccessShareLock", Granted: true}, {LockType: "transactionid", Mode: "ShareLock"},
			{LockType: "advisory", Mode: "ExclusiveLock", Granted: true}}},
			"\nLocks: 3 held, 1 waiting\n  type           mode             granted  waiting\n" +
				"  advisory       ExclusiveLock    1        0\n  relation       AccessShareLock  2        0\n" +
				"  transactionid  ShareLock        0        1\n"},
		{"stalled none", textStalled, Report{Backends: []Backend{{PID: 1, State: "idle", WaitEventType: "Client", WaitEvent: "ClientRead"},
			{PID: 2, State: "active", WaitEventType: "Lock", ApplicationName: "pgreport/1"}, {PID: 3, State: "active"}}},
			"\nWaiting and idle in transaction: 0 waiting for locks, 0 waiting on other, 0 idle in transaction\n"},
		// Locks first, then other waits, then idle in transaction; two shown of three.
		{"stalled", textStalled, Report{Meta: Meta{At: 100}, Backends: []Backend{
			{PID: 9, RoleName: "r", DBName: "d", State: "idle in transaction (aborted)", StateChange: 40, QueryStart: 1, Query: "SELECT 1"},
			{PID: 8, RoleName: "r", DBName: "d", State: "active", WaitEventType: "IO", WaitEvent: "DataFileRead", QueryStart: 90, Query: "SELECT\n  2"},
			{PID: 7, DBName: "d", ApplicationName: "psql", State: "active", WaitEventType: "Lock", WaitEvent: "relation"}}},
			"\nWaiting and idle in transaction: 1 waiting for locks, 1 waiting on other, 1 idle in transaction, 2 first shown\n" +
				"  pid  user@db  app   state   wait             for  query\n" +
				"  7    -@d      psql  active  Lock/relation    -    \n" +
				"  8    r@d      -     active  IO/DataFileRead  10s  SELECT 2\n"},
		{"blocked none", textBlocked, Report{Locks: []Lock{{Granted: true, PID: 1}}}, ""},
		// A waiter on a named table, one on an index elsewhere (an OID), one whose blocker is gone.
		{"blocked", textBlocked, Report{Meta: Meta{At: 100},
			Backends: []Backend{{PID: 1, RoleName: "r", DBName: "d", State: "active", QueryStart: 70, Query: "INSERT INTO t VALUES (1)"},
				{PID: 2, RoleName: "o", DBName: "d", ApplicationName: "app", State: "idle in transaction", StateChange: 50, Query: "LOCK t"},
				{PID: 3, DBName: "e", State: "active", Query: "REINDEX"}},
			Locks: []Lock{{PID: 1, LockType: "relation", Mode: "RowExclusiveLock", RelationOID: 10, DBName: "d", WaitStart: 80},
				{PID: 2, LockType: "relation", Mode: "ShareLock", RelationOID: 10, DBName: "d", Granted: true},
				{PID: 2, LockType: "relation", Mode: "ShareLock", RelationOID: 11, DBName: "d", Granted: true},
				{PID: 3, LockType: "relation", Mode: "AccessExclusiveLock", RelationOID: 20, DBName: "e"}},
			Tables:       []Table{{DBName: "d", OID: 10, SchemaName: "s", Name: "t"}, {DBName: "e", OID: 11, Name: "x"}},
			BlockingPIDs: map[int][]int{1: {2}, 3: {4}, 5: {2}}},
			"\nBlocked queries (3, 2 first shown)\n" +
				"  pid 1 (r@d) waits 20s for relation RowExclusiveLock on s.t\n" +
				"    query:       INSERT INTO t VALUES (1)\n" +
				"    blocked by:  pid 2 (o@d, app), idle in transaction for 50s, holds ShareLock\n" +
				"    last query:  LOCK t\n" +
				"  pid 3 (-@e) waits for relation AccessExclusiveLock on oid 20 in e\n" +
				"    query:       REINDEX\n" +
				"    blocked by:  pid 4 (not in pg_stat_activity)\n"},
		{"progress", textProgress, Report{VacuumProgress: []VacuumProgress{{DBName: "d", TableName: "t", Phase: "scanning heap",
			HeapBlksScanned: 1, HeapBlksTotal: 2}}, AnalyzeProgress: []AnalyzeProgress{{PID: 7, DBName: "d", TableOID: 99, Phase: "p"}},
			BasebackupProgress: []BasebackupProgress{{PID: 8, Phase: "streaming", BackupStreamed: 1024, BackupTotal: 2048}}},
			"\nVacuum in progress\n  d.t  scanning heap  1/2 blocks scanned\n" +
				"\nJobs in progress: 1 analyze, 0 create index, 0 cluster, 0 copy, 1 base backup\n" +
				"  pid 7  ANALYZE d.oid 99  p          0/0 sample blocks\n  pid 8  BASE BACKUP       streaming  1.0 KiB of 2.0 KiB\n"},
		{"roles", textRoles, Report{Roles: []Role{{Name: "pg_monitor"}, {Name: "app", Rolcanlogin: true, MemberOf: []string{"pg_monitor", "r"}}}},
			"\nRoles (2)\n  app:  login, member of pg_monitor,r\n"},
		{"tablespaces", textTablespaces, Report{Tablespaces: []Tablespace{{Name: "pg_default", Owner: "postgres", Size: 2048,
			DiskUsed: 1024, DiskTotal: 4096, Location: "/d"}, {Name: "x", Size: -1}}},
			"\nTablespaces\n  name        owner     size     disk used           location\n" +
				"  pg_default  postgres  2.0 KiB  1.0 KiB of 4.0 KiB  /d\n  x                     -        -                   -\n"},
		{"databases", textDatabases, Report{Databases: []Database{{Name: "t", IsTemplate: true}, {Name: "d", Size: 1024, BlksHit: 3, BlksRead: 1}}},
			"\nDatabases\n  name  size     backends  commits  rollbacks  cache hit  xid age  mxid age  deadlocks  temp files\n" +
				"  d     1.0 KiB  0         0        0          75.0%      0        0         0          0\n"},
		{"each db", textEachDB, Report{Meta: Meta{CollectedDBs: []string{"d"}}}, "\nDatabase \"d\"\n  Tables (0)\n  Indexes: 0, 0 unused or invalid\n  Sequences (0)\n"},
		{"statements", textStatements, Report{Statements: []Statement{{TotalTime: 2000, Calls: 4, Rows: 8, DBName: "d", Query: "SELECT\n  1"}}},
			"\nSlow queries (pg_stat_statements: 1 in 1 databases, top 2 of each by total time)\n  d (1)\n" +
				"    total  calls  mean      rows/call  query\n    2.0s   4      500.00ms  2          SELECT 1\n"},
		// Per database, the database with the slowest first; two of three shown.
		{"statements by db", textStatements, Report{Statements: []Statement{{TotalTime: 1, DBName: "a", Query: "q1"},
			{TotalTime: 5, Calls: 1, DBName: "b", Query: "q2"}, {TotalTime: 3, DBName: "a", Query: "q3"}, {TotalTime: 2, DBName: "a", Query: "q4"}, {DBName: "", Query: "q5"}}},
			"\nSlow queries (pg_stat_statements: 5 in 3 databases, top 2 of each by total time)\n" +
				"  b (1)\n    total   calls  mean    rows/call  query\n    5.00ms  1      5.00ms  0          q2\n" +
				"  a (3, 2 slowest shown)\n    total   calls  mean    rows/call  query\n    3.00ms  0      0.00ms  0          q3\n" +
				"    2.00ms  0      0.00ms  0          q4\n" +
				"  (a dropped database) (1)\n    total   calls  mean    rows/call  query\n    0.00ms  0      0.00ms  0          q5\n"},
		{"header pgbouncer", textHeader, Report{Meta: Meta{At: 86400, Mode: "pgbouncer"}},
			"PgBouncer report: -, collected 1970-01-02 00:00:00 UTC\n"},
		{"logs not read", textLogs, Report{}, ""},
		{"logs", textLogs, Report{Meta: Meta{LogFiles: []string{"f.log"}}, Records: pglog.Records{
			LogEntries: []pglog.Entry{{Level: "WARNING"}}, Autovacuums: []pglog.Autovacuum{{At: 1, TableName: "d.s.t", Elapsed: 0.5},
				{At: 2, TableName: "d.s.u"}, {At: 3, TableName: "d.s.v"}}}},
			"\nServer log (f.log)\n  1 entries: 0 errors, 0 fatal, 0 panics, 1 warnings; 0 deadlocks, 3 autovacuums, 0 plans\n" +
				"\nRecent autovacuums (3, 2 latest shown)\n  at                       table  elapsed\n" +
				"  1970-01-01 00:00:02 UTC  d.s.u  0.00s\n  1970-01-01 00:00:03 UTC  d.s.v  0.00s\n"},
		{"pgbouncer dbs", textPgBouncerDBs, Report{PgBouncer: &pgbouncer.PgBouncer{DBs: []pgbouncer.Database{
			{Database: "pgbouncer", Port: 6432, SourceDatabase: "pgbouncer", MaxConn: 0}}}},
			"\nPgBouncer databases\n  name                  server  database   force user  conns/max  paused  disabled\n" +
				"  pgbouncer (internal)  -:6432  pgbouncer  -           0/-        no      no\n"},
		{"pgbouncer pools none", textPgBouncerPools, Report{},
			"\nPgBouncer pools\n  database  user  mode  cl active  cl waiting  sv active  sv idle  sv used  max wait\n"},
		{"pgbouncer conns", textPgBouncerConns, Report{PgBouncer: &pgbouncer.PgBouncer{CCActive: 2, SCIdle: 1}},
			"\nPgBouncer connections\n  Clients:  2 active, 0 waiting, 0 idle, 0 used; wait max 0.000s, avg 0.000s\n" +
				"  Servers:  0 active, 1 idle, 0 used; wait max 0.000s\n"},
		{"pgbouncer no traffic", textPgBouncerTraffic, Report{}, ""},
		{"gaps", textGaps, Report{Meta: Meta{Gaps: []string{"wal_files: no"}}}, "\nNot collected\n  - wal_files: no\n"},
	}
}

// Each block of the text report alone (TestTextGolden has them together).
func TestTextParts(t *testing.T) {
	for _, tc := range textPartCases() {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			tc.part(&b, &tc.r, TextOptions{TopN: 2}.defaults())
			if got := b.String(); got != tc.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tc.want)
			}
		})
	}
}

// One database's block: the top N of each list, largest or most used first.
func TestTextDB(t *testing.T) {
	r := &Report{Meta: Meta{At: 7200}, Tables: []Table{{DBName: "d", SchemaName: "s", Name: "small", Size: 1},
		{DBName: "d", SchemaName: "s", Name: "big", Size: 4096, Bloat: -1, LastAutovacuum: 3600}, {DBName: "d", SchemaName: "s", Name: "mid", Size: 2},
		{DBName: "other", Name: "x"}},
		Indexes: []Index{{DBName: "d", SchemaName: "s", Name: "u", TableName: "big", Size: 8}, {DBName: "d", Name: "pk", IsPrimary: true},
			{DBName: "d", SchemaName: "s", Name: "bad", TableName: "mid", Invalid: true, IdxScan: 3}},
		Sequences: []Sequence{{DBName: "d", SchemaName: "s", Name: "q", LastValue: 5, MaxValue: 10, UsedPct: 50},
			{DBName: "d", SchemaName: "s", Name: "pgm", LastValue: -1}},
		Extensions:       []Extension{{DBName: "d", Name: "plpgsql", InstalledVersion: "1.0"}},
		UserFunctions:    []UserFunction{{DBName: "d", SchemaName: "s", Name: "f", Calls: 2, TotalTime: 1.5}},
		DisabledTriggers: []Trigger{{DBName: "d", Name: "tr", SchemaName: "s", TableName: "big"}},
		Publications:     []Publication{{DBName: "d", Name: "p", TableCount: 2}},
		Subscriptions:    []Subscription{{DBName: "d", Name: "sub", Enabled: true, WorkerCount: 1, ReceivedLSN: "0/1"}},
	}
	var b strings.Builder
	writeDB(&b, r, "d", TextOptions{TopN: 2}.defaults())
	want := "\nDatabase \"d\"\n  Tables (3, 2 largest shown)\n" +
		"    table  size     bloat  live rows  dead rows  seq scans  idx scans  cache hit  last vacuum  last analyze\n" +
		"    s.big  4.0 KiB  -      0          0          0          0          -          1h0m ago     never\n" +
		"    s.mid  2 B      0 B    0          0          0          0          -          never        never\n" +
		"  Indexes: 3, 2 unused or invalid\n    index  table  size  scans  state\n" +
		"    s.u    big    8 B   0      unused\n    s.bad  mid    0 B   3      invalid\n" +
		"  Sequences (2)\n    sequence  last value  max value  used\n    s.q       5           10         50.00%\n" +
		"    s.pgm     -           -          -\n" +
		"  Extensions: plpgsql 1.0\n  Function s.f: 2 calls, 1.50ms total\n  Disabled trigger tr on s.big\n" +
		"  Publication p: 2 tables\n  Subscription sub: enabled yes, 1 workers, received 0/1\n"
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

type warningCase struct {
	name  string
	check func(w []string, r *Report, o TextOptions) []string
	r     Report
	want  []string
}

// warningCases: each warning check on a report that trips it (and one
// that does not, beside it).
func warningCases() []warningCase {
	return []warningCase{
		{"sections", sectionWarnings, Report{Meta: Meta{Errors: []SectionError{{Section: "tables", DB: "d", Error: "e"}}}},
			[]string{"section tables (d) failed: e"}},
		{"databases", databaseWarnings, Report{Databases: []Database{{Name: "d", AgeDatFrozenXid: 1 << 30, AgeDatMinMxid: 1 << 30, Deadlocks: 2},
			{Name: "ok", AgeDatFrozenXid: 1<<30 - 1}}},
			[]string{`database "d": transaction ID age 1073741824 is 50% of the way to wraparound`,
				`database "d": multixact age 1073741824 is 50% of the way to wraparound`, `database "d": 2 deadlocks since stats reset`}},
		{"backends", backendWarnings, Report{Meta: Meta{At: 100}, Backends: []Backend{{PID: 1, RoleName: "r", DBName: "d", State: "idle in transaction", XactStart: 90},
			{PID: 2, XactStart: 91}, {PID: 3, XactStart: 1, ApplicationName: "pgreport/x"}}, BlockingPIDs: map[int][]int{9: {1, 2}, 4: {1}}},
			[]string{"long transaction: pid 1 (r@d, idle in transaction) open for 10s",
				"blocked: pid 4 waits for a lock held by pid 1", "blocked: pid 9 waits for a lock held by pid 1, 2"}},
		{"replication", replicationWarnings, Report{ReplicationOutgoing: []ReplicationOut{{ApplicationName: "s", ClientAddr: "10.0.0.2",
			ReplayLagBytes: 1 << 30, ReplayLag: 5e6}, {ApplicationName: "ok", ReplayLag: 59e6}},
			ReplicationSlots:  []ReplicationSlot{{SlotName: "x"}, {SlotName: "y", Active: true}},
			LastWALReceiveLSN: "1/0", LastWALReplayLSN: "0/0", IsWalReplayPaused: true},
			[]string{"standby replay is 4.0 GiB behind the WAL received (replay paused: yes)",
				"replication lag: s (10.0.0.2) is 1.0 GiB / 5s behind", `replication slot "x" is inactive: it holds back WAL`}},
		{"standby close", replicationWarnings, Report{LastWALReceiveLSN: "0/40000000", LastWALReplayLSN: "0/1"}, nil},
		{"sequences", sequenceWarnings, Report{Sequences: []Sequence{{DBName: "d", SchemaName: "s", Name: "q", UsedPct: 75, LastValue: 75, MaxValue: 100},
			{Name: "ok", UsedPct: 74.9}}},
			[]string{"sequence d.s.q is 75.0% used (75 of 100)"}},
		{"tables", tableWarnings, Report{Tables: []Table{{DBName: "d", SchemaName: "s", Name: "t", NDeadTup: 10000, NLiveTup: 50000},
			{Name: "ok", NDeadTup: 10000, NLiveTup: 50001}}},
			[]string{"table d.s.t has 10000 dead rows (50000 live): vacuum is behind"}},
		{"indexes", indexWarnings, Report{Indexes: []Index{{DBName: "d", SchemaName: "s", Name: "i", Invalid: true, IdxScan: 1},
			{DBName: "d", SchemaName: "s", Name: "b", Bloat: 1 << 20, Size: 2 << 20, IsUnique: true},
			{Name: "u", Size: 1024}, {Name: "ok", Bloat: 1 << 20, Size: 3 << 20, IdxScan: 1}}},
			[]string{"index d.s.i is invalid (a failed CREATE INDEX CONCURRENTLY?)",
				"index d.s.b is bloated: about 1.0 MiB of its 2.0 MiB is wasted (REINDEX CONCURRENTLY rebuilds it)",
				"1 unused indexes (never scanned, not unique) take 1.0 KiB"}},
	}
}

// Each warning check alone, at its thresholds (TestWarningsThresholds has
// them together).
func TestWarningChecks(t *testing.T) {
	for _, tc := range warningCases() {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.check(nil, &tc.r, TextOptions{LongXact: 10e9}); !slices.Equal(got, tc.want) {
				t.Errorf("got:\n%q\nwant:\n%q", got, tc.want)
			}
		})
	}
}

func TestParseLSN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{{"0/0", 0, true}, {"16/B374D848", 0x16B374D848, true}, {"7FFFFFFF/FFFFFFFF", 1<<63 - 1, true}, {"80000000/0", 0, false}, {"", 0, false},
		{"1", 0, false}, {"x/1", 0, false}, {"1/100000000", 0, false}} {
		if got, ok := parseLSN(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("parseLSN(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestWrapJoin(t *testing.T) {
	got := wrapJoin([]string{"aaaa", "bb", "cccccccccc", "d"}, 8)
	if want := []string{"aaaa, bb,", "cccccccccc,", "d"}; !slices.Equal(got, want) {
		t.Errorf("wrapJoin = %q, want %q", got, want)
	}
}

// pgreport --tables: a block per table of each database collected, with
// its indexes; nothing without the option.
func TestTextTables(t *testing.T) {
	r := &Report{Meta: Meta{At: 7200, CollectedDBs: []string{"d"}},
		Tables: []Table{{DBName: "e", Name: "elsewhere"}, {DBName: "d", SchemaName: "s", Name: "p1", RelPersistence: "u", ParentName: "s.p",
			PartitionCV: "FOR VALUES IN (1)", RelIsPartition: true, TablespaceName: "fast", Size: 4096, Bloat: 1024, NLiveTup: 3, NDeadTup: 1,
			NTupUpd: 4, NTupHotUpd: 1, VacuumCount: 2, LastVacuum: 3600, TotalVacuumTime: 1.5, SeqScan: 2, SeqTupRead: 5,
			HeapBlksHit: 9, HeapBlksRead: 1, ACL: "{a=r/b}"}},
		Indexes: []Index{{DBName: "d", SchemaName: "s", TableName: "p1", Name: "p1_pkey", AmName: "btree", Size: 2048, Bloat: -1, IdxScan: 4, IdxTupRead: 6, IdxTupFetch: 4},
			{DBName: "e", SchemaName: "s", TableName: "p1", Name: "other_db"}}}
	var b strings.Builder
	textTables(&b, r, TextOptions{})
	if b.Len() != 0 {
		t.Errorf("without Tables: %q", b.String())
	}
	want := "\nTable #1 in \"d\": s.p1\n  Attributes:      unlogged, partition of s.p FOR VALUES IN (1)\n  Tablespace:      fast\n" +
		"  Size:            4.0 KiB, bloat 1.0 KiB (25.0%)\n" +
		"  Rows:            3 live, 1 dead (25.0%), 0 modified since analyze, 0 inserted since vacuum\n" +
		"  Changes:         0 inserted, 4 updated (25.0% HOT), 0 deleted\n" +
		"  Vacuum:          manual 2, last 1h0m ago; auto never (total 1.50ms manual, 0.00ms auto)\n" +
		"  Analyze:         manual never; auto never\n" +
		"  Scans:           2 sequential (2.5 rows each), 0 index (- rows each)\n" +
		"  Cache hits:      heap 90.0%, indexes -, toast -\n  Frozen XID age:  0\n  ACL:             {a=r/b}\n" +
		"  Indexes (1)\n    index    type   size     bloat  cache hit  scans  rows read/scan  rows fetched/scan\n" +
		"    p1_pkey  btree  2.0 KiB  -      -          4      1.5             1.0\n"
	textTables(&b, r, TextOptions{Tables: true})
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// A never-called sequence (last_value -1) has no last value nor use, but its
// max value is known and shown, as in the JSON (issue 19; was "-").
func TestTextNeverCalledSequence(t *testing.T) {
	r := &Report{Sequences: []Sequence{{DBName: "d", SchemaName: "s", Name: "never", LastValue: -1, MaxValue: 1000, UsedPct: 0}}}
	var b strings.Builder
	dbSequences(&b, r, "d", TextOptions{}.defaults())
	if want := "    s.never   -           1000       -\n"; !strings.HasSuffix(b.String(), want) {
		t.Errorf("got:\n%q\nwant a last line %q", b.String(), want)
	}
}
