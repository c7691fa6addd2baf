package hcctl

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

func TestRunChecksList(t *testing.T) {
	f, clock := startFake(t)
	f.AddCheck(fakehc.Spec{Name: "backups", Slug: "backups", Tags: "prod db", Timeout: time.Hour, Grace: time.Minute})
	ping(t, f, f.AddCheck(fakehc.Spec{Name: "report", Slug: "report", Tags: "prod", Timeout: time.Hour, Grace: time.Minute}))
	f.AddCheck(fakehc.Spec{Name: "web", Slug: "web", Tags: "staging"})
	clock.Add(30 * time.Minute)
	for _, tt := range []struct {
		name string
		o    ListOptions
		want []string // names listed, in order
		kind Kind
	}{
		{name: "all", want: []string{"backups", "report", "web"}},
		{name: "every tag must match", o: ListOptions{Tags: []string{"prod", "db"}}, want: []string{"backups"}},
		{name: "by slug", o: ListOptions{Slug: "web"}, want: []string{"web"}},
		{name: "by status", o: ListOptions{Status: []string{"up", "paused"}}, want: []string{"report"}},
		{name: "an unknown status", o: ListOptions{Status: []string{"late"}}, kind: Usage},
		{name: "a tag with a blank", o: ListOptions{Tags: []string{"prod db"}}, kind: Usage},
		{name: "an unknown format", o: ListOptions{Format: "csv"}, kind: Usage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, f, fakehc.DefaultAPIKey)
			tt.o.Env = e.Env
			err := RunChecksList(context.Background(), tt.o)
			if kindOf(err) != tt.kind || (tt.kind == 0 && err != nil) {
				t.Fatalf("err = %v, want kind %d", err, tt.kind)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(e.out.String()), "\n") {
				if _, name, ok := strings.Cut(line, `"name":"`); ok {
					got = append(got, name[:strings.Index(name, `"`)])
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("listed %q, want %q (stdout %s)", got, tt.want, e.out)
			}
		})
	}
}

func TestRunChecksWrites(t *testing.T) {
	f, _ := startFake(t)
	ctx := context.Background()
	e := newEnv(t, f, fakehc.DefaultAPIKey)
	changed := func(flags ...string) func(string) bool {
		return func(s string) bool { return strings.Contains(" "+strings.Join(flags, " ")+" ", " "+s+" ") }
	}
	create := WriteOptions{Env: e.Env, Format: "jsonl", Fields: Fields{Name: "backups", Slug: "backups", Grace: "10m",
		Changed: changed("name", "slug", "grace")}}
	if err := RunChecksCreate(ctx, create); err != nil {
		t.Fatal(err)
	}
	id, ok := f.UUIDBySlug("backups")
	if c, _ := f.Check(id); !ok || c.Grace != 10*time.Minute {
		t.Fatalf("created %+v", c)
	}
	if !strings.Contains(e.out.String(), `"name":"backups"`) {
		t.Errorf("create printed %q", e.out)
	}
	upd := WriteOptions{Env: e.Env, Format: "json", Ref: "backups", Fields: Fields{Schedule: "0 3 * * *", TZ: "UTC", Changed: changed("schedule", "tz")}}
	if err := RunChecksUpdate(ctx, upd); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.Check(id); c.Schedule != "0 3 * * *" || c.Grace != 10*time.Minute {
		t.Errorf("updated %+v: want the schedule changed, the grace kept", c)
	}
	// No field: nothing to send, nothing sent.
	f.ResetCounts()
	if err := RunChecksUpdate(ctx, WriteOptions{Env: e.Env, Ref: "backups", Fields: Fields{Changed: changed()}}); kindOf(err) != Usage || f.Writes() != 0 {
		t.Errorf("empty update: %v, %d writes", err, f.Writes())
	}
	// A read-only key sees no UUID: refused before anything is sent.
	ro := newEnv(t, f, fakehc.DefaultReadOnlyKey)
	err := RunChecksPause(ctx, "pause", CheckOptions{Env: ro.Env, Ref: "backups"})
	if kindOf(err) != Refused || !strings.Contains(err.Error(), `pause check "backups": the API key is read-only`) || f.Writes() != 0 {
		t.Errorf("pause with a read-only key: %v, %d writes", err, f.Writes())
	}
	for _, action := range []string{"pause", "resume"} {
		e.out.Reset()
		if err := RunChecksPause(ctx, action, CheckOptions{Env: e.Env, Ref: "backups"}); err != nil || e.out.String() != action+"d backups\n" {
			t.Errorf("%s: %v, %q", action, err, e.out)
		}
	}
	if c, _ := f.Check(id); c.Status != "new" {
		t.Errorf("after resume: %s, want new", c.Status)
	}
	// A missing check: lib/hc's error, through the command's hint.
	err = RunChecksGet(ctx, CheckOptions{Env: e.Env, Ref: "nosuch"})
	if err == nil || err.Error() != `check "nosuch" not found [hint]` {
		t.Errorf("get nosuch: %v", err)
	}
}

