package pglog

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Format is a log_destination format.
type Format string

const (
	Stderr  Format = "stderr"
	CSV     Format = "csvlog"
	JSONLog Format = "jsonlog"
)

// startLevels begin a new entry; other severities (DETAIL, HINT, CONTEXT,
// STATEMENT, QUERY, LOCATION) are extra lines of the current one.
var startLevels = map[string]bool{
	"DEBUG": true, "DEBUG1": true, "DEBUG2": true, "DEBUG3": true, "DEBUG4": true, "DEBUG5": true,
	"LOG": true, "INFO": true, "NOTICE": true, "WARNING": true, "ERROR": true, "FATAL": true, "PANIC": true,
}

// maxLine bounds one physical line of a text log (a huge query is logged
// on one line; beyond this it is cut, not a failure).
const maxLine = 4 << 20

// ParseText reads a stderr-format log. Entries before since are dropped
// (zero: keep all). An entry whose beginning precedes the reader (a tail)
// has its orphan lines skipped.
func ParseText(r io.Reader, p *Prefix, since time.Time) ([]Entry, error) {
	var out []Entry
	var cur *Entry
	flush := func() {
		if cur != nil && !atBefore(cur, since) {
			out = append(out, *cur)
		}
		cur = nil
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := readLine(br)
		if line != "" || err == nil {
			if h, ok := p.match(line); ok {
				if startLevels[h.level] {
					flush()
					cur = newEntry(h.at, h.user, h.db, h.queryID, h.level, h.msg)
				} else if cur != nil {
					cur.Extra = append(cur.Extra, Extra{Level: h.level, Line: h.msg})
				}
			} else if cur != nil {
				// A continuation: of the last extra line if any, else of the message.
				if n := len(cur.Extra); n > 0 {
					cur.Extra[n-1].Line += "\n" + line
				} else {
					cur.Line += "\n" + line
				}
			}
		}
		if err == io.EOF {
			flush()
			return out, nil
		}
		if err != nil {
			flush()
			return out, err
		}
	}
}

// atBefore compares with sub-second precision (AtFull holds it).
func atBefore(e *Entry, since time.Time) bool {
	if since.IsZero() {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, e.AtFull)
	return err == nil && t.Before(since)
}

// readLine returns one line without its newline; a line longer than
// maxLine is cut there and the rest discarded.
func readLine(br *bufio.Reader) (string, error) {
	var sb []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(sb)+len(chunk) <= maxLine {
			sb = append(sb, chunk...)
		}
		if err != nil || !isPrefix {
			return strings.TrimSuffix(string(sb), "\r"), err
		}
	}
}

func newEntry(at time.Time, user, db string, qid int64, level, msg string) *Entry {
	return &Entry{At: at.Unix(), AtFull: at.UTC().Format(time.RFC3339Nano), User: user, DBName: db,
		QueryID: qid, Level: level, Line: msg}
}

// csv columns (PostgreSQL docs, "Using CSV-Format Log Output"): 23 up to
// PG 12, 24 with backend_type (13), 26 with leader_pid and query_id (14+).
const (
	csvTime     = 0
	csvUser     = 1
	csvDB       = 2
	csvSeverity = 11
	csvMessage  = 13
	csvDetail   = 14
	csvHint     = 15
	csvContext  = 18
	csvQuery    = 19
	csvQueryID  = 25
)

// ParseCSV reads a csvlog. Unlike pgmetrics (which reads only the 23-column
// format of PG ≤ 12 and silently yields nothing for newer servers), every
// format from 23 to 26 columns is read, query_id included. A malformed
// record is an error naming its line; the entries before it are returned.
func ParseCSV(r io.Reader, loc *time.Location, since time.Time) ([]Entry, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var out []Entry
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("csvlog: %w", err)
		}
		if len(rec) < 23 {
			line, _ := cr.FieldPos(0)
			return out, fmt.Errorf("csvlog: line %d: %d fields, want 23 to 26", line, len(rec))
		}
		at, err := parseTime(rec[csvTime], 'm', loc)
		if err != nil {
			line, _ := cr.FieldPos(0)
			return out, fmt.Errorf("csvlog: line %d: time %q: %v", line, rec[csvTime], err)
		}
		if !since.IsZero() && at.Before(since) {
			continue
		}
		var qid int64
		if len(rec) > csvQueryID {
			qid, _ = strconv.ParseInt(rec[csvQueryID], 10, 64)
		}
		e := newEntry(at, rec[csvUser], rec[csvDB], qid, rec[csvSeverity], rec[csvMessage])
		e.Extra = extras(rec[csvDetail], rec[csvHint], rec[csvContext], rec[csvQuery])
		out = append(out, *e)
	}
}

// extras are the secondary fields as the stderr format prints them.
func extras(detail, hint, context, statement string) []Extra {
	var x []Extra
	for _, f := range []Extra{{"DETAIL", detail}, {"HINT", hint}, {"CONTEXT", context}, {"STATEMENT", statement}} {
		if f.Line != "" {
			x = append(x, f)
		}
	}
	return x
}

// jsonRecord is one jsonlog line (PostgreSQL 15+, "Using JSON-Format Log Output").
type jsonRecord struct {
	Timestamp string `json:"timestamp"`
	User      string `json:"user"`
	DBName    string `json:"dbname"`
	Severity  string `json:"error_severity"`
	Message   string `json:"message"`
	Detail    string `json:"detail"`
	Hint      string `json:"hint"`
	Context   string `json:"context"`
	Statement string `json:"statement"`
	QueryID   int64  `json:"query_id"`
}

// ParseJSON reads a jsonlog (pgmetrics reads none: 0 entries, no warning).
func ParseJSON(r io.Reader, loc *time.Location, since time.Time) ([]Entry, error) {
	dec := json.NewDecoder(r)
	var out []Entry
	for n := 1; ; n++ {
		var rec jsonRecord
		err := dec.Decode(&rec)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("jsonlog: record %d: %w", n, err)
		}
		at, err := parseTime(rec.Timestamp, 'm', loc)
		if err != nil {
			return out, fmt.Errorf("jsonlog: record %d: time %q: %v", n, rec.Timestamp, err)
		}
		if !since.IsZero() && at.Before(since) {
			continue
		}
		e := newEntry(at, rec.User, rec.DBName, rec.QueryID, rec.Severity, rec.Message)
		e.Extra = extras(rec.Detail, rec.Hint, rec.Context, rec.Statement)
		out = append(out, *e)
	}
}

// Parse reads one log file of the given format.
func Parse(r io.Reader, f Format, p *Prefix, loc *time.Location, since time.Time) ([]Entry, error) {
	switch f {
	case CSV:
		return ParseCSV(r, loc, since)
	case JSONLog:
		return ParseJSON(r, loc, since)
	}
	if p == nil {
		return nil, ErrNoTime
	}
	return ParseText(r, p, since)
}
