package hcctl

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/discover"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

const crontab = `SHELL=/bin/sh
# m h dom mon dow user	command
*/5 *	* * *	root	/usr/local/bin/backup.sh --full
@reboot		root	/usr/local/bin/warm-cache
0 0 31 2 *	root	/usr/local/bin/never
`

// discoverRoot is a scratch host: its zone and /etc/crontab.
func discoverRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"etc/timezone": "Europe/Riga\n", "etc/crontab": crontab} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// The dry run sends and writes nothing; --apply creates the check and
// rewrites the line; the rerun writes nothing; --undo puts the file back.
// The line that cannot be read makes every run partial.
func TestRunDiscover(t *testing.T) {
	f, _ := startFake(t)
	root := discoverRoot(t)
	ctx := context.Background()
	run := func(o DiscoverOptions) (*testEnv, error) {
		e := newEnv(t, f, fakehc.DefaultAPIKey)
		o.Env, o.Root, o.Host, o.Runwrap, o.Grace, o.Concurrency = e.Env, root, "web1", "/usr/local/bin/runwrap", time.Hour, 2
		return e, RunDiscover(ctx, o)
	}
	read := func() string {
		b, err := os.ReadFile(filepath.Join(root, "etc/crontab"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	e, err := run(DiscoverOptions{})
	if kindOf(err) != Partial || f.Writes() != 0 || f.Count(fakehc.Kind("list")) != 0 || read() != crontab {
		t.Fatalf("dry run: %v, %d writes, %v", err, f.Writes(), f.Counts())
	}
	for _, want := range []string{"host web1: 1 jobs to monitor, 1 left alone, 1 lines skipped (tags: web1)\n",
		"  web1-root-backup-sh-full  /etc/crontab:3\n", "  - /etc/crontab:4: @reboot", "\ndry run: nothing written"} {
		if !strings.Contains(e.out.String(), want) {
			t.Errorf("dry run: no %q in\n%s", want, e.out)
		}
	}
	if !strings.Contains(e.errb.String(), "hcctl: /etc/crontab:5: ") || !strings.Contains(e.errb.String(), "(skipped)\n") {
		t.Errorf("the problem on stderr: %q", e.errb)
	}

	// The JSON plan carries the problem in "problems", and exits 3 as the
	// text plan does (README: lines that cannot be read mean exit 3).
	e, err = run(DiscoverOptions{Format: "json"})
	if kindOf(err) != Partial {
		t.Errorf("-f json dry run with a skipped line: err = %v, want partial (exit 3)", err)
	}
	var plan struct {
		Host     string
		Jobs     []struct{ Slug string }
		Problems []struct{ Line int }
	}
	if err := json.Unmarshal(e.out.Bytes(), &plan); err != nil || plan.Host != "web1" || len(plan.Jobs) != 2 || len(plan.Problems) != 1 {
		t.Errorf("-f json: %v, %s", err, e.out)
	}

	e, err = run(DiscoverOptions{Apply: true})
	if kindOf(err) != Partial || f.Writes() != 1 || !strings.Contains(e.out.String(), "applied: 1 created, 0 updated, 0 deleted, 0 unchanged; 1 files written") {
		t.Fatalf("apply: %v, %d writes\n%s", err, f.Writes(), e.out)
	}
	if want := "root	/usr/local/bin/runwrap --slug web1-root-backup-sh-full -- /usr/local/bin/backup.sh --full\n"; !strings.Contains(read(), want) {
		t.Errorf("rewritten:\n%s\nwant a line ending %q", read(), want)
	}
	if c := f.Checks(); len(c) != 1 || c[0].Schedule != "*/5 * * * *" || c[0].TZ != "Europe/Riga" || c[0].Tags != "web1" {
		t.Errorf("checks %+v", c)
	}

	f.ResetCounts()
	rewritten := read()
	if e, err = run(DiscoverOptions{Apply: true}); kindOf(err) != Partial || f.Writes() != 0 || read() != rewritten ||
		!strings.Contains(e.out.String(), "applied: 0 created, 0 updated, 0 deleted, 1 unchanged; 0 files written") {
		t.Errorf("rerun: %v, %d writes\n%s", err, f.Writes(), e.out)
	}

	if e, err = run(DiscoverOptions{Undo: true}); err != nil || read() != crontab || !strings.Contains(e.out.String(), "undo: 1 files put back or removed") {
		t.Errorf("undo: %v\n%s", err, e.out)
	}
}

func TestRunDiscoverRefusals(t *testing.T) {
	f, _ := startFake(t)
	for _, tt := range []struct {
		name    string
		o       DiscoverOptions
		key     string
		kind    Kind
		errText string
	}{
		{name: "-f table", o: DiscoverOptions{Format: "table"}, kind: Usage, errText: "-f table: want text or json"},
		{name: "--undo --apply", o: DiscoverOptions{Undo: true, Apply: true}, kind: Usage, errText: "--undo does not combine"},
		{name: "--prune without --apply", o: DiscoverOptions{Prune: true}, kind: Usage, errText: "--prune needs --apply"},
		{name: "a grace too short", o: DiscoverOptions{Grace: time.Second}, kind: Usage, errText: "--grace 1s: want 1m to 365d"},
		{name: "no root", o: DiscoverOptions{Root: "/nonexistent/root"}, kind: Usage},
		{name: "a read-only key", o: DiscoverOptions{Apply: true}, key: fakehc.DefaultReadOnlyKey, kind: Refused},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			if key == "" {
				key = fakehc.DefaultAPIKey
			}
			if tt.key != "" {
				f.AddCheck(fakehc.Spec{Name: "other", Slug: "other"}) // a read-only key sees it without a UUID
			}
			e := newEnv(t, f, key)
			o := tt.o
			o.Env, o.Host, o.Runwrap, o.Concurrency = e.Env, "web1", "runwrap", 1
			if o.Root == "" {
				o.Root = discoverRoot(t)
			}
			if o.Grace == 0 {
				o.Grace = time.Hour
			}
			f.ResetCounts()
			err := RunDiscover(context.Background(), o)
			if err == nil || kindOf(err) != tt.kind || !strings.Contains(err.Error(), tt.errText) {
				t.Fatalf("err = %v, want %q of kind %d", err, tt.errText, tt.kind)
			}
			if f.Writes() != 0 {
				t.Errorf("%d writes", f.Writes())
			}
		})
	}
}

// A runitor -slug line left alone: hcctl words the hint in its own flag
// (lib/discover only says the line could be converted).
func TestDiscoverPlanConvertHint(t *testing.T) {
	var b strings.Builder
	writeDiscoverPlan(&b, &discover.Plan{Host: "web1", Jobs: []discover.Job{
		{File: "/etc/cron.d/r", Line: 1, State: discover.StateRunitor, Note: "runs under runitor: left alone", Convert: true},
		{File: "/etc/cron.d/r", Line: 2, State: discover.StateRunitor, Note: "runs under runitor: left alone"},
	}}, []string{"web1"})
	for _, want := range []string{"  - /etc/cron.d/r:1: runs under runitor: left alone (--convert rewrites it to runwrap)\n",
		"  - /etc/cron.d/r:2: runs under runitor: left alone\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
}
