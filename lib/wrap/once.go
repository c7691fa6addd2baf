package wrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/cronkit/cronkit/lib/runner"
	"github.com/google/uuid"
)

// once is one run: jitter, lock, start ping, attempts, finish ping, record.
func (w *wrapper) once(ctx context.Context) Outcome {
	c := &w.c
	w.mu.Lock()
	w.warned = nil // each run of a periodic loop says its ping trouble again
	w.mu.Unlock()
	if d := runner.Jitter(c.Jitter); d > 0 {
		c.Logger.Info("jitter", "sleep", d)
		if !w.sleep(ctx, d) {
			return w.notStarted(ctx, "during "+c.Names.Jitter)
		}
	}
	if c.Lock != "" {
		unlock, out, ok := w.lock(ctx)
		if !ok {
			return out
		}
		defer unlock()
	}
	rid := c.RunID
	if rid == "" && !c.NoRunID {
		rid = uuid.NewString()
	}
	var tail *runner.Tail
	if !c.NoOutput && !c.Silent {
		tail = runner.NewTail(c.bodyLimit())
	}
	// The start ping goes out while the command starts, not before it: the
	// command never waits for the server (runitor makes it wait), and a run
	// costs the slower of the two instead of their sum. The finish and log
	// pings wait for it, so Healthchecks always sees start before finish.
	started := w.startPing(ctx, rid, tail)
	var stopLog func()
	if c.LogPing > 0 && tail != nil {
		stopLog = w.logPings(ctx, tail, rid, started)
	}
	res, attempt := w.attempts(ctx, tail, rid)
	if stopLog != nil {
		stopLog()
	}
	kind, code, tolerated := w.pingKind(res)
	body := w.body(tail, started(), res, attempt, tolerated)
	perr := w.send(ctx, Ping{Kind: kind, ExitCode: code, RunID: rid, Body: body})
	if c.Record != "" {
		if err := writeRecord(c, res, attempt, rid, kind, perr); err != nil {
			w.warnf("%s: %v", c.Names.Record, err)
		}
	}
	return Outcome{Code: res.ExitCode, Err: res.ExecErr, Interrupted: res.Received != nil}
}

// lock takes --lock. Without it, the run ends with out: skipped (a /log
// ping, exit 0), stopped by a signal, or failed.
func (w *wrapper) lock(ctx context.Context) (unlock func(), out Outcome, ok bool) {
	c := &w.c
	// A terminating signal ends the wait for the lock.
	lockCtx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-w.sr.stop:
			cancel()
		case <-lockCtx.Done():
		}
	}()
	unlock, err := runner.Lock(lockCtx, c.Lock, c.LockWait)
	cancel()
	switch {
	case w.sr.stopped():
		if unlock != nil {
			unlock()
		}
		return nil, w.notStarted(ctx, "while waiting for "+c.Names.Lock+" "+c.Lock), false
	case errors.Is(err, runner.ErrLocked):
		// Documented: a skipped run is not a failure; the /log ping
		// leaves the check's status alone but shows in its log.
		msg := fmt.Sprintf("[runwrap] run skipped: %s is held by another run", c.Lock)
		if c.LockWait > 0 {
			msg += fmt.Sprintf(" (waited %s)", c.LockWait)
		}
		c.Logger.Info("run skipped: lock is held", "lock", c.Lock)
		_ = w.send(ctx, Ping{Kind: Log, Body: []byte(msg + "\n")})
		return nil, Outcome{}, false
	case err != nil:
		return nil, Outcome{Code: runner.ExitBeforeRunning, Err: err, Fatal: true}, false
	}
	return unlock, Outcome{}, true
}

// attempts runs the command up to --retry+1 times, until it succeeds, cannot
// start, or runwrap is told to stop. It returns the last attempt's result and
// its number.
func (w *wrapper) attempts(ctx context.Context, tail *runner.Tail, rid string) (res runner.Result, attempt int) {
	c := &w.c
	total := c.Retry + 1
	for attempt = 1; ; attempt++ {
		w.sr.drain()
		if w.sr.stopped() {
			if attempt > 1 {
				return res, attempt - 1
			}
			// Told to stop before the command started (while waiting for
			// the lock): do not start it; the fail ping says why.
			return runner.Result{Start: w.clock.Now(), Received: w.sr.got, ExitCode: 128 + sigNum(w.sr.got),
				ExecErr: fmt.Errorf("not started: runwrap received %s", runner.SignalName(w.sr.got))}, attempt
		}
		if attempt > 1 && tail != nil {
			fmt.Fprintf(tail, "[runwrap] attempt %d of %d\n", attempt, total)
		}
		res = runner.Run(ctx, w.spec(tail, rid, attempt))
		if res.OK() || res.ExecErr != nil || attempt >= total || w.sr.stopped() {
			return res, attempt
		}
		note := fmt.Sprintf("[runwrap] attempt %d of %d: %s; retrying in %s\n", attempt, total, res.Status(c.Timeout), c.RetryDelay)
		if tail != nil {
			_, _ = io.WriteString(tail, note)
		}
		c.Logger.Info("attempt failed", "attempt", attempt, "status", res.Status(c.Timeout))
		if !w.sleep(ctx, c.RetryDelay) {
			// Told to stop between attempts: report the failure and the signal.
			if res.Received == nil {
				res.Received = w.sr.got
			}
			return res, attempt
		}
	}
}

