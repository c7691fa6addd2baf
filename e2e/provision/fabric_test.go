package provision

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// TestFabric deploys with the example fabfile (Debian's Fabric 2.6) over a
// real sshd on 127.0.0.1, as root with a throwaway key, into a scratch root,
// for a throwaway cron user; twice: the second run changes nothing (no file
// rewritten, no crontab installed, no Healthchecks write). Then the
// installed crontab's pgreport job runs with what the deploy put there.
func TestFabric(t *testing.T) {
	t.Parallel()
	fab := testutil.NeedProgram(t, "fab")
	u := throwawayUser(t)
	ssh := startSSHD(t)
	hc := fakehc.Start(t, fakehc.Options{})
	sh, shURL := fakestathat.Start(t, fakestathat.Options{Keys: []string{"ezkey-fabric"}})
	pg := pgsandbox.Get(t)
	db := pg.CreateDB(t, "fabric")
	root := scratchDir(t, "cronkit-fabric-root-")

	var env []string
	for k, v := range pgEnvTCP(t, db) {
		env = append(env, k+"="+v)
	}
	env = append(env, "STATPOST_API_URL="+shURL)
	home := t.TempDir() // no ~/.ssh of the machine's: no agent keys, no known_hosts
	deploy := func() string {
		t.Helper()
		cmd := exec.Command(fab, "-r", examples, "-H", fmt.Sprintf("root@127.0.0.1:%d", ssh.Port), "-i", ssh.ClientKey,
			"-t", "10", "deploy", "--name", "db7", "--cron-user", u.Name, "--root", root, "--bin-dir", binDir,
			"--hc-url", hc.URL, "--env", strings.Join(env, ","))
		cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8",
			"HC_API_KEY=" + fakehc.DefaultAPIKey, "HC_PING_KEY=" + fakehc.DefaultPingKey, "STATHAT_EZKEY=ezkey-fabric"}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("fab deploy: %v\n%s", err, out)
		}
		noSecrets(t, "fab deploy", string(out), fakehc.DefaultAPIKey, fakehc.DefaultPingKey, "ezkey-fabric")
		return string(out)
	}
	changed := regexp.MustCompile(`(?m)^cronkit: (\d+) changed$`)

	out := deploy()
	if m := changed.FindStringSubmatch(out); m == nil || m[1] == "0" {
		t.Fatalf("first deploy: want changes reported, got:\n%s", out)
	}
	before := snapshot(t, root)
	crontab1 := crontabOf(t, u.Name)
	writes := hc.Writes()

	out = deploy()
	if m := changed.FindStringSubmatch(out); m == nil || m[1] != "0" {
		t.Errorf("second deploy: want 0 changed, got:\n%s", out)
	}
	if after := snapshot(t, root); after != before {
		t.Errorf("second deploy touched files:\nbefore %s\nafter  %s", before, after)
	}
	if c := crontabOf(t, u.Name); c != crontab1 {
		t.Errorf("second deploy changed the crontab")
	}
	if hc.Writes() != writes {
		t.Errorf("second deploy wrote to Healthchecks %d times", hc.Writes()-writes)
	}

	// Secrets are files of the cron user, mode 0600.
	keyFilesOwned(t, root, u)
	// The checks were registered from the controller, with their slugs.
	for _, slug := range []string{"db7-pgreport", "db7-backup"} {
		if _, ok := hc.UUIDBySlug(slug); !ok {
			t.Errorf("no check %s", slug)
		}
	}
	if _, ok := hc.UUIDBySlug("db7-pgdash"); ok {
		t.Errorf("a pgdash check without a pgDash key")
	}

	ct := parseCrontab(t, crontab1, false)
	checkSchedules(t, "fabric crontab", ct)
	for _, name := range []string{"HC_PING_KEY", "STATHAT_EZKEY", "HC_API_KEY", "HC_API_URL"} {
		if !strings.Contains(crontab1, "\n"+name+"=") {
			t.Errorf("installed crontab lacks %s:\n%s", name, crontab1)
		}
	}
	for _, j := range ct.Jobs {
		if strings.Contains(j.Command, "push") {
			t.Errorf("pgDash job installed without a pgDash key: %s", j.Command)
		}
	}
	installedJobsWork(t, hc, sh, u, ct, root)
}

// snapshot lists every file under root with its inode, mtime, mode and owner.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		s := st.Sys().(*syscall.Stat_t)
		fmt.Fprintf(&b, "%s ino=%d mtime=%d mode=%v uid=%d\n", strings.TrimPrefix(p, root), s.Ino, st.ModTime().UnixNano(), st.Mode(), s.Uid)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func crontabOf(t *testing.T, user string) string {
	t.Helper()
	out, err := exec.Command("crontab", "-u", user, "-l").CombinedOutput()
	if err != nil {
		t.Fatalf("crontab -u %s -l: %v\n%s", user, err, out)
	}
	return string(out)
}
