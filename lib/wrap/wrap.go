// Package wrap runs one monitored job the way runwrap does: jitter, lock,
// a start ping beside the command, attempts with --retry, the --tolerate
// streak, a finish ping whose body is the output's tail sized to the server's
// limit with the outcome line kept, /log pings, the run record, and the loop
// of --every/--schedule with its signal routing. What it talks to is injected
// through small interfaces (a Pinger, a Clock, a signal channel), so that
// every behaviour is testable without a process of runwrap's own; the
// command itself runs through lib/runner. It knows no flags and no HTTP:
// cmd/runwrap binds the flags and wires a Healthchecks client in. It is not
// a public API.
package wrap

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Body limits, after Healthchecks (reference/healthchecks-api.md §2.4).
const (
	// DefaultBodyLimit is hosted Healthchecks' limit, for a server that announces none.
	DefaultBodyLimit = 100_000
	// MaxBodyLimit is runitor's cap on a server-announced limit.
	MaxBodyLimit = 10_000_000
	// SelfHostedBodyLimit is what a self-hosted Healthchecks keeps of a
	// ping body by default (PING_BODY_LIMIT). The server keeps the *first*
	// bytes, so a longer body loses its end, the exit line included: until
	// a server has said its limit, bodies fit this.
	SelfHostedBodyLimit = 10_000
)

// Kind is a ping's kind, named as Healthchecks and runitor name them.
type Kind string

// The kinds of ping.
const (
	Start    Kind = "start"
	Success  Kind = "success"
	Fail     Kind = "fail"
	Log      Kind = "log"
	ExitCode Kind = "exit-code"
)

// Ping is one ping to send.
type Ping struct {
	Kind     Kind
	ExitCode int    // for ExitCode: 0-255
	RunID    string // rid, "" for none
	Body     []byte
}

// Pinger sends pings. A start ping is bounded by its own short deadline (it
// runs beside the command); the others by the longer one. bodyLimit is the
// server's Ping-Body-Limit when it said one, else 0.
type Pinger interface {
	Ping(ctx context.Context, p Ping) (bodyLimit int, err error)
}

// Clock is the time the wrapper waits on (jitter, retry delay, periodic
// runs, log pings). The command's own timeout is lib/runner's.
type Clock interface {
	Now() time.Time
	// After is time.After.
	After(d time.Duration) <-chan time.Time
	// Tick is time.NewTicker's channel and its Stop.
	Tick(d time.Duration) (c <-chan time.Time, stop func())
}

// Schedule gives the next time of a cron schedule (lib/cron's *Schedule).
type Schedule interface {
	Next(after time.Time) time.Time
}

// Config is one wrapped job, as runwrap's flags say it.
type Config struct {
	Command []string
	Env     []string // the command's environment; RUNWRAP_RUN_ID and RUNWRAP_ATTEMPT are added
	Stdin   io.Reader
	Stdout  io.Writer // nil: discarded
	Stderr  io.Writer // nil: discarded
	Getenv  func(string) string

	Pinger Pinger
	Clock  Clock // nil: the real clock
	// Signals are the signals runwrap received (signal.Notify with Notified);
	// nil: none.
	Signals <-chan os.Signal
	Logger  *slog.Logger                     // info: jitter, skipped runs, failed attempts; nil: silent
	Warnf   func(format string, args ...any) // ping trouble and state-file errors; nil: silent
	// PingHint classifies a ping error that fails every ping of a run alike
	// (a wrong URL, a missing check): it is said once a run, with the hint.
	// A nil reason is an error said each time. nil: none.
	PingHint func(err error) (hint string, reason error)

	// The check: CheckName tags the run record and Endpoint keys the
	// learned body limit (both are written to files: no key in them);
	// Handle keys the --tolerate state (hashed into its file name).
	CheckName, Handle, Endpoint string

	RunID                            string // "" a fresh UUID4 per run
	NoRunID, NoStartPing, NoOutput   bool
	BodyLimit                        int  // 0: MaxBodyLimit
	BodyLimitSet                     bool // BodyLimit was given (flag, env, config): the user's word
	OnSuccess, OnNonzero, OnExecFail Kind
	LogPing                          time.Duration
	DiscardStdout, Silent            bool

	Timeout, KillAfter time.Duration
	Lock               string
	LockWait           time.Duration
	Jitter             time.Duration
	Retry              int
	RetryDelay         time.Duration
	Tolerate           int
	Every              time.Duration
	Schedule           Schedule // with Loc
	Loc                *time.Location
	Record             string // run record file

	// Names are the command's spellings of the settings named in what the
	// run says.
	Names Names
}

