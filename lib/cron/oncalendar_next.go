package cron

import (
	"errors"
	"time"
)

// The search below follows systemd's find_next step by step, on a broken-down
// wall time (tm) that is normalised the way glibc's mktime normalises it:
// calendar overflow carries, a wall time that a DST jump skipped moves
// forward by the jump, and a repeated one takes the offset of the previous
// normalisation (mktime's guess), which makes a repeated time fire once, at
// its first occurrence, unless the search started in the second copy
// (oncalendar.md, V43-V50).

type tm struct {
	y, mo, d, h, mi, us int // us: microseconds of the minute
	isdst               int // mktime's tm_isdst: -1 unknown, 0 or 1 as a hint
}

func (t tm) naive() time.Time {
	return time.Date(t.y, time.Month(t.mo), t.d, t.h, t.mi, 0, t.us*1000, time.UTC)
}

func tmOf(n time.Time, isdst int) tm {
	return tm{n.Year(), int(n.Month()), n.Day(), n.Hour(), n.Minute(), n.Second()*usecPerSec + n.Nanosecond()/1000, isdst}
}

// zoner is mktime for one zone, with glibc's remembered guess.
type zoner struct {
	loc   *time.Location
	guess int // offset (seconds) of the last normalisation
}

func offsetAt(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}

func dstAt(t time.Time, loc *time.Location) int {
	if t.In(loc).IsDST() {
		return 1
	}
	return 0
}

// mktime normalises t in place (fields and tm_isdst) and returns its
// instant.
func (z *zoner) mktime(t *tm) time.Time {
	n := t.naive() // carries overflowing fields, like timegm
	if z.loc == time.UTC {
		*t = tmOf(n, 0)
		return n
	}
	u := n.Unix()
	ns := int64(n.Nanosecond())
	// The readings of n: one, two (a repeated time) or none (skipped).
	pre := offsetAt(time.Unix(u-36*3600, 0), z.loc)
	post := offsetAt(time.Unix(u+36*3600, 0), z.loc)
	var best time.Time
	found := false
	for _, o := range []int{z.guess, pre, post} {
		at := time.Unix(u-int64(o), ns)
		if offsetAt(at, z.loc) != o {
			continue
		}
		if t.isdst >= 0 {
			// A tm_isdst hint picks the reading with that flag.
			if dstAt(at, z.loc) == t.isdst {
				best, found = at, true
				break
			}
			continue
		}
		if o == z.guess { // mktime keeps its guess when it fits
			best, found = at, true
			break
		}
		if !found || at.Before(best) {
			best, found = at, true
		}
	}
	switch {
	case !found && t.isdst >= 0:
		// No reading has the flag asked for: like glibc, take the offset
		// of the nearest time that has it (probing a week at a time, back
		// first), else ignore the hint.
		o, ok := nearestOffset(time.Unix(u-int64(pre), 0), t.isdst, z.loc)
		if !ok {
			t.isdst = -1
			return z.mktime(t)
		}
		best = time.Unix(u-int64(o), ns)
	case !found:
		// Skipped by a jump forward: read with the offset before it, which
		// lands as far past the jump as the time was into the gap.
		best = time.Unix(u-int64(pre), ns)
	}
	z.guess = offsetAt(best, z.loc)
	*t = tmOf(time.Unix(best.Unix()+int64(z.guess), ns).UTC(), dstAt(best, z.loc))
	return best
}

// nearestOffset is the offset of the time nearest to t whose DST flag is
// isdst, probing a week apart, alternately back and forward, for a year.
func nearestOffset(t time.Time, isdst int, loc *time.Location) (int, bool) {
	const week = 601200 * time.Second // glibc's stride
	for d := week; d < 53*7*24*time.Hour; d += week {
		for _, p := range []time.Time{t.Add(-d), t.Add(d)} {
			if dstAt(p, loc) == isdst {
				return offsetAt(p, loc), true
			}
		}
	}
	return 0, false
}

