package cron

import (
	"math/bits"
	"time"
)

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// weekday returns the day of the week (0 = Sunday) of a proleptic Gregorian
// date, without going through time.Date.
func weekday(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := era*146097 + doe - 719468 // days since 1970-01-01, a Thursday
	w := (days + 4) % 7
	if w < 0 {
		w += 7
	}
	return w
}

// dayMask returns the days (bit d for day d) of month m of year y on which
// the schedule's day-of-month and day-of-week fields match.
func (s *Schedule) dayMask(y, m int) uint64 {
	n := daysIn(y, m)
	valid := uint64(1)<<(n+1) - 2
	first := weekday(y, m, 1)

	dom := s.doms & valid
	if s.domLast {
		dom |= 1 << n
	}
	if s.domLastWeekday {
		lw := n
		switch (first + n - 1) % 7 {
		case 6: // ends on a Saturday: Friday the day before
			lw = n - 1
		case 0: // ends on a Sunday: Friday two days before
			lw = n - 2
		}
		dom |= 1 << lw
	}

	var dow uint64
	if s.dows != 0 {
		// Week pattern for days 1..7, then repeated for the rest of the month.
		var week uint64
		for i := 0; i < 7; i++ {
			if s.dows&(1<<((first+i)%7)) != 0 {
				week |= 1 << (i + 1)
			}
		}
		dow = (week | week<<7 | week<<14 | week<<21 | week<<28) & valid
	}
	for wd := 0; wd < 7; wd++ {
		nth, last := s.dowNth[wd], s.dowLast&(1<<wd) != 0
		if nth == 0 && !last {
			continue
		}
		f := 1 + (wd-first+7)%7 // first such weekday of the month
		for k := 1; k <= 5; k++ {
			if nth&(1<<k) != 0 {
				if d := f + 7*(k-1); d <= n {
					dow |= 1 << d
				}
			}
		}
		if last {
			dow |= 1 << (f + 7*((n-f)/7))
		}
	}
	if s.dayAnd {
		return dom & dow
	}
	return dom | dow
}

// A naive time is a time.Time in UTC whose fields are a wall-clock reading
// in some other zone; the calendar search below works on those.

// maxSteps bounds the calendar searches: each step moves to a later day or
// month, and a century is 1200 months.
const maxSteps = 100*12*4 + 64

// nextNaive returns the first naive minute w with from <= w < limit that
// matches every field. from must be minute-aligned.
func (s *Schedule) nextNaive(from, limit time.Time) (time.Time, bool) {
	y, mon, d := from.Date()
	mo := int(mon)
	h, mi, _ := from.Clock()
	ly, lmon, ld := limit.Date()
	lm := int(lmon)
	for step := 0; step < maxSteps; step++ {
		if y > ly || (y == ly && (mo > lm || (mo == lm && d > ld))) {
			return time.Time{}, false
		}
		if s.months&(1<<mo) == 0 {
			rest := s.months >> (mo + 1) << (mo + 1)
			if rest == 0 {
				y++
				mo = bits.TrailingZeros64(s.months)
			} else {
				mo = bits.TrailingZeros64(rest)
			}
			d, h, mi = 1, 0, 0
			continue
		}
		days := s.dayMask(y, mo) >> d << d
		if days == 0 {
			mo++
			if mo > 12 {
				y, mo = y+1, 1
			}
			d, h, mi = 1, 0, 0
			continue
		}
		if nd := bits.TrailingZeros64(days); nd != d {
			d, h, mi = nd, 0, 0
		}
		hrs := s.hours >> h << h
		if hrs == 0 {
			d, h, mi = d+1, 0, 0
			continue
		}
		if nh := bits.TrailingZeros64(hrs); nh != h {
			h, mi = nh, 0
		}
		mins := s.minutes >> mi << mi
		if mins == 0 {
			h, mi = h+1, 0
			continue
		}
		w := time.Date(y, time.Month(mo), d, h, bits.TrailingZeros64(mins), 0, 0, time.UTC)
		if !w.Before(limit) {
			return time.Time{}, false
		}
		return w, true
	}
	return time.Time{}, false
}

// prevNaive returns the last naive minute w with lower <= w <= from that
// matches every field. from must be minute-aligned.
func (s *Schedule) prevNaive(from, lower time.Time) (time.Time, bool) {
	y, mon, d := from.Date()
	mo := int(mon)
	h, mi, _ := from.Clock()
	ly, lmon, ld := lower.Date()
	lm := int(lmon)
	for step := 0; step < maxSteps; step++ {
		if y < ly || (y == ly && (mo < lm || (mo == lm && d < ld))) {
			return time.Time{}, false
		}
		if s.months&(1<<mo) == 0 {
			below := s.months & (1<<mo - 1)
			if below == 0 {
				y--
				mo = bits.Len64(s.months) - 1
			} else {
				mo = bits.Len64(below) - 1
			}
			d, h, mi = 31, 23, 59
			continue
		}
		if n := daysIn(y, mo); d > n {
			d, h, mi = n, 23, 59
		}
		days := s.dayMask(y, mo) & (2<<d - 1)
		if days == 0 {
			mo--
			if mo < 1 {
				y, mo = y-1, 12
			}
			d, h, mi = 31, 23, 59
			continue
		}
		if nd := bits.Len64(days) - 1; nd != d {
			d, h, mi = nd, 23, 59
		}
		hrs := s.hours & (2<<h - 1)
		if hrs == 0 {
			d, h, mi = d-1, 23, 59
			continue
		}
		if nh := bits.Len64(hrs) - 1; nh != h {
			h, mi = nh, 59
		}
		mins := s.minutes & (2<<mi - 1)
		if mins == 0 {
			if h == 0 {
				d, h, mi = d-1, 23, 59
			} else {
				h, mi = h-1, 59
			}
			continue
		}
		w := time.Date(y, time.Month(mo), d, h, bits.Len64(mins)-1, 0, 0, time.UTC)
		if w.Before(lower) {
			return time.Time{}, false
		}
		return w, true
	}
	return time.Time{}, false
}
