package pgstat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Per-database sections: the current database's objects, one statement per
// section whatever the number of tables.

var tablesUnit = unit{name: "tables", scope: perDB, sized: true, run: (*collector).readTables,
	doc: "`pg_stat_user_tables`, `pg_statio_user_tables`, `pg_class`: counters, (auto)vacuum and analyze, sizes, ages, partitions, ACL"}

// readTables: sizes from pg_class.relpages unless --exact-sizes (c.exact);
// tables never vacuumed nor analyzed but written to are measured unless
// this is the lock-timeout fallback (c.measureNew).
func (c *collector) readTables(ctx context.Context, tx pgx.Tx) error {
	with, join := "", ""
	if c.fileSizes() {
		// The table, its TOAST table and the TOAST table's index: pg_table_size's files.
		with = fileSizesCTE(`SELECT c.oid, c.oid AS rel FROM pg_class c WHERE ` + userRelation("c", "'r', 'm'") + `
			UNION ALL
			SELECT c.oid, t.rel FROM pg_class c
			CROSS JOIN LATERAL (SELECT c.reltoastrelid UNION ALL
			                    SELECT x.indexrelid FROM pg_index x WHERE x.indrelid = c.reltoastrelid) t(rel)
			WHERE c.reltoastrelid <> 0 AND ` + userRelation("c", "'r', 'm'"))
		join = "LEFT JOIN fs ON fs.oid = c.oid"
	}
	t, err := rowsOf[Table](ctx, tx, with+`SELECT c.oid::bigint AS oid, current_database() AS db_name,
			s.schemaname AS schema_name, s.relname AS name,
			COALESCE(s.seq_scan, 0) AS seq_scan, COALESCE(s.seq_tup_read, 0) AS seq_tup_read,
			COALESCE(s.idx_scan, 0) AS idx_scan, COALESCE(s.idx_tup_fetch, 0) AS idx_tup_fetch,
			s.n_tup_ins, s.n_tup_upd, s.n_tup_del, s.n_tup_hot_upd, s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze,
			`+ep("s.last_vacuum")+` AS last_vacuum, `+ep("s.last_autovacuum")+` AS last_autovacuum,
			`+ep("s.last_analyze")+` AS last_analyze, `+ep("s.last_autoanalyze")+` AS last_autoanalyze,
			s.vacuum_count, s.autovacuum_count, s.analyze_count, s.autoanalyze_count,
			COALESCE(io.heap_blks_read, 0) AS heap_blks_read, COALESCE(io.heap_blks_hit, 0) AS heap_blks_hit,
			COALESCE(io.idx_blks_read, 0) AS idx_blks_read, COALESCE(io.idx_blks_hit, 0) AS idx_blks_hit,
			COALESCE(io.toast_blks_read, 0) AS toast_blks_read, COALESCE(io.toast_blks_hit, 0) AS toast_blks_hit,
			COALESCE(io.tidx_blks_read, 0) AS tidx_blks_read, COALESCE(io.tidx_blks_hit, 0) AS tidx_blks_hit,
			`+c.tableSizeSQL()+` AS size,
			c.relkind::text AS relkind, c.relpersistence::text AS relpersistence, c.relnatts,
			CASE WHEN c.relfrozenxid::text = '0' THEN 0 ELSE age(c.relfrozenxid) END AS age_relfrozenxid,
			CASE WHEN c.relminmxid::text = '0' THEN 0 ELSE mxid_age(c.relminmxid) END AS age_relminmxid,
			c.relispartition, COALESCE(ts.spcname, '') AS tablespace_name,
			COALESCE(p.relname, '') AS parent_name, COALESCE(pg_get_expr(c.relpartbound, c.oid), '') AS partition_cv,
			`+c.since(130000, "s.n_ins_since_vacuum", "0")+` AS n_ins_since_vacuum,
			`+c.since(160000, ep("s.last_seq_scan"), "0")+` AS last_seq_scan,
			`+c.since(160000, ep("s.last_idx_scan"), "0")+` AS last_idx_scan,
			COALESCE(array_to_string(c.relacl, E'\n'), '') AS acl, -- one entry a line, as pgmetrics
			`+c.since(160000, "s.n_tup_newpage_upd", "0")+` AS n_tup_newpage_upd,
			`+c.since(180000, `s.total_vacuum_time, s.total_autovacuum_time, s.total_analyze_time,
			s.total_autoanalyze_time`, "0 AS total_vacuum_time, 0 AS total_autovacuum_time, 0 AS total_analyze_time, 0 AS total_autoanalyze_time")+`
			FROM pg_stat_user_tables s
			JOIN pg_class c ON c.oid = s.relid
			LEFT JOIN pg_statio_user_tables io ON io.relid = s.relid
			LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
			LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
			LEFT JOIN pg_class p ON p.oid = i.inhparent
			LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
			`+join+`
			ORDER BY s.schemaname, s.relname`)
	for i := range t {
		t[i].Bloat = -1
	}
	c.rep.Tables = append(c.rep.Tables, t...)
	return err
}