// notStarted ends a run that a terminating signal stopped before the command
// started (during --jitter or --lock-wait). Run once, it is a failure to
// report: a fail ping naming the signal, exit 128+N. In a periodic loop it
// is a stop between runs: no ping, exit 0.
func (w *wrapper) notStarted(ctx context.Context, when string) Outcome {
	if w.c.periodic() {
		return Outcome{}
	}
	msg := fmt.Sprintf("[runwrap] not started: runwrap received %s %s\n", runner.SignalName(w.sr.got), when)
	_ = w.send(ctx, Ping{Kind: Fail, Body: []byte(msg)})
	return Outcome{Code: 128 + sigNum(w.sr.got), Interrupted: true}
}

// spec builds one attempt's runner.Spec.
func (w *wrapper) spec(tail *runner.Tail, rid string, attempt int) runner.Spec {
	c := &w.c
	env := c.Env
	s := runner.Spec{
		Args:      c.Command,
		Env:       append(env[:len(env):len(env)], "RUNWRAP_RUN_ID="+rid, "RUNWRAP_ATTEMPT="+strconv.Itoa(attempt)),
		Stdin:     c.Stdin,
		Stdout:    c.Stdout,
		Stderr:    c.Stderr,
		Timeout:   c.Timeout,
		KillAfter: c.KillAfter,
		Signals:   w.sr.fwd,
	}
	if tail != nil {
		s.Capture = tail
		s.CaptureStdout = !c.DiscardStdout
	}
	if c.DiscardStdout || c.Silent {
		s.Stdout = nil
	}
	if c.Silent {
		s.Stderr = nil
	}
	return s
}

// pingKind picks the finish ping as runitor does, plus runwrap's rules: a
// run ended by a signal to runwrap is a fail ping; a failure within
// --tolerate is reported as success (the body says so).
func (w *wrapper) pingKind(res runner.Result) (kind Kind, code int, tolerated string) {
	c := &w.c
	code = res.ExitCode
	switch {
	case res.Received != nil:
		kind = Fail
	case res.ExecErr != nil:
		kind = c.OnExecFail
	case res.OK():
		kind = c.OnSuccess
	default:
		kind = c.OnNonzero
	}
	if code > 255 || code < 0 {
		code = 255
	}
	if c.Tolerate > 0 {
		if n := w.failures(res.OK()); !res.OK() && n > 0 && n <= c.Tolerate {
			tolerated = fmt.Sprintf("[runwrap] failure %d of %d tolerated (%s): reported as success\n", n, c.Tolerate, c.Names.Tolerate)
			kind = Success
		}
	}
	return kind, code, tolerated
}

// failures records a run in the --tolerate state and returns the length of
// the failure streak (0 when the state cannot be had).
func (w *wrapper) failures(ok bool) int {
	dir, err := runner.StateDir(w.getenv)
	if err != nil {
		w.warnf("%s: %v", w.c.Names.Tolerate, err)
		return 0
	}
	st, err := runner.LoadFailures(runner.FailuresPath(dir, w.c.Handle))
	if err != nil {
		w.warnf("%v", err)
		if st == nil {
			return 0
		}
	}
	if err := st.Record(ok, w.clock.Now()); err != nil {
		w.warnf("%v", err)
	}
	return st.Consecutive
}

func (w *wrapper) getenv(k string) string {
	if w.c.Getenv == nil {
		return ""
	}
	return w.c.Getenv(k)
}

// body is the finish ping's body: a truncation notice first (the server keeps
// the head of a body), the output tail, then the outcome, in at most limit bytes.
func (w *wrapper) body(tail *runner.Tail, limit int, res runner.Result, attempts int, tolerated string) []byte {
	footer := "[runwrap] " + res.Status(w.c.Timeout) + "\n"
	if attempts > 1 {
		footer = fmt.Sprintf("[runwrap] attempt %d of %d: %s\n", attempts, w.c.Retry+1, res.Status(w.c.Timeout))
	}
	out := []byte(tolerated)
	if tail != nil {
		out = appendTail(out, tail.Bytes(), tail.Total(), limit-len(out)-len(footer))
	}
	out = append(out, footer...)
	if len(out) > limit && limit > 0 {
		out = out[:limit]
	}
	return out
}

// appendTail appends the kept output b (of total bytes printed) in at most
// room bytes, ending in a newline: when output was dropped or b does not fit,
// a truncation notice and the last bytes that fit.
func appendTail(out, b []byte, total int64, room int) []byte {
	nl := 0 // the kept part needs a newline before the footer
	if len(b) > 0 && b[len(b)-1] != '\n' {
		nl = 1
	}
	if int64(len(b)) < total || len(b)+nl > room {
		notice := ""
		for range 2 { // the notice's own length changes the room it leaves
			n := min(len(b), max(room-len(notice)-nl, 0))
			notice = fmt.Sprintf("[runwrap] output truncated: last %d of %d bytes\n", n, total)
		}
		n := min(len(b), max(room-len(notice)-nl, 0))
		if len(notice) > room {
			// A limit too small for the notice: the outcome line matters more.
			notice, n = "", 0
		}
		out = append(out, notice...)
		b = b[len(b)-n:]
	}
	out = append(out, b...)
	if len(b) > 0 && b[len(b)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}
