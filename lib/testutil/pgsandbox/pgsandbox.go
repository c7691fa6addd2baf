// Package pgsandbox starts throwaway PostgreSQL clusters for tests and for the
// demo: initdb into a temporary directory, a unix socket in that directory, a
// random loopback port, pg_stat_statements preloaded and fsync off. When the
// caller is root the server runs as the `postgres` OS user. It is not a public API.
//
// Tests use it through Main and Get:
//
//	func TestMain(m *testing.M) { os.Exit(pgsandbox.Main(m)) }
//	func TestX(t *testing.T) { c := pgsandbox.Get(t); conn := c.Connect(t, "postgres") ... }
package pgsandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Superuser is the database superuser every sandbox cluster is created with
// (initdb -U), whichever OS user runs the server.
const Superuser = "postgres"

// ErrNoPostgres means no PostgreSQL server binaries were found.
var ErrNoPostgres = errors.New("pgsandbox: PostgreSQL binaries not found (install Debian's postgresql, or set PG_BINDIR)")

// Options tune Start. The zero value is a fine default.
type Options struct {
	// Dir is the directory to create the cluster in (data in Dir/data, the
	// socket in Dir). It must not exist or be empty. Default: a new temp dir.
	Dir string
	// BinDir holds initdb and postgres. Default: $PG_BINDIR, the
	// newest /usr/lib/postgresql/*/bin, `pg_config --bindir`, then $PATH.
	BinDir string
	// Detach leaves the server running after this process exits (for
	// scripts/pg-sandbox). Tests leave it false: the server then also gets
	// SIGQUIT if the test binary dies.
	Detach bool
	// Settings are extra server settings (-c name=value).
	Settings map[string]string
	// ReadyTimeout bounds the wait for the server to accept connections. Default 60s.
	ReadyTimeout time.Duration
}

// Cluster is one running server.
type Cluster struct {
	Dir     string // owns everything: removed by Stop
	DataDir string
	Host    string // the socket directory (== Dir)
	Port    int
	User    string // database superuser
	OSUser  string // OS user the server runs as
	BinDir  string

	cred     *syscall.Credential
	pid      int
	primary  *Cluster      // a standby's primary (nil for a primary)
	slot     string        // a standby's replication slot on its primary
	standbys atomic.Int64  // a primary's count of standbys, for their names
	done     chan struct{} // closed when the server process exits (nil when detached)
	waitErr  error
}

// ConnString is a libpq key/value connection string for db over the socket.
func (c *Cluster) ConnString(db string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", c.Host, c.Port, c.User, db)
}

// URL is the same as a postgres:// URL over TCP on 127.0.0.1.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", c.User, c.Port, db)
}

// Env is the libpq environment for db, as NAME=value strings.
func (c *Cluster) Env(db string) []string {
	return []string{
		"PGHOST=" + c.Host,
		"PGPORT=" + strconv.Itoa(c.Port),
		"PGUSER=" + c.User,
		"PGDATABASE=" + db,
		"PGSSLMODE=disable",
	}
}

// PID is the postmaster's process id.
func (c *Cluster) PID() int { return c.pid }

// FindBinDir locates the PostgreSQL server binaries (see Options.BinDir).
func FindBinDir() (string, error) {
	has := func(dir string) bool {
		st, err := os.Stat(filepath.Join(dir, "postgres"))
		return err == nil && !st.IsDir()
	}
	if d := os.Getenv("PG_BINDIR"); d != "" {
		if has(d) {
			return d, nil
		}
		return "", fmt.Errorf("pgsandbox: PG_BINDIR=%s has no postgres binary", d)
	}
	if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(dirs) > 0 {
		// Newest major first; numeric, so that 9.6 sorts below 15.
		sort.Slice(dirs, func(i, j int) bool { return majorOf(dirs[i]) > majorOf(dirs[j]) })
		for _, d := range dirs {
			if has(d) {
				return d, nil
			}
		}
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); has(d) {
			return d, nil
		}
	}
	for _, name := range []string{"postgres", "initdb"} {
		if p, err := exec.LookPath(name); err == nil {
			if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
				return filepath.Dir(real), nil
			}
		}
	}
	return "", ErrNoPostgres
}

func majorOf(bindir string) float64 {
	f, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(bindir)), 64)
	return f
}

// runAs returns the credential to run the server with: the postgres OS user
// when we are root (postgres refuses to run as root), else nil (ourselves).
func runAs() (*syscall.Credential, string, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return nil, strconv.Itoa(os.Geteuid()), nil
		}
		return nil, u.Username, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, "", fmt.Errorf("pgsandbox: running as root needs a 'postgres' OS user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, u.Username, nil
}

