package pgstat

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// unitTest is one registered section's test: the sections it needs first
// (their results), the options it needs, and what it must put in the report.
type unitTest struct {
	before []string
	opts   Options
	check  func(t *testing.T, c *collector, db string)
}

func find[T any](items []T, match func(T) bool) (T, bool) {
	for _, x := range items {
		if match(x) {
			return x, true
		}
	}
	var zero T
	return zero, false
}

// unitTests has one entry per registered section (TestSectionsRegistry
// checks): each is run alone against the scenario database.
var unitTests = map[string]unitTest{
	"server": {check: func(t *testing.T, c *collector, _ string) {
		if r := c.rep; !strings.HasPrefix(r.FullVersion, "PostgreSQL ") || r.StartTime <= 0 || r.ConfLoadTime <= 0 {
			t.Errorf("version %q, start %d, conf load %d", r.FullVersion, r.StartTime, r.ConfLoadTime)
		}
	}},
	"settings": {check: func(t *testing.T, c *collector, _ string) {
		if s := c.rep.Settings["shared_buffers"]; s.Unit != "8kB" || s.Setting == "" || len(c.rep.Settings) < 300 {
			t.Errorf("%d settings, shared_buffers %+v", len(c.rep.Settings), s)
		}
	}},
	"control": {check: func(t *testing.T, c *collector, _ string) {
		if r := c.rep; r.SystemIdentifier == "" || r.CheckpointLSN == "" || r.TimelineID != 1 || r.NextXid <= 0 {
			t.Errorf("sysid %q, checkpoint %q, timeline %d, next xid %d", r.SystemIdentifier, r.CheckpointLSN, r.TimelineID, r.NextXid)
		}
	}},
	"wal_position": {check: func(t *testing.T, c *collector, _ string) {
		if r := c.rep; r.WALLSN == "" || r.WALFlushLSN == "" || r.LastWALReplayLSN != "" {
			t.Errorf("wal lsn %q, flush %q, replay %q", r.WALLSN, r.WALFlushLSN, r.LastWALReplayLSN)
		}
	}},
	"wal_files": {check: func(t *testing.T, c *collector, _ string) {
		if r := c.rep; r.WALCount < 1 || r.WALReadyCount != 0 || r.HighestWALSegment < 1 {
			t.Errorf("wal count %d, ready %d, highest %d", r.WALCount, r.WALReadyCount, r.HighestWALSegment)
		}
	}},
	"wal_archiving": {check: func(t *testing.T, c *collector, _ string) {
		if a := c.rep.WALArchiving; a.StatsReset <= 0 {
			t.Errorf("archiver %+v", a)
		}
	}},
	"bg_writer": {check: func(t *testing.T, c *collector, _ string) {
		if b := c.rep.BGWriter; b.BuffersAlloc <= 0 {
			t.Errorf("bgwriter %+v", b)
		}
	}},
	"checkpointer": {check: func(t *testing.T, c *collector, _ string) {
		if cp := c.rep.Checkpointer; cp == nil || cp.StatsReset <= 0 {
			t.Errorf("checkpointer %+v", cp)
		}
	}},
	"wal": {check: func(t *testing.T, c *collector, _ string) {
		if w := c.rep.WAL; w == nil || w.Records <= 0 || w.Bytes <= 0 {
			t.Errorf("wal %+v", w)
		}
	}},
	"stat_io": {check: func(t *testing.T, c *collector, _ string) {
		if len(c.rep.StatIOs) == 0 {
			t.Error("no pg_stat_io rows")
		}
	}},
	"replication_outgoing": {check: func(t *testing.T, c *collector, _ string) {
		// No standby here: the query runs (TestReplication has one).
		if c.rep.ReplicationOutgoing == nil || len(c.rep.ReplicationOutgoing) != 0 {
			t.Errorf("outgoing %+v", c.rep.ReplicationOutgoing)
		}
	}},
	"replication_incoming": {check: func(t *testing.T, c *collector, _ string) {
		if c.rep.ReplicationIncoming != nil { // a primary (TestReplication has a standby)
			t.Errorf("incoming %+v", c.rep.ReplicationIncoming)
		}
	}},
	"replication_slots": {check: func(t *testing.T, c *collector, _ string) {
		s, ok := find(c.rep.ReplicationSlots, func(s ReplicationSlot) bool { return s.SlotName == "unit_slot" })
		if !ok || s.SlotType != "physical" || s.Active {
			t.Errorf("slots %+v", c.rep.ReplicationSlots)
		}
	}},
	"backends": {check: func(t *testing.T, c *collector, _ string) {
		_, ok := find(c.rep.Backends, func(b Backend) bool { return b.ApplicationName == "pgreport/test" && b.State == "active" })
		if !ok || c.rep.BETypeCounts["client backend"] < 1 {
			t.Errorf("backends %+v, types %v", c.rep.Backends, c.rep.BETypeCounts)
		}
	}},
	"locks": {check: func(t *testing.T, c *collector, _ string) {
		// At least this transaction's own virtual transaction ID.
		if _, ok := find(c.rep.Locks, func(l Lock) bool { return l.LockType == "virtualxid" && l.Granted }); !ok {
			t.Errorf("locks %+v", c.rep.Locks)
		}
	}},
	"prepared_xacts": {check: func(t *testing.T, c *collector, _ string) {
		// None here (pgreport check's tests prepare one): an empty list, not nil.
		if p := c.rep.PreparedXacts; p == nil || len(*p) != 0 {
			t.Errorf("prepared_xacts %v", p)
		}
	}},
	"progress": {check: func(t *testing.T, c *collector, _ string) {
		// Every view read (the newest, copy, is 14+): empty lists, not nil.
		if r := c.rep; r.VacuumProgress == nil || r.AnalyzeProgress == nil || r.BasebackupProgress == nil || r.CopyProgress == nil {
			t.Errorf("progress lists: vacuum %v analyze %v basebackup %v copy %v", r.VacuumProgress, r.AnalyzeProgress, r.BasebackupProgress, r.CopyProgress)
		}
	}},
	"roles": {check: func(t *testing.T, c *collector, _ string) {
		if ro, ok := find(c.rep.Roles, func(r Role) bool { return r.Name == "postgres" }); !ok || !ro.Rolsuper {
			t.Errorf("roles %+v", c.rep.Roles)
		}
	}},
	"databases": {check: func(t *testing.T, c *collector, db string) {
		if d, ok := find(c.rep.Databases, func(d Database) bool { return d.Name == db }); !ok || d.Size <= 0 || d.XactCommit <= 0 {
			t.Errorf("databases %+v", c.rep.Databases)
		}
	}},
	"tablespaces": {check: func(t *testing.T, c *collector, _ string) {
		// pg_global's location is the data directory, as pgmetrics gives it (issue 19).
		def, _ := find(c.rep.Tablespaces, func(s Tablespace) bool { return s.Name == "pg_default" })
		if ts, ok := find(c.rep.Tablespaces, func(s Tablespace) bool { return s.Name == "pg_global" }); !ok || ts.Size <= 0 ||
			ts.Location == "" || ts.Location != def.Location {
			t.Errorf("tablespaces %+v", c.rep.Tablespaces)
		}
	}},
	"databases_list": {opts: Options{AllDBs: true}, check: func(t *testing.T, c *collector, db string) {
		if len(c.dbs) < 2 || c.dbs[0] != db || !slices.Contains(c.dbs, "postgres") || slices.Contains(c.dbs, "template0") {
			t.Errorf("databases to report on: %v, want %s first", c.dbs, db)
		}
	}},
	"tables": {check: func(t *testing.T, c *collector, db string) {
		if x, ok := find(c.rep.Tables, func(x Table) bool { return x.Name == "orders" }); !ok || x.DBName != db || x.NDeadTup != 15000 || x.Size <= 0 || x.Bloat != -1 {
			t.Errorf("tables %+v", c.rep.Tables)
		}
	}},
	"indexes": {check: func(t *testing.T, c *collector, _ string) {
		if x, ok := find(c.rep.Indexes, func(x Index) bool { return x.Name == "orders_pkey" }); !ok || !x.IsPrimary || x.Size <= 0 || x.Definition != "" {
			t.Errorf("indexes %+v", c.rep.Indexes)
		}
	}},
	"index_defs": {before: []string{"indexes"}, check: func(t *testing.T, c *collector, _ string) {
		if x, _ := find(c.rep.Indexes, func(x Index) bool { return x.Name == "orders_note_idx" }); x.Definition != "CREATE INDEX orders_note_idx ON public.orders USING btree (note)" {
			t.Errorf("orders_note_idx %+v", x)
		}
	}},
	"sequences": {check: func(t *testing.T, c *collector, _ string) {
		// The values come after the section, from the DO block.
		if s, _ := find(c.rep.Sequences, func(s Sequence) bool { return s.Name == "small_seq" }); s.LastValue != 90 || s.MaxValue != 100 {
			t.Errorf("sequences %+v", c.rep.Sequences)
		}
	}},
	"user_functions": {check: func(t *testing.T, c *collector, _ string) {
		if f, _ := find(c.rep.UserFunctions, func(f UserFunction) bool { return f.Name == "add1" }); f.Calls != 3 {
			t.Errorf("user_functions %+v", c.rep.UserFunctions)
		}
	}},
	"extensions": {check: func(t *testing.T, c *collector, _ string) {
		if _, ok := c.pssExtension(); !ok || len(c.rep.Extensions) < 2 {
			t.Errorf("extensions %+v", c.rep.Extensions)
		}
	}},
	"disabled_triggers": {check: func(t *testing.T, c *collector, _ string) {
		if d := c.rep.DisabledTriggers; len(d) != 1 || d[0].Name != "t_trig_noop" || d[0].ProcName != "noop" {
			t.Errorf("disabled_triggers %+v", d)
		}
	}},
	"publications": {check: func(t *testing.T, c *collector, _ string) {
		if p := c.rep.Publications; len(p) != 1 || p[0].Name != "pub_orders" || p[0].TableCount != 1 {
			t.Errorf("publications %+v", p)
		}
	}},
	"subscriptions": {check: func(t *testing.T, c *collector, _ string) {
		if len(c.rep.Subscriptions) != 0 { // none here: TestSubscription has one
			t.Errorf("subscriptions %+v", c.rep.Subscriptions)
		}
	}},
	"statements": {before: []string{"extensions"}, check: func(t *testing.T, c *collector, _ string) {
		if s := c.rep.Statements; len(s) == 0 || s[0].QueryIDStr == "" || s[0].Calls <= 0 {
			t.Errorf("statements %+v", s)
		}
	}},
	"bloat": {before: []string{"tables", "indexes"}, opts: Options{Bloat: true}, check: func(t *testing.T, c *collector, _ string) {
		if x, _ := find(c.rep.Tables, func(x Table) bool { return x.Name == "orders" }); x.Bloat <= 0 {
			t.Errorf("orders bloat %d", x.Bloat)
		}
	}},
}