// tableSizeSQL: measured with pg_table_size (--exact-sizes), else heap plus
// TOAST pages as of the last VACUUM/ANALYZE: no lock, no relcache build.
// Tables never vacuumed nor analyzed but written to (relpages 0) are
// measured, unless this is the lock-timeout fallback.
func (c *collector) tableSizeSQL() string {
	if c.fileSizes() {
		return "CASE WHEN c.relkind = 'p' THEN 0 ELSE COALESCE(fs.size, 0) END"
	}
	if c.exact {
		return "CASE WHEN c.relkind = 'p' THEN 0 ELSE pg_table_size(c.oid) END"
	}
	size := "(c.relpages::bigint + COALESCE(tc.relpages, 0)) * current_setting('block_size')::bigint"
	if c.measureNew {
		size = "CASE WHEN c.relkind = 'p' THEN 0 WHEN c.relpages = 0 AND s.n_tup_ins > 0 THEN pg_table_size(c.oid) ELSE " + size + " END"
	}
	return size
}

// fileSizes: with --exact-sizes and the privilege to list and stat the
// server's files (a superuser, or EXECUTE on pg_ls_dir and pg_stat_file),
// sizes are summed from the files themselves, as pg_table_size and
// pg_total_relation_size sum them, without opening every relation (a lock
// and a relcache entry each): on 10,000 tables 0.42 s of server CPU instead
// of 0.75 s for the tables, 0.31 s instead of 0.48 s for the indexes. No lock
// is taken, so no lock timeout either; a relation rewritten (VACUUM FULL,
// CLUSTER, TRUNCATE) at that moment may count its old files or none.
func (c *collector) fileSizes() bool { return c.exact && c.files }

// fileSizesCTE is a WITH list ending in fs(oid, size): for each oid, the
// bytes of the files of the relations rels lists with it as (oid, rel),
// every fork (main, _fsm, _vm, _init) and segment (.1, .2 ...), which is what
// pg_relation_size(rel, fork) stats. Each data directory is listed once
// (pg_ls_dir) and only files that exist are stat'ed: most relations have no
// free space map, visibility map or init fork, and a statement that stat'ed
// every fork of every relation cost as much as pg_table_size.
func fileSizesCTE(rels string) string {
	// A relation in the database's tablespace, not temporary and not mapped,
	// is base/<database oid>/<relfilenode>, as pg_relation_filepath gives it
	// (cheaper to build here for 30,000 relations); the others ask it.
	return `WITH paths AS MATERIALIZED (
		SELECT r.oid, CASE WHEN k.base IS NOT NULL AND c.reltablespace = 0 AND c.relpersistence <> 't' AND c.relfilenode <> 0
		                   THEN k.base || c.relfilenode ELSE pg_relation_filepath(r.rel) END AS path
		FROM (` + rels + `) r
		JOIN pg_class c ON c.oid = r.rel
		CROSS JOIN (SELECT CASE WHEN d.dattablespace = (SELECT oid FROM pg_tablespace WHERE spcname = 'pg_default')
		                        THEN 'base/' || d.oid || '/' END AS base
		            FROM pg_database d WHERE d.datname = current_database()) k
	), dirs AS (
		SELECT DISTINCT regexp_replace(path, '/[^/]*$', '') AS dir FROM paths WHERE path IS NOT NULL
	), files AS MATERIALIZED (
		-- "t3_" is a temporary relation's prefix; "_fsm", ".1" ... follow the file node.
		SELECT d.dir || '/' || f AS file,
		       d.dir || '/' || CASE WHEN f LIKE 't%' THEN substring(f FROM '^t[0-9]+_[0-9]+')
		                            ELSE split_part(split_part(f, '.', 1), '_', 1) END AS base
		FROM dirs d CROSS JOIN LATERAL pg_ls_dir(d.dir, true, false) f
	), fs AS (
		SELECT p.oid, sum((pg_stat_file(f.file, true)).size)::bigint AS size
		FROM paths p JOIN files f ON f.base = p.path GROUP BY p.oid
	)
	`
}

// userRelation is SQL true for relation alias of the kinds listed outside
// pg_catalog, information_schema and TOAST: pg_stat_user_tables' and
// pg_stat_user_indexes' filter (a TOAST table counts with its table).
func userRelation(alias, kinds string) string {
	return alias + `.relkind IN (` + kinds + `) AND ` + alias + `.relnamespace IN (SELECT oid FROM pg_namespace
		WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_toast')`
}

