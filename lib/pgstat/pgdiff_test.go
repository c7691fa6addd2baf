package pgstat

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// The differential test against pgmetrics 1.19 (issue 19): the same scene
// (testdata/pgdiff/scene.sql) on PostgreSQL 15-18, pgmetrics' JSON on it
// committed once as testdata/pgdiff/pgmetrics-1.19-pgNN.json, pgreport's
// collection compared with it field by field. Values that move between two
// runs have a tolerance (pgdiffTolerances); every other difference must be
// on the allow-list (pgdiffKnown) with its reason, and an allow-list entry
// that no longer matches anything fails the test, so the list only shrinks.
//
// Regenerate the fixtures (pgmetrics is not on the module proxy; build it
// from its source with scripts/build-pgmetrics):
//
//	go test ./lib/pgstat/ -run TestPgmetricsDiff -pgmetrics=/tmp/pgmetrics-1.19
var pgmetricsBin = flag.String("pgmetrics", "", "run this pgmetrics binary on the scene and rewrite testdata/pgdiff/pgmetrics-*.json")

const pgdiffDB = "pgdiff"

// pgdiffSettings are the scene's server settings. No autovacuum: the
// scene's dead rows and statistics stay as set.
var pgdiffSettings = map[string]string{"autovacuum": "off", "track_wal_io_timing": "on"}

// pgdiffScene starts a cluster of bindir ("" for the default one, skipped
// unless it is major), sets the scene and returns the cluster.
func pgdiffScene(t *testing.T, major int, bindir string) *pgsandbox.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgsandbox.Start(ctx, pgsandbox.Options{BinDir: bindir, Settings: pgdiffSettings})
	if err != nil {
		pgsandbox.SkipOrFail(t, err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	if bindir == "" {
		var v int
		if err := c.Connect(t, "postgres").QueryRow(ctx,
			"SELECT current_setting('server_version_num')::int / 10000").Scan(&v); err != nil || v != major {
			if os.Getenv("CI") != "" { // every version must run there
				t.Fatalf("the default PostgreSQL is %d, not %d (%v)", v, major, err)
			}
			t.Skipf("the default PostgreSQL is %d, not %d (%v)", v, major, err)
		}
	}
	tsdir := filepath.Join(c.Dir, "ts")
	if err := os.Mkdir(tsdir, 0o700); err != nil {
		t.Fatal(err)
	}
	if u, err := user.Lookup(c.OSUser); err == nil {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(tsdir, uid, gid); err != nil && os.Geteuid() == 0 {
			t.Fatal(err)
		}
	}
	c.Exec(t, "postgres", "CREATE DATABASE "+pgdiffDB)
	c.Exec(t, pgdiffDB, sceneStatements(t, "testdata/pgdiff/scene.sql", tsdir)...)
	conn := c.Connect(t, pgdiffDB)
	pgsandbox.WaitFor(t, conn, "SELECT setting = '8192' FROM pg_settings WHERE name = 'work_mem'")
	return c
}

// sceneStatements reads a scene file: statements end with ";" at a line
// end, "--" lines are comments, @TABLESPACE_DIR@ becomes tsdir.
func sceneStatements(t *testing.T, path, tsdir string) []string {
	t.Helper()
	sql, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	for _, s := range regexp.MustCompile(`;\s*\n`).Split(string(sql), -1) {
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				lines = append(lines, l)
			}
		}
		if s = strings.TrimSpace(strings.Join(lines, "\n")); s != "" {
			stmts = append(stmts, strings.ReplaceAll(s, "@TABLESPACE_DIR@", tsdir))
		}
	}
	return stmts
}

// pgdiffVersions: major -> bin dir ("" = the default PostgreSQL, 15 here).
func pgdiffVersions(t *testing.T) map[int]string {
	vers := map[int]string{15: ""}
	for major, dir := range pgsandbox.PinnedVersions(t) {
		if dir == "" {
			if os.Getenv("CI") != "" {
				t.Fatalf("PostgreSQL %d binaries are not in the cache (scripts/pg-versions)", major)
			}
			continue
		}
		vers[major] = dir
	}
	return vers
}

