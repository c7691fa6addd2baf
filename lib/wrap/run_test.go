package wrap

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/runner"
)

// --retry N runs a failed command up to N more times, --retry-delay apart,
// each attempt a line in the body (docs/runwrap.md, One run, 5); success or
// a command that cannot start ends the attempts.
func TestRetryCounts(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		retry    int
		attempts string // RUNWRAP_ATTEMPT of each attempt that ran
		code     int
		kind     Kind
		footer   string
	}{
		{"no retry", "echo $RUNWRAP_ATTEMPT; exit 3", 0, "1", 3, ExitCode, "[runwrap] exit status 3\n"},
		{"all fail", "echo $RUNWRAP_ATTEMPT; exit 3", 2, "1 2 3", 3, ExitCode, "[runwrap] attempt 3 of 3: exit status 3\n"},
		{"second succeeds", `echo $RUNWRAP_ATTEMPT; test "$RUNWRAP_ATTEMPT" = 2`, 4, "1 2", 0, Success,
			"[runwrap] attempt 2 of 5: exit status 0\n"},
		{"first succeeds", "echo $RUNWRAP_ATTEMPT", 2, "1", 0, Success, "[runwrap] exit status 0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, clock := &fakePinger{}, newClock()
			c := testConfig(t, p, clock, tt.script)
			c.Retry = tt.retry
			out := newLines()
			c.Stdout = out
			o := Run(context.Background(), c)
			close(out.c)
			var ran []string
			for l := range out.c {
				ran = append(ran, l)
			}
			if got := strings.Join(ran, " "); got != tt.attempts {
				t.Errorf("attempts ran: %q, want %q", got, tt.attempts)
			}
			if o.Code != tt.code || o.Err != nil || o.Interrupted {
				t.Errorf("outcome %+v, want code %d", o, tt.code)
			}
			if k := p.kinds(); k != "start "+string(tt.kind) {
				t.Errorf("pings %q", k)
			}
			n := len(ran)
			// One --retry-delay between attempts, none after the last.
			if s := clock.sleeps(); len(s) != n-1 || n > 1 && s[0] != 10*time.Second {
				t.Errorf("slept %v between %d attempts", s, n)
			}
			body := string(p.last().Body)
			if !strings.HasSuffix(body, tt.footer) {
				t.Errorf("body %q, want it to end in %q", body, tt.footer)
			}
			for i := 2; i <= n; i++ {
				if want := "[runwrap] attempt " + itoa(i) + " of " + itoa(tt.retry+1) + "\n"; !strings.Contains(body, want) {
					t.Errorf("body %q lacks %q", body, want)
				}
			}
		})
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

// A command that cannot start is not retried: 127, the --on-exec-fail ping.
func TestExecFailNotRetried(t *testing.T) {
	p, clock := &fakePinger{}, newClock()
	c := testConfig(t, p, clock, "")
	c.Command = []string{"/nonexistent/job"}
	c.Retry = 3
	o := Run(context.Background(), c)
	if o.Code != runner.ExitNotFound || o.Err == nil {
		t.Errorf("outcome %+v, want 127 with the error", o)
	}
	if k := p.kinds(); k != "start fail" || len(clock.sleeps()) != 0 {
		t.Errorf("pings %q, sleeps %v", k, clock.sleeps())
	}
}

// The finish ping's kind per outcome and the --on-* flags (docs/runwrap.md,
// One run, 6; runitor's ping types, reference/runitor.md).
func TestFinishKind(t *testing.T) {
	tests := []struct {
		name, script string
		set          func(*Config)
		kind         Kind
		exit         int
	}{
		{"success", "true", nil, Success, 0},
		{"nonzero", "exit 3", nil, ExitCode, 3},
		{"killed by a signal", "kill -KILL $$", nil, ExitCode, 137},
		{"on-nonzero-exit log", "exit 3", func(c *Config) { c.OnNonzero = Log }, Log, 3},
		{"on-success fail", "true", func(c *Config) { c.OnSuccess = Fail }, Fail, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakePinger{}
			c := testConfig(t, p, newClock(), tt.script)
			if tt.set != nil {
				tt.set(&c)
			}
			o := Run(context.Background(), c)
			last := p.last()
			if o.Code != tt.exit || last.Kind != tt.kind || last.ExitCode != tt.exit {
				t.Errorf("outcome %+v, ping %s exit %d; want %s %d", o, last.Kind, last.ExitCode, tt.kind, tt.exit)
			}
		})
	}
}