var indexesUnit = unit{name: "indexes", scope: perDB, sized: true, run: (*collector).readIndexes,
	doc: "`pg_stat_user_indexes`, `pg_statio_user_indexes`, `pg_index`: scans, blocks, size, unique/primary/invalid"}

func (c *collector) readIndexes(ctx context.Context, tx pgx.Tx) error {
	// Every fork, as pgmetrics measures (pg_total_relation_size): a btree
	// that VACUUM freed pages of has a free space map too.
	size, with, join := "pg_total_relation_size(s.indexrelid)", "", ""
	switch {
	case c.fileSizes():
		size, join = "COALESCE(fs.size, 0)", "LEFT JOIN fs ON fs.oid = s.indexrelid"
		with = fileSizesCTE(`SELECT c.oid, c.oid AS rel FROM pg_class c WHERE ` + userRelation("c", "'i'"))
	case !c.exact:
		size = "c.relpages::bigint * current_setting('block_size')::bigint"
	}
	x, err := rowsOf[Index](ctx, tx, with+`SELECT s.indexrelid::bigint AS oid, current_database() AS db_name,
			s.schemaname AS schema_name, s.relid::bigint AS table_oid, s.relname AS table_name, s.indexrelname AS name,
			COALESCE(s.idx_scan, 0) AS idx_scan, COALESCE(s.idx_tup_read, 0) AS idx_tup_read,
			COALESCE(s.idx_tup_fetch, 0) AS idx_tup_fetch,
			COALESCE(io.idx_blks_read, 0) AS idx_blks_read, COALESCE(io.idx_blks_hit, 0) AS idx_blks_hit,
			`+size+` AS size, c.relnatts, am.amname, COALESCE(ts.spcname, '') AS tablespace_name,
			NOT x.indisvalid AS invalid, x.indisunique, x.indisprimary,
			`+c.since(160000, ep("s.last_idx_scan"), "0")+` AS last_idx_scan
			FROM pg_stat_user_indexes s
			JOIN pg_class c ON c.oid = s.indexrelid
			JOIN pg_index x ON x.indexrelid = s.indexrelid
			JOIN pg_am am ON am.oid = c.relam
			LEFT JOIN pg_statio_user_indexes io ON io.indexrelid = s.indexrelid
			LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
			`+join+`
			ORDER BY s.schemaname, s.relname, s.indexrelname`)
	for i := range x {
		x[i].Bloat = -1
	}
	c.rep.Indexes = append(c.rep.Indexes, x...)
	return err
}

// Definitions apart: on a big catalog they are the costly part, and a
// failure here leaves the index statistics standing.
var indexDefsUnit = unit{name: "index_defs", scope: perDB, run: (*collector).readIndexDefs,
	doc: "index definitions: built from `pg_index` where plain, `pg_get_indexdef()` otherwise"}

func (c *collector) readIndexDefs(ctx context.Context, tx pgx.Tx) error {
	return c.fromSide(ctx, tx, "index_defs", c.indexDefsFetch())
}

// indexDefsFetch reads c.db's index definitions; applying them fills the
// report. It captures what it needs: it may run on the second connection.
func (c *collector) indexDefsFetch() fetchFunc {
	db, sql := c.db, c.indexDefSQL()
	return func(ctx context.Context, tx pgx.Tx) (func(), error) {
		rows, err := tx.Query(ctx, sql)
		if err != nil {
			return nil, err
		}
		defs := map[int64]string{}
		var oid int64
		var def string
		if _, err := pgx.ForEachRow(rows, []any{&oid, &def}, func() error { defs[oid] = def; return nil }); err != nil {
			return nil, err
		}
		return func() {
			for i := range c.rep.Indexes {
				if x := &c.rep.Indexes[i]; x.DBName == db {
					x.Definition = defs[x.OID]
				}
			}
		}, nil
	}
}

var sequencesUnit = unit{name: "sequences", scope: perDB, run: (*collector).readSequences, after: (*collector).addSequences,
	doc: "`pg_statio_user_sequences`, `pg_sequence`; then last values in one `DO` block (`sequence_values` in `meta.errors`)"}

func (c *collector) readSequences(ctx context.Context, tx pgx.Tx) error {
	// pg_sequence is a catalog: no lock on the sequences themselves.
	var err error
	c.dbSeqs, err = rowsOf[Sequence](ctx, tx, `SELECT io.relid::bigint AS oid, current_database() AS db_name,
			io.schemaname AS schema_name, io.relname AS name,
			COALESCE(io.blks_read, 0) AS blks_read, COALESCE(io.blks_hit, 0) AS blks_hit,
			-1::bigint AS last_value, q.seqmin AS min_value, q.seqmax AS max_value, q.seqincrement AS increment_by,
			q.seqcycle AS cycle
			FROM pg_statio_user_sequences io
			JOIN pg_sequence q ON q.seqrelid = io.relid
			ORDER BY io.schemaname, io.relname`)
	return err
}

