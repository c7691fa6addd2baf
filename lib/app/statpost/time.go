package statpost

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/cronkit/cronkit/lib/metric"
	"github.com/cronkit/cronkit/lib/outcome"
)

// TimeOptions are `statpost time NAME -- CMD ARGS`.
type TimeOptions struct {
	Options
	Name string
	Argv []string // the command and its arguments
	MS   bool     // post milliseconds instead of seconds
}

// RunTime runs the command on the streams of o, posts its duration on Name
// and, when it fails, a count of 1 on "Name errors", and returns the
// command's exit code (127 not found, 126 not executable, 128+N killed by
// signal N). A post that fails is said on Stderr and spooled, and changes
// nothing in the code; err is set only when nothing ran (bad names or sinks).
func RunTime(ctx context.Context, t TimeOptions) (code int, err error) {
	o := t.Options.withDefaults()
	if len(t.Argv) == 0 {
		return 0, usagef("usage: statpost time NAME -- CMD [ARGS...]")
	}
	// Check the names before running anything, so a typo does not cost a run.
	targets, err := o.targets()
	if err != nil {
		return 0, err
	}
	for _, n := range []string{t.Name, t.Name + " errors"} {
		rec := metric.Record{Name: n, Kind: metric.Value}
		if err := rec.Validate(); err != nil {
			return 0, usagef("%v", err)
		}
		for _, tg := range targets {
			if err := tg.Sink.Check(rec); err != nil {
				return 0, usagef("%s: %v", tg.Sink.Name(), err)
			}
		}
	}
	start := o.Now()
	code = o.run(ctx, t.Argv)
	elapsed := o.Now().Sub(start)
	v := elapsed.Seconds()
	if t.MS {
		v = float64(elapsed.Microseconds()) / 1000
	}
	recs := []metric.Record{{Name: t.Name, Kind: metric.Value, Value: v, Time: start}}
	if code != 0 {
		recs = append(recs, metric.Record{Name: t.Name + " errors", Kind: metric.Count, Value: 1, Time: start})
	}
	// Post even if we were interrupted: the measurement is what was asked for.
	perr := o.post(context.WithoutCancel(ctx), &list{recs: recs}, nil)
	var said *outcome.Error // an outcome's details are on stderr already
	if perr != nil && !errors.As(perr, &said) {
		fmt.Fprintf(o.Stderr, "statpost: %v\n", perr)
	}
	return code, nil
}

// run runs argv on o's streams and returns its exit code. SIGINT/SIGTERM
// (ctx's end) are passed on: the command decides how to end, and its
// duration is still posted.
func (o Options) run(ctx context.Context, argv []string) int {
	c := exec.Command(argv[0], argv[1:]...)
	c.Stdin, c.Stdout, c.Stderr = o.Stdin, o.Stdout, o.Stderr
	if err := c.Start(); err != nil {
		fmt.Fprintf(o.Stderr, "statpost: %v\n", err)
		return startCode(err)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = c.Process.Signal(syscall.SIGTERM)
		case <-done:
		}
	}()
	werr := c.Wait()
	close(done)
	return waitCode(werr)
}

// startCode follows the shell: 127 not found, 126 found but not executable.
func startCode(err error) int {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		return 127
	}
	return 126
}

func waitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return 1
}