// Start creates and starts a cluster and waits until it accepts connections.
func Start(ctx context.Context, o Options) (_ *Cluster, err error) {
	bindir := o.BinDir
	if bindir == "" {
		if bindir, err = FindBinDir(); err != nil {
			return nil, err
		}
	}
	cred, osUser, err := runAs()
	if err != nil {
		return nil, err
	}
	dir, err := clusterDir(o.Dir, "pgsandbox-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, DataDir: filepath.Join(dir, "data"), Host: dir, User: Superuser,
		OSUser: osUser, BinDir: bindir, cred: cred}
	defer func() {
		if err != nil {
			_ = c.Stop()
		}
	}()
	if err := c.chown(dir); err != nil {
		return nil, err
	}
	initdb := []string{"-D", c.DataDir, "-U", Superuser, "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync", "--no-instructions"}
	if out, err := c.run(ctx, "initdb", initdb...); err != nil {
		return nil, fmt.Errorf("pgsandbox: initdb: %w: %s", err, lastLines(out, 5))
	}
	if err := c.startServer(ctx, o); err != nil {
		return nil, err
	}
	return c, nil
}

// clusterDir makes the directory a cluster owns: dir, which must not exist
// or be empty, or a new temp dir named prefix*.
func clusterDir(dir, prefix string) (string, error) {
	if dir == "" {
		// os.MkdirTemp under /tmp keeps the socket path short (unix socket
		// paths are limited to 107 bytes; t.TempDir() paths can be longer).
		d, err := os.MkdirTemp("", prefix)
		if err != nil {
			return "", err
		}
		dir = d
	} else {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
		if ents, _ := os.ReadDir(dir); len(ents) > 0 {
			return "", fmt.Errorf("pgsandbox: %s is not empty (a sandbox already there? stop it first)", dir)
		}
	}
	return filepath.Abs(dir)
}

func (c *Cluster) chown(path string) error {
	if c.cred == nil {
		return nil
	}
	return os.Chown(path, int(c.cred.Uid), int(c.cred.Gid))
}

// childEnv is a clean environment: inherited PG* variables would redirect
// the server's tools to another server.
func childEnv() []string {
	env := []string{"LC_ALL=C", "TZ=UTC"}
	if p := os.Getenv("PATH"); p != "" {
		env = append(env, "PATH="+p)
	}
	return env
}

func (c *Cluster) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.BinDir, prog), args...)
	cmd.Dir = c.Dir // root's cwd may be unreadable for the postgres user
	cmd.Env = childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	return cmd.CombinedOutput()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (c *Cluster) startServer(ctx context.Context, o Options) error {
	timeout := o.ReadyTimeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	var lastErr error
	// A port picked by freePort can be taken by someone else before the
	// server binds it: try a few ports.
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		c.Port = port
		lastErr = c.spawn(o)
		if lastErr == nil {
			lastErr = c.waitReady(ctx, timeout)
		}
		if lastErr == nil {
			return nil
		}
		log, _ := os.ReadFile(filepath.Join(c.Dir, "postgres.log"))
		if !bytes.Contains(log, []byte("could not bind")) && !bytes.Contains(log, []byte("could not create any TCP/IP sockets")) {
			break
		}
		c.kill()
	}
	return lastErr
}

func (c *Cluster) spawn(o Options) error {
	settings := map[string]string{
		"port":                     strconv.Itoa(c.Port),
		"unix_socket_directories":  c.Host,
		"listen_addresses":         "127.0.0.1",
		"shared_preload_libraries": "pg_stat_statements",
		"fsync":                    "off",
		"synchronous_commit":       "off",
		"full_page_writes":         "off",
		"track_functions":          "all",
		"track_io_timing":          "on",
		"max_connections":          "60",
		"max_wal_senders":          "10",
		"wal_level":                "replica",
		"hot_standby":              "on",
		"logging_collector":        "off",
	}
	for k, v := range o.Settings {
		settings[k] = v
	}
	keys := slices.Sorted(maps.Keys(settings))
	args := []string{"-D", c.DataDir}
	for _, k := range keys {
		args = append(args, "-c", k+"="+settings[k])
	}
	logf, err := os.OpenFile(filepath.Join(c.Dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close() // the child keeps its own copy of the descriptor
	cmd := exec.Command(filepath.Join(c.BinDir, "postgres"), args...)
	cmd.Dir = c.Dir
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	attr := &syscall.SysProcAttr{Credential: c.cred}
	if o.Detach {
		attr.Setsid = true
		cmd.SysProcAttr = attr
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("pgsandbox: start postgres: %w", err)
		}
		c.pid = cmd.Process.Pid
		go func() { _ = cmd.Wait() }() // reap it while we are alive; it outlives us otherwise
		return nil
	}
	// Our own process group: a Ctrl-C on the test does not reach the server
	// first, and Pdeathsig stops the server (immediate shutdown) if the test
	// binary dies without calling Stop.
	attr.Setpgid = true
	SetPdeathsig(attr, syscall.SIGQUIT)
	cmd.SysProcAttr = attr
	started := make(chan error, 1)
	c.done = make(chan struct{})
	go func() {
		// Pdeathsig fires when the forking OS thread exits, not the process:
		// keep this goroutine (and so its thread) alive until the server exits.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(c.done)
			return
		}
		started <- nil
		c.waitErr = cmd.Wait()
		close(c.done)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pgsandbox: start postgres: %w", err)
	}
	c.pid = cmd.Process.Pid
	return nil
}

