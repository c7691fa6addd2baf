package pgsandbox

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestSharedClusterServesPgStatStatements(t *testing.T) {
	c := Get(t)
	conn := c.Connect(t, "postgres")
	ctx := context.Background()
	var preload string
	if err := conn.QueryRow(ctx, "SHOW shared_preload_libraries").Scan(&preload); err != nil {
		t.Fatal(err)
	}
	if preload != "pg_stat_statements" {
		t.Fatalf("shared_preload_libraries = %q", preload)
	}
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_statements").Scan(&n); err != nil {
		t.Fatalf("pg_stat_statements not usable: %v", err)
	}
	var fsync string
	if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil || fsync != "off" {
		t.Fatalf("fsync = %q, %v", fsync, err)
	}
	// The TCP URL works as well as the socket.
	tcp, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatalf("tcp: %v", err)
	}
	tcp.Close(ctx)
}

func TestCreateDBIsolated(t *testing.T) {
	c := Get(t)
	a := c.CreateDB(t, "iso")
	b := c.CreateDB(t, "iso")
	if a == b {
		t.Fatalf("same name twice: %s", a)
	}
	c.Exec(t, a, "CREATE TABLE only_in_a (id int)")
	var n int
	if err := c.Connect(t, b).QueryRow(context.Background(),
		"SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("table leaked into %s: n=%d err=%v", b, n, err)
	}
}

// WaitFor keeps polling while the condition is false and returns once the
// server says it is true: here the server's clock passing a mark.
func TestWaitForPolls(t *testing.T) {
	conn := Get(t).Connect(t, "postgres")
	var start time.Time
	if err := conn.QueryRow(context.Background(), "SELECT clock_timestamp()").Scan(&start); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, conn, "SELECT clock_timestamp() >= '"+start.Add(200*time.Millisecond).Format(time.RFC3339Nano)+"'::timestamptz")
	var now time.Time
	if err := conn.QueryRow(context.Background(), "SELECT clock_timestamp()").Scan(&now); err != nil {
		t.Fatal(err)
	}
	if d := now.Sub(start); d < 200*time.Millisecond {
		t.Fatalf("WaitFor returned after %v, before its condition could hold", d)
	}
}

// TestStartStopLeavesNothing starts a private cluster, checks who runs it,
// stops it and checks that neither the process nor the directory remains.
func TestStartStopLeavesNothing(t *testing.T) {
	Get(t) // skips or fails consistently when PostgreSQL is missing
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pid, dir := c.PID(), c.Dir
	t.Cleanup(func() { _ = c.Stop() })
	st, err := os.Stat(filepath.Join(c.DataDir, "postmaster.pid"))
	if err != nil {
		t.Fatalf("no postmaster.pid: %v", err)
	}
	wantUID := os.Geteuid()
	if wantUID == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		wantUID, _ = strconv.Atoi(u.Uid)
	}
	if got := int(st.Sys().(*syscall.Stat_t).Uid); got != wantUID {
		t.Fatalf("server files owned by uid %d, want %d", got, wantUID)
	}
	conn, err := pgx.Connect(ctx, c.ConnString("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var who string
	if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&who); err != nil || who != Superuser {
		t.Fatalf("current_user = %q, %v", who, err)
	}
	conn.Close(ctx)

	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Fatalf("postmaster %d still alive after Stop", pid)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s still there after Stop: %v", dir, err)
	}
	// Its children (checkpointer, walwriter...) went with it.
	if pids := ProcessesUsing(dir); len(pids) > 0 {
		t.Fatalf("processes still running for %s: %v", dir, pids)
	}
}

