package provision

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// TestAnsible runs the example playbook (Debian's ansible-core) for real,
// twice, over a local connection into a scratch root: the first run installs,
// the second reports changed=0; then the installed pgreport job runs as cron
// would run it and its ping and metrics arrive.
func TestAnsible(t *testing.T) {
	t.Parallel()
	ap := testutil.NeedProgram(t, "ansible-playbook")
	u := throwawayUser(t)
	hc := fakehc.Start(t, fakehc.Options{})
	sh, shURL := fakestathat.Start(t, fakestathat.Options{Keys: []string{"ezkey-ansible"}})
	pg := pgsandbox.Get(t)
	db := pg.CreateDB(t, "ansible")

	root := scratchDir(t, "cronkit-ansible-root-")
	env := pgEnvTCP(t, db)
	env["STATPOST_API_URL"] = shURL
	vars, _ := json.Marshal(map[string]any{
		"cronkit_root":    root,
		"cronkit_bin_src": binDir,
		"cronkit_user":    u.Name,
		"cronkit_hc_url":  hc.URL,
		"cronkit_env":     env,
		// Already root over a local connection: no sudo needed (or installed).
		"ansible_become": false,
	})
	inv := filepath.Join(t.TempDir(), "inventory")
	if err := os.WriteFile(inv, []byte("[db]\ndb7 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ansibleHome := t.TempDir()
	play := func() (changed int, out string) {
		t.Helper()
		cmd := exec.Command(ap, "-i", inv, filepath.Join(examples, "ansible", "playbook.yml"), "-e", string(vars))
		cmd.Env = append(os.Environ(),
			"HC_API_KEY="+fakehc.DefaultAPIKey,
			"HC_PING_KEY="+fakehc.DefaultPingKey,
			"STATHAT_EZKEY=ezkey-ansible",
			"PGDASH_API_KEY=", // no pgDash job
			"ANSIBLE_HOME="+ansibleHome, "ANSIBLE_LOCAL_TEMP="+filepath.Join(ansibleHome, "tmp"),
			"ANSIBLE_NOCOLOR=1", "ANSIBLE_PIPELINING=1")
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ansible-playbook: %v\n%s", err, b)
		}
		noSecrets(t, "ansible-playbook", string(b), fakehc.DefaultAPIKey, fakehc.DefaultPingKey, "ezkey-ansible")
		m := regexp.MustCompile(`(?m)^db7\s*:.*\bchanged=(\d+).*\bfailed=(\d+)`).FindStringSubmatch(string(b))
		if m == nil {
			t.Fatalf("no PLAY RECAP for db7 in:\n%s", b)
		}
		n, _ := strconv.Atoi(m[1])
		return n, string(b)
	}

	start := time.Now()
	if n, out := play(); n == 0 {
		t.Fatalf("first run changed nothing:\n%s", out)
	}
	t.Logf("first run: %s", time.Since(start).Round(time.Second))
	writes := hc.Writes()
	start = time.Now()
	if n, out := play(); n != 0 {
		t.Errorf("second run: changed=%d, want 0:\n%s", n, out)
	}
	t.Logf("second run: %s", time.Since(start).Round(time.Second))
	if hc.Writes() != writes {
		t.Errorf("second run wrote to Healthchecks %d times", hc.Writes()-writes)
	}

	// Keys are files of the cron user, mode 0600; the binaries are installed.
	for _, f := range []string{"hc-ping-key", "hc-api-key", "stathat-ezkey"} {
		p := filepath.Join(root, "etc/cronkit", f)
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 || int(st.Sys().(*syscall.Stat_t).Uid) != u.UID {
			t.Errorf("%s: mode %v uid %d, want 0600 owned by %s", f, st.Mode().Perm(), st.Sys().(*syscall.Stat_t).Uid, u.Name)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "etc/cronkit/pgdash-key")); !os.IsNotExist(err) {
		t.Errorf("pgdash-key written without a pgDash key: %v", err)
	}
	for _, b := range tools {
		if st, err := os.Stat(filepath.Join(root, "usr/local/bin", b)); err != nil || st.Mode().Perm() != 0o755 {
			t.Errorf("%s not installed 0755: %v", b, err)
		}
	}

	text, err := os.ReadFile(filepath.Join(root, "etc/cron.d/cronkit"))
	if err != nil {
		t.Fatal(err)
	}
	ct := parseCrontab(t, string(text), true)
	checkSchedules(t, "cron.d/cronkit", ct)

	// Every check has the schedule of its cron line.
	for _, j := range ct.Jobs {
		m := regexp.MustCompile(`--slug (\S+)`).FindStringSubmatch(j.Command)
		if m == nil {
			continue
		}
		uuid, ok := hc.UUIDBySlug(m[1])
		if !ok {
			t.Errorf("no check for %s", m[1])
			continue
		}
		if c, _ := hc.Check(uuid); c.Schedule != j.Schedule || c.TZ != "UTC" {
			t.Errorf("check %s: schedule %q tz %q, cron line %q", m[1], c.Schedule, c.TZ, j.Schedule)
		}
	}

	// The installed job runs, as its user, with only the cron file's variables.
	job := ct.job(t, "pgreport -f metrics | statpost")
	if job.User != u.Name {
		t.Errorf("job user %q, want %q", job.User, u.Name)
	}
	code, out := runAs(t, u, ct.envOf(u), job.Command)
	if code != 0 {
		t.Fatalf("the installed job exited %d:\n%s", code, out)
	}
	if p := lastPing(t, hc, "db7-pgreport", 10*time.Second); p.Kind != "success" {
		t.Errorf("ping %s, want success; body:\n%s", p.Kind, p.Body)
	}
	if _, n := sh.Counts(); n == 0 {
		t.Errorf("no metrics reached StatHat (STATHAT_EZKEY missing from the job?)")
	}
	failsWithPostgresDown(t, hc, u, ct, job, "db7-pgreport")

	// The chart job publishes a PNG through chartd -o.
	chart := ct.job(t, "chartd")
	if code, out := runAs(t, u, ct.envOf(u), chart.Command); code != 0 {
		t.Fatalf("the chart job exited %d:\n%s", code, out)
	}
	isChart(t, filepath.Join(root, "var/www/html/cronkit/pgreport.png"))
}
