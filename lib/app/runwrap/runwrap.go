// Package runwrap is runwrap's behaviour behind its flags: the options
// checked and resolved (their ranges, the check handle, --schedule, the ping
// kinds), the Healthchecks ping client built, and lib/wrap's job run with it.
// cmd/runwrap binds the flags into Options, words lib/hc's errors in its
// flags (Hint, Config.PingHint), starts the signal notification and decides
// the exit code; everything else is testable here by a function call. It is
// not a public API.
package runwrap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/cronkit/cronkit/lib/cron"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/cronkit/cronkit/lib/wrap"
)

// ExitCodes is the table of the codes Run's outcomes exit with, for
// runwrap's --help and man page: the child's code passes through.
const ExitCodes = `Exit codes:
  N    the command's own exit code passes through (0 success)
  124  the command timed out (--timeout)
  125  runwrap failed before running the command (bad flags, lock, config)
  126  the command is not executable
  127  the command was not found
  128+N  the command was killed by signal N
  0    also when the run was skipped because --lock was held (a /log ping says so)`

// Options are runwrap's settings, flags, environment and config bound. The
// job's own settings (the command, streams, timeouts, --retry...) are
// lib/wrap's Config; Run fills in the rest of it (the pinger, the schedule,
// the check's names, the ping kinds).
type Options struct {
	wrap.Config

	// Check and endpoint.
	UUID, Slug, PingKey, PingURL, APIURL string
	Create                               bool
	APIRetries                           int
	APITimeout, APIDeadline              time.Duration
	ReqHeaders                           []string
	Secrets                              []string // redacted from -vv logs (the ping key)

	// Ping kinds, as runitor spells them.
	OnSuccess, OnNonzero, OnExecFail hc.PingKind

	Cron, TZ string // --schedule and --tz, parsed into Config.Schedule and Loc

	// OnCommandLine names the flags given on the command line: the check
	// handle named there wins over one from the environment.
	OnCommandLine map[string]bool
	// KeyOnCommandLine: the ping key itself (not file:/path) is on the
	// command line, maybe in --ping-url, where ps shows it.
	KeyOnCommandLine bool
	// Hint words lib/hc's setup errors (hc.ErrNoCheck, *hc.URLError...) in
	// the command's flags, as Config.PingHint does the ping errors; nil:
	// lib/hc's words.
	Hint func(error) error
}

// Periodic reports --every or --schedule (SIGALRM then means "run now").
func (o *Options) Periodic() bool { return o.Every > 0 || o.Cron != "" }

// Validate checks the options and resolves the derived ones; its errors are
// usage errors, worded in runwrap's flags.
func (o *Options) Validate() error {
	if o.KeyOnCommandLine {
		o.warnf("a ping key on the command line is visible in ps and syslog; set PING_KEY or --ping-key file:/path (--ping-url file:/path) instead")
	}
	if err := o.checkValues(); err != nil {
		return err
	}
	if err := o.resolveSchedule(); err != nil {
		return err
	}
	if o.LogPing > 0 && (o.NoOutput || o.Silent) {
		// Log pings carry output only; say so rather than drop the flag silently.
		o.warnf("--log-ping sends nothing with --no-output-in-ping or --silent")
	}
	if o.RunID != "" && !hc.IsUUID(o.RunID) {
		// The server answers 400 invalid uuid format to anything else (§2.2).
		return fmt.Errorf("--run-id %q is not a UUID", o.RunID)
	}
	o.resolveHandle()
	if o.UUID != "" && !hc.IsUUID(o.UUID) {
		return fmt.Errorf("--uuid %q is not a UUID", o.UUID)
	}
	return nil
}

func (o *Options) warnf(format string, args ...any) {
	if o.Warnf != nil {
		o.Warnf(format, args...)
	}
}

