package discover

import "strings"

// Check is the Healthchecks check a monitored job wants, in the fields of
// hcctl's check spec (lib/hc's CheckSpec; the command joins the two, as
// domain packages do not import each other).
type Check struct {
	Line                                 int // the job's line, for errors
	Name, Slug, Schedule, TZ, Tags, Desc string
	Grace                                int64 // seconds
}

// Checks returns the check of every monitored job, in job order: named by
// its slug, tagged with tags then the job's own (# hcctl: tags=), space-separated.
func (p *Plan) Checks(tags []string) []Check {
	var out []Check
	tagText := strings.Join(tags, " ")
	for _, j := range p.Jobs {
		if !j.Monitored() {
			continue
		}
		t := tagText
		if len(j.Tags) > 0 {
			t += " " + strings.Join(j.Tags, " ")
		}
		out = append(out, Check{Line: j.Line, Name: j.Slug, Slug: j.Slug, Schedule: j.Schedule,
			TZ: j.TZ, Tags: t, Desc: j.Desc, Grace: j.Grace})
	}
	return out
}
