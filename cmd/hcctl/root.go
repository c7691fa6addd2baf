package main

import (
	"github.com/cronkit/cronkit/lib/cli"
)

// newRoot builds hcctl's command tree on env's streams.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:  "hcctl",
		Short: "Manage Healthchecks checks through the Management API",
		Long: `hcctl manages Healthchecks checks through the Management API v3 (hosted or
self-hosted): list and edit checks, create-or-update one by name (ensure), make
a project match a file (apply, safe to run twice), read pings and flips, gate
CI on status, send manual pings, and check cron expressions.

A CHECK argument is a UUID, a slug or an exact name. The API key comes from
$HC_API_KEY (or $HCCTL_API_KEY, api-key in the config file, or --api-key
file:/path) and is never printed. A read-only key can list and show checks,
flips and badges; everything else needs a read-write key (exit 4 otherwise).
--api-url (or $HC_API_URL) points at a self-hosted server.`,
		Example: `  export HC_API_KEY=file:$HOME/.config/hc-key
  hcctl checks list --tag prod
  URL=$(hcctl ensure db7-pgreport --schedule '*/5 * * * *' --tz UTC --grace 10m)
  hcctl apply -f checks.yaml --dry-run && hcctl apply -f checks.yaml
  hcctl status --tag prod || echo "something is down"
  hcctl pings db7-pgreport -f metrics | chartd -t "pgreport runtime" > runtime.svg
  hcctl cron next "0 3 * * *" --tz Europe/Riga`,
	})
	g := &global{root: r}
	addGlobalFlags(g)
	r.Cmd.AddCommand(newChecksCmd(g), newEnsureCmd(g), newApplyCmd(g), newPingsCmd(g), newFlipsCmd(g),
		newChannelsCmd(g), newBadgesCmd(g), newStatusCmd(g), newPingCmd(g), newCronCmd(g))
	return r
}
