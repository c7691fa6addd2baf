package hcctl

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/discover"
	"github.com/cronkit/cronkit/lib/hc"
)

// DiscoverOptions is hcctl discover.
type DiscoverOptions struct {
	Env
	Format      string // text (the default when empty) or json
	Root        string // read (and write) the host's files under this directory
	Apply       bool
	Undo        bool
	Systemd     bool
	Convert     bool
	Host        string // default: the system's host name
	Tags        []string
	Prune       bool
	Runwrap     string // default: runwrap's absolute path from $PATH
	Grace       time.Duration
	Concurrency int
}

// RunDiscover plans (or with Apply, makes) a check for each of the host's
// cron jobs and timers and the rewrite of each to run under runwrap.
func RunDiscover(ctx context.Context, o DiscoverOptions) error {
	format, err := o.validate()
	if err != nil {
		return err
	}
	if err := o.defaults(); err != nil {
		return err
	}
	dopts := discover.Options{Root: o.Root, Host: o.Host, Systemd: o.Systemd, Convert: o.Convert,
		Runwrap: o.Runwrap, Grace: int64(o.Grace / time.Second)}
	if o.Undo {
		return runUndo(ctx, o.Stdout, dopts)
	}
	plan, err := discover.Scan(dopts)
	if err != nil {
		return usagef("%v", err)
	}
	for _, p := range plan.Problems {
		fmt.Fprintf(o.Stderr, "hcctl: %s (skipped)\n", p)
	}
	if !o.Apply {
		if format == "json" {
			if err := writeDiscoverJSON(o.Stdout, plan, nil, nil); err != nil {
				return err
			}
			return problemsErr(plan) // skipped lines: exit 3 in JSON as in text
		}
		writeDiscoverPlan(o.Stdout, plan, o.Tags)
		fmt.Fprintln(o.Stdout, "dry run: nothing written and nothing sent; --apply creates the checks and rewrites the files")
		return problemsErr(plan)
	}
	return o.applyPlan(ctx, format, plan)
}

// validate checks the options against each other and returns the output format.
func (o *DiscoverOptions) validate() (string, error) {
	format := o.Format
	if format == "" {
		format = "text"
	}
	switch {
	case format != "text" && format != "json":
		return "", usagef("-f %s: want text or json", format)
	case o.Undo && (o.Apply || o.Prune):
		return "", usagef("--undo does not combine with --apply or --prune")
	case o.Prune && !o.Apply:
		return "", usagef("--prune needs --apply (the dry run shows no deletions)")
	case o.Grace < time.Minute || o.Grace > 365*24*time.Hour:
		return "", usagef("--grace %s: want 1m to 365d", o.Grace)
	case o.Concurrency < 1 || o.Concurrency > 64:
		return "", usagef("--concurrency %d: want 1 to 64", o.Concurrency)
	}
	return format, nil
}

// defaults fills Host, Tags and Runwrap from the system when not given.
func (o *DiscoverOptions) defaults() error {
	if o.Host == "" {
		h, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("host name: %w (give --host)", err)
		}
		o.Host = strings.SplitN(h, ".", 2)[0]
	}
	if len(o.Tags) == 0 {
		o.Tags = []string{strings.ToLower(o.Host)}
	}
	if err := checkTags(o.Tags); err != nil {
		return err
	}
	if o.Runwrap == "" {
		o.Runwrap = "runwrap"
		if p, err := exec.LookPath("runwrap"); err == nil && strings.HasPrefix(p, "/") {
			// cron's PATH is /usr/bin:/bin: name runwrap by its full path.
			o.Runwrap = p
		} else if o.Apply {
			o.warnf("runwrap is not in PATH: jobs will call it by name, which cron's short PATH may not find (give --runwrap /path/to/runwrap)")
		}
	}
	return nil
}

