package discover

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/testutil"
)

// scratch makes a root holding files (path under the root -> content).
func scratch(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		abs := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func notLive() *bool { f := false; return &f }

// render is what the golden files hold: the rewritten file, then one line
// per job and per problem.
func render(p *Plan) string {
	var b strings.Builder
	for _, f := range p.Files {
		fmt.Fprintf(&b, "=== %s (%s)\n", f.Path, f.Kind)
		b.Write(f.New(nil))
		if d := f.Diff(nil); d != "" {
			b.WriteString("=== diff\n" + d)
		}
	}
	b.WriteString("=== jobs\n")
	for _, j := range p.Jobs {
		fmt.Fprintf(&b, "%s:%d %s user=%s slug=%s schedule=%q tz=%s grace=%d tags=%v", j.File, j.Line, j.State, j.User, j.Slug, j.Schedule, j.TZ, j.Grace, j.Tags)
		if j.Note != "" {
			fmt.Fprintf(&b, " note=%q", j.Note)
		}
		fmt.Fprintf(&b, " command=%q\n", j.Command)
	}
	b.WriteString("=== problems\n")
	for _, pr := range p.Problems {
		b.WriteString(pr.String() + "\n")
	}
	return b.String()
}

// TestShapes: every line shape of testdata/shapes/*.crontab, read as an
// /etc/cron.d file, against testdata/shapes/*.golden (go test -update
// rewrites them). The shapes follow the issue and cronitor-discover.md
// (what Cronitor gets wrong: whitespace, double wraps, %).
func TestShapes(t *testing.T) {
	files, _ := filepath.Glob("testdata/shapes/*.crontab")
	if len(files) == 0 {
		t.Fatal("no shapes")
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".crontab")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			root := scratch(t, map[string]string{"etc/cron.d/" + name: string(data), "etc/timezone": "Europe/Berlin\n"})
			p, err := Scan(Options{Root: root, Host: "web1", Runwrap: "/usr/local/bin/runwrap", Convert: name == "wrapped", Live: notLive()})
			if err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, "testdata/shapes/"+name+".golden", []byte(render(p)))
			for _, j := range p.Jobs {
				if j.Slug != "" && !validSlug(j.Slug) {
					t.Errorf("slug %q is not ^[a-z0-9-_]+$", j.Slug)
				}
			}
		})
	}
}

// TestWrappedCommandsRunTheSame runs each rewritten shell line under sh
// with a stand-in runwrap that execs what follows "--": the output must be
// the original command's (quoting kept the meaning).
func TestWrappedCommandsRunTheSame(t *testing.T) {
	dir := t.TempDir()
	stub := filepath.Join(dir, "runwrap")
	if err := os.WriteFile(stub, []byte("#!/bin/sh\nwhile [ \"$1\" != -- ]; do shift; done\nshift\nexec \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{
		`echo plain`,
		`echo 'it'\''s' "a  b" | tr a-z A-Z`,
		`cd / && pwd`,
		`x=1; echo "$x" $((1+2))`,
		`FOO=bar sh -c 'echo $FOO'`,
		`echo "don't" 'say "no"' \$HOME`,
		`test -d / && echo dir || echo none`,
		`echo a; echo b >&2`,
		"echo `echo back`",
		`for i in 1 2; do echo $i; done`,
	} {
		run := func(c string) string {
			out, err := exec.Command("sh", "-c", c).CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v: %s", c, err, out)
			}
			return string(out)
		}
		want := run(cmd)
		wrapped := wrapCommand(stub, "s", cmd, "")
		if got := run(wrapped); got != want {
			t.Errorf("%s\n wrapped %s\n gives %q, want %q", cmd, wrapped, got, want)
		}
		if r := recognise(wrapped); r.kind != "runwrap" || r.slug != "s" || r.inner != cmd {
			t.Errorf("recognise(%s) = %+v", wrapped, r)
		}
	}
}

