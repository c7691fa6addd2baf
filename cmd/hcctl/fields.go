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
	flags := []struct {
		dst         any // *string, *bool or *[]string
		name, usage string
	}{
		{&f.Name, "name", "check name"},
		{&f.Slug, "slug", "slug for ping URLs (a-z, 0-9, - and _)"},
		{&f.Tags, "tags", "space-separated tags"},
		{&f.TagList, "tag", "a tag (repeatable; same as --tags with the tags joined)"},
		{&f.Desc, "desc", "description"},
		{&f.Period, "period", "expected period between pings (the API's timeout), e.g. 1h"},
		{&f.Grace, "grace", "grace time after the period, e.g. 10m"},
		{&f.Schedule, "schedule", "cron schedule, e.g. \"*/5 * * * *\""},
		{&f.TZ, "tz", "time zone of the schedule (IANA), e.g. UTC"},
		{&f.ManualResume, "manual-resume", "keep the check paused until resumed by hand"},
		{&f.Methods, "methods", `"POST" to accept only POST pings, "" for any`},
		{&f.Channels, "channels", `integrations: "*" all, "" none, or UUIDs/names separated by commas`},
		{&f.Subject, "subject", "legacy: e-mail subject keyword for success"},
		{&f.SubjectFail, "subject-fail", "legacy: e-mail subject keyword for failure"},
		{&f.StartKW, "start-kw", "keywords (comma-separated) that mark an e-mail ping as start"},
		{&f.SuccessKW, "success-kw", "keywords that mark an e-mail ping as success"},
		{&f.FailureKW, "failure-kw", "keywords that mark an e-mail ping as failure"},
		{&f.FilterSubject, "filter-subject", "classify e-mail pings by their subject"},
		{&f.FilterBody, "filter-body", "classify e-mail pings by their body"},
	}
	if !withName {
		flags = flags[1:]
	}
	for _, x := range flags {
		switch dst := x.dst.(type) {
		case *string:
			fs.StringVar(dst, x.name, "", x.usage)
		case *bool:
			fs.BoolVar(dst, x.name, false, x.usage)
		case *[]string:
			fs.StringArrayVar(dst, x.name, nil, x.usage)
		}
		cli.NoEnv(fs, x.name)
	}
}
