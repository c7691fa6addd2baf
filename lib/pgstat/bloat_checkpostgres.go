package pgstat

// checkPostgresBloatSQL is the bloat estimate of check_postgres' "bloat"
// action (Greg Sabino Mullane, BSD 2-clause; https://bucardo.org/check_postgres/),
// which pgmetrics computes by default: what its readers know as
// tables[].bloat and indexes[].bloat (reference/pgmetrics.md §1.1). The
// arithmetic and its types are check_postgres' so that the bytes come out
// the same (numeric, real and bigint mix as there); the layout is ours.
//
// Per table (relkind 'r'): the ideal page count "otta" from reltuples and
// the average row width in pg_stats (2048 bytes for a column without
// statistics, dropped columns included, as check_postgres does), with a
// 23-byte tuple header aligned to MAXALIGN, a null bitmap weighted by the
// largest null fraction, a 4-byte line pointer and 20 bytes of page
// overhead. Per index: "iotta" = ituples * (the table's aligned row width -
// 12) / (block_size - 20), a rough figure check_postgres itself calls so.
// Wasted bytes are block_size * (pages - ideal), floored at 0.
//
// Rows: (schema, table, table wasted bytes, index name or "", index wasted
// bytes), one per index (or one with an empty name for a table without one), only
// where the table wastes more than 10 pages or the index more than 15:
// every other table and index has no estimate (-1), as in pgmetrics.
const checkPostgresBloatSQL = `
WITH k AS (
  SELECT current_setting('block_size')::numeric AS bs,
         CASE WHEN substring(split_part(version(), ' ', 2) FROM '#"[0-9]+.[0-9]+#"%' FOR '#')
                   IN ('8.0', '8.1', '8.2') THEN 27 ELSE 23 END AS hdr,
         CASE WHEN version() ~ 'mingw32' OR version() ~ '64-bit' THEN 8 ELSE 4 END AS ma
), widths AS (
  SELECT ns.nspname, tbl.relname, k.hdr, k.ma, k.bs,
         sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 2048)) AS datawidth,
         max(coalesce(s.null_frac, 0)) AS maxfracsum,
         k.hdr + (SELECT 1 + count(*) / 8 FROM pg_stats n
                   WHERE n.null_frac <> 0 AND n.schemaname = ns.nspname AND n.tablename = tbl.relname) AS nullhdr
    FROM pg_attribute att
    JOIN pg_class tbl ON att.attrelid = tbl.oid
    JOIN pg_namespace ns ON ns.oid = tbl.relnamespace
    LEFT JOIN pg_stats s ON s.schemaname = ns.nspname AND s.tablename = tbl.relname
                        AND s.inherited = false AND s.attname = att.attname
   CROSS JOIN k
   WHERE att.attnum > 0 AND tbl.relkind = 'r'
   GROUP BY 1, 2, 3, 4, 5
), rowsize AS (
  SELECT nspname, relname, ma, bs,
         (datawidth + (hdr + ma - CASE WHEN hdr % ma = 0 THEN ma ELSE hdr % ma END))::numeric AS datahdr,
         maxfracsum * (nullhdr + ma - CASE WHEN nullhdr % ma = 0 THEN ma ELSE nullhdr % ma END) AS nullhdr2
    FROM widths
), ideal AS (
  SELECT ns.nspname, cc.relname,
         coalesce(cc.relpages, 0) AS relpages,
         coalesce(r.bs, 0) AS bs,
         coalesce(ceil((cc.reltuples * ((r.datahdr + r.ma - CASE WHEN r.datahdr % r.ma = 0 THEN r.ma ELSE r.datahdr % r.ma END)
                                        + r.nullhdr2 + 4)) / (r.bs - 20::float)), 0) AS otta,
         coalesce(ci.relname, '') AS iname,
         coalesce(ci.relpages, 0) AS ipages,
         coalesce(ceil((ci.reltuples * (r.datahdr - 12)) / (r.bs - 20::float)), 0) AS iotta
    FROM pg_class cc
    JOIN pg_namespace ns ON cc.relnamespace = ns.oid AND ns.nspname <> 'information_schema'
    LEFT JOIN rowsize r ON r.relname = cc.relname AND r.nspname = ns.nspname
    LEFT JOIN pg_index x ON x.indrelid = cc.oid
    LEFT JOIN pg_class ci ON ci.oid = x.indexrelid
)
SELECT nspname, relname,
       CASE WHEN relpages < otta THEN 0 ELSE bs * (relpages - otta)::bigint END::bigint,
       iname,
       CASE WHEN ipages < iotta THEN 0 ELSE (bs * (ipages - iotta))::bigint END::bigint
  FROM ideal
 WHERE relpages - otta > 10 OR ipages - iotta > 15`
