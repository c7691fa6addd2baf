package cron

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// This file checks Next and Prev against a deliberately simple reference
// that walks minute by minute and matches days the way cronsim's
// match_dom/match_dow do, with the run-time rules of docs/cron.md:
//   - wall-clock jobs fire at every whole-minute instant whose local reading matches;
//   - fixed-time jobs fire, for each matching reading w, at the first instant
//     whose local reading is w or later.

func refDayMatch(s *Schedule, y int, m time.Month, d int) bool {
	first := time.Date(y, m, 1, 12, 0, 0, 0, time.UTC)
	n := first.AddDate(0, 1, -1).Day()
	wd := int(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday())

	dom := s.doms&(1<<d) != 0 || (s.domLast && d == n)
	if s.domLastWeekday {
		lw := n
		for int(time.Date(y, m, lw, 12, 0, 0, 0, time.UTC).Weekday())%6 == 0 { // Saturday or Sunday
			lw--
		}
		dom = dom || d == lw
	}
	dow := s.dows&(1<<wd) != 0 ||
		(s.dowLast&(1<<wd) != 0 && d+7 > n) ||
		s.dowNth[wd]&(1<<((d+6)/7)) != 0
	if s.dayAnd {
		return dom && dow
	}
	return dom || dow
}

// refMatcher caches the day verdict, which is the slow part.
type refMatcher struct {
	s         *Schedule
	y, m, d   int
	dayResult bool
}

func (rm *refMatcher) match(w time.Time) bool {
	if rm.s.minutes&(1<<w.Minute()) == 0 || rm.s.hours&(1<<w.Hour()) == 0 || rm.s.months&(1<<int(w.Month())) == 0 {
		return false
	}
	y, m, d := w.Date()
	if y != rm.y || int(m) != rm.m || d != rm.d {
		rm.y, rm.m, rm.d = y, int(m), d
		rm.dayResult = refDayMatch(rm.s, y, m, d)
	}
	return rm.dayResult
}

// reading is the wall clock of t as a naive UTC time.
func reading(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	return time.Date(y, mo, d, h, mi, sec, t.Nanosecond(), time.UTC)
}

// refMap: the first whole-minute instant whose reading is w or later.
func refMap(w time.Time, loc *time.Location) time.Time {
	x := time.Unix(w.Unix()-15*3600, 0).In(loc) // every reading here is below w
	for range 3 * 24 * 60 {
		if !reading(x).Before(w) {
			return x
		}
		x = x.Add(time.Minute)
	}
	panic("refMap: no instant found")
}

const refSpan = 60 * 24 * 10 // minutes the reference looks ahead

// refNext returns the reference's next run, or zero if none within refSpan.
func refNext(s *Schedule, after time.Time) time.Time {
	loc := after.Location()
	rm := &refMatcher{s: s}
	if s.wallClock {
		x := after.Truncate(time.Minute).Add(time.Minute)
		for range refSpan {
			if rm.match(reading(x)) {
				return x
			}
			x = x.Add(time.Minute)
		}
		return time.Time{}
	}
	// Readings more than 3 hours below the current one ran long ago in
	// these zones (no clock goes back by more than an hour).
	w := reading(after).Truncate(time.Minute).Add(-3 * time.Hour)
	for range refSpan {
		if rm.match(w) {
			if x := refMap(w, loc); x.After(after) {
				return x
			}
		}
		w = w.Add(time.Minute)
	}
	return time.Time{}
}

func randomExpr(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	return fmt.Sprintf("%s %s %s %s %s",
		pick("*", "0", "30", "45", "*/15", "0,30", "5-10", "*/7", "59", "0-59", "15,45"),
		pick("*", "0", "1", "2", "3", "23", "1-3", "*/2", "0,12", "2,3", "0-23", "*/5"),
		pick("*", "*", "*", "1", "15", "L", "LW", "*/10", "29", "31", "1-7", "28-31"),
		pick("*", "*", "*", "3", "4", "10", "3,4,9,10,11", "*/2", "FEB"),
		pick("*", "*", "*", "0", "1-5", "SUN#1", "5L", "MON#5", "*/3", "SAT,SUN", "7"))
}

// testInstants are times near each zone's 2026 (or 2101) transitions, plus
// some random ones.
func testInstants(r *rand.Rand, loc *time.Location, n int) []time.Time {
	var out []time.Time
	year := 2026
	if r.IntN(4) == 0 {
		year = 2101 // past the explicit tzdata tables: the zone's rule string applies
	}
	t := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	var marks []time.Time
	for range 2 {
		_, end := t.ZoneBounds()
		if end.IsZero() {
			break
		}
		marks = append(marks, end)
		t = end
	}
	for i := range n {
		var base time.Time
		if len(marks) > 0 && i%4 != 0 {
			base = marks[r.IntN(len(marks))]
			base = base.Add(time.Duration(r.IntN(6*3600)-3*3600) * time.Second)
			if r.IntN(3) == 0 {
				base = base.Add(time.Duration(r.IntN(5)-2) * 24 * time.Hour)
			}
		} else {
			base = time.Date(year, 1, 1, 0, 0, 0, 0, loc).Add(time.Duration(r.Int64N(365*24*3600)) * time.Second)
		}
		if r.IntN(2) == 0 {
			base = base.Truncate(time.Minute) // often exactly on a run
		}
		out = append(out, base.In(loc))
	}
	return out
}

var bruteZones = []string{"UTC", "Europe/Riga", "America/New_York", "Australia/Lord_Howe",
	"Australia/Sydney", "America/Santiago", "America/Havana", "Asia/Kolkata"}

func TestNextPrevAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	nExpr, nTimes := 40, 12
	if testing.Short() || raceEnabled {
		nExpr = 6
	}
	checked := 0
	for _, zone := range bruteZones {
		loc := mustLoc(t, zone)
		for range nExpr {
			expr := randomExpr(r)
			s, err := Parse(expr)
			if err != nil {
				continue
			}
			for _, at := range testInstants(r, loc, nTimes) {
				ref := refNext(s, at)
				got := s.Next(at)
				if ref.IsZero() {
					if !got.IsZero() && got.Sub(at) < time.Duration(refSpan-2*24*60)*time.Minute {
						t.Fatalf("%s %q Next(%s) = %s, reference found none", zone, expr, at.Format(time.RFC3339), got.Format(time.RFC3339))
					}
					continue
				}
				checked++
				if !got.Equal(ref) {
					t.Fatalf("%s %q Next(%s) = %s, reference %s", zone, expr, at.Format(time.RFC3339), got.Format(time.RFC3339), ref.Format(time.RFC3339))
				}
				// Prev is the inverse of Next.
				if p := s.Prev(got.Add(time.Second)); !p.Equal(got) {
					t.Fatalf("%s %q Prev(Next(%s)+1s) = %s, want %s", zone, expr, at.Format(time.RFC3339), p.Format(time.RFC3339), got.Format(time.RFC3339))
				}
				// Prev(t) is a run before t with no run in between.
				p := s.Prev(at)
				if p.IsZero() {
					continue
				}
				if !p.Before(at) {
					t.Fatalf("%s %q Prev(%s) = %s is not before", zone, expr, at.Format(time.RFC3339), p.Format(time.RFC3339))
				}
				if n := refNext(s, p.Add(-time.Second)); !n.IsZero() && !n.Equal(p) {
					t.Fatalf("%s %q Prev(%s) = %s is not a run (reference next before it: %s)", zone, expr, at.Format(time.RFC3339), p.Format(time.RFC3339), n.Format(time.RFC3339))
				}
				// Next(Prev(t)) is the first run at or after t.
				if n, want := s.Next(p), s.Next(at.Add(-time.Nanosecond)); !n.Equal(want) {
					t.Fatalf("%s %q Next(Prev(%s)) = %s, want %s", zone, expr, at.Format(time.RFC3339), n.Format(time.RFC3339), want.Format(time.RFC3339))
				}
			}
		}
	}
	if checked < 5*nExpr {
		t.Fatalf("only %d comparisons made", checked)
	}
	t.Logf("%d comparisons", checked)
}

// A run sequence is strictly increasing and Prev walks it back exactly.
func TestNextNPrevWalkBack(t *testing.T) {
	for _, zone := range bruteZones {
		loc := mustLoc(t, zone)
		for _, expr := range []string{"*/20 * * * *", "30 1,2,3 * * *", "0 0 L * *", "15 2 * * 0", "* 2 * * *", "0 0 * * 5L"} {
			s := mustParse(t, expr)
			runs := s.NextN(time.Date(2026, 1, 1, 0, 0, 0, 0, loc), 400)
			for i := 1; i < len(runs); i++ {
				if !runs[i].After(runs[i-1]) {
					t.Fatalf("%s %q: run %d %s not after %s", zone, expr, i, runs[i], runs[i-1])
				}
				if p := s.Prev(runs[i]); !p.Equal(runs[i-1]) {
					t.Fatalf("%s %q: Prev(%s) = %s, want %s", zone, expr, runs[i], p, runs[i-1])
				}
			}
		}
	}
}

// Samoa skipped 2011-12-30 entirely (-10:00 -> +14:00 at midnight). cronsim
// treats any offset change alike, and so do we: the fixed-time runs of the
// missing day all happen at the jump, once.
func TestWholeDaySkippedApia(t *testing.T) {
	loc := mustLoc(t, "Pacific/Apia")
	from := time.Date(2011, 12, 29, 12, 0, 0, 0, loc)
	for _, tt := range []struct {
		expr string
		want []string
	}{
		{"0 12 * * *", []string{"2011-12-31T00:00:00+14:00", "2011-12-31T12:00:00+14:00"}},
		{"0 8,20 * * *", []string{"2011-12-29T20:00:00-10:00", "2011-12-31T00:00:00+14:00", "2011-12-31T08:00:00+14:00"}},
		{"0 */12 * * *", []string{"2011-12-31T00:00:00+14:00", "2011-12-31T12:00:00+14:00"}},
		{"0 0 30 12 *", []string{"2011-12-31T00:00:00+14:00", "2012-12-30T00:00:00+14:00"}},
	} {
		s := mustParse(t, tt.expr)
		got := s.NextN(from, len(tt.want))
		if len(got) != len(tt.want) {
			t.Fatalf("%q: %v", tt.expr, got)
		}
		at := from
		for i, w := range tt.want {
			if want := mustTime(t, w, loc); !sameInstantAndOffset(got[i], want) {
				t.Errorf("%q run %d = %s, want %s", tt.expr, i+1, got[i].Format(time.RFC3339), w)
			}
			if ref := refNext(s, at); got[i].Sub(at) < 9*24*time.Hour && !ref.Equal(got[i]) {
				t.Errorf("%q run %d = %s, reference %s", tt.expr, i+1, got[i].Format(time.RFC3339), ref.Format(time.RFC3339))
			}
			if p := s.Prev(got[i].Add(time.Second)); !p.Equal(got[i]) {
				t.Errorf("%q Prev(run %d + 1s) = %s", tt.expr, i+1, p.Format(time.RFC3339))
			}
			at = got[i]
		}
	}
}
