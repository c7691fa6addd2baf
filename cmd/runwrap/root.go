package main

import (
	app "github.com/cronkit/cronkit/lib/app/runwrap"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/runner"
)

// newRoot builds runwrap's command tree on env's streams. runwrap has no
// subcommands: the root itself wraps the command.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:       "runwrap",
		NoTimeout:  true, // runwrap's --timeout bounds the child
		OwnSignals: true, // runwrap forwards signals to the child
		// runwrap's own failures before the command runs exit 125 (timeout(1),
		// env(1)), so a wrapper error never looks like the command's exit 2.
		UsageCode: runner.ExitBeforeRunning,
		ExitCodes: app.ExitCodes,
		Short:     "Wrap a cron command with Healthchecks pings, output capture, timeouts and locking",
		Long: `runwrap runs a command (from cron, a systemd timer or CI) and reports it to Healthchecks:
a start ping, then success, failure or the exit code, with the tail of the command's
output attached. The command's stdout and stderr pass through unchanged; runwrap
itself never writes to stdout.

Name the check with --uuid, --ping-key with --slug (--create to auto-provision), or
--ping-url. runitor's single-dash flags (-uuid, -every 5m, -on-nonzero-exit log, ...)
work as they do in runitor, so a crontab line keeps working after renaming the binary.

Environment: CHECK_UUID, CHECK_SLUG, PING_KEY (or HC_PING_KEY), HC_API_URL (the
Healthchecks site root or its ping endpoint, read as hcctl reads it), and
RUNWRAP_<FLAG> for any flag but --run-id (RUNWRAP_TIMEOUT=1h). Any value may be file:/path.
A ping key on the command line works but is visible in ps: prefer PING_KEY.`,
		Example: `  # cron: ping the check, attach output, pass the exit code through
  */5 * * * *  runwrap --uuid 5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278 -- /usr/local/bin/backup

  # slug with the project ping key from a 0600 file, check created on first ping
  PING_KEY=file:/etc/cronkit/ping-key runwrap --slug db-backup --create -- pg_dumpall -f /backup/all.sql

  # at most 1h, no overlapping runs, up to 2 retries, spread a fleet over 60s
  runwrap --slug nightly --timeout 1h --lock /run/lock/nightly.lock --retry 2 --jitter 60s -- ./nightly.sh

  # runitor's spelling still works
  runwrap -uuid "$CHECK_UUID" -every 10m -on-nonzero-exit log -- ./poll.sh`,
	})
	newWrapCmd(r)
	return r
}
