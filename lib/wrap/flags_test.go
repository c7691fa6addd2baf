package wrap

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Output flags (docs/runwrap.md, Flags): --discard-stdout drops stdout from
// the terminal and the body (runitor's -quiet), --silent both streams,
// --no-output-in-ping keeps them on the terminal only.
func TestOutputFlags(t *testing.T) {
	tests := []struct {
		name           string
		set            func(*Config)
		stdout, stderr string
		body           string // its lines sorted: the two streams may interleave either way
	}{
		{"default", func(*Config) {}, "out\n", "err\n", "[runwrap] exit status 0\nerr\nout\n"},
		{"discard-stdout", func(c *Config) { c.DiscardStdout = true }, "", "err\n", "[runwrap] exit status 0\nerr\n"},
		{"silent", func(c *Config) { c.Silent = true }, "", "", "[runwrap] exit status 0\n"},
		{"no-output-in-ping", func(c *Config) { c.NoOutput = true }, "out\n", "err\n", "[runwrap] exit status 0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakePinger{}
			c := testConfig(t, p, newClock(), "echo out; echo err >&2")
			var stdout, stderr bytes.Buffer
			c.Stdout, c.Stderr = &stdout, &stderr
			tt.set(&c)
			Run(context.Background(), c)
			body := string(p.last().Body)
			if !strings.HasSuffix(body, "\n[runwrap] exit status 0\n") && body != "[runwrap] exit status 0\n" {
				t.Errorf("body %q does not end in the outcome line", body)
			}
			lines := strings.SplitAfter(body, "\n")
			sort.Strings(lines)
			body = strings.Join(lines, "")
			if stdout.String() != tt.stdout || stderr.String() != tt.stderr || body != tt.body {
				t.Errorf("stdout %q, stderr %q, body %q; want %q, %q, %q",
					stdout.String(), stderr.String(), body, tt.stdout, tt.stderr, tt.body)
			}
		})
	}
}

// --run-id is sent on every ping of the run and exported to the command as
// RUNWRAP_RUN_ID; without it each run has a fresh one.
func TestRunID(t *testing.T) {
	const rid = "6f0c5a0e-1b2c-4d3e-8f40-5a6b7c8d9e0f"
	p := &fakePinger{}
	c := testConfig(t, p, newClock(), `echo "$RUNWRAP_RUN_ID"`)
	var stdout bytes.Buffer
	c.Stdout = &stdout
	c.RunID = rid
	Run(context.Background(), c)
	for _, pg := range p.all() {
		if pg.RunID != rid {
			t.Errorf("%s ping rid %q", pg.Kind, pg.RunID)
		}
	}
	if stdout.String() != rid+"\n" {
		t.Errorf("the command saw RUNWRAP_RUN_ID=%q", stdout.String())
	}
	c.RunID = ""
	Run(context.Background(), c)
	Run(context.Background(), c)
	all := p.all()
	if a, b := all[2].RunID, all[4].RunID; a == b || a == rid || len(a) != 36 || all[3].RunID != a {
		t.Errorf("fresh run ids: %q then %q", a, b)
	}
}

// A terminating signal while waiting for a busy --lock: the command never
// starts, a fail ping says why, exit 128+N.
func TestStopWhileWaitingForLock(t *testing.T) {
	lock := holdLock(t)
	p := &fakePinger{}
	c := testConfig(t, p, newClock(), "touch ran")
	c.Lock, c.LockWait = lock, time.Hour
	sigs := make(chan os.Signal, 1)
	sigs <- syscall.SIGINT
	c.Signals = sigs
	o := recv(t, runBackground(c))
	want := "[runwrap] not started: runwrap received SIGINT while waiting for --lock " + lock + "\n"
	if o.Code != 130 || !o.Interrupted || p.kinds() != "fail" || string(p.last().Body) != want {
		t.Errorf("outcome %+v, pings %q %q", o, p.kinds(), p.last().Body)
	}
}

// --record: one run record and the metrics, appended per run.
func TestRecordPerRun(t *testing.T) {
	p := &fakePinger{}
	c := testConfig(t, p, newClock(), "exec sleep 30")
	c.Timeout = 50 * time.Millisecond
	c.Record = filepath.Join(t.TempDir(), "runs.jsonl")
	Run(context.Background(), c)
	b, err := os.ReadFile(c.Record)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var first struct {
		Run runRecord `json:"run"`
	}
	if len(lines) != 3 || json.Unmarshal([]byte(lines[0]), &first) != nil {
		t.Fatalf("record file %q", b)
	}
	if r := first.Run; r.ExitCode != 124 || !r.TimedOut || r.Ping != "exit-code" || r.Check != "nightly" || r.Attempts != 1 {
		t.Errorf("run %+v", r)
	}
}
