package pgstat

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// bloatSQL estimates wasted bytes per table and per btree index from
// pg_stats average widths and null fractions (the widely used ioguix /
// pgexperts estimates), in one statement per database so that the statement
// count stays flat: rows are ('t', table oid, bytes) and ('i', index oid,
// bytes); -1 where it cannot be estimated (missing statistics, "name" columns
// whose pg_stats width is wrong, reltuples unknown).
//
// Index part: the ideal btree is 1 metapage plus
// ceil(reltuples / tuples-per-leaf-page), where a leaf page holds
// (block_size - 24 header - 16 btree special) * fillfactor (default 90)
// bytes of 4-byte line pointers and index tuples (8-byte IndexTupleData,
// 16 with a null bitmap, plus the key data, maxaligned). Bloat is
// (relpages - ideal) * block_size, floored at 0. Inner pages are ignored (a
// small underestimate of the ideal, so a little bloat shows on a fresh index),
// and on PostgreSQL 13+ deduplicated non-unique indexes can be smaller than the
// ideal, which floors at 0: the estimate errs towards reporting less bloat.
// Expression columns take their statistics from the index's own pg_stats rows
// (tablename = the index), as ANALYZE stores them. The widths are looked up
// per index with rows (a LATERAL join on pg_attribute's and pg_statistic's
// indexes) rather than by hashing all of pg_attribute: on 10,000 mostly empty
// tables that took the index part from 1.0 s to 0.3 s.
const bloatSQL = `
SELECT 't', tblid::bigint,
       CASE WHEN tblpages > 0 AND NOT is_na THEN GREATEST(0, (tblpages - est_tblpages_ff) * bs)::bigint ELSE -1 END
FROM (
  SELECT ceil(reltuples / ((bs - page_hdr) * fillfactor / (tpl_size * 100))) + ceil(toasttuples / 4) AS est_tblpages_ff,
         tblpages, bs, tblid, is_na
  FROM (
    SELECT (4 + tpl_hdr_size + tpl_data_size + (2 * ma)
            - CASE WHEN tpl_hdr_size % ma = 0 THEN ma ELSE tpl_hdr_size % ma END
            - CASE WHEN ceil(tpl_data_size)::int % ma = 0 THEN ma ELSE ceil(tpl_data_size)::int % ma END
           ) AS tpl_size,
           (heappages + toastpages) AS tblpages, reltuples, toasttuples, bs, page_hdr, tblid, fillfactor, is_na
    FROM (
      SELECT tbl.oid AS tblid, tbl.reltuples, tbl.relpages AS heappages,
             COALESCE(toast.relpages, 0) AS toastpages, COALESCE(toast.reltuples, 0) AS toasttuples,
             COALESCE(substring(array_to_string(tbl.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::smallint, 100) AS fillfactor,
             current_setting('block_size')::numeric AS bs, 8 AS ma, 24 AS page_hdr,
             23 + CASE WHEN MAX(COALESCE(s.null_frac, 0)) > 0 THEN (7 + count(s.attname)) / 8 ELSE 0::int END AS tpl_hdr_size,
             sum((1 - COALESCE(s.null_frac, 0)) * COALESCE(s.avg_width, 0)) AS tpl_data_size,
             bool_or(att.atttypid = 'pg_catalog.name'::regtype) OR count(att.attname) <> count(s.attname) AS is_na
      FROM pg_attribute att
      JOIN pg_class tbl ON att.attrelid = tbl.oid
      JOIN pg_namespace ns ON ns.oid = tbl.relnamespace
      LEFT JOIN pg_stats s ON s.schemaname = ns.nspname AND s.tablename = tbl.relname
                          AND s.inherited = false AND s.attname = att.attname
      LEFT JOIN pg_class toast ON tbl.reltoastrelid = toast.oid
      WHERE att.attnum > 0 AND NOT att.attisdropped AND tbl.relkind IN ('r', 'm')
        AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname !~ '^pg_toast'
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    ) s
  ) s2
) s3
UNION ALL
SELECT 'i', ix.idxoid::bigint,
       CASE WHEN ix.reltuples < 0 OR (ix.reltuples > 0 AND w.is_na IS DISTINCT FROM false) THEN -1
            ELSE GREATEST(0, (ix.relpages - CASE WHEN ix.reltuples = 0 THEN 1 ELSE
                 1 + ceil(ix.reltuples / GREATEST(1, floor((ix.bs - 24 - 16) * ix.fillfactor / (100 * (4 + w.tup_size))))) END) * ix.bs)::bigint
       END
FROM (
  SELECT ci.oid AS idxoid, ci.relname AS idxname, ci.relpages, ci.reltuples, ns.nspname,
         ct.oid AS tbloid, ct.relname AS tblname, x.indkey, x.indnatts,
         current_setting('block_size')::numeric AS bs,
         COALESCE(substring(array_to_string(ci.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::smallint, 90) AS fillfactor
  FROM pg_index x
  JOIN pg_class ci ON ci.oid = x.indexrelid
  JOIN pg_class ct ON ct.oid = x.indrelid
  JOIN pg_namespace ns ON ns.oid = ci.relnamespace
  WHERE ci.relam = (SELECT oid FROM pg_am WHERE amname = 'btree') AND ci.relpages > 0
    AND ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname !~ '^pg_toast'
) ix
LEFT JOIN LATERAL (
  SELECT CASE WHEN max(COALESCE(s.null_frac, 0)) > 0 THEN 16 ELSE 8 END
         + ceil(sum((1 - COALESCE(s.null_frac, 0)) * COALESCE(s.avg_width, 0)) / 8) * 8 AS tup_size,
         count(s.attname) <> count(*) OR bool_or(a.atttypid = 'pg_catalog.name'::regtype) AS is_na
  -- Widths only where there are rows: an empty index needs none (and its
  -- table has no statistics), which skips most of a big, mostly empty catalog.
  FROM generate_series(0, ix.indnatts - 1) AS p(n)
  -- int2vector subscripts start at 0; a 0 key is an expression, whose
  -- attribute and statistics are the index's own (attnum = position + 1).
  JOIN pg_attribute a ON a.attrelid = CASE WHEN ix.indkey[p.n] = 0 THEN ix.idxoid ELSE ix.tbloid END
                     AND a.attnum = CASE WHEN ix.indkey[p.n] = 0 THEN p.n + 1 ELSE ix.indkey[p.n] END
  LEFT JOIN pg_stats s ON s.schemaname = ix.nspname AND s.attname = a.attname AND s.inherited = false
                      AND s.tablename = CASE WHEN ix.indkey[p.n] = 0 THEN ix.idxname ELSE ix.tblname END
  WHERE ix.reltuples > 0
) w ON true`

