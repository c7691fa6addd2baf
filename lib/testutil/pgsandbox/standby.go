package pgsandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// StartStandby starts a streaming hot standby of c in its own directory and
// returns once it streams from c and has replayed all c had written (within
// o.ReadyTimeout). Stop it before c: Stop also drops its replication slot.
//
// It needs no pg_basebackup (the pinned builds of scripts/pg-versions have
// none), only the low-level backup API (PostgreSQL manual, "Making a Base
// Backup Using the Low Level API"): a physical slot reserves c's WAL from
// now on, pg_backup_start/pg_backup_stop bracket a plain copy of the data
// directory while c keeps running (tablespaces are copied into the
// standby's directory under the same base name), and the standby starts
// with backup_label, standby.signal and primary_conninfo/primary_slot_name
// in postgresql.auto.conf, as pg_basebackup -R writes them. The WAL it needs
// streams through the slot. Its application_name and slot name are
// standby_N, N counting c's standbys. o.BinDir is ignored: c's binaries run it.
func (c *Cluster) StartStandby(ctx context.Context, o Options) (_ *Cluster, err error) {
	dir, err := clusterDir(o.Dir, "pgsandbox-standby-")
	if err != nil {
		return nil, err
	}
	s := &Cluster{Dir: dir, DataDir: filepath.Join(dir, "data"), Host: dir, User: c.User,
		OSUser: c.OSUser, BinDir: c.BinDir, cred: c.cred, primary: c}
	defer func() {
		if err != nil {
			_ = s.Stop()
		}
	}()
	if err := s.chown(dir); err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, c.ConnString("postgres"))
	if err != nil {
		return nil, fmt.Errorf("pgsandbox: standby: connect to the primary: %w", err)
	}
	defer conn.Close(context.Background())
	if err := s.createSlot(ctx, conn); err != nil {
		return nil, err
	}
	if err := s.baseBackup(ctx, conn); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf("primary_conninfo = 'host=%s port=%d user=%s application_name=%s'\nprimary_slot_name = '%s'\n",
		c.Host, c.Port, c.User, s.slot, s.slot)
	if err := s.appendFile(filepath.Join(s.DataDir, "postgresql.auto.conf"), conf); err != nil {
		return nil, err
	}
	if err := s.appendFile(filepath.Join(s.DataDir, "standby.signal"), ""); err != nil {
		return nil, err
	}
	if err := s.startServer(ctx, o); err != nil {
		return nil, err
	}
	timeout := o.ReadyTimeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := s.CatchUp(cctx); err != nil {
		return nil, err
	}
	return s, nil
}

// createSlot creates the standby's physical slot on the primary, reserving
// WAL at once, under the first free name standby_N.
func (s *Cluster) createSlot(ctx context.Context, conn *pgx.Conn) error {
	c := s.primary
	for try := 0; try < 20; try++ {
		name := "standby_" + strconv.FormatInt(c.standbys.Add(1), 10)
		_, err := conn.Exec(ctx, "SELECT pg_create_physical_replication_slot($1, true)", name)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42710" {
			continue // duplicate_object: a slot of another process's standby
		}
		if err != nil {
			return fmt.Errorf("pgsandbox: standby: create slot %s: %w", name, err)
		}
		s.slot = name
		return nil
	}
	return errors.New("pgsandbox: standby: 20 slot names standby_N taken on the primary")
}

// baseBackup copies the primary's data directory between pg_backup_start
// and pg_backup_stop (pg_start_backup/pg_stop_backup before PostgreSQL 15)
// and writes the backup_label the stop returns.
func (s *Cluster) baseBackup(ctx context.Context, conn *pgx.Conn) error {
	var ver int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&ver); err != nil {
		return fmt.Errorf("pgsandbox: standby: %w", err)
	}
	start, stop := "SELECT pg_backup_start($1, true)", "SELECT labelfile FROM pg_backup_stop(false)"
	if ver < 150000 {
		start, stop = "SELECT pg_start_backup($1, true, false)", "SELECT labelfile FROM pg_stop_backup(false, false)"
	}
	// A non-exclusive backup belongs to its session: start and stop on conn.
	if _, err := conn.Exec(ctx, start, "pgsandbox "+s.slot); err != nil {
		return fmt.Errorf("pgsandbox: standby: start backup: %w", err)
	}
	copyErr := s.copyDataDir()
	var label string
	if err := conn.QueryRow(ctx, stop).Scan(&label); err != nil {
		return errors.Join(copyErr, fmt.Errorf("pgsandbox: standby: stop backup: %w", err))
	}
	if copyErr != nil {
		return copyErr
	}
	return s.appendFile(filepath.Join(s.DataDir, "backup_label"), label)
}