// Every registered section has its test, names are unique, and cluster
// sections come before per-database ones (they run in that order).
func TestSectionsRegistry(t *testing.T) {
	seen := map[string]bool{}
	for i, u := range units {
		if seen[u.name] {
			t.Errorf("section %q registered twice", u.name)
		}
		seen[u.name] = true
		if _, ok := unitTests[u.name]; !ok {
			t.Errorf("section %q has no entry in unitTests", u.name)
		}
		if u.run == nil || u.doc == "" {
			t.Errorf("section %q: no run or no doc", u.name)
		}
		if i > 0 && units[i-1].scope > u.scope {
			t.Errorf("cluster section %q after per-database %q", u.name, units[i-1].name)
		}
	}
	for name := range unitTests {
		if !seen[name] {
			t.Errorf("unitTests[%q]: no such section", name)
		}
	}
	if !slices.Equal(Sections, SectionNames()) || !IsSection("tables") || IsSection("sequence_values") {
		t.Errorf("Sections = %v", Sections)
	}
}

// The gates: version, options, earlier sections, once per run.
func TestSectionGates(t *testing.T) {
	on := func(ver int, o Options, name string, prep func(c *collector)) bool {
		c := &collector{o: o, ver: ver, ran: map[string]bool{}}
		if prep != nil {
			prep(c)
		}
		u, _ := unitNamed(name)
		return u.enabled(c)
	}
	pss := func(c *collector) { c.dbExts = []Extension{{Name: "pg_stat_statements"}} }
	for _, tc := range []struct {
		name string
		ver  int
		o    Options
		prep func(c *collector)
		want bool
	}{
		{"server", 120000, Options{}, nil, true},
		{"wal", 130000, Options{}, nil, false},
		{"wal", 140000, Options{}, nil, true},
		{"stat_io", 150000, Options{}, nil, false},
		{"stat_io", 160000, Options{}, nil, true},
		{"checkpointer", 160000, Options{}, nil, false},
		{"checkpointer", 170000, Options{}, nil, true},
		{"bloat", 150000, Options{}, nil, false},
		{"bloat", 150000, Options{Bloat: true}, nil, true},
		{"databases_list", 150000, Options{}, nil, false},
		{"databases_list", 150000, Options{AllDBs: true}, nil, true},
		{"statements", 150000, Options{}, nil, false},
		{"statements", 150000, Options{}, pss, true},
		{"statements", 150000, Options{}, func(c *collector) { pss(c); c.ran["statements"] = true }, false},
	} {
		if got := on(tc.ver, tc.o, tc.name, tc.prep); got != tc.want {
			t.Errorf("%s on %d with %+v: enabled %v, want %v", tc.name, tc.ver, tc.o, got, tc.want)
		}
	}
}

