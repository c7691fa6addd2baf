package pgstat

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// Exact sizes summed from the files (fileSizesCTE) are pg_table_size's and
// pg_total_relation_size's, byte for byte, for every kind of file a
// relation has: TOAST table and index, free space and visibility maps, an
// unlogged relation's init fork, an index's free space map, a tablespace
// elsewhere, another session's temporary table (pgmetrics' tables[].size
// and indexes[].size, /work/shared/reference/pgmetrics.md §1.1). They are
// read without a lock: a table locked by someone else is still measured
// (pg_table_size would wait, time out and fall back to an estimate). A role
// without the privilege to read files gets the same figures from the
// functions.
func TestFileSizes(t *testing.T) {
	c := pgsandbox.Get(t)
	suffix := strconv.Itoa(os.Getpid())
	ts, granted, mon := "fsts_"+suffix, "fsgranted_"+suffix, "fsmon_"+suffix
	tsdir := filepath.Join(c.Dir, ts)
	if err := os.Mkdir(tsdir, 0o700); err != nil {
		t.Fatal(err)
	}
	if u, err := user.Lookup(c.OSUser); err == nil && os.Geteuid() == 0 {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(tsdir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	c.Exec(t, "postgres", "CREATE TABLESPACE "+ts+" LOCATION '"+tsdir+"'",
		"CREATE ROLE "+granted+" LOGIN IN ROLE pg_monitor", "CREATE ROLE "+mon+" LOGIN IN ROLE pg_monitor")
	t.Cleanup(func() { c.Exec(t, "postgres", "DROP TABLESPACE "+ts, "DROP ROLE "+granted, "DROP ROLE "+mon) })
	db := c.CreateDB(t, "fsizes")
	// Not a superuser: it may stat files under the data directory only
	// (relative paths), which is all fileSizesCTE asks for.
	c.Exec(t, db, "GRANT EXECUTE ON FUNCTION pg_ls_dir(text, boolean, boolean), pg_stat_file(text, boolean) TO "+granted)
	off := " WITH (autovacuum_enabled = off)" // the forks stay as set
	c.Exec(t, db, `CREATE TABLE toasted (id int, doc text)`+off+`;
		INSERT INTO toasted SELECT g, (SELECT string_agg(md5(g::text || i::text), '') FROM generate_series(1, 200) i)
			FROM generate_series(1, 300) g;
		CREATE TABLE vacuumed (id int PRIMARY KEY, note text)`+off+`;
		INSERT INTO vacuumed SELECT g, 'note ' || g FROM generate_series(1, 100000) g;
		DELETE FROM vacuumed WHERE id BETWEEN 1000 AND 90000;
		CREATE UNLOGGED TABLE unlogged (id int PRIMARY KEY)`+off+`;
		INSERT INTO unlogged SELECT generate_series(1, 1000);
		CREATE TABLE elsewhere (id int PRIMARY KEY)`+off+` TABLESPACE `+ts+`;
		INSERT INTO elsewhere SELECT generate_series(1, 1000);
		CREATE TABLE parted (id int) PARTITION BY RANGE (id);
		CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000)`+off+`;
		INSERT INTO parted SELECT generate_series(0, 999);
		CREATE TABLE empty_t (id int)`)
	// VACUUM frees the deleted rows (free space and visibility maps) and
	// the emptied btree pages (the index's free space map); twice, so that
	// the pages deleted in the first are recycled in the second.
	c.Exec(t, db, "VACUUM vacuumed", "VACUUM vacuumed")
	tmp := c.Connect(t, db)
	ctx := context.Background()
	if _, err := tmp.Exec(ctx, "CREATE TEMP TABLE tmp AS SELECT generate_series(1, 5000) AS g"); err != nil {
		t.Fatal(err)
	}

	want := map[string]int64{}
	rows, err := c.Connect(t, db).Query(ctx, `SELECT 'table ' || s.relname, CASE WHEN c.relkind = 'p' THEN 0 ELSE pg_table_size(s.relid) END
		FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
		UNION ALL SELECT 'index ' || indexrelname, pg_total_relation_size(indexrelid) FROM pg_stat_user_indexes
		UNION ALL SELECT 'fsm', count(*) FROM pg_stat_user_indexes
		          WHERE pg_total_relation_size(indexrelid) > pg_relation_size(indexrelid)`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		want[k] = v
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if want["fsm"] == 0 || want["table tmp"] == 0 || want["table toasted"] < 300*6400 || want["table elsewhere"] == 0 {
		t.Fatalf("scene: no index with a free space map, or a relation missing: %v", want)
	}
	delete(want, "fsm")

	check := func(t *testing.T, user string) *Report {
		t.Helper()
		rep, err := collect(t, Options{Conn: connOpts(c, user, db), ExactSizes: true})
		if err != nil {
			t.Fatalf("Collect as %s: %v (errors %+v)", user, err, rep.Meta.Errors)
		}
		got := map[string]int64{}
		for _, x := range rep.Tables {
			got["table "+x.Name] = x.Size
		}
		for _, x := range rep.Indexes {
			got["index "+x.Name] = x.Size
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("as %s: %s size %d, want %d", user, k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("as %s: %d tables and indexes, want %d: %v", user, len(got), len(want), got)
		}
		return rep
	}
	// Files read without locks: a table locked by another session is measured.
	locker := c.Connect(t, db)
	if _, err := locker.Exec(ctx, "BEGIN; LOCK TABLE vacuumed IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	for name, u := range map[string]string{"superuser": "postgres", "granted": granted} {
		t.Run(name, func(t *testing.T) {
			if rep := check(t, u); len(rep.Meta.Gaps) > 0 {
				t.Errorf("gaps: %q", rep.Meta.Gaps)
			}
		})
	}
	if _, err := locker.Exec(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	t.Run("functions", func(t *testing.T) { check(t, mon) })
}