func TestPgmetricsDiff(t *testing.T) {
	vers := pgdiffVersions(t)
	used := map[string]bool{}
	ran := 0
	for _, major := range slices.Sorted(func(yield func(int) bool) {
		for m := range vers {
			if !yield(m) {
				return
			}
		}
	}) {
		bindir := vers[major]
		t.Run("pg"+strconv.Itoa(major), func(t *testing.T) {
			fixture := fmt.Sprintf("testdata/pgdiff/pgmetrics-1.19-pg%d.json", major)
			c := pgdiffScene(t, major, bindir)
			if *pgmetricsBin != "" {
				runPgmetrics(t, c, fixture)
			}
			want := readJSONAny(t, fixture)
			checkPostgresBloat(t, c, want)
			rep, got := pgreportJSON(t, c)
			// pgmetrics drops pg_stat_io rows without any IO; so must we.
			for _, io := range rep.StatIOs {
				if io.Reads+io.Writes+io.Extends+io.Writebacks+io.Hits+io.Evictions+io.Reuses+io.Fsyncs == 0 {
					t.Errorf("stat_ios has an all-zero row: %+v", io)
				}
			}
			// backends[] is pgmetrics' list: client backends; the others apart.
			for _, b := range rep.Backends {
				if b.BackendType != "client backend" {
					t.Errorf("backends[] has a %q", b.BackendType)
				}
			}
			if len(rep.Backends) == 0 || len(rep.OtherProcesses) == 0 {
				t.Errorf("%d backends, %d other processes", len(rep.Backends), len(rep.OtherProcesses))
			}
			if major >= 16 && len(rep.StatIOs) == 0 {
				t.Error("no stat_ios rows")
			}
			// The text report shows a never-called sequence's limit (issue 19):
			// its last value and use are unknown, its max value is not.
			var text strings.Builder
			if err := WriteText(&text, rep, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`public\.never_seq\s+-\s+1000\s+-\n`).MatchString(text.String()) {
				t.Errorf("text report: never_seq's line is not \"- 1000 -\":\n%s", text.String())
			}
			d := &pgdiff{tsdir: filepath.Join(c.Dir, "ts")}
			d.compare("", want, got)
			d.report(t, major, used)
			ran++
		})
	}
	// An allow-list entry that matches nothing on any version is stale:
	// remove it (only checked when every version ran).
	if ran == len(vers) && !t.Failed() {
		for _, k := range pgdiffKnown {
			if !used[k.pattern] {
				t.Errorf("allow-list entry %q (%s) matches no difference any more: remove it", k.pattern, k.why)
			}
		}
	}
}

func runPgmetrics(t *testing.T, c *pgsandbox.Cluster, fixture string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, *pgmetricsBin, "-h", c.Host, "-p", strconv.Itoa(c.Port),
		"-U", c.User, "-w", "-f", "json", pgdiffDB)
	cmd.Env = append(os.Environ(), "PGSSLMODE=disable")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pgmetrics: %v\n%s", err, stderr.String())
	}
	// The cluster directory is a temp dir: name it as the test does.
	out = bytes.ReplaceAll(out, []byte(c.Dir), []byte("@CLUSTER_DIR@"))
	if err := os.WriteFile(fixture, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readJSONAny(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (regenerate with -pgmetrics, see pgdiff_test.go)", err)
	}
	return decodeJSONAny(t, b)
}

