package cron

import (
	"errors"
	"math/bits"
	"testing"
)

func bitsOf(vals ...int) uint64 {
	var b uint64
	for _, v := range vals {
		b |= 1 << v
	}
	return b
}

func TestParseFields(t *testing.T) {
	all := func(lo, hi int) uint64 { return rangeBits(lo, hi, 1) }
	tests := []struct {
		expr                    string
		min, hour, dom, mon, dw uint64
		and, wall               bool
	}{
		{"* * * * *", all(0, 59), all(0, 23), all(1, 31), all(1, 12), all(0, 6), true, true},
		{"*/15 * * * *", bitsOf(0, 15, 30, 45), all(0, 23), all(1, 31), all(1, 12), all(0, 6), true, true},
		{"0-10/2 * * * *", bitsOf(0, 2, 4, 6, 8, 10), all(0, 23), all(1, 31), all(1, 12), all(0, 6), true, true},
		{"5/15 * * * *", bitsOf(5, 20, 35, 50), all(0, 23), all(1, 31), all(1, 12), all(0, 6), true, true},
		{"1-3,7-9 0 * * *", bitsOf(1, 2, 3, 7, 8, 9), bitsOf(0), all(1, 31), all(1, 12), all(0, 6), true, false},
		{"0 */6 1 jan-mar *", bitsOf(0), bitsOf(0, 6, 12, 18), bitsOf(1), bitsOf(1, 2, 3), all(0, 6), true, true},
		{"0 0 1,15 * 5", bitsOf(0), bitsOf(0), bitsOf(1, 15), all(1, 12), bitsOf(5), false, false},
		{"0 0 * * */2", bitsOf(0), bitsOf(0), all(1, 31), all(1, 12), bitsOf(0, 2, 4, 6), true, false},
		{"0 0 * * 1/2", bitsOf(0), bitsOf(0), all(1, 31), all(1, 12), bitsOf(1, 3, 5, 0), true, false}, // 7 is Sunday
		{"0 0 * * 7", bitsOf(0), bitsOf(0), all(1, 31), all(1, 12), bitsOf(0), true, false},
		{"0 0 * * sun-tue", bitsOf(0), bitsOf(0), all(1, 31), all(1, 12), bitsOf(0, 1, 2), true, false},
		{"0 0 * * MON-FRI", bitsOf(0), bitsOf(0), all(1, 31), all(1, 12), all(1, 5), true, false},
		{"0 0 * DEC *", bitsOf(0), bitsOf(0), all(1, 31), bitsOf(12), all(0, 6), true, false},
		// cronsim reads "a-a/n" like "a/n".
		{"5-5/20 0 * * *", bitsOf(5, 25, 45), bitsOf(0), all(1, 31), all(1, 12), all(0, 6), true, false},
		{"0 0 */100 * *", bitsOf(0), bitsOf(0), bitsOf(1), all(1, 12), all(0, 6), true, false},
		{"0-59 0-23 * * *", all(0, 59), all(0, 23), all(1, 31), all(1, 12), all(0, 6), true, false},
		{"  0\t0  1 1 *  ", bitsOf(0), bitsOf(0), bitsOf(1), bitsOf(1), all(0, 6), true, false},
		{"@daily", bitsOf(0), bitsOf(0), all(1, 31), all(1, 12), all(0, 6), true, false},
		{"@HOURLY", bitsOf(0), all(0, 23), all(1, 31), all(1, 12), all(0, 6), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			s := mustParse(t, tt.expr)
			check := func(name string, got, want uint64) {
				if got != want {
					t.Errorf("%s = %b, want %b", name, got, want)
				}
			}
			check("minutes", s.minutes, tt.min)
			check("hours", s.hours, tt.hour)
			check("doms", s.doms, tt.dom)
			check("months", s.months, tt.mon)
			check("dows", s.dows, tt.dw)
			if s.DaysANDed() != tt.and {
				t.Errorf("DaysANDed = %v, want %v", s.DaysANDed(), tt.and)
			}
			if s.FollowsWallClock() != tt.wall {
				t.Errorf("FollowsWallClock = %v, want %v", s.FollowsWallClock(), tt.wall)
			}
		})
	}
}