// addSequences reads the listed sequences' values (outside the section's
// transaction: see seqDO) and adds them to the report.
func (c *collector) addSequences(ctx context.Context) {
	c.sequenceValues(ctx, c.dbSeqs)
	c.rep.Sequences = append(c.rep.Sequences, c.dbSeqs...)
}

var userFunctionsUnit = unit{name: "user_functions", scope: perDB, run: (*collector).readUserFunctions,
	doc: "`pg_stat_user_functions`"}

func (c *collector) readUserFunctions(ctx context.Context, tx pgx.Tx) error {
	f, err := rowsOf[UserFunction](ctx, tx, `SELECT funcid::bigint AS oid, schemaname AS schema_name,
			current_database() AS db_name, funcname AS name, calls, total_time, self_time
			FROM pg_stat_user_functions ORDER BY schemaname, funcname`)
	c.rep.UserFunctions = append(c.rep.UserFunctions, f...)
	return err
}

var extensionsUnit = unit{name: "extensions", scope: perDB, run: (*collector).readExtensions,
	doc: "`pg_extension` with `pg_available_extensions`"}

func (c *collector) readExtensions(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.dbExts, err = rowsOf[Extension](ctx, tx, `SELECT e.extname AS name, current_database() AS db_name,
			COALESCE(a.default_version, '') AS default_version, e.extversion AS installed_version,
			COALESCE(a.comment, '') AS comment, n.nspname AS schema_name
			FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
			LEFT JOIN pg_available_extensions a ON a.name = e.extname ORDER BY e.extname`)
	c.rep.Extensions = append(c.rep.Extensions, c.dbExts...)
	return err
}

var disabledTriggersUnit = unit{name: "disabled_triggers", scope: perDB, run: (*collector).readDisabledTriggers,
	doc: "`pg_trigger`: user triggers that are disabled"}

func (c *collector) readDisabledTriggers(ctx context.Context, tx pgx.Tx) error {
	t, err := rowsOf[Trigger](ctx, tx, `SELECT t.oid::bigint AS oid, current_database() AS db_name,
			n.nspname AS schema_name, c.relname AS table_name, t.tgname AS name, p.proname AS proc_name
			FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			JOIN pg_proc p ON p.oid = t.tgfoid
			WHERE t.tgenabled = 'D' AND NOT t.tgisinternal ORDER BY 3, 4, 5`)
	c.rep.DisabledTriggers = append(c.rep.DisabledTriggers, t...)
	return err
}

var publicationsUnit = unit{name: "publications", scope: perDB, run: (*collector).readPublications,
	doc: "`pg_publication` with table counts"}

func (c *collector) readPublications(ctx context.Context, tx pgx.Tx) error {
	p, err := rowsOf[Publication](ctx, tx, `SELECT p.oid::bigint AS oid, p.pubname AS name,
			current_database() AS db_name, p.puballtables AS all_tables, p.pubinsert AS insert,
			p.pubupdate AS update, p.pubdelete AS delete,
			(SELECT count(*) FROM pg_publication_tables pt WHERE pt.pubname = p.pubname) AS table_count
			FROM pg_publication p ORDER BY p.pubname`)
	c.rep.Publications = append(c.rep.Publications, p...)
	return err
}

var subscriptionsUnit = unit{name: "subscriptions", scope: perDB, run: (*collector).readSubscriptions,
	doc: "`pg_subscription`, `pg_stat_subscription` (error counts from `pg_stat_subscription_stats`, 15+)"}

func (c *collector) readSubscriptions(ctx context.Context, tx pgx.Tx) error {
	errCols := "0 AS apply_error_count, 0 AS sync_error_count"
	errJoin := ""
	if c.ver >= 150000 {
		errCols = "COALESCE(ss.apply_error_count, 0) AS apply_error_count, COALESCE(ss.sync_error_count, 0) AS sync_error_count"
		errJoin = "LEFT JOIN pg_stat_subscription_stats ss ON ss.subid = su.oid"
	}
	// PostgreSQL 18's conflict counters, as pgmetrics (schema 1.20).
	for _, k := range []string{"insert_exists", "update_origin_differs", "update_exists", "update_missing", "delete_origin_differs", "delete_missing", "multiple_unique_conflicts"} {
		if c.ver >= 180000 {
			errCols += ", COALESCE(ss.confl_" + k + ", 0) AS confl_" + k
		} else {
			errCols += ", 0 AS confl_" + k
		}
	}
	s, err := rowsOf[Subscription](ctx, tx, `SELECT su.oid::bigint AS oid, su.subname AS name,
			current_database() AS db_name, su.subenabled AS enabled, cardinality(su.subpublications) AS pub_count,
			(SELECT count(*) FROM pg_subscription_rel sr WHERE sr.srsubid = su.oid) AS table_count,
			(SELECT count(*) FROM pg_stat_subscription w WHERE w.subid = su.oid AND w.pid IS NOT NULL) AS worker_count,
			COALESCE(st.received_lsn::text, '') AS received_lsn, COALESCE(st.latest_end_lsn::text, '') AS latest_end_lsn,
			`+ep("st.last_msg_send_time")+` AS last_msg_send_time, `+ep("st.last_msg_receipt_time")+` AS last_msg_receipt_time,
			`+ep("st.latest_end_time")+` AS latest_end_time,
			COALESCE((EXTRACT(EPOCH FROM (st.last_msg_receipt_time - st.last_msg_send_time)) * 1000000)::bigint, 0) AS latency_micros,
			`+errCols+`
			FROM pg_subscription su
			LEFT JOIN pg_stat_subscription st ON st.subid = su.oid AND st.relid IS NULL
			`+errJoin+`
			WHERE su.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
			ORDER BY su.subname`)
	c.rep.Subscriptions = append(c.rep.Subscriptions, s...)
	return err
}

