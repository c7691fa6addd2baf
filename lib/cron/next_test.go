package cron

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST tables below must not depend on the host's zoneinfo
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func mustParse(t testing.TB, expr string) *Schedule {
	t.Helper()
	s, err := Parse(expr)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	return s
}

// mustTime parses an RFC 3339 time and places it in loc.
func mustTime(t testing.TB, s string, loc *time.Location) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("parse time %q: %v", s, err)
	}
	return tm.In(loc)
}

// sameInstantAndOffset reports whether got is want, down to the UTC offset
// (so 01:00-04:00 and 01:00-05:00 differ).
func sameInstantAndOffset(got, want time.Time) bool {
	_, go1 := got.Zone()
	_, wo := want.Zone()
	return got.Equal(want) && go1 == wo
}

type vector struct {
	expr, zone, from string
	next             []string
}

// specVectors are the table in /work/shared/reference/cron-semantics.md,
// computed there with cronsim 2.6.
var specVectors = []vector{
	{"30 3 * * *", "Europe/Riga", "2026-03-28T12:00:00+02:00", []string{"2026-03-29T04:00:00+03:00", "2026-03-30T03:30:00+03:00", "2026-03-31T03:30:00+03:00"}},
	{"30 3 * * *", "Europe/Riga", "2026-10-25T00:00:00+03:00", []string{"2026-10-25T03:30:00+03:00", "2026-10-26T03:30:00+02:00", "2026-10-27T03:30:00+02:00"}},
	{"0 * * * *", "Europe/Riga", "2026-03-29T02:30:00+02:00", []string{"2026-03-29T04:00:00+03:00", "2026-03-29T05:00:00+03:00", "2026-03-29T06:00:00+03:00"}},
	{"*/30 * * * *", "America/New_York", "2026-11-01T00:45:00-04:00", []string{"2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00"}},
	{"15 2 * * 0", "America/Winnipeg", "2021-03-08T08:15:20-06:00", []string{"2021-03-14T03:00:00-05:00", "2021-03-21T02:15:00-05:00", "2021-03-28T02:15:00-05:00"}},
	{"0 0 * * MON#1", "UTC", "2026-01-01T00:00:00+00:00", []string{"2026-01-05T00:00:00+00:00", "2026-02-02T00:00:00+00:00", "2026-03-02T00:00:00+00:00"}},
	{"0 0 L * *", "UTC", "2026-02-01T00:00:00+00:00", []string{"2026-02-28T00:00:00+00:00", "2026-03-31T00:00:00+00:00", "2026-04-30T00:00:00+00:00"}},
	{"0 0 1,15 * 5", "UTC", "2026-11-02T00:00:00+00:00", []string{"2026-11-06T00:00:00+00:00", "2026-11-13T00:00:00+00:00", "2026-11-15T00:00:00+00:00"}},
	{"0 0 */10 * *", "UTC", "2026-01-25T00:00:00+00:00", []string{"2026-01-31T00:00:00+00:00", "2026-02-01T00:00:00+00:00", "2026-02-11T00:00:00+00:00"}},
	{"0 12 LW * *", "UTC", "2026-05-01T00:00:00+00:00", []string{"2026-05-29T12:00:00+00:00", "2026-06-30T12:00:00+00:00", "2026-07-31T12:00:00+00:00"}},
	{"0 0 29 2 *", "UTC", "2029-03-01T00:00:00+00:00", []string{"2032-02-29T00:00:00+00:00", "2036-02-29T00:00:00+00:00", "2040-02-29T00:00:00+00:00"}},
	{"30 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00:00+10:30", []string{"2026-10-04T02:30:00+11:00", "2026-10-05T02:30:00+11:00", "2026-10-06T02:30:00+11:00"}},
}

