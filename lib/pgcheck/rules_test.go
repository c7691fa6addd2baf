package pgcheck

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/pgstat"
	"github.com/cronkit/cronkit/lib/testutil"
)

func loadReport(t *testing.T, path string) *pgstat.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r pgstat.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// got lists "LEVEL rule object" for every finding.
func got(o *Outcome) []string {
	var out []string
	for _, f := range o.Findings() {
		out = append(out, f.Level.String()+" "+f.Rule+" "+f.Object)
	}
	slices.Sort(out)
	return out
}

func ruleResult(t *testing.T, o *Outcome, name string) RuleResult {
	t.Helper()
	for _, r := range o.Results {
		if r.Rule.Name == name {
			return r
		}
	}
	t.Fatalf("rule %s not evaluated", name)
	return RuleResult{}
}

func mustConfig(t *testing.T, yaml string) *Config {
	t.Helper()
	cfg, err := ParseConfig("rules.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Wraparound cannot be provoked on a test server (2^31 transactions): a
// report fixture carries the ages. Thresholds: check_postgres txn_wraparound
// 1.3e9/1.4e9 and autovac_freeze 90%/95% (shared/reference/check-postgres.md §3).
func TestWraparoundFromFixture(t *testing.T) {
	rep := loadReport(t, "testdata/wraparound.json")
	o := Evaluate(rep, nil, Options{})
	want := []string{
		"CRITICAL mxid_freeze_age legacy",
		"CRITICAL mxid_freeze_age shop", // 390M of 400M = 97.5%
		"CRITICAL mxid_wraparound legacy",
		"CRITICAL xid_freeze_age legacy",
		"CRITICAL xid_freeze_age shop",
		"CRITICAL xid_wraparound legacy", // 1.45e9: above check_postgres's 1.4e9
		"WARNING xid_wraparound shop",    // 1.35e9: between 1.3e9 and 1.4e9
	}
	if g := got(o); !slices.Equal(g, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
	if o.Level != Critical {
		t.Errorf("level %s", o.Level)
	}
	// Excluding a database drops its findings, for one rule or all.
	o = Evaluate(rep, mustConfig(t, "exclude: {databases: [leg*]}\nxid_freeze_age: {exclude: {databases: [shop]}}\n"), Options{})
	want = []string{"CRITICAL mxid_freeze_age shop", "WARNING xid_wraparound shop"}
	if g := got(o); !slices.Equal(g, want) {
		t.Errorf("with exclusions: %q, want %q", g, want)
	}
}

// Replication lag from a fixture: three standbys (one behind by 200 MiB and
// 90 s, one by 2 GiB and 400 s, one caught up), an inactive logical slot
// retaining 2 GiB and a slot whose WAL is lost. The pgmetrics version of the
// same report has no replay_lag_bytes: the LSNs give the same figures.
func TestLagFromFixtures(t *testing.T) {
	want := []string{
		"CRITICAL inactive_slots slot gone",
		"CRITICAL inactive_slots slot old_etl",
		"CRITICAL replication_lag_bytes standby db7c (pid 4102)",
		"CRITICAL replication_lag_seconds standby db7c (pid 4102)",
		"WARNING replication_lag_bytes standby db7b (pid 4101)",
		"WARNING replication_lag_seconds standby db7b (pid 4101)",
	}
	for _, f := range []string{"lag.json", "lag-pgmetrics.json"} {
		t.Run(f, func(t *testing.T) {
			o := Evaluate(loadReport(t, filepath.Join("testdata", f)), nil, Options{})
			var g []string
			for _, s := range got(o) {
				if !strings.HasPrefix(s, "UNKNOWN") {
					g = append(g, s)
				}
			}
			if !slices.Equal(g, want) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
			}
			r := ruleResult(t, o, "replication_lag_bytes")
			if r.Worst == nil || r.Worst.Value != 2147483649 {
				t.Errorf("worst lag %+v", r.Worst)
			}
		})
	}
}

// A pgmetrics report lacks pgreport's additions: the rules that need them
// are UNKNOWN, never OK, and say which field is missing.
func TestPgmetricsFieldsUnknown(t *testing.T) {
	rep := loadReport(t, "../pgstat/testdata/pgmetrics-1.19-pg15-superuser.json")
	o := Evaluate(rep, nil, Options{})
	want := map[string]string{
		"mxid_wraparound": "databases[].age_datminmxid",
		"mxid_freeze_age": "databases[].age_datminmxid",
		"prepared_xacts":  "prepared_xacts",
		"sequences":       "sequences[].used_pct",
		"invalid_indexes": "indexes[].invalid",
	}
	for _, r := range o.Results {
		field, lacks := want[r.Rule.Name]
		if lacks != (r.Level == Unknown) {
			t.Errorf("%s: level %s", r.Rule.Name, r.Level)
			continue
		}
		if lacks && !strings.Contains(r.Findings[0].Detail, "pgmetrics reports lack "+field) {
			t.Errorf("%s: %q", r.Rule.Name, r.Findings[0].Detail)
		}
	}
	if o.Level != Unknown {
		t.Errorf("level %s, want UNKNOWN", o.Level)
	}
}

// A section that failed makes the rules that read it UNKNOWN (for the whole
// cluster, or for the one database of a per-database section), never OK.
func TestFailedSectionUnknown(t *testing.T) {
	rep := loadReport(t, "testdata/wraparound.json")
	rep.Backends = []pgstat.Backend{}
	rep.Meta.Errors = []pgstat.SectionError{
		{Section: "backends", Error: "ERROR: canceling statement due to statement timeout"},
		{Section: "sequences", DB: "shop", Error: "ERROR: permission denied"},
		{Section: "connect", DB: "legacy", Error: "FATAL: too many connections"},
	}
	o := Evaluate(rep, mustConfig(t, "xid_wraparound: {enabled: false}\nxid_freeze_age: {enabled: false}\n"+
		"mxid_wraparound: {enabled: false}\nmxid_freeze_age: {enabled: false}\n"), Options{})
	for _, name := range []string{"connections", "idle_in_transaction_seconds", "long_query_seconds",
		"long_transaction_seconds", "blocked_backends"} {
		if r := ruleResult(t, o, name); r.Level != Unknown || !strings.Contains(r.Findings[0].Detail, "section backends failed") {
			t.Errorf("%s: %s %+v", name, r.Level, r.Findings)
		}
	}
	seq := ruleResult(t, o, "sequences")
	var objs []string
	for _, f := range seq.Findings {
		objs = append(objs, f.Level.String()+" "+f.Object)
	}
	if want := []string{"UNKNOWN shop", "UNKNOWN legacy"}; !slices.Equal(objs, want) {
		t.Errorf("sequences: %q, want %q", objs, want)
	}
	if want := []string{"backends", "connect@legacy", "sequences@shop"}; !slices.Equal(o.PartialSections, want) {
		t.Errorf("partial sections %q, want %q", o.PartialSections, want)
	}
	// An excluded database's failure is not a blind spot.
	o = Evaluate(rep, mustConfig(t, "exclude: {databases: [legacy, shop]}\n"), Options{})
	if r := ruleResult(t, o, "sequences"); r.Level != OK {
		t.Errorf("sequences with both dbs excluded: %s %+v", r.Level, r.Findings)
	}
}

// Deadlocks count from one check to the next through the state; a
// statistics reset in between counts everything since.
func TestDeadlocksState(t *testing.T) {
	rep := loadReport(t, "testdata/wraparound.json")
	cfg := mustConfig(t, "xid_wraparound: {enabled: false}\nxid_freeze_age: {enabled: false}\nmxid_freeze_age: {enabled: false}\n")
	st := NewState("x")
	run := func(at, deadlocks, reset int64) RuleResult {
		rep.Meta.At = at
		rep.Databases[1].Deadlocks, rep.Databases[1].StatsReset = deadlocks, reset
		return ruleResult(t, Evaluate(rep, cfg, Options{State: st}), "deadlocks")
	}
	if r := run(100, 7, 1); r.Level != OK || r.Checked != 0 {
		t.Errorf("first check records only: %+v", r)
	}
	if r := run(200, 7, 1); r.Level != OK || r.Worst.Value != 0 {
		t.Errorf("no new deadlocks: %+v", r)
	}
	if r := run(300, 9, 1); r.Level != Warning || r.Findings[0].Value != 2 || r.Findings[0].Object != "shop" {
		t.Errorf("two new deadlocks: %+v", r.Findings)
	}
	if r := run(400, 6, 350); r.Level != Critical || r.Findings[0].Value != 6 {
		t.Errorf("after a reset: %+v", r.Findings)
	}
	// An older report than the state's counts nothing and leaves the state alone.
	if r := run(350, 1, 1); r.Level != Unknown || !strings.Contains(r.Findings[0].Detail, "older than the previous check") {
		t.Errorf("older report: %+v", r.Findings)
	}
	if st.Deadlocks["shop"].At != 400 {
		t.Errorf("state moved back: %+v", st.Deadlocks["shop"])
	}
	// The reason names the caller's way to run without state, else none (issue 18).
	if r := ruleResult(t, Evaluate(rep, cfg, Options{}), "deadlocks"); r.Skipped != "no state: none given, or a report without a system identifier" || r.Level != OK {
		t.Errorf("no state: %+v", r)
	}
	if r := ruleResult(t, Evaluate(rep, cfg, Options{NoStateName: "--no-state"}), "deadlocks"); r.Skipped != "no state: --no-state, or a report without a system identifier" {
		t.Errorf("no state, named: %q", r.Skipped)
	}
	// Saved and loaded back, for the same server only.
	path := filepath.Join(t.TempDir(), "s", "state.json")
	if err := st.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := LoadState(path, "x")
	if err != nil || back.Deadlocks["shop"].Count != 6 {
		t.Errorf("loaded %+v, %v", back, err)
	}
	if _, err := LoadState(path, "y"); err == nil || !strings.Contains(err.Error(), `belongs to server "x"`) {
		t.Errorf("other server's state: %v", err)
	}
	if s, err := LoadState(filepath.Join(t.TempDir(), "none.json"), "x"); err != nil || len(s.Deadlocks) != 0 {
		t.Errorf("missing state: %+v %v", s, err)
	}
}

func TestStatePath(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	p, err := StatePath(func(k string) string { return env[k] }, "db7:5432")
	if err != nil || p != "/home/u/.local/state/cronkit/pgreport-check/db7_5432.json" {
		t.Errorf("%q %v", p, err)
	}
	env["XDG_STATE_HOME"] = "/var/state"
	p, _ = StatePath(func(k string) string { return env[k] }, "../../etc/x")
	if p != "/var/state/cronkit/pgreport-check/.._.._etc_x.json" {
		t.Errorf("%q", p)
	}
}

// The outputs of one outcome, as golden files: text table, JSON lines,
// metric records and the Nagios line with perfdata.
func TestOutputsGolden(t *testing.T) {
	rep := loadReport(t, "testdata/lag.json")
	rep.Meta.Errors = []pgstat.SectionError{{Section: "sequences", DB: "shop", Error: "ERROR: permission denied"}}
	// as pgreport check words its options (the golden files are its output)
	o := Evaluate(rep, mustConfig(t, "xid_freeze_age: {warning: 0.0001}\n"), Options{NoStateName: "--no-state", BloatName: "pgreport --bloat"})

	var text, js, met, nag bytes.Buffer
	if err := WriteText(&text, o); err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, "testdata/lag.txt.golden", text.Bytes())
	if err := WriteJSON(&js, o); err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, "testdata/lag.jsonl.golden", js.Bytes())
	w := metric.NewWriter(&met)
	if err := EachMetric(o, w.Write); err != nil {
		t.Fatal(err)
	}
	_ = w.Flush()
	testutil.Golden(t, "testdata/lag.metrics.golden", met.Bytes())
	// Every metric record reads back with lib/metric's reader.
	rd := metric.NewReader(bytes.NewReader(met.Bytes()), metric.ReaderOptions{})
	n := 0
	for {
		if _, err := rd.Next(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("record %d: %v", n, err)
			}
			break
		}
		n++
	}
	code, err := WriteNagios(&nag, o)
	if err != nil || code != 2 {
		t.Fatalf("nagios code %d, %v", code, err)
	}
	testutil.Golden(t, "testdata/lag.nagios.golden", nag.Bytes())
	// One line; perfdata after a single '|' (check-postgres.md §1).
	if line := nag.String(); strings.Count(line, "\n") != 1 || strings.Count(line, "|") != 1 {
		t.Errorf("nagios output %q", line)
	}
}

