// Package pgstat collects PostgreSQL statistics on pgx into a report whose
// JSON keeps pgmetrics' field names (schema 1.20; see
// shared/reference/pgmetrics.md), and renders it as text or metric records.
// Every collector is a section with its own error capture, so one failing
// query costs only its section. It is not a public API.
package pgstat

import (
	"github.com/cronkit/cronkit/lib/pgbouncer"
	"github.com/cronkit/cronkit/lib/pglog"
)

// SchemaVersion is pgreport's own schema version (meta.pgreport_schema).
// meta.version stays the pgmetrics schema version that the field names
// follow, because pgDash rejects reports whose meta.version is not "1.x".
const (
	SchemaVersion   = "2" // 2: replication lags in seconds as pgmetrics (Report.Upgrade reads 1)
	PgmetricsSchema = "1.20"
)

// Report is one collection. Field names and types follow pgmetrics.Model;
// fields pgmetrics does not have are marked "pgreport:" and are additions only.
type Report struct {
	Meta Meta `json:"meta"`

	StartTime        int64  `json:"start_time"`
	SystemIdentifier string `json:"system_identifier"`
	CheckpointLSN    string `json:"checkpoint_lsn"`
	PriorLSN         string `json:"prior_lsn"`
	RedoLSN          string `json:"redo_lsn"`
	TimelineID       int    `json:"timeline_id"`
	NextXid          int64  `json:"next_xid"`
	OldestXid        int64  `json:"oldest_xid"`
	OldestActiveXid  int64  `json:"oldest_active_xid"`
	CheckpointTime   int64  `json:"checkpoint_time"`
	WALFlushLSN      string `json:"wal_flush_lsn"`
	WALInsertLSN     string `json:"wal_insert_lsn"`
	WALLSN           string `json:"wal_lsn"`

	IsInRecovery            bool   `json:"is_in_recovery"`
	IsWalReplayPaused       bool   `json:"is_wal_replay_paused"`
	LastWALReceiveLSN       string `json:"last_wal_receive_lsn"`
	LastWALReplayLSN        string `json:"last_wal_replay_lsn"`
	LastXactReplayTimestamp int64  `json:"last_xact_replay_timestamp"`
	LastXactXid             int64  `json:"last_xact_xid"`
	LastXactTime            int64  `json:"last_xact_time"`

	WALArchiving           WALArchiving `json:"wal_archiving"`
	WALCount               int          `json:"wal_count"`
	WALReadyCount          int          `json:"wal_ready_count"`
	NotificationQueueUsage float64      `json:"notification_queue_usage"`

	ReplicationOutgoing []ReplicationOut  `json:"replication_outgoing,omitempty"`
	ReplicationIncoming *ReplicationIn    `json:"replication_incoming,omitempty"`
	ReplicationSlots    []ReplicationSlot `json:"replication_slots,omitempty"`

	BGWriter     BGWriter      `json:"bg_writer"`
	Checkpointer *Checkpointer `json:"checkpointer,omitempty"`

	Backends []Backend `json:"backends"` // client backends only, as pgmetrics
	// pgreport: the other server processes of pg_stat_activity (autovacuum,
	// walsenders, background workers, ...), with their backend_type.
	OtherProcesses      []Backend             `json:"other_processes,omitempty"`
	BETypeCounts        map[string]int        `json:"betypecounts,omitempty"`
	Locks               []Lock                `json:"locks,omitempty"`
	BlockingPIDs        map[int][]int         `json:"blocking_pids,omitempty"`
	VacuumProgress      []VacuumProgress      `json:"vacuum_progress,omitempty"`
	AnalyzeProgress     []AnalyzeProgress     `json:"analyze_progress,omitempty"`
	BasebackupProgress  []BasebackupProgress  `json:"basebackup_progress,omitempty"`
	ClusterProgress     []ClusterProgress     `json:"cluster_progress,omitempty"`
	CopyProgress        []CopyProgress        `json:"copy_progress,omitempty"`
	CreateIndexProgress []CreateIndexProgress `json:"create_index_progress,omitempty"`

	Roles       []Role       `json:"roles"`
	Databases   []Database   `json:"databases"`
	Tablespaces []Tablespace `json:"tablespaces"`

	Tables           []Table        `json:"tables"`
	Indexes          []Index        `json:"indexes"`
	Sequences        []Sequence     `json:"sequences"`
	UserFunctions    []UserFunction `json:"user_functions,omitempty"`
	Extensions       []Extension    `json:"extensions"`
	DisabledTriggers []Trigger      `json:"disabled_triggers,omitempty"`
	Statements       []Statement    `json:"statements,omitempty"`
	Publications     []Publication  `json:"publications,omitempty"`
	Subscriptions    []Subscription `json:"subscriptions,omitempty"`

	System   *System            `json:"system,omitempty"`
	Settings map[string]Setting `json:"settings"`

	HighestWALSegment int64    `json:"highwal"`
	WAL               *WAL     `json:"wal,omitempty"`
	StatIOs           []StatIO `json:"stat_ios,omitempty"`

	FullVersion  string `json:"full_version"`
	ConfLoadTime int64  `json:"conf_load_time"`
	// "client_ip client_port server_ip server_port" over TCP, like SSH_CONNECTION (pgmetrics 1.17+).
	ConnectionTuple string `json:"connection_tuple,omitempty"`

	// pgreport: server_version_num, for version-gated rendering.
	ServerVersionNum int `json:"server_version_num,omitempty"`
	// pgreport: pg_prepared_xacts; nil when not collected (pgmetrics has none).
	PreparedXacts *[]PreparedXact `json:"prepared_xacts,omitempty"`

	// log_entries, autovacuums, deadlocks, plans at the top level (logs.go).
	pglog.Records
	// PgBouncer mode's figures (pgbouncer.go).
	PgBouncer *pgbouncer.PgBouncer `json:"pgbouncer,omitempty"`
}

