package pgstat

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/pgbouncer"
	"github.com/cronkit/cronkit/lib/testutil"
)

// withLogs is a pgmetrics fixture plus the records lib/pglog derived from
// a real PostgreSQL 15 log (lib/pglog/testdata).
func withLogs(t *testing.T) *Report {
	r := loadFixture(t, "pgmetrics-1.19-pg15-superuser.json")
	b, err := os.ReadFile("../pglog/testdata/pg15.log.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r.Records); err != nil {
		t.Fatal(err)
	}
	r.Meta.LogFiles = []string{"log/postgresql-2026-12-07_171112.log"}
	return r
}

// The log keys sit at the report's top level, in pgmetrics' names, and
// survive a save and re-read (--input).
func TestLogsJSON(t *testing.T) {
	r := withLogs(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"log_entries", "autovacuums", "deadlocks", "plans"} {
		if len(top[k]) < 10 {
			t.Errorf("top-level %q = %s", k, top[k])
		}
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.LogEntries) != len(r.LogEntries) || len(back.Deadlocks) != 1 || back.Meta.LogFiles[0] != r.Meta.LogFiles[0] {
		t.Errorf("round trip: %d entries, %+v", len(back.LogEntries), back.Deadlocks)
	}
}

func TestLogsTextAndMetrics(t *testing.T) {
	r := withLogs(t)
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	i, j := strings.Index(text, "\nServer log ("), strings.Index(text, "\nNot collected")
	if i < 0 {
		t.Fatalf("no log section:\n%s", text)
	}
	if j < i {
		j = len(text)
	}
	testutil.Golden(t, "testdata/logs.txt.golden", []byte(text[i:j]))
	var m strings.Builder
	for _, rec := range Metrics(r, []string{"pg.cluster.log_*"}) {
		m.WriteString(rec.Name + " " + jsonNum(rec.Value) + "\n")
	}
	testutil.Golden(t, "testdata/logs.metrics.golden", []byte(m.String()))
	// No log read: no log metrics (a 0 would claim a quiet log).
	r.Meta.LogFiles = nil
	if got := Metrics(r, []string{"pg.cluster.log_*"}); len(got) != 0 {
		t.Errorf("metrics without a log: %+v", got)
	}
}

func jsonNum(v float64) string { b, _ := json.Marshal(v); return string(b) }

// PgBouncer mode: the figures of a real PgBouncer 1.18 (captured by
// lib/pgbouncer's TestCollectRealPgBouncer) rendered three ways.
func TestPgBouncerRender(t *testing.T) {
	b, err := os.ReadFile("testdata/pgbouncer-1.18.json")
	if err != nil {
		t.Fatal(err)
	}
	var pb pgbouncer.PgBouncer
	if err := json.Unmarshal(b, &pb); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 17, 20, 0, 0, time.UTC)
	r := PgBouncerReport(&pb, nil, "pgreport/test", at, 0)
	var out bytes.Buffer
	if err := WriteText(&out, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, "testdata/pgbouncer.txt.golden", out.Bytes())
	var m strings.Builder
	for _, rec := range Metrics(r, nil) {
		m.WriteString(rec.Name + " " + jsonNum(rec.Value) + "\n")
	}
	testutil.Golden(t, "testdata/pgbouncer.metrics.golden", []byte(m.String()))
	out.Reset()
	if err := WriteJSON(&out, r); err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	var meta Meta
	_ = json.Unmarshal(top["meta"], &meta)
	if meta.Mode != "pgbouncer" || meta.Local || meta.User != "" || string(top["pgbouncer"]) == "" ||
		!strings.Contains(out.String(), `"collected_dbs": null`) {
		t.Errorf("JSON: %s", out.String())
	}
	for _, k := range []string{"log_entries", "deadlocks"} {
		if _, ok := top[k]; ok {
			t.Errorf("PgBouncer report has %q", k)
		}
	}
	// A failed SHOW is a failed section.
	r = PgBouncerReport(&pb, []error{&pgbouncer.CommandError{Command: "SHOW STATS", Err: os.ErrDeadlineExceeded}}, "x", at, 0)
	if len(r.Meta.Errors) != 1 || r.Meta.Errors[0].Section != "pgbouncer" || !strings.HasPrefix(r.Meta.Errors[0].Error, "SHOW STATS: ") {
		t.Errorf("errors = %+v", r.Meta.Errors)
	}
}
