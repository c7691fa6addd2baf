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

// TestRealCrontabInstall installs a rewritten user crontab with Debian's
// real crontab(1) (package cron), as discover does on a live root, reads it
// back with crontab -l, then undoes it. It uses the system user nobody and
// refuses to touch a crontab nobody already has.
func TestRealCrontabInstall(t *testing.T) {
	prog := testutil.NeedProgram(t, "crontab")
	if os.Geteuid() != 0 {
		t.Skip("crontab -u needs root")
	}
	const user = "nobody"
	if err := exec.Command(prog, "-l", "-u", user).Run(); err == nil {
		t.Skipf("%s already has a crontab; not touching it", user)
	}
	t.Cleanup(func() { _ = exec.Command(prog, "-r", "-u", user).Run() })
	orig := "# nobody's jobs\nMAILTO=\"\"\n*/10 * * * * /usr/bin/env > /dev/null\n"
	root := scratch(t, map[string]string{"var/spool/cron/crontabs/" + user: orig})
	live := true
	o := Options{Root: root, Host: "h", Runwrap: "/usr/local/bin/runwrap", Live: &live}
	p, err := Scan(o)
	if err != nil {
		t.Fatal(err)
	}
	w, err := p.Write(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 1 || w[0].How != "installed with crontab -u nobody" {
		t.Fatalf("written: %+v", w)
	}
	got, err := exec.Command(prog, "-l", "-u", user).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "# nobody's jobs\nMAILTO=\"\"\n*/10 * * * * /usr/local/bin/runwrap --slug h-nobody-env -- sh -c '/usr/bin/env > /dev/null'\n"
	if string(got) != want {
		t.Errorf("crontab -l:\n%s\nwant\n%s", got, want)
	}
	if b, err := os.ReadFile(BackupPath(filepath.Join(root, "var/spool/cron/crontabs", user))); err != nil || string(b) != orig {
		t.Errorf("backup: %q, %v", b, err)
	}
	// crontab(1) also accepts every rewritten shape (its syntax check runs
	// on install); bad and nonewline hold what it refuses, on purpose.
	shapes, _ := filepath.Glob("testdata/shapes/*.crontab")
	for _, in := range shapes {
		if strings.HasSuffix(in, "/bad.crontab") || strings.HasSuffix(in, "/nonewline.crontab") {
			continue
		}
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		r := scratch(t, map[string]string{"etc/cron.d/x": string(data)})
		sp, err := Scan(Options{Root: r, Host: "h", Convert: true, Live: notLive()})
		if err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(t.TempDir(), "ct")
		if err := os.WriteFile(tmp, sp.Files[0].New(nil), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(prog, "-u", user, tmp).CombinedOutput(); err != nil {
			t.Errorf("crontab refuses the rewrite of %s: %v\n%s", in, err, out)
		}
	}
	if err := exec.Command(prog, "-u", user, filepath.Join(root, "var/spool/cron/crontabs", user)).Run(); err != nil {
		t.Fatal(err)
	}
	if _, err := Undo(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	got, _ = exec.Command(prog, "-l", "-u", user).Output()
	if string(got) != orig {
		t.Errorf("after undo crontab -l:\n%s\nwant\n%s", got, orig)
	}
}