// pg_stat_statements is cluster-wide: read once, from the first database
// where the extension is installed.
var statementsUnit = unit{name: "statements", scope: perDB, once: true, run: (*collector).readStatements,
	when:      func(c *collector) bool { _, ok := c.pssExtension(); return ok },
	condition: "`pg_stat_statements` installed; once per run",
	doc:       "`pg_stat_statements`: top `--statements-limit` by total time, columns by the extension's version"}

func (c *collector) pssExtension() (Extension, bool) {
	for _, e := range c.dbExts {
		if e.Name == "pg_stat_statements" {
			return e, true
		}
	}
	return Extension{}, false
}

func (c *collector) readStatements(ctx context.Context, tx pgx.Tx) error {
	e, _ := c.pssExtension()
	return c.statements(ctx, tx, e)
}

var bloatUnit = unit{name: "bloat", scope: perDB, run: (*collector).bloat,
	when:      func(c *collector) bool { return c.o.Bloat },
	condition: "`--bloat` (always with `-f text`)",
	doc:       "table and btree index bloat estimates from `pg_stats`, one statement"}

// lockFallback runs a section that may need relation locks (sizes measured
// with pg_table_size): c.exact and c.measureNew allow them. If a lock is
// held elsewhere and lock_timeout fires (55P03), or the statement timeout
// fires while measuring (57014: a slow pg_table_size over many relations),
// it runs again without them, sizes estimated from relpages, and lists the
// gap: a locked or slow table costs precision, not the section's rows.
func (c *collector) lockFallback(ctx context.Context, name string, fn func(ctx context.Context, tx pgx.Tx) error) {
	defer func() { c.exact, c.measureNew = false, false }()
	before := len(c.rep.Meta.Errors)
	c.exact, c.measureNew = c.o.ExactSizes, true
	c.section(ctx, name, true, fn)
	if len(c.rep.Meta.Errors) == before+1 && c.measuredTooLong(ctx, c.rep.Meta.Errors[before].Code) {
		failed := c.rep.Meta.Errors[before]
		c.rep.Meta.Errors = c.rep.Meta.Errors[:before]
		c.exact, c.measureNew = false, false
		c.section(ctx, name, true, fn)
		if len(c.rep.Meta.Errors) == before {
			c.gap("%s@%s: %s; sizes estimated from pg_class.relpages", name, c.db, failed.Error)
		}
	}
}

// measuredTooLong says whether a section that measured relations failed for
// the measuring (a lock or a statement timeout) rather than for the run
// being cancelled or the server going away: only then is a re-run without
// measuring worth its time.
func (c *collector) measuredTooLong(ctx context.Context, code string) bool {
	if ctx.Err() != nil {
		return false
	}
	return code == "55P03" || (code == "57014" && c.exact)
}

// seqChunk bounds the sequences read per transaction: pg_sequence_last_value
// locks each sequence until the end of the top-level transaction (the lock
// belongs to the top transaction's resource owner, so even an aborted
// subtransaction keeps it), and 10,000 in one transaction exhaust the shared
// lock table (64 x max_connections entries by default, shared by every session).
const seqChunk = 1000

