package pgstat

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/testutil"
)

func loadFixture(t testing.TB, name string) *Report {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// The text report of a real pgmetrics JSON (re-rendered without a database).
func TestTextGolden(t *testing.T) {
	for _, tc := range []struct {
		fixture, golden string
		o               TextOptions
	}{
		{"pgmetrics-1.19-pg15-superuser", "pgmetrics-1.19-pg15-superuser", TextOptions{}},
		{"pgmetrics-1.19-pg15-pg_monitor", "pgmetrics-1.19-pg15-pg_monitor", TextOptions{}},
		// pgreport --tables: a block per table after the rest.
		{"pgmetrics-1.19-pg15-superuser", "pgmetrics-1.19-pg15-superuser-tables", TextOptions{Tables: true}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			r := loadFixture(t, tc.fixture+".json")
			var b bytes.Buffer
			if err := WriteText(&b, r, tc.o); err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, "testdata/"+tc.golden+".txt.golden", b.Bytes())
		})
	}
}

func TestWarningsFromFixture(t *testing.T) {
	r := loadFixture(t, "pgmetrics-1.19-pg15-superuser.json")
	w := strings.Join(Warnings(r, TextOptions{}), "\n")
	// orders: 6666 dead rows is below the 10000 threshold; the unused index is found
	// from its definition although pgmetrics has no indisunique.
	for _, want := range []string{"unused indexes"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	if strings.Contains(w, "pkey") {
		t.Errorf("a primary key counted as unused:\n%s", w)
	}
}

func TestWarningsThresholds(t *testing.T) {
	at := time.Date(2026, 11, 22, 21, 0, 0, 0, time.UTC).Unix()
	for _, tc := range []struct {
		name string
		rep  Report
		want string // "" = no warning
	}{
		{"wraparound near", Report{Databases: []Database{{Name: "a", AgeDatFrozenXid: 1500000000}}}, `database "a": transaction ID age 1500000000 is 70% of the way to wraparound`},
		{"wraparound far", Report{Databases: []Database{{Name: "a", AgeDatFrozenXid: 200000000}}}, ""},
		{"multixact", Report{Databases: []Database{{Name: "a", AgeDatMinMxid: 1200000000}}}, "multixact age 1200000000"},
		{"sequence", Report{Sequences: []Sequence{{DBName: "d", SchemaName: "s", Name: "q", UsedPct: 80, LastValue: 80, MaxValue: 100}}}, "sequence d.s.q is 80.0% used (80 of 100)"},
		{"sequence fine", Report{Sequences: []Sequence{{UsedPct: 10}}}, ""},
		{"long xact", Report{Backends: []Backend{{PID: 7, XactStart: at - 120, State: "idle in transaction", RoleName: "u", DBName: "d"}}}, "long transaction: pid 7 (u@d, idle in transaction) open for 2m0s"},
		{"own backend", Report{Backends: []Backend{{PID: 7, XactStart: at - 120, ApplicationName: "pgreport/v1"}}}, ""},
		{"short xact", Report{Backends: []Backend{{PID: 7, XactStart: at - 10}}}, ""},
		{"repl lag", Report{ReplicationOutgoing: []ReplicationOut{{ApplicationName: "s1", ReplayLagBytes: 2 << 30}}}, "replication lag: s1"},
		{"slot", Report{ReplicationSlots: []ReplicationSlot{{SlotName: "old"}}}, `replication slot "old" is inactive`},
		{"dead rows", Report{Tables: []Table{{DBName: "d", SchemaName: "s", Name: "t", NDeadTup: 50000, NLiveTup: 1000}}}, "table d.s.t has 50000 dead rows"},
		{"few dead rows", Report{Tables: []Table{{NDeadTup: 500, NLiveTup: 0}}}, ""},
		{"invalid index", Report{Indexes: []Index{{DBName: "d", SchemaName: "s", Name: "i", Invalid: true, IdxScan: 5}}}, "index d.s.i is invalid"},
		{"unique not unused", Report{Indexes: []Index{{Definition: "CREATE UNIQUE INDEX u ON t USING btree (a)"}}}, ""},
		{"section error", Report{Meta: Meta{Errors: []SectionError{{Section: "tables", DB: "d", Error: "ERROR: boom"}}}}, "section tables (d) failed: ERROR: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.rep.Meta.At = at
			w := Warnings(&tc.rep, TextOptions{})
			if tc.want == "" {
				if len(w) != 0 {
					t.Fatalf("warnings = %q, want none", w)
				}
				return
			}
			if len(w) != 1 || !strings.Contains(w[0], tc.want) {
				t.Fatalf("warnings = %q, want one containing %q", w, tc.want)
			}
		})
	}
}

