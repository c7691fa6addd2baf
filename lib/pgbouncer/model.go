// Package pgbouncer collects PgBouncer's figures from its admin console
// (SHOW POOLS, SERVERS, CLIENTS, STATS, DATABASES over the simple query
// protocol) into pgmetrics' "pgbouncer" model (field names per
// shared/reference/pgmetrics-logs-pgbouncer.md §2.3). It is not a public API.
package pgbouncer

// PgBouncer is the report's "pgbouncer" object.
type PgBouncer struct {
	Pools []Pool     `json:"pools,omitempty"`
	Stats []Stat     `json:"stats,omitempty"`
	DBs   []Database `json:"dbs,omitempty"`

	// Servers by state (SHOW SERVERS); other states are not counted.
	SCActive  int     `json:"sc_active"`
	SCIdle    int     `json:"sc_idle"`
	SCUsed    int     `json:"sc_used"`
	SCMaxWait float64 `json:"sc_maxwait"` // seconds

	// Clients by state (SHOW CLIENTS).
	CCActive  int     `json:"cc_active"`
	CCWaiting int     `json:"cc_waiting"`
	CCIdle    int     `json:"cc_idle"`
	CCUsed    int     `json:"cc_used"`
	CCMaxWait float64 `json:"cc_maxwait"` // seconds, over waiting clients
	CCAvgWait float64 `json:"cc_avgwait"` // seconds, over waiting clients (0: none)
}

// Pool is one row of SHOW POOLS.
type Pool struct {
	Database  string  `json:"db_name"`
	UserName  string  `json:"user"`
	ClActive  int     `json:"cl_active"`
	ClWaiting int     `json:"cl_waiting"`
	SvActive  int     `json:"sv_active"`
	SvIdle    int     `json:"sv_idle"`
	SvUsed    int     `json:"sv_used"`
	SvTested  int     `json:"sv_tested"`
	SvLogin   int     `json:"sv_login"`
	MaxWait   float64 `json:"maxwait"` // seconds: maxwait + maxwait_us/1e6
	Mode      string  `json:"pool_mode"`
	// Version-specific columns; absent (and so 0) on other versions.
	ClCancelReq        int    `json:"cl_cancel_req,omitempty"`         // 1.16-1.17
	ClActiveCancelReq  int    `json:"cl_active_cancel_req,omitempty"`  // 1.18+
	ClWaitingCancelReq int    `json:"cl_waiting_cancel_req,omitempty"` // 1.18+
	SvActiveCancel     int    `json:"sv_active_cancel,omitempty"`      // 1.18+
	SvBeingCanceled    int    `json:"sv_being_canceled,omitempty"`     // 1.18+
	LoadBalanceHosts   string `json:"load_balance_hosts,omitempty"`    // 1.24+
}

// Stat is one row of SHOW STATS. Times are seconds (PgBouncer gives µs);
// avg_* are per second over the last stats period.
type Stat struct {
	Database        string  `json:"db_name"`
	TotalXactCount  int64   `json:"total_xact_count"`
	TotalQueryCount int64   `json:"total_query_count"`
	TotalReceived   int64   `json:"total_received"`
	TotalSent       int64   `json:"total_sent"`
	TotalXactTime   float64 `json:"total_xact_time"`
	TotalQueryTime  float64 `json:"total_query_time"`
	TotalWaitTime   float64 `json:"total_wait_time"`
	AvgXactCount    int64   `json:"avg_xact_count"`
	AvgQueryCount   int64   `json:"avg_query_count"`
	AvgReceived     int64   `json:"avg_received"`
	AvgSent         int64   `json:"avg_sent"`
	AvgXactTime     float64 `json:"avg_xact_time"`
	AvgQueryTime    float64 `json:"avg_query_time"`
	AvgWaitTime     float64 `json:"avg_wait_time"`

	TotalServerAssignmentCount int64 `json:"total_server_assignment_count,omitempty"` // 1.23+
	AvgServerAssignmentCount   int64 `json:"avg_server_assignment_count,omitempty"`
	TotalClientParseCount      int64 `json:"total_client_parse_count,omitempty"` // 1.24+
	AvgClientParseCount        int64 `json:"avg_client_parse_count,omitempty"`
	TotalServerParseCount      int64 `json:"total_server_parse_count,omitempty"`
	AvgServerParseCount        int64 `json:"avg_server_parse_count,omitempty"`
	TotalBindCount             int64 `json:"total_bind_count,omitempty"`
	AvgBindCount               int64 `json:"avg_bind_count,omitempty"`
}

// Database is one row of SHOW DATABASES.
type Database struct {
	Database           string `json:"db_name"`
	Host               string `json:"host"` // NULL: ""
	Port               int    `json:"port"`
	SourceDatabase     string `json:"srcdb_name"`
	ForceUser          string `json:"force_user"` // NULL: ""
	MaxConn            int    `json:"max_connections"`
	CurrConn           int    `json:"current_connections"`
	Paused             bool   `json:"paused"`
	Disabled           bool   `json:"disabled"`
	LoadBalanceHosts   string `json:"load_balance_hosts,omitempty"`         // 1.24+
	MaxClientConn      int    `json:"max_client_connections,omitempty"`     // 1.24+
	CurrentClientConns int    `json:"current_client_connections,omitempty"` // 1.24+
}
