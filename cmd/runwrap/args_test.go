package main

import (
	"bytes"
	"github.com/cronkit/cronkit/lib/cron"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/runner"
)

func testRoot() *cli.Root {
	return newRoot(&cli.Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{},
		LookupEnv: func(string) (string, bool) { return "", false }})
}

func TestNormalizeArgs(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"runitor flags", []string{"-uuid", "U", "-every", "5m", "--", "cmd", "-uuid"},
			[]string{"--uuid", "U", "--every", "5m", "--", "cmd", "-uuid"}},
		{"with =", []string{"-uuid=U", "-create=true", "cmd"}, []string{"--uuid=U", "--create=true", "cmd"}},
		{"bool flags take no value", []string{"-no-start-ping", "-no-run-id", "cmd", "-x"},
			[]string{"--no-start-ping", "--no-run-id", "cmd", "-x"}},
		{"runitor -quiet drops stdout", []string{"-quiet", "cmd"}, []string{"--discard-stdout", "cmd"}},
		{"--quiet is runwrap's", []string{"--quiet", "cmd"}, []string{"--quiet", "cmd"}},
		{"shorthands untouched", []string{"-v", "-q", "-vv", "cmd"}, []string{"-v", "-q", "-vv", "cmd"}},
		{"stops at the command", []string{"cmd", "-uuid", "x"}, []string{"cmd", "-uuid", "x"}},
		{"value that looks like a flag", []string{"-slug", "-uuid", "cmd"}, []string{"--slug", "-uuid", "cmd"}},
		{"double-dash value skipped", []string{"--on-success", "log", "-every", "1m", "c"},
			[]string{"--on-success", "log", "--every", "1m", "c"}},
		{"repeatable header", []string{"-req-header", "A: 1", "-req-header", "B: 2", "c"},
			[]string{"--req-header", "A: 1", "--req-header", "B: 2", "c"}},
		{"unknown single-dash word left for pflag", []string{"-bogus", "c"}, []string{"-bogus", "c"}},
		{"help and version", []string{"-help"}, []string{"--help"}},
		{"version", []string{"-version"}, []string{"--version"}},
		{"lone dash is the command", []string{"-", "x"}, []string{"-", "x"}},
		{"trailing value-less flag", []string{"-uuid"}, []string{"--uuid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rootArgs(testRoot(), tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("rootArgs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzNormalizeArgs: normalising never drops or reorders arguments, never
// touches anything after the command starts, and is idempotent.
func FuzzNormalizeArgs(f *testing.F) {
	f.Add("-uuid U -every 5m -- cmd -uuid")
	f.Add("-quiet -v cmd")
	f.Add("--slug -x -create=1 c")
	r := testRoot()
	f.Fuzz(func(t *testing.T, s string) {
		in := strings.Fields(s)
		got := rootArgs(r, in)
		if len(got) != len(in) {
			t.Fatalf("%q -> %q: length changed", in, got)
		}
		for i := range in {
			if got[i] != in[i] && "-"+strings.TrimPrefix(got[i], "--") != in[i] && got[i] != "--discard-stdout" &&
				!strings.HasPrefix(in[i], "-quiet=") {
				t.Fatalf("%q -> %q: arg %d changed beyond a dash", in, got, i)
			}
		}
		if again := rootArgs(r, got); !reflect.DeepEqual(again, got) {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, again)
		}
	})
}

func TestBody(t *testing.T) {
	o := &wrapOptions{root: testRoot()}
	w := &wrapper{o: o}
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
	every := &wrapOptions{Every: 10 * time.Minute}
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
		o    *wrapOptions
		now  time.Time
		want time.Duration
	}{
		{"every: short run", every, t0.Add(3 * time.Minute), 7 * time.Minute},
		{"every: run overran one tick", every, t0.Add(25 * time.Minute), 5 * time.Minute},
		{"every: run ended on a tick", every, t0.Add(10 * time.Minute), 10 * time.Minute},
		{"schedule", &wrapOptions{schedule: sched, loc: time.UTC}, t0.Add(3 * time.Minute), 12 * time.Minute},
		{"schedule in a zone", &wrapOptions{schedule: sched, loc: helsinki}, t0.Add(16 * time.Minute), 14 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextDelay(tt.o, t0, tt.now); got != tt.want {
				t.Errorf("nextDelay = %v, want %v", got, tt.want)
			}
		})
	}
}
