package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/discover"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/spf13/cobra"
)

type discoverOptions struct {
	g           *global
	root        string
	apply       bool
	undo        bool
	systemd     bool
	convert     bool
	host        string
	tags        []string
	prune       bool
	runwrap     string
	grace       time.Duration
	concurrency int
}

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
	o := &discoverOptions{g: g}
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := g.root.Context(cmd.Context())
			defer cancel()
			return runDiscover(ctx, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.root, "root", "/", "read (and write) the host's files under this directory")
	fs.BoolVar(&o.apply, "apply", false, "create or update the checks and rewrite the files (default: dry run)")
	fs.BoolVar(&o.undo, "undo", false, "put back the files discover rewrote and remove its drop-ins")
	fs.BoolVar(&o.systemd, "systemd", false, "also read systemd timers with OnCalendar=")
	fs.BoolVar(&o.convert, "convert", false, "rewrite runitor -slug lines to runwrap")
	fs.StringVar(&o.host, "host", "", "host name in slugs and the default tag (default: the system's host name)")
	fs.StringArrayVar(&o.tags, "tag", nil, "tag every check with this (repeatable; default: the host name)")
	fs.BoolVar(&o.prune, "prune", false, "with --apply: delete checks with the --tag tags whose jobs are gone")
	fs.StringVar(&o.runwrap, "runwrap", "", "the runwrap command written into jobs (default: runwrap's absolute path from $PATH)")
	fs.DurationVar(&o.grace, "grace", time.Hour, "grace period of the checks (a # hcctl: grace= comment overrides)")
	fs.IntVar(&o.concurrency, "concurrency", 4, "API writes in flight at most")
	noEnv(fs, "apply", "undo", "prune", "tag", "root")
	addFormatFlag(cmd, g, "text, json")
	cmd.Flags().Lookup("format").Usage = "output: text or json (default text)"
	return cmd
}

func runDiscover(ctx context.Context, o *discoverOptions) error {
	format, err := o.validate()
	if err != nil {
		return err
	}
	if err := o.defaults(); err != nil {
		return err
	}
	dopts := discover.Options{Root: o.root, Host: o.host, Systemd: o.systemd, Convert: o.convert,
		Runwrap: o.runwrap, Grace: int64(o.grace / time.Second)}
	env := o.g.root.Env
	if o.undo {
		return runUndo(ctx, env.Stdout, dopts)
	}
	plan, err := discover.Scan(dopts)
	if err != nil {
		return cli.Usagef("%v", err)
	}
	for _, p := range plan.Problems {
		fmt.Fprintf(env.Stderr, "hcctl: %s (skipped)\n", p)
	}
	if !o.apply {
		if format == "json" {
			return writeDiscoverJSON(env.Stdout, plan, nil, nil)
		}
		writeDiscoverPlan(env.Stdout, plan, o.tags)
		fmt.Fprintln(env.Stdout, "dry run: nothing written and nothing sent; --apply creates the checks and rewrites the files")
		return problemsErr(plan)
	}
	return o.applyPlan(ctx, format, plan)
}

// validate checks the flags against each other and returns the output format.
func (o *discoverOptions) validate() (string, error) {
	format := o.g.format
	if format == "" {
		format = "text"
	}
	switch {
	case format != "text" && format != "json":
		return "", cli.Usagef("-f %s: want text or json", format)
	case o.undo && (o.apply || o.prune):
		return "", cli.Usagef("--undo does not combine with --apply or --prune")
	case o.prune && !o.apply:
		return "", cli.Usagef("--prune needs --apply (the dry run shows no deletions)")
	case o.grace < time.Minute || o.grace > 365*24*time.Hour:
		return "", cli.Usagef("--grace %s: want 1m to 365d", o.grace)
	case o.concurrency < 1 || o.concurrency > 64:
		return "", cli.Usagef("--concurrency %d: want 1 to 64", o.concurrency)
	}
	return format, nil
}

