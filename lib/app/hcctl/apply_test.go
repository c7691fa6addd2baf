package hcctl

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/testutil/fakehc"
)

const checksFile = `checks:
  - name: backups
    slug: backups
    timeout: 1d
    grace: 1h
    tags: [prod, db]
  - name: report
    schedule: "*/5 * * * *"
    tz: UTC
    tags: [prod]
`

// apply creates what is missing, and a second run writes nothing.
func TestRunApply(t *testing.T) {
	f, _ := startFake(t)
	f.AddCheck(fakehc.Spec{Name: "gone", Slug: "gone", Tags: "prod"})
	ctx := context.Background()
	run := func(o ApplyOptions) (*testEnv, error) {
		e := newEnv(t, f, fakehc.DefaultAPIKey)
		e.Stdin = strings.NewReader(checksFile)
		o.Env, o.File, o.Concurrency = e.Env, "-", 4
		return e, RunApply(ctx, o)
	}
	e, err := run(ApplyOptions{DryRun: true})
	if err != nil || f.Writes() != 0 || !strings.Contains(e.out.String(), `+ create "backups"`) {
		t.Fatalf("dry run: %v, %d writes, %q", err, f.Writes(), e.out)
	}
	if e, err = run(ApplyOptions{}); err != nil || f.Writes() != 2 {
		t.Fatalf("apply: %v, %d writes, %q %q", err, f.Writes(), e.out, e.errb)
	}
	f.ResetCounts()
	if e, err = run(ApplyOptions{Prune: true, Tags: []string{"prod"}}); err != nil || f.Writes() != 1 || !strings.Contains(e.out.String(), `- deleted "gone"`) {
		t.Fatalf("prune: %v, %d writes, %q", err, f.Writes(), e.out)
	}
	f.ResetCounts()
	if _, err = run(ApplyOptions{}); err != nil || f.Writes() != 0 {
		t.Fatalf("rerun: %v, %d writes", err, f.Writes())
	}
	// Two checks of a name the file declares cannot be told apart by name.
	f.AddCheck(fakehc.Spec{Name: "report", Slug: "report2"})
	e = newEnv(t, f, fakehc.DefaultAPIKey)
	e.Stdin = strings.NewReader(checksFile)
	err = RunApply(ctx, ApplyOptions{Env: e.Env, File: "-", Concurrency: 1})
	if kindOf(err) != Usage || !strings.Contains(err.Error(), `2 checks are named "report"`) {
		t.Errorf("two checks of one name: %v", err)
	}
}

func TestRunApplyRefusals(t *testing.T) {
	ctx := context.Background()
	f, _ := startFake(t)
	f.AddCheck(fakehc.Spec{Name: "backups", Slug: "backups"})
	for _, tt := range []struct {
		name, file string
		o          ApplyOptions
		key        string
		kind       Kind
		errText    string
		hinted     bool
	}{
		{name: "no file", o: ApplyOptions{Concurrency: 1}, kind: Usage, errText: "apply needs -f FILE"},
		{name: "--tag without --prune", file: checksFile, o: ApplyOptions{Concurrency: 1, Tags: []string{"prod"}}, kind: Usage, errText: "--tag only applies with --prune"},
		{name: "--prune without --tag", file: checksFile, o: ApplyOptions{Concurrency: 1, Prune: true}, kind: Usage, errText: "--prune needs --tag"},
		{name: "--prune on an empty file", file: "checks: []\n", o: ApplyOptions{Concurrency: 1, Prune: true, Tags: []string{"prod"}},
			kind: Usage, errText: "stdin declares no checks: --prune would delete every check tagged prod"},
		{name: "an unknown field", file: "checks:\n  - name: x\n    colour: red\n", o: ApplyOptions{Concurrency: 1}, kind: Usage, errText: "colour"},
		{name: "an unknown channel", file: "checks:\n  - name: x\n    channels: pager\n", o: ApplyOptions{Concurrency: 1}, errText: "pager", hinted: true},
		{name: "a read-only key", file: checksFile, key: fakehc.DefaultReadOnlyKey, o: ApplyOptions{Concurrency: 1}, kind: Refused,
			errText: "the API key is read-only"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			if key == "" {
				key = fakehc.DefaultAPIKey
			}
			e := newEnv(t, f, key)
			e.Stdin = strings.NewReader(tt.file)
			tt.o.Env = e.Env
			if tt.file != "" {
				tt.o.File = "-"
			}
			f.ResetCounts()
			err := RunApply(ctx, tt.o)
			if err == nil || kindOf(err) != tt.kind || !strings.Contains(err.Error(), tt.errText) || strings.HasSuffix(err.Error(), "[hint]") != tt.hinted {
				t.Fatalf("err = %v, want %q of kind %d (hinted %v)", err, tt.errText, tt.kind, tt.hinted)
			}
			var bi interface{ BadInput() bool }
			if tt.hinted && !(errors.As(err, &bi) && bi.BadInput()) {
				t.Errorf("an unknown channel is not bad input: %v", err)
			}
			if f.Writes() != 0 {
				t.Errorf("%d writes", f.Writes())
			}
		})
	}
}

