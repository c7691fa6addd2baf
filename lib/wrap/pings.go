package wrap

import (
	"context"
	"sync"

	"github.com/cronkit/cronkit/lib/runner"
)

// send sends a ping other than start; a failure is said on stderr (pings
// never change the exit code, but the operator should know) and returned.
func (w *wrapper) send(ctx context.Context, p Ping) error {
	_, err := w.c.Pinger.Ping(ctx, p)
	if err != nil {
		w.warnPing(err)
	}
	return err
}

// warnPing reports a failed ping. A wrong URL or a missing check fails every
// ping of a run alike: that is said once a run, in one line, with the hint.
func (w *wrapper) warnPing(err error) {
	var reason error
	hint := ""
	if w.c.PingHint != nil {
		hint, reason = w.c.PingHint(err)
	}
	if reason == nil {
		w.warnf("%v", err)
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
		w.warnf("%v (%s)", err, hint)
	}
}

// bodyLimit is the body limit before the server says otherwise:
// --ping-body-limit, where 0 means the 10 MB cap.
func (c *Config) bodyLimit() int {
	if c.BodyLimit == 0 {
		return MaxBodyLimit
	}
	return c.BodyLimit
}

// startPing sends the start ping in the background (unless --no-start-ping)
// and returns a func that waits for it (the Pinger bounds it) and returns the
// body limit: the server's Ping-Body-Limit lowers or raises it as in runitor
// (capped at 10 MB, never above an explicit --ping-body-limit), and the tail
// is resized to it. A start ping answered without the header leaves
// --ping-body-limit. Without an answer the limit is unknownLimit's.
func (w *wrapper) startPing(ctx context.Context, rid string, tail *runner.Tail) func() int {
	c := &w.c
	if c.NoStartPing {
		limit := w.unknownLimit()
		return func() int { return limit }
	}
	limit, known := c.bodyLimit(), false
	done := make(chan struct{})
	go func() {
		defer close(done)
		announced, err := c.Pinger.Ping(ctx, Ping{Kind: Start, RunID: rid})
		if err != nil {
			w.warnPing(err)
			return
		}
		known = true
		if announced > 0 {
			w.rememberLimit(announced)
			n := min(announced, MaxBodyLimit)
			if c.BodyLimitSet && c.BodyLimit > 0 {
				n = min(n, c.BodyLimit)
			}
			limit = n
			if tail != nil {
				tail.SetCap(n)
			}
		}
	}()
	var once sync.Once
	return func() int {
		<-done
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
	tick, stopTick := w.clock.Tick(w.c.LogPing)
	go func() {
		defer wg.Done()
		defer stopTick()
		var pos int64
		for {
			select {
			case <-done:
				return
			case <-tick:
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
			_ = w.send(ctx, Ping{Kind: Log, RunID: rid, Body: body})
		}
	}()
	return func() { close(done); wg.Wait() }
}