// Every rule is documented, with a unit-consistent default and sections
// that pgstat knows.
func TestRulesWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.Name] || r.Doc == "" || r.Source == "" || r.Eval == nil || len(r.Sections) == 0 {
			t.Errorf("rule %+v", r)
		}
		seen[r.Name] = true
		for _, s := range r.Sections {
			if !slices.Contains(pgstat.Sections, s) && s != "sequence_values" {
				t.Errorf("%s: section %q not in pgstat.Sections", r.Name, s)
			}
		}
		if r.Warning != nil && r.Critical != nil && ((!r.Lower && *r.Warning > *r.Critical) || (r.Lower && *r.Warning < *r.Critical)) {
			t.Errorf("%s: warning %v vs critical %v", r.Name, *r.Warning, *r.Critical)
		}
		// The docs table names every rule (docs/pgreport.md, "check").
	}
	doc, err := os.ReadFile("../../docs/pgreport.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules {
		if !bytes.Contains(doc, []byte("| `"+r.Name+"` |")) {
			t.Errorf("docs/pgreport.md has no table row for rule %s", r.Name)
		}
	}
}

// Sessions of other roles whose state a plain user may not see make the
// session rules UNKNOWN, not OK.
func TestHiddenSessionsUnknown(t *testing.T) {
	rep := loadReport(t, "testdata/wraparound.json")
	rep.Backends = []pgstat.Backend{
		{PID: 10, DBName: "shop", RoleName: "app", BackendType: "client backend"}, // state hidden
		{PID: 11, DBName: "shop", RoleName: "monitor", BackendType: "client backend", State: "active", QueryStart: rep.Meta.At},
		{PID: 12, BackendType: "autovacuum launcher"},
	}
	o := Evaluate(rep, nil, Options{})
	for _, name := range []string{"idle_in_transaction_seconds", "long_query_seconds", "long_transaction_seconds"} {
		r := ruleResult(t, o, name)
		if r.Level != Unknown || r.Findings[0].Object != "1 session(s)" || !strings.Contains(r.Findings[0].Detail, "pg_monitor") {
			t.Errorf("%s: %s %+v", name, r.Level, r.Findings)
		}
	}
	if r := ruleResult(t, o, "connections"); r.Worst == nil || r.Worst.Value != 2 {
		t.Errorf("connections: %+v", r.Worst) // 2 client backends of 100
	}
}

// A report without bloat estimates makes the bloat rule UNKNOWN; the reason
// names the caller's way to collect them, else none (issue 18: the library
// names no command's flag).
func TestBloatReasonNamesCallerOption(t *testing.T) {
	rep := loadReport(t, "testdata/lag.json")
	rep.Tables = []pgstat.Table{{DBName: "shop", SchemaName: "public", Name: "t", Bloat: -1}}
	rep.Indexes = nil
	for name, want := range map[string]string{
		"":                 "the report has no bloat estimates",
		"pgreport --bloat": "the report has no bloat estimates (collect with pgreport --bloat)",
	} {
		r := ruleResult(t, Evaluate(rep, nil, Options{Bloat: true, BloatName: name}), "bloat")
		if r.Level != Unknown || len(r.Findings) != 1 || r.Findings[0].Detail != want {
			t.Errorf("BloatName %q: %+v, want UNKNOWN: %q", name, r.Findings, want)
		}
	}
}
