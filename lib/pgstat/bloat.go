package pgstat

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// bloatSQL estimates wasted bytes per table from pg_stats average widths and
// null fractions (the widely used ioguix estimate): one statement per
// database. Index bloat is not estimated (left at -1).
const bloatSQL = `
SELECT tblid::bigint,
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
) s3`

// bloat fills Table.Bloat for the current database's tables.
func (c *collector) bloat(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, bloatSQL)
	if err != nil {
		return err
	}
	est := map[int64]int64{}
	var oid, b int64
	if _, err := pgx.ForEachRow(rows, []any{&oid, &b}, func() error { est[oid] = b; return nil }); err != nil {
		return err
	}
	for i := range c.rep.Tables {
		t := &c.rep.Tables[i]
		if t.DBName != c.db {
			continue
		}
		if v, ok := est[t.OID]; ok {
			t.Bloat = v
		}
	}
	return nil
}