// seqDO reads last_value for every sequence in one statement: a DO block
// that commits after each seqChunk sequences, which releases their locks
// (transaction control in DO, PostgreSQL 11+; allowed read-only and on a hot
// standby). A chunk that fails (a lock timeout) is caught and listed; the
// rest go on. statement_timeout bounds the whole block. The results are
// handed out through session settings, read by the statement after, and
// start with a nonce: behind a pooler in transaction mode that statement may
// run on another server session, whose settings are someone else's.
func seqDO(nonce string) string {
	return fmt.Sprintf(`DO $pgreport$
DECLARE
	oids oid[];
	part text;
	vals text := '';
	errs text := '';
BEGIN
	-- No privilege filter here: the planner may call it on non-sequences
	-- before the view's relkind filter (an error); it is applied per chunk.
	SELECT array_agg(relid ORDER BY relid) INTO oids FROM pg_statio_user_sequences;
	FOR lo IN 1..COALESCE(cardinality(oids), 0) BY %d LOOP
		BEGIN
			SELECT string_agg(o::text || ' ' || COALESCE(pg_sequence_last_value(o), -1)::text, ',') INTO part
				FROM unnest(oids[lo:lo + %d]) o WHERE has_sequence_privilege(o, 'SELECT,USAGE');
			IF part <> '' THEN
				vals := vals || CASE WHEN vals = '' THEN '' ELSE ',' END || part;
			END IF;
		EXCEPTION WHEN OTHERS THEN
			errs := errs || SQLSTATE || ' ' || replace(SQLERRM, E'\n', ' ') || E'\n';
		END;
		COMMIT;
	END LOOP;
	PERFORM set_config('pgreport.seq_values', '%s;' || vals, false),
		set_config('pgreport.seq_errors', errs, false);
END
$pgreport$`, seqChunk, seqChunk-1, nonce)
}

// sequenceValues reads last_value with a constant number of statements
// (seqDO and one SELECT). Where DO cannot run (plpgsql dropped, or USAGE on it
// revoked), it falls back to seqChunk
// sequences per autocommit statement; the DO's failure is listed only if
// the fallback fails too.
func (c *collector) sequenceValues(ctx context.Context, seqs []Sequence) {
	if len(seqs) == 0 {
		return
	}
	if ran, err := c.waitSide(ctx, "sequence_values"); ran {
		if err != nil {
			c.fail("sequence_values", c.db, err)
		}
		return
	}
	if c.conn == nil || c.conn.IsClosed() {
		if err := c.reconnect(ctx, c.db); err != nil {
			c.fail("sequence_values", c.db, err)
			return
		}
	}
	vals, errs, err := sequenceValuesDO(ctx, c.conn)
	if err == nil {
		c.applySeqValues(c.db, seqs, vals, errs)
		return
	}
	if ctx.Err() != nil {
		c.fail("sequence_values", c.db, err)
		return
	}
	c.o.Logger.Debug("sequence values: DO block refused, reading in chunks", "db", c.db, "err", err)
	before := len(c.rep.Meta.Errors)
	c.sequenceValuesChunked(ctx, seqs)
	if len(c.rep.Meta.Errors) > before {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			cp := *pe
			cp.Message = "DO block: " + pe.Message
			err = &cp
		} else {
			err = fmt.Errorf("DO block: %w", err)
		}
		c.fail("sequence_values", c.db, err)
	}
}

func (c *collector) applySeqValues(db string, seqs []Sequence, vals map[int64]int64, errs []error) {
	setSeqValues(seqs, vals)
	for _, e := range errs {
		c.fail("sequence_values", db, e)
	}
}

// sequenceValuesSide is the sequence values' job on the second connection:
// the DO block; if it is refused, sequenceValues runs again on the first
// connection, with its fallback. Reading a value reads the sequence's block,
// which its blks_hit counts, and this may run before the section reads the
// counters: so the job reads the counters first and they replace the
// section's. The report's counters then never include pgreport's own read,
// as pgmetrics' (one connection, counters first) never do.
func (c *collector) sequenceValuesSide() sideRun {
	db := c.db
	return func(ctx context.Context, conn *pgx.Conn) (func(), error) {
		ctrs, err := rowsOf[seqCounters](ctx, conn, `SELECT relid::bigint AS oid,
			COALESCE(blks_read, 0) AS blks_read, COALESCE(blks_hit, 0) AS blks_hit
			FROM pg_statio_user_sequences`)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errRunAgain, err)
		}
		vals, errs, err := sequenceValuesDO(ctx, conn)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errRunAgain, err)
		}
		return func() {
			setSeqCounters(c.dbSeqs, ctrs)
			c.applySeqValues(db, c.dbSeqs, vals, errs)
		}, nil
	}
}

// seqCounters are a sequence's pg_statio_user_sequences counters.
type seqCounters struct {
	OID      int64 `db:"oid"`
	BlksRead int64 `db:"blks_read"`
	BlksHit  int64 `db:"blks_hit"`
}

func setSeqCounters(seqs []Sequence, ctrs []seqCounters) {
	byOID := make(map[int64]seqCounters, len(ctrs))
	for _, x := range ctrs {
		byOID[x.OID] = x
	}
	for i := range seqs {
		if x, ok := byOID[seqs[i].OID]; ok {
			seqs[i].BlksRead, seqs[i].BlksHit = x.BlksRead, x.BlksHit
		}
	}
}

