package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/metric"
	"github.com/spf13/cobra"
)

// timeOptions are `statpost time NAME -- CMD ARGS`.
type timeOptions struct {
	*postOptions
	name string
	argv []string
	ms   bool
}

func newTimeCmd(po *postOptions) *cobra.Command {
	o := &timeOptions{postOptions: po}
	cmd := &cobra.Command{
		Use:   "time NAME -- CMD [ARGS...]",
		Short: "Run a command and post how long it took",
		Long: `Run CMD, post its duration in seconds as a value on NAME and, when it fails,
a count of 1 on "NAME errors". statpost exits with the command's own exit code
(127 not found, 126 not executable, 128+N killed by signal N); a post that
fails is reported on stderr and spooled, and does not change the exit code.`,
		Example: `  statpost time "backup seconds" -- pg_dump -f /backup/db.sql db
  statpost time --ms "deploy ms" -- ./deploy.sh production`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 1 || len(args) < 2 {
				return cli.Usagef("usage: statpost time NAME -- CMD [ARGS...]")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&o.ms, "ms", false, "post milliseconds, as the official StatHat CLI does")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.name, o.argv = args[0], args[1:]
		return runTime(cmd.Context(), o)
	}
	return cmd
}

func runTime(ctx context.Context, o *timeOptions) error {
	// Check the names before running anything, so a typo does not cost a run.
	targets, err := o.buildTargets()
	if err != nil {
		return err
	}
	for _, n := range []string{o.name, o.name + " errors"} {
		rec := metric.Record{Name: n, Kind: metric.Value}
		if err := rec.Validate(); err != nil {
			return cli.Usagef("%v", err)
		}
		for _, t := range targets {
			if err := t.Sink.Check(rec); err != nil {
				return cli.Usagef("%s: %v", t.Sink.Name(), err)
			}
		}
	}
	env := o.root.Env
	c := exec.Command(o.argv[0], o.argv[1:]...)
	c.Stdin, c.Stdout, c.Stderr = env.Stdin, env.Stdout, env.Stderr
	start := time.Now()
	code := 0
	if err := c.Start(); err != nil {
		code = startCode(err)
		fmt.Fprintf(env.Stderr, "statpost: %v\n", err)
	} else {
		// Pass SIGINT/SIGTERM on: the command decides how to end, and its
		// duration is still posted.
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
		code = waitCode(werr)
	}
	elapsed := time.Since(start)
	v := elapsed.Seconds()
	if o.ms {
		v = float64(elapsed.Microseconds()) / 1000
	}
	recs := []metric.Record{{Name: o.name, Kind: metric.Value, Value: v, Time: start}}
	if code != 0 {
		recs = append(recs, metric.Record{Name: o.name + " errors", Kind: metric.Count, Value: 1, Time: start})
	}
	// Post even if we were interrupted: the measurement is what was asked for.
	perr := o.post(context.WithoutCancel(ctx), &list{recs: recs})
	var ee *cli.ExitError
	if perr != nil && !errors.As(perr, &ee) {
		fmt.Fprintf(env.Stderr, "statpost: %v\n", perr)
	}
	if code != 0 {
		return cli.Exit(code)
	}
	return nil
}

// list yields a few records.
type list struct{ recs []metric.Record }

func (l *list) Next() (metric.Record, error) {
	if len(l.recs) == 0 {
		return metric.Record{}, io.EOF
	}
	r := l.recs[0]
	l.recs = l.recs[1:]
	return r, nil
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
