package main

import (
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/cli/viperconf"
)

// newRoot builds hcctl's command tree on env's streams.
func newRoot(env *cli.Env) *cli.Root {
	r := cli.NewRoot(env, cli.Tool{
		Name:        "hcctl",
		ParseConfig: cli.ConfigParser(viperconf.Parse), // every format viper reads
		Short:       "Manage Healthchecks checks through the Management API",
		Long: `hcctl manages Healthchecks checks through the Management API v3 (hosted or
self-hosted): list and edit checks, create-or-update one by name (ensure), make
a project match a file (apply, safe to run twice), read pings and flips, gate
CI on status, send manual pings, and check cron expressions.

A CHECK argument is a UUID, a slug or an exact name. The API key comes from
$HC_API_KEY (or $HCCTL_API_KEY, api-key in the config file, or --api-key
file:/path) and is never printed. A read-only key can list and show checks,
flips and badges; everything else needs a read-write key (exit 4 otherwise).
--api-url (or $HC_API_URL) points at a self-hosted server: its site root or its
ping endpoint (SITE_ROOT/ping), read as runwrap reads it.`,
		Example: `  export HC_API_KEY=file:$HOME/.config/hc-key
  hcctl checks list --tag prod
  URL=$(hcctl ensure db7-pgreport --schedule '*/5 * * * *' --tz UTC --grace 10m)
  hcctl apply -f checks.yaml --dry-run && hcctl apply -f checks.yaml
  hcctl status --tag prod || echo "something is down"
  hcctl pings db7-pgreport -f metrics | chartd -t "pgreport runtime" > runtime.svg
  hcctl cron next "0 3 * * *" --tz Europe/Riga`,
		ExitCodes: exitCodesHelp,
	})
	g := &global{root: r}
	addGlobalFlags(g)
	r.Cmd.AddCommand(newChecksCmd(g), newEnsureCmd(g), newApplyCmd(g), newPingsCmd(g), newFlipsCmd(g),
		newChannelsCmd(g), newBadgesCmd(g), newStatusCmd(g), newPingCmd(g), newCronCmd(g), newDiscoverCmd(g))
	return r
}

// exitCodesHelp is the shared table with what each code means for hcctl.
const exitCodesHelp = `Exit codes:
  0    success
  1    failure at run time: network, server, a check not found, a check down
       (status), status of a project without checks, resume of a check that
       is not paused
  2    usage: bad flags or arguments, an unknown subcommand, a bad checks
       file or schedule, an ambiguous CHECK, status --tag matching no check,
       an unknown channel in a checks file, the API's 400
  3    partial: some writes of apply failed (details on stderr)
  4    refused by the API: wrong or missing key, a read-only key for a write,
       another project's check
  130  interrupted (143 on SIGTERM)`
