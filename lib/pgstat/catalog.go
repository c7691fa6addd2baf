package pgstat

import (
	"context"
	"sort"

	"github.com/jackc/pgx/v5"
)

// Cluster-wide catalog sections: roles, databases, tablespaces, and the
// list of databases --all-dbs reports on.

var rolesUnit = unit{name: "roles", scope: clusterWide, run: (*collector).readRoles,
	doc: "`pg_roles` with memberships"}

func (c *collector) readRoles(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.Roles, err = rowsOf[Role](ctx, tx, `SELECT r.oid::bigint AS oid, rolname AS name, rolsuper, rolinherit,
			rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit,
			`+ep("rolvaliduntil")+` AS rolvaliduntil,
			COALESCE(ARRAY(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON m.roleid = b.oid
			               WHERE m.member = r.oid ORDER BY 1), '{}') AS memberof
			FROM pg_roles r ORDER BY r.oid`)
	return err
}

var databasesUnit = unit{name: "databases", scope: clusterWide, run: (*collector).readDatabases,
	doc: "`pg_database` and `pg_stat_database` (sessions 14+, parallel workers 18+), sizes, XID and multixact ages, conflicts by type"}

func (c *collector) readDatabases(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.Databases, err = rowsOf[Database](ctx, tx, `SELECT d.oid::bigint AS oid, d.datname AS name,
			d.datdba::bigint AS datdba, d.dattablespace::bigint AS dattablespace, d.datconnlimit,
			age(d.datfrozenxid) AS age_datfrozenxid, mxid_age(d.datminmxid) AS age_datminmxid,
			d.datallowconn, d.datistemplate,
			COALESCE(s.numbackends, 0) AS numbackends, COALESCE(s.xact_commit, 0) AS xact_commit,
			COALESCE(s.xact_rollback, 0) AS xact_rollback, COALESCE(s.blks_read, 0) AS blks_read,
			COALESCE(s.blks_hit, 0) AS blks_hit, COALESCE(s.tup_returned, 0) AS tup_returned,
			COALESCE(s.tup_fetched, 0) AS tup_fetched, COALESCE(s.tup_inserted, 0) AS tup_inserted,
			COALESCE(s.tup_updated, 0) AS tup_updated, COALESCE(s.tup_deleted, 0) AS tup_deleted,
			COALESCE(s.conflicts, 0) AS conflicts, COALESCE(s.temp_files, 0) AS temp_files,
			COALESCE(s.temp_bytes, 0) AS temp_bytes, COALESCE(s.deadlocks, 0) AS deadlocks,
			COALESCE(s.blk_read_time, 0) AS blk_read_time, COALESCE(s.blk_write_time, 0) AS blk_write_time,
			`+ep("s.stats_reset")+` AS stats_reset,
			CASE WHEN has_database_privilege(d.oid, 'CONNECT') OR pg_has_role('pg_read_all_stats', 'USAGE')
			     THEN pg_database_size(d.oid) ELSE -1 END AS size,
			COALESCE(s.checksum_failures, 0) AS checksum_failures, `+ep("s.checksum_last_failure")+` AS checksum_last_failure
			`+c.since(140000, `, COALESCE(s.session_time, 0) AS session_time, COALESCE(s.active_time, 0) AS active_time,
			COALESCE(s.idle_in_transaction_time, 0) AS idle_in_transaction_time, COALESCE(s.sessions, 0) AS sessions,
			COALESCE(s.sessions_abandoned, 0) AS sessions_abandoned, COALESCE(s.sessions_fatal, 0) AS sessions_fatal,
			COALESCE(s.sessions_killed, 0) AS sessions_killed`, "")+`
			`+c.since(180000, `, COALESCE(s.parallel_workers_to_launch, 0) AS parallel_workers_to_launch,
			COALESCE(s.parallel_workers_launched, 0) AS parallel_workers_launched`, "")+`,
			CASE WHEN COALESCE(s.conflicts, 0) > 0 THEN (SELECT jsonb_strip_nulls(to_jsonb(x) - 'datid' - 'datname')
				FROM pg_stat_database_conflicts x WHERE x.datid = d.oid) END AS conflicts_by_type
			FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid
			WHERE NOT d.datistemplate ORDER BY d.oid`) // as pgmetrics: templates left out
	for i := range c.rep.Databases {
		c.rep.Databases[i].flattenConflicts()
	}
	return err
}

var tablespacesUnit = unit{name: "tablespaces", scope: clusterWide, run: (*collector).readTablespaces,
	doc: "`pg_tablespace`: owner, location, size (disk and inode use when local)"}

func (c *collector) readTablespaces(ctx context.Context, tx pgx.Tx) error {
	var err error
	c.rep.Tablespaces, err = rowsOf[Tablespace](ctx, tx, `SELECT t.oid::bigint AS oid, spcname AS name,
			pg_get_userbyid(spcowner) AS owner,
			CASE WHEN spcname NOT IN ('pg_default', 'pg_global') THEN pg_tablespace_location(t.oid)
			     WHEN NOT pg_has_role('pg_read_all_settings', 'USAGE') THEN ''
			     -- pg_default and pg_global: the data directory, as pgmetrics gives it.
			     ELSE current_setting('data_directory') END AS location,
			CASE WHEN has_tablespace_privilege(t.oid, 'CREATE') OR pg_has_role('pg_read_all_stats', 'USAGE')
			          OR t.oid = (SELECT dattablespace FROM pg_database WHERE datname = current_database())
			     THEN pg_tablespace_size(t.oid) ELSE -1 END AS size
			FROM pg_tablespace t ORDER BY t.oid`)
	return err
}

var databasesListUnit = unit{name: "databases_list", scope: clusterWide, run: (*collector).readConnectableDBs,
	when:      func(c *collector) bool { return c.o.AllDBs },
	condition: "`--all-dbs`",
	doc:       "the databases to report on: `datallowconn`, not a template, `CONNECT` allowed"}

// readConnectableDBs sets c.dbs, the database connected to first (no
// reconnect for it).
func (c *collector) readConnectableDBs(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT datname FROM pg_database
			WHERE datallowconn AND NOT datistemplate AND has_database_privilege(datname, 'CONNECT')
			ORDER BY datname`)
	if err != nil {
		return err
	}
	dbs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	// Start with the database we are connected to: no reconnect for it.
	sort.SliceStable(dbs, func(i, j int) bool { return dbs[i] == c.db && dbs[j] != c.db })
	c.dbs = dbs
	return err
}
