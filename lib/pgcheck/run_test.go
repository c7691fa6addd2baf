package pgcheck

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/cronkit/cronkit/lib/pgstat"
)

// The pieces of `pgreport check` that left cmd/pgreport (issue 18).

func TestParseFailOn(t *testing.T) {
	for in, want := range map[string]Level{"warning": Warning, "critical": Critical} {
		if got, err := ParseFailOn(in); err != nil || got != want {
			t.Errorf("ParseFailOn(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseFailOn("unknown"); err == nil || err.Error() != `"unknown": want warning or critical` {
		t.Errorf("ParseFailOn(unknown) = %v", err)
	}
}

func outcome() *Outcome {
	a, b, c := &Rule{Name: "a"}, &Rule{Name: "b"}, &Rule{Name: "c"}
	return &Outcome{Level: Critical, Results: []RuleResult{
		{Rule: a, Level: Warning, Findings: []Finding{{Rule: "a", Level: Warning}}},
		{Rule: b, Level: Unknown, Findings: []Finding{{Rule: "b", Level: Unknown}}},
		{Rule: c, Level: Critical, Findings: []Finding{{Rule: "c", Level: Critical}}},
	}, PartialSections: []string{"locks", "tables@app"}}
}

func TestWorstAndUnknownRules(t *testing.T) {
	o := outcome()
	if got := o.Worst(); got != Critical {
		t.Errorf("Worst = %v, want CRITICAL", got)
	}
	// UNKNOWN is not worse than anything for --fail-on.
	o.Results = o.Results[:2]
	if got := o.Worst(); got != Warning {
		t.Errorf("Worst without c = %v, want WARNING", got)
	}
	if got := (&Outcome{}).Worst(); got != OK {
		t.Errorf("Worst of nothing = %v, want OK", got)
	}
	if got := o.UnknownRules(); !slices.Equal(got, []string{"b"}) {
		t.Errorf("UnknownRules = %q", got)
	}
}

func TestUnreadSections(t *testing.T) {
	rep := &pgstat.Report{Meta: pgstat.Meta{Errors: []pgstat.SectionError{
		{Section: "locks", Error: "boom"},                 // read by a rule: UNKNOWN already says it
		{Section: "tables", DB: "app", Error: "timeout"},  // likewise
		{Section: "tables", DB: "other", Error: "denied"}, // another database
		{Section: "settings", Error: "gone"},
	}}}
	got := UnreadSections(rep, outcome())
	want := []string{"tables@other: denied", "settings: gone"}
	if !slices.Equal(got, want) {
		t.Errorf("UnreadSections = %q, want %q", got, want)
	}
}

func TestWriteFormats(t *testing.T) {
	o := outcome()
	for _, f := range Formats {
		var buf bytes.Buffer
		code, err := Write(&buf, f, o)
		if err != nil || buf.Len() == 0 {
			t.Errorf("Write(%s) = %d, %v, %d bytes", f, code, err, buf.Len())
		}
		if want := map[bool]int{true: 2, false: 0}[f == "nagios"]; code != want {
			t.Errorf("Write(%s) code = %d, want %d", f, code, want)
		}
	}
	var buf bytes.Buffer
	if _, err := Write(&buf, "yaml", o); err == nil || !strings.Contains(err.Error(), "yaml") {
		t.Errorf("Write(yaml) = %v", err)
	}
}