// cronsimVectors are from cronsim's own test suite (tests/test_cronsim.py,
// TestDstTransitions and TestIterator), Europe/Riga 2021: DST began
// 2021-03-28 03:00 (+02 -> +03) and ended 2021-10-31 04:00 (+03 -> +02).
var cronsimVectors = []vector{
	{"0 * * * *", "Europe/Riga", "2021-03-28T01:30:00+02:00", []string{"2021-03-28T02:00:00+02:00", "2021-03-28T04:00:00+03:00"}},
	{"0 * * * *", "Europe/Riga", "2021-10-31T01:30:00+03:00", []string{"2021-10-31T02:00:00+03:00", "2021-10-31T03:00:00+03:00", "2021-10-31T03:00:00+02:00", "2021-10-31T04:00:00+02:00"}},
	{"*/30 * * * *", "Europe/Riga", "2021-03-28T02:10:00+02:00", []string{"2021-03-28T02:30:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-28T04:30:00+03:00"}},
	{"*/30 * * * *", "Europe/Riga", "2021-10-31T02:10:00+03:00", []string{"2021-10-31T02:30:00+03:00", "2021-10-31T03:00:00+03:00", "2021-10-31T03:30:00+03:00", "2021-10-31T03:00:00+02:00", "2021-10-31T03:30:00+02:00", "2021-10-31T04:00:00+02:00"}},
	{"*/15 * * * *", "Europe/Riga", "2021-03-28T02:40:00+02:00", []string{"2021-03-28T02:45:00+02:00", "2021-03-28T04:00:00+03:00"}},
	{"0 */2 * * *", "Europe/Riga", "2021-03-28T01:30:00+02:00", []string{"2021-03-28T02:00:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-28T06:00:00+03:00"}},
	{"0 */2 * * *", "Europe/Riga", "2021-10-31T01:30:00+03:00", []string{"2021-10-31T02:00:00+03:00", "2021-10-31T04:00:00+02:00", "2021-10-31T06:00:00+02:00"}},
	{"30 */2 * * *", "Europe/Riga", "2021-03-28T01:30:00+02:00", []string{"2021-03-28T02:30:00+02:00", "2021-03-28T04:30:00+03:00"}},
	{"30 */2 * * *", "Europe/Riga", "2021-10-31T01:30:00+03:00", []string{"2021-10-31T02:30:00+03:00", "2021-10-31T04:30:00+02:00"}},
	{"0 */3 * * *", "Europe/Riga", "2021-10-31T01:30:00+03:00", []string{"2021-10-31T03:00:00+03:00", "2021-10-31T03:00:00+02:00", "2021-10-31T06:00:00+02:00"}},
	{"0 1,2,3,4,5 * * *", "Europe/Riga", "2021-03-28T01:30:00+02:00", []string{"2021-03-28T02:00:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-28T05:00:00+03:00"}},
	{"0 1,2,3,4,5 * * *", "Europe/Riga", "2021-10-31T01:30:00+03:00", []string{"2021-10-31T02:00:00+03:00", "2021-10-31T03:00:00+03:00", "2021-10-31T04:00:00+02:00"}},
	{"30 1,2,3,4,5 * * *", "Europe/Riga", "2021-03-28T01:30:00+02:00", []string{"2021-03-28T02:30:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-28T04:30:00+03:00"}},
	{"30 1,2,3,4,5 * * *", "Europe/Riga", "2021-10-31T01:30:00+03:00", []string{"2021-10-31T02:30:00+03:00", "2021-10-31T03:30:00+03:00", "2021-10-31T04:30:00+02:00"}},
	{"0 2 * * *", "Europe/Riga", "2021-03-28T01:30:00+02:00", []string{"2021-03-28T02:00:00+02:00", "2021-03-29T02:00:00+03:00"}},
	{"0 2 * * *", "Europe/Riga", "2021-10-31T01:30:00+03:00", []string{"2021-10-31T02:00:00+03:00", "2021-11-01T02:00:00+02:00"}},
	{"0 3 * * *", "Europe/Riga", "2021-03-27T01:30:00+02:00", []string{"2021-03-27T03:00:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-29T03:00:00+03:00"}},
	{"0 3 * * *", "Europe/Riga", "2021-10-31T01:30:00+03:00", []string{"2021-10-31T03:00:00+03:00", "2021-11-01T03:00:00+02:00"}},
	{"0 4 * * *", "Europe/Riga", "2021-03-27T01:30:00+02:00", []string{"2021-03-27T04:00:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-29T04:00:00+03:00"}},
	{"0 4 * * *", "Europe/Riga", "2021-10-30T01:30:00+03:00", []string{"2021-10-30T04:00:00+03:00", "2021-10-31T04:00:00+02:00", "2021-11-01T04:00:00+02:00"}},
	{"0 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23 * * *", "Europe/Riga", "2021-03-28T01:30:00+02:00", []string{"2021-03-28T02:00:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-28T05:00:00+03:00"}},
	{"0 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23 * * *", "Europe/Riga", "2021-10-31T01:30:00+03:00", []string{"2021-10-31T02:00:00+03:00", "2021-10-31T03:00:00+03:00", "2021-10-31T04:00:00+02:00"}},
	{"0 1,3,5,7,9,11,13,15,17,19,21,23 * * *", "Europe/Riga", "2021-03-28T00:30:00+02:00", []string{"2021-03-28T01:00:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-28T05:00:00+03:00"}},
	{"0 1,3,5,7,9,11,13,15,17,19,21,23 * * *", "Europe/Riga", "2021-10-31T00:30:00+03:00", []string{"2021-10-31T01:00:00+03:00", "2021-10-31T03:00:00+03:00", "2021-10-31T05:00:00+02:00"}},
	{"0 1-5 * * *", "Europe/Riga", "2021-03-28T01:30:00+02:00", []string{"2021-03-28T02:00:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-28T05:00:00+03:00"}},
	{"0 1-5 * * *", "Europe/Riga", "2021-10-31T01:30:00+03:00", []string{"2021-10-31T02:00:00+03:00", "2021-10-31T03:00:00+03:00", "2021-10-31T04:00:00+02:00"}},
	{"15 3 * * *", "Europe/Riga", "2021-03-27T00:00:00+02:00", []string{"2021-03-27T03:15:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-29T03:15:00+03:00"}},
	{"15 3 * * *", "Europe/Riga", "2021-10-30T00:00:00+03:00", []string{"2021-10-30T03:15:00+03:00", "2021-10-31T03:15:00+03:00", "2021-11-01T03:15:00+02:00"}},
	{"* * * * *", "Europe/Riga", "2021-03-28T02:58:00+02:00", []string{"2021-03-28T02:59:00+02:00", "2021-03-28T04:00:00+03:00"}},
	{"* * * * *", "Europe/Riga", "2021-10-31T03:58:00+03:00", []string{"2021-10-31T03:59:00+03:00", "2021-10-31T03:00:00+02:00", "2021-10-31T03:01:00+02:00"}},
	{"* 1-6 * * *", "Europe/Riga", "2021-03-28T02:58:00+02:00", []string{"2021-03-28T02:59:00+02:00", "2021-03-28T04:00:00+03:00"}},
	{"* 1-6 * * *", "Europe/Riga", "2021-10-31T03:58:00+03:00", []string{"2021-10-31T03:59:00+03:00", "2021-10-31T03:00:00+02:00", "2021-10-31T03:01:00+02:00"}},
	// TestIterator (naive datetimes there; UTC here).
	{"1 1 L * *", "UTC", "2020-01-01T00:00:00Z", []string{"2020-01-31T01:01:00Z"}},
	{"1 1 LW 5 *", "UTC", "2020-01-01T00:00:00Z", []string{"2020-05-29T01:01:00Z"}},
	{"1 1 * * 5L", "UTC", "2020-01-01T00:00:00Z", []string{"2020-01-31T01:01:00Z", "2020-02-28T01:01:00Z", "2020-03-27T01:01:00Z", "2020-04-24T01:01:00Z", "2020-05-29T01:01:00Z", "2020-06-26T01:01:00Z", "2020-07-31T01:01:00Z", "2020-08-28T01:01:00Z", "2020-09-25T01:01:00Z", "2020-10-30T01:01:00Z", "2020-11-27T01:01:00Z", "2020-12-25T01:01:00Z"}},
	{"1 1 * * 0L", "UTC", "2020-01-01T00:00:00Z", []string{"2020-01-26T01:01:00Z"}},
	{"1 1 * * 7L", "UTC", "2020-01-01T00:00:00Z", []string{"2020-01-26T01:01:00Z"}},
	{"1 1 * * 1#2", "UTC", "2020-01-01T00:00:00Z", []string{"2020-01-13T01:01:00Z"}},
	{"1 1 1-7 * */7", "UTC", "2020-01-01T00:00:00Z", []string{"2020-01-05T01:01:00Z", "2020-02-02T01:01:00Z", "2020-03-01T01:01:00Z", "2020-04-05T01:01:00Z"}},
	{"1 1 */100,1-7 * MON", "UTC", "2020-01-01T00:00:00Z", []string{"2020-01-06T01:01:00Z", "2020-02-03T01:01:00Z", "2020-03-02T01:01:00Z", "2020-04-06T01:01:00Z"}},
	{"1 1 * * */3", "UTC", "2020-01-01T00:00:00Z", []string{"2020-01-01T01:01:00Z", "2020-01-04T01:01:00Z", "2020-01-05T01:01:00Z", "2020-01-08T01:01:00Z"}},
}

