package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"strings"
	"time"

	app "github.com/cronkit/cronkit/lib/app/runwrap"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/runner"
	"github.com/cronkit/cronkit/lib/wrap"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// wrapOptions are runwrap's flags, bound into lib/app/runwrap's Options.
type wrapOptions struct {
	root *cli.Root
	app  app.Options
}

func newWrapCmd(r *cli.Root) {
	o := &wrapOptions{root: r, app: app.Options{OnNonzero: hc.PingExitCode, OnSuccess: hc.PingSuccess, OnExecFail: hc.PingFail}}
	cmd := r.Cmd
	cmd.Use = "runwrap [flags] -- command [args...]"
	f := cmd.Flags()
	// The first non-flag argument starts the command: its own flags are its own.
	f.SetInterspersed(false)
	o.checkFlags(f)
	o.pingFlags(f)
	o.runFlags(f)

	cli.EnvAlias(f, "uuid", "CHECK_UUID")
	cli.EnvAlias(f, "slug", "CHECK_SLUG")
	cli.EnvAlias(f, "ping-key", "PING_KEY", "HC_PING_KEY")
	cli.EnvAlias(f, "api-url", "HC_API_URL")
	cli.MarkSecret(f, "ping-key")
	// runwrap exports RUNWRAP_RUN_ID to its command: a runwrap inside the job
	// must not take it for its own --run-id (and a config file has no
	// business fixing a per-run id), so --run-id is read from the command line only.
	cli.NoEnv(f, "run-id")

	cmd.Args = func(cmd *cobra.Command, args []string) error {
		a := &o.app
		a.OnCommandLine = map[string]bool{}
		cmd.Flags().Visit(func(fl *pflag.Flag) { a.OnCommandLine[fl.Name] = true })
		// Args runs before the root's pre-run resolves file: values, so the
		// raw value shows whether the key itself is in ps or only its path.
		a.KeyOnCommandLine = a.OnCommandLine["ping-key"] && !strings.HasPrefix(a.PingKey, cli.FilePrefix) ||
			a.OnCommandLine["ping-url"] && (&hc.PingClient{URL: a.PingURL}).URLPingKey() != ""
		if len(args) == 0 {
			return cli.WithCode(runner.ExitBeforeRunning, errors.New("no command given: runwrap [flags] -- command [args...]"))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.app.Command = args
		o.app.BodyLimitSet = cmd.Flags().Changed("ping-body-limit")
		return runWrap(cmd.Context(), o)
	}
}

// runWrap wires the process into the options (streams, environment,
// signals) and hands the run to lib/app/runwrap; the exit code is the
// command's.
func runWrap(ctx context.Context, o *wrapOptions) error {
	r, a := o.root, &o.app
	a.Env, a.Stdin, a.Stdout, a.Stderr, a.Getenv = os.Environ(), r.Env.Stdin, r.Env.Stdout, r.Env.Stderr, r.Env.Getenv
	a.Logger, a.Warnf, a.Secrets, a.Hint, a.PingHint = r.Logger, r.Warnf, r.Secrets(), o.setupHint, o.pingHint
	if err := a.Validate(); err != nil {
		return cli.WithCode(runner.ExitBeforeRunning, err)
	}
	in := make(chan os.Signal, 16)
	cli.Notify(in, wrap.Notified(a.Periodic())...)
	if !processExits {
		defer signal.Stop(in)
	}
	a.Signals = in
	out, err := app.Run(ctx, *a)
	switch {
	case err != nil:
		return cli.WithCode(runner.ExitBeforeRunning, err)
	case out.Err != nil:
		return cli.WithCode(out.Code, out.Err)
	case out.Code != 0:
		return cli.Exit(out.Code)
	}
	return nil
}

// checkFlags: which check, on which server, with which HTTP policy.
func (o *wrapOptions) checkFlags(f *pflag.FlagSet) {
	a := &o.app
	f.StringVar(&a.UUID, "uuid", "", "check UUID (env CHECK_UUID)")
	f.StringVar(&a.Slug, "slug", "", "check slug, with --ping-key (env CHECK_SLUG)")
	f.StringVar(&a.PingKey, "ping-key", "", "project ping key for --slug (env PING_KEY, HC_PING_KEY; visible in ps when given here)")
	f.BoolVar(&a.Create, "create", false, "create the check on first ping if the slug is new (create=1)")
	f.StringVar(&a.PingURL, "ping-url", "", "full ping URL of the check, instead of --uuid/--slug (self-hosted, other paths)")
	f.StringVar(&a.APIURL, "api-url", hc.DefaultPingURL, "Healthchecks site root or ping endpoint, e.g. https://hc.example.org or https://hc.example.org/ping (env HC_API_URL)")
	cli.AddAPIFlagsVar(f, "runwrap", &a.APIRetries, &a.APITimeout, &a.APIDeadline, cli.OldAPINames{})
	// The start ping runs beside the command: --api-timeout bounds it in total.
	f.Lookup("api-timeout").Usage += ", and of the start ping in total (it runs beside the command; the finish ping waits for it)"
	f.StringArrayVar(&a.ReqHeaders, "req-header", nil, `extra request header "Key: value" (repeatable)`)
}

// pingFlags: what the pings carry, and the command's output.
func (o *wrapOptions) pingFlags(f *pflag.FlagSet) {
	a := &o.app
	f.StringVar(&a.RunID, "run-id", "", "run id (rid) to send instead of a fresh UUID4 (command line only)")
	f.BoolVar(&a.NoRunID, "no-run-id", false, "send no run id (rid)")
	f.BoolVar(&a.NoStartPing, "no-start-ping", false, "do not send the start ping (then no Ping-Body-Limit is learned)")
	f.BoolVar(&a.NoOutput, "no-output-in-ping", false, "do not attach the command's output to pings")
	f.IntVar(&a.BodyLimit, "ping-body-limit", wrap.DefaultBodyLimit, "most bytes of output sent in a ping; the server's Ping-Body-Limit lowers it (0: the server's, max 10 MB). Until a server has said its limit (--no-start-ping, or the start ping failed) the default is 10000, or the limit it said in an earlier run")
	f.Var(&a.OnSuccess, "on-success", "ping on exit 0: success|fail|log|exit-code")
	f.Var(&a.OnNonzero, "on-nonzero-exit", "ping on a non-zero exit: exit-code|success|fail|log")
	f.Var(&a.OnExecFail, "on-exec-fail", "ping when the command cannot start: fail|success|log|exit-code")
	f.DurationVar(&a.LogPing, "log-ping", 0, "while the command runs, send new output as /log pings this often (0: off, at least 1s)")

	f.BoolVar(&a.DiscardStdout, "discard-stdout", false, "drop the command's stdout: not shown, not sent (runitor's -quiet)")
	f.BoolVar(&a.Silent, "silent", false, "drop the command's stdout and stderr: not shown, not sent")
}

// runFlags: how and when the command runs.
func (o *wrapOptions) runFlags(f *pflag.FlagSet) {
	a := &o.app
	f.DurationVar(&a.Timeout, "timeout", 0, "terminate the command (SIGTERM to its process group) after this long; exit 124")
	f.DurationVar(&a.KillAfter, "kill-after", 10*time.Second, "SIGKILL the command this long after SIGTERM (timeout or forwarded signal; 0: never)")
	f.StringVar(&a.Lock, "lock", "", "flock this file: no overlapping runs; a busy lock skips the run (/log ping, exit 0)")
	f.DurationVar(&a.LockWait, "lock-wait", 0, "wait this long for a busy --lock instead of skipping at once")
	f.DurationVar(&a.Jitter, "jitter", 0, "sleep a random time up to this long before the run")
	f.IntVar(&a.Retry, "retry", 0, "run a failed command again up to N times before reporting (each attempt in the body)")
	f.DurationVar(&a.RetryDelay, "retry-delay", 10*time.Second, "pause between attempts")
	f.IntVar(&a.Tolerate, "tolerate", 0, "report success until more than N consecutive runs failed (state in $XDG_STATE_HOME/cronkit)")
	f.DurationVar(&a.Every, "every", 0, "run periodically in the foreground, every D (SIGALRM: run now)")
	f.StringVar(&a.Cron, "schedule", "", `run periodically on a cron schedule, e.g. "*/15 * * * *"`)
	f.StringVar(&a.TZ, "tz", "", "time zone for --schedule (IANA name; default local)")
	f.StringVar(&a.Record, "record", "", "append a JSON run record and metric records (duration, exit code) to FILE")
}
