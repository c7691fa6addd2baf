package discover

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

// TestDropInVerifiedBySystemd: the drop-ins discover writes are read by the
// real systemd (systemd-analyze verify --root on the scratch root): the
// service still has one valid ExecStart= (quoting and prefixes kept), and
// the timer's OnCalendar is accepted. A drop-in with broken quoting is
// refused by the same check, so the check can fail.
func TestDropInVerifiedBySystemd(t *testing.T) {
	prog := testutil.NeedProgram(t, "systemd-analyze")
	root := scratch(t, map[string]string{
		"etc/systemd/system/report.timer":   "[Unit]\nDefaultDependencies=no\n[Timer]\nOnCalendar=Mon..Fri 06:30 Europe/Riga\n",
		"etc/systemd/system/report.service": "[Unit]\nDefaultDependencies=no\n[Service]\nType=oneshot\nExecStart=-/bin/sh -c 'echo \"a b\" | tr a-z A-Z; exit 0'\n",
	})
	live := false
	p, err := Scan(Options{Root: root, Host: "h", Systemd: true, Runwrap: "/usr/local/bin/runwrap", Live: &live})
	if err != nil || len(p.Problems) != 0 {
		t.Fatalf("scan: %v %v", err, p.Problems)
	}
	if _, err := p.Write(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	drop := filepath.Join(root, "etc/systemd/system/report.service.d", DropInName)
	b, err := os.ReadFile(drop)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "\nExecStart=-/usr/local/bin/runwrap --slug h-report -- /bin/sh -c 'echo \"a b\" | tr a-z A-Z; exit 0'\n") {
		t.Fatalf("drop-in:\n%s", b)
	}
	verify := func() (string, error) {
		cmd := exec.Command(prog, "verify", "--root="+root, "report.service", "report.timer")
		cmd.Env = append(os.Environ(), "SYSTEMD_LOG_COLOR=0")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(); err != nil {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The same check refuses a drop-in systemd cannot use.
	if err := os.WriteFile(drop, []byte("[Service]\nExecStart=\nExecStart=/usr/local/bin/runwrap \"unbalanced\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := verify(); err == nil {
		t.Fatalf("systemd-analyze verify accepted a broken drop-in:\n%s", out)
	}
}
