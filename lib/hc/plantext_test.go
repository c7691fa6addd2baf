package hc

import (
	"errors"
	"strings"
	"testing"
)

func strp(s string) *string { return &s }

func textPlan() Plan {
	grace := int64(600)
	return Plan{
		Create: []Change{{Desired: Desired{Spec: CheckSpec{Name: strp("db7")}},
			Spec: CheckSpec{Name: strp("db7"), Slug: strp("db7-pg"), Grace: &grace, Schedule: strp("*/5 * * * *")}}},
		Update: []Change{{Desired: Desired{Spec: CheckSpec{Name: strp("backups")}},
			Diffs: []FieldDiff{{Field: "grace", Old: "1h", New: "2h"}, {Field: "tz", Old: `"UTC"`, New: `"Europe/Paris"`}}}},
		Delete:    []Change{{Check: Check{Name: "old", UUID: "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278", Tags: "prod"}}},
		Unchanged: []Change{{Check: Check{Name: "same"}}},
	}
}

// TestWritePlan: apply --dry-run's diff, byte for byte as the txtar tests
// (cmd/hcctl/testdata/script) expect it.
func TestWritePlan(t *testing.T) {
	var b strings.Builder
	WritePlan(&b, textPlan())
	want := `+ create "db7"
    slug:     "db7-pg"
    grace:    10m
    schedule: "*/5 * * * *"
~ update "backups"
    grace: 1h -> 2h
    tz:    "UTC" -> "Europe/Paris"
- delete "old" (5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278, tags "prod")
plan: 1 to create, 1 to update, 1 to delete, 1 unchanged (dry run: nothing sent)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteResults(t *testing.T) {
	p := textPlan()
	boom := errors.New("503 Service Unavailable")
	results := []Result{
		{Op: "create", Change: p.Create[0], Check: Check{PingURL: "https://hc-ping.com/u1"}},
		{Op: "update", Change: p.Update[0], Err: boom},
		{Op: "delete", Change: p.Delete[0]},
	}
	var b strings.Builder
	var said []string
	failed := WriteResults(&b, p, results, func(r Result) { said = append(said, r.Op) })
	want := `+ created "db7" https://hc-ping.com/u1
- deleted "old" (5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278)
applied: 1 created, 0 updated, 1 deleted, 1 unchanged, 1 failed
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if len(failed) != 1 || failed[0].Err != boom || strings.Join(said, ",") != "update" {
		t.Errorf("failed %v, onFail saw %v", failed, said)
	}
	b.Reset()
	if failed := WriteResults(&b, p, results[:1], nil); failed != nil || !strings.HasSuffix(b.String(), "1 unchanged\n") {
		t.Errorf("all done: %v, %q", failed, b.String())
	}
}

func TestDiffSummary(t *testing.T) {
	got := DiffSummary([]FieldDiff{{Field: "grace", Old: "1h", New: "2h"}, {Field: "tags", Old: `"a"`, New: `"a b"`}})
	if want := `grace 1h -> 2h; tags "a" -> "a b"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
