package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/spf13/cobra"
)

type applyOptions struct {
	g           *global
	file        string
	dryRun      bool
	prune       bool
	tags        []string
	concurrency int
}

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
	o := &applyOptions{g: g}
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Make the checks match a file: create what is missing, update what differs",
		Long:  applyLong,
		Example: `  hcctl apply -f checks.yaml --dry-run
  hcctl apply -f checks.yaml
  hcctl apply -f checks.yaml --prune --tag prod
  generate-checks | hcctl apply -f -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runApply(ctx, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.file, "file", "f", "", "checks file (YAML or JSON); - for stdin")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan, change nothing")
	fs.BoolVar(&o.prune, "prune", false, "delete checks with the --tag tags that the file does not name")
	fs.StringArrayVar(&o.tags, "tag", nil, "with --prune: the tags a check must carry to be deleted (repeatable)")
	fs.IntVar(&o.concurrency, "concurrency", 4, "writes in flight at most")
	noEnv(fs, "file", "dry-run", "prune", "tag")
	return cmd
}

func runApply(ctx context.Context, o *applyOptions) error {
	env := o.g.root.Env
	desired, err := o.desired()
	if err != nil {
		return err
	}
	a, err := o.g.api()
	if err != nil {
		return err
	}
	plan, existing, err := makePlan(ctx, a, desired, hc.PlanOptions{Prune: o.prune, PruneTags: o.tags, Warn: o.g.root.Warnf})
	if err != nil {
		return err
	}
	if o.dryRun {
		hc.WritePlan(env.Stdout, plan)
		return nil
	}
	// A read-only key lists checks without their UUIDs: nothing could be
	// updated or deleted, so refuse before sending anything.
	for _, c := range existing {
		if _, err := writableID(c, "apply: check"); err != nil && plan.Writes() > 0 {
			return err
		}
	}
	results := a.Apply(ctx, plan, o.concurrency, nil)
	failed := hc.WriteResults(env.Stdout, plan, results, func(r hc.Result) {
		fmt.Fprintf(env.Stderr, "hcctl: %s %q failed: %v\n", r.Op, r.Change.Name(), r.Err)
	})
	return applyErr(ctx, failed, plan.Writes())
}

// desired checks the flags and reads the checks file.
func (o *applyOptions) desired() ([]hc.Desired, error) {
	if o.file == "" {
		return nil, cli.Usagef("apply needs -f FILE (or -f - for stdin)")
	}
	if o.concurrency < 1 || o.concurrency > 64 {
		return nil, cli.Usagef("--concurrency %d: want 1 to 64", o.concurrency)
	}
	if len(o.tags) > 0 && !o.prune {
		return nil, cli.Usagef("--tag only applies with --prune")
	}
	if o.prune && len(o.tags) == 0 {
		return nil, cli.Usagef("--prune needs --tag: only checks with all the given tags are deleted")
	}
	if err := checkTags(o.tags); err != nil {
		return nil, err
	}
	var data []byte
	var err error
	name := o.file
	if o.file == "-" {
		name = "stdin"
		data, err = io.ReadAll(io.LimitReader(o.g.root.Env.Stdin, 64<<20))
	} else {
		data, err = os.ReadFile(o.file)
	}
	if err != nil {
		return nil, cli.Usagef("%v", err)
	}
	desired, err := hc.ParseChecksFile(name, data)
	if err != nil {
		return nil, cli.Usagef("%v", err)
	}
	if o.prune && len(desired) == 0 {
		// A generator that failed half-way often leaves an empty list:
		// pruning on it would delete every tagged check.
		return nil, cli.Usagef("%s declares no checks: --prune would delete every check tagged %s; refusing (use hcctl checks delete)", name, strings.Join(o.tags, " and "))
	}
	return desired, nil
}

// applyErr decides the exit code of writes of which some failed: 130 or
// --timeout's if interrupted, 4 if all were refused, 1 if all failed, else 3.
func applyErr(ctx context.Context, failed []hc.Result, writes int) error {
	auth := 0
	for _, r := range failed {
		if cli.Code(r.Err) == cli.ExitRefused {
			auth++
		}
	}
	if err := ctx.Err(); err != nil && len(failed) > 0 {
		// Interrupted (exit 130) or past --timeout: say how far it got.
		return fmt.Errorf("apply stopped after %d of %d writes: %w", writes-len(failed), writes, err)
	}
	switch {
	case len(failed) == 0:
		return nil
	case auth == len(failed):
		return cli.Refusedf("%d of %d writes refused: %v", len(failed), writes, failed[0].Err)
	case len(failed) == writes:
		return fmt.Errorf("all %d writes failed: %v", len(failed), failed[0].Err)
	}
	return cli.Partialf("%d of %d writes failed (details above)", len(failed), writes)
}

// diffSummary: discover words its updates the same way.
var diffSummary = hc.DiffSummary

// makePlan lists the project's checks, and its integrations when a desired
// check names some, and plans desired against them (apply and ensure).
func makePlan(ctx context.Context, a *hc.API, desired []hc.Desired, po hc.PlanOptions) (hc.Plan, []hc.Check, error) {
	existing, err := a.Checks(ctx, hc.ListOptions{})
	if err != nil {
		return hc.Plan{}, nil, apiErr(err)
	}
	if hc.NeedsChannels(desired) {
		if po.Channels, err = a.Channels(ctx); err != nil {
			return hc.Plan{}, nil, apiErr(err)
		}
	}
	plan, err := hc.MakePlan(desired, existing, po)
	if err != nil {
		return hc.Plan{}, nil, planErr(err)
	}
	return plan, existing, nil
}
