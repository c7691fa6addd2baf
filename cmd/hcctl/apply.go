package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
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

func newApplyCmd(g *global) *cobra.Command {
	o := &applyOptions{g: g}
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Make the checks match a file: create what is missing, update what differs",
		Long: `Declare checks in a YAML or JSON file (or - for stdin) and make the project
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
(4 if the key was refused).`,
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
	if o.file == "" {
		return cli.Usagef("apply needs -f FILE (or -f - for stdin)")
	}
	if o.concurrency < 1 || o.concurrency > 64 {
		return cli.Usagef("--concurrency %d: want 1 to 64", o.concurrency)
	}
	if len(o.tags) > 0 && !o.prune {
		return cli.Usagef("--tag only applies with --prune")
	}
	if o.prune && len(o.tags) == 0 {
		return cli.Usagef("--prune needs --tag: only checks with all the given tags are deleted")
	}
	if err := checkTags(o.tags); err != nil {
		return err
	}
	var data []byte
	var err error
	name := o.file
	if o.file == "-" {
		name = "stdin"
		data, err = io.ReadAll(io.LimitReader(env.Stdin, 64<<20))
	} else {
		data, err = os.ReadFile(o.file)
	}
	if err != nil {
		return cli.Usagef("%v", err)
	}
	desired, err := hc.ParseChecksFile(name, data)
	if err != nil {
		return cli.Usagef("%v", err)
	}
	if o.prune && len(desired) == 0 {
		// A generator that failed half-way often leaves an empty list:
		// pruning on it would delete every tagged check.
		return cli.Usagef("%s declares no checks: --prune would delete every check tagged %s; refusing (use hcctl checks delete)", name, strings.Join(o.tags, " and "))
	}
	a, err := o.g.api()
	if err != nil {
		return err
	}
	plan, existing, err := makePlan(ctx, a, desired, hc.PlanOptions{Prune: o.prune, PruneTags: o.tags, Warn: o.g.root.Warnf})
	if err != nil {
		return err
	}
	out := env.Stdout
	if o.dryRun {
		// A diff for a reader: one line per check, then one per field.
		for _, c := range plan.Create {
			fmt.Fprintf(out, "+ create %q\n", c.Name())
			writeFields(out, specFields(c.Spec))
		}
		for _, c := range plan.Update {
			fmt.Fprintf(out, "~ update %q\n", c.Name())
			writeFields(out, c.Diffs)
		}
		for _, c := range plan.Delete {
			fmt.Fprintf(out, "- delete %q (%s, tags %q)\n", c.Name(), c.Check.ID(), c.Check.Tags)
		}
		fmt.Fprintf(out, "plan: %d to create, %d to update, %d to delete, %d unchanged (dry run: nothing sent)\n",
			len(plan.Create), len(plan.Update), len(plan.Delete), len(plan.Unchanged))
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
	var failed []error
	auth := 0
	counts := map[string]int{}
	// Results come back in plan order, so the output is stable.
	for _, r := range results {
		if r.Err != nil {
			failed = append(failed, r.Err)
			if cli.Code(r.Err) == cli.ExitRefused {
				auth++
			}
			fmt.Fprintf(env.Stderr, "hcctl: %s %q failed: %v\n", r.Op, r.Change.Name(), r.Err)
			continue
		}
		counts[r.Op]++
		switch r.Op {
		case "create":
			fmt.Fprintf(out, "+ created %q %s\n", r.Change.Name(), r.Check.PingURL)
		case "update":
			fmt.Fprintf(out, "~ updated %q: %s\n", r.Change.Name(), diffSummary(r.Change.Diffs))
		case "delete":
			fmt.Fprintf(out, "- deleted %q (%s)\n", r.Change.Name(), r.Change.Check.ID())
		}
	}
	fmt.Fprintf(out, "applied: %d created, %d updated, %d deleted, %d unchanged", counts["create"], counts["update"], counts["delete"], len(plan.Unchanged))
	if len(failed) > 0 {
		fmt.Fprintf(out, ", %d failed", len(failed))
	}
	fmt.Fprintln(out)
	if err := ctx.Err(); err != nil && len(failed) > 0 {
		// Interrupted (exit 130) or past --timeout: say how far it got.
		return fmt.Errorf("apply stopped after %d of %d writes: %w", plan.Writes()-len(failed), plan.Writes(), err)
	}
	switch {
	case len(failed) == 0:
		return nil
	case auth == len(failed):
		return cli.Refusedf("%d of %d writes refused: %v", len(failed), plan.Writes(), failed[0])
	case len(failed) == plan.Writes():
		return fmt.Errorf("all %d writes failed: %v", len(failed), failed[0])
	}
	return cli.Partialf("%d of %d writes failed (details above)", len(failed), plan.Writes())
}

func diffSummary(d []hc.FieldDiff) string {
	parts := make([]string, len(d))
	for i, f := range d {
		parts[i] = fmt.Sprintf("%s %s -> %s", f.Field, f.Old, f.New)
	}
	return strings.Join(parts, "; ")
}

// specFields lists the fields a create sends (the name is on the line above;
// unique is how it is sent, not a field), in the API's order.
func specFields(s hc.CheckSpec) []hc.FieldDiff {
	var out []hc.FieldDiff
	str := func(k string, v *string) {
		if v != nil {
			out = append(out, hc.FieldDiff{Field: k, New: strconv.Quote(*v)})
		}
	}
	boolean := func(k string, v *bool) {
		if v != nil {
			out = append(out, hc.FieldDiff{Field: k, New: strconv.FormatBool(*v)})
		}
	}
	period := func(k string, v *int64) {
		if v != nil {
			out = append(out, hc.FieldDiff{Field: k, New: hc.FormatSeconds(*v)})
		}
	}
	str("slug", s.Slug)
	str("tags", s.Tags)
	str("desc", s.Desc)
	period("timeout", s.Timeout)
	period("grace", s.Grace)
	str("schedule", s.Schedule)
	str("tz", s.TZ)
	boolean("manual_resume", s.ManualResume)
	str("methods", s.Methods)
	str("channels", s.Channels)
	str("subject", s.Subject)
	str("subject_fail", s.SubjectFail)
	str("start_kw", s.StartKW)
	str("success_kw", s.SuccessKW)
	str("failure_kw", s.FailureKW)
	boolean("filter_subject", s.FilterSubject)
	boolean("filter_body", s.FilterBody)
	return out
}

// writeFields writes "    field: old -> new" lines (just the new value for
// a create), the values aligned.
func writeFields(w io.Writer, fields []hc.FieldDiff) {
	width := 0
	for _, f := range fields {
		width = max(width, len(f.Field)+1)
	}
	for _, f := range fields {
		v := f.New
		if f.Old != "" {
			v = f.Old + " -> " + f.New
		}
		fmt.Fprintf(w, "    %-*s %s\n", width, f.Field+":", v)
	}
}

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