// delete asks on a terminal and deletes only on "y" or "yes"; without a
// terminal it needs Yes.
func TestRunChecksDelete(t *testing.T) {
	for _, tt := range []struct {
		name     string
		terminal bool
		yes      bool
		answer   string
		deleted  bool
		kind     Kind
		errText  string
	}{
		{name: "no terminal, no --yes", kind: Usage, errText: "refusing to delete without --yes"},
		{name: "no terminal, --yes", yes: true, deleted: true},
		{name: "answered no", terminal: true, answer: "n\n", errText: "not deleted"},
		{name: "no answer (EOF)", terminal: true, errText: "not deleted"},
		{name: "answered YES", terminal: true, answer: " YES\n", deleted: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := startFake(t)
			id := f.AddCheck(fakehc.Spec{Name: "old", Slug: "old"})
			e := newEnv(t, f, fakehc.DefaultAPIKey)
			e.Stdin, e.StdinTerminal = strings.NewReader(tt.answer), tt.terminal
			err := RunChecksDelete(context.Background(), CheckOptions{Env: e.Env, Ref: "old", Yes: tt.yes})
			if (err == nil) != (tt.errText == "") || (err != nil && (!strings.Contains(err.Error(), tt.errText) || kindOf(err) != tt.kind)) {
				t.Fatalf("err = %v, want %q of kind %d", err, tt.errText, tt.kind)
			}
			if _, exists := f.Check(id); exists == tt.deleted {
				t.Errorf("exists = %v", exists)
			}
			asked := strings.HasPrefix(e.errb.String(), `Delete check "old" (`+id+`)? [y/N] `)
			if asked != (tt.terminal && !tt.yes) {
				t.Errorf("stderr %q", e.errb)
			}
			if tt.deleted && e.out.String() != "deleted old ("+id+")\n" {
				t.Errorf("stdout %q", e.out)
			}
		})
	}
}

// The options are checked before the client is asked for: a bad flag is
// reported as such even without an API key (the command's error).
func TestOptionsBeforeAPI(t *testing.T) {
	e := newEnv(t, nil, "")
	ctx := context.Background()
	for name, run := range map[string]func() error{
		"list":   func() error { return RunChecksList(ctx, ListOptions{Env: e.Env, Status: []string{"late"}}) },
		"status": func() error { return RunStatus(ctx, StatusOptions{Env: e.Env, FailOn: "late"}) },
		"flips": func() error {
			return RunFlips(ctx, FlipsOptions{Env: e.Env, Ref: "x", Since: "1h", Start: "2026-11-01T00:00:00Z"})
		},
		"ping":   func() error { return RunPing(ctx, PingOptions{Env: e.Env, Ref: "x", Kind: "256"}) },
		"pings":  func() error { return RunPings(ctx, PingsOptions{Env: e.Env, Ref: "x", Limit: -1, Format: "json"}) },
		"ensure": func() error { return RunEnsure(ctx, EnsureOptions{Env: e.Env, Name: "x", Format: "yaml"}) },
		"apply":  func() error { return RunApply(ctx, ApplyOptions{Env: e.Env, File: "-", Concurrency: 0}) },
		"update": func() error {
			return RunChecksUpdate(ctx, WriteOptions{Env: e.Env, Ref: "x", Fields: Fields{Changed: func(string) bool { return false }}})
		},
	} {
		if err := run(); kindOf(err) != Usage {
			t.Errorf("%s: %v, want a usage error before the API", name, err)
		}
	}
}
