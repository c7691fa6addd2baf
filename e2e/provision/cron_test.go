package provision

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
	"github.com/cronkit/cronkit/lib/testutil/pgsandbox"
)

// exampleCrontab renders scripts/examples/crontab for a scratch root: its
// paths moved under root, PATH on the test's binaries, env set or added
// (after PATH), and the jobs whose command contains one of now rescheduled
// to every minute. Everything else stays as shipped.
func exampleCrontab(t *testing.T, root string, env map[string]string, now ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(examples, "crontab"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, p := range []string{"/etc/cronkit/", "/var/www/html/cronkit", "/var/backups/postgresql"} {
		text = strings.ReplaceAll(text, p, root+p)
	}
	env = mapsClone(env)
	env["PATH"] = binDir + ":/usr/bin:/bin"
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if m := envLine.FindStringSubmatch(line); m != nil && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			if v, ok := env[m[1]]; ok {
				line = m[1] + "=" + v
				delete(env, m[1])
			}
			out = append(out, line)
			if m[1] == "PATH" {
				for k, v := range env {
					if !regexp.MustCompile(`(?m)^` + k + `=`).MatchString(text) {
						out = append(out, k+"="+v)
						delete(env, k)
					}
				}
			}
			continue
		}
		for _, s := range now {
			if f := strings.Fields(line); len(f) > 5 && !strings.HasPrefix(line, "#") && strings.Contains(line, s) {
				line = "* * * * * " + strings.Join(f[5:], " ")
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func mapsClone(m map[string]string) map[string]string {
	c := map[string]string{}
	for k, v := range m {
		c[k] = v
	}
	return c
}

// writeKeys writes the key files the example crontab reads (mode 0600,
// owned by u) and the directories its jobs write to (owned by u).
func writeKeys(t *testing.T, root string, u account, keys map[string]string) {
	t.Helper()
	etc := filepath.Join(root, "etc/cronkit")
	for _, d := range []string{etc, filepath.Join(root, "var/www/html/cronkit"), filepath.Join(root, "var/backups/postgresql")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{filepath.Join(root, "var/www/html/cronkit"), filepath.Join(root, "var/backups/postgresql")} {
		if err := os.Chown(d, u.UID, u.GID); err != nil {
			t.Fatal(err)
		}
	}
	for name, key := range keys {
		p := filepath.Join(etc, name)
		if err := os.WriteFile(p, []byte(key+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, u.UID, u.GID); err != nil {
			t.Fatal(err)
		}
	}
}

// startCron starts Debian's cron daemon in the foreground, unless one is
// already running (there can be only one: /run/crond.pid); either way it
// reads the crontabs `crontab -u` installs.
func startCron(t *testing.T) {
	t.Helper()
	cron := testutil.NeedProgram(t, "/usr/sbin/cron", "cron")
	if b, err := os.ReadFile("/run/crond.pid"); err == nil {
		if pid, _ := strconv.Atoi(strings.TrimSpace(string(b))); pid > 0 {
			if comm, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); strings.TrimSpace(string(comm)) == "cron" {
				t.Logf("using the cron daemon already running (pid %d)", pid)
				return
			}
		}
	}
	cmd := exec.Command(cron, "-f", "-L", "15")
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		testutil.Stop(cmd, 5*time.Second)
		if t.Failed() {
			t.Logf("cron's output:\n%s", log.String())
		}
	})
}

// TestCronDaemon installs the example crontab with `crontab -u` for a
// throwaway user and lets Debian's cron run it: the pgreport job (rescheduled
// to every minute) pings the fake Healthchecks with success after posting
// metrics to the fake StatHat, and the chart job publishes its PNG through
// chartd -o. cron starts jobs at the top of a minute, so this takes up to
// about 80 s; the test polls, with a deadline of 150 s.
func TestCronDaemon(t *testing.T) {
	t.Parallel()
	needRoot(t)
	crontab := testutil.NeedProgram(t, "crontab")
	u := throwawayUser(t)
	hc := fakehc.Start(t, fakehc.Options{})
	sh, shURL := fakestathat.Start(t, fakestathat.Options{Keys: []string{"ezkey-cron"}})
	pg := pgsandbox.Get(t)
	db := pg.CreateDB(t, "cron")
	root := scratchDir(t, "cronkit-cron-root-")

	// The checks exist (hcctl ensure's job in the fabfile and the role), and
	// the pgreport check has two earlier runs to chart.
	hc.AddCheck(fakehc.Spec{Name: "db7-pgreport", Slug: "db7-pgreport", Schedule: "*/5 * * * *", TZ: "UTC"})
	for i := 0; i < 2; i++ {
		for _, kind := range []string{"/start", ""} {
			resp, err := http.Get(hc.URL + "/ping/" + fakehc.DefaultPingKey + "/db7-pgreport" + kind)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}

	writeKeys(t, root, u, map[string]string{
		"hc-ping-key":   fakehc.DefaultPingKey,
		"hc-api-key":    fakehc.DefaultAPIKey,
		"stathat-ezkey": "ezkey-cron",
	})
	env := pgEnvTCP(t, db)
	env["HC_API_URL"] = hc.URL
	env["STATPOST_API_URL"] = shURL
	text := exampleCrontab(t, root, env, "db7-pgreport --timeout", "chartd")
	file := filepath.Join(t.TempDir(), "crontab")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(crontab, "-u", u.Name, file).CombinedOutput(); err != nil {
		t.Fatalf("crontab -u %s: %v\n%s", u.Name, err, out)
	}
	startCron(t)

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	uuid, _ := hc.UUIDBySlug("db7-pgreport")
	var got fakehc.Ping
	err := hc.WaitFor(ctx, func() bool {
		for _, p := range hc.Pings(uuid) {
			if strings.HasPrefix(p.UserAgent, "runwrap/") && (p.Kind == "success" || p.Kind == "fail") {
				got = p
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("cron did not run the pgreport job within 150 s: %v\ncrontab:\n%s", err, text)
	}
	if got.Kind != "success" {
		t.Errorf("the job's ping is %s, want success; body:\n%s", got.Kind, got.Body)
	}
	if _, n := sh.Counts(); n == 0 {
		t.Errorf("no metrics reached StatHat")
	}

	// The chart job ran in the same minute or runs in the next.
	png := filepath.Join(root, "var/www/html/cronkit/pgreport.png")
	for {
		if _, err := os.Stat(png); err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("cron's chart job published no PNG at %s", png)
		}
		time.Sleep(250 * time.Millisecond) // polling a file with a deadline
	}
	isChart(t, png)
}
