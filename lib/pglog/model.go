// Package pglog reads PostgreSQL server logs (stderr text with the
// server's log_line_prefix, csvlog and jsonlog) into pgmetrics' log model:
// log_entries, autovacuums, deadlocks and auto_explain plans (field names
// per shared/reference/pgmetrics-logs-pgbouncer.md §1.8). Everything here is
// a pure function over an io.Reader and the server's settings; finding and
// opening the files is the caller's job. It is not a public API.
package pglog

// Records are the four top-level report keys pgmetrics fills from logs.
// Embedded in the report, they appear at its top level.
type Records struct {
	LogEntries  []Entry      `json:"log_entries,omitempty"`
	Autovacuums []Autovacuum `json:"autovacuums,omitempty"`
	Deadlocks   []Deadlock   `json:"deadlocks,omitempty"`
	Plans       []Plan       `json:"plans,omitempty"`
}

// Entry is one log message with its DETAIL/HINT/CONTEXT/STATEMENT lines.
type Entry struct {
	At      int64   `json:"at"`     // unix seconds
	AtFull  string  `json:"atfull"` // RFC 3339, UTC, fractional seconds
	User    string  `json:"user,omitempty"`
	DBName  string  `json:"db_name,omitempty"`
	QueryID int64   `json:"queryid,omitempty"`
	Level   string  `json:"level,omitempty"`
	Line    string  `json:"line,omitempty"` // the message, continuation lines joined by \n
	Extra   []Extra `json:"extra,omitempty"`
}

// Extra is a secondary line of an entry (DETAIL, HINT, CONTEXT, STATEMENT...).
type Extra struct {
	Level string `json:"level,omitempty"`
	Line  string `json:"line,omitempty"`
}

// Autovacuum is one "automatic vacuum of table" message (log_autovacuum_min_duration).
type Autovacuum struct {
	At        int64   `json:"at"`
	TableName string  `json:"table_name"` // db.schema.table as logged
	Elapsed   float64 `json:"elapsed"`    // seconds
}

// Deadlock is one "deadlock detected" error.
type Deadlock struct {
	At     int64  `json:"at"`
	Detail string `json:"detail"` // one "Process ..." line per \n
}

// Plan is one auto_explain plan.
type Plan struct {
	Database string `json:"db_name"`
	UserName string `json:"user"`
	Format   string `json:"format"` // text, json, xml or yaml
	At       int64  `json:"at"`
	Query    string `json:"query"`
	Plan     string `json:"plan"`
	QueryID  int64  `json:"queryid,omitempty"`
}

// Counts are the log events by kind, for metric records.
func (r Records) Counts() map[string]int {
	m := map[string]int{
		"entries": len(r.LogEntries), "autovacuums": len(r.Autovacuums),
		"deadlocks": len(r.Deadlocks), "plans": len(r.Plans),
		"errors": 0, "fatals": 0, "panics": 0, "warnings": 0,
	}
	for _, e := range r.LogEntries {
		switch e.Level {
		case "ERROR", "FATAL", "PANIC", "WARNING":
			m[lower(e.Level)+"s"]++
		}
	}
	return m
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
