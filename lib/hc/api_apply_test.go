package hc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

func TestParseChecksFile(t *testing.T) {
	tests := []struct {
		name, in, err string
		n             int
	}{
		{"yaml map", "checks:\n  - name: a\n    schedule: '*/5 * * * *'\n    tz: UTC\n    grace: 10m\n    tags: [prod, db]\n", "", 1},
		{"yaml list", "- name: a\n  timeout: 1d\n- name: b\n  period: 3600\n", "", 2},
		{"json", `{"checks":[{"name":"a","grace":600,"channels":["*"]}]}`, "", 1},
		{"never fires", "- name: a\n  schedule: '0 0 31 2 *'\n", `x.yaml:1: check "a": schedule "0 0 31 2 *"`, 0},
		{"bad field value", "- name: a\n  schedule: '61 * * * *'\n", "x.yaml:1: check \"a\": schedule \"61 * * * *\": minute", 0},
		{"typo", "- name: a\n  gracee: 10m\n", `x.yaml:2: unknown field "gracee"`, 0},
		{"no name", "- slug: a\n", "x.yaml:1: a check needs a name", 0},
		{"dup", "- name: a\n- name: a\n", `x.yaml:2: check "a" is declared twice (first at line 1)`, 0},
		{"short grace", "- name: a\n  grace: 10s\n", "x.yaml:2: grace 10s is outside 1m..365d", 0},
		{"bad duration", "- name: a\n  timeout: soon\n", `x.yaml:2: timeout: "soon" is not a duration`, 0},
		{"bad bool", "- name: a\n  manual_resume: maybe\n", `x.yaml:2: manual_resume: want true or false, got "maybe"`, 0},
		{"bad tz", "- name: a\n  tz: Mars/Olympus\n", `x.yaml:1: check "a": tz "Mars/Olympus" is not an IANA time zone`, 0},
		{"bad slug", "- name: a\n  slug: Bad Slug\n", `may hold only a-z`, 0},
		{"syntax", "- name: [a\n", "x.yaml: ", 0},
		{"empty", "", "x.yaml: no checks in the file", 0},
		{"scalar", "hello\n", "x.yaml:1: checks must be a list", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseChecksFile("x.yaml", []byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) && !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(d) != tt.n {
				t.Fatalf("%v, %d checks", err, len(d))
			}
		})
	}
}