// ownVectors cover more zones in both directions. Transitions (from Go's
// tzdata, checked with ZoneBounds):
//
//	America/New_York    2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST
//	Australia/Lord_Howe 2026-04-05 02:00 +11 -> 01:30 +10:30; 2026-10-04 02:00 +10:30 -> 02:30 +11
//	Australia/Sydney    2026-04-05 03:00 +11 -> 02:00 +10; 2026-10-04 02:00 +10 -> 03:00 +11
//	America/Santiago    2026-04-05 00:00 -03 -> 04-04 23:00 -04; 2026-09-06 00:00 -04 -> 01:00 -03
//	Asia/Kolkata        no DST (+05:30)
var ownVectors = []vector{
	// New York, spring: fixed 02:30 runs at 03:00 once; hourly skips 02:00.
	{"30 2 * * *", "America/New_York", "2026-03-07T12:00:00-05:00", []string{"2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"}},
	{"0,30 2 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", []string{"2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00", "2026-03-09T02:30:00-04:00"}},
	{"0 2,3 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", []string{"2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00"}},
	{"0 * * * *", "America/New_York", "2026-03-08T00:30:00-05:00", []string{"2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"}},
	// New York, autumn: fixed 01:30 once (EDT); */30 in both copies.
	{"30 1 * * *", "America/New_York", "2026-10-31T12:00:00-04:00", []string{"2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"}},
	{"30 1 * * *", "America/New_York", "2026-11-01T01:15:00-05:00", []string{"2026-11-02T01:30:00-05:00"}}, // first copy already passed
	{"0 1-3 * * *", "America/New_York", "2026-11-01T00:00:00-04:00", []string{"2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00", "2026-11-01T03:00:00-05:00"}},
	{"0 * * * *", "America/New_York", "2026-11-01T00:30:00-04:00", []string{"2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00"}},
	// Lord Howe, autumn: the clock goes back half an hour, 01:30-01:59 repeats.
	{"45 1 * * *", "Australia/Lord_Howe", "2026-04-04T12:00:00+11:00", []string{"2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"}},
	{"*/15 1 * * *", "Australia/Lord_Howe", "2026-04-05T01:20:00+11:00", []string{"2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-05T01:30:00+10:30", "2026-04-05T01:45:00+10:30", "2026-04-06T01:00:00+10:30"}},
	{"0 * * * *", "Australia/Lord_Howe", "2026-04-05T00:30:00+11:00", []string{"2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+10:30"}},
	// Wall-clock job after a half-hour change: runs from 03:00. (cronsim 2.x
	// answers 03:30 here: it steps hours by 60 real minutes from 00:00 and
	// lands on :30; docs/cron.md lists this difference.)
	{"* 3 * * *", "Australia/Lord_Howe", "2026-04-05T00:10:00+11:00", []string{"2026-04-05T03:00:00+10:30", "2026-04-05T03:01:00+10:30"}},
	// Lord Howe, spring: 02:00-02:29 is skipped.
	{"15 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00:00+10:30", []string{"2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"}},
	{"* 2 * * *", "Australia/Lord_Howe", "2026-10-04T01:58:00+10:30", []string{"2026-10-04T02:30:00+11:00", "2026-10-04T02:31:00+11:00"}},
	{"0 * * * *", "Australia/Lord_Howe", "2026-10-04T01:30:00+10:30", []string{"2026-10-04T03:00:00+11:00"}},
	// Sydney, both directions.
	{"30 2 * * *", "Australia/Sydney", "2026-04-04T12:00:00+11:00", []string{"2026-04-05T02:30:00+11:00", "2026-04-06T02:30:00+10:00"}},
	{"30 2 * * *", "Australia/Sydney", "2026-10-03T12:00:00+10:00", []string{"2026-10-04T03:00:00+11:00", "2026-10-05T02:30:00+11:00"}},
	{"*/30 2 * * *", "Australia/Sydney", "2026-04-05T02:00:00+11:00", []string{"2026-04-05T02:30:00+11:00", "2026-04-05T02:00:00+10:00", "2026-04-05T02:30:00+10:00"}},
	// Santiago: the changes happen at midnight.
	{"0 0 * * *", "America/Santiago", "2026-09-05T12:00:00-04:00", []string{"2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00"}},
	{"30 23 * * *", "America/Santiago", "2026-04-04T12:00:00-03:00", []string{"2026-04-04T23:30:00-03:00", "2026-04-05T23:30:00-04:00"}},
	{"0 0 * * *", "America/Santiago", "2026-04-04T12:00:00-03:00", []string{"2026-04-05T00:00:00-04:00", "2026-04-06T00:00:00-04:00"}},
	{"*/30 * 6 9 *", "America/Santiago", "2026-09-05T23:00:00-04:00", []string{"2026-09-06T01:00:00-03:00", "2026-09-06T01:30:00-03:00"}},
	// Kolkata: no DST, half-hour offset.
	{"30 2 * * *", "Asia/Kolkata", "2026-03-29T00:00:00+05:30", []string{"2026-03-29T02:30:00+05:30", "2026-03-30T02:30:00+05:30"}},
	{"*/45 * * * *", "Asia/Kolkata", "2026-11-01T00:50:00+05:30", []string{"2026-11-01T01:00:00+05:30", "2026-11-01T01:45:00+05:30", "2026-11-01T02:00:00+05:30"}},
	// Macros.
	{"@hourly", "Europe/Riga", "2026-10-25T02:30:00+03:00", []string{"2026-10-25T03:00:00+03:00", "2026-10-25T03:00:00+02:00", "2026-10-25T04:00:00+02:00"}},
	{"@daily", "UTC", "2026-01-01T00:00:00Z", []string{"2026-01-02T00:00:00Z"}},
	{"@weekly", "UTC", "2026-01-01T00:00:00Z", []string{"2026-01-04T00:00:00Z"}},
	{"@monthly", "UTC", "2026-01-01T00:00:00Z", []string{"2026-02-01T00:00:00Z"}},
	{"@yearly", "UTC", "2026-01-01T00:00:00Z", []string{"2027-01-01T00:00:00Z"}},
	// Rare but valid: the 5th Monday of February needs a leap year starting on a Monday... on Feb 29.
	{"0 0 * 2 MON#5", "UTC", "2026-01-01T00:00:00Z", []string{"2044-02-29T00:00:00Z", "2072-02-29T00:00:00Z"}},
	// OR of day fields with a nth weekday.
	{"0 9 13 * FRI", "UTC", "2026-02-10T00:00:00Z", []string{"2026-02-13T09:00:00Z", "2026-02-20T09:00:00Z", "2026-02-27T09:00:00Z", "2026-03-06T09:00:00Z", "2026-03-13T09:00:00Z"}},
	// Steps from a start value; 7 is Sunday.
	{"0 0 * * 1/2", "UTC", "2026-01-05T00:00:00Z", []string{"2026-01-07T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-11T00:00:00Z", "2026-01-12T00:00:00Z"}},
}

