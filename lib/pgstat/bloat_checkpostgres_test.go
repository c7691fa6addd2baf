package pgstat

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// pgmetricsBloatSQL is pgmetrics 1.19's sqlBloat (collector/collect.go),
// check_postgres' bloat query, verbatim: the reference that
// checkPostgresBloatSQL, rewritten for speed, must match row for row.
// /work/shared/reference/pgmetrics.md §1.1: tables[].bloat and
// indexes[].bloat are its wastedbytes and wastedibytes.
const pgmetricsBloatSQL = `
SELECT
  current_database() AS db, schemaname, tablename, reltuples::bigint AS tups, relpages::bigint AS pages, otta,
  ROUND(CASE WHEN otta=0 OR sml.relpages=0 OR sml.relpages=otta THEN 0.0 ELSE sml.relpages/otta::numeric END,1) AS tbloat,
  CASE WHEN relpages < otta THEN 0 ELSE relpages::bigint - otta END AS wastedpages,
  CASE WHEN relpages < otta THEN 0 ELSE bs*(sml.relpages-otta)::bigint END AS wastedbytes,
  CASE WHEN relpages < otta THEN '0 bytes'::text ELSE (bs*(relpages-otta))::bigint::text || ' bytes' END AS wastedsize,
  iname, ituples::bigint AS itups, ipages::bigint AS ipages, iotta,
  ROUND(CASE WHEN iotta=0 OR ipages=0 OR ipages=iotta THEN 0.0 ELSE ipages/iotta::numeric END,1) AS ibloat,
  CASE WHEN ipages < iotta THEN 0 ELSE ipages::bigint - iotta END AS wastedipages,
  CASE WHEN ipages < iotta THEN 0 ELSE (bs*(ipages-iotta))::bigint END AS wastedibytes,
  CASE WHEN ipages < iotta THEN '0 bytes' ELSE (bs*(ipages-iotta))::bigint::text || ' bytes' END AS wastedisize,
  CASE WHEN relpages < otta THEN
    CASE WHEN ipages < iotta THEN 0 ELSE bs*(ipages-iotta::bigint) END
    ELSE CASE WHEN ipages < iotta THEN bs*(relpages-otta::bigint)
      ELSE bs*(relpages-otta::bigint + ipages-iotta::bigint) END
  END AS totalwastedbytes
FROM (
  SELECT
    nn.nspname AS schemaname,
    cc.relname AS tablename,
    COALESCE(cc.reltuples,0) AS reltuples,
    COALESCE(cc.relpages,0) AS relpages,
    COALESCE(bs,0) AS bs,
    COALESCE(CEIL((cc.reltuples*((datahdr+ma-
      (CASE WHEN datahdr%ma=0 THEN ma ELSE datahdr%ma END))+nullhdr2+4))/(bs-20::float)),0) AS otta,
    COALESCE(c2.relname,'?') AS iname, COALESCE(c2.reltuples,0) AS ituples, COALESCE(c2.relpages,0) AS ipages,
    COALESCE(CEIL((c2.reltuples*(datahdr-12))/(bs-20::float)),0) AS iotta -- very rough approximation, assumes all cols
  FROM
     pg_class cc
  JOIN pg_namespace nn ON cc.relnamespace = nn.oid AND nn.nspname <> 'information_schema'
  LEFT JOIN
  (
    SELECT
      ma,bs,foo.nspname,foo.relname,
      (datawidth+(hdr+ma-(case when hdr%ma=0 THEN ma ELSE hdr%ma END)))::numeric AS datahdr,
      (maxfracsum*(nullhdr+ma-(case when nullhdr%ma=0 THEN ma ELSE nullhdr%ma END))) AS nullhdr2
    FROM (
      SELECT
        ns.nspname, tbl.relname, hdr, ma, bs,
        SUM((1-coalesce(null_frac,0))*coalesce(avg_width, 2048)) AS datawidth,
        MAX(coalesce(null_frac,0)) AS maxfracsum,
        hdr+(
          SELECT 1+count(*)/8
          FROM pg_stats s2
          WHERE null_frac<>0 AND s2.schemaname = ns.nspname AND s2.tablename = tbl.relname
        ) AS nullhdr
      FROM pg_attribute att
      JOIN pg_class tbl ON att.attrelid = tbl.oid
      JOIN pg_namespace ns ON ns.oid = tbl.relnamespace
      LEFT JOIN pg_stats s ON s.schemaname=ns.nspname
      AND s.tablename = tbl.relname
      AND s.inherited=false
      AND s.attname=att.attname,
      (
        SELECT
          (SELECT current_setting('block_size')::numeric) AS bs,
            CASE WHEN SUBSTRING(SPLIT_PART(v, ' ', 2) FROM '#"[0-9]+.[0-9]+#"%' for '#')
              IN ('8.0','8.1','8.2') THEN 27 ELSE 23 END AS hdr,
          CASE WHEN v ~ 'mingw32' OR v ~ '64-bit' THEN 8 ELSE 4 END AS ma
        FROM (SELECT version() AS v) AS foo
      ) AS constants
      WHERE att.attnum > 0 AND tbl.relkind='r'
      GROUP BY 1,2,3,4,5
    ) AS foo
  ) AS rs
  ON cc.relname = rs.relname AND nn.nspname = rs.nspname
  LEFT JOIN pg_index i ON indrelid = cc.oid
  LEFT JOIN pg_class c2 ON c2.oid = i.indexrelid
) AS sml
 WHERE sml.relpages - otta > 10 OR ipages - iotta > 15
`

