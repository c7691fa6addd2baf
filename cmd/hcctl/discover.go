package main

import (
	"context"
	"time"

	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

// discoverLong is discover's --help text.
const discoverLong = `Read the host's crontabs (/etc/crontab, /etc/cron.d/*, the user crontabs in
/var/spool/cron/crontabs) and, with --systemd, its timer units with OnCalendar=,
all under --root. For each job it plans a check (slug, schedule, zone, grace)
and the rewrite of its line to run under runwrap:

  0 2 * * * root cd /srv && ./backup.sh | tee log
  0 2 * * * root /usr/local/bin/runwrap --slug web1-root-backup-sh -- sh -c 'cd /srv && ./backup.sh | tee log'

By default it is a dry run: the jobs and a unified diff per file on stdout,
nothing written, no API call. --apply ensures the checks (one list call, then
only the writes needed, as hcctl apply) and rewrites each file atomically,
with the original kept beside it (.NAME.hcctl-orig): comments, blank lines,
environment lines, whitespace and the user column stay as they were. A timer's
service gets a drop-in (/etc/systemd/system/UNIT.d/hcctl-discover.conf) that
resets ExecStart= and runs the original under runwrap; the vendor unit is not
edited. On a live root (--root /) user crontabs are installed with crontab -u
USER FILE and drop-ins followed by systemctl daemon-reload. A second run
changes nothing: zero API writes, files byte-identical. --undo puts the
originals back and removes the drop-ins (the checks stay).

Slugs are HOST-USER-PROGRAM-ARGS (timers: HOST-UNIT), unique, ^[a-z0-9-_]+$;
the check's name is its slug. A comment on the line above a job overrides:
  # hcctl: slug=nightly-backup grace=1h tags=db,backup
  # hcctl: ignore
CRON_TZ= or TZ= lines set the zone of the jobs below them, else the root's
/etc/timezone or /etc/localtime. @hourly ... @annually are mapped to cron;
@reboot lines, run-parts lines and lines that already report (runwrap --slug,
runitor, curl/wget to a ping URL) are left alone and never wrapped twice;
--convert rewrites runitor -slug lines to runwrap. Every check gets the --tag
tags (the host name by default); --prune (with --apply) deletes the checks
with those tags whose jobs are gone.

runwrap finds the project's ping key in $PING_KEY or its config file
(/root/.config/cronkit/runwrap.yaml for root's jobs): set it up before the
jobs next run.

A line that cannot be read (a bad schedule, too few fields) is reported with
file:line on stderr, skipped and never rewritten: exit 3.`

func newDiscoverCmd(g *global) *cobra.Command {
	var o app.DiscoverOptions
	cmd := &cobra.Command{
		Use:   "discover",
		Short: "Find the host's cron jobs (and systemd timers), create a check for each, run them under runwrap",
		Long:  discoverLong,
		Example: `  hcctl discover                       # the plan: jobs, checks, diffs
  hcctl discover --systemd -f json
  hcctl discover --apply --systemd
  hcctl discover --apply --prune       # also delete this host's checks whose jobs are gone
  hcctl discover --root /mnt/image --host db7 --apply
  hcctl discover --undo`,
		Args: cobra.NoArgs,
		RunE: g.run(&o.Env, func(ctx context.Context, _ []string) error { return app.RunDiscover(ctx, o) }),
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Root, "root", "/", "read (and write) the host's files under this directory")
	fs.BoolVar(&o.Apply, "apply", false, "create or update the checks and rewrite the files (default: dry run)")
	fs.BoolVar(&o.Undo, "undo", false, "put back the files discover rewrote and remove its drop-ins")
	fs.BoolVar(&o.Systemd, "systemd", false, "also read systemd timers with OnCalendar=")
	fs.BoolVar(&o.Convert, "convert", false, "rewrite runitor -slug lines to runwrap")
	fs.StringVar(&o.Host, "host", "", "host name in slugs and the default tag (default: the system's host name)")
	fs.StringArrayVar(&o.Tags, "tag", nil, "tag every check with this (repeatable; default: the host name)")
	fs.BoolVar(&o.Prune, "prune", false, "with --apply: delete checks with the --tag tags whose jobs are gone")
	fs.StringVar(&o.Runwrap, "runwrap", "", "the runwrap command written into jobs (default: runwrap's absolute path from $PATH)")
	fs.DurationVar(&o.Grace, "grace", time.Hour, "grace period of the checks (a # hcctl: grace= comment overrides)")
	fs.IntVar(&o.Concurrency, "concurrency", 4, "API writes in flight at most")
	cli.NoEnv(fs, "apply", "undo", "prune", "tag", "root")
	addFormatFlag(cmd, &o.Format, "text, json")
	cmd.Flags().Lookup("format").Usage = "output: text or json (default text)"
	return cmd
}
