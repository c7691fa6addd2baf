package main

import (
	"github.com/cronkit/cronkit/lib/cli"
)

// newRoot builds hcctl's command tree on env's streams.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:  "hcctl",
		Short: "Manage Healthchecks checks through the Management API",
		Long: `hcctl manages Healthchecks checks through the Management API (v3, self-hosted too):
list, create, idempotent apply for provisioning, pause/resume, pings, status for CI,
and cron-expression checks.

This build has no subcommands yet beyond completion: the tool is being built
(see the README). It does nothing else so far.`,
	})
	return r
}