func TestParseExtensions(t *testing.T) {
	s := mustParse(t, "0 0 L,LW * *")
	if !s.domLast || !s.domLastWeekday || s.doms != 0 {
		t.Errorf("L,LW: last=%v lw=%v doms=%b", s.domLast, s.domLastWeekday, s.doms)
	}
	s = mustParse(t, "0 0 l/2 * *") // cronsim ignores a step after L
	if !s.domLast || s.doms != 0 {
		t.Errorf("L/2: last=%v doms=%b", s.domLast, s.doms)
	}
	s = mustParse(t, "0 0 * * 1,2,wed#1,7#5,0L,5L")
	if s.dows != bitsOf(1, 2) || s.dowNth[3] != 1<<1 || s.dowNth[0] != 1<<5 || uint64(s.dowLast) != bitsOf(0, 5) {
		t.Errorf("dows=%b nth=%v last=%b", s.dows, s.dowNth, s.dowLast)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		expr, field, msg string
	}{
		// The rejects listed in cron-semantics.md.
		{"0 0 31 2 *", "day of month", "day of month: 31 never occurs in February"},
		{"0 0 30 2 *", "day of month", "day of month: 30 never occurs in February"},
		{"0 0 31 4,6 *", "day of month", "day of month: 31 never occurs in April or June"},
		{"61 * * * *", "minute", "minute: 61 is out of range 0-59"},
		{"* * * * 8", "day of week", "day of week: 8 is out of range 0-7"},
		// Like cronsim, a day of month that fits no selected month is refused
		// even when the day of week could still match.
		{"0 0 30,31 2 MON", "day of month", "day of month: 30,31 never occur in February"},
		{"0 0 31 4,6,9,11 *", "day of month", "day of month: 31 never occurs in April, June, September or November"},
		// ANDed day fields that never coincide.
		{"0 0 */15 4 MON#5", "day of week", "day of week: MON#5 never falls on day of month */15 in April"},
		{"1 1 */100 * MON#4", "day of week", "day of week: MON#4 never falls on day of month */100 in any month"},
		// Malformed values, one per field.
		{"* 24 * * *", "hour", "hour: 24 is out of range 0-23"},
		{"* * 0 * *", "day of month", "day of month: 0 is out of range 1-31"},
		{"* * * 13 *", "month", "month: 13 is out of range 1-12"},
		{"* * * JANUARY *", "month", `month: "JANUARY" is not a month (1-12 or JAN-DEC)`},
		{"* * * * FOO", "day of week", `day of week: "FOO" is not a day of week (0-7 or SUN-SAT)`},
		{"-1 * * * *", "minute", "minute: missing value"},
		{"1-1_0 * * * *", "minute", `minute: "1_0" is not a number`},
		{"ABC * * * *", "minute", `minute: "ABC" is not a number`},
		{"*/0 * * * *", "minute", `minute: "*/0": the step must be at least 1`},
		{"2/ * * * *", "minute", `minute: "2/": the step after / must be a number`},
		{"/2 * * * *", "minute", "minute: missing value"},
		{"1//2 * * * *", "minute", `minute: "1//2": the step after / must be a number`},
		{"1,,2 * * * *", "minute", "minute: missing value"},
		{"¹ * * * *", "minute", `minute: "¹" is not a number`},
		{"* * 5-1 * *", "day of month", "day of month: range 5-1 is backwards: 5 comes after 1"},
		{"* * LL * *", "day of month", `day of month: "LL" is not a number`},
		{"* * LWX * *", "day of month", `day of month: "LWX" is not a number`},
		{"* * 15W * *", "day of month", `day of month: "15W" is not a number`},
		{"* * * * 1#0", "day of week", `day of week: "1#0": the week after # must be 1-5`},
		{"* * * * 1#6", "day of week", `day of week: "1#6": the week after # must be 1-5`},
		{"* * * * 2#", "day of week", `day of week: "2#": the week after # must be 1-5`},
		{"* * * * #2", "day of week", "day of week: missing value"},
		{"* * * * 1##1", "day of week", `day of week: "1##1": the week after # must be 1-5`},
		{"* * * * 5L-6", "day of week", `day of week: "5L-6": L needs a day-of-week number before it, e.g. 5L for the last Friday`},
		{"* * * * 5L#1", "day of week", `day of week: "5L#1": L needs a day-of-week number before it, e.g. 5L for the last Friday`},
		{"* * * * 5L/3", "day of week", `day of week: "5L/3": L needs a day-of-week number before it, e.g. 5L for the last Friday`},
		{"* * * * MONL", "day of week", `day of week: "MONL": L needs a day-of-week number before it, e.g. 5L for the last Friday`},
		{"* * * * 8L", "day of week", "day of week: 8 is out of range 0-7"},
		{"* * * * MON-SUN", "day of week", "day of week: range MON-SUN is backwards: 1 comes after 0"},
		{"* * L * L", "day of week", `day of week: "L": L needs a day-of-week number before it, e.g. 5L for the last Friday`},
		{"L * * * *", "minute", `minute: "L" is not a number`},
		{"99999999999999999999 * * * *", "minute", "minute: 99999999999999999999 is out of range 0-59"},
		// Whole-expression errors have no field.
		{"* * * *", "", "want 5 fields (minute hour day-of-month month day-of-week), got 4"},
		{"* * * * * *", "", "want 5 fields (minute hour day-of-month month day-of-week), got 6"},
		{"", "", "want 5 fields (minute hour day-of-month month day-of-week), got 0"},
		{"@reboot", "", `unknown macro "@reboot" (want @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			s, err := Parse(tt.expr)
			if err == nil {
				t.Fatalf("Parse accepted it: %s", s)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not a *FieldError", err, err)
			}
			if fe.Field != tt.field {
				t.Errorf("Field = %q, want %q", fe.Field, tt.field)
			}
			if err.Error() != tt.msg {
				t.Errorf("Error() = %q\nwant      %q", err.Error(), tt.msg)
			}
		})
	}
}

// Expressions close to the rejected ones that can fire.
func TestParseAcceptsRareButPossible(t *testing.T) {
	for _, expr := range []string{
		"0 0 29 2 *",       // leap years
		"0 0 30 1,2 *",     // January has a 30th
		"0 0 31 2 MON",     // refused: see below
		"0 0 * 2 MON#5",    // Feb 29 on a Monday
		"0 0 */15 * MON#5", // the 31st can be a fifth Monday
		"0 0 L 2 */7",      // Feb's last day on a Sunday
		"0 0 LW * 5L",      // last weekday that is the last Friday: LW and 5L are ORed
		"0 0 * * 1#1",
	} {
		_, err := Parse(expr)
		if expr == "0 0 31 2 MON" {
			// cronsim (and so Healthchecks) refuses it although Mondays in
			// February would match; we follow so hcctl agrees with the server.
			if err == nil {
				t.Errorf("%q accepted, cronsim refuses it", expr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", expr, err)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"* * * * *", "* * * * *"},
		{"  */5   1-3 l jan,feb mon#1  ", "*/5 1-3 L JAN,FEB MON#1"},
		{"0 0 * * 5l", "0 0 * * 5L"},
		{"@yearly", "0 0 1 1 *"},
		{"@annually", "0 0 1 1 *"},
		{"@monthly", "0 0 1 * *"},
		{"@weekly", "0 0 * * 0"},
		{"@daily", "0 0 * * *"},
		{"@midnight", "0 0 * * *"},
		{"@hourly", "0 * * * *"},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.in)
		if got := s.String(); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
		again := mustParse(t, s.String())
		if again.String() != s.String() || *again != *s {
			t.Errorf("%q does not round-trip: %+v vs %+v", tt.in, again, s)
		}
		if f := s.Fields(); f[0] == "" || bits.OnesCount64(s.minutes) == 0 {
			t.Errorf("Fields() = %q", f)
		}
	}
}