func runVectors(t *testing.T, vs []vector) {
	t.Helper()
	for _, v := range vs {
		t.Run(v.zone+"/"+v.expr+"/"+v.from, func(t *testing.T) {
			loc := mustLoc(t, v.zone)
			s := mustParse(t, v.expr)
			from := mustTime(t, v.from, loc)
			got := s.NextN(from, len(v.next))
			if len(got) != len(v.next) {
				t.Fatalf("NextN gave %d runs, want %d", len(got), len(v.next))
			}
			for i, w := range v.next {
				want := mustTime(t, w, loc)
				if !sameInstantAndOffset(got[i], want) {
					t.Fatalf("run %d = %s, want %s (all: %v)", i+1, got[i].Format(time.RFC3339), w, fmtTimes(got))
				}
				if got[i].Location() != loc {
					t.Errorf("run %d in %v, want %v", i+1, got[i].Location(), loc)
				}
			}
			// Prev walks the same runs back: Prev(run i) == run i-1, and the
			// first run's Prev is at or before the start.
			for i := len(got) - 1; i > 0; i-- {
				if p := s.Prev(got[i]); !sameInstantAndOffset(p, got[i-1]) {
					t.Errorf("Prev(%s) = %s, want %s", got[i].Format(time.RFC3339), p.Format(time.RFC3339), got[i-1].Format(time.RFC3339))
				}
			}
			if p := s.Prev(got[0]); p.After(from) {
				t.Errorf("Prev(first run) = %s is after the start %s", p.Format(time.RFC3339), v.from)
			}
		})
	}
}

