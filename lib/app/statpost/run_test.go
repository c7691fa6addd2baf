package statpost

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/outcome"
	"github.com/cronkit/cronkit/lib/testutil"
	"github.com/cronkit/cronkit/lib/testutil/fakestathat"
)

// now is a fixed point in time for the clock of a test.
var now = time.Date(2026, 11, 22, 21, 5, 0, 0, time.UTC)

// A count or value: N defaults to 1, --time is a past point by the
// injected clock (the rule a record's time on stdin follows), bad numbers
// and names are usage errors.
func TestRunCount(t *testing.T) {
	for _, tt := range []struct {
		name        string
		c           CountOptions
		count, val  float64
		wantT       int64
		errContains string
	}{
		{name: "count defaults to 1", c: CountOptions{Kind: metric.Count, Name: "installs"}, count: 1},
		{name: "count", c: CountOptions{Kind: metric.Count, Name: "emails sent", Value: "12"}, count: 12},
		{name: "value at a time", c: CountOptions{Kind: metric.Value, Name: "load", Value: "0.73", Time: "2026-11-22T21:00:00Z"},
			val: 0.73, wantT: now.Add(-5 * time.Minute).Unix()},
		{name: "negative", c: CountOptions{Kind: metric.Value, Name: "temperature", Value: "-2.5"}, val: -2.5},
		{name: "not a number", c: CountOptions{Kind: metric.Count, Name: "x", Value: "twelve"}, errContains: "twelve"},
		{name: "bad time", c: CountOptions{Kind: metric.Count, Name: "x", Time: "yesterday"}, errContains: "--time"},
		{name: "future time", c: CountOptions{Kind: metric.Count, Name: "x", Time: "2026-11-23T00:00:00Z"}, errContains: "--time 2026-11-23T00:00:00Z"},
		{name: "empty name", c: CountOptions{Kind: metric.Count, Name: ""}, errContains: "name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, url := fakestathat.Start(t, fakestathat.Options{})
			tt.c.Options, _, _ = testOptions(t, url, "")
			tt.c.Now = func() time.Time { return now }
			err := RunCount(context.Background(), tt.c)
			if tt.errContains != "" {
				if outcome.Of(err) != outcome.Usage || !strings.Contains(err.Error(), tt.errContains) {
					t.Fatalf("%v, want a usage error naming %q", err, tt.errContains)
				}
				if n, _ := f.Counts(); n != 0 {
					t.Errorf("%d requests after a usage error", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := f.Points()
			if len(p) != 1 || p[0].Stat != tt.c.Name || p[0].T != tt.wantT {
				t.Fatalf("points %+v", p)
			}
			if tt.c.Kind == metric.Count && (p[0].Count == nil || *p[0].Count != tt.count) ||
				tt.c.Kind == metric.Value && (p[0].Value == nil || *p[0].Value != tt.val) {
				t.Errorf("point %+v, want count %g / value %g", p[0], tt.count, tt.val)
			}
		})
	}
}

// ticker is a clock that moves on by step at every reading.
func ticker(step time.Duration) func() time.Time {
	var mu sync.Mutex
	t := now
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(step)
		return t
	}
}

// statpost time: the command's own exit code (127 not found, 128+N
// signalled), its duration by the clock, and "NAME errors" when it failed.
func TestRunTime(t *testing.T) {
	sh := testutil.NeedProgram(t, "sh")
	for _, tt := range []struct {
		name   string
		argv   []string
		ms     bool
		code   int
		value  float64
		errors bool
	}{
		{name: "success", argv: []string{sh, "-c", "exit 0"}, value: 1.5},
		{name: "ms", argv: []string{sh, "-c", "exit 0"}, ms: true, value: 1500},
		{name: "failure", argv: []string{sh, "-c", "exit 3"}, code: 3, value: 1.5, errors: true},
		{name: "signalled", argv: []string{sh, "-c", "kill -TERM $$"}, code: 143, value: 1.5, errors: true},
		{name: "not found", argv: []string{"/nonexistent/statpost-test"}, code: 127, value: 1.5, errors: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, url := fakestathat.Start(t, fakestathat.Options{})
			o, _, stderr := testOptions(t, url, "")
			o.Now = ticker(1500 * time.Millisecond)
			code, err := RunTime(context.Background(), TimeOptions{Options: o, Name: "job seconds", Argv: tt.argv, MS: tt.ms})
			if err != nil || code != tt.code {
				t.Fatalf("code %d, err %v, want %d; stderr %s", code, err, tt.code, stderr)
			}
			p := f.Points()
			if len(p) == 0 || p[0].Stat != "job seconds" || p[0].Value == nil || *p[0].Value != tt.value {
				t.Fatalf("points %+v, want job seconds = %g", p, tt.value)
			}
			if got := len(p) == 2 && p[1].Stat == "job seconds errors" && p[1].Count != nil && *p[1].Count == 1; got != tt.errors || len(p) > 2 {
				t.Errorf("points %+v: an errors count %v, want %v", p, got, tt.errors)
			}
		})
	}
}

// A name no sink takes is refused before the command runs: a typo does
// not cost a run. A post that fails does not change the command's code.
func TestRunTimeChecksFirst(t *testing.T) {
	f, url := fakestathat.Start(t, fakestathat.Options{})
	o, _, _ := testOptions(t, url, "")
	marker := t.TempDir() + "/ran"
	_, err := RunTime(context.Background(), TimeOptions{Options: o, Name: "", Argv: []string{"touch", marker}})
	if outcome.Of(err) != outcome.Usage {
		t.Fatalf("%v, want a usage error", err)
	}
	if n, _ := f.Counts(); n != 0 {
		t.Errorf("%d requests", n)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran")
	}

	f.SetMode(fakestathat.ServerError)
	o, _, stderr := testOptions(t, url, "")
	code, err := RunTime(context.Background(), TimeOptions{Options: o, Name: "job", Argv: []string{testutil.NeedProgram(t, "true")}})
	if code != 0 || err != nil || !strings.Contains(stderr.String(), "spooled") {
		t.Errorf("a failed post: code %d, err %v, stderr %s; want 0 and the spooling said", code, err, stderr)
	}
}