// Meta is pgmetrics' metadata plus pgreport's schema version and the
// per-section errors.
type Meta struct {
	Version      string   `json:"version"`
	At           int64    `json:"at"`
	CollectedDBs []string `json:"collected_dbs"`
	Local        bool     `json:"local"`
	UserAgent    string   `json:"user_agent"`
	User         string   `json:"user"`
	Mode         string   `json:"mode"`

	// pgreport:
	PgreportSchema string         `json:"pgreport_schema"`
	Errors         []SectionError `json:"errors"`
	Gaps           []string       `json:"gaps,omitempty"`        // data not collected by design (missing extension, privilege-free fallbacks)
	DurationMS     float64        `json:"duration_ms,omitempty"` // collection time
	Statements     int            `json:"statements,omitempty"`  // SQL statements sent (side.go: not the second connection's BEGIN/COMMIT/SET)
	LogFiles       []string       `json:"log_files,omitempty"`   // server logs read (logs.go)
}

// SectionError records one section that failed; the rest of the report stands.
type SectionError struct {
	Section string `json:"section"`
	DB      string `json:"db,omitempty"`
	Error   string `json:"error"`
	Code    string `json:"code,omitempty"` // SQLSTATE when the server sent one
}

type WALArchiving struct {
	ArchivedCount    int64  `json:"archived_count" db:"archived_count"`
	LastArchivedWAL  string `json:"last_archived_wal" db:"last_archived_wal"`
	LastArchivedTime int64  `json:"last_archived_time" db:"last_archived_time"`
	FailedCount      int64  `json:"failed_count" db:"failed_count"`
	LastFailedWAL    string `json:"last_failed_wal" db:"last_failed_wal"`
	LastFailedTime   int64  `json:"last_failed_time" db:"last_failed_time"`
	StatsReset       int64  `json:"stats_reset" db:"stats_reset"`
}

type ReplicationOut struct {
	RoleName        string `json:"role_name" db:"role_name"`
	ApplicationName string `json:"application_name" db:"application_name"`
	ClientAddr      string `json:"client_addr" db:"client_addr"`
	BackendStart    int64  `json:"backend_start" db:"backend_start"`
	BackendXmin     int64  `json:"backend_xmin" db:"backend_xmin"`
	State           string `json:"state" db:"state"`
	SentLSN         string `json:"sent_lsn" db:"sent_lsn"`
	WriteLSN        string `json:"write_lsn" db:"write_lsn"`
	FlushLSN        string `json:"flush_lsn" db:"flush_lsn"`
	ReplayLSN       string `json:"replay_lsn" db:"replay_lsn"`
	// The lags in whole seconds, pgmetrics' write_lag, flush_lag, replay_lag
	// (EXTRACT(EPOCH FROM ...)::bigint; 0 where NULL).
	WriteLagSeconds  int64 `json:"write_lag" db:"write_lag_s"`
	FlushLagSeconds  int64 `json:"flush_lag" db:"flush_lag_s"`
	ReplayLagSeconds int64 `json:"replay_lag" db:"replay_lag_s"`
	// pgreport: the same lags in microseconds.
	WriteLag     int64  `json:"write_lag_micros" db:"write_lag"`
	FlushLag     int64  `json:"flush_lag_micros" db:"flush_lag"`
	ReplayLag    int64  `json:"replay_lag_micros" db:"replay_lag"`
	SyncPriority int    `json:"sync_priority" db:"sync_priority"`
	SyncState    string `json:"sync_state" db:"sync_state"`
	PID          int    `json:"pid" db:"pid"`
	ReplyTime    int64  `json:"reply_time,omitempty" db:"reply_time"`
	// pgreport: bytes between the primary's current WAL position and replay_lsn.
	ReplayLagBytes int64 `json:"replay_lag_bytes" db:"replay_lag_bytes"`

	// lagsInSeconds: read from a document without *_micros (pgmetrics', or
	// pgreport schema 1 whose lags were microseconds: Report.Upgrade).
	lagsInSeconds bool
}

type ReplicationIn struct {
	Status             string `json:"status" db:"status"`
	ReceiveStartLSN    string `json:"receive_start_lsn" db:"receive_start_lsn"`
	ReceiveStartTLI    int    `json:"receive_start_tli" db:"receive_start_tli"`
	ReceivedLSN        string `json:"received_lsn" db:"received_lsn"`
	ReceivedTLI        int    `json:"received_tli" db:"received_tli"`
	LastMsgSendTime    int64  `json:"last_msg_send_time" db:"last_msg_send_time"`
	LastMsgReceiptTime int64  `json:"last_msg_receipt_time" db:"last_msg_receipt_time"`
	Latency            int64  `json:"latency_micros" db:"latency_micros"`
	LatestEndLSN       string `json:"latest_end_lsn" db:"latest_end_lsn"`
	LatestEndTime      int64  `json:"latest_end_time" db:"latest_end_time"`
	SlotName           string `json:"slot_name" db:"slot_name"`
	Conninfo           string `json:"conninfo" db:"conninfo"`
	SenderHost         string `json:"sender_host" db:"sender_host"`
	SenderPort         int    `json:"sender_port" db:"sender_port"`
	WrittenLSN         string `json:"written_lsn,omitempty" db:"written_lsn"` // PostgreSQL 13+
	FlushedLSN         string `json:"flushed_lsn,omitempty" db:"flushed_lsn"` // PostgreSQL 13+
}

type ReplicationSlot struct {
	SlotName          string `json:"slot_name" db:"slot_name"`
	Plugin            string `json:"plugin" db:"plugin"`
	SlotType          string `json:"slot_type" db:"slot_type"`
	DBName            string `json:"db_name" db:"db_name"`
	Active            bool   `json:"active" db:"active"`
	Xmin              int64  `json:"xmin" db:"xmin"`
	CatalogXmin       int64  `json:"catalog_xmin" db:"catalog_xmin"`
	RestartLSN        string `json:"restart_lsn" db:"restart_lsn"`
	ConfirmedFlushLSN string `json:"confirmed_flush_lsn" db:"confirmed_flush_lsn"`
	Temporary         bool   `json:"temporary" db:"temporary"`
	WALStatus         string `json:"wal_status,omitempty" db:"wal_status"`
	SafeWALSize       int64  `json:"safe_wal_size,omitempty" db:"safe_wal_size"`
	TwoPhase          bool   `json:"two_phase,omitempty" db:"two_phase"`
	Conflicting       bool   `json:"conflicting,omitempty" db:"conflicting"` // PostgreSQL 16+
}