func TestMetricsFromFixture(t *testing.T) {
	r := loadFixture(t, "pgmetrics-1.19-pg15-superuser.json")
	recs := Metrics(r, nil)
	byName := map[string]metric.Record{}
	for _, m := range recs {
		if err := m.Validate(); err != nil {
			t.Fatalf("%+v: %v", m, err)
		}
		if _, dup := byName[m.Name]; dup {
			t.Fatalf("duplicate metric %s", m.Name)
		}
		byName[m.Name] = m
	}
	for name, want := range map[string]metric.Record{
		"pg.shop.public.orders.n_dead_tup":             {Kind: metric.Value, Value: 6666},
		"pg.shop.xact_commit":                          {Kind: metric.Counter, Value: 8151},
		"pg.shop.public.pgbench_tellers_pkey.idx_scan": {Kind: metric.Counter, Value: 0},
		"pg.cluster.wal_count":                         {Kind: metric.Value, Value: 2},
		"pg.cluster.uptime_seconds":                    {Kind: metric.Value, Value: float64(r.Meta.At - r.StartTime)},
	} {
		m, ok := byName[name]
		if !ok {
			t.Errorf("no metric %s", name)
			continue
		}
		if m.Value != want.Value || m.Kind != want.Kind || !m.Time.Equal(time.Unix(r.Meta.At, 0)) {
			t.Errorf("%s = %+v, want %s %v", name, m, want.Kind, want.Value)
		}
	}
	sel := Metrics(r, []string{"pg.shop.*.n_dead_tup", "pg.cluster.wal_count"})
	if len(sel) != 6 { // 5 tables + wal_count
		t.Errorf("--metric selected %d records: %+v", len(sel), sel)
	}
	for _, m := range sel {
		if !strings.HasSuffix(m.Name, ".n_dead_tup") && m.Name != "pg.cluster.wal_count" {
			t.Errorf("glob let through %s", m.Name)
		}
	}
}

func TestMetricNameSegments(t *testing.T) {
	r := &Report{Meta: Meta{At: 1}, Tables: []Table{{DBName: "my.db", SchemaName: "a b", Name: "t/1\n", NDeadTup: 3}}}
	for _, m := range Metrics(r, []string{"*.n_dead_tup"}) {
		if m.Name != "pg.my_db.a_b.t_1_.n_dead_tup" {
			t.Errorf("name = %q", m.Name)
		}
	}
	if err := ValidGlob("pg.[x"); err == nil {
		t.Error("ValidGlob accepted a malformed pattern")
	}
}

