package provision

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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
	keyFilesOwned(t, root, u)
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

	// The installed jobs run, as their user, with only the cron file's variables.
	if job := ct.job(t, "pgreport -f metrics | statpost"); job.User != u.Name {
		t.Errorf("job user %q, want %q", job.User, u.Name)
	}
	installedJobsWork(t, hc, sh, u, ct, root)
}
