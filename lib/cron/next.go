package cron

import "time"

// searchYears bounds every search. Parse refuses expressions that never
// fire, and the longest gap between runs of a valid expression is 40 years
// (a Feb 29 that must also be a given weekday, across a non-leap 2100), so
// only zone-dependent oddities such as "* 3 * 3 SUN#5" in Europe/Riga (the
// hour is always skipped) reach this limit.
const searchYears = 100

// maxSegments bounds the walk over a zone's offset periods (two a year in
// most zones).
const maxSegments = 4 * searchYears

// Next returns the first run strictly after the given time, in the
// location of after (pass t.In(loc) to evaluate the schedule in loc). It
// returns the zero Time if there is none within 100 years.
func (s *Schedule) Next(after time.Time) time.Time {
	if s.months == 0 { // a zero Schedule, not from Parse
		return time.Time{}
	}
	if s.wallClock {
		return s.nextWallClock(after)
	}
	return s.nextFixed(after)
}

// Prev returns the last run strictly before the given time, in its
// location; it is the inverse of Next: Prev(Next(t)+ε) == Next(t). It
// returns the zero Time if there is none within 100 years.
func (s *Schedule) Prev(before time.Time) time.Time {
	if s.months == 0 {
		return time.Time{}
	}
	if s.wallClock {
		return s.prevWallClock(before)
	}
	return s.prevFixed(before)
}

// NextN returns up to n consecutive runs after the given time; fewer if the
// search limit is reached.
func (s *Schedule) NextN(after time.Time, n int) []time.Time { return nextN(s.Next, after, n) }