func decodeJSONAny(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A tolerance says how far a field may move between two runs of the same
// scene on two fresh clusters. Patterns are paths with * for any text;
// list elements are named by their key (tables[public.t1]), see pgdiffKey.
type tolerance struct {
	pattern string
	kind    tolKind
	abs     float64 // tolNear: |got-want| <= abs
	why     string
	absent  bool // the field may also be missing (omitempty, elements matched by position)
}

type tolKind int

const (
	tolAny  tolKind = iota // value differs every run: only the JSON type must match
	tolNear                // numbers within abs
	tolGE                  // a counter the collection itself moves: got >= want
	tolSet                 // any value, but zero or empty exactly where pgmetrics' is (WAL positions, times)
)

// pgdiffTolerances is the documented tolerance table (docs/pgreport.md,
// "Compatibility with pgmetrics" repeats it).
var pgdiffTolerances = []tolerance{
	{pattern: "meta.at", why: "collection time"},
	{pattern: "meta.user_agent", why: "the program's name"},
	{pattern: "start_time", why: "server start"},
	{pattern: "conf_load_time", why: "server start/reload"},
	{pattern: "system_identifier", why: "a new cluster each run"},
	{pattern: "connection_tuple", why: "a new socket and port each run"},
	{pattern: "*_lsn", kind: tolSet, why: "WAL position moves with any write (empty where pgmetrics' is)"},
	{pattern: "*lsn", kind: tolSet, why: "WAL position (empty where pgmetrics' is)"},
	{pattern: "highwal", why: "WAL position"},
	{pattern: "*xid", why: "transaction ids move with every write"},
	{pattern: "*_time", why: "timestamps"},
	{pattern: "*_timestamp", why: "timestamps"},
	{pattern: "*stats_reset", why: "timestamps"},
	{pattern: "checkpoint_time", why: "timestamp"},
	{pattern: "*.last_*vacuum", why: "timestamps"},
	{pattern: "*.last_*analyze", why: "timestamps"},
	{pattern: "*.last_*scan", why: "timestamps"},
	{pattern: "*.stats_since*", why: "timestamps"},
	{pattern: "*.at", why: "timestamps"},
	{pattern: "*.pid", why: "process ids"},
	{pattern: "*.oid", why: "object ids are assigned by the run"},
	{pattern: "*.db_oid", why: "object ids"},
	{pattern: "*.table_oid", why: "object ids"},
	{pattern: "*.relid", why: "object ids"},
	{pattern: "*.queryid", why: "hash of the query text and object ids"},
	{pattern: "settings.port.setting", why: "random port"},
	{pattern: "settings.unix_socket_directories.setting", why: "temp dir"},
	{pattern: "settings.data_directory.setting", why: "temp dir"},
	{pattern: "settings.*_file.setting", why: "temp dir"},
	{pattern: "settings.*.pending", why: "reload state"},
	{pattern: "wal.*", why: "WAL writes depend on the WAL writer's timing"},
	{pattern: "bg_writer.*", why: "background writer and checkpoint counters depend on timing"},
	{pattern: "checkpointer.*", why: "checkpoint counters depend on timing"},
	{pattern: "wal_archiving.*", why: "archiver state"},
	{pattern: "wal_count", kind: tolNear, abs: 2, why: "WAL segments"},
	{pattern: "stat_ios[*]", why: "whether a process type has done IO yet depends on timing (no all-zero row: checked apart)"},
	{pattern: "stat_ios[*].*", why: "IO counts of background processes depend on checkpoint and WAL writer timing (the rows and columns are still compared)"},
	{pattern: "databases[*].*", kind: tolGE, why: "database counters move with the collection itself"},
	{pattern: "databases[*].size", kind: tolNear, abs: 256 << 10, why: "database size within 32 pages (catalog churn)"},
	{pattern: "tablespaces[*].size", kind: tolNear, abs: 512 << 10, why: "tablespace size within 64 pages"},
	{pattern: "tablespaces[*].disk_*", why: "the host's disk"},
	{pattern: "tablespaces[*].inodes_*", why: "the host's disk"},
	{pattern: "backends", why: "how many client sessions (the test's, the collector's) are open at the moment (client backends only: checked apart)"},
	{pattern: "backends[*]*", why: "backends are the collectors' own processes"},
	{pattern: "betypecounts*", why: "process counts of the moment"},
	{pattern: "locks*", why: "the collectors' own locks"},
	{pattern: "blocking_pids*", why: "the collectors' own locks"},
	{pattern: "statements*", absent: true, why: "pg_stat_statements holds the collectors' own queries (matched by position: a zero omitted where pgmetrics' statement has a value)"},
	{pattern: "system.*", why: "the host"},
	{pattern: "tables[*].size", kind: tolNear, abs: 8192, why: "sizes within a page"},
	{pattern: "indexes[*].size", kind: tolNear, abs: 8192, why: "sizes within a page"},
	{pattern: "tables[*].age", kind: tolNear, abs: 1000, why: "age(relfrozenxid) moves with transactions"},
	{pattern: "databases[*].age_datfrozenxid", why: "moves with transactions"},
	{pattern: "settings.application_name.setting", why: "the program's name"},
}

// pgdiffKnown is the allow-list: differences pgreport has today, each with
// its reason. Phase 2 of issue 19 shrinks it.
var pgdiffKnown = []tolerance{}

func matchPattern(pattern, path string) bool {
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$"
	return regexp.MustCompile(re).MatchString(path)
}

type pgdiff struct {
	tsdir string
	extra []tolerance // checked before pgdiffTolerances
	known []tolerance // allowed besides pgdiffKnown
	diffs []string    // path: what
}

// pgdiffKey names the elements of a list by what identifies them.
func pgdiffKey(list string, e map[string]any) string {
	s := func(k string) string { v, _ := e[k].(string); return v }
	switch list {
	case "tables", "indexes", "sequences", "user_functions":
		return s("schema_name") + "." + s("name")
	case "stat_ios":
		return s("backend_type") + "/" + s("object") + "/" + s("context")
	case "databases", "roles", "tablespaces", "extensions", "publications", "subscriptions", "replication_slots":
		return s("name")
	}
	return ""
}

func (d *pgdiff) add(path, format string, args ...any) {
	d.diffs = append(d.diffs, path+": "+fmt.Sprintf(format, args...))
}

func (d *pgdiff) compare(path string, want, got any) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			d.add(path, "pgmetrics has an object, pgreport %s", jsonType(got))
			return
		}
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range w {
				if !yield(k) {
					return
				}
			}
		}) {
			gv, ok := g[k]
			if !ok {
				if !d.mayBeAbsent(join(k)) {
					d.add(join(k), "missing (pgmetrics: %s)", short(w[k]))
				}
				continue
			}
			d.compare(join(k), w[k], gv)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			if got == nil && len(w) == 0 {
				return
			}
			d.add(path, "pgmetrics has a list, pgreport %s", jsonType(got))
			return
		}
		name := path[strings.LastIndex(path, ".")+1:]
		keyed := func(l []any) (map[string]any, bool) {
			m := map[string]any{}
			for _, e := range l {
				em, ok := e.(map[string]any)
				if !ok {
					return nil, false
				}
				k := pgdiffKey(name, em)
				if k == "" {
					return nil, false
				}
				m[k] = e
			}
			return m, true
		}
		wm, ok1 := keyed(w)
		gm, ok2 := keyed(g)
		if ok1 && ok2 && len(w) > 0 {
			for _, k := range slices.Sorted(func(yield func(string) bool) {
				for k := range wm {
					if !yield(k) {
						return
					}
				}
			}) {
				p := path + "[" + k + "]"
				if _, ok := gm[k]; !ok {
					if !d.tolerated(p, nil, nil) {
						d.add(p, "missing")
					}
					continue
				}
				d.compare(p, wm[k], gm[k])
			}
			for k := range gm {
				if _, ok := wm[k]; !ok && !d.tolerated(path+"["+k+"]", nil, nil) {
					d.add(path+"["+k+"]", "extra (pgmetrics has no such element)")
				}
			}
			return
		}
		if len(w) != len(g) && !d.tolerated(path, nil, nil) {
			d.add(path, "%d elements, pgmetrics %d", len(g), len(w))
		}
		for i := 0; i < len(w) && i < len(g); i++ {
			d.compare(path+"["+strconv.Itoa(i)+"]", w[i], g[i])
		}
	default:
		if jsonType(want) != jsonType(got) {
			// pgmetrics' null lists are pgreport's [] and the reverse.
			d.add(path, "pgreport %s %s, pgmetrics %s %s", jsonType(got), short(got), jsonType(want), short(want))
			return
		}
		if ws, ok := want.(string); ok && strings.Contains(ws, "@CLUSTER_DIR@") {
			want = strings.ReplaceAll(ws, "@CLUSTER_DIR@", filepath.Dir(d.tsdir))
		}
		if fmt.Sprint(want) == fmt.Sprint(got) {
			return
		}
		if d.tolerated(path, want, got) {
			return
		}
		d.add(path, "pgreport %s, pgmetrics %s", short(got), short(want))
	}
}