func fmtTimes(ts []time.Time) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.Format(time.RFC3339))
	}
	return b.String()
}

func TestNextSpecVectors(t *testing.T)    { runVectors(t, specVectors) }
func TestNextCronsimVectors(t *testing.T) { runVectors(t, cronsimVectors) }
func TestNextOwnVectors(t *testing.T)     { runVectors(t, ownVectors) }

func TestPrevTable(t *testing.T) {
	tests := []struct {
		expr, zone, before, want string
	}{
		{"0 0 29 2 *", "UTC", "2032-02-29T00:00:00Z", "2028-02-29T00:00:00Z"},
		{"0 0 29 2 *", "UTC", "2032-02-29T00:00:01Z", "2032-02-29T00:00:00Z"},
		{"*/5 * * * *", "UTC", "2026-01-01T00:00:00Z", "2025-12-31T23:55:00Z"},
		{"*/5 * * * *", "UTC", "2026-01-01T00:02:59Z", "2026-01-01T00:00:00Z"},
		{"0 0 L * *", "UTC", "2026-03-01T00:00:00Z", "2026-02-28T00:00:00Z"},
		{"0 12 LW * *", "UTC", "2026-06-01T00:00:00Z", "2026-05-29T12:00:00Z"},
		{"0 0 * * MON#1", "UTC", "2026-02-02T00:00:00Z", "2026-01-05T00:00:00Z"},
		// Fixed job in New York's repeated hour: the run was the first copy.
		{"30 1 * * *", "America/New_York", "2026-11-01T01:10:00-05:00", "2026-11-01T01:30:00-04:00"},
		{"30 1 * * *", "America/New_York", "2026-11-01T01:30:00-04:00", "2026-10-31T01:30:00-04:00"},
		// Wall-clock job in the repeated hour: the second copy's runs count.
		{"*/30 * * * *", "America/New_York", "2026-11-01T01:10:00-05:00", "2026-11-01T01:00:00-05:00"},
		{"*/30 * * * *", "America/New_York", "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-04:00"},
		// Skipped interval: the run happened when the clock jumped.
		{"30 2 * * *", "America/New_York", "2026-03-08T03:00:01-04:00", "2026-03-08T03:00:00-04:00"},
		{"30 2 * * *", "America/New_York", "2026-03-08T03:00:00-04:00", "2026-03-07T02:30:00-05:00"},
		{"15 2 * * *", "Australia/Lord_Howe", "2026-10-04T02:31:00+11:00", "2026-10-04T02:30:00+11:00"},
		{"0 * * * *", "Europe/Riga", "2026-03-29T04:00:00+03:00", "2026-03-29T02:00:00+02:00"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.expr+"/"+tt.before, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			s := mustParse(t, tt.expr)
			got := s.Prev(mustTime(t, tt.before, loc))
			if want := mustTime(t, tt.want, loc); !sameInstantAndOffset(got, want) {
				t.Fatalf("Prev = %s, want %s", got.Format(time.RFC3339), tt.want)
			}
		})
	}
}