// unitCollector is a collector connected to db, identified, with no section run.
func unitCollector(t *testing.T, cl *pgsandbox.Cluster, db string, o Options) *collector {
	t.Helper()
	o.Conn = connOpts(cl, "postgres", db)
	o = o.defaults()
	c := &collector{o: o, cnt: &counter{}, ran: map[string]bool{}, rep: newReport(o)}
	ctx := context.Background()
	if err := c.connect(ctx, db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.conn.Close(context.Background()) })
	if err := c.identify(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// Each registered section alone, in its own transaction, on this server
// (PostgreSQL 15): no error, and its part of the report filled. Sections
// gated out here are checked to be skipped (TestEachSectionVersions runs
// them on 16, 17 and 18).
func TestEachSection(t *testing.T) { eachSection(t, pgsandbox.Get(t)) }

// TestEachSectionVersions: each section alone on every pinned major.
func TestEachSectionVersions(t *testing.T) {
	vers := pgsandbox.PinnedVersions(t)
	for _, major := range slices.Sorted(maps.Keys(vers)) {
		t.Run(fmt.Sprintf("pg%d", major), func(t *testing.T) {
			if vers[major] == "" {
				if os.Getenv("CI") != "" {
					t.Fatalf("PostgreSQL %d binaries are not in the cache (scripts/pg-versions)", major)
				}
				t.Skipf("PostgreSQL %d not fetched: run scripts/pg-versions", major)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cl, err := pgsandbox.Start(ctx, pgsandbox.Options{BinDir: vers[major]})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cl.Stop() })
			eachSection(t, cl)
		})
	}
}

