package provision

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// checkSchedules runs `hcctl cron check` on every job schedule of ct.
func checkSchedules(t *testing.T, what string, ct cronTab) {
	t.Helper()
	if len(ct.Jobs) == 0 {
		t.Errorf("%s: no jobs", what)
	}
	for _, j := range ct.Jobs {
		checkSchedule(t, what, j.Schedule)
	}
}

func checkSchedule(t *testing.T, what, expr string) {
	t.Helper()
	if out, err := exec.Command(filepath.Join(binDir, "hcctl"), "cron", "check", expr).CombinedOutput(); err != nil {
		t.Errorf("%s: hcctl cron check %q: %v\n%s", what, expr, err, out)
	}
}

// TestExampleSchedules: every schedule in every example passes hcctl's cron
// validation: the crontab's lines, the Ansible role's checks (which its
// cron.d template also uses; TestAnsible checks the rendered file too), and a
// scheduled CI trigger. The fabfile takes its schedules from the crontab;
// systemd's OnCalendar is checked by TestSystemd with systemd-analyze.
func TestExampleSchedules(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(examples, "crontab"))
	if err != nil {
		t.Fatal(err)
	}
	ct := parseCrontab(t, string(b), false)
	if len(ct.Jobs) != 4 {
		t.Errorf("crontab: %d jobs, want the example's 4", len(ct.Jobs))
	}
	checkSchedules(t, "crontab", ct)

	var defaults struct {
		Checks []struct{ Job, Schedule string } `yaml:"cronkit_checks"`
	}
	readYAML(t, filepath.Join(examples, "ansible/roles/cronkit/defaults/main.yml"), &defaults)
	if len(defaults.Checks) != 3 {
		t.Errorf("ansible: %d checks, want 3", len(defaults.Checks))
	}
	for _, c := range defaults.Checks {
		checkSchedule(t, "ansible cronkit_checks "+c.Job, c.Schedule)
	}

	// A scheduled CI workflow's cron lines (GitHub's on.schedule).
	var gh struct {
		On struct {
			Schedule []struct{ Cron string }
		}
	}
	readYAML(t, filepath.Join(examples, "ci/github-actions.yml"), &gh)
	for _, s := range gh.On.Schedule {
		checkSchedule(t, "github-actions on.schedule", s.Cron)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