// defaults fills --host, --tag and --runwrap from the system when not given.
func (o *discoverOptions) defaults() error {
	if o.host == "" {
		h, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("host name: %w (give --host)", err)
		}
		o.host = strings.SplitN(h, ".", 2)[0]
	}
	if len(o.tags) == 0 {
		o.tags = []string{strings.ToLower(o.host)}
	}
	if err := checkTags(o.tags); err != nil {
		return err
	}
	if o.runwrap == "" {
		o.runwrap = "runwrap"
		if p, err := exec.LookPath("runwrap"); err == nil && strings.HasPrefix(p, "/") {
			// cron's PATH is /usr/bin:/bin: name runwrap by its full path.
			o.runwrap = p
		} else if o.apply {
			o.g.root.Warnf("runwrap is not in PATH: jobs will call it by name, which cron's short PATH may not find (give --runwrap /path/to/runwrap)")
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
			if cli.Code(apiErr(r.Err)) == cli.ExitRefused {
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
func (o *discoverOptions) applyPlan(ctx context.Context, format string, plan *discover.Plan) error {
	env := o.g.root.Env
	desired := desiredChecks(plan, o.tags)
	if o.prune && len(desired) == 0 {
		return cli.Usagef("no monitored jobs found: --prune would delete every check tagged %s; refusing", strings.Join(o.tags, " and "))
	}
	a, err := o.g.api()
	if err != nil {
		return err
	}
	cplan, existing, err := makePlan(ctx, a, desired, hc.PlanOptions{Prune: o.prune, PruneTags: o.tags, Warn: o.g.root.Warnf})
	if err != nil {
		return err
	}
	for _, c := range existing {
		if _, err := writableID(c, "discover: check"); err != nil && cplan.Writes() > 0 {
			return err
		}
	}
	results := a.Apply(ctx, cplan, o.concurrency, nil)
	t := tally(env.Stderr, cplan, results)
	written, werr := plan.Write(ctx, func(slug string) bool { return t.exists[slug] })
	if format == "json" {
		if err := writeDiscoverJSON(env.Stdout, plan, &cplan, written); err != nil {
			return err
		}
	} else {
		writeDiscoverPlan(env.Stdout, plan, o.tags)
		writeDiscoverApplied(env.Stdout, cplan, results, written, t)
	}
	if werr != nil {
		return fmt.Errorf("rewriting: %w (files before it were written; --undo puts them back)", werr)
	}
	switch {
	case len(t.failed) > 0 && t.auth == len(t.failed):
		return cli.Refusedf("%d of %d writes refused: %v", len(t.failed), cplan.Writes(), t.failed[0])
	case len(t.failed) > 0:
		return cli.Partialf("%d of %d API writes failed (details above); their jobs were not rewritten", len(t.failed), cplan.Writes())
	}
	return problemsErr(plan)
}

// writeDiscoverApplied writes a line per API write and per file written, and the summary.
func writeDiscoverApplied(w io.Writer, cplan hc.Plan, results []hc.Result, written []discover.Written, t discoverTally) {
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		switch r.Op {
		case "create":
			fmt.Fprintf(w, "+ created %q\n", r.Change.Name())
		case "update":
			fmt.Fprintf(w, "~ updated %q: %s\n", r.Change.Name(), diffSummary(r.Change.Diffs))
		case "delete":
			fmt.Fprintf(w, "- deleted %q (%s)\n", r.Change.Name(), r.Change.Check.ID())
		}
	}
	for _, wr := range written {
		if wr.Backup != "" {
			fmt.Fprintf(w, "%s %s (original in %s)\n", wr.How, wr.Path, wr.Backup)
		} else {
			fmt.Fprintf(w, "%s %s\n", wr.How, wr.Path)
		}
	}
	fmt.Fprintf(w, "applied: %d created, %d updated, %d deleted, %d unchanged; %d files written",
		t.counts["create"], t.counts["update"], t.counts["delete"], len(cplan.Unchanged), len(written))
	if len(t.failed) > 0 {
		fmt.Fprintf(w, ", %d API writes failed (their jobs not rewritten)", len(t.failed))
	}
	fmt.Fprintln(w)
}

func problemsErr(p *discover.Plan) error {
	if n := len(p.Problems); n > 0 {
		return cli.Partialf("%d lines could not be read and were skipped (details above)", n)
	}
	return nil
}

// writeDiscoverPlan prints the jobs, the ones left alone, and a unified
// diff per file.
func writeDiscoverPlan(w io.Writer, p *discover.Plan, tags []string) {
	var mon, other []discover.Job
	for _, j := range p.Jobs {
		if j.Monitored() {
			mon = append(mon, j)
		} else {
			other = append(other, j)
		}
	}
	fmt.Fprintf(w, "host %s: %d jobs to monitor, %d left alone, %d lines skipped (tags: %s)\n", p.Host, len(mon), len(other), len(p.Problems), strings.Join(tags, " "))
	for _, j := range mon {
		where := fmt.Sprintf("%s:%d", j.File, j.Line)
		if j.Kind == "timer" {
			where = j.File
		}
		state := map[string]string{discover.StateNew: "wrap", discover.StateWrapped: "wrapped", discover.StateConvert: "convert from runitor"}[j.State]
		fmt.Fprintf(w, "  %s  %s\n      schedule %q  tz %s  grace %s  %s (%s)\n", j.Slug, where,
			strings.ReplaceAll(j.Schedule, "\n", "; "), j.TZ, hc.FormatSeconds(j.Grace), state, j.User)
		if len(j.Tags) > 0 {
			fmt.Fprintf(w, "      tags +%s\n", strings.Join(j.Tags, " +"))
		}
	}
	for _, j := range other {
		where := fmt.Sprintf("%s:%d", j.File, j.Line)
		if j.Kind == "timer" {
			where = j.File
		}
		fmt.Fprintf(w, "  - %s: %s\n", where, j.Note)
	}
	for _, f := range p.Files {
		if d := f.Diff(nil); d != "" {
			fmt.Fprint(w, d)
		}
	}
}

type discoverJSON struct {
	Host     string             `json:"host"`
	Jobs     []discover.Job     `json:"jobs"`
	Problems []discover.Problem `json:"problems"`
	Files    []discoverFileJSON `json:"files"`
	Checks   *discoverChecks    `json:"checks,omitempty"`
	Written  []string           `json:"written,omitempty"`
}

type discoverFileJSON struct {
	Path string `json:"path"`
	Kind string `json:"kind"`
	Diff string `json:"diff"`
}

type discoverChecks struct {
	Create, Update, Delete, Unchanged []string
}

func writeDiscoverJSON(w io.Writer, p *discover.Plan, cp *hc.Plan, written []discover.Written) error {
	out := discoverJSON{Host: p.Host, Jobs: p.Jobs, Problems: p.Problems, Files: []discoverFileJSON{}}
	if out.Jobs == nil {
		out.Jobs = []discover.Job{}
	}
	if out.Problems == nil {
		out.Problems = []discover.Problem{}
	}
	for _, f := range p.Files {
		if d := f.Diff(nil); d != "" {
			out.Files = append(out.Files, discoverFileJSON{Path: f.Path, Kind: f.Kind, Diff: d})
		}
	}
	if cp != nil {
		names := func(cs []hc.Change) []string {
			s := []string{}
			for _, c := range cs {
				s = append(s, c.Name())
			}
			return s
		}
		out.Checks = &discoverChecks{Create: names(cp.Create), Update: names(cp.Update), Delete: names(cp.Delete), Unchanged: names(cp.Unchanged)}
		for _, x := range written {
			out.Written = append(out.Written, x.Path)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