// FuzzRender: any JSON that decodes as a report renders without panicking.
func FuzzRender(f *testing.F) {
	b, err := os.ReadFile("testdata/pgmetrics-1.19-pg15-pg_monitor.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"meta":{"version":"1.20","at":1},"tables":[{"name":"x","n_dead_tup":-5}],"indexes":[{"invalid":true}]}`))
	// The activity, standby and per-table blocks: a lock without a pid, a
	// waiter blocked by itself and by a pid not in pg_stat_activity, odd LSNs.
	f.Add([]byte(`{"meta":{"at":1,"collected_dbs":["d"]},"locks":[{"pid":0},{"pid":5,"locktype":"relation","relation_oid":1,"db_name":"d"}],
		"blocking_pids":{"5":[6,5]},"backends":[{"pid":5,"state":"idle in transaction","wait_event_type":"Lock","query":"\n"}],
		"statements":[{"calls":0,"rows":3}],"tables":[{"db_name":"d","oid":1,"size":-1,"bloat":-1,"n_tup_upd":-1}],
		"indexes":[{"db_name":"d","table_name":"","size":-1}],"last_wal_receive_lsn":"0/1","last_wal_replay_lsn":"7FFFFFFF/FFFFFFFF",
		"settings":{"block_size":{"setting":"0"},"work_mem":{"setting":"-1","unit":"kB"}},"bg_writer":{"stats_reset":2}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Report
		if json.Unmarshal(data, &r) != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteText(&out, &r, TextOptions{Tables: true}); err != nil {
			t.Fatal(err)
		}
		for _, m := range Metrics(&r, nil) {
			if err := m.Validate(); err != nil && !strings.Contains(err.Error(), "NaN") {
				t.Fatalf("%+v: %v", m, err)
			}
		}
	})
}

// WriteJSON streams the lists but writes the same document as encoding/json.
func TestWriteJSONEqualsMarshal(t *testing.T) {
	for _, r := range []*Report{loadFixture(t, "pgmetrics-1.19-pg15-superuser.json"), {Meta: Meta{Version: "1.20"}}} {
		var got bytes.Buffer
		if err := WriteJSON(&got, r); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(r)
		var a, b any
		if err := json.Unmarshal(got.Bytes(), &a); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, got.Bytes())
		}
		_ = json.Unmarshal(want, &b)
		ga, _ := json.Marshal(a)
		gb, _ := json.Marshal(b)
		if !bytes.Equal(ga, gb) {
			t.Fatalf("WriteJSON differs from json.Marshal:\n%s\n%s", ga, gb)
		}
		if !bytes.Contains(got.Bytes(), []byte("\n  \"meta\": {\n    \"version\"")) {
			t.Fatalf("not indented like pgmetrics:\n%.300s", got.Bytes())
		}
	}
}

// From PostgreSQL 17 the checkpoint counts come from pg_stat_checkpointer.
func TestTextCheckpointer(t *testing.T) {
	r := &Report{Meta: Meta{At: 1}, BGWriter: BGWriter{BuffersAlloc: 5, BuffersClean: 2},
		Checkpointer: &Checkpointer{NumTimed: 7, NumRequested: 3, BuffersWritten: 11}}
	var b strings.Builder
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(b.String()), " ")
	for _, want := range []string{"Checkpoints: 7 timed, 3 requested", "Buffers: 5 allocated, 2 by bgwriter, 11 by checkpoints Settings ("} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

// No two records share a name: a query id run by two roles is summed,
// standbys with the same application_name get their pid, and on
// PostgreSQL 17+ checkpoints come from pg_stat_checkpointer.
func TestMetricsUniqueNames(t *testing.T) {
	r := &Report{Meta: Meta{At: 1},
		Statements: []Statement{
			{DBName: "d", QueryID: -5, Calls: 2, TotalTime: 1.5, Rows: 3, User: "a"},
			{DBName: "d", QueryID: -5, Calls: 1, TotalTime: 0.5, Rows: 1, User: "b"},
			{DBName: "e", QueryID: -5, Calls: 7},
		},
		ReplicationOutgoing: []ReplicationOut{
			{ApplicationName: "walreceiver", PID: 10, ReplayLagBytes: 1},
			{ApplicationName: "walreceiver", PID: 11, ReplayLagBytes: 2},
			{ApplicationName: "s3", PID: 12},
		},
		Checkpointer: &Checkpointer{NumTimed: 4},
	}
	got := map[string]float64{}
	for _, m := range Metrics(r, nil) {
		if _, dup := got[m.Name]; dup {
			t.Errorf("duplicate %s", m.Name)
		}
		got[m.Name] = m.Value
	}
	for name, want := range map[string]float64{
		"pg.d.statements.-5.calls":                               3,
		"pg.d.statements.-5.total_time":                          2,
		"pg.d.statements.-5.rows":                                4,
		"pg.e.statements.-5.calls":                               7,
		"pg.cluster.replication.walreceiver_10.replay_lag_bytes": 1,
		"pg.cluster.replication.walreceiver_11.replay_lag_bytes": 2,
		"pg.cluster.replication.s3.replay_lag_bytes":             0,
		"pg.cluster.checkpointer.num_timed":                      4,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
		}
	}
	if _, ok := got["pg.cluster.bgwriter.checkpoints_timed"]; ok {
		t.Error("bgwriter.checkpoints_timed emitted beside the checkpointer")
	}
}
