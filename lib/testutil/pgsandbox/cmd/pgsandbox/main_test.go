package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

func TestMain(m *testing.M) { os.Exit(pgsandbox.Main(m)) }

// checkLifecycle drives start/status/env/stop through do and checks what a
// user of scripts/pg-sandbox relies on.
func checkLifecycle(t *testing.T, dir string, do func(args ...string) (string, int)) {
	t.Helper()
	out, code := do("start", "-dir", dir)
	if code != 0 || strings.TrimSpace(out) != dir {
		t.Fatalf("start: code %d, stdout %q; want only the directory", code, out)
	}
	t.Cleanup(func() { do("stop", "-dir", dir) })
	if out, code := do("start", "-dir", dir); code != 0 || strings.TrimSpace(out) != dir {
		t.Fatalf("second start is not idempotent: %d %q", code, out)
	}
	if out, code := do("status", "-dir", dir); code != 0 || !strings.Contains(out, "running") {
		t.Fatalf("status: %d %q", code, out)
	}
	env, code := do("env", "-dir", dir)
	if code != 0 {
		t.Fatalf("env: %d", code)
	}
	for _, k := range []string{"PGHOST", "PGPORT", "PGUSER", "PGDATABASE"} {
		if !strings.Contains(env, "export "+k+"=") {
			t.Fatalf("env lacks %s:\n%s", k, env)
		}
	}
	// The exports work for psql, as `eval "$(scripts/pg-sandbox env)"` would.
	cmd := exec.Command("bash", "-c", env+"\npsql -XAtc 'select 1'")
	if b, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(b)) != "1" {
		t.Fatalf("psql with the env: %v: %s", err, b)
	}
	if _, code := do("stop", "-dir", dir); code != 0 {
		t.Fatalf("stop: %d", code)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stop left %s: %v", dir, err)
	}
	if pids := pgsandbox.ProcessesUsing(dir); len(pids) > 0 {
		t.Fatalf("stop left processes %v", pids)
	}
	if _, code := do("status", "-dir", dir); code != 1 {
		t.Fatalf("status after stop: code %d, want 1", code)
	}
	if _, code := do("stop", "-dir", dir); code != 0 {
		t.Fatalf("stop twice: code %d, want 0", code)
	}
}

func TestLifecycleInProcess(t *testing.T) {
	pgsandbox.Get(t) // skip/fail consistently when PostgreSQL is missing
	dir := filepath.Join(os.TempDir(), "pgsandbox-cli-test-"+filepathSafe(t.Name()))
	checkLifecycle(t, dir, func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := run(args, &out, &errb)
		if code != 0 && !strings.HasPrefix(args[0], "status") {
			t.Logf("%v: %s", args, errb.String())
		}
		return out.String(), code
	})
}

// TestLifecycleAsNobody runs the built helper as an unprivileged OS user, the
// path a developer who is not root takes (as root, tests run the server as
// the postgres user instead).
func TestLifecycleAsNobody(t *testing.T) {
	pgsandbox.Get(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to the nobody user; as non-root the in-process test covers this path")
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		t.Fatal("runuser missing: it is part of util-linux")
	}
	// Not t.TempDir(): its parent is root-only (0700), so nobody could not exec the binary.
	bindir, err := os.MkdirTemp("", "pgsandbox-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bindir) })
	if err := os.Chmod(bindir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(bindir, "pgsandbox")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, b)
	}
	dir := filepath.Join(os.TempDir(), "pgsandbox-cli-nobody")
	checkLifecycle(t, dir, func(args ...string) (string, int) {
		cmd := exec.Command("runuser", append([]string{"-u", "nobody", "--", bin}, args...)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if errb.Len() > 0 {
			t.Logf("%v: %s", args, errb.String())
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out.String(), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), 0
	})
}

func filepathSafe(s string) string {
	return strings.NewReplacer("/", "_", " ", "_").Replace(s)
}