type BGWriter struct {
	CheckpointsTimed     int64   `json:"checkpoints_timed,omitempty" db:"checkpoints_timed"`
	CheckpointsRequested int64   `json:"checkpoints_req,omitempty" db:"checkpoints_req"`
	CheckpointWriteTime  float64 `json:"checkpoint_write_time,omitempty" db:"checkpoint_write_time"`
	CheckpointSyncTime   float64 `json:"checkpoint_sync_time,omitempty" db:"checkpoint_sync_time"`
	BuffersCheckpoint    int64   `json:"buffers_checkpoint,omitempty" db:"buffers_checkpoint"`
	BuffersClean         int64   `json:"buffers_clean" db:"buffers_clean"`
	MaxWrittenClean      int64   `json:"maxwritten_clean" db:"maxwritten_clean"`
	BuffersBackend       int64   `json:"buffers_backend,omitempty" db:"buffers_backend"`
	BuffersBackendFsync  int64   `json:"buffers_backend_fsync,omitempty" db:"buffers_backend_fsync"`
	BuffersAlloc         int64   `json:"buffers_alloc" db:"buffers_alloc"`
	StatsReset           int64   `json:"stats_reset" db:"stats_reset"`
}

type Checkpointer struct {
	NumTimed           int64   `json:"num_timed" db:"num_timed"`
	NumRequested       int64   `json:"num_requested" db:"num_requested"`
	RestartpointsTimed int64   `json:"restartpoints_timed" db:"restartpoints_timed"`
	RestartpointsReq   int64   `json:"restartpoints_req" db:"restartpoints_req"`
	RestartpointsDone  int64   `json:"restartpoints_done" db:"restartpoints_done"`
	WriteTime          float64 `json:"write_time" db:"write_time"`
	SyncTime           float64 `json:"sync_time" db:"sync_time"`
	BuffersWritten     int64   `json:"buffers_written" db:"buffers_written"`
	StatsReset         int64   `json:"stats_reset" db:"stats_reset"`
	NumDone            int64   `json:"num_done,omitempty" db:"num_done"`         // PostgreSQL 18+
	SLRUWritten        int64   `json:"slru_written,omitempty" db:"slru_written"` // PostgreSQL 18+
}

type WAL struct {
	Records     int64   `json:"records" db:"records"`
	FPI         int64   `json:"fpi" db:"fpi"`
	Bytes       int64   `json:"bytes" db:"bytes"`
	BuffersFull int64   `json:"buffers_full" db:"buffers_full"`
	Write       int64   `json:"write" db:"write"`
	Sync        int64   `json:"sync" db:"sync"`
	WriteTime   float64 `json:"write_time" db:"write_time"`
	SyncTime    float64 `json:"sync_time" db:"sync_time"`
	StatsReset  int64   `json:"stats_reset" db:"stats_reset"`
}

type StatIO struct {
	BackendType string  `json:"backend_type" db:"backend_type"`
	Object      string  `json:"object" db:"object"`
	Context     string  `json:"context" db:"context"`
	Reads       int64   `json:"reads" db:"reads"`
	ReadTime    float64 `json:"read_time" db:"read_time"`
	Writes      int64   `json:"writes" db:"writes"`
	WriteTime   float64 `json:"write_time" db:"write_time"`
	Extends     int64   `json:"extends" db:"extends"`
	Hits        int64   `json:"hits" db:"hits"`
	Evictions   int64   `json:"evictions" db:"evictions"`
	Fsyncs      int64   `json:"fsyncs" db:"fsyncs"`
	StatsReset  int64   `json:"stats_reset" db:"stats_reset"`
	// pgmetrics' other columns: bytes are ops × op_bytes on 16 and 17
	// (the *_bytes columns replace op_bytes on 18); times in milliseconds.
	ReadBytes     int64   `json:"read_bytes" db:"read_bytes"`
	WriteBytes    int64   `json:"write_bytes" db:"write_bytes"`
	ExtendBytes   int64   `json:"extend_bytes" db:"extend_bytes"`
	ExtendTime    float64 `json:"extend_time" db:"extend_time"`
	Writebacks    int64   `json:"writebacks" db:"writebacks"`
	WritebackTime float64 `json:"writeback_time" db:"writeback_time"`
	Reuses        int64   `json:"reuses" db:"reuses"`
	FsyncTime     float64 `json:"fsync_time" db:"fsync_time"`
}

type Backend struct {
	DBName          string `json:"db_name" db:"db_name"`
	RoleName        string `json:"role_name" db:"role_name"`
	ApplicationName string `json:"application_name" db:"application_name"`
	PID             int    `json:"pid" db:"pid"`
	ClientAddr      string `json:"client_addr" db:"client_addr"`
	BackendStart    int64  `json:"backend_start" db:"backend_start"`
	XactStart       int64  `json:"xact_start" db:"xact_start"`
	QueryStart      int64  `json:"query_start" db:"query_start"`
	StateChange     int64  `json:"state_change" db:"state_change"`
	WaitEventType   string `json:"wait_event_type" db:"wait_event_type"`
	WaitEvent       string `json:"wait_event" db:"wait_event"`
	State           string `json:"state" db:"state"`
	BackendXid      int64  `json:"backend_xid" db:"backend_xid"`
	BackendXmin     int64  `json:"backend_xmin" db:"backend_xmin"`
	Query           string `json:"query" db:"query"`
	QueryID         int64  `json:"query_id" db:"query_id"`
	// pgreport: query_id as a string, since jq and JavaScript round 64-bit numbers.
	QueryIDStr  string `json:"query_id_str,omitempty" db:"-"`
	BackendType string `json:"backend_type,omitempty" db:"backend_type"` // pgreport
}

