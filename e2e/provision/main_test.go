// Package provision proves the shipped provisioning examples
// (scripts/examples: Ansible role, fabfile, crontab, systemd units, CI
// snippets) with the real programs: ansible-playbook, Fabric over a real
// sshd, Debian's cron daemon, systemd-analyze, and the jobs' own commands run
// under /bin/sh (dash), against the shared fake Healthchecks and StatHat and
// a throwaway PostgreSQL.
//
// Most tests need root (users, sshd, cron); like missing programs, that is a
// skip outside CI and a failure under CI=true. Independent tests run in
// parallel: the cron daemon's wait for the next minute is the longest.
package provision

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakehc"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// examples is scripts/examples, from this package's directory.
var examples = filepath.Join("..", "..", "scripts", "examples")

// binDir holds the five tools, built once as scripts/build builds them.
var binDir string

var tools = []string{"statpost", "runwrap", "pgreport", "chartd", "hcctl"}

func TestMain(m *testing.M) { os.Exit(pgsandbox.Main(buildFirst{m})) }

type buildFirst struct{ m *testing.M }

func (b buildFirst) Run() int {
	dir, err := os.MkdirTemp("", "cronkit-provision-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// Throwaway users run these binaries: the directory must be theirs to enter.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	args := []string{"build", "-trimpath", "-o", dir + "/"}
	for _, t := range tools {
		args = append(args, "./cmd/"+t)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as scripts/build
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "provision: building the tools:", err)
		return 1
	}
	binDir = dir
	return b.m.Run()
}

// needRoot skips (outside CI) or fails (CI=true) a test that must create
// users, start sshd or cron.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "" {
		t.Skip("needs root (users, sshd, cron); CI is unset")
	}
	t.Fatal("needs root (users, sshd, cron), and CI is set: run .ci/run as root")
}

// scratchDir is a directory that throwaway users may enter (t.TempDir's are
// 0700), removed at cleanup.
func scratchDir(t *testing.T, pattern string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// account is a throwaway OS user.
type account struct {
	Name, Home string
	UID, GID   int
}

var userSeq atomic.Int64

// throwawayUser creates an OS user with a home directory, deleted (with its
// crontab) at cleanup.
func throwawayUser(t *testing.T) account {
	t.Helper()
	needRoot(t)
	name := fmt.Sprintf("ckp%d_%d", os.Getpid(), userSeq.Add(1))
	home := filepath.Join(scratchDir(t, "cronkit-home-"), name)
	out, err := exec.Command("useradd", "--create-home", "--home-dir", home, "--shell", "/bin/sh", "--user-group", name).CombinedOutput()
	if err != nil {
		t.Fatalf("useradd: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		_ = exec.Command("crontab", "-u", name, "-r").Run()
		if out, err := exec.Command("userdel", name).CombinedOutput(); err != nil {
			t.Errorf("userdel %s: %v\n%s", name, err, out)
		}
	})
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return account{Name: name, Home: home, UID: uid, GID: gid}
}

// cronJob is one job line of a crontab or /etc/cron.d file.
type cronJob struct {
	Schedule string // the five fields
	User     string // cron.d files only
	Command  string
}

// cronTab is a parsed crontab: its environment lines, in order, and its jobs.
type cronTab struct {
	Env  [][2]string
	Jobs []cronJob
}

var envLine = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$`)

// parseCrontab reads a crontab (crontab(5)); withUser for /etc/cron.d files.
func parseCrontab(t *testing.T, text string, withUser bool) cronTab {
	t.Helper()
	var ct cronTab
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		if m := envLine.FindStringSubmatch(line); m != nil {
			ct.Env = append(ct.Env, [2]string{m[1], m[2]})
			continue
		}
		f := strings.Fields(trimmed)
		n := 5
		if withUser {
			n = 6
		}
		if len(f) <= n {
			t.Fatalf("crontab line without a command: %q", line)
		}
		// The command is the rest of the line as written (spaces kept).
		rest := trimmed
		for i := 0; i < n; i++ {
			rest = strings.TrimLeft(rest, " \t")
			rest = rest[strings.IndexAny(rest, " \t"):]
		}
		j := cronJob{Schedule: strings.Join(f[:5], " "), Command: strings.TrimSpace(rest)}
		if withUser {
			j.User = f[5]
		}
		ct.Jobs = append(ct.Jobs, j)
	}
	return ct
}

// job returns the one job whose command contains s.
func (ct cronTab) job(t *testing.T, s string) cronJob {
	t.Helper()
	var found []cronJob
	for _, j := range ct.Jobs {
		if strings.Contains(j.Command, s) {
			found = append(found, j)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one job running %q, found %d in %+v", s, len(found), ct.Jobs)
	}
	return found[0]
}

// envOf is the environment cron gives a job of u (cron(8): HOME, LOGNAME,
// SHELL=/bin/sh, PATH=/usr/bin:/bin), overridden by the crontab's lines.
func (ct cronTab) envOf(u account) []string {
	env := map[string]string{"HOME": u.Home, "LOGNAME": u.Name, "SHELL": "/bin/sh", "PATH": "/usr/bin:/bin"}
	order := []string{"HOME", "LOGNAME", "SHELL", "PATH"}
	for _, kv := range ct.Env {
		if _, ok := env[kv[0]]; !ok {
			order = append(order, kv[0])
		}
		env[kv[0]] = strings.Trim(kv[1], `"'`)
	}
	var out []string
	for _, k := range order {
		out = append(out, k+"="+env[k])
	}
	return out
}

