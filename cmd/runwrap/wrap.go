package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/cron"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/runner"
	"github.com/cronkit/cronkit/lib/wrap"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// wrapOptions are runwrap's flags, read once parsing and binding are done.
// The job's own settings are lib/wrap's Config, bound to the flags directly.
type wrapOptions struct {
	root *cli.Root
	wrap.Config

	// Check and endpoint.
	uuid, slug, pingKey, pingURL, apiURL string
	create                               bool
	apiRetries                           int
	apiTimeout, apiDeadline              time.Duration
	reqHeaders                           []string

	// Ping kinds, as runitor spells them; Config's are set from them.
	onSuccess, onNonzero, onExecFail hc.PingKind

	schedule, tz string          // Config.Schedule and Loc are parsed from them
	cliSet       map[string]bool // flags given on the command line
	keyOnCLI     bool            // the ping key itself (not file:/path) is on the command line, maybe in --ping-url
}

func newWrapCmd(r *cli.Root) {
	o := &wrapOptions{root: r, onNonzero: hc.PingExitCode, onSuccess: hc.PingSuccess, onExecFail: hc.PingFail}
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
		o.cliSet = map[string]bool{}
		cmd.Flags().Visit(func(fl *pflag.Flag) { o.cliSet[fl.Name] = true })
		// Args runs before the root's pre-run resolves file: values, so the
		// raw value shows whether the key itself is in ps or only its path.
		o.keyOnCLI = o.cliSet["ping-key"] && !strings.HasPrefix(o.pingKey, cli.FilePrefix) ||
			o.cliSet["ping-url"] && (&hc.PingClient{URL: o.pingURL}).URLPingKey() != ""
		if len(args) == 0 {
			return cli.WithCode(runner.ExitBeforeRunning, errors.New("no command given: runwrap [flags] -- command [args...]"))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		o.Command = args
		o.BodyLimitSet = cmd.Flags().Changed("ping-body-limit")
		if err := o.validate(); err != nil {
			return cli.WithCode(runner.ExitBeforeRunning, err)
		}
		return runWrap(cmd.Context(), o)
	}
}

// checkFlags: which check, on which server, with which HTTP policy.
func (o *wrapOptions) checkFlags(f *pflag.FlagSet) {
	f.StringVar(&o.uuid, "uuid", "", "check UUID (env CHECK_UUID)")
	f.StringVar(&o.slug, "slug", "", "check slug, with --ping-key (env CHECK_SLUG)")
	f.StringVar(&o.pingKey, "ping-key", "", "project ping key for --slug (env PING_KEY, HC_PING_KEY; visible in ps when given here)")
	f.BoolVar(&o.create, "create", false, "create the check on first ping if the slug is new (create=1)")
	f.StringVar(&o.pingURL, "ping-url", "", "full ping URL of the check, instead of --uuid/--slug (self-hosted, other paths)")
	f.StringVar(&o.apiURL, "api-url", hc.DefaultPingURL, "Healthchecks site root or ping endpoint, e.g. https://hc.example.org or https://hc.example.org/ping (env HC_API_URL)")
	cli.AddAPIFlagsVar(f, "runwrap", &o.apiRetries, &o.apiTimeout, &o.apiDeadline, cli.OldAPINames{})
	// The start ping runs beside the command: --api-timeout bounds it in total.
	f.Lookup("api-timeout").Usage += ", and of the start ping in total (it runs beside the command; the finish ping waits for it)"
	f.StringArrayVar(&o.reqHeaders, "req-header", nil, `extra request header "Key: value" (repeatable)`)
}