// sequenceValuesDO runs seqDO on conn; errs are the chunks that failed inside it.
func sequenceValuesDO(ctx context.Context, conn *pgx.Conn) (vals map[int64]int64, errs []error, err error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, seqDO(nonce)); err != nil {
		return nil, nil, err
	}
	var v, e string
	if err := conn.QueryRow(ctx, `SELECT COALESCE(current_setting('pgreport.seq_values', true), ''),
		COALESCE(current_setting('pgreport.seq_errors', true), '')`).Scan(&v, &e); err != nil {
		return nil, nil, err
	}
	v, ok := strings.CutPrefix(v, nonce+";")
	if !ok {
		return nil, nil, errors.New("sequence values: the session setting read back is not this run's (a pooler in transaction mode?)")
	}
	vals, err = parseSeqValues(v)
	if err != nil {
		return nil, nil, err
	}
	for _, line := range strings.Split(strings.TrimSpace(e), "\n") {
		if code, msg, ok := strings.Cut(line, " "); ok {
			errs = append(errs, &pgconn.PgError{Severity: "ERROR", Code: code, Message: msg})
		}
	}
	return vals, errs, nil
}

// parseSeqValues parses seqDO's "oid value,oid value".
func parseSeqValues(s string) (map[int64]int64, error) {
	vals := make(map[int64]int64, strings.Count(s, ",")+1)
	if s == "" {
		return vals, nil
	}
	for _, item := range strings.Split(s, ",") {
		o, v, ok := strings.Cut(item, " ")
		oid, err1 := strconv.ParseInt(o, 10, 64)
		val, err2 := strconv.ParseInt(v, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("sequence values: unexpected item %q", item)
		}
		vals[oid] = val
	}
	return vals, nil
}

func setSeqValues(seqs []Sequence, vals map[int64]int64) {
	for i := range seqs {
		if v, ok := vals[seqs[i].OID]; ok {
			seqs[i].LastValue = v
			seqs[i].UsedPct = usedPct(seqs[i])
		}
	}
}

// sequenceValuesChunked reads last_value, seqChunk sequences per statement,
// each statement its own (autocommit, read-only) transaction so that its
// locks go at once: one statement per 1,000 sequences.
func (c *collector) sequenceValuesChunked(ctx context.Context, seqs []Sequence) {
	for lo := 0; lo < len(seqs); lo += seqChunk {
		chunk := seqs[lo:min(lo+seqChunk, len(seqs))]
		oids := make([]int64, len(chunk))
		for i, s := range chunk {
			oids[i] = s.OID
		}
		c.autocommit(ctx, "sequence_values", func(ctx context.Context, conn *pgx.Conn) error {
			rows, err := conn.Query(ctx, `SELECT o::bigint, COALESCE(pg_sequence_last_value(o), -1)
				FROM unnest($1::oid[]) o WHERE has_sequence_privilege(o, 'SELECT,USAGE')`, oids)
			if err != nil {
				return err
			}
			vals := map[int64]int64{}
			var oid, v int64
			if _, err := pgx.ForEachRow(rows, []any{&oid, &v}, func() error { vals[oid] = v; return nil }); err != nil {
				return err
			}
			setSeqValues(chunk, vals)
			return nil
		})
	}
}

// usedPct is how much of its range a sequence has used, in percent.
func usedPct(s Sequence) float64 {
	if s.LastValue < 0 && s.MinValue >= 0 || s.MaxValue == s.MinValue {
		return 0
	}
	span := float64(s.MaxValue) - float64(s.MinValue)
	if s.IncrementBy > 0 {
		return 100 * (float64(s.LastValue) - float64(s.MinValue)) / span
	}
	return 100 * (float64(s.MaxValue) - float64(s.LastValue)) / span
}

// indexDefSQL builds simple index definitions (plain columns, default
// operator classes and collations, no options) from the catalogs, exactly as
// pg_get_indexdef prints them, and calls pg_get_indexdef for the rest: it is
// slow on a cold cache (about 0.1 ms an index).
func (c *collector) indexDefSQL() string {
	nnd := ""
	if c.ver >= 150000 {
		nnd = "AND NOT x.indnullsnotdistinct"
	}
	// Set-based (one pass over the key columns, hash-joined to pg_attribute
	// and pg_opclass) rather than subqueries per index: 2x faster on 30,000 indexes.
	return `WITH x AS (
		SELECT x.* FROM pg_index x
		JOIN pg_class tc ON tc.oid = x.indrelid JOIN pg_namespace n ON n.oid = tc.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
	), k AS (
		SELECT x.indexrelid, string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord) AS cols,
		       bool_and(k.attnum <> 0 AND o.opcdefault AND (k.coll = 0 OR k.coll = a.attcollation) AND k.opt = 0) AS plain
		FROM x CROSS JOIN LATERAL unnest(x.indkey::int2[], x.indcollation::oid[], x.indclass::oid[], x.indoption::int2[])
		     WITH ORDINALITY k(attnum, coll, opc, opt, ord)
		LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
		LEFT JOIN pg_opclass o ON o.oid = k.opc
		GROUP BY x.indexrelid
	)
	SELECT x.indexrelid::bigint,
		CASE WHEN k.plain AND x.indexprs IS NULL AND x.indpred IS NULL AND x.indnkeyatts = x.indnatts
		      AND ic.reloptions IS NULL AND tc.relkind <> 'p' ` + nnd + `
		THEN 'CREATE ' || CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname)
		     || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(tc.relname) || ' USING ' || quote_ident(am.amname)
		     || ' (' || k.cols || ')'
		ELSE pg_get_indexdef(x.indexrelid) END
	FROM x JOIN k ON k.indexrelid = x.indexrelid
	JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_class tc ON tc.oid = x.indrelid
	JOIN pg_namespace n ON n.oid = tc.relnamespace JOIN pg_am am ON am.oid = ic.relam`
}