// mayBeAbsent says whether the first tolerance matching path lets it be missing.
func (d *pgdiff) mayBeAbsent(path string) bool {
	for _, tol := range slices.Concat(d.extra, pgdiffTolerances) {
		if matchPattern(tol.pattern, path) {
			return tol.absent
		}
	}
	return false
}

// tolerated says whether the first tolerance matching path accepts got for
// want (want == nil: a list's length).
func (d *pgdiff) tolerated(path string, want, got any) bool {
	for _, tol := range slices.Concat(d.extra, pgdiffTolerances) {
		if !matchPattern(tol.pattern, path) {
			continue
		}
		if tol.kind == tolAny {
			return true
		}
		if tol.kind == tolSet {
			unset := func(v any) bool { return v == "" || fmt.Sprint(v) == "0" }
			return jsonType(want) == jsonType(got) && unset(want) == unset(got)
		}
		wn, e1 := strconv.ParseFloat(fmt.Sprint(want), 64)
		gn, e2 := strconv.ParseFloat(fmt.Sprint(got), 64)
		if want == nil || e1 != nil || e2 != nil {
			return false
		}
		switch tol.kind {
		case tolGE:
			return gn >= wn
		case tolNear:
			return gn-wn <= tol.abs && wn-gn <= tol.abs
		}
		return false
	}
	return false
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "list"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "bool"
	}
	return fmt.Sprintf("%T", v)
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