// pingFlags: what the pings carry, and the command's output.
func (o *wrapOptions) pingFlags(f *pflag.FlagSet) {
	f.StringVar(&o.RunID, "run-id", "", "run id (rid) to send instead of a fresh UUID4 (command line only)")
	f.BoolVar(&o.NoRunID, "no-run-id", false, "send no run id (rid)")
	f.BoolVar(&o.NoStartPing, "no-start-ping", false, "do not send the start ping (then no Ping-Body-Limit is learned)")
	f.BoolVar(&o.NoOutput, "no-output-in-ping", false, "do not attach the command's output to pings")
	f.IntVar(&o.BodyLimit, "ping-body-limit", wrap.DefaultBodyLimit, "most bytes of output sent in a ping; the server's Ping-Body-Limit lowers it (0: the server's, max 10 MB). Until a server has said its limit (--no-start-ping, or the start ping failed) the default is 10000, or the limit it said in an earlier run")
	f.Var(&o.onSuccess, "on-success", "ping on exit 0: success|fail|log|exit-code")
	f.Var(&o.onNonzero, "on-nonzero-exit", "ping on a non-zero exit: exit-code|success|fail|log")
	f.Var(&o.onExecFail, "on-exec-fail", "ping when the command cannot start: fail|success|log|exit-code")
	f.DurationVar(&o.LogPing, "log-ping", 0, "while the command runs, send new output as /log pings this often (0: off, at least 1s)")

	f.BoolVar(&o.DiscardStdout, "discard-stdout", false, "drop the command's stdout: not shown, not sent (runitor's -quiet)")
	f.BoolVar(&o.Silent, "silent", false, "drop the command's stdout and stderr: not shown, not sent")
}

// runFlags: how and when the command runs.
func (o *wrapOptions) runFlags(f *pflag.FlagSet) {
	f.DurationVar(&o.Timeout, "timeout", 0, "terminate the command (SIGTERM to its process group) after this long; exit 124")
	f.DurationVar(&o.KillAfter, "kill-after", 10*time.Second, "SIGKILL the command this long after SIGTERM (timeout or forwarded signal; 0: never)")
	f.StringVar(&o.Lock, "lock", "", "flock this file: no overlapping runs; a busy lock skips the run (/log ping, exit 0)")
	f.DurationVar(&o.LockWait, "lock-wait", 0, "wait this long for a busy --lock instead of skipping at once")
	f.DurationVar(&o.Jitter, "jitter", 0, "sleep a random time up to this long before the run")
	f.IntVar(&o.Retry, "retry", 0, "run a failed command again up to N times before reporting (each attempt in the body)")
	f.DurationVar(&o.RetryDelay, "retry-delay", 10*time.Second, "pause between attempts")
	f.IntVar(&o.Tolerate, "tolerate", 0, "report success until more than N consecutive runs failed (state in $XDG_STATE_HOME/cronkit)")
	f.DurationVar(&o.Every, "every", 0, "run periodically in the foreground, every D (SIGALRM: run now)")
	f.StringVar(&o.schedule, "schedule", "", `run periodically on a cron schedule, e.g. "*/15 * * * *"`)
	f.StringVar(&o.tz, "tz", "", "time zone for --schedule (IANA name; default local)")
	f.StringVar(&o.Record, "record", "", "append a JSON run record and metric records (duration, exit code) to FILE")
}

// validate checks the options and resolves derived ones.
func (o *wrapOptions) validate() error {
	if o.keyOnCLI {
		o.root.Warnf("a ping key on the command line is visible in ps and syslog; set PING_KEY or --ping-key file:/path (--ping-url file:/path) instead")
	}
	if err := o.checkValues(); err != nil {
		return err
	}
	if err := o.resolveSchedule(); err != nil {
		return err
	}
	if o.LogPing > 0 && (o.NoOutput || o.Silent) {
		// Log pings carry output only; say so rather than drop the flag silently.
		o.root.Warnf("--log-ping sends nothing with --no-output-in-ping or --silent")
	}
	if o.RunID != "" && !hc.IsUUID(o.RunID) {
		// The server answers 400 invalid uuid format to anything else (§2.2).
		return fmt.Errorf("--run-id %q is not a UUID", o.RunID)
	}
	o.resolveHandle()
	if o.uuid != "" && !hc.IsUUID(o.uuid) {
		return fmt.Errorf("--uuid %q is not a UUID", o.uuid)
	}
	return nil
}

