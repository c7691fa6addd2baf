package cron

import "time"

// The search below follows systemd's find_next step by step, on a broken-down
// wall time (tm) that is normalised the way glibc's mktime normalises it:
// calendar overflow carries, a wall time that a DST jump skipped moves
// forward by the jump, and a repeated one takes the offset of the previous
// normalisation (mktime's guess), which makes a repeated time fire once, at
// its first occurrence, unless the search started in the second copy
// (oncalendar.md, V43-V50).

type tm struct {
	y, mo, d, h, mi, us int // us: microseconds of the minute
}

func (t tm) naive() time.Time {
	return time.Date(t.y, time.Month(t.mo), t.d, t.h, t.mi, 0, t.us*1000, time.UTC)
}

func tmOf(n time.Time) tm {
	return tm{n.Year(), int(n.Month()), n.Day(), n.Hour(), n.Minute(), n.Second()*usecPerSec + n.Nanosecond()/1000}
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

// mktime normalises t in place and returns its instant.
func (z *zoner) mktime(t *tm) time.Time {
	n := t.naive() // carries overflowing fields, like timegm
	if z.loc == time.UTC {
		*t = tmOf(n)
		return n
	}
	u := n.Unix()
	// The readings of n: one, two (a repeated time) or none (skipped).
	pre := offsetAt(time.Unix(u-36*3600, 0), z.loc)
	post := offsetAt(time.Unix(u+36*3600, 0), z.loc)
	var best time.Time
	found := false
	for _, o := range []int{z.guess, pre, post} {
		at := time.Unix(u-int64(o), int64(n.Nanosecond()))
		if offsetAt(at, z.loc) != o {
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
	if !found {
		// Skipped by a jump forward: read with the offset before it, which
		// lands as far past the jump as the time was into the gap.
		best = time.Unix(u-int64(pre), int64(n.Nanosecond()))
	}
	z.guess = offsetAt(best, z.loc)
	*t = tmOf(time.Unix(best.Unix()+int64(z.guess), int64(best.Nanosecond())).UTC())
	return best
}

// within is systemd's tm_within_bounds: 1 if t is a real time as it
// stands, 0 if normalising moved it forward (t is then the normalised time
// with the unit below the changed one reset), -1 if it is past the last
// year or normalising moved it back.
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
		return -1
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

// maxCalSteps bounds the search; the longest real one (a weekday on Feb 29
// near the year 2199 limit) takes a few thousand steps.
const maxCalSteps = 1 << 20

// findNext is systemd's find_next.
func (c *Calendar) findNext(t *tm, z *zoner) bool {
	for step := 0; step < maxCalSteps; step++ {
		z.mktime(t)
		r := match(c.year, &t.y, 0)
		if r > 0 {
			t.mo, t.d, t.h, t.mi, t.us = 1, 1, 0, 0, 0
		}
		if r < 0 {
			return false
		}
		if r = z.within(t); r < 0 {
			return false
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
		return true
	}
	return false
}

// Next returns the first time the expression elapses strictly after the
// given one (systemd works in microseconds), in the expression's own zone
// (" UTC" or an IANA name) or else in after's location; the result is in
// after's location. It returns the zero Time when the expression never
// elapses again (a past date, Feb 30, or past the year 2199).
func (c *Calendar) Next(after time.Time) time.Time {
	loc := c.loc
	if loc == nil {
		loc = after.Location()
	}
	base := after.Truncate(time.Microsecond).Add(time.Microsecond).In(loc)
	z := &zoner{loc: loc, guess: offsetAt(base, loc)}
	_, off := base.Zone()
	t := tmOf(time.Unix(base.Unix()+int64(off), int64(base.Nanosecond())).UTC())
	if !c.findNext(&t, z) {
		return time.Time{}
	}
	return z.mktime(&t).In(after.Location())
}

// NextN returns up to n consecutive times after the given one; fewer if the
// expression stops elapsing.
func (c *Calendar) NextN(after time.Time, n int) []time.Time {
	out := make([]time.Time, 0, max(n, 0))
	t := after
	for len(out) < n {
		t = c.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}
