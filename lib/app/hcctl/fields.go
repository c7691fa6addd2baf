package hcctl

import (
	"strings"

	"github.com/cronkit/cronkit/lib/hc"
)

// Fields are the check fields settable from the command line (cmd/hcctl's
// --name, --slug, ...). Only the flags given are sent, so an update changes
// only those fields.
type Fields struct {
	Name, Slug, Tags, Desc        string
	Period, Grace                 string
	Schedule, TZ                  string
	ManualResume                  bool
	Methods, Channels             string
	Subject, SubjectFail          string
	StartKW, SuccessKW, FailureKW string
	FilterSubject, FilterBody     bool
	TagList                       []string // --tag, repeated: joined to --tags
	// Changed says whether the flag of that name was given.
	Changed func(flag string) bool
}

// spec builds the CheckSpec of the flags given, validated locally.
func (f *Fields) spec(warnf func(string, ...any)) (hc.CheckSpec, error) {
	var s hc.CheckSpec
	changed := f.Changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	for _, x := range []struct {
		flag string
		v    string
		dst  **string
	}{
		{"name", f.Name, &s.Name}, {"slug", f.Slug, &s.Slug}, {"tags", f.Tags, &s.Tags}, {"desc", f.Desc, &s.Desc},
		{"schedule", f.Schedule, &s.Schedule}, {"tz", f.TZ, &s.TZ}, {"methods", f.Methods, &s.Methods},
		{"channels", f.Channels, &s.Channels}, {"subject", f.Subject, &s.Subject},
		{"subject-fail", f.SubjectFail, &s.SubjectFail}, {"start-kw", f.StartKW, &s.StartKW},
		{"success-kw", f.SuccessKW, &s.SuccessKW}, {"failure-kw", f.FailureKW, &s.FailureKW},
	} {
		if changed(x.flag) {
			v := x.v
			*x.dst = &v
		}
	}
	for _, x := range []struct {
		flag string
		v    bool
		dst  **bool
	}{{"manual-resume", f.ManualResume, &s.ManualResume}, {"filter-subject", f.FilterSubject, &s.FilterSubject}, {"filter-body", f.FilterBody, &s.FilterBody}} {
		if changed(x.flag) {
			v := x.v
			*x.dst = &v
		}
	}
	if changed("tag") {
		all := strings.Join(append(strings.Fields(f.Tags), f.TagList...), " ")
		s.Tags = &all
	}
	for _, x := range []struct {
		flag, v string
		dst     **int64
	}{{"period", f.Period, &s.Timeout}, {"grace", f.Grace, &s.Grace}} {
		if !changed(x.flag) {
			continue
		}
		n, err := hc.ParseSeconds(x.v)
		if err != nil {
			return s, usagef("--%s: %v", x.flag, err)
		}
		*x.dst = &n
	}
	if s.Schedule != nil && s.Timeout != nil {
		warnf("--schedule and --period are exclusive: the schedule is sent, the period is not")
		s.Timeout = nil
	}
	if err := hc.ValidateSpec(&s); err != nil {
		return s, usagef("%v", err)
	}
	return s, nil
}
