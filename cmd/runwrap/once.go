package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/httpx"
	"github.com/cronkit/cronkit/lib/runner"
	"github.com/google/uuid"
)

// wrapper holds what stays the same across periodic runs.
type wrapper struct {
	o      *wrapOptions
	pc     *hc.PingClient
	sr     *sigRouter
	start  *httpx.Client // bounded by --api-timeout; runs beside the command
	finish *httpx.Client // bounded by --api-deadline

	mu      sync.Mutex
	warned  map[error]bool // ping failures said this run (warnPing)
	learned int            // the server's Ping-Body-Limit, once a start ping said it
}

func newWrapper(o *wrapOptions, pc *hc.PingClient, sr *sigRouter) *wrapper {
	r := o.root
	// One transport: the finish ping reuses the start ping's connection.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = o.APITimeout
	retries := o.APIRetries
	if retries == 0 {
		retries = -1 // httpx: 0 means its default
	}
	base := httpx.Options{Tool: "runwrap", AttemptTimeout: o.APITimeout, RetryMax: retries,
		WaitMin: 500 * time.Millisecond, WaitMax: 5 * time.Second, MaxBody: 4 << 10,
		Logger: r.Logger, Secrets: r.Secrets(), Transport: tr}
	if k := pc.URLPingKey(); k != "" {
		// A /<ping-key>/<slug> --ping-url: -vv logs must not show the key either.
		base.Secrets = append(r.Secrets()[:len(r.Secrets()):len(r.Secrets())], k)
	}
	startOpts, finishOpts := base, base
	startOpts.Deadline = o.APITimeout
	finishOpts.Deadline = o.APIDeadline
	pc.HTTP = httpx.New(finishOpts)
	return &wrapper{o: o, pc: pc, sr: sr, start: httpx.New(startOpts), finish: pc.HTTP}
}

// logf reports a ping problem on stderr unless --quiet: pings never change
// the exit code, but the operator should know.
func (w *wrapper) logf(format string, args ...any) {
	w.o.root.Warnf(format, args...)
}

func (w *wrapper) send(ctx context.Context, c *httpx.Client, p hc.Ping) (hc.PingResult, error) {
	pc := *w.pc
	pc.HTTP = c
	res, err := pc.Send(ctx, p)
	if err != nil {
		w.warnPing(err)
	}
	return res, err
}

// warnPing reports a failed ping. A wrong URL or a missing check fails every
// ping of a run alike: that is said once a run, in one line, with the hint.
func (w *wrapper) warnPing(err error) {
	var reason error
	hint := ""
	switch {
	case errors.Is(err, hc.ErrNotPingEndpoint):
		reason, hint = hc.ErrNotPingEndpoint, "set --api-url or HC_API_URL to the Healthchecks site root or its /ping endpoint"
		if w.o.PingURL != "" {
			hint = "check --ping-url"
		}
	case errors.Is(err, hc.ErrCheckNotFound):
		reason, hint = hc.ErrCheckNotFound, "check --uuid (or --slug and the ping key), and that --api-url or HC_API_URL names the server that has it"
		if w.o.PingURL != "" {
			hint = "check --ping-url"
		}
	}
	if reason == nil {
		w.logf("%v", err)
		return
	}
	w.mu.Lock()
	seen := w.warned[reason]
	if w.warned == nil {
		w.warned = map[error]bool{}
	}
	w.warned[reason] = true
	w.mu.Unlock()
	if !seen {
		w.logf("%v (%s)", err, hint)
	}
}

