package hc

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// This file words plans and their outcome for a reader (hcctl apply, ensure,
// discover): what the commands print is testable without a process.

// DiffSummary is a change's fields on one line: "grace 60 -> 120; tz ...".
func DiffSummary(d []FieldDiff) string {
	parts := make([]string, len(d))
	for i, f := range d {
		parts[i] = fmt.Sprintf("%s %s -> %s", f.Field, f.Old, f.New)
	}
	return strings.Join(parts, "; ")
}

// SpecFields lists the fields a create sends (the name is on the line above;
// unique is how it is sent, not a field), in the API's order.
func SpecFields(s CheckSpec) []FieldDiff {
	var out []FieldDiff
	str := func(k string, v *string) {
		if v != nil {
			out = append(out, FieldDiff{Field: k, New: strconv.Quote(*v)})
		}
	}
	boolean := func(k string, v *bool) {
		if v != nil {
			out = append(out, FieldDiff{Field: k, New: strconv.FormatBool(*v)})
		}
	}
	period := func(k string, v *int64) {
		if v != nil {
			out = append(out, FieldDiff{Field: k, New: FormatSeconds(*v)})
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

// WriteFields writes "    field: old -> new" lines (just the new value for
// a create), the values aligned.
func WriteFields(w io.Writer, fields []FieldDiff) {
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

// WritePlan writes p as a diff for a reader: one line per check, then one
// per field, then a count (a dry run).
func WritePlan(w io.Writer, p Plan) {
	for _, c := range p.Create {
		fmt.Fprintf(w, "+ create %q\n", c.Name())
		WriteFields(w, SpecFields(c.Spec))
	}
	for _, c := range p.Update {
		fmt.Fprintf(w, "~ update %q\n", c.Name())
		WriteFields(w, c.Diffs)
	}
	for _, c := range p.Delete {
		fmt.Fprintf(w, "- delete %q (%s, tags %q)\n", c.Name(), c.Check.ID(), c.Check.Tags)
	}
	fmt.Fprintf(w, "plan: %d to create, %d to update, %d to delete, %d unchanged (dry run: nothing sent)\n",
		len(p.Create), len(p.Update), len(p.Delete), len(p.Unchanged))
}

// WriteResults writes a line per write done (results in plan order, so the
// output is stable) and a summary, and returns the writes that failed, for
// the caller to count in its exit code; onFail, if not nil, words each
// failure in its place.
func WriteResults(w io.Writer, p Plan, results []Result, onFail func(Result)) (failed []Result) {
	counts := map[string]int{}
	for _, r := range results {
		if r.Err != nil {
			failed = append(failed, r)
			if onFail != nil {
				onFail(r)
			}
			continue
		}
		counts[r.Op]++
		switch r.Op {
		case "create":
			fmt.Fprintf(w, "+ created %q %s\n", r.Change.Name(), r.Check.PingURL)
		case "update":
			fmt.Fprintf(w, "~ updated %q: %s\n", r.Change.Name(), DiffSummary(r.Change.Diffs))
		case "delete":
			fmt.Fprintf(w, "- deleted %q (%s)\n", r.Change.Name(), r.Change.Check.ID())
		}
	}
	fmt.Fprintf(w, "applied: %d created, %d updated, %d deleted, %d unchanged", counts["create"], counts["update"], counts["delete"], len(p.Unchanged))
	if len(failed) > 0 {
		fmt.Fprintf(w, ", %d failed", len(failed))
	}
	fmt.Fprintln(w)
	return failed
}