// runAs runs a cron job's command as cron does: `/bin/sh -c COMMAND` as u,
// with the crontab's environment and nothing else.
func runAs(t *testing.T, u account, env []string, command string) (exit int, output string) {
	t.Helper()
	if strings.Contains(command, "%") {
		t.Fatalf("cron turns %% into a newline; the command has one: %q", command)
	}
	// Debian's /bin/sh is dash: no pipefail, so the jobs must fail through
	// their records, which is what these runs prove.
	if sh, err := filepath.EvalSymlinks("/bin/sh"); err != nil || filepath.Base(sh) != "dash" {
		t.Fatalf("/bin/sh is %q (%v), not dash as on Debian", sh, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	cmd.Env = env
	cmd.Dir = u.Home
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(u.UID), Gid: uint32(u.GID)}}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, buf.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), buf.String()
	}
	t.Fatalf("running %q: %v\n%s", command, err, buf.String())
	return 0, ""
}

// lastPing waits (up to d) until the check with slug has a finishing ping
// (success or fail) and returns it.
func lastPing(t *testing.T, hc *fakehc.Fake, slug string, d time.Duration) fakehc.Ping {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var got *fakehc.Ping
	err := hc.WaitFor(ctx, func() bool {
		uuid, ok := hc.UUIDBySlug(slug)
		if !ok {
			return false
		}
		ps := hc.Pings(uuid)
		for i := len(ps) - 1; i >= 0; i-- {
			if ps[i].Kind == "success" || ps[i].Kind == "fail" {
				p := ps[i]
				got = &p
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no finishing ping for %s within %s: %v (pings: %+v)", slug, d, err, hc.AllPings())
	}
	return *got
}

// pgEnvTCP is the libpq environment of the shared cluster for db over TCP on
// 127.0.0.1: its socket directory is the postgres user's alone, and the
// jobs run as throwaway users.
func pgEnvTCP(t *testing.T, db string) map[string]string {
	c := pgsandbox.Get(t)
	return map[string]string{
		"PGHOST": "127.0.0.1", "PGPORT": strconv.Itoa(c.Port), "PGUSER": c.User,
		"PGDATABASE": db, "PGSSLMODE": "disable",
	}
}

// keyFilesOwned fails t unless each key file a deploy writes under
// root/etc/cronkit is mode 0600 and owned by the cron user u.
func keyFilesOwned(t *testing.T, root string, u account) {
	t.Helper()
	for _, f := range []string{"hc-ping-key", "hc-api-key", "stathat-ezkey"} {
		st, err := os.Stat(filepath.Join(root, "etc/cronkit", f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 || int(st.Sys().(*syscall.Stat_t).Uid) != u.UID {
			t.Errorf("%s: mode %v uid %d, want 0600 owned by %s", f, st.Mode().Perm(), st.Sys().(*syscall.Stat_t).Uid, u.Name)
		}
	}
}

// installedJobsWork runs the jobs a deploy installed in ct as cron would,
// as u with only the crontab's variables: pgreport | statpost pings success
// and its metrics reach StatHat, then fails with Postgres down; the chart
// job publishes the PNG under root.
func installedJobsWork(t *testing.T, hc *fakehc.Fake, sh *fakestathat.Fake, u account, ct cronTab, root string) {
	t.Helper()
	job := ct.job(t, "pgreport -f metrics | statpost")
	if code, out := runAs(t, u, ct.envOf(u), job.Command); code != 0 {
		t.Fatalf("the installed job exited %d:\n%s", code, out)
	}
	if p := lastPing(t, hc, "db7-pgreport", 10*time.Second); p.Kind != "success" {
		t.Errorf("ping %s, want success; body:\n%s", p.Kind, p.Body)
	}
	if _, n := sh.Counts(); n == 0 {
		t.Errorf("no metrics reached StatHat (STATHAT_EZKEY missing from the job?)")
	}
	failsWithPostgresDown(t, hc, u, ct, job, "db7-pgreport")

	chart := ct.job(t, "chartd")
	if code, out := runAs(t, u, ct.envOf(u), chart.Command); code != 0 {
		t.Fatalf("the chart job exited %d:\n%s", code, out)
	}
	isChart(t, filepath.Join(root, "var/www/html/cronkit/pgreport.png"))
}

// failsWithPostgresDown runs an installed pgreport | statpost job with no
// server behind PGHOST: under dash there is no pipefail, so only the error
// record pgreport writes and statpost's refusal of it (or of empty input)
// make runwrap send the fail ping (issue 13; DESIGN.md section 1).
func failsWithPostgresDown(t *testing.T, hc *fakehc.Fake, u account, ct cronTab, job cronJob, slug string) {
	t.Helper()
	before := len(hc.AllPings())
	env := append(ct.envOf(u), "PGHOST="+filepath.Join(u.Home, "no-server-here"))
	code, out := runAs(t, u, env, job.Command)
	if code == 0 {
		t.Errorf("Postgres down: the job exited 0:\n%s", out)
	}
	p := lastPing(t, hc, slug, 10*time.Second)
	if len(hc.AllPings()) == before || p.Kind != "fail" {
		t.Errorf("Postgres down: last ping %s, want a new fail ping; body:\n%s", p.Kind, p.Body)
	}
	if !strings.Contains(string(p.Body), "pgreport") {
		t.Errorf("Postgres down: the fail ping's body does not say pgreport failed:\n%s", p.Body)
	}
}

// isChart fails t unless path is a PNG of the example's chart size (580x180
// at chartd's default scale 2), not chartd's error image.
func isChart(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Errorf("no chart published: %v", err)
		return
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 1160 || cfg.Height != 360 {
		t.Errorf("%s is not the 1160x360 chart (%dx%d, %v): the chart job failed", path, cfg.Width, cfg.Height, err)
	}
}

// noSecrets fails t if output shows any of the keys.
func noSecrets(t *testing.T, what, output string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if strings.Contains(output, k) {
			t.Errorf("%s printed a key", what)
		}
	}
}