// applyErr: interrupted says how far it got; all refused is Refused; all
// failed a plain failure; some failed Partial.
func TestApplyErr(t *testing.T) {
	refusal := &hc.APIError{Op: "create check", Status: 401}
	failure := errors.New("500 Internal Server Error")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range []struct {
		name    string
		ctx     context.Context
		failed  []error
		writes  int
		kind    Kind
		errText string
	}{
		{name: "none failed", ctx: context.Background(), writes: 3},
		{name: "all refused", ctx: context.Background(), failed: []error{refusal, refusal}, writes: 3, kind: Refused, errText: "2 of 3 writes refused"},
		{name: "all failed", ctx: context.Background(), failed: []error{failure, refusal}, writes: 2, errText: "all 2 writes failed"},
		{name: "some failed", ctx: context.Background(), failed: []error{failure}, writes: 3, kind: Partial, errText: "1 of 3 writes failed"},
		{name: "interrupted", ctx: canceled, failed: []error{failure}, writes: 3, errText: "apply stopped after 2 of 3 writes"},
	} {
		var failed []hc.Result
		for _, err := range tt.failed {
			failed = append(failed, hc.Result{Op: "create", Err: err})
		}
		err := applyErr(tt.ctx, failed, tt.writes)
		if (err == nil) != (tt.errText == "") || kindOf(err) != tt.kind || (err != nil && !strings.Contains(err.Error(), tt.errText)) {
			t.Errorf("%s: %v, want %q of kind %d", tt.name, err, tt.errText, tt.kind)
		}
		if tt.ctx.Err() != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v does not wrap context.Canceled (exit 130)", tt.name, err)
		}
	}
}

// ensure creates, then leaves alone, then updates by name, and prints the
// ping URL (or the JSON result).
func TestRunEnsure(t *testing.T) {
	f, _ := startFake(t)
	ctx := context.Background()
	grace := func(g string) EnsureOptions {
		return EnsureOptions{Name: "db7", Format: "jsonl", Fields: Fields{Grace: g, Changed: func(s string) bool { return s == "grace" }}}
	}
	for i, tt := range []struct {
		o      EnsureOptions
		want   string
		writes int
	}{
		{grace("10m"), `"created":true,"updated":false`, 1},
		{grace("10m"), `"created":false,"updated":false`, 0},
		{grace("20m"), `"created":false,"updated":true`, 1},
	} {
		f.ResetCounts()
		e := newEnv(t, f, fakehc.DefaultAPIKey)
		tt.o.Env = e.Env
		if err := RunEnsure(ctx, tt.o); err != nil || !strings.Contains(e.out.String(), tt.want) || f.Writes() != tt.writes {
			t.Errorf("run %d: %v, %q, %d writes; want %s, %d writes", i, err, e.out, f.Writes(), tt.want, tt.writes)
		}
	}
	id := f.Checks()[0].UUID
	e := newEnv(t, f, fakehc.DefaultAPIKey)
	o := grace("20m")
	o.Env, o.Format = e.Env, "url"
	if err := RunEnsure(ctx, o); err != nil || e.out.String() != f.PingURL(id)+"\n" {
		t.Errorf("-f url: %v, %q, want %s", err, e.out, f.PingURL(id))
	}
	ro := newEnv(t, f, fakehc.DefaultReadOnlyKey)
	o.Env = ro.Env
	if err := RunEnsure(ctx, o); kindOf(err) != Refused {
		t.Errorf("a read-only key: %v, want refused", err)
	}
	o.Env, o.Name = e.Env, ""
	if err := RunEnsure(ctx, o); kindOf(err) != Usage {
		t.Errorf("an empty name: %v", err)
	}
}
