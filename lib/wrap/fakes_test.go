package wrap

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cronkit/cronkit/lib/runner"
)

// fakePinger records pings. A start ping waits for startGate when set and
// answers limit as the server's Ping-Body-Limit; fail decides errors.
type fakePinger struct {
	mu        sync.Mutex
	pings     []Ping
	startGate chan struct{}
	limit     int
	fail      func(Ping) error
	sent      chan Ping // each recorded ping, when set (buffered)
}

func (f *fakePinger) Ping(ctx context.Context, p Ping) (int, error) {
	if p.Kind == Start && f.startGate != nil {
		select {
		case <-f.startGate:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	p.Body = bytes.Clone(p.Body)
	f.mu.Lock()
	f.pings = append(f.pings, p)
	f.mu.Unlock()
	if f.sent != nil {
		f.sent <- p
	}
	if f.fail != nil {
		if err := f.fail(p); err != nil {
			return 0, err
		}
	}
	if p.Kind == Start {
		return f.limit, nil
	}
	return 0, nil
}

func (f *fakePinger) all() []Ping {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Ping(nil), f.pings...)
}

// kinds is the pings' kinds in order, e.g. "start success".
func (f *fakePinger) kinds() string {
	var k []string
	for _, p := range f.all() {
		k = append(k, string(p.Kind))
	}
	return strings.Join(k, " ")
}

func (f *fakePinger) last() Ping {
	p := f.all()
	if len(p) == 0 {
		return Ping{}
	}
	return p[len(p)-1]
}

// fakeClock stands still. After records each wait and fires at once, unless
// block is set: then it never fires, and the wait is announced on waits.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
	block bool
	waits chan time.Duration
	tick  chan time.Time // what Tick returns
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), tick: make(chan time.Time)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	if c.waits != nil {
		c.waits <- d
	}
	if c.block {
		return nil // a nil channel never fires
	}
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) Tick(time.Duration) (<-chan time.Time, func()) { return c.tick, func() {} }

func (c *fakeClock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// lines is an io.Writer that hands each complete line to a channel.
type lines struct {
	mu  sync.Mutex
	buf []byte
	c   chan string
}

func newLines() *lines { return &lines{c: make(chan string, 100)} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.c <- string(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
}

// next waits (10 s at most) for the next line.
func (l *lines) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-l.c:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no line from the command within 10s")
		return ""
	}
}

// testConfig is runwrap's defaults with the fakes, a state directory of the
// test's own and the command sh -c script.
func testConfig(t *testing.T, p *fakePinger, clock *fakeClock, script string) Config {
	state := t.TempDir()
	return Config{
		Command: []string{"sh", "-c", script}, Env: os.Environ(),
		Getenv: func(k string) string {
			if k == "XDG_STATE_HOME" {
				return state
			}
			return ""
		},
		Pinger: p, Clock: clock, CheckName: "nightly", Handle: "h", Endpoint: "https://hc.example.org/ping",
		BodyLimit: DefaultBodyLimit, OnSuccess: Success, OnNonzero: ExitCode, OnExecFail: Fail,
		KillAfter: 10 * time.Second, RetryDelay: 10 * time.Second, Names: runwrapNames,
	}
}

// runwrapNames are runwrap's flags, as lib/app/runwrap passes them: the
// tests here check the bytes runwrap prints and pings.
var runwrapNames = Names{Jitter: "--jitter", Lock: "--lock", Record: "--record", Tolerate: "--tolerate"}

func runBackground(c Config) <-chan Outcome {
	done := make(chan Outcome, 1)
	go func() { done <- Run(context.Background(), c) }()
	return done
}

// recv waits (10 s at most) for a value on ch.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing arrived within 10s")
		var zero T
		return zero
	}
}

// holdLock takes a lock file, as another run would, for the test's duration.
func holdLock(t *testing.T) string {
	t.Helper()
	lock := filepath.Join(t.TempDir(), "job.lock")
	unlock, err := runner.Lock(context.Background(), lock, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(unlock)
	return lock
}