// once is one run: jitter, lock, start ping, attempts, finish ping, record.
func (w *wrapper) once(ctx context.Context) outcome {
	o := w.o
	w.mu.Lock()
	w.warned = nil // each run of a periodic loop says its ping trouble again
	w.mu.Unlock()
	if d := runner.Jitter(o.Jitter); d > 0 {
		o.root.Logger.Info("jitter", "sleep", d)
		if !sleepOrStop(ctx, w.sr, d) {
			return w.notStarted(ctx, "during --jitter")
		}
	}
	if o.Lock != "" {
		// A terminating signal ends the wait for the lock.
		lockCtx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-w.sr.stop:
				cancel()
			case <-lockCtx.Done():
			}
		}()
		unlock, err := runner.Lock(lockCtx, o.Lock, o.LockWait)
		cancel()
		if w.sr.stopped() {
			if unlock != nil {
				unlock()
			}
			return w.notStarted(ctx, "while waiting for --lock "+o.Lock)
		}
		if errors.Is(err, runner.ErrLocked) {
			// Documented: a skipped run is not a failure; the /log ping
			// leaves the check's status alone but shows in its log.
			msg := fmt.Sprintf("[runwrap] run skipped: %s is held by another run", o.Lock)
			if o.LockWait > 0 {
				msg += fmt.Sprintf(" (waited %s)", o.LockWait)
			}
			o.root.Logger.Info("run skipped: lock is held", "lock", o.Lock)
			_, _ = w.send(ctx, w.finish, hc.Ping{Kind: hc.PingLog, Body: []byte(msg + "\n")})
			return outcome{}
		}
		if err != nil {
			return outcome{code: runner.ExitBeforeRunning, err: err, fatal: true}
		}
		defer unlock()
	}

	rid := o.RunID
	if rid == "" && !o.NoRunID {
		rid = uuid.NewString()
	}
	var tail *runner.Tail
	if !o.NoOutput && !o.Silent {
		tail = runner.NewTail(o.bodyLimit())
	}
	// The start ping goes out while the command starts, not before it: the
	// command never waits for the server (runitor makes it wait), and a run
	// costs the slower of the two instead of their sum. The finish and log
	// pings wait for it, so Healthchecks always sees start before finish.
	started := w.startPing(ctx, rid, tail)
	var stopLog func()
	if o.LogPing > 0 && tail != nil {
		stopLog = w.logPings(ctx, tail, rid, started)
	}

	env := os.Environ()
	var res runner.Result
	attempts := o.Retry + 1
	attempt := 1
	for ; ; attempt++ {
		w.sr.drain()
		if w.sr.stopped() {
			if attempt > 1 {
				attempt--
				break
			}
			// Told to stop before the command started (while waiting for
			// the lock): do not start it; the fail ping says why.
			res = runner.Result{Start: time.Now(), Received: w.sr.got, ExitCode: 128 + sigNum(w.sr.got),
				ExecErr: fmt.Errorf("not started: runwrap received %s", runner.SignalName(w.sr.got))}
			break
		}
		spec := w.spec(tail, env, rid, attempt)
		if attempt > 1 && tail != nil {
			fmt.Fprintf(tail, "[runwrap] attempt %d of %d\n", attempt, attempts)
		}
		res = runner.Run(ctx, spec)
		if res.OK() || res.ExecErr != nil || attempt >= attempts || w.sr.stopped() {
			break
		}
		note := fmt.Sprintf("[runwrap] attempt %d of %d: %s; retrying in %s\n", attempt, attempts, res.Status(o.Timeout), o.RetryDelay)
		if tail != nil {
			_, _ = io.WriteString(tail, note)
		}
		o.root.Logger.Info("attempt failed", "attempt", attempt, "status", res.Status(o.Timeout))
		if !sleepOrStop(ctx, w.sr, o.RetryDelay) {
			// Told to stop between attempts: report the failure and the signal.
			if res.Received == nil {
				res.Received = w.sr.got
			}
			break
		}
	}
	if stopLog != nil {
		stopLog()
	}

	kind, code, tolerated := w.pingKind(res)
	body := w.body(tail, started(), res, attempt, tolerated)
	_, perr := w.send(ctx, w.finish, hc.Ping{Kind: kind, ExitCode: code, RunID: rid, Body: body})
	if o.Record != "" {
		if err := writeRecord(o, w.pc, res, attempt, rid, kind, perr); err != nil {
			w.logf("--record: %v", err)
		}
	}
	out := outcome{code: res.ExitCode, interrupted: res.Received != nil}
	if res.ExecErr != nil {
		out.err = res.ExecErr
	}
	return out
}

// notStarted ends a run that a terminating signal stopped before the command
// started (during --jitter or --lock-wait). Run once, it is a failure to
// report: a fail ping naming the signal, exit 128+N. In a periodic loop it
// is a stop between runs: no ping, exit 0.
func (w *wrapper) notStarted(ctx context.Context, when string) outcome {
	if w.o.Every > 0 || w.o.schedule != nil {
		return outcome{}
	}
	msg := fmt.Sprintf("[runwrap] not started: runwrap received %s %s\n", runner.SignalName(w.sr.got), when)
	_, _ = w.send(ctx, w.finish, hc.Ping{Kind: hc.PingFail, Body: []byte(msg)})
	return outcome{code: 128 + sigNum(w.sr.got), interrupted: true}
}

// spec builds one attempt's runner.Spec.
func (w *wrapper) spec(tail *runner.Tail, env []string, rid string, attempt int) runner.Spec {
	o := w.o
	e := o.root.Env
	s := runner.Spec{
		Args:      o.Command,
		Env:       append(env[:len(env):len(env)], "RUNWRAP_RUN_ID="+rid, "RUNWRAP_ATTEMPT="+strconv.Itoa(attempt)),
		Stdin:     e.Stdin,
		Stdout:    e.Stdout,
		Stderr:    e.Stderr,
		Timeout:   o.Timeout,
		KillAfter: o.KillAfter,
		Signals:   w.sr.fwd,
	}
	if tail != nil {
		s.Capture = tail
		s.CaptureStdout = !o.DiscardStdout
	}
	if o.DiscardStdout || o.Silent {
		s.Stdout = nil
	}
	if o.Silent {
		s.Stderr = nil
	}
	return s
}

