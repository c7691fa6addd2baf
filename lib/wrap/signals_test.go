package wrap

import (
	"context"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// What each signal runwrap receives does (docs/runwrap.md, Signals): all the
// forwarded ones reach the command; a terminating one also stops runwrap;
// SIGALRM means "run now" in a periodic loop; a SIGPIPE (not notified,
// but a caller may) is ignored.
func TestRoute(t *testing.T) {
	tests := []struct {
		sig      os.Signal
		periodic bool
		fwd      bool
		stop     bool
		alarm    bool
	}{
		{syscall.SIGTERM, false, true, true, false},
		{syscall.SIGINT, false, true, true, false},
		{syscall.SIGHUP, true, true, true, false},
		{syscall.SIGQUIT, false, true, true, false},
		{syscall.SIGUSR1, false, true, false, false},
		{syscall.SIGUSR2, true, true, false, false},
		{syscall.SIGALRM, true, false, false, true},
		{syscall.SIGALRM, false, false, false, false},
		{syscall.SIGPIPE, false, false, false, false},
	}
	for _, tt := range tests {
		s := &router{fwd: make(chan os.Signal, 8), alarm: make(chan struct{}, 1), stop: make(chan struct{})}
		s.route(tt.sig, tt.periodic)
		fwd := len(s.fwd) == 1
		alarm := len(s.alarm) == 1
		if fwd != tt.fwd || s.stopped() != tt.stop || alarm != tt.alarm {
			t.Errorf("%v (periodic %v): forwarded %v, stopped %v, alarm %v; want %v %v %v",
				tt.sig, tt.periodic, fwd, s.stopped(), alarm, tt.fwd, tt.stop, tt.alarm)
		}
		if tt.stop && s.got != tt.sig {
			t.Errorf("%v: got %v", tt.sig, s.got)
		}
	}

	// A burst never blocks routing; the first terminating signal is the one named.
	s := &router{fwd: make(chan os.Signal, 8), alarm: make(chan struct{}, 1), stop: make(chan struct{})}
	for range 20 {
		s.route(syscall.SIGUSR1, true)
		s.route(syscall.SIGALRM, true)
	}
	s.route(syscall.SIGINT, true)
	s.route(syscall.SIGTERM, true)
	if len(s.fwd) != 8 || s.got != syscall.SIGINT {
		t.Errorf("after a burst: %d queued, got %v", len(s.fwd), s.got)
	}
}

func TestNotified(t *testing.T) {
	once, periodic := Notified(false), Notified(true)
	has := func(list []os.Signal, s os.Signal) bool { return slices.Index(list, s) >= 0 }
	for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2} {
		if !has(once, sig) || !has(periodic, sig) {
			t.Errorf("%v not notified", sig)
		}
	}
	// SIGPIPE is not needed (runwrap's own dups of fds 1 and 2) and would
	// cost start-up time.
	if has(once, syscall.SIGPIPE) || has(periodic, syscall.SIGPIPE) {
		t.Error("SIGPIPE notified")
	}
	if has(once, syscall.SIGALRM) || !has(periodic, syscall.SIGALRM) {
		t.Error("SIGALRM: notified only in a periodic loop")
	}
}

// A terminating signal during the run reaches the command's group; runwrap
// makes no further attempt, sends a fail ping naming the signal and exits
// with the command's code.
func TestSignalForwarded(t *testing.T) {
	p := &fakePinger{}
	c := testConfig(t, p, newClock(), "echo started; exec sleep 30")
	c.Retry = 2
	sigs := make(chan os.Signal, 1)
	c.Signals = sigs
	out := newLines()
	c.Stdout = out
	done := runBackground(c)
	out.next(t)
	sigs <- syscall.SIGTERM
	o := recv(t, done)
	last := p.last()
	if o.Code != 128+15 || !o.Interrupted || last.Kind != Fail {
		t.Errorf("outcome %+v, ping %s; want 143, interrupted, fail", o, last.Kind)
	}
	if want := "[runwrap] killed by signal 15 (SIGTERM); runwrap received SIGTERM and forwarded it\n"; string(last.Body) != want+"" && !strings.HasSuffix(string(last.Body), want) {
		t.Errorf("body %q, want it to end in %q", last.Body, want)
	}
	select {
	case l := <-out.c:
		t.Errorf("another attempt ran after SIGTERM: %q", l)
	default:
	}
}

// A terminating signal during --jitter: run once, the command never starts,
// a fail ping says why, exit 128+N; in a periodic loop, a clean stop.
func TestStopDuringJitter(t *testing.T) {
	for _, periodic := range []bool{false, true} {
		p, clock := &fakePinger{}, newClock()
		clock.block = true
		clock.waits = make(chan time.Duration, 1)
		c := testConfig(t, p, clock, "touch ran")
		c.Jitter = time.Hour
		if periodic {
			c.Every = time.Hour
		}
		sigs := make(chan os.Signal, 1)
		c.Signals = sigs
		done := runBackground(c)
		recv(t, clock.waits) // in the jitter sleep
		sigs <- syscall.SIGTERM
		o := recv(t, done)
		if periodic {
			if o != (Outcome{}) || p.kinds() != "" {
				t.Errorf("periodic: outcome %+v, pings %q; want a clean stop", o, p.kinds())
			}
			continue
		}
		if o.Code != 143 || !o.Interrupted || p.kinds() != "fail" ||
			string(p.last().Body) != "[runwrap] not started: runwrap received SIGTERM during --jitter\n" {
			t.Errorf("outcome %+v, pings %q %q", o, p.kinds(), p.last().Body)
		}
	}
}

// --every: a run, then the wait for the next; SIGALRM runs now; a terminating
// signal between runs stops the loop with exit 0; exit codes do not stop it.
func TestPeriodic(t *testing.T) {
	p, clock := &fakePinger{}, newClock()
	clock.block = true
	clock.waits = make(chan time.Duration, 1)
	c := testConfig(t, p, clock, "exit 3")
	c.Every = 10 * time.Minute
	sigs := make(chan os.Signal, 1)
	c.Signals = sigs
	done := runBackground(c)
	if d := recv(t, clock.waits); d != 10*time.Minute {
		t.Errorf("waits %v for the next run, want 10m (the clock stands still)", d)
	}
	sigs <- syscall.SIGALRM
	recv(t, clock.waits)
	sigs <- syscall.SIGTERM
	if o := recv(t, done); o != (Outcome{}) {
		t.Errorf("outcome %+v, want a clean stop", o)
	}
	if k := p.kinds(); k != "start exit-code start exit-code" {
		t.Errorf("pings %q, want two runs", k)
	}
}

// ctx's end stops a periodic loop between runs.
func TestPeriodicContext(t *testing.T) {
	p, clock := &fakePinger{}, newClock()
	clock.block = true
	clock.waits = make(chan time.Duration, 1)
	c := testConfig(t, p, clock, "true")
	c.Every = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Outcome, 1)
	go func() { done <- Run(ctx, c) }()
	recv(t, clock.waits)
	cancel()
	if o := recv(t, done); o != (Outcome{}) {
		t.Errorf("outcome %+v", o)
	}
}