// Names are the command's spellings of the settings that lib/wrap's words
// name: the fail ping of a run stopped before it started (during Jitter,
// while waiting for Lock), the warnings about Record and the Tolerate state,
// and the tolerated-failure line of a ping body. lib/wrap knows no command's
// flags (issue 18). The command passes its spellings in (runwrap: its
// flags), rather than wording typed reasons afterwards, because these words
// are made mid-run and three of them travel in ping bodies that lib/wrap
// sends itself. An empty field reads as the setting's neutral name: "jitter",
// "lock", "run record", "failure tolerance".
type Names struct {
	Jitter, Lock, Record, Tolerate string
}

// orDefaults fills the empty fields with the neutral names.
func (n Names) orDefaults() Names {
	return Names{Jitter: cmp.Or(n.Jitter, "jitter"), Lock: cmp.Or(n.Lock, "lock"),
		Record: cmp.Or(n.Record, "run record"), Tolerate: cmp.Or(n.Tolerate, "failure tolerance")}
}

// Outcome is how a run (or a periodic loop) ends, for runwrap's exit.
type Outcome struct {
	Code  int
	Err   error // said on stderr (exec failure, lock error)
	Fatal bool  // a setup error that would repeat on every periodic run
	// Interrupted: a terminating signal arrived while the command ran (or
	// before it could start).
	Interrupted bool
}

// wrapper holds what stays the same across periodic runs.
type wrapper struct {
	c     Config
	clock Clock
	sr    *router

	mu      sync.Mutex
	warned  map[error]bool // ping failures said this run (warnPing)
	learned int            // the server's Ping-Body-Limit, once a start ping said it
}

func newWrapper(c Config) *wrapper {
	w := &wrapper{c: c, clock: c.Clock}
	if w.clock == nil {
		w.clock = realClock{}
	}
	if w.c.Logger == nil {
		w.c.Logger = slog.New(slog.DiscardHandler)
	}
	if w.c.Loc == nil {
		w.c.Loc = time.Local
	}
	w.c.Names = w.c.Names.orDefaults()
	return w
}

func (c *Config) periodic() bool { return c.Every > 0 || c.Schedule != nil }

// Run runs the job once, or periodically with Every or Schedule until a
// terminating signal (or ctx) stops it.
func Run(ctx context.Context, c Config) Outcome {
	w := newWrapper(c)
	w.sr = newRouter(c.Signals, c.periodic())
	defer w.sr.quit()
	if !c.periodic() {
		return w.once(ctx)
	}
	for {
		started := w.clock.Now()
		out := w.once(ctx)
		if w.sr.stopped() {
			if out.Interrupted {
				return out // the signal reached the command
			}
			return Outcome{} // it came after the run: a clean stop
		}
		if out.Err != nil && out.Fatal {
			return out
		}
		select {
		case <-w.clock.After(w.nextDelay(started, w.clock.Now())):
		case <-w.sr.alarm:
		case <-w.sr.stop:
			return Outcome{} // stopped between runs: a clean stop
		case <-ctx.Done():
			return Outcome{}
		}
	}
}

// nextDelay is how long to wait after a run that started at started, now.
func (w *wrapper) nextDelay(started, now time.Time) time.Duration {
	if every := w.c.Every; every > 0 {
		// A fixed cadence from the runs' starts, like runitor's
		// time.Ticker; a run longer than D skips the ticks it overran.
		at := started.Add(every)
		for !at.After(now) {
			at = at.Add(every)
		}
		return at.Sub(now)
	}
	return w.c.Schedule.Next(now.In(w.c.Loc)).Sub(now)
}

// sleep waits d unless runwrap is told to stop; it reports whether d passed.
func (w *wrapper) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return !w.sr.stopped()
	}
	select {
	case <-w.clock.After(d):
		return true
	case <-w.sr.stop:
		return false
	case <-ctx.Done():
		return false
	}
}

func (w *wrapper) warnf(format string, args ...any) {
	if w.c.Warnf != nil {
		w.c.Warnf(format, args...)
	}
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (realClock) Tick(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}