// checkValues checks each flag's range and the flags that need or exclude others.
func (o *Options) checkValues() error {
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
	case o.APIRetries < 0:
		return errors.New("--api-retries must not be negative")
	case o.APITimeout <= 0:
		return errors.New("--api-timeout must be positive")
	case o.APIDeadline <= 0:
		return errors.New("--api-deadline must be positive")
	case o.BodyLimit < 0:
		return errors.New("--ping-body-limit must not be negative")
	case o.LogPing != 0 && o.LogPing < time.Second:
		return errors.New("--log-ping must be at least 1s")
	case o.Retry < 0:
		return errors.New("--retry must not be negative")
	case o.Tolerate < 0:
		return errors.New("--tolerate must not be negative")
	case o.Every > 0 && o.Cron != "":
		return errors.New("--every and --schedule exclude each other")
	case o.TZ != "" && o.Cron == "":
		return errors.New("--tz needs --schedule")
	case o.LockWait > 0 && o.Lock == "":
		return errors.New("--lock-wait needs --lock")
	case o.RunID != "" && o.NoRunID:
		return errors.New("--run-id and --no-run-id exclude each other")
	}
	return nil
}

// resolveSchedule parses --schedule and --tz.
func (o *Options) resolveSchedule() error {
	if o.Cron == "" {
		return nil
	}
	s, err := cron.Parse(o.Cron)
	if err != nil {
		return fmt.Errorf("--schedule: %w", err)
	}
	o.Config.Schedule = s
	o.Loc = time.Local
	if o.TZ != "" {
		loc, err := time.LoadLocation(o.TZ)
		if err != nil {
			return fmt.Errorf("--tz: unknown time zone %q", o.TZ)
		}
		o.Loc = loc
	}
	return nil
}

// resolveHandle keeps one check handle. The handle named on the command line
// wins over one from the environment; among equals, runitor's order: UUID
// over slug.
func (o *Options) resolveHandle() {
	given := o.OnCommandLine
	cliHandle := given["ping-url"] || given["uuid"] || given["slug"]
	switch {
	case cliHandle && given["ping-url"]:
		o.UUID, o.Slug = "", ""
	case cliHandle && given["uuid"]:
		o.PingURL, o.Slug = "", ""
	case cliHandle && given["slug"]:
		o.PingURL, o.UUID = "", ""
	case o.PingURL != "":
		o.UUID, o.Slug = "", ""
	case o.UUID != "":
		o.Slug = ""
	}
}

// PingClient builds the Healthchecks client for the options; its errors are
// usage errors (lib/hc's, through Hint).
func (o *Options) PingClient() (*hc.PingClient, error) {
	c := &hc.PingClient{BaseURL: o.APIURL, UUID: o.UUID, URL: o.PingURL, Create: o.Create}
	if o.PingURL == "" && o.UUID == "" {
		c.PingKey, c.Slug = o.PingKey, o.Slug
	}
	if len(o.ReqHeaders) > 0 {
		c.Header = http.Header{}
		for _, h := range o.ReqHeaders {
			k, v, err := hc.ParsePingHeader(h)
			if err != nil {
				return nil, fmt.Errorf("--req-header: %w", err)
			}
			c.Header.Add(k, v)
		}
	}
	if err := c.Validate(); err != nil && o.Hint != nil {
		return nil, o.Hint(err)
	} else if err != nil {
		return nil, err
	}
	return c, nil
}

// SetupError is an error before the command ran (no check, a bad
// --req-header): runwrap's own failure, exit 125.
type SetupError struct{ Err error }

func (e *SetupError) Error() string { return e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

// Run runs the command once, or periodically with --every/--schedule, with
// a Healthchecks client as lib/wrap's Pinger. o must have been validated.
// A *SetupError says the command was not run.
func Run(ctx context.Context, o Options) (wrap.Outcome, error) {
	pc, err := o.PingClient()
	if err != nil {
		return wrap.Outcome{}, &SetupError{err}
	}
	return wrap.Run(ctx, o.config(pc)), nil
}

// config is the job for lib/wrap, with a Healthchecks client as its Pinger.
func (o *Options) config(pc *hc.PingClient) wrap.Config {
	c := o.Config
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Pinger = newPinger(o, c.Logger, pc)
	c.CheckName, c.Handle, c.Endpoint = checkName(pc), pc.Handle(), pc.Endpoint()
	c.OnSuccess, c.OnNonzero, c.OnExecFail = wrap.Kind(o.OnSuccess.String()), wrap.Kind(o.OnNonzero.String()), wrap.Kind(o.OnExecFail.String())
	c.Names = flagNames
	return c
}

// flagNames are runwrap's flags for the settings lib/wrap names in its fail
// pings, warnings and the tolerated-failure line.
var flagNames = wrap.Names{Jitter: "--jitter", Lock: "--lock", Record: "--record", Tolerate: "--tolerate"}
