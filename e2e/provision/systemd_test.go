package provision

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil"
)

var units = []string{"cronkit-pgreport.service", "cronkit-pgreport.timer", "cronkit-chartd.service"}

// systemdRoot is a scratch root holding the example units, the binaries at
// their ExecStart paths, and the host's targets (sysinit.target...), so that
// `systemd-analyze --root` verifies them without a running systemd.
func systemdRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	copyFile := func(src, dst string, mode os.FileMode) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range units {
		copyFile(filepath.Join(examples, "systemd", u), filepath.Join(root, "etc/systemd/system", u), 0o644)
	}
	for _, b := range []string{"runwrap", "chartd"} {
		copyFile(filepath.Join(binDir, b), filepath.Join(root, "usr/local/bin", b), 0o755)
	}
	targets, _ := filepath.Glob("/usr/lib/systemd/system/*.target")
	if len(targets) == 0 {
		targets, _ = filepath.Glob("/lib/systemd/system/*.target")
	}
	for _, tg := range targets {
		copyFile(tg, filepath.Join(root, "usr/lib/systemd/system", filepath.Base(tg)), 0o644)
	}
	return root
}

// TestSystemd checks the example units with systemd-analyze (Debian's
// systemd 252; no running systemd needed): verify must pass with no warning
// at all (it exits 0 on unknown keys and bad values, only warning), the
// timer's OnCalendar must parse, and chartd's unit must score as hardened.
// Then chartd's ExecStart runs with the unit's Environment and answers.
func TestSystemd(t *testing.T) {
	t.Parallel()
	sa := testutil.NeedProgram(t, "systemd-analyze")
	root := systemdRoot(t)

	cmd := exec.Command(sa, append([]string{"verify", "--man=no", "--root=" + root}, units...)...)
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}

	// OnCalendar: every 5 minutes, as the crontab's */5.
	timer := unitFile(t, "cronkit-pgreport.timer")
	cal := timer.get("Timer", "OnCalendar")
	if len(cal) != 1 {
		t.Fatalf("OnCalendar %q", cal)
	}
	out, err = exec.Command(sa, "calendar", "--iterations=3", cal[0]).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Normalized form: *-*-* *:00/5:00") {
		t.Errorf("systemd-analyze calendar %q: %v\n%s", cal[0], err, out)
	}

	// chartd: the hardening the issue asks for, and systemd's own score of it.
	chartd := unitFile(t, "cronkit-chartd.service")
	for key, want := range map[string]string{"DynamicUser": "yes", "ProtectSystem": "strict", "NoNewPrivileges": "yes"} {
		if got := chartd.get("Service", key); len(got) != 1 || got[0] != want {
			t.Errorf("cronkit-chartd.service: %s=%q, want %s", key, got, want)
		}
	}
	out, err = exec.Command(sa, "security", "--offline=true", "--threshold=20", "--root="+root, "cronkit-chartd.service").CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security: exposure over 2.0 (OK is below 4): %v\n%s", err, tail(string(out), 20))
	}

	// The unit's command runs and listens where its Environment says.
	env := chartd.get("Service", "Environment")
	var listen string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "CHARTD_LISTEN="); ok {
			listen = v
		}
	}
	if listen == "" {
		t.Fatalf("cronkit-chartd.service sets no CHARTD_LISTEN (the port option): %q", env)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	exec1 := strings.Fields(chartd.get("Service", "ExecStart")[0])
	run := exec.Command(filepath.Join(root, exec1[0]), exec1[1:]...)
	run.Env = []string{"CHARTD_LISTEN=" + addr, "HOME=" + t.TempDir()}
	var log strings.Builder
	run.Stderr = &log
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer testutil.Stop(run, 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("/healthz: %s", resp.Status)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("chartd serve (the unit's ExecStart) did not answer on %s: %v\n%s", addr, err, log.String())
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// unit is a parsed unit file: section -> key -> values, in order.
type unit map[string]map[string][]string

func (u unit) get(section, key string) []string { return u[section][key] }

func unitFile(t *testing.T, name string) unit {
	t.Helper()
	f, err := os.Open(filepath.Join(examples, "systemd", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			section = strings.Trim(line, "[]")
			u[section] = map[string][]string{}
		default:
			k, v, _ := strings.Cut(line, "=")
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}