// probeEndOfMonth repeats the mktime calls systemd's find_end_of_month
// makes for each "~" element (its start, then its stop, -1 included): they
// normalise dates elsewhere in the month and so move mktime's guess, which
// decides a repeated wall time later in the search.
func (z *zoner) probeEndOfMonth(ch []calComp, t tm) {
	for _, cc := range ch {
		for _, d := range []int{cc.start, cc.stop} {
			p := tm{t.y, t.mo + 1, 1 - d, t.h, t.mi, t.us, t.isdst}
			z.mktime(&p)
		}
	}
}

// within is systemd's tm_within_bounds: 1 if t is a real time as it
// stands, 0 if normalising moved it forward (t is then the normalised time
// with the unit below the changed one reset), -1 if it is past the last
// year, -2 if normalising moved it back.
func (z *zoner) within(t *tm) int {
	if t.y > calMaxYear {
		return -1
	}
	n := *t
	z.mktime(&n)
	cmp := 0
	// Like systemd, reset only the unit right below the one that changed:
	// "*:0/25" after 23:50 overflows to 00:15 of the next day and keeps
	// its 15 (the run at 00:00 is skipped; systemd 252 does the same).
	switch {
	case n.y != t.y:
		cmp = sign(n.y - t.y)
		n.mo = 1
	case n.mo != t.mo:
		cmp = sign(n.mo - t.mo)
		n.d = 1
	case n.d != t.d:
		cmp = sign(n.d - t.d)
		n.h = 0
	case n.h != t.h:
		cmp = sign(n.h - t.h)
		n.mi = 0
	case n.mi != t.mi:
		cmp = sign(n.mi - t.mi)
		n.us = n.us % usecPerSec // systemd's tm_sec = 0 keeps the microseconds
	default:
		cmp = sign(n.us - t.us)
	}
	if cmp < 0 {
		return -2
	}
	if cmp > 0 {
		*t = n
		return 0
	}
	return 1
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// match is systemd's find_matching_component: the smallest value >= *val
// that the list selects; it returns -1 (none, *val unchanged), 0 (*val
// matches) or 1 (*val moved up). eomDays is the month's length when days
// count from its end.
func match(ch []calComp, val *int, eomDays int) int {
	if ch == nil {
		return 0
	}
	best, set := 0, false
	for _, cc := range ch {
		start, stop := cc.start, cc.stop
		if eomDays > 0 {
			start = eomDays + 1 - cc.start
			if cc.stop >= 0 {
				stop = eomDays + 1 - cc.stop
				start, stop = stop, start
			}
		}
		if start >= *val {
			if !set || start < best {
				best, set = start, true
			}
		} else if cc.repeat > 0 {
			k := start + cc.repeat*((*val-start+cc.repeat-1)/cc.repeat)
			if (!set || k < best) && (stop < 0 || k <= stop) {
				best, set = k, true
			}
		}
	}
	if !set {
		return -1
	}
	r := 0
	if *val != best {
		r = 1
	}
	*val = best
	return r
}

// maxCalSteps is systemd's MAX_CALENDAR_ITERATIONS: past it, systemd
// gives up with "Infinite loop in calendar calculation" (EDEADLK), which a
// stale tm_isdst can cause ("*-6/5-* 12:28 America/New_York" from January).
const maxCalSteps = 1000

// findNext is systemd's find_next.
// errCalendarLoop is systemd's EDEADLK: the search went back in time or
// did not end within MAX_CALENDAR_ITERATIONS. systemd reports it as
// "Failed to determine next elapse"; Next returns the zero Time.
var errCalendarLoop = errors.New("calendar search did not converge")

func (c *Calendar) findNext(t *tm, z *zoner) (bool, error) {
	for step := 0; step < maxCalSteps; step++ {
		z.mktime(t)
		t.isdst = -1 // c.tm_isdst = spec->dst
		r := match(c.year, &t.y, 0)
		if r > 0 {
			t.mo, t.d, t.h, t.mi, t.us = 1, 1, 0, 0, 0
		}
		if r < 0 {
			return false, nil
		}
		if r = z.within(t); r == -2 {
			return false, errCalendarLoop
		} else if r < 0 {
			return false, nil
		} else if r == 0 {
			continue
		}

		r = match(c.month, &t.mo, 0)
		if r > 0 {
			t.d, t.h, t.mi, t.us = 1, 0, 0, 0
		}
		if r >= 0 {
			r = z.within(t)
		}
		if r < 0 {
			t.y, t.mo, t.d, t.h, t.mi, t.us = t.y+1, 1, 1, 0, 0, 0
			continue
		} else if r == 0 {
			continue
		}

		eom := 0
		if c.endOfMonth {
			eom = daysIn(t.y, t.mo)
			z.probeEndOfMonth(c.day, *t)
		}
		r = match(c.day, &t.d, eom)
		if r > 0 {
			t.h, t.mi, t.us = 0, 0, 0
		}
		if r >= 0 {
			r = z.within(t)
		}
		if r < 0 {
			t.mo, t.d, t.h, t.mi, t.us = t.mo+1, 1, 0, 0, 0
			continue
		} else if r == 0 {
			continue
		}

		if c.weekdays != 0 && c.weekdays&(1<<((weekday(t.y, t.mo, t.d)+6)%7)) == 0 {
			t.d, t.h, t.mi, t.us = t.d+1, 0, 0, 0
			continue
		}

		r = match(c.hour, &t.h, 0)
		if r > 0 {
			t.mi, t.us = 0, 0
		}
		if r >= 0 {
			r = z.within(t)
		}
		if r < 0 {
			t.d, t.h, t.mi, t.us = t.d+1, 0, 0, 0
			continue
		} else if r == 0 {
			continue
		}

		r = match(c.minute, &t.mi, 0)
		if r > 0 {
			t.us = 0
		}
		if r >= 0 {
			r = z.within(t)
		}
		if r < 0 {
			t.h, t.mi, t.us = t.h+1, 0, 0
			continue
		} else if r == 0 {
			continue
		}

		r = match(c.second, &t.us, 0)
		if r >= 0 {
			r = z.within(t)
		}
		if r < 0 {
			t.mi, t.us = t.mi+1, 0
			continue
		} else if r == 0 {
			continue
		}
		return true, nil
	}
	return false, errCalendarLoop
}

// Next returns the first time the expression elapses strictly after the
// given one (systemd works in microseconds), in the expression's own zone
// (" UTC" or an IANA name) or else in after's location; the result is in
// after's location. It returns the zero Time when the expression never
// elapses again (a past date, Feb 30, or past the year 2199).
func (c *Calendar) Next(after time.Time) time.Time {
	n, _ := c.next(after)
	return n
}

// next is Next with systemd's failure (errCalendarLoop) told apart from
// "never again" (a zero Time and no error).
func (c *Calendar) next(after time.Time) (time.Time, error) {
	loc := c.loc
	if loc == nil {
		loc = after.Location()
	}
	base := after.Truncate(time.Microsecond).Add(time.Microsecond).In(loc)
	z := &zoner{loc: loc, guess: offsetAt(base, loc)}
	_, off := base.Zone()
	t := tmOf(time.Unix(base.Unix()+int64(off), int64(base.Nanosecond())).UTC(), dstAt(base, loc))
	ok, err := c.findNext(&t, z)
	if !ok {
		return time.Time{}, err
	}
	return z.mktime(&t).In(after.Location()), nil
}

// NextN returns up to n consecutive times after the given one; fewer if the
// expression stops elapsing.
func (c *Calendar) NextN(after time.Time, n int) []time.Time { return nextN(c.Next, after, n) }