// pssMinor is the minor of an extension version "1.10" -> 10.
func pssMinor(v string) int {
	_, m, _ := strings.Cut(v, ".")
	n, _ := strconv.Atoi(m)
	return n
}

// statements reads pg_stat_statements (cluster-wide) once, choosing
// columns by the extension's version, as pgmetrics does.
func (c *collector) statements(ctx context.Context, tx pgx.Tx, e Extension) error {
	v := pssMinor(e.InstalledVersion)
	pick := func(min int, expr, alt string) string {
		if v >= min {
			return expr
		}
		return alt
	}
	exec := pick(8, "_exec_time", "_time")
	cols := `s.userid::bigint AS useroid, COALESCE(r.rolname, '') AS "user", s.dbid::bigint AS db_oid,
		COALESCE(d.datname, '') AS db_name, COALESCE(s.queryid, 0) AS queryid, LEFT(COALESCE(s.query, ''), $1) AS query,
		s.calls, s.total` + exec + ` AS total_time, s.min` + exec + ` AS min_time, s.max` + exec + ` AS max_time,
		s.stddev` + exec + ` AS stddev_time, s.rows, s.shared_blks_hit, s.shared_blks_read, s.shared_blks_dirtied,
		s.shared_blks_written, s.local_blks_hit, s.local_blks_read, s.local_blks_dirtied, s.local_blks_written,
		s.temp_blks_read, s.temp_blks_written,
		` + pick(11, "s.shared_blk_read_time", "s.blk_read_time") + ` AS blk_read_time,
		` + pick(11, "s.shared_blk_write_time", "s.blk_write_time") + ` AS blk_write_time,
		` + pick(8, "s.plans", "0") + ` AS plans, ` + pick(8, "s.total_plan_time", "0") + ` AS total_plan_time,
		` + pick(8, "s.min_plan_time", "0") + ` AS min_plan_time, ` + pick(8, "s.max_plan_time", "0") + ` AS max_plan_time,
		` + pick(8, "s.stddev_plan_time", "0") + ` AS stddev_plan_time,
		` + pick(8, "s.wal_records", "0") + ` AS wal_records, ` + pick(8, "s.wal_fpi", "0") + ` AS wal_fpi,
		` + pick(8, "s.wal_bytes::bigint", "0") + ` AS wal_bytes, ` + pick(9, "s.toplevel", "true") + ` AS toplevel`
	if v >= 10 {
		cols += `, s.temp_blk_read_time, s.temp_blk_write_time, s.jit_functions, s.jit_generation_time,
		s.jit_inlining_count, s.jit_inlining_time, s.jit_optimization_count, s.jit_optimization_time,
		s.jit_emission_count, s.jit_emission_time`
	}
	if v >= 11 {
		cols += `, s.local_blk_read_time, s.local_blk_write_time, s.jit_deform_count, s.jit_deform_time,
		` + ep("s.stats_since") + ` AS stats_since, ` + ep("s.minmax_stats_since") + ` AS minmax_stats_since`
	}
	if v >= 12 {
		cols += `, s.wal_buffers_full, s.parallel_workers_to_launch, s.parallel_workers_launched`
	}
	schema := pgx.Identifier{e.SchemaName}.Sanitize()
	st, err := rowsOf[Statement](ctx, tx, `SELECT `+cols+` FROM `+schema+`.pg_stat_statements s
		LEFT JOIN pg_roles r ON r.oid = s.userid LEFT JOIN pg_database d ON d.oid = s.dbid
		ORDER BY s.total`+exec+` DESC LIMIT $2`, c.o.SQLLength, c.o.StatementsLimit)
	for i := range st {
		st[i].QueryIDStr = strconv.FormatInt(st[i].QueryID, 10)
	}
	c.rep.Statements = st
	return err
}