type Lock struct {
	LockType    string `json:"locktype" db:"locktype"`
	DBName      string `json:"db_name" db:"db_name"`
	PID         int    `json:"pid" db:"pid"`
	Mode        string `json:"mode" db:"mode"`
	Granted     bool   `json:"granted" db:"granted"`
	RelationOID int64  `json:"relation_oid" db:"relation_oid"`
	WaitStart   int64  `json:"waitstart,omitempty" db:"waitstart"`
}

// The progress views, with pgmetrics' field names (schema 1.12+; its
// misspelt "cluser_index_oid" and "dead_tuple_bytess" kept, since pgDash
// reads them so).

type VacuumProgress struct {
	DBName           string `json:"db_name" db:"db_name"`
	TableOID         int64  `json:"table_oid" db:"table_oid"`
	TableName        string `json:"table_name" db:"table_name"`
	Phase            string `json:"phase" db:"phase"`
	HeapBlksTotal    int64  `json:"heap_blks_total" db:"heap_blks_total"`
	HeapBlksScanned  int64  `json:"heap_blks_scanned" db:"heap_blks_scanned"`
	HeapBlksVacuumed int64  `json:"heap_blks_vacuumed" db:"heap_blks_vacuumed"`
	IndexVacuumCount int64  `json:"index_vacuum_count" db:"index_vacuum_count"`
	MaxDeadTuples    int64  `json:"max_dead_tuples" db:"max_dead_tuples"`
	NumDeadTuples    int64  `json:"num_dead_tuples" db:"num_dead_tuples"`
	PID              int    `json:"pid" db:"pid"`
	// PostgreSQL 17+ (max/num_dead_tuples above then hold the new columns, as in pgmetrics).
	MaxDeadTupleBytes int64   `json:"max_dead_tuple_bytes" db:"max_dead_tuple_bytes"`
	DeadTupleBytes    int64   `json:"dead_tuple_bytess" db:"dead_tuple_bytes"`
	NumDeadItemIDs    int64   `json:"num_dead_item_ids,omitempty" db:"num_dead_item_ids"`
	IndexesTotal      int64   `json:"indexes_total,omitempty" db:"indexes_total"`
	IndexesProcessed  int64   `json:"indexes_processed,omitempty" db:"indexes_processed"`
	DelayTime         float64 `json:"delay_time,omitempty" db:"delay_time"` // ms, PostgreSQL 18+
}

type AnalyzeProgress struct {
	PID                int     `json:"pid" db:"pid"`
	DBName             string  `json:"db_name" db:"db_name"`
	TableOID           int64   `json:"table_oid" db:"table_oid"`
	Phase              string  `json:"phase" db:"phase"`
	SampleBlksTotal    int64   `json:"sample_blks_total" db:"sample_blks_total"`
	SampleBlksScanned  int64   `json:"sample_blks_scanned" db:"sample_blks_scanned"`
	ExtStatsTotal      int64   `json:"ext_stats_total" db:"ext_stats_total"`
	ExtStatsComputed   int64   `json:"ext_stats_computed" db:"ext_stats_computed"`
	ChildTablesTotal   int64   `json:"child_tables_total" db:"child_tables_total"`
	ChildTablesDone    int64   `json:"child_tables_done" db:"child_tables_done"`
	CurrentChildRelOID int64   `json:"child_oid" db:"child_oid"`
	DelayTime          float64 `json:"delay_time,omitempty" db:"delay_time"` // ms, PostgreSQL 18+
	TableName          string  `json:"table_name,omitempty" db:"table_name"` // pgreport
}

type BasebackupProgress struct {
	PID                 int    `json:"pid" db:"pid"`
	Phase               string `json:"phase" db:"phase"`
	BackupTotal         int64  `json:"backup_total" db:"backup_total"`
	BackupStreamed      int64  `json:"backup_streamed" db:"backup_streamed"`
	TablespacesTotal    int64  `json:"tablespaces_total" db:"tablespaces_total"`
	TablespacesStreamed int64  `json:"tablespaces_streamed" db:"tablespaces_streamed"`
}

type ClusterProgress struct {
	PID               int    `json:"pid" db:"pid"`
	DBName            string `json:"db_name" db:"db_name"`
	TableOID          int64  `json:"table_oid" db:"table_oid"`
	Command           string `json:"command" db:"command"`
	Phase             string `json:"phase" db:"phase"`
	ClusterIndexOID   int64  `json:"cluser_index_oid" db:"cluster_index_oid"`
	HeapTuplesScanned int64  `json:"heap_tuples_scanned" db:"heap_tuples_scanned"`
	HeapTuplesWritten int64  `json:"heap_tuples_written" db:"heap_tuples_written"`
	HeapBlksTotal     int64  `json:"heap_blks_total" db:"heap_blks_total"`
	HeapBlksScanned   int64  `json:"heap_blks_scanned" db:"heap_blks_scanned"`
	IndexRebuildCount int64  `json:"index_rebuild_count" db:"index_rebuild_count"`
	TableName         string `json:"table_name,omitempty" db:"table_name"` // pgreport
}

type CopyProgress struct {
	PID             int    `json:"pid" db:"pid"`
	DBName          string `json:"db_name" db:"db_name"`
	TableOID        int64  `json:"table_oid" db:"table_oid"`
	Command         string `json:"command" db:"command"`
	Type            string `json:"type" db:"type"`
	BytesProcessed  int64  `json:"bytes_processed" db:"bytes_processed"`
	BytesTotal      int64  `json:"bytes_total" db:"bytes_total"`
	TuplesProcessed int64  `json:"tuples_processed" db:"tuples_processed"`
	TuplesExcluded  int64  `json:"tuples_excluded" db:"tuples_excluded"`
	TableName       string `json:"table_name,omitempty" db:"table_name"` // pgreport
}

