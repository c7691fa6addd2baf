package hcctl

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

// status is a gate: it fails on a down check (in grace too with FailOn
// grace), and on nothing to gate on.
func TestRunStatus(t *testing.T) {
	for _, tt := range []struct {
		name    string
		checks  bool          // seed backups (prod) and web (staging), both pinged
		elapsed time.Duration // after the pings; backups' period is 1h, grace 30m
		o       StatusOptions
		kind    Kind
		errText string // "" for success
	}{
		{name: "all up", checks: true, o: StatusOptions{FailOn: "down"}},
		{name: "in grace, fail on down", checks: true, elapsed: 70 * time.Minute, o: StatusOptions{FailOn: "down"}},
		{name: "in grace, fail on grace", checks: true, elapsed: 70 * time.Minute, o: StatusOptions{FailOn: "grace"},
			errText: "1 of 2 checks down or in grace: backups"},
		{name: "down", checks: true, elapsed: 2 * time.Hour, o: StatusOptions{FailOn: "down"}, errText: "1 of 2 checks down: backups"},
		{name: "down, other tag", checks: true, elapsed: 2 * time.Hour, o: StatusOptions{FailOn: "down", Tags: []string{"staging"}}},
		{name: "a tag no check has", checks: true, o: StatusOptions{FailOn: "down", Tags: []string{"prdo"}}, kind: Usage,
			errText: "no check has the tag prdo: nothing to gate on"},
		{name: "an empty project", o: StatusOptions{FailOn: "down"}, errText: "the project has no checks"},
		{name: "a bad --fail-on", checks: true, o: StatusOptions{FailOn: "late"}, kind: Usage, errText: `--fail-on "late"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, clock := startFake(t)
			if tt.checks {
				ping(t, f, f.AddCheck(fakehc.Spec{Name: "backups", Slug: "backups", Tags: "prod", Timeout: time.Hour, Grace: 30 * time.Minute}))
				ping(t, f, f.AddCheck(fakehc.Spec{Name: "web", Slug: "web", Tags: "staging", Timeout: 24 * time.Hour}))
			}
			clock.Add(tt.elapsed)
			e := newEnv(t, f, fakehc.DefaultAPIKey)
			tt.o.Env, tt.o.Format = e.Env, "jsonl"
			err := RunStatus(context.Background(), tt.o)
			if (err == nil) != (tt.errText == "") || (err != nil && (!strings.Contains(err.Error(), tt.errText) || kindOf(err) != tt.kind)) {
				t.Fatalf("err = %v, want %q of kind %d", err, tt.errText, tt.kind)
			}
			if tt.kind == 0 && tt.checks && !strings.Contains(e.out.String(), `"name":"`) {
				t.Errorf("no states printed: %q", e.out)
			}
		})
	}
}

func TestRunFlipsOptions(t *testing.T) {
	f, clock := startFake(t)
	id := f.AddCheck(fakehc.Spec{Name: "backups", Slug: "backups", Timeout: time.Hour, Grace: time.Minute})
	ping(t, f, id)
	clock.Add(2 * time.Hour)
	for _, tt := range []struct {
		o    FlipsOptions
		kind Kind
		ok   bool
	}{
		{o: FlipsOptions{}, ok: true},
		{o: FlipsOptions{Since: "24h"}, ok: true},
		{o: FlipsOptions{Start: "2026-11-22T00:00:00Z", End: "2026-11-23T00:00:00Z"}, ok: true},
		{o: FlipsOptions{Since: "400d"}, kind: Usage},
		{o: FlipsOptions{Since: "1h", Start: "2026-11-22T00:00:00Z"}, kind: Usage},
		{o: FlipsOptions{End: "yesterday"}, kind: Usage},
		{o: FlipsOptions{Start: "1969-12-31T00:00:00Z"}, kind: Usage},
	} {
		e := newEnv(t, f, fakehc.DefaultAPIKey)
		tt.o.Env, tt.o.Ref, tt.o.Format = e.Env, "backups", "jsonl"
		err := RunFlips(context.Background(), tt.o)
		if (err == nil) != tt.ok || kindOf(err) != tt.kind {
			t.Errorf("%+v: %v", tt.o, err)
		}
		if tt.ok && strings.Count(e.out.String(), "\n") != 2 {
			t.Errorf("%+v: flips %q, want up and down", tt.o, e.out)
		}
	}
}

func TestRunChannelsAndBadges(t *testing.T) {
	f, _ := startFake(t)
	f.AddChannel(fakehc.Channel{Name: "ops mail", Kind: "email", ID: "4ec5a071-2d3a-4c9c-8c1e-8d4d9bd2a3f1"})
	f.AddCheck(fakehc.Spec{Name: "backups", Slug: "backups", Tags: "prod"})
	e := newEnv(t, f, fakehc.DefaultAPIKey)
	if err := RunChannels(context.Background(), ListAllOptions{Env: e.Env, Format: "jsonl"}); err != nil || !strings.Contains(e.out.String(), `"name":"ops mail"`) {
		t.Errorf("channels: %v, %q", err, e.out)
	}
	e.out.Reset()
	e.Terminal = true // the table by default
	if err := RunBadges(context.Background(), ListAllOptions{Env: e.Env}); err != nil || !strings.Contains(e.out.String(), "prod") {
		t.Errorf("badges: %v, %q", err, e.out)
	}
	if err := RunBadges(context.Background(), ListAllOptions{Env: e.Env, Format: "yaml"}); kindOf(err) != Usage {
		t.Errorf("badges -f yaml: %v", err)
	}
}