// YAML anchors, aliases and merge keys, as playbooks use them to share
// settings: the check's own keys win over merged ones.
func TestParseChecksFileMerge(t *testing.T) {
	in := `x-defaults: &defaults
  grace: 10m
  tags: [prod, db]
  tz: UTC
x-nightly: &nightly
  schedule: "0 3 * * *"
  grace: 1h
checks:
  - <<: *defaults
    name: a
    tags: prod
  - <<: [*nightly, *defaults]
    name: b
  - &c
    name: c
    desc: &d shared words
  - name: d
    desc: *d
`
	got, err := ParseChecksFile("x.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"name":"a","tags":"prod","grace":600,"tz":"UTC"}`,
		`{"name":"b","tags":"prod db","grace":3600,"schedule":"0 3 * * *","tz":"UTC"}`,
		`{"name":"c","desc":"shared words"}`,
		`{"name":"d","desc":"shared words"}`,
	}
	if len(got) != len(want) {
		t.Fatalf("%d checks, want %d", len(got), len(want))
	}
	for i, d := range got {
		b, _ := json.Marshal(d.Spec)
		if string(b) != want[i] {
			t.Errorf("check %d: %s, want %s", i, b, want[i])
		}
	}
	for in, msg := range map[string]string{
		"- <<: 5\n  name: a\n": "x.yaml:1: <<: want a map",
		"x-a: &a {gracee: 1h}\nchecks:\n  - {<<: *a, name: a}\n": `x.yaml:1: unknown field "gracee"`,
		"y-a: 1\nchecks: []\n": `unknown top-level key "y-a"`,
	} {
		if _, err := ParseChecksFile("x.yaml", []byte(in)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", in, err, msg)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	for in, want := range map[string]int64{"600": 600, "10m": 600, "1h30m": 5400, "7d": 604800, "1d12h": 129600} {
		if got, err := ParseSeconds(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	for _, in := range []string{"", "1.5s", "-5m", "xd", "d", "10 m"} {
		if _, err := ParseSeconds(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	if FormatSeconds(90061) != "1d1h1m1s" || FormatSeconds(600) != "10m" {
		t.Error(FormatSeconds(90061))
	}
}

func TestMakePlan(t *testing.T) {
	existing := []Check{
		{Name: "same", Tags: "db prod", Grace: 600, Schedule: "*/5 * * * *", TZ: "UTC", PingURL: "http://x/ping/1", Channels: apiPtr("")},
		{Name: "grace", Grace: 300, Timeout: 3600, PingURL: "http://x/ping/2"},
		{Name: "to-cron", Grace: 300, Timeout: 3600, PingURL: "http://x/ping/3"},
		{Name: "old", Tags: "prod", PingURL: "http://x/ping/4"},
		{Name: "other", Tags: "dev", PingURL: "http://x/ping/5"},
	}
	file := "" +
		"- {name: same, tags: [prod, db], grace: 10m, schedule: '*/5 * * * *', tz: UTC, channels: ''}\n" +
		"- {name: grace, grace: 10m}\n" +
		"- {name: to-cron, schedule: '0 3 * * *', timeout: 1h}\n" +
		"- {name: new, tags: prod}\n"
	desired, err := ParseChecksFile("f", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	p, err := MakePlan(desired, existing, PlanOptions{Prune: true, PruneTags: []string{"prod"},
		Warn: func(f string, a ...any) { warnings = append(warnings, fmt.Sprintf(f, a...)) }})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("create=%d update=%d delete=%d unchanged=%d", len(p.Create), len(p.Update), len(p.Delete), len(p.Unchanged))
	if got != "create=1 update=2 delete=1 unchanged=1" {
		t.Fatalf("%s\n%+v", got, p)
	}
	if p.Delete[0].Check.Name != "old" {
		t.Errorf("pruned %q", p.Delete[0].Check.Name)
	}
	if d := p.Update[0].Diffs; len(d) != 1 || d[0].Field != "grace" || d[0].Old != "5m" || d[0].New != "10m" {
		t.Errorf("grace diff %+v", d)
	}
	cron := p.Update[1]
	if cron.Spec.Timeout != nil || cron.Spec.Schedule == nil || len(warnings) != 1 || !strings.Contains(warnings[0], "exclusive") {
		t.Errorf("schedule+timeout: spec %+v warnings %q", cron.Spec, warnings)
	}
	if p.Create[0].Spec.Unique[0] != "name" {
		t.Error("create without unique: a retry could duplicate it")
	}
	if _, err := MakePlan(desired, existing, PlanOptions{Prune: true}); err == nil {
		t.Error("prune without tag accepted")
	}
	// Two existing checks with a desired name: refuse rather than guess.
	if _, err := MakePlan(desired, append(existing, Check{Name: "grace"}), PlanOptions{}); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("ambiguous: %v", err)
	}
}

func TestChannelSet(t *testing.T) {
	all := []Channel{{ID: "cccccccc-cccc-4ccc-8ccc-cccccccccccc", Name: "ops", Kind: "email"}, {ID: "aaaaaaaa-cccc-4ccc-8ccc-cccccccccccc", Name: "", Kind: "slack"}}
	for in, want := range map[string]string{
		"*":   "aaaaaaaa-cccc-4ccc-8ccc-cccccccccccc,cccccccc-cccc-4ccc-8ccc-cccccccccccc",
		"ops": "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
		"":    "",
	} {
		if got, err := channelSet(in, all); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	if _, err := channelSet("nope", all); err == nil {
		t.Error("unknown channel accepted")
	}
}

// Apply against the fake: the second run of the same file makes no writes.
func TestApplyIdempotent(t *testing.T) {
	f := fakehc.Start(t, fakehc.Options{})
	a := newTestAPI(t, f, fakehc.DefaultAPIKey)
	ctx := context.Background()
	file := "checks:\n" +
		"  - {name: a, tags: prod db, schedule: '0 3 * * *', tz: Europe/Riga, grace: 10m, channels: '*'}\n" +
		"  - {name: b, timeout: 1h, grace: 5m, methods: POST, manual_resume: true, desc: hello}\n" +
		"  - {name: c, success_kw: ok, failure_kw: ERR, filter_body: true, start_kw: go}\n"
	desired, err := ParseChecksFile("f", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	run := func() Plan {
		list, err := a.Checks(ctx, ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var chs []Channel
		if NeedsChannels(desired) {
			if chs, err = a.Channels(ctx); err != nil {
				t.Fatal(err)
			}
		}
		p, err := MakePlan(desired, list, PlanOptions{Channels: chs})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range a.Apply(ctx, p, 4, nil) {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
		return p
	}
	if p := run(); len(p.Create) != 3 {
		t.Fatalf("first run %+v", p)
	}
	f.ResetCounts()
	if p := run(); p.Writes() != 0 || len(p.Unchanged) != 3 {
		t.Fatalf("second run plan: %+v", p)
	}
	if f.Writes() != 0 || f.Count(fakehc.KindList) != 1 {
		t.Errorf("second run requests: %v", f.Counts())
	}
}

func FuzzParseChecksFile(f *testing.F) {
	for _, s := range []string{"checks:\n  - name: a\n    grace: 10m\n", `[{"name":"x","schedule":"@daily"}]`, "- name: a\n  tags: [a, b]\n  channels: '*'\n", "- {name: a, timeout: 1d12h}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseChecksFile("f", []byte(s))
		if err != nil {
			return
		}
		for _, x := range d {
			if x.Spec.Name == nil || *x.Spec.Name == "" {
				t.Fatalf("accepted a check without a name: %q", s)
			}
		}
		if _, err := MakePlan(d, nil, PlanOptions{}); err != nil {
			t.Fatalf("plan of a parsed file: %v", err)
		}
	})
}

func FuzzParseSeconds(f *testing.F) {
	for _, s := range []string{"600", "10m", "1d12h", "7d", "1h30m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSeconds(s)
		if err == nil && strings.HasPrefix(strings.TrimSpace(s), "-") && n > 0 {
			t.Fatalf("%q gave %d", s, n)
		}
	})
}

// Apply keeps at most `concurrency` writes in flight: with every update
// stalled by the fake, exactly that many reach it until they are released.
func TestApplyConcurrencyBound(t *testing.T) {
	f := fakehc.Start(t, fakehc.Options{})
	a := newTestAPI(t, f, fakehc.DefaultAPIKey)
	var file strings.Builder
	for i := 0; i < 10; i++ {
		name := fmt.Sprintf("c%d", i)
		f.AddCheck(fakehc.Spec{Name: name, Grace: 5 * time.Minute})
		fmt.Fprintf(&file, "- {name: %s, grace: 10m}\n", name)
	}
	desired, err := ParseChecksFile("f", []byte(file.String()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	list, err := a.Checks(ctx, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(desired, list, PlanOptions{})
	if err != nil || len(p.Update) != 10 {
		t.Fatalf("plan %v: %d updates", err, len(p.Update))
	}
	f.Inject(10, fakehc.Fault{Stall: true, Only: []fakehc.Kind{fakehc.KindUpdate}})
	done := make(chan []Result)
	go func() { done <- a.Apply(ctx, p, 3, nil) }()
	if err := f.WaitFor(ctx, func() bool { return f.Stalled() == 3 }); err != nil {
		t.Fatal(err)
	}
	// Every worker is blocked, so no fourth request can have been sent.
	if n := f.Count(fakehc.KindUpdate); n != 3 {
		t.Errorf("%d updates in flight, want 3", n)
	}
	f.Release()
	for _, r := range <-done {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if n := f.Count(fakehc.KindUpdate); n != 10 {
		t.Errorf("%d updates in all, want 10", n)
	}
}

// A plan refuses what the server would refuse (healthchecks-captures.md
// "Unknown channel in channels": 400 "invalid channel identifier"), for a
// check to create as for one to update, so a dry run cannot pass a file the
// real apply then fails on.
func TestPlanChecksChannels(t *testing.T) {
	all := []Channel{{ID: "cccccccc-cccc-4ccc-8ccc-cccccccccccc", Name: "ops", Kind: "email"}}
	existing := []Check{{Name: "old", Channels: apiPtr("")}}
	for _, tt := range []struct {
		file, check, id, reason string
	}{
		{"- {name: new, channels: opps}", "new", "opps", "unknown"},
		{"- {name: old, channels: [ops, opps]}", "old", "opps", "unknown"},
		{"- {name: new, channels: aaaaaaaa-cccc-4ccc-8ccc-cccccccccccc}", "new", "aaaaaaaa-cccc-4ccc-8ccc-cccccccccccc", "unknown"},
		{"- {name: new, channels: 'ops,,ops'}", "new", "", "empty"},
	} {
		desired, err := ParseChecksFile("f", []byte(tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if !NeedsChannels(desired) {
			t.Errorf("%s: NeedsChannels false", tt.file)
		}
		_, err = MakePlan(desired, existing, PlanOptions{Channels: all})
		var ce *ChannelError
		if !errors.As(err, &ce) || ce.Check != tt.check || ce.ID != tt.id || ce.Reason != tt.reason || !ce.BadInput() {
			t.Errorf("%s: %#v", tt.file, err)
		}
	}
	desired, _ := ParseChecksFile("f", []byte("- {name: new, channels: 'ops, CCCCCCCC-CCCC-4CCC-8CCC-CCCCCCCCCCCC'}"))
	p, err := MakePlan(desired, existing, PlanOptions{Channels: all})
	if err != nil || len(p.Create) != 1 || *p.Create[0].Spec.Channels != "ops,CCCCCCCC-CCCC-4CCC-8CCC-CCCCCCCCCCCC" {
		t.Errorf("known channels: %v %+v", err, p)
	}
}

// Healthchecks v3.1+ takes OnCalendar schedules beside cron and tells them
// apart by shape (reference/healthchecks-api.md, guess_kind; reference/oncalendar.md).
func TestValidateSpecSchedules(t *testing.T) {
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "*/5 * * * *", want: "*/5 * * * *"},
		{in: "@daily", want: "0 0 * * *"},
		{in: "Mon..Fri *-*-* 09:00:00", want: "Mon..Fri *-*-* 09:00:00"},
		{in: "daily", want: "daily"},
		{in: "*-*-* 02:30\n*-*-* 14:30", want: "*-*-* 02:30\n*-*-* 14:30"},
		{in: "0 0 31 2 *", err: "never occurs"},
		{in: "Fooday *-*-* 09:00", err: "schedule"},
	} {
		s := &CheckSpec{Schedule: str(tc.in)}
		err := ValidateSpec(s)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if *s.Schedule != tc.want {
			t.Errorf("%q sent as %q, want %q", tc.in, *s.Schedule, tc.want)
		}
	}
}

func TestSameScheduleOnCalendar(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"*/5 * * * *", "*/5  *  * * *", true},
		{"daily", "*-*-* 00:00:00", true},
		{"Mon *-*-* 09:00", "mon *-*-* 09:00:00", true},
		{"daily", "0 0 * * *", false}, // same times, another kind: the server stores what it is sent
		{"*-*-* 09:00", "*-*-* 10:00", false},
	} {
		if got := sameSchedule(tc.a, tc.b); got != tc.same {
			t.Errorf("sameSchedule(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