// checkValues checks each flag's range and the flags that need or exclude others.
func (o *wrapOptions) checkValues() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"timeout", o.Timeout}, {"kill-after", o.KillAfter}, {"lock-wait", o.LockWait}, {"jitter", o.Jitter},
		{"retry-delay", o.RetryDelay}, {"every", o.Every}, {"log-ping", o.LogPing}} {
		if d.v < 0 {
			return fmt.Errorf("--%s must not be negative", d.name)
		}
	}
	switch {
	case o.apiRetries < 0:
		return errors.New("--api-retries must not be negative")
	case o.apiTimeout <= 0:
		return errors.New("--api-timeout must be positive")
	case o.apiDeadline <= 0:
		return errors.New("--api-deadline must be positive")
	case o.BodyLimit < 0:
		return errors.New("--ping-body-limit must not be negative")
	case o.LogPing != 0 && o.LogPing < time.Second:
		return errors.New("--log-ping must be at least 1s")
	case o.Retry < 0:
		return errors.New("--retry must not be negative")
	case o.Tolerate < 0:
		return errors.New("--tolerate must not be negative")
	case o.Every > 0 && o.schedule != "":
		return errors.New("--every and --schedule exclude each other")
	case o.tz != "" && o.schedule == "":
		return errors.New("--tz needs --schedule")
	case o.LockWait > 0 && o.Lock == "":
		return errors.New("--lock-wait needs --lock")
	case o.RunID != "" && o.NoRunID:
		return errors.New("--run-id and --no-run-id exclude each other")
	}
	return nil
}

// resolveSchedule parses --schedule and --tz.
func (o *wrapOptions) resolveSchedule() error {
	if o.schedule == "" {
		return nil
	}
	s, err := cron.Parse(o.schedule)
	if err != nil {
		return fmt.Errorf("--schedule: %w", err)
	}
	o.Config.Schedule = s
	o.Loc = time.Local
	if o.tz != "" {
		loc, err := time.LoadLocation(o.tz)
		if err != nil {
			return fmt.Errorf("--tz: unknown time zone %q", o.tz)
		}
		o.Loc = loc
	}
	return nil
}

// resolveHandle keeps one check handle. The handle named on the command line
// wins over one from the environment; among equals, runitor's order: UUID
// over slug.
func (o *wrapOptions) resolveHandle() {
	cliHandle := o.cliSet["ping-url"] || o.cliSet["uuid"] || o.cliSet["slug"]
	switch {
	case cliHandle && o.cliSet["ping-url"]:
		o.uuid, o.slug = "", ""
	case cliHandle && o.cliSet["uuid"]:
		o.pingURL, o.slug = "", ""
	case cliHandle && o.cliSet["slug"]:
		o.pingURL, o.uuid = "", ""
	case o.pingURL != "":
		o.uuid, o.slug = "", ""
	case o.uuid != "":
		o.slug = ""
	}
}

// pingClient builds the Healthchecks client for the options.
func (o *wrapOptions) pingClient() (*hc.PingClient, error) {
	c := &hc.PingClient{BaseURL: o.apiURL, UUID: o.uuid, URL: o.pingURL, Create: o.create}
	if o.pingURL == "" && o.uuid == "" {
		c.PingKey, c.Slug = o.pingKey, o.slug
	}
	if len(o.reqHeaders) > 0 {
		c.Header = http.Header{}
		for _, h := range o.reqHeaders {
			k, v, err := hc.ParsePingHeader(h)
			if err != nil {
				return nil, fmt.Errorf("--req-header: %w", err)
			}
			c.Header.Add(k, v)
		}
	}
	if err := c.Validate(); err != nil {
		return nil, o.setupHint(err)
	}
	return c, nil
}