func TestStandbyStreams(t *testing.T) {
	primary := Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := primary.CreateDB(t, "repl")
	primary.Exec(t, db, "CREATE TABLE r (v int)", "INSERT INTO r VALUES (42)")
	s, err := primary.StartStandby(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	sconn := s.Connect(t, db)
	var inRecovery bool
	if err := sconn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil || !inRecovery {
		t.Fatalf("standby not in recovery: %v %v", inRecovery, err)
	}
	// A row written after the base backup arrives through streaming.
	primary.Exec(t, db, "INSERT INTO r VALUES (43)")
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		var n int
		if err := sconn.QueryRow(ctx, "SELECT count(*) FROM r").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 2 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("standby never saw the second row (n=%d)", n)
		case <-tick.C:
		}
	}
	var state string
	if err := primary.Connect(t, "postgres").QueryRow(ctx,
		"SELECT state FROM pg_stat_replication LIMIT 1").Scan(&state); err != nil || state != "streaming" {
		t.Fatalf("pg_stat_replication state = %q, %v", state, err)
	}
	// The standby's connection closes before Stop (cleanups run LIFO).
}

func TestAttachReadsPidFile(t *testing.T) {
	c := Get(t)
	a, err := Attach(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if a.Port != c.Port || a.PID() != c.PID() || !a.Running() {
		t.Fatalf("Attach = port %d pid %d running %v; want port %d pid %d", a.Port, a.PID(), a.Running(), c.Port, c.PID())
	}
	if _, err := Attach(t.TempDir()); err == nil {
		t.Fatal("Attach on an empty dir: no error")
	}
}

// A server that cannot start is reported with its log, and nothing remains.
func TestFailedStartCleansUp(t *testing.T) {
	Get(t)
	dir := filepath.Join(os.TempDir(), "pgsandbox-fail-"+strconv.Itoa(os.Getpid()))
	_, err := Start(context.Background(), Options{Dir: dir, Settings: map[string]string{"no_such_setting_x": "1"}})
	if err == nil || !strings.Contains(err.Error(), "no_such_setting_x") {
		t.Fatalf("err = %v, want the server's complaint", err)
	}
	if _, serr := os.Stat(dir); !errors.Is(serr, fs.ErrNotExist) {
		t.Fatalf("%s left behind: %v", dir, serr)
	}
}

// A standby of each pinned major (16-18: builds without pg_basebackup) and
// of the default one: the base backup by file copy carries a tablespace,
// moved into the standby's own directory, WAL written later streams, and
// Stop drops the standby's slot on the primary.
func TestStandbyEachVersion(t *testing.T) {
	Get(t) // skips or fails consistently when PostgreSQL is missing
	vers := PinnedVersions(t)
	vers[0] = "" // the default PostgreSQL
	for _, major := range []int{0, 16, 17, 18} {
		bindir, ok := vers[major]
		if !ok {
			t.Fatalf("scripts/pg-versions pins no PostgreSQL %d", major)
		}
		name := "pg" + strconv.Itoa(major)
		if major == 0 {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			if major != 0 && bindir == "" {
				t.Skipf("PostgreSQL %d is not in the cache (scripts/pg-versions)", major)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			p, err := Start(ctx, Options{BinDir: bindir})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = p.Stop() })
			ts := filepath.Join(p.Dir, "ts")
			if err := os.Mkdir(ts, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := p.chown(ts); err != nil {
				t.Fatal(err)
			}
			p.Exec(t, "postgres", "CREATE TABLESPACE sby_ts LOCATION '"+ts+"'",
				"CREATE TABLE r (v int) TABLESPACE sby_ts", "INSERT INTO r VALUES (42)")
			s, err := p.StartStandby(ctx, Options{})
			if err != nil {
				t.Fatal(err)
			}
			stopped := false
			t.Cleanup(func() {
				if !stopped {
					_ = s.Stop()
				}
			})
			sconn := s.Connect(t, "postgres")
			var n int
			var loc string
			var inRecovery bool
			if err := sconn.QueryRow(ctx, `SELECT (SELECT count(*) FROM r), pg_tablespace_location(oid), pg_is_in_recovery()
				FROM pg_tablespace WHERE spcname = 'sby_ts'`).Scan(&n, &loc, &inRecovery); err != nil {
				t.Fatal(err)
			}
			if n != 1 || loc != filepath.Join(s.Dir, "ts") || !inRecovery {
				t.Fatalf("standby: %d rows, tablespace at %s (want %s/ts), in recovery %v", n, loc, s.Dir, inRecovery)
			}
			// Written after the start: CatchUp waits for it, no sleep.
			p.Exec(t, "postgres", "INSERT INTO r SELECT generate_series(1, 999)")
			if err := s.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if err := sconn.QueryRow(ctx, "SELECT count(*) FROM r").Scan(&n); err != nil || n != 1000 {
				t.Fatalf("standby after CatchUp: %d rows, want 1000 (%v)", n, err)
			}
			pconn := p.Connect(t, "postgres")
			var state, slot string
			if err := pconn.QueryRow(ctx, `SELECT r.state, s.slot_name FROM pg_stat_replication r
				JOIN pg_replication_slots s ON s.active_pid = r.pid`).Scan(&state, &slot); err != nil || state != "streaming" || slot != "standby_1" {
				t.Fatalf("primary: state %q slot %q (%v)", state, slot, err)
			}
			sconn.Close(ctx)
			stopped = true
			if err := s.Stop(); err != nil {
				t.Fatal(err)
			}
			if err := pconn.QueryRow(ctx, "SELECT count(*) FROM pg_replication_slots").Scan(&n); err != nil || n != 0 {
				t.Fatalf("%d slots left on the primary after the standby's Stop (%v)", n, err)
			}
			if err := p.CatchUp(ctx); err == nil {
				t.Fatal("CatchUp on a primary: no error")
			}
		})
	}
}