// TestApplyRerunUndo: writing rewrites the files with backups beside them;
// a second scan plans nothing (files byte-identical, every job wrapped);
// Undo puts every byte back and removes the drop-in.
func TestApplyRerunUndo(t *testing.T) {
	shapes, _ := os.ReadFile("testdata/shapes/shell.crontab")
	orig := map[string]string{
		"etc/crontab":                                   "SHELL=/bin/sh\n17 * * * * root /usr/bin/hourly-thing\n",
		"etc/cron.d/shell":                              string(shapes),
		"var/spool/cron/crontabs/alice":                 "# alice's\n*/15 * * * * /home/alice/bin/sync --fast\n",
		"etc/systemd/system/backup.timer":               "[Timer]\nOnCalendar=Mon..Fri 02:00\nOnCalendar=Sat 04:00 Europe/Riga\n",
		"lib/systemd/system/backup.service":             "[Service]\nType=oneshot\nExecStart=-/usr/bin/backup --all\n",
		"lib/systemd/system/fstrim.timer":               "[Timer]\nOnCalendar=weekly\n",
		"lib/systemd/system/fstrim.service":             "[Service]\nExecStart=/sbin/fstrim -av\n",
		"lib/systemd/system/boot.timer":                 "[Timer]\nOnBootSec=5min\n",
		"etc/timezone":                                  "UTC\n",
		"etc/cron.d/.shell.hcctl-orig-not-ours.example": "ignored: dot file\n",
	}
	root := scratch(t, orig)
	o := Options{Root: root, Host: "web1", Runwrap: "/usr/local/bin/runwrap", Systemd: true, Live: notLive()}
	p, err := Scan(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) != 0 {
		t.Fatalf("problems: %v", p.Problems)
	}
	written, err := p.Write(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 5 { // crontab, cron.d/shell, alice, two drop-ins
		t.Fatalf("written: %+v", written)
	}
	snapshot := func() map[string]string {
		m := map[string]string{}
		_ = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() {
				b, _ := os.ReadFile(path)
				m[strings.TrimPrefix(path, root+"/")] = string(b)
			}
			return nil
		})
		return m
	}
	after := snapshot()
	if after["etc/.crontab.hcctl-orig"] != orig["etc/crontab"] {
		t.Errorf("no backup of /etc/crontab beside it")
	}
	drop := after["etc/systemd/system/backup.service.d/"+DropInName]
	if !strings.Contains(drop, "ExecStart=\nExecStart=-/usr/local/bin/runwrap --slug web1-backup -- /usr/bin/backup --all\n") {
		t.Errorf("drop-in:\n%s", drop)
	}
	if after["lib/systemd/system/backup.service"] != orig["lib/systemd/system/backup.service"] {
		t.Errorf("the vendor unit was edited")
	}
	// Rerun: nothing to write, every monitored job already wrapped.
	p2, err := Scan(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p2.Files {
		if f.Changes(nil) {
			t.Errorf("rerun would change %s:\n%s", f.Path, f.Diff(nil))
		}
	}
	var slugs1, slugs2 []string
	for _, j := range p.Jobs {
		if j.Monitored() {
			slugs1 = append(slugs1, j.Slug+" "+j.Schedule+" "+j.TZ)
		}
	}
	for _, j := range p2.Jobs {
		if j.Monitored() {
			if j.State != StateWrapped {
				t.Errorf("rerun: %s:%d is %s", j.File, j.Line, j.State)
			}
			slugs2 = append(slugs2, j.Slug+" "+j.Schedule+" "+j.TZ)
		}
	}
	if strings.Join(slugs1, "\n") != strings.Join(slugs2, "\n") {
		t.Errorf("checks differ on the rerun:\n%s\nvs\n%s", slugs1, slugs2)
	}
	if w, err := p2.Write(context.Background(), nil); err != nil || len(w) != 0 {
		t.Errorf("rerun wrote %v, %v", w, err)
	}
	if again := snapshot(); fmt.Sprint(again) != fmt.Sprint(after) {
		t.Errorf("rerun changed files")
	}
	// Undo: back to the original bytes, no backups or drop-ins left.
	if _, err := Undo(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	final := snapshot()
	want := map[string]string{}
	for k, v := range orig {
		want[k] = v
	}
	if fmt.Sprint(final) != fmt.Sprint(want) {
		t.Errorf("after undo:\n%v\nwant\n%v", final, want)
	}
}

// TestWriteOnlyExistingChecks: a job whose check could not be created is
// not rewritten.
func TestWriteOnlyExistingChecks(t *testing.T) {
	root := scratch(t, map[string]string{"etc/crontab": "0 1 * * * root /a\n0 2 * * * root /b\n"})
	p, err := Scan(Options{Root: root, Host: "h", Live: notLive()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Write(context.Background(), func(s string) bool { return s == "h-root-b" }); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(root, "etc/crontab"))
	if want := "0 1 * * * root /a\n0 2 * * * root runwrap --slug h-root-b -- /b\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCRLFKept: a crontab with CRLF line ends keeps them on rewritten lines.
func TestCRLFKept(t *testing.T) {
	root := scratch(t, map[string]string{"etc/crontab": "# dos\r\n0 1 * * * root /a\r\n"})
	p, err := Scan(Options{Root: root, Host: "h", Live: notLive()})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(p.Files[0].New(nil)); got != "# dos\r\n0 1 * * * root runwrap --slug h-root-a -- /a\r\n" {
		t.Errorf("got %q", got)
	}
}

func TestUnifiedDiff(t *testing.T) {
	a := []byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n")
	b := bytes.Replace(bytes.Replace(a, []byte("2\n"), []byte("two\n"), 1), []byte("11\n"), []byte("eleven\n"), 1)
	want := "--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+eleven\n 12\n"
	if got := unifiedDiff("a", "b", a, b); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := unifiedDiff("/dev/null", "b", nil, []byte("x\ny")); got != "--- /dev/null\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n\\ No newline at end of file\n" {
		t.Errorf("new file:\n%s", got)
	}
}

func TestDeriveSlug(t *testing.T) {
	for _, v := range []struct{ host, user, cmd, want string }{
		{"web1", "root", "/usr/local/bin/backup.sh --full > /var/log/b.log 2>&1", "web1-root-backup-sh-full"},
		{"Web1.example.com", "postgres", "cd /srv && FOO=1 ./job.sh | tee out", "web1-example-com-postgres-job-sh"},
		{"h", "u", "/usr/bin/mail -s x%body", "h-u-mail-s-x"},
		{"h", "u", ">/dev/null", "h-u-null"},
		{"h", "u", "sh -c 'x'", "h-u-x"},
		{"h", "u", strings.Repeat("verylongword ", 20), "h-u-verylongword-verylongword-verylongword-verylongword-verylong"},
	} {
		if got := deriveSlug(v.host, v.user, v.cmd); got != v.want || !validSlug(got) {
			t.Errorf("deriveSlug(%q, %q, %q) = %q, want %q", v.host, v.user, v.cmd, got, v.want)
		}
	}
}

// TestUnreadableSpoolIsAProblem: a spool directory discover cannot read
// (not root on a live system; here: not a directory at all) is reported,
// not silently skipped.
func TestUnreadableSpoolIsAProblem(t *testing.T) {
	root := scratch(t, map[string]string{"var/spool/cron/crontabs": "not a directory\n"})
	p, err := Scan(Options{Root: root, Host: "h", Live: notLive()})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) != 1 || p.Problems[0].File != "/var/spool/cron/crontabs" {
		t.Errorf("problems: %v", p.Problems)
	}
}

// A runitor line is left alone without Options.Convert; the plan says
// whether converting it is possible (a -slug line) and leaves the wording of
// that hint, in hcctl's flags, to the command (issue 18: libraries don't
// know the commands).
func TestRunitorLineConvertible(t *testing.T) {
	root := scratch(t, map[string]string{"etc/timezone": "Europe/Berlin\n", "etc/cron.d/r": "" +
		"0 * * * * root runitor -slug nightly -- /bin/x\n" +
		"0 * * * * root runitor -uuid 5f1c2b8e-1111-4222-8333-444455556666 -- /bin/y\n"})
	p, err := Scan(Options{Root: root, Host: "web1", Runwrap: "/usr/local/bin/runwrap", Live: notLive()})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Jobs) != 2 {
		t.Fatalf("jobs %+v", p.Jobs)
	}
	for i, want := range []bool{true, false} {
		j := p.Jobs[i]
		if j.State != StateRunitor || j.Convert != want || strings.Contains(j.Note, "--") {
			t.Errorf("line %d: state %s, Convert %v, note %q; want runitor, Convert %v, a note naming no hcctl flag", j.Line, j.State, j.Convert, j.Note, want)
		}
	}
}