// --tolerate N: up to N consecutive failures are reported as success with a
// body line; the next is reported; a success resets; the exit code is always
// the command's (docs/runwrap.md, Failure tolerance).
func TestTolerate(t *testing.T) {
	p := &fakePinger{}
	c := testConfig(t, p, newClock(), "")
	script := filepath.Join(t.TempDir(), "job")
	c.Command = []string{"sh", "-c", `exit "$(cat "$1")"`, "sh", script}
	c.Tolerate = 2
	runs := []struct {
		exit int
		kind Kind
		line string
	}{
		{1, Success, "[runwrap] failure 1 of 2 tolerated (--tolerate): reported as success\n"},
		{1, Success, "[runwrap] failure 2 of 2 tolerated (--tolerate): reported as success\n"},
		{1, ExitCode, ""},
		{0, Success, ""},
		{1, Success, "[runwrap] failure 1 of 2 tolerated (--tolerate): reported as success\n"},
	}
	for i, r := range runs {
		if err := os.WriteFile(script, []byte(itoa(r.exit)), 0o644); err != nil {
			t.Fatal(err)
		}
		o := Run(context.Background(), c)
		last := p.last()
		body := string(last.Body)
		if o.Code != r.exit || last.Kind != r.kind || (r.line == "") == strings.HasPrefix(body, "[runwrap] failure") ||
			!strings.HasPrefix(body, r.line) {
			t.Errorf("run %d: exit %d, ping %s %q; want exit %d, %s, body starting %q", i+1, o.Code, last.Kind, body, r.exit, r.kind, r.line)
		}
	}
	// The streak is kept per check: another handle starts from zero.
	c.Handle = "other"
	Run(context.Background(), c)
	if !strings.HasPrefix(string(p.last().Body), "[runwrap] failure 1 of 2") {
		t.Errorf("another check's streak: %q", p.last().Body)
	}
}

// --timeout: SIGTERM to the group after D; exit 124 and the body says so
// (docs/runwrap.md, Signals, timeouts).
func TestTimeout(t *testing.T) {
	p := &fakePinger{}
	c := testConfig(t, p, newClock(), "exec sleep 30")
	c.Timeout = 100 * time.Millisecond
	o := Run(context.Background(), c)
	last := p.last()
	if o.Code != runner.ExitTimedOut || last.Kind != ExitCode || last.ExitCode != 124 {
		t.Errorf("outcome %+v, ping %s %d; want 124", o, last.Kind, last.ExitCode)
	}
	if want := "[runwrap] timed out after 100ms, killed by signal 15 (SIGTERM)\n"; string(last.Body) != want {
		t.Errorf("body %q, want %q", last.Body, want)
	}
}

// The start ping goes out while the command starts: the command does not
// wait for it, and the finish ping waits for it, so the server sees start
// before finish (docs/runwrap.md, One run, 3).
func TestStartPingBesideCommand(t *testing.T) {
	p := &fakePinger{startGate: make(chan struct{})}
	c := testConfig(t, p, newClock(), "echo running")
	out := newLines()
	c.Stdout = out
	done := runBackground(c)
	if l := out.next(t); l != "running" {
		t.Fatalf("stdout %q", l)
	}
	// The command ran while the start ping is still unanswered; nothing
	// has been sent past it.
	select {
	case o := <-done:
		t.Fatalf("Run returned %+v before the start ping was answered", o)
	default:
	}
	if k := p.kinds(); k != "" {
		t.Fatalf("pings before the start ping's answer: %q", k)
	}
	close(p.startGate)
	recv(t, done)
	if k := p.kinds(); k != "start success" {
		t.Errorf("pings %q, want start then success", k)
	}
	rid := p.all()[0].RunID
	if len(rid) != 36 || p.all()[1].RunID != rid {
		t.Errorf("run ids %q, %q: want one fresh UUID on both", rid, p.all()[1].RunID)
	}
}

// The body fits the limit the start ping announced, the truncation notice
// first (Healthchecks keeps a body's head) and the outcome line whole
// (docs/runwrap.md, body limit).
func TestBodyFitsAnnouncedLimit(t *testing.T) {
	p := &fakePinger{limit: 200}
	c := testConfig(t, p, newClock(), `i=0; while [ $i -lt 100 ]; do echo "line $i"; i=$((i+1)); done; exit 2`)
	Run(context.Background(), c)
	body := string(p.last().Body)
	if len(body) > 200 || !strings.HasPrefix(body, "[runwrap] output truncated: last ") ||
		!strings.HasSuffix(body, "line 99\n[runwrap] exit status 2\n") {
		t.Errorf("body (%d bytes) %q", len(body), body)
	}
}