// Left out of the copy, as pg_basebackup leaves them out: the postmaster's
// files, an earlier backup's or recovery's markers, and the contents of the
// directories the server refills (the WAL comes by streaming).
var (
	backupSkipFiles = map[string]bool{"postmaster.pid": true, "postmaster.opts": true, "backup_label": true,
		"tablespace_map": true, "standby.signal": true, "recovery.signal": true, "current_logfiles": true,
		"pg_internal.init": true}
	backupEmptyDirs = map[string]bool{"pg_wal": true, "pg_replslot": true, "pg_dynshmem": true, "pg_notify": true,
		"pg_serial": true, "pg_snapshots": true, "pg_stat_tmp": true, "pg_subtrans": true}
)

// copyDataDir copies the primary's data directory into s.DataDir, and each
// tablespace its pg_tblspc links to into s.Dir (pointing the standby's links
// there: a standby on the same host must not share the primary's files).
func (s *Cluster) copyDataDir() error {
	src := s.primary.DataDir
	if err := s.copyTree(src, s.DataDir, true); err != nil {
		return err
	}
	links, err := os.ReadDir(filepath.Join(src, "pg_tblspc"))
	if err != nil {
		return fmt.Errorf("pgsandbox: standby: %w", err)
	}
	for _, l := range links {
		if l.Type()&fs.ModeSymlink == 0 {
			continue // an in-place tablespace: copied with the data directory
		}
		target, err := os.Readlink(filepath.Join(src, "pg_tblspc", l.Name()))
		if err != nil {
			return fmt.Errorf("pgsandbox: standby: %w", err)
		}
		// The same base name keeps the location comparable between the two.
		dst := filepath.Join(s.Dir, filepath.Base(target))
		if _, err := os.Lstat(dst); err == nil {
			dst = filepath.Join(s.Dir, "tblspc-"+l.Name())
		}
		if err := s.copyTree(target, dst, false); err != nil {
			return err
		}
		link := filepath.Join(s.DataDir, "pg_tblspc", l.Name())
		if err := os.Symlink(dst, link); err != nil {
			return fmt.Errorf("pgsandbox: standby: %w", err)
		}
		if s.cred != nil {
			if err := os.Lchown(link, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
				return fmt.Errorf("pgsandbox: standby: %w", err)
			}
		}
	}
	return nil
}

// copyTree copies directory src to dst with its modes, owned by the server's
// OS user. Files that vanish during the copy are skipped: the server keeps
// running, and the WAL replayed from the backup's start redoes what changed.
// top: src is a data directory (skip what a base backup skips, and the
// tablespace links, which copyDataDir makes).
func (s *Cluster) copyTree(src, dst string, top bool) error {
	st, err := os.Stat(src)
	if errors.Is(err, fs.ErrNotExist) && !top {
		return nil // dropped meanwhile (a database of a concurrent test)
	}
	if err != nil {
		return fmt.Errorf("pgsandbox: standby: %w", err)
	}
	if err := s.mkdir(dst, st.Mode().Perm()); err != nil {
		return err
	}
	ents, err := os.ReadDir(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgsandbox: standby: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		from, to := filepath.Join(src, name), filepath.Join(dst, name)
		switch {
		case strings.HasPrefix(name, "pgsql_tmp") || backupSkipFiles[name]:
			continue
		case top && (backupEmptyDirs[name] || name == "pg_tblspc"):
			if err := s.mkdir(to, 0o700); err != nil {
				return err
			}
			continue
		case e.IsDir():
			if err := s.copyTree(from, to, false); err != nil {
				return err
			}
		case e.Type().IsRegular():
			if err := s.copyFile(from, to); err != nil {
				return err
			}
		default:
			return fmt.Errorf("pgsandbox: standby: cannot copy %s (%s)", from, e.Type())
		}
	}
	return nil
}