// bloat fills Table.Bloat and Index.Bloat for the current database's
// tables and indexes, from what the second connection read if it did.
func (c *collector) bloat(ctx context.Context, tx pgx.Tx) error {
	return c.fromSide(ctx, tx, "bloat", c.bloatFetch())
}

// bloatFetch reads the estimates for c.db; applying them fills the report.
// It captures what it needs: it may run on the second connection.
func (c *collector) bloatFetch() fetchFunc {
	db, pgmetrics := c.db, c.o.PgmetricsBloat
	return func(ctx context.Context, tx pgx.Tx) (func(), error) {
		if pgmetrics {
			tbl, idx, err := readCheckPostgresBloat(ctx, tx)
			return func() { c.applyCheckPostgresBloat(db, tbl, idx) }, err
		}
		est, idx, err := readBloat(ctx, tx)
		return func() { c.applyBloat(db, est, idx) }, err
	}
}

// readBloat runs bloatSQL: bytes by table oid and by index oid.
func readBloat(ctx context.Context, tx pgx.Tx) (est, idx map[int64]int64, err error) {
	rows, err := tx.Query(ctx, bloatSQL)
	if err != nil {
		return nil, nil, err
	}
	est, idx = map[int64]int64{}, map[int64]int64{}
	var kind string
	var oid, b int64
	_, err = pgx.ForEachRow(rows, []any{&kind, &oid, &b}, func() error {
		if kind == "i" {
			idx[oid] = b
		} else {
			est[oid] = b
		}
		return nil
	})
	return est, idx, err
}

func (c *collector) applyBloat(db string, est, idx map[int64]int64) {
	for i := range c.rep.Indexes {
		x := &c.rep.Indexes[i]
		if x.DBName != db {
			continue
		}
		if v, ok := idx[x.OID]; ok {
			x.Bloat = v
		}
	}
	for i := range c.rep.Tables {
		t := &c.rep.Tables[i]
		if t.DBName != db {
			continue
		}
		if v, ok := est[t.OID]; ok {
			t.Bloat = v
		}
	}
}

// readCheckPostgresBloat runs checkPostgresBloatSQL, as pgmetrics reads it:
// a table takes its first row's figure, an index its own; the rest stay -1.
func readCheckPostgresBloat(ctx context.Context, tx pgx.Tx) (tbl, idx map[[2]string]int64, err error) {
	rows, err := tx.Query(ctx, checkPostgresBloatSQL)
	if err != nil {
		return nil, nil, err
	}
	tbl, idx = map[[2]string]int64{}, map[[2]string]int64{}
	var schema, table, index string
	var tb, ib int64
	_, err = pgx.ForEachRow(rows, []any{&schema, &table, &tb, &index, &ib}, func() error {
		if _, ok := tbl[[2]string{schema, table}]; !ok {
			tbl[[2]string{schema, table}] = tb
		}
		if index != "" {
			idx[[2]string{schema, index}] = ib
		}
		return nil
	})
	return tbl, idx, err
}

func (c *collector) applyCheckPostgresBloat(db string, tbl, idx map[[2]string]int64) {
	for i := range c.rep.Tables {
		t := &c.rep.Tables[i]
		if v, ok := tbl[[2]string{t.SchemaName, t.Name}]; ok && t.DBName == db {
			t.Bloat = v
		}
	}
	for i := range c.rep.Indexes {
		x := &c.rep.Indexes[i]
		if v, ok := idx[[2]string{x.SchemaName, x.Name}]; ok && x.DBName == db {
			x.Bloat = v
		}
	}
}