type CreateIndexProgress struct {
	PID              int    `json:"pid" db:"pid"`
	DBName           string `json:"db_name" db:"db_name"`
	TableOID         int64  `json:"table_oid" db:"table_oid"`
	IndexOID         int64  `json:"index_oid" db:"index_oid"`
	Command          string `json:"command" db:"command"`
	Phase            string `json:"phase" db:"phase"`
	LockersTotal     int64  `json:"lockers_total" db:"lockers_total"`
	LockersDone      int64  `json:"lockers_done" db:"lockers_done"`
	CurrentLockerPID int    `json:"current_locker_pid" db:"current_locker_pid"`
	BlocksTotal      int64  `json:"blocks_total" db:"blocks_total"`
	BlocksDone       int64  `json:"blocks_done" db:"blocks_done"`
	TuplesTotal      int64  `json:"tuples_total" db:"tuples_total"`
	TuplesDone       int64  `json:"tuples_done" db:"tuples_done"`
	PartitionsTotal  int64  `json:"partitions_total" db:"partitions_total"`
	PartitionsDone   int64  `json:"partitions_done" db:"partitions_done"`
	TableName        string `json:"table_name,omitempty" db:"table_name"` // pgreport
}

type Role struct {
	OID            int64    `json:"oid" db:"oid"`
	Name           string   `json:"name" db:"name"`
	Rolsuper       bool     `json:"rolsuper" db:"rolsuper"`
	Rolinherit     bool     `json:"rolinherit" db:"rolinherit"`
	Rolcreaterole  bool     `json:"rolcreaterole" db:"rolcreaterole"`
	Rolcreatedb    bool     `json:"rolcreatedb" db:"rolcreatedb"`
	Rolcanlogin    bool     `json:"rolcanlogin" db:"rolcanlogin"`
	Rolreplication bool     `json:"rolreplication" db:"rolreplication"`
	Rolbypassrls   bool     `json:"rolbypassrls" db:"rolbypassrls"`
	Rolconnlimit   int      `json:"rolconnlimit" db:"rolconnlimit"`
	Rolvaliduntil  int64    `json:"rolvaliduntil" db:"rolvaliduntil"`
	MemberOf       []string `json:"memberof" db:"memberof"`
}

type Database struct {
	OID                     int64   `json:"oid" db:"oid"`
	Name                    string  `json:"name" db:"name"`
	DatDBA                  int64   `json:"datdba" db:"datdba"`
	DatTablespace           int64   `json:"dattablespace" db:"dattablespace"`
	DatConnLimit            int     `json:"datconnlimit" db:"datconnlimit"`
	AgeDatFrozenXid         int64   `json:"age_datfrozenxid" db:"age_datfrozenxid"`
	NumBackends             int     `json:"numbackends" db:"numbackends"`
	XactCommit              int64   `json:"xact_commit" db:"xact_commit"`
	XactRollback            int64   `json:"xact_rollback" db:"xact_rollback"`
	BlksRead                int64   `json:"blks_read" db:"blks_read"`
	BlksHit                 int64   `json:"blks_hit" db:"blks_hit"`
	TupReturned             int64   `json:"tup_returned" db:"tup_returned"`
	TupFetched              int64   `json:"tup_fetched" db:"tup_fetched"`
	TupInserted             int64   `json:"tup_inserted" db:"tup_inserted"`
	TupUpdated              int64   `json:"tup_updated" db:"tup_updated"`
	TupDeleted              int64   `json:"tup_deleted" db:"tup_deleted"`
	Conflicts               int64   `json:"conflicts" db:"conflicts"`
	TempFiles               int64   `json:"temp_files" db:"temp_files"`
	TempBytes               int64   `json:"temp_bytes" db:"temp_bytes"`
	Deadlocks               int64   `json:"deadlocks" db:"deadlocks"`
	BlkReadTime             float64 `json:"blk_read_time" db:"blk_read_time"`
	BlkWriteTime            float64 `json:"blk_write_time" db:"blk_write_time"`
	StatsReset              int64   `json:"stats_reset" db:"stats_reset"`
	Size                    int64   `json:"size" db:"size"`
	ChecksumFailures        int64   `json:"checksum_failures,omitempty" db:"checksum_failures"`
	ChecksumLastFailure     int64   `json:"checksum_last_failure,omitempty" db:"checksum_last_failure"`
	SessionTime             float64 `json:"session_time" db:"session_time"`
	ActiveTime              float64 `json:"active_time" db:"active_time"`
	IdleInTxTime            float64 `json:"idle_in_transaction_time" db:"idle_in_transaction_time"`
	Sessions                int64   `json:"sessions" db:"sessions"`
	SessionsAbandoned       int64   `json:"sessions_abandoned,omitempty" db:"sessions_abandoned"`
	SessionsFatal           int64   `json:"sessions_fatal,omitempty" db:"sessions_fatal"`
	SessionsKilled          int64   `json:"sessions_killed,omitempty" db:"sessions_killed"`
	ParallelWorkersToLaunch int64   `json:"parallel_workers_to_launch,omitempty" db:"parallel_workers_to_launch"` // PostgreSQL 18+
	ParallelWorkersLaunched int64   `json:"parallel_workers_launched,omitempty" db:"parallel_workers_launched"`   // PostgreSQL 18+
	// pgreport: multixact wraparound age and whether connections are allowed.
	AgeDatMinMxid int64 `json:"age_datminmxid" db:"age_datminmxid"`
	AllowConn     bool  `json:"datallowconn" db:"datallowconn"`
	IsTemplate    bool  `json:"datistemplate" db:"datistemplate"`
	// pgreport: pg_stat_database_conflicts (recovery conflicts on a standby), by type.
	ConflictsByType map[string]int64 `json:"conflicts_by_type,omitempty" db:"conflicts_by_type"`
	// pgmetrics' flat copies of the same counters (schema 1.20), zero omitted.
	ConflTablespace  int64 `json:"confl_tablespace,omitempty" db:"-"`
	ConflLock        int64 `json:"confl_lock,omitempty" db:"-"`
	ConflSnapshot    int64 `json:"confl_snapshot,omitempty" db:"-"`
	ConflBufferpin   int64 `json:"confl_bufferpin,omitempty" db:"-"`
	ConflDeadlock    int64 `json:"confl_deadlock,omitempty" db:"-"`
	ConflLogicalslot int64 `json:"confl_active_logicalslot,omitempty" db:"-"` // PostgreSQL 16+
}