// Until a server has said its limit (the start ping failed, or
// --no-start-ping), the body fits 10000 bytes, the self-hosted default, or
// the limit this endpoint announced in an earlier run.
func TestBodyLimitUnknown(t *testing.T) {
	p := &fakePinger{fail: func(p Ping) error {
		if p.Kind == Start {
			return errors.New("ping start: connection refused")
		}
		return nil
	}}
	c := testConfig(t, p, newClock(), `head -c 50000 /dev/zero | tr '\0' x; echo; exit 1`)
	var warned []string
	c.Warnf = func(f string, a ...any) { warned = append(warned, f) }
	Run(context.Background(), c)
	body := string(p.last().Body)
	if len(body) != SelfHostedBodyLimit || !strings.HasSuffix(body, "x\n[runwrap] exit status 1\n") {
		t.Errorf("body of %d bytes ending %q, want %d ending in the exit line", len(body), body[max(len(body)-40, 0):], SelfHostedBodyLimit)
	}
	if len(warned) != 1 {
		t.Errorf("warnings %q, want the failed start ping once", warned)
	}

	// A later run of the same endpoint without a start ping uses the limit
	// an earlier start ping announced.
	ok := &fakePinger{limit: 30000}
	c.Pinger = ok
	Run(context.Background(), c)
	c.NoStartPing = true
	Run(context.Background(), c)
	if k, n := ok.kinds(), len(ok.last().Body); k != "start exit-code exit-code" || n != 30000 {
		t.Errorf("pings %q, last body %d bytes; want 30000", k, n)
	}
}

// Trouble that fails every ping of a run alike is said once a run, with the
// command's hint; other ping errors each time.
func TestPingTroubleOncePerRun(t *testing.T) {
	notFound := errors.New("check not found")
	p := &fakePinger{fail: func(Ping) error { return notFound }}
	c := testConfig(t, p, newClock(), "true")
	c.NoRunID = true
	var warned []string
	c.Warnf = func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }
	c.PingHint = func(err error) (string, error) {
		if errors.Is(err, notFound) {
			return "check --uuid", notFound
		}
		return "", nil
	}
	for range 2 {
		if o := Run(context.Background(), c); o.Code != 0 {
			t.Fatalf("a failed ping changed the exit code: %+v", o)
		}
	}
	if want := "check not found (check --uuid)"; len(warned) != 2 || warned[0] != want || warned[1] != want {
		t.Errorf("warnings %q, want %q once per run", warned, want)
	}
	if p.all()[0].RunID != "" {
		t.Error("NoRunID sent a run id")
	}
}

// A busy --lock skips the run: a /log ping, exit 0, the command not run.
func TestLockBusySkips(t *testing.T) {
	lock := holdLock(t)
	p := &fakePinger{}
	c := testConfig(t, p, newClock(), "touch ran")
	c.Lock = lock
	o := Run(context.Background(), c)
	if o != (Outcome{}) || p.kinds() != "log" || !strings.Contains(string(p.last().Body), "run skipped: "+lock+" is held by another run") {
		t.Errorf("outcome %+v, pings %q %q", o, p.kinds(), p.last().Body)
	}
}

// --log-ping sends the output that arrived since the last one.
func TestLogPings(t *testing.T) {
	p := &fakePinger{sent: make(chan Ping, 10)}
	clock := newClock()
	c := testConfig(t, p, clock, "echo one; read x; echo two")
	c.LogPing = time.Second
	stdin, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	c.Stdin = stdin
	out := newLines()
	c.Stdout = out
	done := runBackground(c)
	out.next(t)     // "one"
	recv(t, p.sent) // start
	// lib/runner hands "one" to the capture just after stdout: a tick
	// before that finds nothing to send, so tick until the log ping comes.
	var l Ping
	for deadline := time.After(10 * time.Second); l.Kind == ""; {
		select {
		case clock.tick <- time.Now():
		case l = <-p.sent:
		case <-deadline:
			t.Fatal("no log ping within 10s")
		}
	}
	if l.Kind != Log || string(l.Body) != "one\n" {
		t.Fatalf("log ping %s %q", l.Kind, l.Body)
	}
	w.Write([]byte("\n"))
	w.Close()
	recv(t, done)
	if k, b := p.kinds(), string(p.last().Body); k != "start log success" || b != "one\ntwo\n[runwrap] exit status 0\n" {
		t.Errorf("pings %q, finish body %q", k, b)
	}
}
