package pgsandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/jackc/pgx/v5"
)

var (
	mainRunning atomic.Bool
	sharedMu    sync.Mutex
	shared      *Cluster
	sharedErr   error
	sharedTried bool
	dbSeq       atomic.Int64
)

// Main runs the tests and then stops the shared cluster, if one was started.
// Use it from TestMain: os.Exit(pgsandbox.Main(m)). The cluster and its
// directory are removed even when tests fail; if the test binary is killed,
// the server still gets SIGQUIT through its parent-death signal.
//
// m is a *testing.M, or anything that runs the tests (testscript.Main wraps it).
func Main(m interface{ Run() int }) int {
	mainRunning.Store(true)
	code := m.Run()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgsandbox: stop: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		shared = nil
	}
	return code
}

// Get returns the test binary's shared cluster, starting it on first use.
// Without PostgreSQL binaries the test is skipped, unless CI is set: then it
// fails, so that a missing install cannot pass as green.
func Get(t testing.TB) *Cluster {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatal("pgsandbox.Get needs TestMain to call pgsandbox.Main(m), which stops the cluster")
	}
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if !sharedTried {
		sharedTried = true
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		shared, sharedErr = Start(ctx, Options{})
		cancel()
	}
	if sharedErr != nil {
		SkipOrFail(t, sharedErr)
	}
	return shared
}

// SkipOrFail skips t when err says PostgreSQL is not installed and CI is
// unset; otherwise it fails t.
func SkipOrFail(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, ErrNoPostgres) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	t.Fatal(err)
}

// Connect opens a connection to db as the superuser, closed at cleanup.
func (c *Cluster) Connect(t testing.TB, db string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.ConnString(db))
	if err != nil {
		t.Fatalf("pgsandbox: connect %s: %v", db, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// Standby starts a streaming standby of c (StartStandby, within two
// minutes), failing t if it cannot; it is stopped at cleanup, before c if
// c was started in the same test (cleanups run last first).
func (c *Cluster) Standby(t testing.TB, o Options) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := c.StartStandby(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

// Exec runs SQL statements in db as the superuser, failing t on error.
func (c *Cluster) Exec(t testing.TB, db string, sql ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.ConnString(db))
	if err != nil {
		t.Fatalf("pgsandbox: connect %s: %v", db, err)
	}
	defer conn.Close(context.Background())
	for _, s := range sql {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("pgsandbox: %s: %v", s, err)
		}
	}
}

// WaitFor polls cond, a SQL query returning one boolean, on conn until it is
// true, failing t after 30 s: the conditions tests wait for are real server
// states (a lock wait, an age, a flushed counter), so no sleep can stand in.
func WaitFor(t testing.TB, conn *pgx.Conn, cond string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := poll(ctx, 20*time.Millisecond, func() (bool, error) {
		var ok bool
		err := conn.QueryRow(ctx, cond).Scan(&ok)
		return ok, err
	})
	switch {
	case ctx.Err() != nil:
		t.Fatalf("timed out waiting for: %s", cond)
	case err != nil:
		t.Fatalf("%s: %v", cond, err)
	}
}

// CreateDB creates a fresh database named prefix_N, dropped at cleanup, so
// tests sharing the cluster do not see each other's objects.
func (c *Cluster) CreateDB(t testing.TB, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), dbSeq.Add(1))
	c.Exec(t, "postgres", "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, c.ConnString("postgres"))
		if err != nil {
			return // the cluster is going away anyway
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	return name
}

// ProcessesUsing lists the pids whose command line mentions dir (from
// /proc), for tests that check a stopped cluster left nothing running.
func ProcessesUsing(dir string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		if strings.Contains(string(b), dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// PinnedVersions lists the PostgreSQL majors scripts/pg-versions pins, with
// the bin dir of each cached build ("" when it is not fetched), by running
// `scripts/pg-versions --cached` from the module root above the working
// directory. Under CI a missing build fails t: every version must run there.
func PinnedVersions(t testing.TB) map[int]string {
	t.Helper()
	out, err := exec.Command(filepath.Join(testutil.ModuleRoot(t), "scripts", "pg-versions"), "--cached").Output()
	if err != nil {
		t.Fatalf("scripts/pg-versions --cached: %v", err)
	}
	vers := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			t.Fatalf("scripts/pg-versions --cached: bad line %q", line)
		}
		major, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("scripts/pg-versions --cached: bad line %q", line)
		}
		dir := f[len(f)-1]
		// Stat it, so that go test's result cache notices a fetch.
		if _, err := os.Stat(filepath.Join(dir, "postgres")); f[1] == "missing" || err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("PostgreSQL %d binaries are not in the cache (run scripts/pg-versions)", major)
			}
			dir = ""
		}
		vers[major] = dir
	}
	if len(vers) == 0 {
		t.Fatal("scripts/pg-versions --cached printed no versions")
	}
	return vers
}