// setupHint words lib/hc's setup errors in runwrap's flags and variables.
func (o *wrapOptions) setupHint(err error) error {
	var se *hc.SlugError
	var ue *hc.URLError
	switch {
	case errors.Is(err, hc.ErrNoCheck):
		return errors.New("no check: give --uuid, --ping-key with --slug, or --ping-url (or CHECK_UUID, CHECK_SLUG with PING_KEY)")
	case errors.Is(err, hc.ErrSlugNeedsKey):
		return errors.New("--slug needs a project ping key (--ping-key or $PING_KEY)")
	case errors.Is(err, hc.ErrKeyNeedsSlug):
		return errors.New("--ping-key needs a --slug (or give --uuid)")
	case errors.Is(err, hc.ErrCreateNeedsSlug):
		return errors.New("--create works with --ping-key and --slug, not --uuid")
	case errors.As(err, &se):
		return fmt.Errorf("--slug (or CHECK_SLUG): %w", err)
	case errors.As(err, &ue) && o.pingURL != "":
		return fmt.Errorf("--ping-url: %w", err)
	case errors.As(err, &ue):
		return fmt.Errorf("--api-url (or HC_API_URL): %w: give the Healthchecks site root or its ping endpoint", err)
	}
	return err
}

// runWrap runs the command once, or periodically with --every/--schedule.
func runWrap(ctx context.Context, o *wrapOptions) error {
	pc, err := o.pingClient()
	if err != nil {
		return cli.WithCode(runner.ExitBeforeRunning, err)
	}
	in := make(chan os.Signal, 16)
	signal.Notify(in, wrap.Notified(o.Every > 0 || o.Config.Schedule != nil)...)
	if !processExits {
		defer signal.Stop(in)
	}
	return exitErr(wrap.Run(ctx, o.config(pc, in)))
}

// config is the job for lib/wrap, with a Healthchecks client as its Pinger.
func (o *wrapOptions) config(pc *hc.PingClient, signals <-chan os.Signal) wrap.Config {
	r := o.root
	c := o.Config
	c.Env, c.Stdin, c.Stdout, c.Stderr, c.Getenv = os.Environ(), r.Env.Stdin, r.Env.Stdout, r.Env.Stderr, r.Env.Getenv
	c.Pinger, c.Signals, c.Logger, c.Warnf, c.PingHint = newPinger(o, pc), signals, r.Logger, r.Warnf, o.pingHint
	c.CheckName, c.Handle, c.Endpoint = checkName(pc), pc.Handle(), pc.Endpoint()
	c.OnSuccess, c.OnNonzero, c.OnExecFail = wrap.Kind(o.onSuccess.String()), wrap.Kind(o.onNonzero.String()), wrap.Kind(o.onExecFail.String())
	return c
}

// pingHint words the ping errors that fail every ping of a run alike (lib/wrap
// says them once a run) in runwrap's flags and variables.
func (o *wrapOptions) pingHint(err error) (hint string, reason error) {
	switch {
	case errors.Is(err, hc.ErrNotPingEndpoint):
		reason, hint = hc.ErrNotPingEndpoint, "set --api-url or HC_API_URL to the Healthchecks site root or its /ping endpoint"
	case errors.Is(err, hc.ErrCheckNotFound):
		reason, hint = hc.ErrCheckNotFound, "check --uuid (or --slug and the ping key), and that --api-url or HC_API_URL names the server that has it"
	default:
		return "", nil
	}
	if o.pingURL != "" {
		hint = "check --ping-url"
	}
	return hint, reason
}

func exitErr(o wrap.Outcome) error {
	if o.Err != nil {
		return cli.WithCode(o.Code, o.Err)
	}
	if o.Code != 0 {
		return cli.Exit(o.Code)
	}
	return nil
}
