package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

const examples = "../scripts/examples"

func TestExampleAnsiblePlaybookSyntax(t *testing.T) {
	ap := testutil.NeedProgram(t, "ansible-playbook")
	cmd := exec.Command(ap, "--syntax-check", "-i", "localhost,", filepath.Join(examples, "ansible", "playbook.yml"))
	cmd.Env = append(os.Environ(), "ANSIBLE_LOCAL_TEMP="+t.TempDir(), "ANSIBLE_HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("syntax check failed: %v\n%s", err, out)
	}
}

func TestExampleFabfileCompiles(t *testing.T) {
	py := testutil.NeedProgram(t, "python3")
	cmd := exec.Command(py, "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", filepath.Join(examples, "fabfile.py"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fabfile.py does not parse: %v\n%s", err, out)
	}
}

// Every schedule in the example crontab passes hcctl's validation.
func TestExampleCrontabSchedules(t *testing.T) {
	f, err := os.Open(filepath.Join(examples, "crontab"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || strings.Contains(strings.SplitN(line, " ", 2)[0], "=") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 6 {
			t.Errorf("crontab line has no command: %q", line)
			continue
		}
		expr := strings.Join(fields[:5], " ")
		out, err := exec.Command(filepath.Join(binDir, "hcctl"), "cron", "check", expr).CombinedOutput()
		if err != nil {
			t.Errorf("hcctl cron check %q: %v\n%s", expr, err, out)
		}
		n++
	}
	if n != 4 {
		t.Errorf("checked %d schedules, want the example's 4", n)
	}
}

func TestExampleSystemdUnits(t *testing.T) {
	for _, name := range []string{"cronkit-pgreport.service", "cronkit-pgreport.timer"} {
		b, err := os.ReadFile(filepath.Join(examples, "systemd", name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, section := range []string{"[Unit]"} {
			if !strings.Contains(s, section) {
				t.Errorf("%s lacks %s", name, section)
			}
		}
		if strings.HasSuffix(name, ".service") && !strings.Contains(s, "ExecStart=/usr/local/bin/runwrap ") {
			t.Errorf("%s does not run runwrap", name)
		}
		if strings.HasSuffix(name, ".timer") && !strings.Contains(s, "OnCalendar=") {
			t.Errorf("%s has no OnCalendar", name)
		}
	}
}
