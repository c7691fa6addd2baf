package hc

// This file prints Healthchecks objects for a reader: aligned tables and
// JSON (one document, or one object a line): hcctl's output, testable
// without a process.

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Table writes aligned columns; an empty cell shows as "-".
type Table struct {
	tw *tabwriter.Writer
}

func NewTable(w io.Writer, header ...string) *Table {
	t := &Table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	if len(header) > 0 {
		t.Row(header...)
	}
	return t
}

func (t *Table) Row(cols ...string) {
	for i, c := range cols {
		if c == "" {
			cols[i] = "-"
		}
		// Tabs or newlines in a name would break the columns.
		cols[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(cols[i])
	}
	fmt.Fprintln(t.tw, strings.Join(cols, "\t"))
}

func (t *Table) Flush() error { return t.tw.Flush() }

// WriteJSON writes v indented (json) or compact on one line (jsonl).
func WriteJSON(w io.Writer, format string, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if format == "json" {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}

// WriteList writes items as a JSON array (json) or one per line (jsonl).
func WriteList[T any](w io.Writer, format string, items []T) error {
	if format == "json" {
		if items == nil {
			items = []T{}
		}
		return WriteJSON(w, format, items)
	}
	for _, it := range items {
		if err := WriteJSON(w, format, it); err != nil {
			return err
		}
	}
	return nil
}

// Time is t in RFC 3339, UTC; "" for none.
func Time(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Period describes when a check is expected: its cron schedule or timeout.
func Period(c Check) string {
	if c.Schedule != "" {
		return c.Schedule + " (" + c.TZ + ")"
	}
	if c.Timeout > 0 {
		return "every " + FormatSeconds(c.Timeout)
	}
	return ""
}

// WriteChecks writes checks a row each (table), or as WriteList does.
func WriteChecks(w io.Writer, format string, checks []Check) error {
	if format != "table" {
		return WriteList(w, format, checks)
	}
	t := NewTable(w, "NAME", "SLUG", "STATUS", "EXPECTED", "GRACE", "LAST PING", "TAGS", "ID")
	for _, c := range checks {
		t.Row(c.Name, c.Slug, Status(c), Period(c), FormatSeconds(c.Grace), Time(c.LastPing), c.Tags, c.ID())
	}
	return t.Flush()
}

// Status is the check's status, "(running)" once started.
func Status(c Check) string {
	if c.Started && c.Status != "paused" {
		return c.Status + " (running)"
	}
	return c.Status
}

// WriteCheck prints one check: fields one a line (table) or one object.
func WriteCheck(w io.Writer, format string, c Check) error {
	if format != "table" {
		return WriteJSON(w, format, c)
	}
	t := NewTable(w)
	row := func(k, v string) { t.Row(k+":", v) }
	row("name", c.Name)
	row("slug", c.Slug)
	row("id", c.ID())
	row("status", Status(c))
	if c.Schedule != "" {
		row("schedule", c.Schedule)
		row("tz", c.TZ)
	} else {
		row("period", FormatSeconds(c.Timeout))
	}
	row("grace", FormatSeconds(c.Grace))
	row("tags", c.Tags)
	row("desc", c.Desc)
	row("last ping", Time(c.LastPing))
	row("next ping", Time(c.NextPing))
	if c.LastDuration != nil {
		row("last duration", FormatSeconds(*c.LastDuration))
	}
	row("pings", strconv.Itoa(c.NPings))
	row("manual resume", strconv.FormatBool(c.ManualResume))
	row("methods", c.Methods)
	if c.Channels != nil {
		row("channels", *c.Channels)
	}
	for _, kv := range [][2]string{{"start kw", c.StartKW}, {"success kw", c.SuccessKW}, {"failure kw", c.FailureKW},
		{"subject", c.Subject}, {"subject fail", c.SubjectFail}} {
		if kv[1] != "" {
			row(kv[0], kv[1])
		}
	}
	if c.FilterSubject || c.FilterBody {
		row("filter", fmt.Sprintf("subject=%v body=%v", c.FilterSubject, c.FilterBody))
	}
	row("ping url", c.PingURL)
	return t.Flush()
}

// WriteFlips writes a check's status changes.
func WriteFlips(w io.Writer, format string, flips []Flip) error {
	if format != "table" {
		return WriteList(w, format, flips)
	}
	t := NewTable(w, "TIME", "CHANGE")
	for _, f := range flips {
		change := "not up"
		if f.Up == 1 {
			change = "up"
		}
		t.Row(f.Timestamp.UTC().Format(time.RFC3339), change)
	}
	return t.Flush()
}

// checkState is what hcctl status prints of a check.
type checkState struct {
	Name     string     `json:"name"`
	Slug     string     `json:"slug"`
	ID       string     `json:"id"`
	Status   string     `json:"status"`
	Started  bool       `json:"started"`
	LastPing *time.Time `json:"last_ping"`
	NextPing *time.Time `json:"next_ping"`
}

// WriteStatus writes the state of each check (hcctl status).
func WriteStatus(w io.Writer, format string, checks []Check) error {
	if format != "table" {
		states := make([]checkState, 0, len(checks))
		for _, c := range checks {
			states = append(states, checkState{c.Name, c.Slug, c.ID(), c.Status, c.Started, c.LastPing, c.NextPing})
		}
		return WriteList(w, format, states)
	}
	t := NewTable(w, "NAME", "STATUS", "LAST PING", "NEXT PING")
	for _, c := range checks {
		t.Row(c.Name, Status(c), Time(c.LastPing), Time(c.NextPing))
	}
	return t.Flush()
}

// WriteChannels writes the project's integrations.
func WriteChannels(w io.Writer, format string, chs []Channel) error {
	if format != "table" {
		return WriteList(w, format, chs)
	}
	t := NewTable(w, "ID", "NAME", "KIND")
	for _, c := range chs {
		t.Row(c.ID, c.Name, c.Kind)
	}
	return t.Flush()
}

// WriteBadges writes the badge URLs by tag: one JSON object (json), one
// object a tag (jsonl), or the SVG and JSON badges a row each (table; all:
// the three-state and Shields.io ones too).
func WriteBadges(w io.Writer, format string, badges map[string]Badge, all bool) error {
	tags := SortedBadgeTags(badges)
	switch format {
	case "json":
		return WriteJSON(w, format, badges)
	case "jsonl":
		for _, tag := range tags {
			if err := WriteJSON(w, format, struct {
				Tag string `json:"tag"`
				Badge
			}{tag, badges[tag]}); err != nil {
				return err
			}
		}
		return nil
	}
	t := NewTable(w, "TAG", "FORMAT", "URL")
	for _, tag := range tags {
		b := badges[tag]
		rows := [][2]string{{"svg", b.SVG}, {"json", b.JSON}}
		if all {
			rows = append(rows, [2]string{"svg3", b.SVG3}, [2]string{"json3", b.JSON3}, [2]string{"shields", b.Shields}, [2]string{"shields3", b.Shields3})
		}
		for _, r := range rows {
			t.Row(tag, r[0], r[1])
		}
	}
	return t.Flush()
}