// flattenConflicts copies ConflictsByType into pgmetrics' flat fields.
func (d *Database) flattenConflicts() {
	m := d.ConflictsByType
	d.ConflTablespace, d.ConflLock, d.ConflSnapshot = m["confl_tablespace"], m["confl_lock"], m["confl_snapshot"]
	d.ConflBufferpin, d.ConflDeadlock, d.ConflLogicalslot = m["confl_bufferpin"], m["confl_deadlock"], m["confl_active_logicalslot"]
}

type Tablespace struct {
	OID         int64  `json:"oid" db:"oid"`
	Name        string `json:"name" db:"name"`
	Owner       string `json:"owner" db:"owner"`
	Location    string `json:"location" db:"location"`
	Size        int64  `json:"size" db:"size"`
	DiskUsed    int64  `json:"disk_used" db:"-"`
	DiskTotal   int64  `json:"disk_total" db:"-"`
	InodesUsed  int64  `json:"inodes_used" db:"-"`
	InodesTotal int64  `json:"inodes_total" db:"-"`
}

type Table struct {
	OID              int64  `json:"oid" db:"oid"`
	DBName           string `json:"db_name" db:"db_name"`
	SchemaName       string `json:"schema_name" db:"schema_name"`
	Name             string `json:"name" db:"name"`
	SeqScan          int64  `json:"seq_scan" db:"seq_scan"`
	SeqTupRead       int64  `json:"seq_tup_read" db:"seq_tup_read"`
	IdxScan          int64  `json:"idx_scan" db:"idx_scan"`
	IdxTupFetch      int64  `json:"idx_tup_fetch" db:"idx_tup_fetch"`
	NTupIns          int64  `json:"n_tup_ins" db:"n_tup_ins"`
	NTupUpd          int64  `json:"n_tup_upd" db:"n_tup_upd"`
	NTupDel          int64  `json:"n_tup_del" db:"n_tup_del"`
	NTupHotUpd       int64  `json:"n_tup_hot_upd" db:"n_tup_hot_upd"`
	NLiveTup         int64  `json:"n_live_tup" db:"n_live_tup"`
	NDeadTup         int64  `json:"n_dead_tup" db:"n_dead_tup"`
	NModSinceAnalyze int64  `json:"n_mod_since_analyze" db:"n_mod_since_analyze"`
	LastVacuum       int64  `json:"last_vacuum" db:"last_vacuum"`
	LastAutovacuum   int64  `json:"last_autovacuum" db:"last_autovacuum"`
	LastAnalyze      int64  `json:"last_analyze" db:"last_analyze"`
	LastAutoanalyze  int64  `json:"last_autoanalyze" db:"last_autoanalyze"`
	VacuumCount      int64  `json:"vacuum_count" db:"vacuum_count"`
	AutovacuumCount  int64  `json:"autovacuum_count" db:"autovacuum_count"`
	AnalyzeCount     int64  `json:"analyze_count" db:"analyze_count"`
	AutoanalyzeCount int64  `json:"autoanalyze_count" db:"autoanalyze_count"`
	HeapBlksRead     int64  `json:"heap_blks_read" db:"heap_blks_read"`
	HeapBlksHit      int64  `json:"heap_blks_hit" db:"heap_blks_hit"`
	IdxBlksRead      int64  `json:"idx_blks_read" db:"idx_blks_read"`
	IdxBlksHit       int64  `json:"idx_blks_hit" db:"idx_blks_hit"`
	ToastBlksRead    int64  `json:"toast_blks_read" db:"toast_blks_read"`
	ToastBlksHit     int64  `json:"toast_blks_hit" db:"toast_blks_hit"`
	TidxBlksRead     int64  `json:"tidx_blks_read" db:"tidx_blks_read"`
	TidxBlksHit      int64  `json:"tidx_blks_hit" db:"tidx_blks_hit"`
	Size             int64  `json:"size" db:"size"`
	Bloat            int64  `json:"bloat" db:"-"`
	RelKind          string `json:"relkind" db:"relkind"`
	RelPersistence   string `json:"relpersistence" db:"relpersistence"`
	RelNAtts         int    `json:"relnatts" db:"relnatts"`
	AgeRelFrozenXid  int64  `json:"age_relfrozenxid" db:"age_relfrozenxid"`
	RelIsPartition   bool   `json:"relispartition" db:"relispartition"`
	TablespaceName   string `json:"tablespace_name" db:"tablespace_name"`
	ParentName       string `json:"parent_name" db:"parent_name"`
	PartitionCV      string `json:"partition_cv" db:"partition_cv"`
	NInsSinceVacuum  int64  `json:"n_ins_since_vacuum" db:"n_ins_since_vacuum"`
	LastSeqScan      int64  `json:"last_seq_scan,omitempty" db:"last_seq_scan"`
	LastIdxScan      int64  `json:"last_idx_scan,omitempty" db:"last_idx_scan"`
	ACL              string `json:"acl,omitempty" db:"acl"`
	NTupNewpageUpd   int64  `json:"n_tup_newpage_upd,omitempty" db:"n_tup_newpage_upd"` // PostgreSQL 16+
	// PostgreSQL 18+, milliseconds.
	TotalVacuumTime      float64 `json:"total_vacuum_time,omitempty" db:"total_vacuum_time"`
	TotalAutovacuumTime  float64 `json:"total_autovacuum_time,omitempty" db:"total_autovacuum_time"`
	TotalAnalyzeTime     float64 `json:"total_analyze_time,omitempty" db:"total_analyze_time"`
	TotalAutoanalyzeTime float64 `json:"total_autoanalyze_time,omitempty" db:"total_autoanalyze_time"`
	// pgreport: multixact age.
	AgeRelMinMxid int64 `json:"age_relminmxid" db:"age_relminmxid"`
}