// report fails t for every difference not on the allow-list and marks the
// allow-list entries that matched in used.
func (d *pgdiff) report(t *testing.T, major int, used map[string]bool) {
	t.Helper()
	sort.Strings(d.diffs)
	for _, diff := range d.diffs {
		path := diff[:strings.Index(diff, ": ")]
		known := false
		for _, k := range slices.Concat(pgdiffKnown, d.known) {
			if matchPattern(k.pattern, path) {
				used[k.pattern], known = true, true
				break
			}
		}
		if known {
			t.Logf("known: %s", diff)
		} else {
			t.Errorf("pg%d: %s", major, diff)
		}
	}
}

// The comparison itself, without a server: it must see what it is for.
func TestPgdiffCompare(t *testing.T) {
	want := decodeJSONAny(t, []byte(`{"meta":{"at":1},"tables":[{"schema_name":"public","name":"a","size":16384,"acl":"x"},
		{"schema_name":"public","name":"b","size":8192}],"wal_count":3,"settings":{"x":{"setting":"1"}}}`))
	got := decodeJSONAny(t, []byte(`{"meta":{"at":2},"tables":[{"schema_name":"public","name":"b","size":40960},
		{"schema_name":"public","name":"a","size":24576,"extra":1}],"wal_count":9,"settings":{"x":{"setting":1}}}`))
	d := &pgdiff{}
	d.compare("", want, got)
	wantDiffs := []string{
		`tables[public.a].acl: missing (pgmetrics: "x")`,
		`tables[public.b].size: pgreport 40960, pgmetrics 8192`,
		`wal_count: pgreport 9, pgmetrics 3`,
		`settings.x.setting: pgreport number 1, pgmetrics string "1"`,
	}
	slices.Sort(wantDiffs)
	slices.Sort(d.diffs)
	if !slices.Equal(d.diffs, wantDiffs) {
		t.Errorf("diffs:\n%s\nwant:\n%s", strings.Join(d.diffs, "\n"), strings.Join(wantDiffs, "\n"))
	}
}

// checkPostgresBloat: checkPostgresBloatSQL gives pgmetrics' bloat, byte for
// byte, on the scene: -1 for what it has no row for.
func checkPostgresBloat(t *testing.T, c *pgsandbox.Cluster, want any) {
	t.Helper()
	rows, err := c.Connect(t, pgdiffDB).Query(context.Background(), checkPostgresBloatSQL)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for rows.Next() {
		var schema, table, index string
		var tb, ib int64
		if err := rows.Scan(&schema, &table, &tb, &index, &ib); err != nil {
			t.Fatal(err)
		}
		if _, ok := got["tables["+schema+"."+table+"]"]; !ok {
			got["tables["+schema+"."+table+"]"] = tb
		}
		if index != "" {
			got["indexes["+schema+"."+index+"]"] = ib
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, list := range []string{"tables", "indexes"} {
		for _, e := range want.(map[string]any)[list].([]any) {
			m := e.(map[string]any)
			key := list + "[" + pgdiffKey(list, m) + "]"
			w, _ := m["bloat"].(json.Number).Int64()
			g, ok := got[key]
			if !ok {
				g = -1
			}
			if g != w {
				t.Errorf("checkPostgresBloatSQL: %s.bloat = %d, pgmetrics %d", key, g, w)
			}
			n++
		}
	}
	if n < 6 {
		t.Errorf("the fixture has %d tables and indexes, want the scene's 6", n)
	}
}
