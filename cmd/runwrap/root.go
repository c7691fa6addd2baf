package main

import (
	"github.com/cronkit/cronkit/lib/cli"
)

// newRoot builds runwrap's command tree on env's streams.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:       "runwrap",
		NoTimeout:  true, // runwrap's --timeout bounds the child
		OwnSignals: true, // runwrap forwards signals to the child
		ExitCodes:  ExitCodesHelp,
		Short:      "Wrap a cron command with Healthchecks pings, output capture, timeouts and locking",
		Long: `runwrap runs a command (from cron, a systemd timer or CI) and reports it to Healthchecks:
a start ping, then success, failure or the exit code, with the command's output attached.

This build has no subcommands yet beyond completion: the tool is being built
(see the README). It does nothing else so far.`,
	})
	return r
}

// ExitCodesHelp is runwrap's exit-code table: the child's code passes through.
const ExitCodesHelp = `Exit codes:
  N    the command's own exit code passes through (0 success)
  124  the command timed out (--timeout)
  125  runwrap failed before running the command (bad flags, lock, config)
  126  the command is not executable
  127  the command was not found
  128+N  the command was killed by signal N`