// The base backup's copy leaves out what pg_basebackup leaves out, keeps
// the directories the server expects, and skips what vanishes meanwhile.
func TestCopyDataDirSkips(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "data")
	for _, f := range []string{"PG_VERSION", "base/1/1259", "base/1/pg_internal.init", "base/pgsql_tmp/pgsql_tmp1.0",
		"postmaster.pid", "postmaster.opts", "backup_label", "standby.signal", "pg_wal/000000010000000000000001",
		"pg_wal/archive_status/x.done", "pg_replslot/s/state", "pg_stat_tmp/x", "global/pg_control"} {
		if err := os.MkdirAll(filepath.Join(src, filepath.Dir(f)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, f), []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(src, "pg_tblspc"), 0o700); err != nil {
		t.Fatal(err)
	}
	s := &Cluster{}
	if err := s.copyTree(src, dst, true); err != nil {
		t.Fatal(err)
	}
	var got []string
	_ = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != dst {
			rel, _ := filepath.Rel(dst, p)
			got = append(got, rel)
		}
		return err
	})
	want := []string{"PG_VERSION", "base", "base/1", "base/1/1259", "global", "global/pg_control",
		"pg_replslot", "pg_stat_tmp", "pg_tblspc", "pg_wal"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("copied %q\nwant   %q", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "base/1/1259")); err != nil || string(b) != "base/1/1259" {
		t.Errorf("base/1/1259 = %q, %v", b, err)
	}
	// A directory dropped before its turn is no error; a missing data directory is.
	if err := s.copyTree(filepath.Join(src, "gone"), filepath.Join(dst, "gone"), false); err != nil {
		t.Errorf("vanished directory: %v", err)
	}
	if err := s.copyTree(filepath.Join(src, "gone"), filepath.Join(t.TempDir(), "x"), true); err == nil {
		t.Error("missing data directory: no error")
	}
}

// A standby whose primary cannot be reached fails with the reason and
// leaves no directory behind.
func TestStandbyOfUnreachablePrimary(t *testing.T) {
	p := Get(t)
	gone := &Cluster{Dir: t.TempDir(), Host: t.TempDir(), Port: p.Port, User: Superuser, BinDir: p.BinDir}
	dir := filepath.Join(os.TempDir(), "pgsandbox-standby-fail-"+strconv.Itoa(os.Getpid()))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := gone.StartStandby(ctx, Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "connect to the primary") {
		_ = s.Stop()
		t.Fatalf("err = %v, want a connect error", err)
	}
	if _, serr := os.Stat(dir); !errors.Is(serr, fs.ErrNotExist) {
		t.Fatalf("%s left behind: %v", dir, serr)
	}
}
