package wrap

import (
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/cron"
	"github.com/cronkit/cronkit/lib/runner"
)

func TestBody(t *testing.T) {
	w := newWrapper(Config{})
	mk := func(s string, cap int) *runner.Tail {
		tl := runner.NewTail(cap)
		_, _ = tl.Write([]byte(s))
		return tl
	}
	tests := []struct {
		name  string
		tail  *runner.Tail
		limit int
		res   runner.Result
		tol   string
		want  string
	}{
		{"no output", mk("", 100), 100, runner.Result{}, "", "[runwrap] exit status 0\n"},
		{"output", mk("a\nb\n", 100), 100, runner.Result{ExitCode: 3}, "", "a\nb\n[runwrap] exit status 3\n"},
		{"no trailing newline", mk("a", 100), 100, runner.Result{}, "", "a\n[runwrap] exit status 0\n"},
		{"no capture", nil, 100, runner.Result{}, "", "[runwrap] exit status 0\n"},
		{"tolerated", mk("x\n", 100), 100, runner.Result{ExitCode: 1}, "[runwrap] tol\n", "[runwrap] tol\nx\n[runwrap] exit status 1\n"},
		{"truncated to the limit", mk(strings.Repeat("0123456789", 20), 100), 100, runner.Result{}, "",
			"[runwrap] output truncated: last 26 of 200 bytes\n" + "456789" + "0123456789" + "0123456789" + "\n[runwrap] exit status 0\n"},
		// A limit too small for the notice keeps the outcome line whole.
		{"limit below notice and footer", mk(strings.Repeat("line-x-xxxxxxxx\n", 9), 100), 40, runner.Result{}, "",
			"[runwrap] exit status 0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(w.body(tt.tail, tt.limit, tt.res, 1, tt.tol))
			if got != tt.want {
				t.Errorf("body =\n%q\nwant\n%q", got, tt.want)
			}
			if len(got) > tt.limit {
				t.Errorf("body has %d bytes, over the limit %d", len(got), tt.limit)
			}
		})
	}
}

func TestNextDelay(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	every := Config{Every: 10 * time.Minute}
	sched, err := cron.Parse("*/15 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	helsinki, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    Config
		now  time.Time
		want time.Duration
	}{
		{"every: short run", every, t0.Add(3 * time.Minute), 7 * time.Minute},
		{"every: run overran one tick", every, t0.Add(25 * time.Minute), 5 * time.Minute},
		{"every: run ended on a tick", every, t0.Add(10 * time.Minute), 10 * time.Minute},
		{"schedule", Config{Schedule: sched, Loc: time.UTC}, t0.Add(3 * time.Minute), 12 * time.Minute},
		{"schedule in a zone", Config{Schedule: sched, Loc: helsinki}, t0.Add(16 * time.Minute), 14 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newWrapper(tt.c).nextDelay(t0, tt.now); got != tt.want {
				t.Errorf("nextDelay = %v, want %v", got, tt.want)
			}
		})
	}
}
