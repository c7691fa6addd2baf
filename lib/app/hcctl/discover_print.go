package hcctl

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cronkit/cronkit/lib/discover"
	"github.com/cronkit/cronkit/lib/hc"
)

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
			fmt.Fprintf(w, "~ updated %q: %s\n", r.Change.Name(), hc.DiffSummary(r.Change.Diffs))
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
		state := map[string]string{discover.StateNew: "wrap", discover.StateWrapped: "wrapped", discover.StateConvert: "convert from runitor"}[j.State]
		fmt.Fprintf(w, "  %s  %s\n      schedule %q  tz %s  grace %s  %s (%s)\n", j.Slug, where(j),
			strings.ReplaceAll(j.Schedule, "\n", "; "), j.TZ, hc.FormatSeconds(j.Grace), state, j.User)
		if len(j.Tags) > 0 {
			fmt.Fprintf(w, "      tags +%s\n", strings.Join(j.Tags, " +"))
		}
	}
	for _, j := range other {
		hint := ""
		if j.Convert {
			hint = " (--convert rewrites it to runwrap)"
		}
		fmt.Fprintf(w, "  - %s: %s%s\n", where(j), j.Note, hint)
	}
	for _, f := range p.Files {
		if d := f.Diff(nil); d != "" {
			fmt.Fprint(w, d)
		}
	}
}

// where is a job's file:line (a timer's unit file).
func where(j discover.Job) string {
	if j.Kind == "timer" {
		return j.File
	}
	return fmt.Sprintf("%s:%d", j.File, j.Line)
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
