package pglog

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
)

// Golden files: the samples under testdata/ are real logs captured by
// TestRealServerLogs -capture (PostgreSQL 15, all three formats at once).
func TestGoldenSamples(t *testing.T) {
	p, err := Compile("%m [%p] %q%u@%d ", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		file string
		f    Format
	}{{"pg15.log", Stderr}, {"pg15.csv", CSV}, {"pg15.json", JSONLog}} {
		t.Run(tt.file, func(t *testing.T) {
			fh, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			entries, err := Parse(fh, tt.f, p, time.UTC, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			r := Derive(entries)
			checkDerived(t, tt.file, r)
			got, _ := json.MarshalIndent(r, "", "  ")
			testutil.Golden(t, filepath.Join("testdata", tt.file+".golden.json"), append(got, '\n'))
		})
	}
}

// The three formats of one server's log hold the same events.
func TestSamplesAgree(t *testing.T) {
	p, _ := Compile("%m [%p] %q%u@%d ", time.UTC)
	var recs []Records
	for _, tt := range []struct {
		file string
		f    Format
	}{{"pg15.log", Stderr}, {"pg15.csv", CSV}, {"pg15.json", JSONLog}} {
		b, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		e, err := Parse(strings.NewReader(string(b)), tt.f, p, time.UTC, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, Derive(e))
	}
	sameDerived(t, recs[0], recs[1])
	sameDerived(t, recs[0], recs[2])
	// csvlog and jsonlog carry query_id (compute_query_id=on); the prefix has no %Q.
	var withID int
	for _, e := range recs[1].LogEntries {
		if e.QueryID != 0 {
			withID++
		}
	}
	if withID == 0 {
		t.Error("csvlog: no entry has a queryid")
	}
}

// Prefix compilation and line matching (reference
// pgmetrics-logs-pgbouncer.md §1.4), with our two fixes marked.
func TestCompileMatch(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	for _, tt := range []struct {
		name, prefix, line string
		loc                *time.Location
		ok                 bool
		want               head
		wantAt             string
	}{
		{"debian default", "%m [%p] %q%u@%d ", "2026-12-07 17:11:12.286 UTC [7617] alice@shop LOG:  hello",
			nil, true, head{user: "alice", db: "shop", level: "LOG", msg: "hello"}, "2026-12-07T17:11:12.286Z"},
		{"background process (%q)", "%m [%p] %q%u@%d ", "2026-12-07 17:11:12.286 UTC [7617] LOG:  checkpoint starting",
			nil, true, head{level: "LOG", msg: "checkpoint starting"}, "2026-12-07T17:11:12.286Z"},
		{"%t", "%t ", "2026-12-07 17:11:12 UTC ERROR:  boom", nil, true, head{level: "ERROR", msg: "boom"}, "2026-12-07T17:11:12Z"},
		// pgmetrics adds .636 as 636 seconds; it is 636 ms.
		{"%n fraction is ms", "%n ", "1796663472.636 LOG:  x", nil, true, head{level: "LOG", msg: "x"}, "2026-12-07T17:11:12.636Z"},
		{"%Q", "%m %Q ", "2026-12-07 17:11:12.286 UTC -6752758481120683150 LOG:  q", nil, true,
			head{queryID: -6752758481120683150, level: "LOG", msg: "q"}, "2026-12-07T17:11:12.286Z"},
		{"zone abbreviation in log_timezone", "%m ", "2026-07-01 12:00:00.000 CEST LOG:  x", berlin, true,
			head{level: "LOG", msg: "x"}, "2026-07-01T10:00:00Z"},
		{"numeric zone", "%m ", "2026-07-01 12:00:00.000 +03 LOG:  x", nil, true, head{level: "LOG", msg: "x"}, "2026-07-01T09:00:00Z"},
		// %% is a literal percent sign (pgmetrics: any non-space run).
		{"%%", "%m %% ", "2026-12-07 17:11:12.286 UTC % LOG:  x", nil, true, head{level: "LOG", msg: "x"}, "2026-12-07T17:11:12.286Z"},
		{"detail line", "%m [%p] ", "2026-12-07 17:11:12.286 UTC [1] DETAIL:  more", nil, true,
			head{level: "DETAIL", msg: "more"}, "2026-12-07T17:11:12.286Z"},
		{"DEBUG1", "%m ", "2026-12-07 17:11:12.286 UTC DEBUG1:  x", nil, true, head{level: "DEBUG1", msg: "x"}, "2026-12-07T17:11:12.286Z"},
		{"continuation", "%m ", "\tpages: 0 removed", nil, false, head{}, ""},
		{"bad date", "%m ", "2026-13-07 17:11:12.286 UTC LOG:  x", nil, false, head{}, ""},
		{"prefix not at line start", "%m ", "x 2026-12-07 17:11:12.286 UTC LOG:  x", nil, false, head{}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.prefix, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			h, ok := p.match(tt.line)
			if ok != tt.ok {
				t.Fatalf("match = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			at := h.at.UTC().Format(time.RFC3339Nano)
			h.at = time.Time{}
			if h != tt.want || at != tt.wantAt {
				t.Errorf("got %+v at %s, want %+v at %s", h, at, tt.want, tt.wantAt)
			}
		})
	}
}

func TestCompileNoTime(t *testing.T) {
	for _, p := range []string{"", "[%p] ", "%u@%d ", "%s "} {
		if _, err := Compile(p, nil); !errors.Is(err, ErrNoTime) {
			t.Errorf("Compile(%q) = %v, want ErrNoTime", p, err)
		}
	}
}

func TestParseText(t *testing.T) {
	p, _ := Compile("%m [%p] %q%u@%d ", time.UTC)
	log := "\tcontinuation of an entry before the reader\n" +
		"2026-12-07 17:00:00.000 UTC [1] LOG:  old\n" +
		"2026-12-07 17:10:00.000 UTC [2] u@d ERROR:  deadlock detected\n" +
		"2026-12-07 17:10:00.000 UTC [2] u@d DETAIL:  Process 2 waits for ShareLock on transaction 9; blocked by process 3.\n" +
		"\tProcess 3 waits for ShareLock on transaction 8; blocked by process 2.\n" +
		"2026-12-07 17:10:00.000 UTC [2] u@d HINT:  See server log for query details.\n" +
		"2026-12-07 17:10:01.500 UTC [4] LOG:  automatic vacuum of table \"d.public.t\": index scans: 0\n" +
		"\tsystem usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 1.25 s\n"
	e, err := ParseText(strings.NewReader(log), p, time.Date(2026, 12, 7, 17, 5, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(e) != 2 {
		t.Fatalf("entries = %+v, want 2 (the old one dropped)", e)
	}
	if e[0].User != "u" || e[0].DBName != "d" || len(e[0].Extra) != 2 || e[0].Extra[1].Level != "HINT" ||
		!strings.HasSuffix(e[0].Extra[0].Line, "\n\tProcess 3 waits for ShareLock on transaction 8; blocked by process 2.") {
		t.Errorf("deadlock entry = %+v", e[0])
	}
	if e[1].AtFull != "2026-12-07T17:10:01.5Z" || e[1].At != 1796663401 || e[1].User != "" {
		t.Errorf("autovacuum entry = %+v", e[1])
	}
	r := Derive(e)
	if len(r.Deadlocks) != 1 || r.Deadlocks[0].Detail != "Process 2 waits for ShareLock on transaction 9; blocked by process 3.\nProcess 3 waits for ShareLock on transaction 8; blocked by process 2.\n" {
		t.Errorf("deadlocks = %+v", r.Deadlocks)
	}
	if len(r.Autovacuums) != 1 || r.Autovacuums[0] != (Autovacuum{At: 1796663401, TableName: "d.public.t", Elapsed: 1.25}) {
		t.Errorf("autovacuums = %+v", r.Autovacuums)
	}
}

// csvlog of every column count: 23 (PG ≤ 12, all pgmetrics reads), 24
// (PG 13), 26 (PG 14+, with query_id). pgmetrics yields nothing for 24/26.
func TestParseCSVColumnCounts(t *testing.T) {
	base := `2026-12-07 17:10:00.123 UTC,"u","d",1,"[local]",s,1,"SELECT",2026-12-07 17:09:00 UTC,3/1,0,ERROR,42P01,"relation ""x"" does not exist",,,,,,"SELECT * FROM x",15,,"psql"`
	for _, tt := range []struct {
		name, rec string
		qid       int64
	}{
		{"23", base, 0},
		{"24", base + `,"client backend"`, 0},
		{"26", base + `,"client backend",,-42`, -42},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseCSV(strings.NewReader(tt.rec+"\n"), time.UTC, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			want := Entry{At: 1796663400, AtFull: "2026-12-07T17:10:00.123Z", User: "u", DBName: "d", QueryID: tt.qid,
				Level: "ERROR", Line: `relation "x" does not exist`, Extra: []Extra{{"STATEMENT", "SELECT * FROM x"}}}
			if len(e) != 1 || e[0].AtFull != want.AtFull || e[0].Line != want.Line || e[0].QueryID != want.QueryID ||
				len(e[0].Extra) != 1 || e[0].Extra[0] != want.Extra[0] || e[0].User != "u" || e[0].DBName != "d" {
				t.Errorf("got %+v, want %+v", e, want)
			}
		})
	}
	// Too few columns is an error naming the line, not silence.
	_, err := ParseCSV(strings.NewReader("a,b,c\n"), time.UTC, time.Time{})
	if err == nil || !strings.Contains(err.Error(), "line 1: 3 fields") {
		t.Errorf("short record: err = %v", err)
	}
}

func TestParseJSONBad(t *testing.T) {
	_, err := ParseJSON(strings.NewReader(`{"timestamp":"2026-12-07 17:10:00.123 UTC","message":"x"}`+"\n{oops\n"), time.UTC, time.Time{})
	if err == nil || !strings.Contains(err.Error(), "record 2") {
		t.Errorf("err = %v", err)
	}
}

func TestPlanFormats(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       Plan
	}{
		{"text", "Query Text: select 1\n\tResult  (cost=0.00..0.01 rows=1 width=4)",
			Plan{Format: "text", Query: "select 1", Plan: "\tResult  (cost=0.00..0.01 rows=1 width=4)"}},
		{"json", "{\n  \"Query Text\": \"select 1\",\n  \"Plan\": {\"Node Type\": \"Result\", \"Total Cost\": 0.01}\n}",
			Plan{Format: "json", Query: "select 1", Plan: `{"Plan":{"Node Type":"Result","Total Cost":0.01}}`}},
		{"yaml", "Query Text: \"select 1\"\nPlan: \n  Node Type: \"Result\"",
			Plan{Format: "yaml", Query: "select 1", Plan: "Plan: \n  Node Type: \"Result\""}},
		{"xml", "<explain xmlns=\"http://www.postgresql.org/2009/explain\">\n  <Query-Text>select 1 &lt; 2</Query-Text>\n</explain>",
			Plan{Format: "xml", Query: "select 1 < 2", Plan: "<explain xmlns=\"http://www.postgresql.org/2009/explain\">\n  <Query-Text>select 1 &lt; 2</Query-Text>\n</explain>"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := plan(tt.body); got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	r := Records{LogEntries: []Entry{{Level: "ERROR"}, {Level: "LOG"}, {Level: "FATAL"}, {Level: "ERROR"}},
		Deadlocks: []Deadlock{{}}}
	c := r.Counts()
	if c["entries"] != 4 || c["warnings"] != 0 || len(c) != 8 || c["errors"] != 2 || c["fatals"] != 1 || c["deadlocks"] != 1 || c["plans"] != 0 {
		t.Errorf("counts = %v", c)
	}
}

// FuzzPrefixAndText: any prefix compiles or fails cleanly, and any log text
// parses without panicking; every entry has a level and a time.
func FuzzPrefixAndText(f *testing.F) {
	sample, _ := os.ReadFile(filepath.Join("testdata", "pg15.log"))
	f.Add("%m [%p] %q%u@%d ", string(sample[:min(len(sample), 2000)]))
	f.Add("%t %q%a %Q ", "2026-12-07 17:11:12 UTC app 12 LOG:  x\n\tmore")
	f.Add("%n %%", "1796663472.636 % ERROR:  x\nDETAIL:  y")
	f.Add("%", "")
	f.Fuzz(func(t *testing.T, prefix, log string) {
		p, err := Compile(prefix, time.UTC)
		if err != nil {
			return
		}
		entries, err := ParseText(strings.NewReader(log), p, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !startLevels[e.Level] || e.AtFull == "" {
				t.Fatalf("entry %+v", e)
			}
		}
		Derive(entries)
	})
}

// FuzzCSVJSON: the structured readers never panic on any input.
func FuzzCSVJSON(f *testing.F) {
	for _, n := range []string{"pg15.csv", "pg15.json"} {
		b, _ := os.ReadFile(filepath.Join("testdata", n))
		f.Add(string(b[:min(len(b), 3000)]))
	}
	f.Fuzz(func(t *testing.T, s string) {
		e1, _ := ParseCSV(strings.NewReader(s), time.UTC, time.Time{})
		e2, _ := ParseJSON(strings.NewReader(s), time.UTC, time.Time{})
		Derive(append(e1, e2...))
	})
}