// TestCheckPostgresBloatSameRows: on a real server with bloated tables and
// indexes (and the cases the arithmetic branches on: null fractions,
// dropped and "name" columns, inherited statistics, partitions, a
// materialized view, a table never analyzed, the same table name in two
// schemas), checkPostgresBloatSQL gives exactly pgmetrics' rows for every
// relation a report lists: the rows of tables, materialized views,
// partitioned and foreign tables outside pg_catalog, information_schema and
// TOAST. pgmetrics' other rows (its statement also reads catalogs, indexes
// and TOAST tables as "tables") name nothing in tables[] or indexes[].
func TestCheckPostgresBloatSameRows(t *testing.T) {
	c := pgsandbox.Get(t)
	db := c.CreateDB(t, "cpbloat")
	c.Exec(t, db, `CREATE SCHEMA s2;
		CREATE TABLE t1 (id int PRIMARY KEY, note text, qty int, maybe int);
		INSERT INTO t1 SELECT g, 'note ' || g, g % 100, CASE WHEN g % 4 = 0 THEN g END FROM generate_series(1, 40000) g;
		CREATE INDEX t1_note_idx ON t1 (note);
		CREATE INDEX t1_expr_idx ON t1 ((qty * 2));
		DELETE FROM t1 WHERE id % 3 <> 0;
		CREATE TABLE dup (id int PRIMARY KEY, payload text);
		INSERT INTO dup SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g;
		DELETE FROM dup WHERE id > 5000;
		CREATE TABLE s2.dup (id int PRIMARY KEY, payload text, gone int);
		INSERT INTO s2.dup SELECT g, repeat('y', 50), g FROM generate_series(1, 20000) g;
		ALTER TABLE s2.dup DROP COLUMN gone; -- no statistics: no estimate
		DELETE FROM s2.dup WHERE id % 2 = 0;
		CREATE TABLE s2.t1 (id int PRIMARY KEY, note text);
		INSERT INTO s2.t1 SELECT g, 'other ' || g FROM generate_series(1, 30000) g;
		DELETE FROM s2.t1 WHERE id % 2 = 0;
		CREATE TABLE named (id int, n name, w text);
		INSERT INTO named SELECT g, 'n' || g, NULL FROM generate_series(1, 20000) g;
		DELETE FROM named WHERE id > 100;
		CREATE TABLE never_analyzed (id int, v text);
		INSERT INTO never_analyzed SELECT g, 'v' || g FROM generate_series(1, 20000) g;
		CREATE TABLE parent (id int, v text);
		CREATE TABLE child (extra int) INHERITS (parent);
		INSERT INTO child SELECT g, 'c' || g, g FROM generate_series(1, 20000) g;
		DELETE FROM child WHERE id % 5 <> 0;
		CREATE TABLE parted (id int, v text) PARTITION BY RANGE (id);
		CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (15000);
		CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (15000) TO (30000);
		CREATE INDEX ON parted (id);
		INSERT INTO parted SELECT g, CASE WHEN g % 2 = 0 THEN 'p' || g END FROM generate_series(0, 29999) g;
		DELETE FROM parted WHERE id % 4 <> 0;
		-- 38 nullable columns: 76 pg_stats rows with nulls (own and
		-- inherited), where check_postgres' null-bitmap header crosses an
		-- alignment boundary (23 + 1 + 76/8 = 33 -> 40; 32 without the 1 or
		-- without the inherited rows).
		CREATE TABLE wide (id int, `+wideCols("c%d int", 38)+`);
		CREATE TABLE wide_child () INHERITS (wide);
		INSERT INTO wide SELECT g, `+wideCols("CASE WHEN g % 2 = 0 THEN g END", 38)+` FROM generate_series(1, 20000) g;
		INSERT INTO wide_child SELECT * FROM wide;
		DELETE FROM wide WHERE id % 3 = 0;
		CREATE MATERIALIZED VIEW mv AS SELECT g AS id, 'm' || g AS v FROM generate_series(1, 20000) g;
		CREATE INDEX mv_id ON mv (id);
		CREATE TABLE empty_t (id int PRIMARY KEY)`)
	c.Exec(t, db, `ANALYZE wide, wide_child, t1, dup, s2.dup, s2.t1, named, parent, child, parted, mv, empty_t`)

	conn := c.Connect(t, db)
	ctx := context.Background()
	type row struct {
		schema, table, index string
		tb, ib               int64
	}
	read := func(sql string) []row {
		t.Helper()
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		var out []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.schema, &r.table, &r.tb, &r.index, &r.ib); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(out, func(a, b row) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		return out
	}
	want := read(`SELECT o.schemaname, o.tablename, o.wastedbytes, CASE WHEN o.iname = '?' THEN '' ELSE o.iname END, o.wastedibytes
		FROM (` + pgmetricsBloatSQL + `) o
		JOIN pg_namespace n ON n.nspname = o.schemaname
		JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = o.tablename
		WHERE c.relkind IN ('r', 'm', 'p', 'f')
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'`)
	got := read(checkPostgresBloatSQL)
	if !slices.Equal(got, want) {
		t.Errorf("checkPostgresBloatSQL rows differ from pgmetrics':\n got %+v\nwant %+v", got, want)
	}
	// The scene must exercise both estimates, or the comparison proves little.
	var tbl, idx, s2, wide bool
	for _, r := range want {
		tbl = tbl || r.tb > 0
		idx = idx || r.ib > 0
		s2 = s2 || r.schema == "s2" && r.table == "t1" && r.tb > 0
		wide = wide || r.table == "wide" && r.tb > 0
	}
	if !tbl || !idx || !s2 || !wide {
		t.Errorf("scene too tame: table bloat %v, index bloat %v, s2.t1 bloated %v, wide bloated %v: %+v", tbl, idx, s2, wide, want)
	}
	t.Logf("%d rows: %+v", len(want), want)
}

// wideCols is format with %d for 1..n, joined by ", ".
func wideCols(format string, n int) string {
	cols := make([]string, n)
	for i := range cols {
		cols[i] = strings.ReplaceAll(format, "%d", strconv.Itoa(i+1))
	}
	return strings.Join(cols, ", ")
}