type Index struct {
	OID            int64  `json:"oid" db:"oid"`
	DBName         string `json:"db_name" db:"db_name"`
	SchemaName     string `json:"schema_name" db:"schema_name"`
	TableOID       int64  `json:"table_oid" db:"table_oid"`
	TableName      string `json:"table_name" db:"table_name"`
	Name           string `json:"name" db:"name"`
	IdxScan        int64  `json:"idx_scan" db:"idx_scan"`
	IdxTupRead     int64  `json:"idx_tup_read" db:"idx_tup_read"`
	IdxTupFetch    int64  `json:"idx_tup_fetch" db:"idx_tup_fetch"`
	IdxBlksRead    int64  `json:"idx_blks_read" db:"idx_blks_read"`
	IdxBlksHit     int64  `json:"idx_blks_hit" db:"idx_blks_hit"`
	Size           int64  `json:"size" db:"size"`
	Bloat          int64  `json:"bloat" db:"-"`
	RelNAtts       int    `json:"relnatts" db:"relnatts"`
	AmName         string `json:"amname" db:"amname"`
	TablespaceName string `json:"tablespace_name" db:"tablespace_name"`
	Definition     string `json:"def" db:"def"`
	LastIdxScan    int64  `json:"last_idx_scan,omitempty" db:"last_idx_scan"`
	// pgreport: validity and uniqueness, for the unused/invalid warnings.
	// "invalid" rather than "valid" so that pgmetrics reports (which lack it) read as valid.
	Invalid   bool `json:"invalid,omitempty" db:"invalid"`
	IsUnique  bool `json:"indisunique" db:"indisunique"`
	IsPrimary bool `json:"indisprimary" db:"indisprimary"`
}

type Sequence struct {
	OID        int64  `json:"oid" db:"oid"`
	DBName     string `json:"db_name" db:"db_name"`
	SchemaName string `json:"schema_name" db:"schema_name"`
	Name       string `json:"name" db:"name"`
	BlksRead   int64  `json:"blks_read" db:"blks_read"`
	BlksHit    int64  `json:"blks_hit" db:"blks_hit"`
	// pgreport: how close the sequence is to its limit. last_value is -1
	// when not readable (no USAGE/SELECT privilege) or never called.
	LastValue   int64   `json:"last_value" db:"last_value"`
	MinValue    int64   `json:"min_value" db:"min_value"`
	MaxValue    int64   `json:"max_value" db:"max_value"`
	IncrementBy int64   `json:"increment_by" db:"increment_by"`
	Cycle       bool    `json:"cycle" db:"cycle"`
	UsedPct     float64 `json:"used_pct" db:"used_pct"`
}

type UserFunction struct {
	OID        int64   `json:"oid" db:"oid"`
	SchemaName string  `json:"schema_name" db:"schema_name"`
	DBName     string  `json:"db_name" db:"db_name"`
	Name       string  `json:"name" db:"name"`
	Calls      int64   `json:"calls" db:"calls"`
	TotalTime  float64 `json:"total_time" db:"total_time"`
	SelfTime   float64 `json:"self_time" db:"self_time"`
}

type Extension struct {
	Name             string `json:"name" db:"name"`
	DBName           string `json:"db_name" db:"db_name"`
	DefaultVersion   string `json:"default_version" db:"default_version"`
	InstalledVersion string `json:"installed_version" db:"installed_version"`
	Comment          string `json:"comment" db:"comment"`
	SchemaName       string `json:"schema_name" db:"schema_name"`
}

type Trigger struct {
	OID        int64  `json:"oid" db:"oid"`
	DBName     string `json:"db_name" db:"db_name"`
	SchemaName string `json:"schema_name" db:"schema_name"`
	TableName  string `json:"table_name" db:"table_name"`
	Name       string `json:"name" db:"name"`
	ProcName   string `json:"proc_name" db:"proc_name"`
}

type Statement struct {
	UserOID           int64   `json:"useroid" db:"useroid"`
	User              string  `json:"user" db:"user"`
	DBOID             int64   `json:"db_oid" db:"db_oid"`
	DBName            string  `json:"db_name" db:"db_name"`
	QueryID           int64   `json:"queryid" db:"queryid"`
	Query             string  `json:"query" db:"query"`
	Calls             int64   `json:"calls" db:"calls"`
	TotalTime         float64 `json:"total_time" db:"total_time"`
	MinTime           float64 `json:"min_time" db:"min_time"`
	MaxTime           float64 `json:"max_time" db:"max_time"`
	StddevTime        float64 `json:"stddev_time" db:"stddev_time"`
	Rows              int64   `json:"rows" db:"rows"`
	SharedBlksHit     int64   `json:"shared_blks_hit" db:"shared_blks_hit"`
	SharedBlksRead    int64   `json:"shared_blks_read" db:"shared_blks_read"`
	SharedBlksDirtied int64   `json:"shared_blks_dirtied" db:"shared_blks_dirtied"`
	SharedBlksWritten int64   `json:"shared_blks_written" db:"shared_blks_written"`
	LocalBlksHit      int64   `json:"local_blks_hit" db:"local_blks_hit"`
	LocalBlksRead     int64   `json:"local_blks_read" db:"local_blks_read"`
	LocalBlksDirtied  int64   `json:"local_blks_dirtied" db:"local_blks_dirtied"`
	LocalBlksWritten  int64   `json:"local_blks_written" db:"local_blks_written"`
	TempBlksRead      int64   `json:"temp_blks_read" db:"temp_blks_read"`
	TempBlksWritten   int64   `json:"temp_blks_written" db:"temp_blks_written"`
	BlkReadTime       float64 `json:"blk_read_time" db:"blk_read_time"`
	BlkWriteTime      float64 `json:"blk_write_time" db:"blk_write_time"`
	Plans             int64   `json:"plans" db:"plans"`
	TotalPlanTime     float64 `json:"total_plan_time" db:"total_plan_time"`
	MinPlanTime       float64 `json:"min_plan_time" db:"min_plan_time"`
	MaxPlanTime       float64 `json:"max_plan_time" db:"max_plan_time"`
	StddevPlanTime    float64 `json:"stddev_plan_time" db:"stddev_plan_time"`
	WALRecords        int64   `json:"wal_records" db:"wal_records"`
	WALFPI            int64   `json:"wal_fpi" db:"wal_fpi"`
	WALBytes          int64   `json:"wal_bytes" db:"wal_bytes"`
	TopLevel          bool    `json:"toplevel" db:"toplevel"`
	// pg_stat_statements 1.10+ (PostgreSQL 15+).
	TempBlkReadTime      float64 `json:"temp_blk_read_time,omitempty" db:"temp_blk_read_time"`
	TempBlkWriteTime     float64 `json:"temp_blk_write_time,omitempty" db:"temp_blk_write_time"`
	JITFunctions         int64   `json:"jit_functions,omitempty" db:"jit_functions"`
	JITGenerationTime    float64 `json:"jit_generation_time,omitempty" db:"jit_generation_time"`
	JITInliningCount     int64   `json:"jit_inlining_count,omitempty" db:"jit_inlining_count"`
	JITInliningTime      float64 `json:"jit_inlining_time,omitempty" db:"jit_inlining_time"`
	JITOptimizationCount int64   `json:"jit_optimization_count,omitempty" db:"jit_optimization_count"`
	JITOptimizationTime  float64 `json:"jit_optimization_time,omitempty" db:"jit_optimization_time"`
	JITEmissionCount     int64   `json:"jit_emission_count,omitempty" db:"jit_emission_count"`
	JITEmissionTime      float64 `json:"jit_emission_time,omitempty" db:"jit_emission_time"`
	// pg_stat_statements 1.11+ (PostgreSQL 17+).
	LocalBlkReadTime  float64 `json:"local_blk_read_time,omitempty" db:"local_blk_read_time"`
	LocalBlkWriteTime float64 `json:"local_blk_write_time,omitempty" db:"local_blk_write_time"`
	JITDeformCount    int64   `json:"jit_deform_count,omitempty" db:"jit_deform_count"`
	JITDeformTime     float64 `json:"jit_deform_time,omitempty" db:"jit_deform_time"`
	StatsSince        int64   `json:"stats_since,omitempty" db:"stats_since"`
	MinMaxStatsSince  int64   `json:"minmax_stats_since,omitempty" db:"minmax_stats_since"`
	// pg_stat_statements 1.12+ (PostgreSQL 18+).
	WALBuffersFull          int64 `json:"wal_buffers_full,omitempty" db:"wal_buffers_full"`
	ParallelWorkersToLaunch int64 `json:"parallel_workers_to_launch,omitempty" db:"parallel_workers_to_launch"`
	ParallelWorkersLaunched int64 `json:"parallel_workers_launched,omitempty" db:"parallel_workers_launched"`
	// pgreport: queryid as a string, since jq and JavaScript round 64-bit numbers.
	QueryIDStr string `json:"queryid_str" db:"-"`
}