// runUndo puts back what an earlier --apply wrote.
func runUndo(ctx context.Context, w io.Writer, dopts discover.Options) error {
	done, err := discover.Undo(ctx, dopts)
	for _, d := range done {
		fmt.Fprintf(w, "%s %s\n", d.How, d.Path)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "undo: %d files put back or removed\n", len(done))
	return nil
}

// desiredChecks is the check each monitored job wants, as hcctl apply's specs.
func desiredChecks(plan *discover.Plan, tags []string) []hc.Desired {
	var desired []hc.Desired
	for _, c := range plan.Checks(tags) {
		desired = append(desired, hc.Desired{Line: c.Line, Spec: hc.CheckSpec{Name: &c.Name, Slug: &c.Slug,
			Schedule: &c.Schedule, TZ: &c.TZ, Tags: &c.Tags, Grace: &c.Grace, Desc: &c.Desc}})
	}
	return desired
}

// discoverTally is what the API writes of an --apply came to.
type discoverTally struct {
	exists map[string]bool // slugs whose check is there: their jobs may be rewritten
	failed []error
	auth   int // failures that are refusals (bad key, no rights)
	counts map[string]int
}

// tally counts the results and says each failure on stderr.
func tally(stderr io.Writer, cplan hc.Plan, results []hc.Result) discoverTally {
	t := discoverTally{exists: map[string]bool{}, counts: map[string]int{}}
	for _, c := range cplan.Unchanged {
		t.exists[c.Name()] = true
	}
	for _, r := range results {
		if r.Err != nil {
			t.failed = append(t.failed, r.Err)
			if refused(r.Err) {
				t.auth++
			}
			fmt.Fprintf(stderr, "hcctl: %s %q failed: %v\n", r.Op, r.Change.Name(), r.Err)
			if r.Op == "update" {
				t.exists[r.Change.Name()] = true // it is there, only not up to date
			}
			continue
		}
		t.counts[r.Op]++
		if r.Op != "delete" {
			t.exists[r.Change.Name()] = true
		}
	}
	return t
}

// applyPlan ensures the checks, then rewrites the jobs whose check exists.
func (o *DiscoverOptions) applyPlan(ctx context.Context, format string, plan *discover.Plan) error {
	desired := desiredChecks(plan, o.Tags)
	if o.Prune && len(desired) == 0 {
		return usagef("no monitored jobs found: --prune would delete every check tagged %s; refusing", strings.Join(o.Tags, " and "))
	}
	a, cplan, existing, err := makePlan(ctx, &o.Env, desired, hc.PlanOptions{Prune: o.Prune, PruneTags: o.Tags, Warn: o.warnf})
	if err != nil {
		return err
	}
	if err := refuseReadOnly(existing, cplan, "discover: check"); err != nil {
		return err
	}
	results := a.Apply(ctx, cplan, o.Concurrency, nil)
	t := tally(o.Stderr, cplan, results)
	written, werr := plan.Write(ctx, func(slug string) bool { return t.exists[slug] })
	if format == "json" {
		if err := writeDiscoverJSON(o.Stdout, plan, &cplan, written); err != nil {
			return err
		}
	} else {
		writeDiscoverPlan(o.Stdout, plan, o.Tags)
		writeDiscoverApplied(o.Stdout, cplan, results, written, t)
	}
	if werr != nil {
		return fmt.Errorf("rewriting: %w (files before it were written; --undo puts them back)", werr)
	}
	switch {
	case len(t.failed) > 0 && t.auth == len(t.failed):
		return refusedf("%d of %d writes refused: %v", len(t.failed), cplan.Writes(), t.failed[0])
	case len(t.failed) > 0:
		return partialf("%d of %d API writes failed (details above); their jobs were not rewritten", len(t.failed), cplan.Writes())
	}
	return problemsErr(plan)
}

func problemsErr(p *discover.Plan) error {
	if n := len(p.Problems); n > 0 {
		return partialf("%d lines could not be read and were skipped (details above)", n)
	}
	return nil
}