// nextN calls next up to n times, each from the time before, and stops at
// the zero time (nothing more within reach): the NextN of every Expr.
func nextN(next func(time.Time) time.Time, after time.Time, n int) []time.Time {
	out := make([]time.Time, 0, max(n, 0))
	t := after
	for len(out) < n {
		if t = next(t); t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

// segment is a period during which a zone's UTC offset is constant. A zero
// start or end means unbounded.
type segment struct {
	start, end time.Time
	off        int64 // seconds east of UTC
}

func segmentOf(t time.Time) segment {
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	return segment{start: start, end: end, off: int64(off)}
}

// previous returns the segment before sg, which must have a start.
func (sg segment) previous() segment { return segmentOf(sg.start.Add(-time.Nanosecond)) }

// naiveAt returns the wall-clock reading of instant t at offset off.
func naiveAt(t time.Time, off int64) time.Time {
	return time.Unix(t.Unix()+off, int64(t.Nanosecond())).UTC()
}

// instantAt returns the instant whose reading at offset off is w.
func instantAt(w time.Time, off int64, loc *time.Location) time.Time {
	return time.Unix(w.Unix()-off, int64(w.Nanosecond())).In(loc)
}

func truncMinute(t time.Time) time.Time { return t.Truncate(time.Minute) }

func ceilMinute(t time.Time) time.Time {
	if tr := t.Truncate(time.Minute); !tr.Equal(t) {
		return tr.Add(time.Minute)
	}
	return t
}

// nextWallClock: the first whole-minute instant after `after` whose wall
// clock reading matches. Within one offset period wall time is a plain
// shift of UTC, so search each period's wall-time span in turn.
func (s *Schedule) nextWallClock(after time.Time) time.Time {
	loc := after.Location()
	sg := segmentOf(after)
	from := truncMinute(naiveAt(after, sg.off)).Add(time.Minute)
	stop := from.AddDate(searchYears, 0, 0)
	for range maxSegments {
		limit := stop
		if !sg.end.IsZero() {
			if e := naiveAt(sg.end, sg.off); e.Before(limit) {
				limit = e
			}
		}
		if w, ok := s.nextNaive(from, limit); ok {
			return instantAt(w, sg.off, loc)
		}
		if sg.end.IsZero() || !limit.Before(stop) {
			break
		}
		sg = segmentOf(sg.end)
		from = ceilMinute(naiveAt(sg.start, sg.off))
	}
	return time.Time{}
}

// prevWallClock mirrors nextWallClock backwards.
func (s *Schedule) prevWallClock(before time.Time) time.Time {
	loc := before.Location()
	bound := before // exclusive
	sg := segmentOf(bound.Add(-time.Nanosecond))
	var stop time.Time
	for i := range maxSegments {
		upper := ceilMinute(naiveAt(bound, sg.off)).Add(-time.Minute)
		if i == 0 {
			stop = upper.AddDate(-searchYears, 0, 0)
		}
		lower := stop
		if !sg.start.IsZero() {
			if b := ceilMinute(naiveAt(sg.start, sg.off)); b.After(lower) {
				lower = b
			}
		}
		if w, ok := s.prevNaive(upper, lower); ok {
			return instantAt(w, sg.off, loc)
		}
		if sg.start.IsZero() || !lower.After(stop) {
			break
		}
		bound = sg.start
		sg = sg.previous()
	}
	return time.Time{}
}

// firstAtOrAfterWall maps a fixed-time job's wall time w to the instant it
// runs: the first instant whose wall clock reads w or later. For a repeated
// reading that is its first occurrence; for a skipped one, the moment the
// clock jumped over it.
func firstAtOrAfterWall(w time.Time, loc *time.Location) time.Time {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, loc)
	sg := segmentOf(t)
	// In a skipped interval time.Date may land before the jump: move to the
	// first period whose wall clock gets past w.
	for i := 0; i < 4 && !sg.end.IsZero() && !naiveAt(sg.end, sg.off).After(w); i++ {
		sg = segmentOf(sg.end)
	}
	// Walk back while an earlier period's clock also reached w (the clock was
	// set back): the first occurrence wins.
	for i := 0; i < 4 && !sg.start.IsZero(); i++ {
		p := sg.previous()
		if !naiveAt(sg.start, p.off).After(w) {
			break
		}
		sg = p
	}
	x := instantAt(w, sg.off, loc)
	if !sg.start.IsZero() && x.Before(sg.start) {
		x = sg.start.In(loc)
	}
	return x
}

// maxWallBefore returns the supremum of the wall-clock readings of instants
// in [sg.start, bound) and the periods before it: when a clock was set back,
// the earlier period's readings run higher than the current one's.
func maxWallBefore(bound time.Time, sg segment) time.Time {
	m := naiveAt(bound, sg.off)
	for i := 0; i < 2 && !sg.start.IsZero(); i++ {
		p := sg.previous()
		if e := naiveAt(sg.start, p.off); e.After(m) {
			m = e
		}
		sg = p
	}
	return m
}

// nextFixed: the runs of a fixed-time job are the images of its matching
// wall times under firstAtOrAfterWall, which is monotonic. A wall time w
// runs after `after` exactly when no instant up to `after` read w or later,
// so start the calendar search just above the highest reading so far.
func (s *Schedule) nextFixed(after time.Time) time.Time {
	loc := after.Location()
	sg := segmentOf(after)
	from := truncMinute(naiveAt(after, sg.off)).Add(time.Minute)
	if !sg.start.IsZero() {
		if m := ceilMinute(maxWallBefore(sg.start, sg.previous())); m.After(from) {
			from = m
		}
	}
	stop := from.AddDate(searchYears, 0, 0)
	for range 8 { // one pass is enough; the loop only guards odd zones
		w, ok := s.nextNaive(from, stop)
		if !ok {
			break
		}
		if x := firstAtOrAfterWall(w, loc); x.After(after) {
			return x
		}
		from = w.Add(time.Minute)
	}
	return time.Time{}
}

// prevFixed mirrors nextFixed: w runs before `before` exactly when some
// earlier instant read more than w.
func (s *Schedule) prevFixed(before time.Time) time.Time {
	loc := before.Location()
	upper := ceilMinute(maxWallBefore(before, segmentOf(before.Add(-time.Nanosecond)))).Add(-time.Minute)
	stop := upper.AddDate(-searchYears, 0, 0)
	for range 8 {
		w, ok := s.prevNaive(upper, stop)
		if !ok {
			break
		}
		if x := firstAtOrAfterWall(w, loc); x.Before(before) {
			return x
		}
		upper = w.Add(-time.Minute)
	}
	return time.Time{}
}
