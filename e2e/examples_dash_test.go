package e2e

import (
	"bufio"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

// examples is scripts/examples (run for real by e2e/provision).
const examples = "../scripts/examples"

// exampleJobs returns the pgreport | statpost job lines of the crontab,
// systemd and Ansible examples, as a shell would be given them.
func exampleJobs(t *testing.T) map[string]string {
	t.Helper()
	read := func(name string) []string {
		b, err := os.ReadFile(filepath.Join(examples, name))
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); strings.Contains(l, "pgreport -f metrics") && strings.Contains(l, "statpost") && !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		if len(lines) != 1 {
			t.Fatalf("%s: %d pgreport | statpost jobs, want 1: %q", name, len(lines), lines)
		}
		return lines
	}
	jobs := map[string]string{}
	// crontab: the command after the five schedule fields.
	f := strings.Fields(read("crontab")[0])
	jobs["crontab"] = strings.Join(f[5:], " ")
	// systemd: ExecStart= runs the binary by its absolute path (no shell;
	// systemd's quoting of this line is the shell's).
	l := read("systemd/cronkit-pgreport.service")[0]
	jobs["systemd"] = strings.Replace(strings.TrimPrefix(l, "ExecStart="), "/usr/local/bin/runwrap", "runwrap", 1)
	// Ansible: the role's cron.d template, after its schedule and user
	// columns, host name templated.
	l = read("ansible/roles/cronkit/templates/cronkit.cron.j2")[0]
	l = strings.TrimPrefix(l, "{{ s.pgreport }} {{ cronkit_user }} ")
	jobs["ansible"] = strings.ReplaceAll(l, "{{ cronkit_name }}", "db7")
	for name, j := range jobs {
		if !strings.HasPrefix(j, "runwrap --slug db7-pgreport ") {
			t.Fatalf("%s: job %q does not run runwrap --slug db7-pgreport", name, j)
		}
	}
	return jobs
}

var lockFlag = regexp.MustCompile(`--lock \S+`)

// Issue 13 item 1: the examples' pgreport | statpost jobs, run by dash as
// cron (SHELL=/bin/sh) would, report a failure to Healthchecks when Postgres
// is down, and a success when it is up.
func TestExampleJobsFailUnderDash(t *testing.T) {
	dash := testutil.NeedProgram(t, "dash")
	if len(pgEnv) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("no PostgreSQL")
		}
		t.Skip("no PostgreSQL (CI installs it and fails instead of skipping)")
	}
	if sh, err := filepath.EvalSymlinks("/bin/sh"); err != nil || filepath.Base(sh) != "dash" {
		t.Fatalf("/bin/sh is %q (%v), not dash: the examples run under dash on Debian", sh, err)
	}
	for name, job := range exampleJobs(t) {
		t.Run(name, func(t *testing.T) {
			hc := fakehc.New(fakehc.Options{})
			hsrv := httptest.NewServer(hc)
			defer hsrv.Close()
			hc.URL = hsrv.URL
			uuid := hc.AddCheck(fakehc.Spec{Name: "db7-pgreport", Slug: "db7-pgreport"})
			sh := fakestathat.New(fakestathat.Options{})
			ssrv := httptest.NewServer(sh.Handler())
			defer func() { sh.Close(); ssrv.Close() }()

			dir := t.TempDir()
			// The lock file of the crontab example, moved out of the shared /tmp.
			job := lockFlag.ReplaceAllString(job, "--lock "+filepath.Join(dir, "job.lock"))
			run := func(pg []string) (string, error) {
				cmd := exec.Command(dash, "-c", job)
				cmd.Dir = dir
				cmd.Env = append([]string{
					"PATH=" + binDir + ":/usr/bin:/bin", "HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"),
					"XDG_STATE_HOME=" + filepath.Join(dir, ".state"),
					"HC_PING_KEY=" + fakehc.DefaultPingKey, "RUNWRAP_API_URL=" + hsrv.URL + "/ping",
					"STATHAT_EZKEY=e2e-ezkey", "STATPOST_API_URL=" + ssrv.URL,
				}, pg...)
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			last := func() fakehc.Ping {
				ps := hc.Pings(uuid)
				if len(ps) == 0 {
					t.Fatal("no pings")
				}
				return ps[len(ps)-1]
			}

			out, err := run(pgEnv)
			if err != nil {
				t.Fatalf("Postgres up: %v\n%s", err, out)
			}
			if p := last(); p.Kind != "success" || len(sh.Points()) == 0 {
				t.Fatalf("Postgres up: last ping %s, %d points\n%s", p.Kind, len(sh.Points()), out)
			}

			// Down: no server behind the socket directory.
			down := append(append([]string{}, pgEnv...), "PGHOST="+filepath.Join(dir, "no-server"))
			out, err = run(down)
			if err == nil {
				t.Fatalf("Postgres down: the job exited 0\n%s", out)
			}
			p := last()
			if p.Kind != "fail" {
				t.Fatalf("Postgres down: last ping %s, want fail\n%s", p.Kind, out)
			}
			for _, want := range []string{"pgreport: connection to server", "statpost: stdin:1: pgreport failed: connection to server"} {
				if !strings.Contains(string(p.Body), want) {
					t.Errorf("Postgres down: the fail ping's body lacks %q:\n%s", want, p.Body)
				}
			}
		})
	}
}
