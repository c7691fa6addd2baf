package discover

import (
	"slices"
	"testing"
)

// Checks is what hcctl discover sends for a plan (issue 18 moved it out of cmd/hcctl).
func TestPlanChecks(t *testing.T) {
	p := &Plan{Jobs: []Job{
		{Line: 3, State: StateNew, Slug: "web1-root-backup-sh", Schedule: "0 2 * * *", TZ: "UTC", Grace: 3600},
		{Line: 4, State: StateRunitor, Slug: "left-alone"}, // runs under runitor: not ours
		{Line: 5, State: StateNew}, // no slug: not monitored
		{Line: 6, State: StateWrapped, Slug: "nightly", Schedule: "@daily", TZ: "Europe/Paris",
			Tags: []string{"db", "backup"}, Desc: "# nightly dump", Grace: 60},
		{Line: 7, State: StateConvert, Slug: "conv", Schedule: "*/5 * * * *"},
	}}
	got := p.Checks([]string{"web1", "prod"})
	want := []Check{
		{Line: 3, Name: "web1-root-backup-sh", Slug: "web1-root-backup-sh", Schedule: "0 2 * * *", TZ: "UTC", Tags: "web1 prod", Grace: 3600},
		{Line: 6, Name: "nightly", Slug: "nightly", Schedule: "@daily", TZ: "Europe/Paris", Tags: "web1 prod db backup", Desc: "# nightly dump", Grace: 60},
		{Line: 7, Name: "conv", Slug: "conv", Schedule: "*/5 * * * *", Tags: "web1 prod"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Checks =\n%+v\nwant\n%+v", got, want)
	}
	if got := (&Plan{}).Checks([]string{"web1"}); len(got) != 0 {
		t.Errorf("Checks of an empty plan = %+v", got)
	}
}