func (s *Cluster) mkdir(path string, perm fs.FileMode) error {
	if err := os.Mkdir(path, perm); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("pgsandbox: standby: %w", err)
	}
	return s.chown(path)
}

func (s *Cluster) copyFile(from, to string) error {
	in, err := os.Open(from)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgsandbox: standby: %w", err)
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return fmt.Errorf("pgsandbox: standby: %w", err)
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, st.Mode().Perm())
	if err != nil {
		return fmt.Errorf("pgsandbox: standby: %w", err)
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pgsandbox: standby: copy %s: %w", from, err)
	}
	return s.chown(to)
}

// appendFile appends text to path (created if missing, owned by the server's user).
func (s *Cluster) appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pgsandbox: standby: %w", err)
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pgsandbox: standby: %w", err)
	}
	return s.chown(path)
}

// CatchUp waits until the standby s streams from its primary and has
// replayed every WAL record the primary had inserted when CatchUp was
// called (like wait_for_catchup of PostgreSQL's TAP tests). It polls both
// servers until ctx is done: bound it.
func (s *Cluster) CatchUp(ctx context.Context) error {
	if s.primary == nil {
		return errors.New("pgsandbox: CatchUp on a cluster that is not a standby")
	}
	p, err := pgx.Connect(ctx, s.primary.ConnString("postgres"))
	if err != nil {
		return fmt.Errorf("pgsandbox: catch-up: connect to the primary: %w", err)
	}
	defer p.Close(context.Background())
	sc, err := pgx.Connect(ctx, s.ConnString("postgres"))
	if err != nil {
		return fmt.Errorf("pgsandbox: catch-up: connect to the standby: %w", err)
	}
	defer sc.Close(context.Background())
	// The target is the insert position, not pg_current_wal_lsn(): the
	// sandbox commits asynchronously, so a commit may not be written yet
	// (the WAL writer flushes it within 3 wal_writer_delay, then it streams).
	// An insert position just past a page header is where the next record
	// will start: the last one ended at the page's start.
	var target string
	if err := p.QueryRow(ctx, `WITH w AS (SELECT pg_current_wal_insert_lsn() AS lsn,
			current_setting('wal_block_size')::numeric AS bs)
		SELECT (CASE WHEN (lsn - '0/0') % bs <= 40 THEN lsn - (lsn - '0/0') % bs ELSE lsn END)::text FROM w`).Scan(&target); err != nil {
		return fmt.Errorf("pgsandbox: catch-up: %w", err)
	}
	var state, replayed string
	err = poll(ctx, 20*time.Millisecond, func() (bool, error) {
		if err := p.QueryRow(ctx, "SELECT COALESCE((SELECT state FROM pg_stat_replication WHERE application_name = $1 LIMIT 1), 'absent')",
			s.slot).Scan(&state); err != nil {
			return false, err
		}
		var done bool
		if err := sc.QueryRow(ctx, "SELECT COALESCE(pg_last_wal_replay_lsn()::text, ''), COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)",
			target).Scan(&replayed, &done); err != nil {
			return false, err
		}
		return state == "streaming" && done, nil
	})
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.Dir, "postgres.log"))
		return fmt.Errorf("pgsandbox: standby %s not caught up (state %q, replayed %s of %s): %w; log: %s",
			s.slot, state, replayed, target, err, lastLines(log, 5))
	}
	return nil
}

// poll calls cond every interval until it is true, fails, or ctx is done.
func poll(ctx context.Context, interval time.Duration, cond func() (bool, error)) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// dropSlot drops a stopped standby's slot on its primary, if the primary
// still runs, once the primary's walsender has let go of it (bounded).
func (s *Cluster) dropSlot() error {
	if s.primary == nil || s.slot == "" || !s.primary.Running() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.primary.ConnString("postgres"))
	if err != nil {
		return fmt.Errorf("pgsandbox: drop slot %s: %w", s.slot, err)
	}
	defer conn.Close(context.Background())
	err = poll(ctx, 20*time.Millisecond, func() (bool, error) {
		var n int
		err := conn.QueryRow(ctx, "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active",
			s.slot).Scan(&n)
		if err != nil {
			return false, err
		}
		var left bool
		err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)", s.slot).Scan(&left)
		return !left, err
	})
	if err != nil {
		return fmt.Errorf("pgsandbox: drop slot %s: %w", s.slot, err)
	}
	s.slot = ""
	return nil
}