// pingKind picks the finish ping as runitor does, plus runwrap's rules: a
// run ended by a signal to runwrap is a fail ping; a failure within
// --tolerate is reported as success (the body says so).
func (w *wrapper) pingKind(res runner.Result) (kind hc.PingKind, code int, tolerated string) {
	o := w.o
	code = res.ExitCode
	switch {
	case res.Received != nil:
		kind = hc.PingFail
	case res.ExecErr != nil:
		kind = o.OnExecFail
	case res.OK():
		kind = o.OnSuccess
	default:
		kind = o.OnNonzero
	}
	if code > 255 || code < 0 {
		code = 255
	}
	if o.Tolerate > 0 {
		dir, err := runner.StateDir(o.root.Env.Getenv)
		if err != nil {
			w.logf("--tolerate: %v", err)
			return kind, code, ""
		}
		st, err := runner.LoadFailures(runner.FailuresPath(dir, w.pc.Handle()))
		if err != nil {
			w.logf("%v", err)
			if st == nil {
				return kind, code, ""
			}
		}
		ok := res.OK()
		if err := st.Record(ok, time.Now()); err != nil {
			w.logf("%v", err)
		}
		if !ok && st.Consecutive <= o.Tolerate {
			tolerated = fmt.Sprintf("[runwrap] failure %d of %d tolerated (--tolerate): reported as success\n", st.Consecutive, o.Tolerate)
			kind = hc.PingSuccess
		}
	}
	return kind, code, tolerated
}

// body is the finish ping's body: a truncation notice first (the server keeps
// the head of a body), the output tail, then the outcome, in at most limit bytes.
func (w *wrapper) body(tail *runner.Tail, limit int, res runner.Result, attempts int, tolerated string) []byte {
	footer := "[runwrap] " + res.Status(w.o.Timeout) + "\n"
	if attempts > 1 {
		footer = fmt.Sprintf("[runwrap] attempt %d of %d: %s\n", attempts, w.o.Retry+1, res.Status(w.o.Timeout))
	}
	var out []byte
	out = append(out, tolerated...)
	if tail != nil {
		b := tail.Bytes()
		total := tail.Total()
		room := limit - len(out) - len(footer)
		nl := 0
		if len(b) > 0 && b[len(b)-1] != '\n' {
			nl = 1
		}
		if int64(len(b)) < total || len(b)+nl > room {
			notice := ""
			for range 2 { // the notice's own length changes the room it leaves
				// nl: the kept part needs a newline before the footer.
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
	}
	out = append(out, footer...)
	if len(out) > limit && limit > 0 {
		out = out[:limit]
	}
	return out
}

// bodyLimit is the body limit before the server says otherwise:
// --ping-body-limit, where 0 means the 10 MB cap.
func (o *wrapOptions) bodyLimit() int {
	if o.BodyLimit == 0 {
		return maxBodyLimit
	}
	return o.BodyLimit
}

// startPing sends the start ping in the background (unless --no-start-ping)
// and returns a func that waits for it, at most --api-timeout, and returns the
// body limit: the server's Ping-Body-Limit lowers or raises it as in runitor
// (capped at 10 MB, never above an explicit --ping-body-limit), and the tail
// is resized to it. A start ping answered without the header leaves
// --ping-body-limit. Without an answer the limit is unknownLimit's.
func (w *wrapper) startPing(ctx context.Context, rid string, tail *runner.Tail) func() int {
	o := w.o
	if o.NoStartPing {
		limit := w.unknownLimit()
		return func() int { return limit }
	}
	limit, known := o.bodyLimit(), false
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err := w.send(ctx, w.start, hc.Ping{Kind: hc.PingStart, RunID: rid})
		if err != nil {
			return
		}
		known = true
		if res.BodyLimit > 0 {
			w.rememberLimit(res.BodyLimit)
			n := min(res.BodyLimit, maxBodyLimit)
			if o.bodyLimitSet && o.BodyLimit > 0 {
				n = min(n, o.BodyLimit)
			}
			limit = n
			if tail != nil {
				tail.SetCap(n)
			}
		}
	}()
	var once sync.Once
	return func() int {
		<-done // bounded: the start client's deadline is --api-timeout
		once.Do(func() {
			if !known {
				limit = w.unknownLimit()
			}
		})
		return limit
	}
}

// logPings sends output that arrived since the last one as /log pings every
// --log-ping while the command runs. The returned func stops and waits.
func (w *wrapper) logPings(ctx context.Context, tail *runner.Tail, rid string, started func() int) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(w.o.LogPing)
		defer t.Stop()
		var pos int64
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			limit := started() // the first log ping also waits for the start ping
			b, next, lost := tail.Since(pos)
			if len(b) == 0 {
				continue
			}
			pos = next
			var body []byte
			if lost {
				body = append(body, "[runwrap] earlier output was dropped (more than the body limit since the last log ping)\n"...)
			}
			if room := limit - len(body); room > 0 && len(b) > room {
				b = b[len(b)-room:]
			}
			body = append(body, b...)
			_, _ = w.send(ctx, w.finish, hc.Ping{Kind: hc.PingLog, RunID: rid, Body: body})
		}
	}()
	return func() { close(done); wg.Wait() }
}

// sleepOrStop sleeps d unless runwrap is told to stop; it reports whether d passed.
func sleepOrStop(ctx context.Context, sr *sigRouter, d time.Duration) bool {
	if d <= 0 {
		return !sr.stopped()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-sr.stop:
		return false
	case <-ctx.Done():
		return false
	}
}

func sigNum(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return int(n)
	}
	return 0
}
