package main

import (
	app "github.com/cronkit/cronkit/lib/app/hcctl"
	"github.com/cronkit/cronkit/lib/cli"
	"github.com/spf13/cobra"
)

const fieldsHelp = `Check fields (only the ones given are sent):
  --name, --slug, --tags "a b" (or --tag a --tag b), --desc, --period 1h (the API's timeout),
  --grace 10m, --schedule "*/5 * * * *", --tz Europe/Riga, --manual-resume,
  --methods POST|"", --channels "*"|""|UUID,NAME, --subject, --subject-fail,
  --start-kw, --success-kw, --failure-kw, --filter-subject, --filter-body.
Periods take seconds or durations (600, 10m, 1h30m, 7d). --schedule and
--period are exclusive: with both, the schedule is sent and a warning printed.
Schedules are checked locally first: a malformed one, or one that can never
fire (0 0 31 2 *), is refused with the field named.`

// addFieldFlags adds the check field flags (--name too if withName) into f.
// Only the flags given are sent, so an update changes only those fields;
// none is bound to the environment or the config file: they describe one
// invocation, not a setting (HCCTL_NAME must not rename every check).
func addFieldFlags(cmd *cobra.Command, f *app.Fields, withName bool) {
	fs := cmd.Flags()
	f.Changed = fs.Changed
	if withName {
		fs.StringVar(&f.Name, "name", "", "check name")
		cli.NoEnv(fs, "name")
	}
	fs.StringVar(&f.Slug, "slug", "", "slug for ping URLs (a-z, 0-9, - and _)")
	fs.StringVar(&f.Tags, "tags", "", "space-separated tags")
	fs.StringArrayVar(&f.TagList, "tag", nil, "a tag (repeatable; same as --tags with the tags joined)")
	fs.StringVar(&f.Desc, "desc", "", "description")
	fs.StringVar(&f.Period, "period", "", "expected period between pings (the API's timeout), e.g. 1h")
	fs.StringVar(&f.Grace, "grace", "", "grace time after the period, e.g. 10m")
	fs.StringVar(&f.Schedule, "schedule", "", "cron schedule, e.g. \"*/5 * * * *\"")
	fs.StringVar(&f.TZ, "tz", "", "time zone of the schedule (IANA), e.g. UTC")
	fs.BoolVar(&f.ManualResume, "manual-resume", false, "keep the check paused until resumed by hand")
	fs.StringVar(&f.Methods, "methods", "", `"POST" to accept only POST pings, "" for any`)
	fs.StringVar(&f.Channels, "channels", "", `integrations: "*" all, "" none, or UUIDs/names separated by commas`)
	fs.StringVar(&f.Subject, "subject", "", "legacy: e-mail subject keyword for success")
	fs.StringVar(&f.SubjectFail, "subject-fail", "", "legacy: e-mail subject keyword for failure")
	fs.StringVar(&f.StartKW, "start-kw", "", "keywords (comma-separated) that mark an e-mail ping as start")
	fs.StringVar(&f.SuccessKW, "success-kw", "", "keywords that mark an e-mail ping as success")
	fs.StringVar(&f.FailureKW, "failure-kw", "", "keywords that mark an e-mail ping as failure")
	fs.BoolVar(&f.FilterSubject, "filter-subject", false, "classify e-mail pings by their subject")
	fs.BoolVar(&f.FilterBody, "filter-body", false, "classify e-mail pings by their body")
	cli.NoEnv(fs, "slug", "tags", "tag", "desc", "period", "grace", "schedule", "tz", "manual-resume",
		"methods", "channels", "subject", "subject-fail", "start-kw", "success-kw", "failure-kw", "filter-subject", "filter-body")
}
