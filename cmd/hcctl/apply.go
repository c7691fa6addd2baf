package main

import (
	"context"

	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

const applyLong = `Declare checks in a YAML or JSON file (or - for stdin) and make the project
match: checks are found by exact name; missing ones are created, ones whose
declared fields differ are updated (only those fields), equal ones are left
alone, so a second run makes no writes at all. One list request reads the
project; writes run concurrently (--concurrency) within --rate-limit.

--dry-run prints the plan as a diff and changes nothing. --prune deletes the
checks that carry every --tag given and that the file does not name; it
refuses to run without --tag.

The file:

  checks:
    - name: db7-pgreport
      slug: db7-pgreport
      schedule: "*/5 * * * *"
      tz: UTC
      grace: 10m
      tags: [prod, db]
      channels: "*"
    - name: backups
      timeout: 1d          # or period; seconds or a duration
      grace: 1h

Fields are the API's: name, slug, tags, desc, timeout (period), grace,
schedule, tz, manual_resume, methods, channels, subject, subject_fail,
start_kw, success_kw, failure_kw, filter_subject, filter_body. Unknown
fields, bad schedules and periods outside 1m..365d are refused with the line
named, before anything is sent; so are channels the project does not have
(names or UUIDs, checked against the project's integrations, with --dry-run
too: exit 2).

--dry-run prints a line per check ("+ create", "~ update", "- delete") and
one per field (old -> new); a real run prints one line per write ("+ created"
with the ping URL, "~ updated", "- deleted") and a summary. A write that fails does not stop the others: the exit code is then 3
(4 if the key was refused).`

func newApplyCmd(g *global) *cobra.Command {
	var o app.ApplyOptions
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Make the checks match a file: create what is missing, update what differs",
		Long:  applyLong,
		Example: `  hcctl apply -f checks.yaml --dry-run
  hcctl apply -f checks.yaml
  hcctl apply -f checks.yaml --prune --tag prod
  generate-checks | hcctl apply -f -`,
		Args: cobra.NoArgs,
		RunE: g.run(&o.Env, func(ctx context.Context, _ []string) error { return app.RunApply(ctx, o) }),
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.File, "file", "f", "", "checks file (YAML or JSON); - for stdin")
	fs.BoolVar(&o.DryRun, "dry-run", false, "print the plan, change nothing")
	fs.BoolVar(&o.Prune, "prune", false, "delete checks with the --tag tags that the file does not name")
	fs.StringArrayVar(&o.Tags, "tag", nil, "with --prune: the tags a check must carry to be deleted (repeatable)")
	fs.IntVar(&o.Concurrency, "concurrency", 4, "writes in flight at most")
	cli.NoEnv(fs, "file", "dry-run", "prune", "tag")
	return cmd
}