// waitReady polls a connection until the server answers, the server process
// exits, or the deadline passes.
func (c *Cluster) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var err error
	for {
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		var conn *pgx.Conn
		conn, err = pgx.Connect(cctx, c.ConnString("postgres"))
		ccancel()
		if err == nil {
			_ = conn.Close(context.Background())
			return nil
		}
		select {
		case <-c.exited():
			log, _ := os.ReadFile(filepath.Join(c.Dir, "postgres.log"))
			return fmt.Errorf("pgsandbox: postgres exited: %s", lastLines(log, 5))
		case <-ctx.Done():
			log, _ := os.ReadFile(filepath.Join(c.Dir, "postgres.log"))
			return fmt.Errorf("pgsandbox: server not ready after %s: %v; log: %s", timeout, err, lastLines(log, 5))
		case <-tick.C:
		}
	}
}

// exited is closed when the server process has exited. For a detached
// server it is polled through kill(pid, 0).
func (c *Cluster) exited() <-chan struct{} {
	if c.done != nil {
		return c.done
	}
	if c.pid > 0 && !alive(c.pid) {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	return nil
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// kill stops the server with an immediate shutdown (SIGQUIT, like
// pg_ctl stop -m immediate) and waits up to 15 s, then SIGKILLs its group.
func (c *Cluster) kill() {
	if c.pid <= 0 {
		return
	}
	if c.done == nil {
		// Detached: not our child; learn its fate by polling.
		_ = syscall.Kill(c.pid, syscall.SIGQUIT)
		deadline := time.Now().Add(15 * time.Second)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for alive(c.pid) && time.Now().Before(deadline) {
			<-tick.C
		}
		if alive(c.pid) {
			_ = syscall.Kill(-c.pid, syscall.SIGKILL)
			_ = syscall.Kill(c.pid, syscall.SIGKILL)
		}
		c.pid = 0
		return
	}
	_ = syscall.Kill(c.pid, syscall.SIGQUIT)
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-c.pid, syscall.SIGKILL)
		<-c.done
	}
	c.pid = 0
}

// Stop shuts the server down immediately and removes its directory.
func (c *Cluster) Stop() error {
	if c == nil {
		return nil
	}
	c.kill()
	slotErr := c.dropSlot()
	if c.Dir == "" {
		return slotErr
	}
	err := os.RemoveAll(c.Dir)
	c.Dir = ""
	return errors.Join(slotErr, err)
}

// Attach returns a handle on a detached cluster started earlier in dir (by
// scripts/pg-sandbox), reading its port and pid from postmaster.pid.
func Attach(dir string) (*Cluster, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, DataDir: filepath.Join(dir, "data"), Host: dir, User: Superuser}
	b, err := os.ReadFile(filepath.Join(c.DataDir, "postmaster.pid"))
	if err != nil {
		return c, err
	}
	// postmaster.pid: pid, data dir, start time, port, socket dir, listen addr, ...
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return c, fmt.Errorf("pgsandbox: %s/postmaster.pid is truncated", c.DataDir)
	}
	c.pid, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
	c.Port, _ = strconv.Atoi(strings.TrimSpace(lines[3]))
	if c.pid <= 0 || c.Port <= 0 {
		return c, fmt.Errorf("pgsandbox: cannot read pid/port from %s/postmaster.pid", c.DataDir)
	}
	return c, nil
}

// Running reports whether the postmaster process is alive.
func (c *Cluster) Running() bool { return c.pid > 0 && alive(c.pid) }

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