func eachSection(t *testing.T, cl *pgsandbox.Cluster) {
	db := scenario(t, cl)
	cl.Exec(t, db, "SELECT pg_create_physical_replication_slot('unit_slot')")
	t.Cleanup(func() { cl.Exec(t, "postgres", "SELECT pg_drop_replication_slot('unit_slot')") })
	for _, u := range units {
		t.Run(u.name, func(t *testing.T) {
			ut := unitTests[u.name]
			c := unitCollector(t, cl, db, ut.opts)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for _, b := range ut.before {
				dep, _ := unitNamed(b)
				c.runUnit(ctx, dep)
			}
			if !u.enabled(c) {
				if c.ver >= u.since {
					t.Fatalf("%s not enabled with %+v after %v", u.name, ut.opts, ut.before)
				}
				t.Skipf("%s needs server_version_num %d, this is %d", u.name, u.since, c.ver)
			}
			c.runUnit(ctx, u)
			if len(c.rep.Meta.Errors) > 0 || len(c.rep.Meta.Gaps) > 0 {
				t.Fatalf("errors %+v, gaps %v", c.rep.Meta.Errors, c.rep.Meta.Gaps)
			}
			ut.check(t, c, db)
		})
	}
}

const (
	sectionsBegin = "<!-- sections: made by TestSectionsDoc from lib/pgstat's registered units; go test ./lib/pgstat -run TestSectionsDoc -update -->\n"
	sectionsEnd   = "<!-- sections end -->"
)

// docs/pgreport.md's table of sections is SectionsMarkdown(): -update
// rewrites it, a drift fails.
func TestSectionsDoc(t *testing.T) {
	const path = "../../docs/pgreport.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	pre, rest, ok1 := strings.Cut(doc, sectionsBegin)
	_, post, ok2 := strings.Cut(rest, sectionsEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s: no %q ... %q markers", path, sectionsBegin, sectionsEnd)
	}
	want := pre + sectionsBegin + SectionsMarkdown() + sectionsEnd + post
	if want == doc {
		return
	}
	if *testutil.Update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the sections table is not SectionsMarkdown()'s; run go test ./lib/pgstat -run TestSectionsDoc -update", path)
}