func TestNextKeepsSecondsOut(t *testing.T) {
	s := mustParse(t, "* * * * *")
	from := time.Date(2026, 1, 1, 10, 0, 30, 500, time.UTC)
	if got, want := s.Next(from), time.Date(2026, 1, 1, 10, 1, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Next = %v, want %v", got, want)
	}
	if got, want := s.Prev(from), time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Prev = %v, want %v", got, want)
	}
}

// A valid expression whose only hour is always skipped in a zone hits the
// safety limit and returns the zero Time instead of looping: the fifth
// Sunday of March is always the last one, when Riga skips 03:00-03:59.
func TestNextGivesUpWithinBounds(t *testing.T) {
	loc := mustLoc(t, "Europe/Riga")
	s := mustParse(t, "* 3 * 3 SUN#5")
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	start := time.Now()
	if got := s.Next(from); !got.IsZero() {
		t.Fatalf("Next = %v, want zero", got)
	}
	// (Prev does find runs: until 1996 Latvia changed clocks at 02:00.)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
	if got := s.NextN(from, 3); len(got) != 0 {
		t.Fatalf("NextN = %v, want none", got)
	}
}

func TestZeroScheduleHasNoRuns(t *testing.T) {
	var s Schedule
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if !s.Next(now).IsZero() || !s.Prev(now).IsZero() || len(s.NextN(now, 2)) != 0 {
		t.Fatal("a zero Schedule has runs")
	}
}
