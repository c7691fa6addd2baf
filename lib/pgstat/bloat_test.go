package pgstat

import (
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// Index bloat (pgmetrics' index "bloat", /work/shared/reference/pgmetrics.md:
// bytes, -1 when not collected): a btree that lost 90% of its rows to DELETE
// keeps its pages (VACUUM only frees pages that are entirely empty), while an
// index built afterwards on the same rows is packed.
func TestIndexBloat(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "ixbloat")
	c.Exec(t, db, `CREATE TABLE b (id int NOT NULL, k int NOT NULL, note text);
		INSERT INTO b SELECT g, g, 'n' || g FROM generate_series(1, 200000) g;
		CREATE INDEX b_k_old ON b (k);
		CREATE INDEX b_expr_old ON b ((k * 2));
		DELETE FROM b WHERE id % 10 <> 0`)
	c.Exec(t, db, `VACUUM ANALYZE b`) // not in a transaction block
	c.Exec(t, db, `CREATE INDEX b_k_new ON b (k);
		CREATE INDEX b_expr_new ON b ((k * 2));
		CREATE INDEX b_brin ON b USING brin (k);
		CREATE TABLE e (id int PRIMARY KEY);
		ANALYZE b, e`)
	rep, err := collect(t, Options{Conn: connOpts(c, "postgres", db), Bloat: true})
	if err != nil {
		t.Fatalf("Collect: %v (errors %+v)", err, rep.Meta.Errors)
	}
	idx := map[string]Index{}
	for _, x := range rep.Indexes {
		idx[x.Name] = x
	}
	for _, tc := range []struct {
		name     string
		min, max float64 // bloat as a fraction of the index size
	}{
		{"b_k_old", 0.7, 0.95}, // 90% of the entries gone
		{"b_expr_old", 0.7, 0.95},
		{"b_k_new", 0, 0.15}, // inner pages and rounding only
		{"b_expr_new", 0, 0.15},
	} {
		x, ok := idx[tc.name]
		if !ok || x.Size <= 0 {
			t.Errorf("%s: missing or no size: %+v", tc.name, x)
			continue
		}
		f := float64(x.Bloat) / float64(x.Size)
		t.Logf("%s: size %d bloat %d (%.2f)", tc.name, x.Size, x.Bloat, f)
		if x.Bloat < 0 || f < tc.min || f > tc.max {
			t.Errorf("%s: bloat %d of %d bytes (%.2f), want between %.2f and %.2f", tc.name, x.Bloat, x.Size, f, tc.min, tc.max)
		}
	}
	// An empty table has no statistics, and its index needs none: 1 metapage.
	if x := idx["e_pkey"]; x.Bloat != 0 {
		t.Errorf("empty table's index: bloat %d, want 0", x.Bloat)
	}
	if x := idx["b_brin"]; x.Bloat != -1 {
		t.Errorf("brin index: bloat %d, want -1 (only btree is estimated)", x.Bloat)
	}
	// Metrics: the estimate where there is one, nothing where it is -1.
	byName := map[string]float64{}
	for _, m := range Metrics(rep, []string{"*.bloat"}) {
		byName[m.Name] = m.Value
	}
	if v, ok := byName["pg."+db+".public.b_k_old.bloat"]; !ok || v != float64(idx["b_k_old"].Bloat) {
		t.Errorf("metric b_k_old.bloat = %v, %v; want %d", v, ok, idx["b_k_old"].Bloat)
	}
	if v, ok := byName["pg."+db+".public.b_brin.bloat"]; ok {
		t.Errorf("metric b_brin.bloat = %v, want none (not estimated)", v)
	}
	warn := Warnings(rep, TextOptions{})
	var old, fresh bool
	for _, w := range warn {
		old = old || containsAll(w, "b_k_old", "bloat")
		fresh = fresh || containsAll(w, "b_k_new")
	}
	if !old || fresh {
		t.Errorf("warnings: want b_k_old as bloated and not b_k_new: %q", warn)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
