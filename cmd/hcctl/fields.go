package main

import (
	"strings"

	"github.com/cronkit/cronkit/lib/cli"
	"github.com/cronkit/cronkit/lib/hc"
	"github.com/spf13/cobra"
)

// fieldFlags are the check fields settable from the command line. Only the
// flags given are sent, so an update changes only those fields.
type fieldFlags struct {
	name, slug, tags, desc     string
	period, grace              string
	schedule, tz               string
	manualResume               bool
	methods, channels          string
	subject, subjectFail       string
	startKW, successKW, failKW string
	filterSubject, filterBody  bool
	tagList                    []string
	withName                   bool
	cmd                        *cobra.Command
	warn                       func(string, ...any)
	fieldNames                 []string
}

const fieldsHelp = `Check fields (only the ones given are sent):
  --name, --slug, --tags "a b" (or --tag a --tag b), --desc, --period 1h (the API's timeout),
  --grace 10m, --schedule "*/5 * * * *", --tz Europe/Riga, --manual-resume,
  --methods POST|"", --channels "*"|""|UUID,NAME, --subject, --subject-fail,
  --start-kw, --success-kw, --failure-kw, --filter-subject, --filter-body.
Periods take seconds or durations (600, 10m, 1h30m, 7d). --schedule and
--period are exclusive: with both, the schedule is sent and a warning printed.
Schedules are checked locally first: a malformed one, or one that can never
fire (0 0 31 2 *), is refused with the field named.`

func addFieldFlags(cmd *cobra.Command, f *fieldFlags, withName bool, warn func(string, ...any)) {
	f.cmd, f.withName, f.warn = cmd, withName, warn
	fs := cmd.Flags()
	if withName {
		fs.StringVar(&f.name, "name", "", "check name")
		f.fieldNames = append(f.fieldNames, "name")
	}
	fs.StringVar(&f.slug, "slug", "", "slug for ping URLs (a-z, 0-9, - and _)")
	fs.StringVar(&f.tags, "tags", "", "space-separated tags")
	fs.StringArrayVar(&f.tagList, "tag", nil, "a tag (repeatable; same as --tags with the tags joined)")
	fs.StringVar(&f.desc, "desc", "", "description")
	fs.StringVar(&f.period, "period", "", "expected period between pings (the API's timeout), e.g. 1h")
	fs.StringVar(&f.grace, "grace", "", "grace time after the period, e.g. 10m")
	fs.StringVar(&f.schedule, "schedule", "", "cron schedule, e.g. \"*/5 * * * *\"")
	fs.StringVar(&f.tz, "tz", "", "time zone of the schedule (IANA), e.g. UTC")
	fs.BoolVar(&f.manualResume, "manual-resume", false, "keep the check paused until resumed by hand")
	fs.StringVar(&f.methods, "methods", "", `"POST" to accept only POST pings, "" for any`)
	fs.StringVar(&f.channels, "channels", "", `integrations: "*" all, "" none, or UUIDs/names separated by commas`)
	fs.StringVar(&f.subject, "subject", "", "legacy: e-mail subject keyword for success")
	fs.StringVar(&f.subjectFail, "subject-fail", "", "legacy: e-mail subject keyword for failure")
	fs.StringVar(&f.startKW, "start-kw", "", "keywords (comma-separated) that mark an e-mail ping as start")
	fs.StringVar(&f.successKW, "success-kw", "", "keywords that mark an e-mail ping as success")
	fs.StringVar(&f.failKW, "failure-kw", "", "keywords that mark an e-mail ping as failure")
	fs.BoolVar(&f.filterSubject, "filter-subject", false, "classify e-mail pings by their subject")
	fs.BoolVar(&f.filterBody, "filter-body", false, "classify e-mail pings by their body")
	f.fieldNames = append(f.fieldNames, "slug", "tags", "tag", "desc", "period", "grace", "schedule", "tz", "manual-resume",
		"methods", "channels", "subject", "subject-fail", "start-kw", "success-kw", "failure-kw", "filter-subject", "filter-body")
	noEnv(fs, f.fieldNames...)
}

// spec builds the CheckSpec of the flags given, validated locally.
func (f *fieldFlags) spec() (hc.CheckSpec, error) {
	var s hc.CheckSpec
	fs := f.cmd.Flags()
	str := func(flag string, v string, dst **string) {
		if fs.Changed(flag) {
			x := v
			*dst = &x
		}
	}
	boolean := func(flag string, v bool, dst **bool) {
		if fs.Changed(flag) {
			x := v
			*dst = &x
		}
	}
	secs := func(flag, v string, dst **int64) error {
		if !fs.Changed(flag) {
			return nil
		}
		n, err := hc.ParseSeconds(v)
		if err != nil {
			return cli.Usagef("--%s: %v", flag, err)
		}
		*dst = &n
		return nil
	}
	if f.withName {
		str("name", f.name, &s.Name)
	}
	str("slug", f.slug, &s.Slug)
	str("tags", f.tags, &s.Tags)
	if fs.Changed("tag") {
		all := strings.Join(append(strings.Fields(f.tags), f.tagList...), " ")
		s.Tags = &all
	}
	str("desc", f.desc, &s.Desc)
	if err := secs("period", f.period, &s.Timeout); err != nil {
		return s, err
	}
	if err := secs("grace", f.grace, &s.Grace); err != nil {
		return s, err
	}
	str("schedule", f.schedule, &s.Schedule)
	str("tz", f.tz, &s.TZ)
	boolean("manual-resume", f.manualResume, &s.ManualResume)
	str("methods", f.methods, &s.Methods)
	str("channels", f.channels, &s.Channels)
	str("subject", f.subject, &s.Subject)
	str("subject-fail", f.subjectFail, &s.SubjectFail)
	str("start-kw", f.startKW, &s.StartKW)
	str("success-kw", f.successKW, &s.SuccessKW)
	str("failure-kw", f.failKW, &s.FailureKW)
	boolean("filter-subject", f.filterSubject, &s.FilterSubject)
	boolean("filter-body", f.filterBody, &s.FilterBody)
	return f.check(s)
}

// check validates the spec locally, the way the server would.
func (f *fieldFlags) check(s hc.CheckSpec) (hc.CheckSpec, error) {
	if s.Schedule != nil && s.Timeout != nil {
		f.warn("--schedule and --period are exclusive: the schedule is sent, the period is not")
		s.Timeout = nil
	}
	if err := hc.ValidateSpec(&s); err != nil {
		return s, cli.Usagef("%v", err)
	}
	return s, nil
}
