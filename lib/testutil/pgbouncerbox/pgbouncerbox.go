// Package pgbouncerbox starts a throwaway PgBouncer (Debian's pgbouncer)
// on loopback in front of a pgsandbox cluster, for tests. It is not a
// public API.
package pgbouncerbox

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
	"github.com/jackc/pgx/v5"
)

// Bouncer is one running PgBouncer.
type Bouncer struct {
	Dir  string
	Port int
	User string // admin user (the cluster's superuser), auth_type trust
}

// URL is a postgres:// URL to database db through PgBouncer ("pgbouncer":
// the admin console).
func (b *Bouncer) URL(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", b.User, b.Port, db)
}

// Start runs pgbouncer (session pooling, auth_type trust with a userlist)
// in front of database "postgres" of c, and stops it when t ends. Without
// the program the test is skipped outside CI (testutil.NeedProgram). extra
// are more [pgbouncer] settings ("default_pool_size": "2").
func Start(t testing.TB, c *pgsandbox.Cluster, extra map[string]string) *Bouncer {
	t.Helper()
	bin := testutil.NeedProgram(t, "pgbouncer", "/usr/sbin/pgbouncer")
	dir, err := os.MkdirTemp("", "pgbouncerbox-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 { // pgbouncer refuses to run as root
		u, err := user.Lookup(c.OSUser)
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	b := &Bouncer{Dir: dir, User: c.User}
	for attempt := 0; ; attempt++ {
		b.Port = testutil.FreePort(t, "tcp")
		ini := fmt.Sprintf(`[databases]
postgres = host=%s port=%d dbname=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
admin_users = %s
pool_mode = session
logfile = %s
pidfile =
ignore_startup_parameters = extra_float_digits
%s`, c.Host, c.Port, b.Port, filepath.Join(dir, "userlist.txt"), c.User, filepath.Join(dir, "pgbouncer.log"), settings(extra))
		write(t, filepath.Join(dir, "pgbouncer.ini"), ini)
		write(t, filepath.Join(dir, "userlist.txt"), fmt.Sprintf("%q \"\"\n", c.User))
		done := spawn(t, bin, dir, cred)
		err := b.waitReady(done)
		if err == nil {
			return b
		}
		log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
		if attempt == 2 {
			t.Fatalf("pgbouncer: %v\n%s", err, log)
		}
	}
}

func settings(m map[string]string) string {
	var s string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s += k + " = " + m[k] + "\n"
	}
	return s
}

func write(t testing.TB, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// spawn starts pgbouncer and stops it (SIGINT: immediate shutdown) when t
// ends; Pdeathsig stops it if the test binary dies first.
func spawn(t testing.TB, bin, dir string, cred *syscall.Credential) <-chan struct{} {
	t.Helper()
	cmd := exec.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	cmd.Dir = dir
	cmd.Env = []string{"LC_ALL=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	pgsandbox.SetPdeathsig(cmd.SysProcAttr, syscall.SIGKILL)
	out, err := os.OpenFile(filepath.Join(dir, "stderr.log"), os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	started := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // Pdeathsig follows the forking thread
		if err := cmd.Start(); err != nil {
			started <- err
			close(done)
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(done)
	}()
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return done
}

// waitReady polls the admin console until it answers, pgbouncer exits, or 20 s pass.
func (b *Bouncer) waitReady(done <-chan struct{}) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		cfg, _ := pgx.ParseConfig(b.URL("pgbouncer"))
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		conn, err := pgx.ConnectConfig(ctx, cfg)
		cancel()
		if err == nil {
			_ = conn.Close(context.Background())
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("exited: %w", err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after 20 s: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