type Publication struct {
	OID        int64  `json:"oid" db:"oid"`
	Name       string `json:"name" db:"name"`
	DBName     string `json:"db_name" db:"db_name"`
	AllTables  bool   `json:"alltables" db:"all_tables"`
	Insert     bool   `json:"insert" db:"insert"`
	Update     bool   `json:"update" db:"update"`
	Delete     bool   `json:"delete" db:"delete"`
	TableCount int    `json:"table_count" db:"table_count"`
}

type Subscription struct {
	OID                int64  `json:"oid" db:"oid"`
	Name               string `json:"name" db:"name"`
	DBName             string `json:"db_name" db:"db_name"`
	Enabled            bool   `json:"enabled" db:"enabled"`
	PubCount           int    `json:"pub_count" db:"pub_count"`
	TableCount         int    `json:"table_count" db:"table_count"`
	WorkerCount        int    `json:"worker_count" db:"worker_count"`
	ReceivedLSN        string `json:"received_lsn" db:"received_lsn"`
	LatestEndLSN       string `json:"latest_end_lsn" db:"latest_end_lsn"`
	LastMsgSendTime    int64  `json:"last_msg_send_time" db:"last_msg_send_time"`
	LastMsgReceiptTime int64  `json:"last_msg_receipt_time" db:"last_msg_receipt_time"`
	LatestEndTime      int64  `json:"latest_end_time" db:"latest_end_time"`
	Latency            int64  `json:"latency_micros" db:"latency_micros"`
	ApplyErrorCount    int64  `json:"apply_error_count,omitempty" db:"apply_error_count"`
	SyncErrorCount     int64  `json:"sync_error_count,omitempty" db:"sync_error_count"`
	// PostgreSQL 18+: pg_stat_subscription_stats' conflict counters.
	ConflInsertExists           int64 `json:"confl_insert_exists,omitempty" db:"confl_insert_exists"`
	ConflUpdateOriginDiffers    int64 `json:"confl_update_origin_differs,omitempty" db:"confl_update_origin_differs"`
	ConflUpdateExists           int64 `json:"confl_update_exists,omitempty" db:"confl_update_exists"`
	ConflUpdateMissing          int64 `json:"confl_update_missing,omitempty" db:"confl_update_missing"`
	ConflDeleteOriginDiffers    int64 `json:"confl_delete_origin_differs,omitempty" db:"confl_delete_origin_differs"`
	ConflDeleteMissing          int64 `json:"confl_delete_missing,omitempty" db:"confl_delete_missing"`
	ConflMultipleUniqueConflict int64 `json:"confl_multiple_unique_conflicts,omitempty" db:"confl_multiple_unique_conflicts"`
}

type System struct {
	CPUModel   string  `json:"cpu_model"`
	NumCores   int     `json:"num_cores"`
	LoadAvg    float64 `json:"loadavg"`
	MemUsed    int64   `json:"memused"`
	MemFree    int64   `json:"memfree"`
	MemBuffers int64   `json:"membuffers"`
	MemCached  int64   `json:"memcached"`
	SwapUsed   int64   `json:"swapused"`
	SwapFree   int64   `json:"swapfree"`
	Hostname   string  `json:"hostname"`
	MemSlab    int64   `json:"memslab"`
}

// Setting is one pg_settings row: bootval and source only when the value
// differs from the boot value, as pgmetrics writes them.
type Setting struct {
	Setting string `json:"setting"`
	BootVal string `json:"bootval,omitempty"`
	Source  string `json:"source,omitempty"`
	Pending bool   `json:"pending,omitempty"`
	// pgreport: the unit, when the setting has one ("8kB", "ms").
	Unit string `json:"unit,omitempty"`
}
